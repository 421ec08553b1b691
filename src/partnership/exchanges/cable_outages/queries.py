"""Every read of the connectivity map, for the pages, the API and the command alike: a fixed number of
queries whatever the size of the map. The map and its analysis are for the members of both parties
(`people.permissions.can_read_cable_map`, which says why not the public)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.permissions import can_read_cable_map

from . import corridors, routes
from .countries import country_name
from .models import Cable, Landing, LandingPoint, MapImport, Outage, OutageStage, Segment

PAGE_SIZE = 100
MAX_CUT = 200  # cables named in one "what if" question


class NodeOperator:
    """The person at this node's command line (`partnership cables routes` without --user): they hold the
    node's database and its map file already, so the map's reading rule does not apply to them. Only a
    command passes it; pages and the API pass the request's user."""


OPERATOR = NodeOperator()
Reader = User | AnonymousUser | NodeOperator | None


def require_reader(reader: Reader) -> None:
    """PermissionDenied unless `reader` may read the map."""
    if reader is OPERATOR:
        return
    if isinstance(reader, NodeOperator) or not can_read_cable_map(reader):
        raise PermissionDenied(_("The cable map is for the partnership's members; sign in."))


def parties() -> dict[str, frozenset[str]]:
    """The parties of the analysis by code, from settings.CABLE_PARTIES (`CODE:CC,CC;CODE:CC`)."""
    found: dict[str, frozenset[str]] = {}
    for part in str(settings.CABLE_PARTIES).split(";"):
        if not part.strip():
            continue
        code, _sep, members = part.partition(":")
        countries = frozenset(item.strip().upper() for item in members.split(",") if item.strip())
        if not code.strip() or not countries:
            raise Invalid(_("PARTNERSHIP_CABLE_PARTIES: %(part)s is not CODE:CC,CC.") % {"part": part})
        found[code.strip().upper()] = countries
    return found


def party(code: str, field_name: str) -> frozenset[str]:
    """The countries of the party `code`, or of the one country whose ISO code it is."""
    key = (code or "").strip().upper()
    known = parties()
    if key in known:
        return known[key]
    if len(key) == 2 and country_name(key):
        return frozenset({key})
    raise Invalid(
        _("%(field)s: %(code)s is neither a party (%(parties)s) nor an ISO country code.")
        % {"field": field_name, "code": key[:20] or "?", "parties": ", ".join(known)},
        {field_name: _("not a party")},
    )


@dataclass(frozen=True)
class RouteQuestion:
    """Between which parties, and (for a "what if") which cables or corridors are cut."""

    party_from: str = "JP"
    party_to: str = "EU"
    cut: tuple[str, ...] = ()
    corridors: tuple[str, ...] = ()


def links(reader: Reader) -> list[routes.Link]:
    """The links in service (not planned, not retired) with their landings: one query."""
    require_reader(reader)
    return _links()


#: The links of the map now held, by the latest import's uid (a map changes only by an import, and each
#: import has a new random uid): the analysis reads the map from memory after one small query.
_LINKS: dict[str, list[routes.Link]] = {}


def _latest_uid() -> str | None:
    """The uid of the latest import (one query), or None before the first."""
    latest = MapImport.objects.order_by("-imported_at", "-pk").values_list("uid", flat=True).first()
    return str(latest) if latest is not None else None


def _links(key: str | None = None) -> list[routes.Link]:
    key = key or str(_latest_uid())
    if key not in _LINKS:
        _LINKS.clear()
        _LINKS[key] = _read_links()
    return _LINKS[key]


def _read_links() -> list[routes.Link]:
    """The links in service from the database: two queries (cables, then their landings)."""
    cables = dict(
        (slug, (name, tuple(crossed or ())))
        for slug, name, crossed in Cable.objects.filter(retired_by__isnull=True, is_planned=False)
        .order_by("slug")
        .values_list("slug", "name", "corridors")
    )
    landed: dict[str, list[tuple[str, str]]] = {}
    rows = (
        Landing.objects.filter(cable__retired_by__isnull=True, cable__is_planned=False)
        .order_by("cable__slug", "position")
        .values_list("cable__slug", "landing_point__slug", "landing_point__country_code")
    )
    for slug, point, code in rows:
        landed.setdefault(slug, []).append((point, code))
    return [
        routes.Link(slug, name, tuple(landed.get(slug, ())), crossed)
        for slug, (name, crossed) in cables.items()
    ]


def direct_cables(reader: Reader) -> dict[str, Any] | None:
    """The cables landing in both of the first two configured parties (the map page's red lines), or
    None before a map is imported: no min-cut, so the map page stays cheap."""
    require_reader(reader)
    known = parties()
    if len(known) < 2:
        return None
    (code_from, party_from), (code_to, party_to) = list(known.items())[:2]
    found = _links()
    if not found:
        return None
    direct = [link for link in found if link.countries & party_from and link.countries & party_to]
    return {
        "from": code_from,
        "to": code_to,
        "direct": [link.slug for link in direct],
        "names": {link.slug: link.name for link in direct},
    }


def _answer(reader, question: RouteQuestion, with_cut: bool) -> dict[str, Any]:
    party_from = party(question.party_from, "from")
    party_to = party(question.party_to, "to")
    if party_from & party_to:
        raise Invalid(_("to: the two parties share countries."), {"to": _("shares countries with from")})
    found = links(reader)
    removed: set[str] = set()
    if with_cut:
        if len(question.cut) > MAX_CUT:
            raise Invalid(_("cables: at most %(limit)s.") % {"limit": MAX_CUT}, {"cables": "too many"})
        known = {link.slug for link in found}
        unknown = [slug for slug in question.cut if slug not in known]
        if unknown:
            raise Invalid(
                _("cables: %(slugs)s is not a cable in service on this map.")
                % {"slugs": ", ".join(unknown[:5])},
                {"cables": _("unknown cable")},
            )
        removed.update(question.cut)
        shipped = corridors.corridors()
        for corridor in question.corridors:
            if corridor not in shipped:
                raise Invalid(
                    _("corridor: %(name)s is not a corridor (%(known)s).")
                    % {"name": corridor[:60], "known": ", ".join(shipped)},
                    {"corridor": _("unknown corridor")},
                )
            removed.update(link.slug for link in found if corridor in link.corridors)
    answer = routes.analyse(found, party_from, party_to, frozenset(removed))
    return {
        **answer.as_json(with_connected=with_cut),
        "from": question.party_from.upper(),
        "to": question.party_to.upper(),
        "names": {link.slug: link.name for link in found},
    }


def route_answer(reader: Reader, question: RouteQuestion) -> dict[str, Any]:
    """Direct cables, hub paths and the min-cut between two parties (see `routes`)."""
    return _answer(reader, question, with_cut=False)


def cut_answer(reader: Reader, question: RouteQuestion) -> dict[str, Any]:
    """What survives when the named cables, and every cable through the named corridors, are cut."""
    return _answer(reader, question, with_cut=True)


@dataclass(frozen=True)
class Filters:
    """What a reader may narrow the list of cables to."""

    search: str = ""  # in the name or slug
    country: str = ""  # ISO code of a country it lands in
    status: str = ""  # "planned", "retired"; "" for in service


def cables(reader: Reader, filters: Filters | None = None) -> QuerySet[Cable]:
    """The cables `reader` may read, by name (a queryset: the caller takes a page of it)."""
    require_reader(reader)
    filters = filters or Filters()
    found = Cable.objects.annotate(landing_count=Count("landings", distinct=True)).order_by("name", "pk")
    if filters.status == "retired":
        found = found.filter(retired_by__isnull=False)
    elif filters.status == "planned":
        found = found.filter(retired_by__isnull=True, is_planned=True)
    elif filters.status != "all":
        found = found.filter(retired_by__isnull=True, is_planned=False)
    if filters.search:
        found = found.filter(Q(name__icontains=filters.search) | Q(slug__icontains=filters.search))
    if filters.country:
        found = found.filter(landings__landing_point__country_code=filters.country.upper()).distinct()
    return found


def cable(reader: Reader, slug: str) -> Cable:
    """One cable with its landings (and their points), owners and suppliers: four queries."""
    require_reader(reader)
    found = (
        Cable.objects.select_related("added_by", "changed_by", "retired_by")
        .prefetch_related(
            Prefetch(
                "landings", queryset=Landing.objects.select_related("landing_point").order_by("position")
            ),
            "owners",
            "suppliers",
        )
        .filter(slug=str(slug)[:200])
        .first()
    )
    if found is None:
        raise NotFound(_("There is no such cable."))
    return found


def imports(reader: Reader) -> QuerySet[MapImport]:
    """The snapshots imported, newest first, with what each changed."""
    require_reader(reader)
    return MapImport.objects.select_related("party", "imported_by").order_by("-imported_at", "-pk")


def latest_import(reader: Reader) -> MapImport | None:
    """The snapshot the map now shows, or None before the first import."""
    return imports(reader).first()


_LAYERS: dict[str, dict[str, Any]] = {}


def map_layers(reader: Reader) -> dict[str, Any]:
    """What the map page draws: the routes of the cables in service and planned, and the landing points,
    as plain data (`key`: the import it comes from). Read from the database once per import (two queries),
    then from memory after one small query, as `links` is."""
    require_reader(reader)
    latest = MapImport.objects.order_by("-imported_at", "-pk").values_list("uid", flat=True).first()
    key = str(latest)
    if key not in _LAYERS:
        lines = (
            Segment.objects.filter(cable__retired_by__isnull=True)
            .order_by("cable__slug", "number")
            .values_list("cable__slug", "cable__name", "cable__is_planned", "cable__kind", "coordinates")
        )
        points = (
            LandingPoint.objects.filter(landings__cable__retired_by__isnull=True)
            .distinct()
            .values_list("slug", "name", "country_code", "latitude", "longitude")
        )
        _LAYERS.clear()
        _LAYERS[key] = {"key": key, "lines": list(lines), "points": list(points)}
    return _LAYERS[key]


def report_figures() -> dict[str, Any] | None:
    """The Japan–EU figures of the Council report and the indicators (no reader: the report is the
    secretariats'), or None before a map is imported: the first two configured parties' direct cables
    and min-cut, and the cables in service."""
    known = parties()
    latest = _latest_uid()
    if len(known) < 2 or latest is None:
        return None
    (code_from, party_from), (code_to, party_to) = list(known.items())[:2]
    found = _links(latest)
    answer = routes.analyse(found, party_from, party_to)
    return {
        "from": code_from,
        "to": code_to,
        "direct": answer.direct,
        "min_cut": answer.min_cut,
        "cables": len(found),
        "names": {link.slug: link.name for link in found},
    }


def country_counts() -> dict[str, int]:
    """How many cables in service land in each party's countries (for the indicators): one query."""
    counts: dict[str, int] = {}
    for code, countries in parties().items():
        counts[code] = (
            Cable.objects.filter(
                retired_by__isnull=True,
                is_planned=False,
                landings__landing_point__country_code__in=sorted(countries),
            )
            .distinct()
            .count()
        )
    return counts


# Outage reports --------------------------------------------------------------------------------------


def _outage_rule(actor: Any) -> Q:
    """The reports `actor` may read under TLP (people.tlp): the author operator and the co-owners it names
    for AMBER and RED, every member for GREEN and CLEAR; a secretariat (its party's reporting authority)
    also reads AMBER ones."""
    from partnership.people.tlp import Tlp, visible

    named = Q(
        Exists(
            Outage.recipients.through.objects.filter(outage=OuterRef("pk"), organisation=actor.organisation)
        )
    )
    rule = visible(actor.organisation.pk, True, named, author="organisation")
    if actor.is_secretariat:
        rule |= Q(tlp__in=(Tlp.AMBER, Tlp.AMBER_STRICT))
    return rule


def _outage_reader(reader: Reader) -> Any:
    from partnership.people.permissions import outage_reader_for

    actor = outage_reader_for(reader) if not isinstance(reader, NodeOperator) else None
    if actor is None:
        raise PermissionDenied(_("Outage reports are for the partnership's members; sign in."))
    return actor


@dataclass(frozen=True)
class OutageFilters:
    """What a reader may narrow the list of outage reports to (kept across the list's pages)."""

    search: str = ""  # in the cable's name or id
    party: str = ""  # the reporting party's code
    state: str = ""  # "open" (not repaired), "repaired"; "" for both
    kind: str = ""  # "reports" (filed by operators), "historical" (reconstructed); "" for both

    STATES = ("open", "repaired")
    KINDS = ("reports", "historical")

    def cleaned(self) -> OutageFilters:
        """The filters with an unknown state or kind dropped (a hand-edited query string lists all)."""
        return OutageFilters(
            search=self.search.strip()[:100],
            party=self.party.strip().upper()[:8],
            state=self.state if self.state in self.STATES else "",
            kind=self.kind if self.kind in self.KINDS else "",
        )


def outage_list(reader: Reader, filters: OutageFilters | None = None) -> QuerySet[Outage]:
    """The outage reports `reader` may read, newest first, narrowed by `filters` (a queryset: the page
    and the API take a page of it, then `with_deadlines`)."""
    actor = _outage_reader(reader)
    filters = (filters or OutageFilters()).cleaned()
    found = Outage.objects.filter(_outage_rule(actor))
    if filters.search:
        found = found.filter(
            Q(cable_name__icontains=filters.search) | Q(cable_slug__icontains=filters.search)
        )
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.state == "open":
        found = found.filter(repaired_at__isnull=True)
    elif filters.state == "repaired":
        found = found.filter(repaired_at__isnull=False)
    if filters.kind:
        found = found.filter(is_historical=filters.kind == "historical")
    return (
        found.select_related("party", "organisation")
        .prefetch_related(Prefetch("stages", queryset=OutageStage.objects.order_by("filed_at")))
        .order_by("-detected_at", "-pk")
    )


def with_deadlines(rows: Any, now: Any = None) -> list[dict[str, Any]]:
    """Each report of `rows` (a page) with its stages' deadlines and whether one is overdue."""
    now = now or timezone.now()
    found = []
    for row in rows:
        stages = stage_deadlines(row, now)
        found.append({"outage": row, "stages": stages, "overdue": any(item["overdue"] for item in stages)})
    return found


def outages(reader: Reader, now: Any = None, filters: OutageFilters | None = None) -> list[dict[str, Any]]:
    """The first page (newest PAGE_SIZE) of the reports `reader` may read, each with its stages'
    deadlines and whether one is overdue: two queries."""
    return with_deadlines(outage_list(reader, filters)[:PAGE_SIZE], now)


def _overdue(outage: Outage, now: Any) -> bool:
    return any(item["overdue"] for item in stage_deadlines(outage, now))


def stage_deadlines(outage: Outage, now: Any) -> list[dict[str, Any]]:
    """The outage's stages with their deadlines under the profile it was reported under."""
    from . import profiles

    anchors = {"detection": outage.detected_at, "plan": outage.plan_received_at, "repair": outage.repaired_at}
    filed = {item.stage: item.filed_at for item in outage.stages.all()}
    if outage.is_historical:
        return []
    return profiles.deadlines(outage.profile_stages, anchors, filed, now)


def outage(reader: Reader, uid: str, now: Any = None) -> dict[str, Any]:
    """One report the reader may read, its stages and deadlines, and its effect on the routes between the
    first two parties at the moment it was detected (`route_effect`)."""
    import uuid

    actor = _outage_reader(reader)
    try:
        key = uuid.UUID(str(uid)[:40])
    except ValueError:
        raise NotFound(_("No such outage report.")) from None
    row = (
        Outage.objects.filter(_outage_rule(actor), uid=key)
        .select_related("party", "organisation")
        .prefetch_related("stages", "recipients")
        .first()
    )
    if row is None:
        raise NotFound(_("No such outage report."))
    now = now or timezone.now()
    return {"outage": row, "stages": stage_deadlines(row, now), "effect": route_effect(row, actor)}


def route_effect(row: Outage, actor: Any) -> dict[str, Any] | None:
    """The routes between the first two configured parties with this outage's cable cut, and every other
    cable out at the moment it was detected by a report `actor` may read (a cable out under a report it
    may not read is not revealed by the answer); None before a map is imported."""
    known = parties()
    key = str(_latest_uid())
    found = _links(key)
    if len(known) < 2 or not found:
        return None
    moment = row.detected_at
    out = set(
        Outage.objects.filter(_outage_rule(actor), started_at__lte=moment)
        .filter(Q(repaired_at__isnull=True) | Q(repaired_at__gt=moment))
        .values_list("cable_slug", flat=True)
    )
    out.add(row.cable_slug)
    on_map = {link.slug for link in found}
    (code_from, party_from), (code_to, party_to) = list(known.items())[:2]
    before = _intact(key, found, party_from, party_to)
    after = routes.analyse(found, party_from, party_to, frozenset(out & on_map))
    return {
        "from": code_from,
        "to": code_to,
        "at": moment,
        "removed": sorted(out & on_map),
        "before": before.as_json(),
        "after": after.as_json(with_connected=True),
        "lost_direct": sorted(set(before.direct) - set(after.direct)),
        "lost_hubs": [hub for hub in before.hubs if hub not in after.hubs],
        "names": {link.slug: link.name for link in found},
    }


#: The routes between two parties with nothing cut, by the latest import's uid (as `_LINKS`): every
#: outage's route effect compares against it, so it is computed once per map, not once per outage.
_INTACT: dict[tuple[str, frozenset[str], frozenset[str]], routes.Answer] = {}


def _intact(
    key: str, found: list[routes.Link], party_from: frozenset[str], party_to: frozenset[str]
) -> routes.Answer:
    if (key, party_from, party_to) not in _INTACT:
        if any(held != key for held, _from, _to in _INTACT):
            _INTACT.clear()
        _INTACT[(key, party_from, party_to)] = routes.analyse(found, party_from, party_to)
    return _INTACT[(key, party_from, party_to)]


def reporting_profiles(reader: Reader) -> list[dict[str, Any]]:
    """The shipped profiles, and the reader's party's own when its secretariat set one (with its
    `revision`, which an edit sends back)."""
    from . import profiles
    from .models import PartyProfile

    actor = _outage_reader(reader)
    found = [
        {
            "code": code,
            "stages": profile["stages"],
            "status": profile["status"],
            "basis": profile["basis"],
            "name": profile["name"],
            "revision": None,
        }
        for code, profile in profiles.shipped().items()
    ]
    own = PartyProfile.objects.filter(party=actor.party).first()
    if own is not None:
        found.append(
            {
                "code": profiles.PARTY,
                "stages": own.stages,
                "status": "party",
                "basis": actor.party.code,
                "name": {"en": actor.party.code, "ja": actor.party.code},
                "revision": own.revision,
                "changed_at": own.changed_at,
            }
        )
    return found


def party_profile(reader: Reader) -> dict[str, Any] | None:
    """The reader's party's own profile (`reporting_profiles`' entry), or None before its secretariat
    set one."""
    from . import profiles

    return next((p for p in reporting_profiles(reader) if p["code"] == profiles.PARTY), None)


def designations(reader: Reader) -> list[Any]:
    """The responsible-filer designations in force, by cable, with the filer, the co-owners, who signed
    them (this node, or the peer's: read-only here): for every reader of outage reports (an operator
    must know whether it files for a cable, a co-owner whose reports it reads). Three queries."""
    from .models import ResponsibleFiler

    _outage_reader(reader)
    return list(
        ResponsibleFiler.objects.filter(revoked_at__isnull=True)
        .select_related("party", "organisation", "ledger_entry")
        .prefetch_related("co_owners")
        .order_by("cable_name", "pk")
    )


def operator_choices(reader: Reader) -> dict[str, list[tuple[str, str, str]]]:
    """The operators a secretariat may name on the designation form: `filers` (its own party's) and
    `co_owners` (either party's), as (code, name, party code)."""
    from partnership.people.models import Organisation

    actor = _outage_reader(reader)
    rows = list(
        Organisation.objects.filter(kind=Organisation.Kind.OPERATOR)
        .select_related("party")
        .order_by("party__code", "code")
    )
    every = [(org.code, org.name, org.party.code if org.party else "") for org in rows]
    return {"filers": [row for row in every if row[2] == actor.party.code], "co_owners": every}


def cable_choices(reader: Reader) -> list[tuple[str, str]]:
    """(id, name) of the cables in service, for the report form: one query."""
    return list(cables(reader).values_list("slug", "name"))


def history(reader: Reader) -> list[dict[str, Any]]:
    """The historical events (reports reconstructed from public sources), oldest first, each with its
    cables, sources and the Japan–EU paths it took away on the map imported now (the map of today, not of
    the event's year): two queries, and the analysis in memory."""
    if not isinstance(reader, NodeOperator):
        _outage_reader(reader)
    rows = Outage.objects.filter(is_historical=True).order_by("started_at", "pk")
    events: dict[str, dict[str, Any]] = {}
    for row in rows:
        source = row.sources[0] if row.sources else {}
        event = events.setdefault(
            str(source.get("event", row.uid)),
            {
                "event": source.get("event", ""),
                "started_at": row.started_at,
                "repaired_at": row.repaired_at,
                "cause": row.cause,
                "source": source,
                "cables": [],
            },
        )
        if row.cable_slug:
            event["cables"].append(row.cable_slug)
    known = parties()
    found = _links()
    if len(known) >= 2 and found:
        (code_from, party_from), (code_to, party_to) = list(known.items())[:2]
        on_map = {link.slug for link in found}
        before = routes.analyse(found, party_from, party_to)
        paths_before = {tuple(path["via"]) for path in before.paths}
        for event in events.values():
            removed = frozenset(event["cables"]) & on_map
            after = routes.analyse(found, party_from, party_to, removed) if removed else before
            event["effect"] = {
                "from": code_from,
                "to": code_to,
                "on_map": sorted(removed),
                "not_on_map": sorted(set(event["cables"]) - on_map),
                "lost_direct": sorted(set(before.direct) - set(after.direct)),
                "lost_paths": sorted(paths_before - {tuple(path["via"]) for path in after.paths}),
                "min_cut_before": before.min_cut,
                "min_cut_after": after.min_cut,
                "connected": after.connected,
            }
    return list(events.values())


def outage_figures(cycle_year: int) -> dict[str, Any]:
    """The outage indicators of `cycle_year` (no reader: the report is the secretariats'): reports (not
    historical) detected that year per party, the share of their stages with a deadline filed on time,
    the median hours from detection to the notification and to repair; two queries."""
    import statistics

    rows = list(
        Outage.objects.filter(is_historical=False, detected_at__year=cycle_year)
        .select_related("party")
        .prefetch_related("stages")
    )
    per_party: dict[str, int] = {}
    due = on_time = 0
    to_notification: list[float] = []
    to_repair: list[float] = []
    now = timezone.now()
    for row in rows:
        per_party[row.party.code] = per_party.get(row.party.code, 0) + 1
        for item in stage_deadlines(row, now):
            if item["due"] is not None and (item["filed_at"] is not None or item["overdue"]):
                due += 1
                on_time += bool(item["on_time"])
        filed = {item.stage: item.filed_at for item in row.stages.all()}
        if "notification" in filed:
            to_notification.append((filed["notification"] - row.detected_at).total_seconds() / 3600)
        if row.repaired_at is not None:
            to_repair.append((row.repaired_at - row.detected_at).total_seconds() / 3600)
    return {
        "per_party": dict(sorted(per_party.items())),
        "reported": len(rows),
        "on_time_share": round(on_time / due, 3) if due else None,
        "median_hours_to_notification": round(statistics.median(to_notification), 1)
        if to_notification
        else None,
        "median_hours_to_repair": round(statistics.median(to_repair), 1) if to_repair else None,
    }


def min_cut_by_year(first: int = 1990, last: int | None = None) -> dict[int, int]:
    """The min-cut between the first two parties each year, counting the cables of the map imported now
    that were in service by then (ready-for-service year; the map keeps no retirement dates, so a cable
    retired since is not counted in any year): the years where it changed, and the last."""
    known = parties()
    found = _links()
    if len(known) < 2 or not found:
        return {}
    (_code_from, party_from), (_code_to, party_to) = list(known.items())[:2]
    years = dict(Cable.objects.filter(slug__in=[link.slug for link in found]).values_list("slug", "rfs_year"))
    last = last or timezone.now().year
    figures: dict[int, int] = {}
    previous = None
    for year in range(first, last + 1):
        kept = [link for link in found if (years.get(link.slug) or 0) <= year]
        cut, _cables = routes.min_cut(kept, party_from, party_to)
        if cut != previous or year == last:
            figures[year] = cut
        previous = cut
    return figures
