"""/api/v1/cables/: the connectivity map (cables, their landings and owners, the imports and what each
changed) and the route analysis between two parties (routes, and "what if" cuts). Read by members;
the map is imported with `partnership cables import` (a file on the node, by its secretariat)."""

from typing import Any

from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field, StrictFloat, StrictInt

from partnership.api_helpers import WRITE_AUTH, SignedOut, error_responses, ledger_fields, paginate, signed_in

from . import corridors, queries, services

router = Router(tags=["cables"])


class LandingOut(Schema):
    landing_point: str = Field(description="the landing point's id (TeleGeography's slug)")
    name: str
    country_code: str = Field(description="ISO 3166-1 alpha-2; empty when the source's country is unknown")
    latitude: float
    longitude: float


class CableOut(Schema):
    id: str = Field(description="the cable's stable id (TeleGeography's slug, e.g. seamewe-3)")
    name: str
    kind: str = Field(description="submarine or space")
    length_km: float | None
    rfs_year: int | None = Field(description="ready-for-service year")
    is_planned: bool
    retired: bool = Field(description="absent from the latest imported snapshot")
    corridors: list[str] = Field(description="the shipped corridors its route crosses")


class CableDetailOut(CableOut):
    length: str
    rfs: str
    url: str
    notes: str
    owners: list[str]
    suppliers: list[str]
    landings: list[LandingOut]


class CablePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[CableOut]


class ImportOut(Schema):
    uid: str
    imported_at: str
    party: str
    source: str
    layout: str
    cables: int
    landing_points: int
    is_demo: bool
    changes: dict[str, list[str]] = Field(description="new, retired and rerouted cable ids")
    warnings: list[str]


class PathOut(Schema):
    via: list[str] = Field(description="the hub countries, in order (ISO codes)")
    legs: list[list[str]] = Field(description="for each leg, the cables that make it")


class RoutesOut(Schema):
    model_config = {"populate_by_name": True}

    party_from: str = Field(alias="from")
    party_to: str = Field(alias="to")
    direct: list[str] = Field(description="cables landing in both parties")
    min_cut: int = Field(description="the fewest cables whose loss disconnects the parties")
    min_cut_cables: list[str] = Field(description="one smallest set of such cables")
    hubs: list[str] = Field(description="hub countries on the paths, strongest first")
    paths: list[PathOut]
    names: dict[str, str] = Field(description="cable id -> name")


class CutOut(RoutesOut):
    connected: bool = Field(description="whether the parties are still connected")
    removed: list[str] = Field(description="every cable taken out (named, and through the corridors)")


class CorridorOut(Schema):
    id: str
    name_en: str
    name_ja: str


def cable_out(cable) -> dict[str, Any]:
    return {
        "id": cable.slug,
        "name": cable.name,
        "kind": cable.kind,
        "length_km": cable.length_km,
        "rfs_year": cable.rfs_year,
        "is_planned": cable.is_planned,
        "retired": cable.retired_by_id is not None,
        "corridors": cable.corridors,
    }


def import_out(record) -> dict[str, Any]:
    return {
        "uid": str(record.uid),
        "imported_at": record.imported_at.isoformat(),
        "party": record.party.code,
        "source": record.source,
        "layout": record.layout,
        "cables": record.cables,
        "landing_points": record.landing_points,
        "is_demo": record.is_demo,
        "changes": record.changes,
        "warnings": record.warnings,
    }


@router.get("cables", response={200: CablePage, **error_responses(401, 403, 422)}, summary="Cables")
def list_cables(request, search: str = "", country: str = "", status: str = ""):
    """Cables in service by default; `status=planned`, `retired` or `all`; `country` an ISO code."""
    filters = queries.Filters(search=search[:100], country=country[:2], status=status[:10])
    return paginate(request, queries.cables(signed_in(request), filters), cable_out, default_size=100)


@router.get(
    "cables/{slug}", response={200: CableDetailOut, **error_responses(401, 403, 404)}, summary="A cable"
)
def get_cable(request, slug: str):
    cable = queries.cable(signed_in(request), slug)
    return {
        **cable_out(cable),
        "length": cable.length_text,
        "rfs": cable.rfs_text,
        "url": cable.url,
        "notes": cable.notes,
        "owners": [owner.name for owner in cable.owners.all()],
        "suppliers": [supplier.name for supplier in cable.suppliers.all()],
        "landings": [
            {
                "landing_point": landing.landing_point.slug,
                "name": landing.landing_point.name,
                "country_code": landing.landing_point.country_code,
                "latitude": landing.landing_point.latitude,
                "longitude": landing.landing_point.longitude,
            }
            for landing in cable.landings.all()
        ],
    }


@router.get("imports", response={200: list[ImportOut], **error_responses(401, 403)}, summary="Map imports")
def list_imports(request):
    """Every snapshot imported, newest first, with what it changed."""
    return [import_out(record) for record in queries.imports(signed_in(request))[:100]]


@router.get("corridors", response={200: list[CorridorOut], **error_responses(401, 403)}, summary="Corridors")
def list_corridors(request):
    """The corridors a "what if" may cut (shipped as data)."""
    queries.require_reader(signed_in(request))
    return [
        {"id": corridor.id, "name_en": corridor.name_en, "name_ja": corridor.name_ja}
        for corridor in corridors.corridors().values()
    ]


class RouteParams(Schema):
    party_from: str = Field("JP", alias="from", description="a party (JP, EU) or an ISO country code")
    party_to: str = Field("EU", alias="to", description="a party (JP, EU) or an ISO country code")


class CutParams(RouteParams):
    cable: list[str] = Field(default_factory=list, description="a cable id to cut; repeat for more")
    corridor: list[str] = Field(default_factory=list, description="a corridor whose cables are all cut")


@router.get(
    "routes",
    response={200: RoutesOut, **error_responses(401, 403, 422)},
    summary="Routes between two parties",
    by_alias=True,
)
def get_routes(request, params: Query[RouteParams]):
    """Direct cables, paths through one or two hubs, and the min-cut (`partnership cables routes`)."""
    question = queries.RouteQuestion(params.party_from[:20], params.party_to[:20])
    return queries.route_answer(signed_in(request), question)


@router.get(
    "cut",
    response={200: CutOut, **error_responses(401, 403, 422)},
    summary="What survives a cut",
    by_alias=True,
)
def get_cut(request, params: Query[CutParams]):
    """The routes once the named cables and every cable through the named corridors are cut
    (`partnership cables cut`)."""
    question = queries.RouteQuestion(
        params.party_from[:20],
        params.party_to[:20],
        tuple(slug[:200] for slug in params.cable),
        tuple(name[:60] for name in params.corridor),
    )
    return queries.cut_answer(signed_in(request), question)


# Outage reports (issue 17 item 3) ---------------------------------------------------------------------

# Strict: a JSON true or false is not a number (pydantic's lax mode took true as 1).
Number = StrictFloat | None


class OutageIn(Schema):
    cable: str = Field(description="the cable's id on this node's map")
    started_at: str = Field(description="ISO 8601 with a zone")
    detected_at: str = Field(description="ISO 8601 with a zone; deadlines count from it")
    cause: str = Field(description="anchor, fishing, seismic, equipment, unknown or deliberate")
    segment: StrictInt | None = Field(None, description="the segment's number, when one segment is out")
    fault_latitude: Number = Field(None, description="the fault's position (within 50 km of the route)")
    fault_longitude: Number = None
    fault_landing: str = Field("", description="or: a landing point of the cable, with fault_distance_km")
    fault_distance_km: Number = None
    fibre_pairs_lost: StrictInt = 0
    capacity_lost_gbps: StrictFloat = 0
    rerouted: bool = False
    repair_ship: str = ""
    plan_received_at: str | None = None
    expected_repair_at: str | None = None
    repaired_at: str | None = None
    profile: str = Field("fcc", description="fcc, nis2 or party (the reporting party's own)")
    tlp: str = Field("amber", description="TLP 2.0 level; below clear the report is sealed to the peer")
    summary: str = ""


class StageIn(Schema):
    stage: str = Field(description="interim or final (the notification is filed with the report)")
    summary: str = ""
    repair_ship: str | None = None
    plan_received_at: str | None = None
    expected_repair_at: str | None = None
    repaired_at: str | None = Field(None, description="required with the final report")
    rerouted: bool | None = None


class StageOut(Schema):
    stage: str
    due: str | None = Field(description="the deadline under the report's profile; null while not running")
    filed_at: str | None
    on_time: bool | None
    overdue: bool


class OutageOut(Schema):
    uid: str
    party: str
    operator: str = Field(description="the reporting operator's organisation code")
    cable: str
    cable_name: str
    segment: int | None
    started_at: str
    detected_at: str
    cause: str
    fault_latitude: float | None
    fault_longitude: float | None
    fault_landing: str
    fault_distance_km: float | None
    fibre_pairs_lost: int
    capacity_lost_gbps: float
    rerouted: bool
    repair_ship: str
    expected_repair_at: str | None
    repaired_at: str | None
    profile: str
    tlp: str
    revision: int
    is_historical: bool
    sources: list[Any]
    overdue: bool
    stages: list[StageOut]


class EffectOut(Schema):
    model_config = {"populate_by_name": True}

    party_from: str = Field(alias="from")
    party_to: str = Field(alias="to")
    removed: list[str] = Field(description="the cables out at the moment the outage was detected")
    lost_direct: list[str]
    lost_hubs: list[str]
    min_cut_before: int
    min_cut_after: int
    connected: bool


class OutageDetailOut(OutageOut):
    effect: EffectOut | None


class ProfileOut(Schema):
    code: str
    stages: list[dict[str, Any]]
    status: str = Field(description="primary or secondary: the source of the shipped figures")
    basis: str
    revision: int | None = Field(None, description="your party's profile: the revision an edit sends back")


class ProfileIn(Schema):
    stages: list[dict[str, Any]] = Field(description='[{"stage", "hours", "after"}], in stage order')
    revision: StrictInt | None = Field(
        None, description="the revision you read (0 when there was none): a newer one is a 409 Conflict"
    )


class FilerIn(Schema):
    cable: str
    organisation: str = Field(description="an operator of your party: the consortium's responsible filer")
    co_owners: list[str] = Field(default_factory=list, description="operators that read its reports")


class FilerOut(SignedOut):
    cable: str
    cable_name: str
    party: str = Field(description="the party whose secretariat designated it")
    organisation: str = Field(description="the responsible filer (an operator's code)")
    co_owners: list[str]
    revision: int
    designated_at: str
    revoked: bool


def filer_out(designation) -> dict[str, Any]:
    return {
        "cable": designation.cable_slug,
        "cable_name": designation.cable_name,
        "party": designation.party.code,
        "organisation": designation.organisation.code,
        "co_owners": sorted(org.code for org in designation.co_owners.all()),
        "revision": designation.revision,
        "designated_at": designation.designated_at.isoformat(),
        "revoked": designation.revoked_at is not None,
        **ledger_fields(designation),
    }


class OutagePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[OutageOut]


def _when(moment) -> str | None:
    return moment.isoformat() if moment is not None else None


def outage_out(row: dict[str, Any]) -> dict[str, Any]:
    outage = row["outage"]
    return {
        "uid": str(outage.uid),
        "party": outage.party.code,
        "operator": outage.organisation.code,
        "cable": outage.cable_slug,
        "cable_name": outage.cable_name,
        **{
            key: getattr(outage, key)
            for key in (
                "segment",
                "cause",
                "fault_latitude",
                "fault_longitude",
                "fault_landing",
                "fault_distance_km",
                "fibre_pairs_lost",
                "capacity_lost_gbps",
                "rerouted",
                "repair_ship",
                "profile",
                "tlp",
                "revision",
                "is_historical",
                "sources",
            )
        },
        **{key: _when(getattr(outage, key)) for key in ("started_at", "detected_at")},
        "expected_repair_at": _when(outage.expected_repair_at),
        "repaired_at": _when(outage.repaired_at),
        "overdue": any(item["overdue"] for item in row["stages"]),
        "stages": [
            {**item, "due": _when(item["due"]), "filed_at": _when(item["filed_at"])} for item in row["stages"]
        ],
    }


@router.get("outages", response={200: OutagePage, **error_responses(401, 403, 422)}, summary="Outage reports")
def list_outages(request, search: str = "", party: str = "", state: str = "", kind: str = ""):
    """The reports the caller may read under TLP, newest first, a page at a time (`page`, `page_size`,
    100 by default), with overdue stages flagged; `search` in the cable's name or id, `party` the
    reporting party, `state` open or repaired, `kind` reports or historical."""
    filters = queries.OutageFilters(search=search[:100], party=party[:8], state=state[:10], kind=kind[:12])
    found = queries.outage_list(signed_in(request), filters)
    page = paginate(request, found, lambda row: row, default_size=queries.PAGE_SIZE)
    page["items"] = [outage_out(row) for row in queries.with_deadlines(page["items"])]
    return page


@router.post(
    "outages",
    auth=WRITE_AUTH,
    response={201: OutageOut, **error_responses(400, 401, 403, 422)},
    summary="Report an outage on a cable (an operator; files the notification)",
)
def report_outage(request, payload: OutageIn):
    outage = services.report_outage(request.auth, payload.model_dump())
    return Status(201, outage_out(queries.outage(request.auth, str(outage.uid))))


@router.get(
    "outages/profiles", response={200: list[ProfileOut], **error_responses(401, 403)}, summary="Profiles"
)
def list_profiles(request):
    """The shipped FCC and NIS2 profiles and the caller's party's own, if set."""
    return queries.reporting_profiles(signed_in(request))


@router.put(
    "outages/profiles/party",
    auth=WRITE_AUTH,
    response={200: ProfileOut, **error_responses(400, 401, 403, 409, 422)},
    summary="Set your party's own reporting profile (a secretariat)",
)
def set_profile(request, payload: ProfileIn):
    """Send the `revision` you read (0 before the first): an edit made in between is a 409."""
    services.set_party_profile(request.auth, payload.stages, payload.revision)
    return queries.party_profile(request.auth)


@router.get(
    "outages/filers",
    response={200: list[FilerOut], **error_responses(401, 403)},
    summary="Responsible-filer designations in force",
)
def list_filers(request):
    """Each cable's responsible filer and co-owners, this node's and the peer's (`signed_by`)."""
    return [filer_out(designation) for designation in queries.designations(signed_in(request))]


@router.post(
    "outages/filers",
    auth=WRITE_AUTH,
    response={201: FilerOut, **error_responses(400, 401, 403, 409, 422)},
    summary="Designate a cable's responsible filer and co-owners (a secretariat)",
)
def designate_filer(request, payload: FilerIn):
    """Designate, or change your party's designation; signed and shared with the other party's node."""
    designation = services.designate_filer(
        request.auth, payload.cable, payload.organisation, payload.co_owners
    )
    return Status(201, filer_out(designation))


@router.delete(
    "outages/filers/{cable}",
    auth=WRITE_AUTH,
    response={200: FilerOut, **error_responses(401, 403, 404)},
    summary="Revoke your party's designation of a cable's responsible filer (a secretariat)",
)
def revoke_filer(request, cable: str):
    return filer_out(services.revoke_filer(request.auth, cable))


@router.get(
    "outages/{uid}",
    response={200: OutageDetailOut, **error_responses(401, 403, 404)},
    summary="An outage report with its stages and its effect on the routes",
)
def get_outage(request, uid: str):
    found = queries.outage(signed_in(request), uid)
    effect = found["effect"]
    return {
        **outage_out(found),
        "effect": None
        if effect is None
        else {
            "from": effect["from"],
            "to": effect["to"],
            "removed": effect["removed"],
            "lost_direct": effect["lost_direct"],
            "lost_hubs": effect["lost_hubs"],
            "min_cut_before": effect["before"]["min_cut"],
            "min_cut_after": effect["after"]["min_cut"],
            "connected": effect["after"]["connected"],
        },
    }


@router.post(
    "outages/{uid}/stages",
    auth=WRITE_AUTH,
    response={201: OutageOut, **error_responses(400, 401, 403, 404, 422)},
    summary="File the next stage of your outage report",
)
def file_stage(request, uid: str, payload: StageIn):
    data = {key: value for key, value in payload.model_dump().items() if value is not None}
    services.file_stage(request.auth, uid, data.pop("stage"), data)
    return Status(201, outage_out(queries.outage(request.auth, uid)))
