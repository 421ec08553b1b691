"""/api/v1/supply-chain/: monitoring series (para 46), read by both parties' members, published and
imported by the owning party through the services."""

from typing import Any

from ninja import File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import Field, StrictFloat

from partnership.api_helpers import (
    WRITE_AUTH,
    SignedOut,
    error_responses,
    ledger_fields,
    paginate,
    signed_in,
)

from . import explain, parsing, queries, records, register_api, services

router = Router(tags=["supply chain"])
# The registers of investment plans and export controls (issue 16, item 5) have a module of their own.
router.add_router("", register_api.router)


class SeriesIn(Schema):
    code: str = Field(description="the series' code, unique in your party, e.g. IPG3344S")
    title: str = Field("", description="what it measures (defaults to the code)")
    language: str = Field("en", description="en or ja: the language of the title")
    unit: str = Field("", description="e.g. index 2017=100; fixed once the series has observations")
    frequency: str = Field(description="daily, weekly, monthly, quarterly or annual")
    source: str = ""
    licence: str = ""
    product_code: str = Field("", description="e.g. HS 8541")


class DescriptionIn(Schema):
    title: str | None = None
    language: str | None = None
    unit: str | None = None
    source: str | None = None
    licence: str | None = None
    product_code: str | None = None


class ObservationIn(Schema):
    date: str = Field(description="YYYY-MM-DD, the first day of the period (or YYYY-MM)")
    value: str | StrictFloat | None = Field(
        description='a number or decimal text; null or "." if not published'
    )


class ObservationsIn(Schema):
    observations: list[ObservationIn]
    unit: str | None = Field(None, description="the unit of these values: refused if not the series' unit")


class SeriesOut(SignedOut):
    uid: str
    party: str
    organisation: str
    code: str
    title: str
    language: str
    unit: str
    frequency: str
    source: str
    licence: str
    product_code: str
    revision: int
    changed_at: str


class SeriesPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[SeriesOut]


class PointOut(Schema):
    date: str
    value: str | None = Field(description="the latest value, as decimal text; null if not published")
    released_at: str


class VintageOut(Schema):
    date: str
    value: str | None
    released_at: str = Field(description="when this (earlier) value was released")


class ReleaseOut(SignedOut):
    uid: str
    organisation: str
    released_at: str
    source_name: str
    added: int
    revised: int


class SeriesDataOut(SeriesOut):
    latest: list[PointOut]
    vintages: list[VintageOut] = Field(description="the earlier values of revised dates, newest first")
    releases: list[ReleaseOut]


class ImportOut(Schema):
    series: SeriesOut
    release: ReleaseOut | None = Field(description="null when nothing was new")
    created: bool
    added: int
    revised: int
    unchanged: int
    missing: int


def series_out(series) -> dict[str, Any]:
    return {
        "uid": str(series.uid),
        "party": series.party.code,
        "organisation": series.organisation.code,
        "code": series.code,
        "title": series.title,
        "language": series.language,
        "unit": series.unit,
        "frequency": series.frequency,
        "source": series.source,
        "licence": series.licence,
        "product_code": series.product_code,
        "revision": series.revision,
        "changed_at": series.changed_at.isoformat(),
        **ledger_fields(series),
    }


def release_out(release) -> dict[str, Any]:
    return {
        "uid": str(release.uid),
        "organisation": release.organisation.code,
        "released_at": release.released_at.isoformat(),
        "source_name": release.source_name,
        "added": release.added,
        "revised": release.revised,
        **ledger_fields(release),
    }


def import_out(result: services.ImportResult) -> dict[str, Any]:
    return {
        "series": series_out(result.series),
        "release": release_out(result.release) if result.release is not None else None,
        "created": result.created,
        "added": result.added,
        "revised": result.revised,
        "unchanged": result.unchanged,
        "missing": result.missing,
    }


@router.get(
    "series", response={200: SeriesPage, **error_responses(401, 403, 422)}, summary="Monitoring series"
)
def list_series(request, party: str = "", frequency: str = ""):
    found = queries.series_list(signed_in(request), queries.Filters(party=party, frequency=frequency))
    return paginate(request, found, series_out)


@router.post(
    "series",
    auth=WRITE_AUTH,
    response={201: SeriesOut, **error_responses(400, 401, 403, 409, 422)},
    summary="Create a monitoring series of your party",
)
def create_series(request, payload: SeriesIn):
    return Status(201, series_out(services.describe_series(request.auth, payload.model_dump())))


@router.get(
    "series/{uid}",
    response={200: SeriesDataOut, **error_responses(401, 403, 404)},
    summary="A series with its latest values, earlier vintages and releases",
)
def get_series(request, uid: str):
    data = queries.series_data(signed_in(request), uid)
    return {
        **series_out(data.series),
        "latest": [
            {
                "date": p.date.isoformat(),
                "value": records.value_text(p.value),
                "released_at": p.released_at.isoformat(),
            }
            for p in data.points
        ],
        "vintages": [
            {"date": p.date.isoformat(), "value": records.value_text(value), "released_at": when.isoformat()}
            for p in data.revised
            for value, when in p.earlier
        ],
        "releases": [release_out(release) for release in data.releases],
    }


@router.put(
    "series/{uid}",
    auth=WRITE_AUTH,
    response={200: SeriesOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Change a series' description (a new revision)",
)
def describe_series(request, uid: str, payload: DescriptionIn):
    data = {key: value for key, value in payload.model_dump().items() if value is not None}
    return series_out(services.describe_series(request.auth, data, uid=uid))


@router.post(
    "series/{uid}/observations",
    auth=WRITE_AUTH,
    response={201: ImportOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Import observations (JSON) as a new release of a series",
)
def import_observations(request, uid: str, payload: ObservationsIn):
    description = {"unit": payload.unit} if payload.unit is not None else {}
    observations = [item.model_dump() for item in payload.observations]
    result = services.import_observations(request.auth, None, observations, description, uid=uid)
    return Status(201, import_out(result))


@router.post(
    "series/{uid}/files",
    auth=WRITE_AUTH,
    response={201: ImportOut, **error_responses(400, 401, 403, 404, 413, 422)},
    summary="Import a CSV (FRED's or a general layout) or XLSX file as a new release of a series",
)
def import_file(
    request,
    uid: str,
    file: UploadedFile = File(...),  # noqa: B008 - ninja's way of declaring a file
    format: str = Form("fred"),  # noqa: B008
    date_column: str = Form("date"),  # noqa: B008
    value_column: str = Form(""),  # noqa: B008
    unit_column: str = Form(""),  # noqa: B008
    unit: str = Form(""),  # noqa: B008
):
    layout = parsing.Layout(format, date_column or "date", value_column, unit_column)
    description = {"unit": unit} if unit else {}
    name = (file.name or "upload").rsplit("/", 1)[-1][:200]
    result = services.import_series(request.auth, None, file, layout, description, name=name, uid=uid)
    return Status(201, import_out(result))


# === detectors and signals (issue 16, item 2) ==========================================================


class DetectorsIn(Schema):
    detectors: list[dict[str, Any]] = Field(
        description="the detection library's configurations, e.g. "
        '[{"method": "threshold", "level": 14, "direction": "up"}]; [] for the defaults'
    )


class DetectorsOut(Schema):
    series: str
    revision: int
    defaults: bool = Field(description="true: the series has none of its own; these are the library's")
    detectors: list[dict[str, Any]]


class SignalOut(Schema):
    series: str = Field(description="the series' uid")
    code: str
    party: str
    date: str
    detector: str
    method: str = Field(description="change_point, cusum, threshold or year_over_year")
    direction: str = Field(description="up or down")
    value: float
    baseline: float
    window: list[str] = Field(description="[first date, last date] the detector looked at")
    explanation: str = Field(description="the signal in a sentence, in the request's language")
    detected_at: str
    release: str | None = Field(description="the release whose detection found it")


class SignalPage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[SignalOut]


def detectors_out(series, settings) -> dict[str, Any]:
    return {
        "series": str(series.uid),
        "revision": series.revision,
        "defaults": settings.defaults,
        "detectors": settings.detectors,
    }


def signal_out(signal) -> dict[str, Any]:
    return {
        "series": str(signal.series.uid),
        "code": signal.series.code,
        "party": signal.series.party.code,
        "date": signal.date.isoformat(),
        "detector": signal.detector,
        "method": signal.method,
        "direction": signal.direction,
        "value": signal.value,
        "baseline": signal.baseline,
        "window": [signal.window_start.isoformat(), signal.window_end.isoformat()],
        "explanation": explain.sentence(signal, signal.series.frequency),
        "detected_at": signal.detected_at.isoformat(),
        "release": str(signal.release.uid) if signal.release_id else None,
    }


@router.get(
    "series/{uid}/detectors",
    response={200: DetectorsOut, **error_responses(401, 403, 404)},
    summary="The detectors that watch a series",
)
def get_detectors(request, uid: str):
    user = signed_in(request)
    found = queries.series(user, uid)
    return detectors_out(found, queries.detector_settings(user, found))


@router.put(
    "series/{uid}/detectors",
    auth=WRITE_AUTH,
    response={200: DetectorsOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Configure the detectors of a series (a new revision of its description; signals recomputed)",
)
def set_detectors(request, uid: str, payload: DetectorsIn):
    found = services.set_detectors(request.auth, uid, payload.detectors)
    return detectors_out(found, queries.detector_settings(request.auth, found))


@router.get(
    "series/{uid}/signals",
    response={200: list[SignalOut], **error_responses(401, 403, 404)},
    summary="The signals of a series, each explained",
)
def series_signals(request, uid: str):
    return [signal_out(signal) for signal in queries.series_signals(signed_in(request), uid)]


@router.get(
    "signals",
    response={200: SignalPage, **error_responses(401, 403)},
    summary="Recent signals across the series, newest date first",
)
def recent_signals(request, party: str = ""):
    return paginate(request, queries.recent_signals(signed_in(request), party[:8]), signal_out)


# === events and alerts (issue 16, items 3 and 4): their own module ======================================

from .alert_api import router as alert_router  # noqa: E402

router.add_router("", alert_router)

from .exercise_api import router as exercise_router  # noqa: E402

router.add_router("", exercise_router)
