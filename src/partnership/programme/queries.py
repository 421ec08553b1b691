"""Read paths: the programme and its progress as plain data, built once for pages, API and exports.

Each function runs a fixed number of queries whatever the size of the history (the dashboard and
the action page are held to at most 15 by a test).
"""

import datetime
import functools
import uuid
from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, F, FloatField, OuterRef, Prefetch, Q, QuerySet, Subquery, Window
from django.db.models.functions import Cast, RowNumber
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partnership.errors import NotFound
from partnership.people import queries as people_queries
from partnership.people.models import Membership, Party
from partnership.people.permissions import (
    actor_for,
    can_comment,
    can_edit_progress,
    can_read_progress,
    require_read_progress,
)

from . import reporting_calendar, searchable, translations
from .models import (
    Area,
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
)

OPEN_DELIVERABLE = [Deliverable.Status.PLANNED, Deliverable.Status.IN_PROGRESS]
# The action page shows this much by default; "show all" links lift the limits (?history=all,
# ?indicators=all). Ten years of monthly values on dozens of indicators would otherwise make every
# visit pay for a page nobody reads whole.
HISTORY_SHOWN = 10
INDICATORS_SHOWN = 10
RECENT_VALUES = 6


def parties() -> list[Party]:
    """All parties, in code order (people's one read of them)."""
    return people_queries.parties()


def areas() -> list[Area]:
    """Priority areas in the order of Section 4."""
    return list(Area.objects.all())


def actions() -> QuerySet[JointAction]:
    """Joint actions with their area, related actions and leads loaded (3 queries)."""
    return (
        JointAction.objects.select_related("area")
        .prefetch_related(
            Prefetch("related", queryset=JointAction.objects.only("id", "paragraph", "title_en", "title_ja")),
            Prefetch("leads", queryset=_organisations()),
        )
        .order_by("paragraph")
    )


def _organisations():
    from partnership.people.models import Organisation

    return Organisation.objects.select_related("party")


def action_summaries(area_code: str | None = None) -> list[dict[str, Any]]:
    """Joint actions in paragraph order as plain dicts (the API's list), in three light queries.

    Rows rather than model instances with prefetched relations: this is the busiest public read,
    and building instances and prefetch managers for every action cost most of its time.
    """
    found = JointAction.objects.order_by("paragraph")
    related = JointAction.related.through.objects.order_by("to_jointaction__paragraph")
    # The order of Organisation.Meta, as the prefetched `action.leads.all()` gives it.
    leads = JointAction.leads.through.objects.order_by("organisation__party__code", "organisation__code")
    if area_code:
        found = found.filter(area__code=area_code)
        related = related.filter(from_jointaction__area__code=area_code)
        leads = leads.filter(jointaction__area__code=area_code)
    related_by_action: dict[int, list[int]] = defaultdict(list)
    for action_id, paragraph in related.values_list("from_jointaction_id", "to_jointaction__paragraph"):
        related_by_action[action_id].append(paragraph)
    leads_by_action: dict[int, list[str]] = defaultdict(list)
    for action_id, code in leads.values_list("jointaction_id", "organisation__code"):
        leads_by_action[action_id].append(code)
    fields = ("paragraph", "area__code", "heading_en", "heading_ja", "title_en", "title_ja")
    return [
        {
            "paragraph": paragraph,
            "area": area,
            "heading_en": heading_en,
            "heading_ja": heading_ja,
            "title_en": title_en,
            "title_ja": title_ja,
            "related": related_by_action.get(pk, []),
            "leads": leads_by_action.get(pk, []),
        }
        for pk, paragraph, area, heading_en, heading_ja, title_en, title_ja in found.values_list(
            "pk", *fields
        )
    ]


def latest_updates(action_ids: list[int] | None = None) -> QuerySet[ProgressUpdate]:
    """Each party's latest update per action: newest period, then newest version."""
    ranked = ProgressUpdate.objects.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("action_id"), F("party_id")],
            order_by=[F("period").desc(), F("version").desc()],
        )
    )
    if action_ids is not None:
        ranked = ranked.filter(action_id__in=action_ids)
    return ranked.filter(rank=1).select_related("party", "organisation", "ledger_entry")


def _newest_first(action_id, party_id) -> QuerySet[ProgressUpdate]:
    """One party's updates on one action, the latest first (either id may be an OuterRef).

    The order is latest_updates()'s rule, and the unique index on (action, party, period, version)
    serves it: a correlated subquery over it costs one index lookup.
    """
    return ProgressUpdate.objects.filter(action_id=action_id, party_id=party_id).order_by(
        "-period", "-version"
    )


@dataclass(frozen=True)
class PeriodStatus:
    """A party's status of an action for one period: the newest version of its update for that period."""

    period: int
    version: int
    status: str
    narrative: str
    language: str
    filed_at: datetime.datetime
    late: bool
    #: The update's uid (its translations are found by it).
    uid: uuid.UUID | None = None


def period_statuses(
    periods: Collection[int],
    action_ids: Collection[int] | None = None,
    cycles: reporting_calendar.Cycles | None = None,
) -> dict[tuple[int, int, int], PeriodStatus]:
    """(action id, party id, period) -> the update that counts for the cycle of that period.

    The one rule of what counts, used by the Council report, the dashboard and the area pages alike
    (issue 14: the dashboard counted last year's statuses as this year's): the newest version a party
    filed for that period, never an update of another period; `late` when it was filed after that
    period's call for updates closed (`reporting_calendar`; `cycles` when the caller has read it).
    Two queries at most: a window over the updates of `periods` only, and the calendar.
    """
    ranked = ProgressUpdate.objects.filter(period__in=list(periods))
    if action_ids is not None:
        ranked = ranked.filter(action_id__in=list(action_ids))
    rows = (
        ranked.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("action_id"), F("party_id"), F("period")],
                order_by=[F("version").desc()],
            )
        )
        .filter(rank=1)
        .values_list(
            "action_id",
            "party_id",
            "period",
            "version",
            "status",
            "narrative",
            "language",
            "created_at",
            "uid",
        )
    )
    calls = (cycles or reporting_calendar.current()).calls
    found = {}
    for action_id, party_id, period, version, status, narrative, language, created_at, uid in rows:
        call = calls.get(period)
        late = call is not None and call.is_late(created_at)
        found[(action_id, party_id, period)] = PeriodStatus(
            period, version, status, narrative, language, created_at, late, uid
        )
    return found


def mark_late(updates: Collection[ProgressUpdate], cycles: reporting_calendar.Cycles | None = None) -> None:
    """Set `late` on each update: filed after the call for updates of its period closed (one query,
    none when the caller has read the calendar)."""
    calls = (cycles or reporting_calendar.current()).calls if updates else {}
    for update in updates:
        call = calls.get(update.period)
        update.late = call is not None and call.is_late(update.created_at)


def overdue_deliverables(today: datetime.date | None = None) -> QuerySet[Deliverable]:
    """Deliverables still open after their due date (or after their due cycle has ended)."""
    today = today or timezone.now().date()
    return (
        Deliverable.objects.filter(status__in=OPEN_DELIVERABLE)
        .filter(Q(due_date__lt=today) | Q(due_date__isnull=True, due_period__lt=today.year))
        .select_related("action", "party", "organisation", "ledger_entry")
        .order_by("due_date", "due_period", "pk")
    )


@dataclass
class StatusCell:
    """How the actions of one area stand for one party in the cycle in progress: `shown` lists the
    non-zero counts of this cycle's statuses in order, `late` how many of them came after the call
    closed, `missing` the actions with no update for this cycle yet and `earlier` the statuses those
    had in the cycle before (shown as last cycle's, never counted as this one's)."""

    counts: dict[str, int]
    missing: int
    total: int
    shown: list[tuple[str, int]] = field(default_factory=list)
    late: int = 0
    earlier: list[tuple[str, int]] = field(default_factory=list)


def area_page(user, code: str) -> dict[str, Any] | None:
    """An area, its actions, and (for members) each party's status on each in the cycle in progress,
    with its status of the cycle before where there is none yet; None if the area is unknown."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        return None
    area_actions = list(actions().filter(area=area))
    cycles = reporting_calendar.current()
    period = cycles.reporting_period or 0
    statuses: dict[tuple[int, int, int], PeriodStatus] = {}
    members = can_read_progress(user)  # an account of no party, or a platform's, is not a member
    if members:
        statuses = period_statuses([period - 1, period], [action.pk for action in area_actions], cycles)
    all_parties = parties()
    rows = [
        (
            action,
            [
                (statuses.get((action.pk, party.pk, period)), statuses.get((action.pk, party.pk, period - 1)))
                for party in all_parties
            ],
        )
        for action in area_actions
    ]
    return {"area": area, "rows": rows, "parties": all_parties, "period": period, "members": members}


def _status_cell(
    action_ids: list[int], party_id: int, period: int, statuses: dict[tuple[int, int, int], PeriodStatus]
) -> StatusCell:
    counts: dict[str, int] = defaultdict(int)
    earlier: dict[str, int] = defaultdict(int)
    late = 0
    for action_id in action_ids:
        current = statuses.get((action_id, party_id, period))
        if current is not None:
            counts[current.status] += 1
            late += current.late
            continue
        counts["missing"] += 1
        previous = statuses.get((action_id, party_id, period - 1))
        if previous is not None:
            earlier[previous.status] += 1
    order = ProgressUpdate.Status.values
    return StatusCell(
        counts=dict(counts),
        missing=counts.get("missing", 0),
        total=len(action_ids),
        shown=[(status, counts[status]) for status in order if counts.get(status)],
        late=late,
        earlier=[(status, earlier[status]) for status in order if earlier.get(status)],
    )


#: What the dashboard's "what changed" lists show of each kind: the latest 25, or with `all_changes`
#: (the full list the page links to) up to 1,000; the page says "showing 25 of N" when it stops short.
CHANGES_SHOWN = 25
CHANGES_SHOWN_ALL = 1000


def dashboard(user, since: datetime.date, all_changes: bool = False) -> dict[str, Any]:
    """The dashboard: status by area and party in the cycle in progress, what changed since `since`
    (each list with its total when it stops short), overdue deliverables."""
    all_parties = parties()
    member = can_read_progress(user)
    area_actions = JointAction.objects.only("id", "area_id")
    all_areas = list(Area.objects.prefetch_related(Prefetch("actions", queryset=area_actions)))
    cycles = reporting_calendar.current()
    period = cycles.reporting_period or 0
    data: dict[str, Any] = {
        "parties": all_parties,
        "areas": all_areas,
        "since": since,
        "period": period,
    }
    if not member:
        return data
    statuses = period_statuses([period - 1, period], cycles=cycles)
    data["desk"] = own_desk(user, statuses, period, cycles)
    matrix = []
    for area in all_areas:
        action_ids = [action.pk for action in area.actions.all()]
        matrix.append((area, [_status_cell(action_ids, party.pk, period, statuses) for party in all_parties]))
    since_start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
    shown = CHANGES_SHOWN_ALL if all_changes else CHANGES_SHOWN
    updates = ProgressUpdate.objects.filter(created_at__gte=since_start)
    deliverables = Deliverable.objects.filter(updated_at__gte=since_start)
    # The dashboard names no organisation: joining them cost a fifth of the page's queries' time. Each row
    # carries the list's total (COUNT(*) OVER ()), so a list that stops short says so ("showing 25 of 40")
    # at no extra query.
    total = Window(Count("pk"))
    recent_updates = list(
        updates.select_related("action", "party", "ledger_entry")
        .annotate(total=total)
        .order_by("-created_at")[:shown]
    )
    recent_deliverables = list(
        deliverables.select_related("action", "party", "ledger_entry")
        .annotate(total=total)
        .order_by("-updated_at")[:shown]
    )
    data.update(
        matrix=matrix,
        recent_updates=recent_updates,
        recent_updates_total=recent_updates[0].total if recent_updates else 0,
        recent_deliverables=recent_deliverables,
        recent_deliverables_total=(recent_deliverables[0].total if recent_deliverables else 0),
        all_changes=all_changes,
        overdue=list(
            overdue_deliverables().select_related(None).select_related("action", "party", "ledger_entry")[:50]
        ),
        overdue_count=overdue_deliverables().count(),
    )
    return data


@dataclass(frozen=True)
class DueAction:
    """A joint action as its lead sees it on its own page: this cycle's update of the lead's party (None:
    still due), the previous cycle's, and whether the reader may file it."""

    action: JointAction
    update: PeriodStatus | None
    previous: PeriodStatus | None
    can_file: bool

    @property
    def due(self) -> bool:
        return self.update is None


@dataclass(frozen=True)
class UnreportedLead:
    """An organisation of the secretariat's party (None: actions it leads with none) and the actions it
    leads on which the party has filed no update this cycle."""

    organisation: Any
    actions: list[JointAction]


def own_desk(
    user,
    statuses: dict[tuple[int, int, int], PeriodStatus],
    period: int,
    cycles: reporting_calendar.Cycles,
) -> dict[str, Any] | None:
    """The programme's part of the reader's own page, from the dashboard's statuses (two queries):

    - an action lead: the actions its organisation leads, those still due this cycle first, with the
      call's deadline and whether it may file (`my_actions`, `deadline`);
    - a secretariat: its party's actions with no update this cycle, by lead organisation of its party
      (`unreported`), the actions no organisation of its party leads under None;
    - anyone else: None (the cycle's panel shows their consultations)."""
    actor = actor_for(user)
    if actor is None or actor.role not in (Membership.Role.ACTION_LEAD, Membership.Role.SECRETARIAT):
        return None
    call = cycles.calls.get(period)
    deadline = call.closes_at.date() if call is not None else None
    party_id = actor.party.pk
    if actor.role == Membership.Role.ACTION_LEAD:
        led = list(
            JointAction.objects.filter(leads=actor.organisation).select_related("area").order_by("paragraph")
        )
        rows = [
            DueAction(
                action,
                statuses.get((action.pk, party_id, period)),
                statuses.get((action.pk, party_id, period - 1)),
                can_edit_progress(actor, party_id, {actor.organisation.pk}),
            )
            for action in led
        ]
        rows.sort(key=lambda row: (not row.due, row.action.paragraph))
        return {
            "kind": "lead",
            "period": period,
            "deadline": deadline,
            "my_actions": rows,
            "due_count": sum(row.due for row in rows),
        }
    # Lead organisations of the secretariat's own party only: the other party's are the other's to chase.
    own_leads = Prefetch("leads", queryset=_organisations().filter(party_id=party_id))
    unreported: dict[Any, list[JointAction]] = defaultdict(list)
    count = 0
    for action in JointAction.objects.prefetch_related(own_leads).order_by("paragraph"):
        if (action.pk, party_id, period) in statuses:
            continue
        count += 1
        leads: list[Any] = list(action.leads.all()) or [None]
        for organisation in leads:
            unreported[organisation].append(action)
    groups = [UnreportedLead(organisation, found) for organisation, found in unreported.items()]
    groups.sort(key=lambda group: (group.organisation is None, getattr(group.organisation, "code", "")))
    return {
        "kind": "secretariat",
        "period": period,
        "deadline": deadline,
        "unreported": groups,
        "unreported_count": count,
    }


@dataclass(frozen=True)
class EntryMark:
    """The log entry of a record, as far as a page shows it (log, index, signing key)."""

    log: str
    index: int
    key_id: str

    @property
    def from_peer(self) -> bool:
        return self.log != ""


@dataclass(frozen=True)
class ValueRow:
    """One recorded value of an indicator, as the action page lists it."""

    period_start: datetime.date
    period_end: datetime.date
    value: Decimal
    source: str
    ledger_entry: EntryMark | None = None


def chart_points(
    numbers: Sequence[float],
    baseline: Decimal | float,
    target: Decimal | float,
    width: int = 320,
    height: int = 80,
) -> dict:
    """SVG coordinates for a small line chart of an indicator's values against its baseline and target."""
    baseline, target = float(baseline), float(target)
    low = min(min(numbers), baseline, target)
    high = max(max(numbers), baseline, target)
    pad = 4
    scale = (height - 2 * pad) / ((high - low) or 1.0)
    step = (width - 2 * pad) / max(len(numbers) - 1, 1)
    bottom = height - pad
    points = " ".join(
        f"{pad + i * step:.1f},{bottom - (number - low) * scale:.1f}" for i, number in enumerate(numbers)
    )
    # Strings, not numbers: the template would pass every number through locale formatting.
    return {
        "width": str(width),
        "height": str(height),
        "points": points,
        "baseline_y": f"{bottom - (baseline - low) * scale:.1f}",
        "target_y": f"{bottom - (target - low) * scale:.1f}",
    }


def _attach_values(indicators: list[Any]) -> None:
    """Give each indicator its chart, value count, latest value and recent values (two queries).

    The chart needs only numbers, so the whole series comes as (indicator, float) pairs; only the
    few recent values the page lists are read in full. Building an IndicatorValue for each of an
    action's thousands of values cost most of the page's time.
    """
    if not indicators:
        return
    series: dict[int, list[float]] = defaultdict(list)
    for indicator_id, number in (
        IndicatorValue.objects.filter(indicator__in=indicators)
        .order_by("indicator_id", "period_start")
        .values_list("indicator_id", Cast("value", FloatField()))
    ):
        series[indicator_id].append(number)
    # Each indicator's own recent periods: from its RECENT_VALUES-th newest start (all when fewer).
    recent_periods = Q()
    for indicator in indicators:
        if indicator.recent_from is None:
            recent_periods |= Q(indicator=indicator)
        else:
            recent_periods |= Q(indicator=indicator, period_start__gte=indicator.recent_from)
    recent: dict[int, list[ValueRow]] = defaultdict(list)
    for indicator_id, start, end, number, source, log, index, key_id in (
        IndicatorValue.objects.filter(recent_periods)
        .order_by("indicator_id", "period_start")
        .values_list(
            "indicator_id",
            "period_start",
            "period_end",
            "value",
            "source",
            "ledger_entry__log",
            "ledger_entry__index",
            "ledger_entry__key_id",
        )
    ):
        mark = EntryMark(log, index, key_id) if index is not None else None
        recent[indicator_id].append(ValueRow(start, end, number, source, mark))
    for indicator in indicators:
        numbers = series.get(indicator.pk, [])
        indicator.value_count = len(numbers)
        indicator.recent_values = recent.get(indicator.pk, [])
        indicator.latest_value = indicator.recent_values[-1] if indicator.recent_values else None
        indicator.chart = (
            chart_points(numbers, indicator.baseline_value, indicator.target_value) if numbers else None
        )


def action_page(
    user, paragraph: int, all_history: bool = False, all_indicators: bool = False
) -> dict[str, Any] | None:
    """Everything the joint-action page shows, or None when there is no such action.

    The history and the indicators are cut to HISTORY_SHOWN and INDICATORS_SHOWN unless `all_history`
    or `all_indicators`; `history_cut` and `indicators_cut` say whether more exist.
    """
    action = actions().filter(paragraph=paragraph).first()
    if action is None:
        return None
    actor = actor_for(user)
    if actor is None:
        return {"action": action, "parties": parties(), "actor": actor}
    # The parties come with the id of their latest update on this action, and those updates are read
    # with the history: two queries instead of three, and no window over the action's whole history.
    all_parties = list(
        Party.objects.annotate(
            latest_update_id=Subquery(_newest_first(action.pk, OuterRef("pk")).values("pk")[:1])
        )
    )
    latest_ids = {party.latest_update_id for party in all_parties} - {None}
    history = (
        ProgressUpdate.objects.filter(action=action)
        .select_related("party", "organisation", "author", "ledger_entry")
        .order_by("-period", "party__code", "-version")
    )
    if not all_history:
        # The newest HISTORY_SHOWN and the parties' latest; a latest one beyond them comes last.
        history = history.filter(Q(pk__in=latest_ids) | Q(pk__in=history.values("pk")[:HISTORY_SHOWN]))
    rows = list(history)
    cycles = reporting_calendar.current()
    mark_late(rows, cycles)
    latest = {u.party_id: u for u in rows if u.pk in latest_ids}
    side_by_side = [(party, latest.get(party.pk)) for party in all_parties]
    statuses = {u.status for u in latest.values()}
    deliverables = list(
        Deliverable.objects.filter(action=action)
        .select_related("party", "organisation", "ledger_entry")
        .order_by("party__code", "due_date")
    )
    # Each text's translation into the reader's language, and whether the reader may give one (issue 15).
    translations.attach({"update": rows, "deliverable": deliverables}, actor)
    indicators = (
        Indicator.objects.filter(action=action)
        .select_related("party", "organisation", "ledger_entry")
        .annotate(
            recent_from=Subquery(
                IndicatorValue.objects.filter(indicator=OuterRef("pk"))
                .order_by("-period_start")
                .values("period_start")[RECENT_VALUES - 1 : RECENT_VALUES]
            )
        )
    )
    shown: list[Any] = list(indicators if all_indicators else indicators[: INDICATORS_SHOWN + 1])
    indicators_cut = not all_indicators and len(shown) > INDICATORS_SHOWN
    shown = shown[:INDICATORS_SHOWN] if indicators_cut else shown
    _attach_values(shown)
    lead_ids = {lead.pk for lead in action.leads.all()}
    return {
        "action": action,
        "parties": all_parties,
        "actor": actor,
        "side_by_side": side_by_side,
        # Statuses of different periods are not a disagreement, only a late report.
        "disagreement": len(latest) > 1
        and len(statuses) > 1
        and len({u.period for u in latest.values()}) == 1,
        "period": cycles.reporting_period,
        "history": rows if all_history else rows[:HISTORY_SHOWN],
        "history_cut": not all_history and len(rows) > HISTORY_SHOWN,
        "all_history": all_history,
        "deliverables": deliverables,
        "indicators": shown,
        "indicators_cut": indicators_cut,
        "all_indicators": all_indicators,
        "comments": list(_comments_on(action)[:50]),
        "can_edit": can_edit_progress(actor, actor.party.pk, lead_ids),
        "can_comment": can_comment(actor),
        "today": timezone.now().date(),
    }


# --- search ---------------------------------------------------------------------------------------------
# The kinds the search finds are registered in `searchable` (the programme's below, from apps.ready; the
# cycle's outcomes and contributions from the cycle's); `search` pages through them in a fixed number of
# queries and `search_rows` gives every row for an export.

SEARCH_PAGE_SIZE = 25


def _action_text_fields() -> tuple[str, ...]:
    return ("title_en", "title_ja", "heading_en", "heading_ja", "text_en")


def find_actions(user, filters: searchable.Filters) -> QuerySet[JointAction] | None:
    """Joint actions (public) by words of their titles, headings or text, area, lead party and paragraph;
    none when a cycle or a status is asked for (an action has neither)."""
    if filters.cycle or filters.status:
        return JointAction.objects.none()
    found = JointAction.objects.select_related("area").order_by("paragraph")
    if filters.area:
        found = found.filter(area__code=filters.area)
    if filters.action:
        found = found.filter(paragraph=filters.action)
    if filters.party:
        led = JointAction.leads.through.objects.filter(organisation__party__code=filters.party)
        found = found.filter(pk__in=led.values("jointaction_id"))
    if filters.terms:
        found = found.filter(searchable.text_matches(filters.terms, *_action_text_fields()))
    return found


@functools.lru_cache(maxsize=4096)
def _action_url(prefix: str, language: str | None, paragraph: int) -> str:
    """The action page's path under `prefix` in `language` (an export asks once per action, not once
    per row: `reverse` cost a fifth of a download's time)."""
    return reverse("action", args=[paragraph])


def action_url(paragraph: int) -> str:
    """The path of a joint action's page in the active language."""
    return _action_url(get_script_prefix(), get_language(), paragraph)


def action_row(action: JointAction) -> searchable.Found:
    """A joint action as a search result (its title in the reader's language)."""
    return searchable.Found(
        kind="action",
        kind_label=_("Joint action"),
        reference=str(action.paragraph),
        party="",
        cycle=None,
        status="",
        status_label="",
        text=action.title,
        language="",
        date=None,
        url=action_url(action.paragraph),
    )


def find_updates(user, filters: searchable.Filters) -> QuerySet[ProgressUpdate] | None:
    """Progress updates, newest first, as `updates` lists them (readers of progress only; None for the
    public), by party, area, period, status, action and words of the narrative."""
    if not can_read_progress(user):
        return None
    found = ProgressUpdate.objects.select_related("action", "party", "ledger_entry").order_by(
        "-created_at", "-pk"
    )
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.area:
        found = found.filter(action__area__code=filters.area)
    if filters.cycle:
        found = found.filter(period=filters.cycle)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.action:
        found = found.filter(action__paragraph=filters.action)
    if filters.terms:
        found = found.filter(searchable.text_matches(filters.terms, "narrative"))
    return found


def update_row(update: ProgressUpdate) -> searchable.Found:
    """A progress update as a search result."""
    return searchable.Found(
        kind="update",
        kind_label=_("Progress update"),
        reference=str(update.action.paragraph),
        party=update.party.code,
        cycle=update.period,
        status=update.status,
        status_label=str(ProgressUpdate.Status(update.status).label),
        text=update.narrative,
        language=update.language,
        date=update.created_at,
        url=action_url(update.action.paragraph),
        signed_by=update.signed_by,
    )


def find_deliverables(user, filters: searchable.Filters) -> QuerySet[Deliverable] | None:
    """Deliverables in paragraph order, as `deliverables` lists them (readers of progress only), by
    party, area, cycle (due in that cycle or that year), status, action and words of title or description."""
    if not can_read_progress(user):
        return None
    found = Deliverable.objects.select_related("action", "party", "ledger_entry").order_by(
        "action__paragraph", "pk"
    )
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.area:
        found = found.filter(action__area__code=filters.area)
    if filters.cycle:
        found = found.filter(Q(due_period=filters.cycle) | Q(due_date__year=filters.cycle))
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.action:
        found = found.filter(action__paragraph=filters.action)
    if filters.terms:
        found = found.filter(searchable.text_matches(filters.terms, "title", "description"))
    return found


def deliverable_row(deliverable: Deliverable) -> searchable.Found:
    """A deliverable as a search result."""
    due = deliverable.due_date.year if deliverable.due_date else deliverable.due_period
    return searchable.Found(
        kind="deliverable",
        kind_label=_("Deliverable"),
        reference=str(deliverable.action.paragraph),
        party=deliverable.party.code,
        cycle=due,
        status=deliverable.status,
        status_label=str(Deliverable.Status(deliverable.status).label),
        text=deliverable.title,
        language=deliverable.language,
        date=deliverable.due_date,
        url=action_url(deliverable.action.paragraph),
        signed_by=deliverable.signed_by,
    )


def register_search_kinds() -> None:
    """The programme's kinds of search result, registered as any other app's (apps.ready)."""
    searchable.register(
        searchable.Kind("action", lambda: _("Joint actions"), [], find_actions, action_row, order=10)
    )
    searchable.register(
        searchable.Kind(
            "update",
            lambda: _("Progress updates"),
            ProgressUpdate.Status.choices,
            find_updates,
            update_row,
            order=20,
            offered_to=can_read_progress,
        )
    )
    searchable.register(
        searchable.Kind(
            "deliverable",
            lambda: _("Deliverables"),
            Deliverable.Status.choices,
            find_deliverables,
            deliverable_row,
            order=30,
            offered_to=can_read_progress,
        )
    )


@dataclass(frozen=True)
class SearchPage:
    """One page of a search: the rows, and how many each kind found (`counts`: kind, label, count)."""

    rows: list[searchable.Found]
    counts: list[tuple[str, str, int]]
    total: int
    page: int
    pages: int


def _matching(user, filters: searchable.Filters) -> list[tuple[searchable.Kind, QuerySet]]:
    """Each registered kind the reader may read (and the filters ask for) with its matching rows."""
    found = []
    for kind in searchable.kinds():
        if filters.kind and kind.code != filters.kind:
            continue
        if filters.status and filters.status not in {value for value, _label in kind.statuses}:
            continue
        rows = kind.find(user, filters)
        if rows is not None:
            found.append((kind, rows))
    return found


def search(user, filters: searchable.Filters, page: int = 1, page_size: int = SEARCH_PAGE_SIZE) -> SearchPage:
    """One page of what `user` may read that matches `filters`: each kind's rows in its order, the kinds
    one after another; one count per kind and one read per kind on the page (with its relations), so
    the number of queries does not grow with the data."""
    matching = _matching(user, filters)
    counts = [(kind, rows, rows.count()) for kind, rows in matching]
    total = sum(count for _kind, _rows, count in counts)
    pages = max(1, -(-total // page_size))
    start, end = (page - 1) * page_size, page * page_size
    shown: list[searchable.Found] = []
    offset = 0
    for kind, rows, count in counts:
        low, high = max(start - offset, 0), min(end - offset, count)
        if low < high:
            shown.extend(kind.row(obj) for obj in rows[low:high])
        offset += count
    return SearchPage(
        rows=shown,
        counts=[(kind.code, kind.label(), count) for kind, _rows, count in counts],
        total=total,
        page=page,
        pages=pages,
    )


def search_rows(user, filters: searchable.Filters, limit: int) -> Iterator[searchable.Found]:
    """Every row a search finds for `user`, in the search's order, at most `limit` (the exports): read in
    chunks, so a long export does not hold every object at once."""
    left = limit
    for kind, rows in _matching(user, filters):
        if left <= 0:
            return
        for obj in rows[:left].iterator(chunk_size=1000):
            yield kind.row(obj)
            left -= 1


# --- the lists the API serves (and the pages that show the same rows) -----------------------------------
# One function per list: the API handler, the page and a command call it with the reader and the filters,
# it applies the reader's rights (people.permissions) and the filters, and the rows come with every
# relation the caller shows loaded (a fixed number of queries, whatever the length of the page).


def areas_with_actions() -> list[Area]:
    """The priority areas in the order of Section 4, each with its joint actions in paragraph order
    (two queries; public): the home page and `GET /areas`."""
    return list(
        Area.objects.prefetch_related(Prefetch("actions", queryset=JointAction.objects.order_by("paragraph")))
    )


def _action(paragraph: int, with_relations: bool = True) -> JointAction:
    """A joint action (with its area, related actions and leads unless not `with_relations`); NotFound
    when there is none."""
    found = actions() if with_relations else JointAction.objects.all()
    action = found.filter(paragraph=paragraph).first()
    if action is None:
        raise NotFound(_("There is no joint action at paragraph %(paragraph)s.") % {"paragraph": paragraph})
    return action


def action_detail(user, paragraph: int) -> tuple[JointAction, list[ProgressUpdate] | None]:
    """A joint action and, for readers of progress, each party's latest update on it (None for the
    public); NotFound when there is no such action."""
    action = _action(paragraph)
    if not can_read_progress(user):
        return action, None
    return action, list(latest_updates([action.pk]).select_related("author", "ledger_entry"))


def latest_update_of(action: JointAction, party: Party) -> ProgressUpdate | None:
    """The party's latest update on the action (the update form starts from its status), or None."""
    return latest_updates([action.pk]).filter(party=party).first()


def updates(
    user,
    paragraph: int | None = None,
    party: str | None = None,
    period: int | None = None,
    status: str | None = None,
) -> QuerySet[ProgressUpdate]:
    """Progress updates newest first, of one action (NotFound if there is none) or all, by party code,
    period and status; for readers of progress only (PermissionDenied)."""
    require_read_progress(user)
    found = ProgressUpdate.objects.select_related(
        "action", "party", "organisation", "author", "ledger_entry"
    ).order_by("-created_at", "-pk")
    if paragraph is not None:
        found = found.filter(action=_action(paragraph, with_relations=False))
    if party:
        found = found.filter(party__code=party)
    if period:
        found = found.filter(period=period)
    if status:
        found = found.filter(status=status)
    return found


def deliverables(
    user,
    paragraph: int | None = None,
    party: str | None = None,
    status: str | None = None,
    overdue: bool = False,
) -> QuerySet[Deliverable]:
    """Deliverables in paragraph order (`overdue`: only those past due, by due date), by paragraph,
    party code and status; for readers of progress only (PermissionDenied)."""
    require_read_progress(user)
    found = (
        overdue_deliverables()
        if overdue
        else Deliverable.objects.select_related("action", "party", "organisation", "ledger_entry").order_by(
            "action__paragraph", "pk"
        )
    )
    if paragraph:
        found = found.filter(action__paragraph=paragraph)
    if party:
        found = found.filter(party__code=party)
    if status:
        found = found.filter(status=status)
    return found


def indicators(user, paragraph: int | None = None, party: str | None = None) -> QuerySet[Indicator]:
    """Indicators in paragraph order, by paragraph and party code; for readers of progress only."""
    require_read_progress(user)
    found = Indicator.objects.select_related("action", "party", "organisation", "ledger_entry").order_by(
        "action__paragraph", "pk"
    )
    if paragraph:
        found = found.filter(action__paragraph=paragraph)
    if party:
        found = found.filter(party__code=party)
    return found


def indicator_values(user, uid: str) -> QuerySet[IndicatorValue]:
    """An indicator's values by period; PermissionDenied for the public, NotFound for an unknown uid."""
    from .services import get_indicator  # services' one lookup of a readable indicator

    require_read_progress(user)
    return get_indicator(user, uid).values.select_related("ledger_entry").order_by("period_start")


def action_indicator_values(user, paragraph: int) -> QuerySet[IndicatorValue]:
    """The values of an action's indicators, by indicator and period, with their indicator, action and
    party (the action page's "Download" link); for readers of progress only, NotFound for no action."""
    require_read_progress(user)
    action = _action(paragraph, with_relations=False)
    return (
        IndicatorValue.objects.filter(indicator__action=action)
        .select_related("indicator__action", "indicator__party")
        .order_by("indicator__party__code", "indicator__title", "indicator_id", "period_start")
    )


def _comments_on(action: JointAction) -> QuerySet[Comment]:
    """An action's comments, newest first, with their organisation and author."""
    return Comment.objects.filter(action=action).select_related("action", "organisation", "author")


def comments(user, paragraph: int, limit: int = 200) -> list[Comment]:
    """The newest `limit` comments on an action; for readers of progress only (PermissionDenied), NotFound
    when there is no such action."""
    require_read_progress(user)
    return list(_comments_on(_action(paragraph, with_relations=False))[:limit])


def landing(user) -> str:
    """The URL name of the page `user` lands on after signing in: the first page an installed exchange
    claims for them (`Exchange.landing`: an ISAC's analysts land on threat intelligence), else their own
    dashboard. One query per exchange that asks, none for the public."""
    from .exchanges import registered

    actor = actor_for(user)
    if actor is not None:
        for exchange in registered():
            claimed = exchange.landing(actor)
            if claimed:
                return claimed
    return "dashboard"


def translation_form(user, kind: str, uid: Any) -> dict[str, Any]:
    """The translation form's data: the item (`services.require_can_translate`: only those who may
    translate it read it here), its translation into the other language if one exists, and whether it is
    stale (made from another text than the item's now)."""
    from . import services

    source, actor = services.require_can_translate(user, kind, uid)
    existing = translations.held(kind, [source.uid]).get(source.uid, {}).get(source.target_language)
    return {
        "source": source,
        "kind": translations.kind_of(kind),
        "actor": actor,
        "existing": existing,
        "stale": existing is not None and existing.source_sha256 != source.digest,
    }
