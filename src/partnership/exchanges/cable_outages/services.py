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
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.inputs import check_texts
from partnership.people.permissions import (
    require_import_cable_map,
    require_local_record,
    require_manage_outage_reporting,
    require_report_outage,
)

from . import corridors, parsing
from .models import Cable, Landing, LandingPoint, MapImport, Owner, Segment, Stage, Supplier

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


# Outage reporting (para 61: the design of a reporting system for submarine cable outages) -------------


def _profile_stages(party: Any, code: str) -> list[dict[str, Any]]:
    from . import profiles
    from .models import PartyProfile

    if code in profiles.SHIPPED:
        return profiles.shipped()[code]["stages"]
    if code == profiles.PARTY:
        own = PartyProfile.objects.filter(party=party).first()
        if own is not None:
            return own.stages
        raise Invalid(_("profile: your party has no profile of its own yet."), {"profile": _("not set")})
    raise Invalid(_("profile: give fcc, nis2 or party."), {"profile": _("unknown")})


def report_outage(user: User | AnonymousUser | None, data: dict[str, Any]) -> Any:
    """An operator reports an outage on a cable: the notification stage, filed now, signed into the
    ledger. Only the cable's responsible filer reports when its consortium designated one; the
    co-owners named in the designation read it. `Invalid` naming the field; nothing stored."""
    from . import outages
    from .models import Outage, OutageStage

    actor = require_report_outage(user)
    if isinstance(data, dict):
        check_texts(data)
    now = timezone.now()
    slug = data.get("cable") if isinstance(data, dict) else None
    cable = Cable.objects.filter(slug=str(slug or "")[:200], retired_by__isnull=True).first()
    if cable is None:
        raise Invalid(_("cable: not a cable in service on this map."), {"cable": _("unknown cable")})
    designation = _designation_in_force(cable.slug)
    if designation is not None and designation.organisation_id != actor.organisation.pk:
        raise PermissionDenied(
            _("%(org)s files this cable's outage reports for its consortium.")
            % {"org": designation.organisation.name}
        )
    cleaned = outages.clean_report(data, cable, now)
    stages = _profile_stages(actor.party, str(data.get("profile") or "fcc"))
    summary = outages._text(data, "summary", outages.MAX_TEXT)
    with transaction.atomic():
        outage = Outage(
            party=actor.party,
            organisation=actor.organisation,
            cable=cable,
            cable_slug=cable.slug,
            cable_name=cable.name,
            profile=str(data.get("profile") or "fcc"),
            profile_stages=stages,
            reported_by=actor.user,
            **{key: cleaned[key] for key in outages.REPORT_FIELDS},
        )
        outage.save()
        if designation is not None:
            outage.recipients.set(designation.co_owners.all())
        OutageStage.objects.create(outage=outage, stage=Stage.NOTIFICATION, filed_at=now, summary=summary)
        outage.ledger_entry = outages.share(outage)
        outage.save(update_fields=["ledger_entry"])
    return outage


def file_stage(user: User | AnonymousUser | None, uid: str, stage: str, data: dict[str, Any]) -> Any:
    """The operator that reported the outage files its next stage (interim or final), with what changed
    (repair ship, plan received, expected repair, repaired, re-routed, summary); a new signed revision.
    A stage filed twice is refused naming it."""
    from . import outages
    from .models import Outage, OutageStage

    actor = require_report_outage(user)
    outage = Outage.objects.select_related("party", "organisation", "cable").filter(uid=_uuid(uid)).first()
    if outage is None or outage.organisation_id != actor.organisation.pk or outage.is_historical:
        raise NotFound(_("No such outage report of yours."))
    if stage not in Stage.values:
        raise Invalid(_("stage: give notification, interim or final."), {"stage": _("unknown")})
    if OutageStage.objects.filter(outage=outage, stage=stage).exists():
        raise Invalid(
            _("stage: the %(stage)s was filed already.") % {"stage": stage}, {"stage": _("filed already")}
        )
    now = timezone.now()
    merged = {key: getattr(outage, key) for key in outages.REPORT_FIELDS}
    if outage.cable is not None:
        merged["cable"] = outage.cable.slug
    for key in ("repair_ship", "plan_received_at", "expected_repair_at", "repaired_at", "rerouted"):
        if data.get(key) not in (None, ""):  # a blank field keeps what the report said
            merged[key] = data[key]
    if outage.cable is not None:
        cleaned = outages.clean_report(merged, outage.cable, now)
    else:  # the cable left the map (a row deleted by hand): what needs no map is still checked
        cleaned = (
            merged | outages.clean_times(merged, now) | {"repair_ship": outages._text(merged, "repair_ship")}
        )
        cleaned["rerouted"] = merged.get("rerouted") in (True, "true", "on", "1", 1)
    if stage == Stage.FINAL and cleaned.get("repaired_at") is None:
        raise Invalid(
            _("repaired_at: the final report gives when service was restored."), {"repaired_at": "required"}
        )
    summary = outages._text(data, "summary", outages.MAX_TEXT)
    with transaction.atomic():
        for key in outages.REPORT_FIELDS:
            setattr(outage, key, cleaned[key])
        outage.revision += 1
        outage.save()
        OutageStage.objects.create(outage=outage, stage=stage, filed_at=now, summary=summary)
        outage.ledger_entry = outages.share(outage)
        outage.save(update_fields=["ledger_entry"])
    return outage


def set_party_profile(user: User | AnonymousUser | None, stages: Any, revision: int | None = None) -> Any:
    """A secretariat sets its party's own reporting profile (its stages and deadlines). `revision`, when
    given, is the one the writer read (0: there was none yet): another edit in between is a Conflict,
    not silently overwritten. The profile is not signed (`filers` says why); reports filed under it
    keep the stages they were filed under."""
    from . import profiles
    from .models import PartyProfile

    actor = require_manage_outage_reporting(user)
    cleaned = profiles.clean_stages(stages)
    if revision is not None and (isinstance(revision, bool) or not isinstance(revision, int)):
        raise Invalid(
            _("revision: give the revision you read, a whole number."), {"revision": _("not a number")}
        )
    with transaction.atomic():
        profile = PartyProfile.objects.select_for_update().filter(party=actor.party).first()
        current = profile.revision if profile is not None else 0
        if revision is not None and revision != current:
            raise Conflict(
                _(
                    "Your party's profile is at revision %(current)s, not %(given)s: "
                    "read it again and make your change there."
                )
                % {"current": current, "given": revision}
            )
        if profile is None:
            return PartyProfile.objects.create(
                party=actor.party, stages=cleaned, changed_by=actor.user, changed_at=timezone.now()
            )
        if profile.stages == cleaned:
            return profile
        profile.stages, profile.revision = cleaned, profile.revision + 1
        profile.changed_by, profile.changed_at = actor.user, timezone.now()
        profile.save()
    return profile


def _designation_in_force(cable_slug: str) -> Any:
    from .models import ResponsibleFiler

    return (
        ResponsibleFiler.objects.select_related("party", "organisation", "ledger_entry")
        .filter(cable_slug=cable_slug, revoked_at__isnull=True)
        .first()
    )


def _own_designation(actor: Any, cable_slug: str) -> Any:
    """The designation in force for the cable, refused unless the actor's party made it on this node: a
    designation is changed only by the party (and the node) that signed it."""
    held = _designation_in_force(cable_slug)
    if held is not None:
        require_local_record(held.signed_by)
        if held.party_id != actor.party.pk:
            raise PermissionDenied(
                _("%(party)s designated this cable's responsible filer; only its secretariat changes it.")
                % {"party": held.party.code}
            )
    return held


def designate_filer(
    user: User | AnonymousUser | None, cable_slug: str, organisation: str, co_owners: list[str]
) -> Any:
    """A secretariat designates the one operator of its party that files a cable's outage reports for the
    consortium (FCC: the Responsible Licensee), and the co-owner operators (either party) who read them;
    or changes its own designation. Signed into the ledger (`filers`), so that the other party's node
    knows it. A designation the other party made is changed only by that party."""
    from partnership.people.models import Organisation

    from . import filers
    from .models import ResponsibleFiler

    actor = require_manage_outage_reporting(user)
    check_texts({"cable": cable_slug, "organisation": organisation, "co_owners": co_owners})
    cable = Cable.objects.filter(slug=str(cable_slug)[:200], retired_by__isnull=True).first()
    if cable is None:
        raise Invalid(_("cable: not a cable in service on this map."), {"cable": _("unknown cable")})
    filer = Organisation.objects.filter(
        code=str(organisation)[:64], party=actor.party, kind=Organisation.Kind.OPERATOR
    ).first()
    if filer is None:
        raise Invalid(
            _("organisation: not an operator of your party."), {"organisation": _("not an operator")}
        )
    if not isinstance(co_owners, list | tuple) or len(co_owners) > filers.MAX_CO_OWNERS:
        raise Invalid(
            _("co_owners: give at most %(max)s operators.") % {"max": filers.MAX_CO_OWNERS},
            {"co_owners": _("too many")},
        )
    wanted = {str(code)[:64] for code in co_owners if str(code).strip()}
    owners = list(Organisation.objects.filter(code__in=wanted, kind=Organisation.Kind.OPERATOR))
    if len(owners) != len(wanted):
        unknown = sorted(wanted - {org.code for org in owners})
        raise Invalid(
            _("co_owners: %(codes)s is not an operator.") % {"codes": ", ".join(unknown[:5])},
            {"co_owners": _("not an operator")},
        )
    owners = [org for org in owners if org.pk != filer.pk]
    with transaction.atomic():
        _own_designation(actor, cable.slug)
        now = timezone.now()
        designation = (
            ResponsibleFiler.objects.select_for_update()
            .filter(party=actor.party, cable_slug=cable.slug)
            .first()
        )
        if designation is None:
            designation = ResponsibleFiler(
                uid=filers.designation_uid(actor.party.code, cable.slug), party=actor.party, revision=0
            )
        elif (
            designation.revoked_at is None
            and designation.organisation_id == filer.pk
            and {org.pk for org in designation.co_owners.all()} == {org.pk for org in owners}
        ):
            return designation  # nothing changed: nothing signed
        designation.cable, designation.cable_slug, designation.cable_name = cable, cable.slug, cable.name
        designation.organisation, designation.designated_by, designation.designated_at = (
            filer,
            actor.user,
            now,
        )
        designation.revision += 1
        designation.revoked_at = None
        try:
            with transaction.atomic():
                designation.save()
        except IntegrityError:
            # Another secretariat designated a filer for this cable at the same moment.
            raise Conflict(
                _("Someone designated this cable's filer at the same moment; try again.")
            ) from None
        designation.co_owners.set(owners)
        designation.ledger_entry = filers.share(designation, actor.organisation)
        designation.save(update_fields=["ledger_entry"])
    return designation


def revoke_filer(user: User | AnonymousUser | None, cable_slug: str) -> Any:
    """A secretariat revokes its party's designation for the cable: any operator of a party may report on
    it again. Signed as the designation's next revision."""
    from . import filers

    actor = require_manage_outage_reporting(user)
    with transaction.atomic():
        held = _own_designation(actor, str(cable_slug)[:200])
        if held is None:
            raise NotFound(_("This cable has no responsible filer designated."))
        held.revision += 1
        held.revoked_at = timezone.now()
        held.save()
        held.ledger_entry = filers.share(held, actor.organisation)
        held.save(update_fields=["ledger_entry"])
    return held


def _uuid(value: str) -> Any:
    import uuid

    try:
        return uuid.UUID(str(value)[:40])
    except ValueError:
        raise NotFound(_("No such outage report of yours.")) from None


@dataclass
class HistoryResult:
    """What `load_history` did: the events read, the reports stored (0 when all were there already)."""

    events: int
    stored: int


def load_history(user: User | AnonymousUser | None, path: str | Path) -> HistoryResult:
    """A secretariat loads real outages reconstructed from public sources (issue 17 item 4) as historical
    reports of its party: one per event and cable (an event whose cables the source does not name: one,
    with the cables as reported), CLEAR among members, with their source; no deadlines, not signed (each
    node loads the public sources itself). Idempotent: an event's cable keeps its uid."""
    from . import history
    from .models import Outage

    actor = require_manage_outage_reporting(user)
    events = history.read_events(path)  # all checked before anything is stored
    names = dict(Cable.objects.values_list("slug", "name"))
    held = set(Outage.objects.filter(is_historical=True).values_list("uid", flat=True))
    made = []
    for event in events:
        source = {
            "event": event.event_id,
            "source": event.source,
            "note": event.note,
            "location": event.location,
            "cause": event.cause_as_reported,
            "cables": event.cables_as_reported,
        }
        for slug in event.cables or ("",):
            uid = event.uid(slug)
            if uid in held:
                continue
            made.append(
                Outage(
                    uid=uid,
                    party=actor.party,
                    organisation=actor.organisation,
                    cable_id=None,
                    cable_slug=slug,
                    cable_name=names.get(slug, slug or event.cables_as_reported)[:300],
                    started_at=event.started,
                    detected_at=event.started,
                    repaired_at=event.restored,
                    cause=event.cause,
                    profile="",
                    profile_stages=[],
                    tlp="clear",
                    is_historical=True,
                    sources=[source],
                    reported_by=actor.user,
                )
            )
    with transaction.atomic():
        cables = dict(Cable.objects.filter(slug__in={o.cable_slug for o in made}).values_list("slug", "pk"))
        for outage in made:
            outage.cable_id = cables.get(outage.cable_slug)
        Outage.objects.bulk_create(made)
    return HistoryResult(events=len(events), stored=len(made))
