"""/api/v1/cables/: the connectivity map (cables, their landings and owners, the imports and what each
changed) and the route analysis between two parties (routes, and "what if" cuts). Read by members;
the map is imported with `partnership cables import` (a file on the node, by its secretariat)."""

from typing import Any

from ninja import Query, Router, Schema
from pydantic import Field

from partnership.api_helpers import error_responses, paginate, signed_in

from . import corridors, queries

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
