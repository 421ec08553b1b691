"""/api/v1/platform-reports/ (issue 18, items 2-4): Japan's removal-request records (filed by the platform,
read by it and the secretariats), the common template and its mapping, the DSA quantitative template,
Japan's yearly items and the trends. Included from api.py; thin: each handler calls japan.py,
template.py or trends.py."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from partnership.api_helpers import WRITE_AUTH, error_responses, reader
from partnership.errors import Invalid
from partnership.inputs import load_json

from . import japan, template, trends

router = Router(tags=["platform reports"])


class RequestsRefusedOut(Schema):
    message: str
    errors: dict[str, Any]


class FiledRequestOut(Schema):
    uuid: str
    reference: str
    due_at: datetime.datetime


class FiledRequestsOut(Schema):
    requests: list[FiledRequestOut]


def _filed(rows) -> dict[str, Any]:
    return {"requests": [{"uuid": str(r.uuid), "reference": r.reference, "due_at": r.due_at} for r in rows]}


@router.post(
    "japan/requests",
    auth=WRITE_AUTH,
    response={201: FiledRequestsOut, 422: RequestsRefusedOut, **error_responses(400, 401, 403, 413)},
    summary="File 1 to 100 records of removal requests (Japan's Information Distribution Platform Act)",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def file_requests(request):
    """`{"requests": [...]}`: each record checked on its own; one error refuses the whole call (422,
    errors keyed `request_<index>` by field), nothing stored."""
    try:
        stored = japan.file_requests(request.auth, load_json(request.body))
    except japan.RequestsRefused as refused:
        return Status(422, {"message": refused.message, "errors": refused.errors})
    return Status(201, _filed(stored))


@router.post(
    "japan/requests/file",
    auth=WRITE_AUTH,
    response={201: FiledRequestsOut, **error_responses(400, 401, 403, 413, 422)},
    summary="Import a CSV or XLSX file of removal-request records (a header of the field names)",
)
def import_requests(request, file: UploadedFile = File(...)):  # noqa: B008 - ninja's way of declaring a file
    name = (file.name or "upload.csv").rsplit("/", 1)[-1][:200]
    return Status(201, _filed(japan.import_requests(request.auth, name, file)))


@router.get(
    "japan/platforms/{code}/requests",
    auth=WRITE_AUTH,
    response={200: dict, **error_responses(401, 403, 404)},
    summary="A platform's removal-request records (the platform itself and the secretariats)",
)
def removal_requests(request, code: str, before: str | None = None):
    return japan.removal_requests(request.auth, code, before)


@router.get(
    "japan/codes", response=dict, summary="The codes and deadline of Japan's records (data/japan.json)"
)
def japan_codes(request):
    return japan.public_config()


@router.get("template/mapping", response=list[dict], summary="The common template's mapping, field by field")
def mapping(request):
    return template.mapping(reader(request))


def _period(start: str | None, end: str | None) -> tuple[datetime.date, datetime.date]:
    return template.period(start, end)


@router.get(
    "platforms/{code}/dsa-template",
    response={200: dict, **error_responses(404, 422)},
    summary="The DSA quantitative template (Regulation (EU) 2024/2835) of a platform and period",
)
def dsa_template(request, code: str, start: str, end: str, format: str = "json"):
    """`format`: json, csv (one file, long form) or xlsx (a sheet per table of the Regulation)."""
    report = template.dsa_template(reader(request), code, *_period(start, end))
    return _download(report, format)


def _download(report: dict[str, Any], format: str):
    if format == "json":
        return {**report, "rows": [{**row, "value": _json_value(row["value"])} for row in report["rows"]]}
    if format == "csv":
        response = HttpResponse(template.dsa_as_csv(report), content_type="text/csv; charset=utf-8")
    elif format == "xlsx":
        response = HttpResponse(
            template.dsa_as_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        raise Invalid(_("format: give json, csv or xlsx."), {"format": _("json, csv or xlsx")})
    response["Content-Disposition"] = f'attachment; filename="{template.download_name(report, format)}"'
    return response


def _json_value(value: Any) -> Any:
    if isinstance(value, template.NotComputable):
        return {"not_computable": str(value)}
    return value


@router.get(
    "platforms/{code}/japan/{year}",
    response={200: dict, **error_responses(404, 422)},
    summary="Japan's yearly publication items (Art 28) of a platform",
)
def japan_items(request, code: str, year: int):
    found = template.japan_items(reader(request), code, year)
    return {**found, "items": [{**item, "value": _json_value(item["value"])} for item in found["items"]]}


@router.get(
    "platforms/{code}/common-template",
    response={200: dict, **error_responses(404, 422)},
    summary="The common template's figures of a platform and period, both regimes side by side",
)
def common_template(request, code: str, start: str, end: str):
    found = template.common(reader(request), code, *_period(start, end))
    return {
        **found,
        "rows": [
            {**row, "dsa": _json_value(row["dsa"]), "japan": _json_value(row["japan"])}
            for row in found["rows"]
        ],
    }


@router.get(
    "trends",
    response={200: dict, **error_responses(404, 422)},
    summary="Daily or monthly series with signals",
)
def trend_series(
    request,
    platform: str | None = None,
    dimension: str = "total",
    frequency: str = "monthly",
    start: str | None = None,
    end: str | None = None,
):
    first, last = trends.dates(start, end)
    return trends.cached_series(reader(request), platform, dimension, frequency, first, last)
