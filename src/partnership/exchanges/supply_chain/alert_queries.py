"""Every read of supply-chain events and alerts (issue 16, items 3, 4 and 8), for the pages, the API and
the services alike: members of both parties read them under the TLP rule (`people.tlp.visible`, a
database filter), the public reads nothing. A fixed number of queries whatever the data."""

from __future__ import annotations

import datetime
import statistics
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import NotFound, PermissionDenied
from partnership.people import tlp
from partnership.people.permissions import supply_chain_reader

from .alert_models import (
    Acknowledgement,
    Alert,
    AlertOwner,
    AlertStep,
    AlertSubscription,
    Assessment,
    Event,
    EventAddition,
    PreventiveAction,
    Stage,
)

PAGE_SIZE = 50


def _reader(reader: User | AnonymousUser | None) -> tuple[int, bool]:
    found = supply_chain_reader(reader)
    if found is None:
        raise PermissionDenied(
            _("Supply-chain events and alerts are for the partnership's members; sign in.")
        )
    return found


def _events_visible(organisation: int, community: bool) -> Q:
    through = Event.recipients.through.objects
    named = Q(Exists(through.filter(event_id=OuterRef("pk"), organisation_id=organisation)))
    return tlp.visible(organisation, community, named, author="organisation_id")


def _alerts_visible(organisation: int, community: bool) -> Q:
    through = Alert.recipients.through.objects
    named = Q(Exists(through.filter(alert_id=OuterRef("pk"), organisation_id=organisation)))
    return tlp.visible(organisation, community, named, author="organisation_id")


def visible_events(reader: User | AnonymousUser | None) -> QuerySet[Event]:
    """The events `reader` may read (PermissionDenied for the public)."""
    organisation, community = _reader(reader)
    return Event.objects.filter(_events_visible(organisation, community)).select_related(
        "party", "organisation", "ledger_entry"
    )


def visible_alerts(reader: User | AnonymousUser | None) -> QuerySet[Alert]:
    """The alerts `reader` may read (PermissionDenied for the public)."""
    organisation, community = _reader(reader)
    return Alert.objects.filter(_alerts_visible(organisation, community)).select_related(
        "party", "organisation", "ledger_entry", "event", "series"
    )


@dataclass(frozen=True)
class EventFilters:
    party: str = ""
    kind: str = ""


def events(reader: User | AnonymousUser | None, filters: EventFilters | None = None) -> QuerySet[Event]:
    """The events `reader` may read, newest start first, each with its number of additions."""
    found = visible_events(reader)
    filters = filters or EventFilters()
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    return found.annotate(addition_count=Count("additions")).order_by("-start_date", "-reported_at", "-pk")


def _uid(value: Any, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(what) from None


def event(reader: User | AnonymousUser | None, uid: Any) -> Event:
    """One event with its recipients and additions (3 queries), or NotFound."""
    missing = _("There is no such event.")
    found = (
        visible_events(reader)
        .filter(uid=_uid(uid, missing))
        .prefetch_related(
            "recipients",
            Prefetch(
                "additions", EventAddition.objects.select_related("party", "organisation", "ledger_entry")
            ),
        )
        .first()
    )
    if found is None:
        raise NotFound(missing)
    return found


@dataclass(frozen=True)
class AlertFilters:
    state: str = ""  # "open", "closed" or "" for both
    stage: str = ""


def alerts(reader: User | AnonymousUser | None, filters: AlertFilters | None = None) -> QuerySet[Alert]:
    """The alerts `reader` may read: open ones first, then newest proposal first."""
    found = visible_alerts(reader)
    filters = filters or AlertFilters()
    if filters.state == "open":
        found = found.filter(closed_at__isnull=True)
    elif filters.state == "closed":
        found = found.filter(closed_at__isnull=False)
    if filters.stage:
        found = found.filter(stage=filters.stage)
    return found.order_by("-proposed_at", "-pk")


def alert(reader: User | AnonymousUser | None, uid: Any) -> Alert:
    """One alert, or NotFound (1 query)."""
    missing = _("There is no such alert.")
    found = visible_alerts(reader).filter(uid=_uid(uid, missing)).first()
    if found is None:
        raise NotFound(missing)
    return found


@dataclass
class AlertDetail:
    """An alert with everything its page and the API show."""

    alert: Alert
    steps: list[AlertStep] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    acknowledgements: list[Acknowledgement] = field(default_factory=list)
    owners: list[AlertOwner] = field(default_factory=list)
    actions: list[PreventiveAction] = field(default_factory=list)
    recipients: list[Any] = field(default_factory=list)
    event_readable: bool = False  # whether the reader may read the event it came from (its own TLP)

    def acknowledged_by(self, party_code: str) -> bool:
        return any(ack.party.code == party_code for ack in self.acknowledgements)


def alert_detail(reader: User | AnonymousUser | None, uid: Any) -> AlertDetail:
    """An alert with its timeline, assessments, acknowledgements, owners, actions and recipients, and
    whether the reader may read its event (8 queries whatever their number). The event keeps its own TLP
    level: an alert a reader may read does not show them the title of an event they may not."""
    found = alert(reader, uid)
    return AlertDetail(
        event_readable=found.event_id is not None
        and visible_events(reader).filter(pk=found.event_id).exists(),
        alert=found,
        steps=list(
            AlertStep.objects.filter(alert=found)
            .select_related("party", "organisation", "ledger_entry")
            .order_by("at", "pk")
        ),
        assessments=list(Assessment.objects.filter(alert=found).select_related("party")),
        acknowledgements=list(Acknowledgement.objects.filter(alert=found).select_related("party")),
        owners=list(AlertOwner.objects.filter(alert=found).select_related("party", "organisation")),
        actions=list(
            PreventiveAction.objects.filter(alert=found)
            .select_related("party", "organisation")
            .order_by("deadline", "pk")
        ),
        recipients=list(found.recipients.order_by("code")),
    )


def is_overdue(action: PreventiveAction, today: datetime.date | None = None) -> bool:
    """Open past its deadline."""
    return action.done_on is None and action.deadline < (today or timezone.now().date())


def open_alerts(reader: User | AnonymousUser | None) -> list[Alert] | None:
    """For the dashboard: the open alerts the reader may read, crisis first (one query); None for the
    public."""
    if supply_chain_reader(reader) is None:
        return None
    found = list(visible_alerts(reader).filter(closed_at__isnull=True).order_by("-proposed_at")[:50])
    rank: dict[str, int] = {Stage.CRISIS: 0, Stage.ALERT: 1, Stage.MONITORING: 2}
    return sorted(found, key=lambda item: rank.get(item.stage, 3))


def subscribed(reader: User | AnonymousUser | None) -> bool:
    """Whether `reader` is told of alerts by mail."""
    return bool(
        reader is not None
        and reader.is_authenticated
        and AlertSubscription.objects.filter(user=reader).exists()
    )


def subscribers() -> list[Any]:
    """The active users subscribed to alerts, with their membership (one query)."""
    return [
        row.user
        for row in AlertSubscription.objects.select_related("user__membership__organisation__party").filter(
            user__is_active=True
        )
        if row.user.email
    ]


@dataclass(frozen=True)
class CouncilAlerts:
    """The alert figures of a cycle's year (issue 16, item 8)."""

    by_stage: dict[str, int]
    median_hours: float | None
    actions_due: int
    actions_on_time: int

    @property
    def on_time_share(self) -> float | None:
        return None if not self.actions_due else round(100 * self.actions_on_time / self.actions_due, 1)


def council_alerts(cycle_year: int) -> CouncilAlerts:
    """Alerts proposed in `cycle_year` by their stage now; the median hours from an alert's proposal to
    both parties' acknowledgement (of those acknowledged); and of the preventive actions due in the year
    that are past their deadline or done, how many were done on or before their deadline (2 queries)."""
    rows = list(
        Alert.objects.filter(proposed_at__year=cycle_year).values_list(
            "stage", "proposed_at", "acknowledged_at"
        )
    )
    by_stage = {stage: sum(1 for row in rows if row[0] == stage) for stage in Stage.values}
    delays = [
        (acknowledged - proposed).total_seconds() / 3600 for _, proposed, acknowledged in rows if acknowledged
    ]
    today = timezone.now().date()
    actions = (
        PreventiveAction.objects.filter(deadline__year=cycle_year)
        .filter(Q(deadline__lt=today) | Q(done_on__isnull=False))
        .values_list("deadline", "done_on")
    )
    due = list(actions)
    on_time = sum(1 for deadline, done in due if done is not None and done <= deadline)
    return CouncilAlerts(
        by_stage=by_stage,
        median_hours=round(statistics.median(delays), 1) if delays else None,
        actions_due=len(due),
        actions_on_time=on_time,
    )


def may_write(reader: User | AnonymousUser | None) -> bool:
    """Whether the pages show `reader` the forms that report events and act on alerts."""
    from partnership.people.permissions import actor_for, can_write_supply_alerts

    return can_write_supply_alerts(actor_for(reader))


def reader_party(reader: User | AnonymousUser | None) -> str:
    """The code of the reader's party ("" for none)."""
    from partnership.people.permissions import actor_for

    actor = actor_for(reader)
    return actor.party.code if actor is not None else ""


def organisations() -> list[Any]:
    """Every organisation of a party, for the forms' choices (one query)."""
    from partnership.people.models import Organisation

    return list(
        Organisation.objects.filter(party__isnull=False)
        .select_related("party")
        .order_by("party__code", "code")
    )


def signal_choices(reader: User | AnonymousUser | None) -> list[Any]:
    """Recent signals a reader may turn into an alert (one query)."""
    from . import queries

    return list(queries.recent_signals(reader)[:30])
