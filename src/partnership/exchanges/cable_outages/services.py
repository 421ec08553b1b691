"""Every write of the connectivity map (para 61: mapping current and future connectivity
infrastructure): importing a snapshot. It takes the acting user, checks `people.permissions`, reads and
checks the whole snapshot first (`parsing.read_map`: nothing is stored when anything is wrong), and
stores it in one transaction.

An import is idempotent: the same snapshot again (the same digest as the latest import) stores nothing.
A different snapshot updates the cables and landing points in place (the source's slugs are their
stable ids), marks the cables it no longer has as retired, and keeps on its `MapImport` what changed:
new, retired and re-routed (other route or other landings) cables.

The map is not signed into the ledger: it is the node's reference data from a licensed source, which
each node imports itself; the records the parties share (outage reports) will be.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone

from partnership.people.permissions import require_import_cable_map

from . import corridors, parsing
from .models import Cable, Landing, LandingPoint, MapImport, Owner, Segment, Supplier

CABLE_FIELDS = (
    "name",
    "kind",
    "length_km",
    "length_text",
    "rfs_text",
    "rfs_year",
    "is_planned",
    "url",
    "notes",
    "route_digest",
)


@dataclass
class ImportResult:
    """What an import did: its record (the earlier one if nothing changed) and whether it stored."""

    record: MapImport
    stored: bool

    @property
    def changes(self) -> dict[str, list[str]]:
        return self.record.changes


def import_map(user: User | AnonymousUser | None, path: str | Path, *, is_demo: bool = False) -> ImportResult:
    """Import the map at `path` (TeleGeography v3 or v2 folder, or a GeoJSON file) as `user`."""
    actor = require_import_cable_map(user)
    snapshot = parsing.read_map(path)  # everything is read and checked before anything is written
    return store_snapshot(actor.user, actor.party, snapshot, Path(path).name, is_demo=is_demo)


@transaction.atomic
def store_snapshot(
    user, party, snapshot: parsing.MapSnapshot, source: str, *, is_demo: bool = False
) -> ImportResult:
    """Store a checked snapshot (the caller has checked the permission); see the module's docstring."""
    digest = snapshot.digest()
    latest = MapImport.objects.select_for_update().order_by("-imported_at", "-pk").first()
    if latest is not None and latest.digest == digest:
        return ImportResult(latest, stored=False)
    record = MapImport.objects.create(
        imported_at=timezone.now(),
        imported_by=user,
        party=party,
        source=source[:300],
        layout=snapshot.layout,
        digest=digest,
        cables=len(snapshot.cables),
        landing_points=len(snapshot.landing_points),
        warnings=snapshot.warnings[:200],
        is_demo=is_demo,
    )
    points = _store_points(snapshot)
    owners = _names(Owner, {name for cable in snapshot.cables.values() for name in cable.owners})
    suppliers = _names(Supplier, {name for cable in snapshot.cables.values() for name in cable.suppliers})

    held = {cable.slug: cable for cable in Cable.objects.all()}
    new, rerouted, changed_routes = [], [], []
    to_create, to_update = [], []
    for slug, data in snapshot.cables.items():
        digest_of_route = data.route_digest()
        fields = {
            "name": data.name,
            "kind": data.kind,
            "length_km": data.length_km,
            "length_text": data.length_text,
            "rfs_text": data.rfs_text,
            "rfs_year": data.rfs_year,
            "is_planned": data.is_planned,
            "url": data.url,
            "notes": data.notes,
            "route_digest": digest_of_route,
        }
        cable = held.get(slug)
        if cable is None or cable.retired_by_id is not None:
            new.append(slug)
        elif cable.route_digest != digest_of_route:
            rerouted.append(slug)
        if cable is None:
            cable = Cable(slug=slug, added_by=record, changed_by=record, **fields)
            cable.corridors = corridors.crossed_by(data.segments)
            to_create.append(cable)
            changed_routes.append(slug)
            continue
        route_moved = cable.route_digest != digest_of_route
        if (
            route_moved
            or cable.retired_by_id is not None
            or any(getattr(cable, name) != value for name, value in fields.items())
        ):
            for name, value in fields.items():
                setattr(cable, name, value)
            cable.changed_by, cable.retired_by = record, None
            if route_moved:
                cable.corridors = corridors.crossed_by(data.segments)
                changed_routes.append(slug)
            to_update.append(cable)
    Cable.objects.bulk_create(to_create, batch_size=500)
    Cable.objects.bulk_update(
        to_update, [*CABLE_FIELDS, "corridors", "changed_by", "retired_by"], batch_size=500
    )
    retired = sorted(
        slug for slug, cable in held.items() if cable.retired_by_id is None and slug not in snapshot.cables
    )
    Cable.objects.filter(slug__in=retired).update(retired_by=record, changed_by=record)

    ids = dict(Cable.objects.filter(slug__in=list(snapshot.cables)).values_list("slug", "pk"))
    changed_ids = [ids[slug] for slug in changed_routes]
    # Landings, segments, owners and suppliers: written again for the cables whose route or any of them
    # changed (a first import writes them all).
    _store_links(snapshot, ids, points, owners, suppliers, set(changed_ids))
    record.changes = {"new": sorted(new), "retired": retired, "rerouted": sorted(rerouted)}
    record.save(update_fields=["changes"])
    return ImportResult(record, stored=True)


def _store_points(snapshot: parsing.MapSnapshot) -> dict[str, int]:
    held = {point.slug: point for point in LandingPoint.objects.all()}
    to_create, to_update = [], []
    names = ("name", "country_code", "country", "latitude", "longitude")
    for slug, data in snapshot.landing_points.items():
        point = held.get(slug)
        values = {name: getattr(data, name) for name in names}
        if point is None:
            to_create.append(LandingPoint(slug=slug, **values))
        elif any(getattr(point, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(point, name, value)
            to_update.append(point)
    LandingPoint.objects.bulk_create(to_create, batch_size=500)
    LandingPoint.objects.bulk_update(to_update, list(names), batch_size=500)
    return dict(LandingPoint.objects.filter(slug__in=list(snapshot.landing_points)).values_list("slug", "pk"))


def _names(model, wanted: set[str]) -> dict[str, int]:
    held = dict(model.objects.filter(name__in=wanted).values_list("name", "pk"))
    model.objects.bulk_create([model(name=name) for name in sorted(wanted - set(held))], batch_size=500)
    return dict(model.objects.filter(name__in=wanted).values_list("name", "pk"))


def _store_links(snapshot, ids, points, owners, suppliers, route_changed: set[int]) -> None:
    """The landings, segments, owners and suppliers of the cables whose route, landings, owners or
    suppliers changed."""
    owner_links = Cable.owners.through
    supplier_links = Cable.suppliers.through
    current_owners: dict[int, set[int]] = {}
    for cable_id, owner_id in owner_links.objects.values_list("cable_id", "owner_id"):
        current_owners.setdefault(cable_id, set()).add(owner_id)
    current_suppliers: dict[int, set[int]] = {}
    for cable_id, supplier_id in supplier_links.objects.values_list("cable_id", "supplier_id"):
        current_suppliers.setdefault(cable_id, set()).add(supplier_id)
    landings: list[Landing] = []
    segments: list[Segment] = []
    owner_rows: list[Any] = []
    supplier_rows: list[Any] = []
    again_routes, again_owners, again_suppliers = set(), set(), set()
    for slug, data in snapshot.cables.items():
        cable_id = ids[slug]
        if cable_id in route_changed:
            again_routes.add(cable_id)
            landings.extend(
                Landing(cable_id=cable_id, landing_point_id=points[point], position=number)
                for number, point in enumerate(data.landings)
            )
            segments.extend(
                Segment(cable_id=cable_id, number=number, coordinates=line)
                for number, line in enumerate(data.segments)
            )
        wanted_owners = {owners[name] for name in data.owners}
        if wanted_owners != current_owners.get(cable_id, set()):
            again_owners.add(cable_id)
            owner_rows.extend(owner_links(cable_id=cable_id, owner_id=owner) for owner in wanted_owners)
        wanted_suppliers = {suppliers[name] for name in data.suppliers}
        if wanted_suppliers != current_suppliers.get(cable_id, set()):
            again_suppliers.add(cable_id)
            supplier_rows.extend(
                supplier_links(cable_id=cable_id, supplier_id=supplier) for supplier in wanted_suppliers
            )
    Landing.objects.filter(cable_id__in=again_routes).delete()
    Segment.objects.filter(cable_id__in=again_routes).delete()
    owner_links.objects.filter(cable_id__in=again_owners).delete()
    supplier_links.objects.filter(cable_id__in=again_suppliers).delete()
    Landing.objects.bulk_create(landings, batch_size=1000)
    Segment.objects.bulk_create(segments, batch_size=500)
    owner_links.objects.bulk_create(owner_rows, batch_size=1000)
    supplier_links.objects.bulk_create(supplier_rows, batch_size=1000)
