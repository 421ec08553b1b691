"""The cycle's rules: an agreed calendar, phases in order along it, meetings and their outcomes,
priorities, stakeholder input, reminders. Every write takes the acting user, checks permissions in
`people`, and is atomic. The cycle is the partnership's: calendars, agreements, phase changes, meetings,
outcomes, priorities, windows and accepted contributions are signed into the node's ledger in the write's
transaction (`records`), and what a peer node signed is read-only here.

Joint decisions need both parties (paras 21, 23): a calendar, a Council decision or guidance item and a
priority are proposed by one party's secretariat and agreed by the other's (`agree_calendar`,
`confirm_outcome`, `confirm_priority`), on the single node as between two nodes."""

import datetime
import hashlib
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partnership.errors import Conflict, Invalid, NotFound
from partnership.inputs import check_time
from partnership.people.models import Membership, Organisation, Party
from partnership.people.permissions import (
    Actor,
    require_actor,
    require_agree,
    require_contributor,
    require_follow_up,
    require_local_record,
    require_moderate,
    require_node_party,
    require_record_at_meeting,
    require_steer_cycle,
)
from partnership.programme.models import Area, JointAction, Language

from .models import (
    AgendaItem,
    CalendarProposal,
    ConsultationWindow,
    Contribution,
    Cycle,
    Meeting,
    Outcome,
    PhaseChange,
    Priority,
    Reminder,
)

PHASES = [choice.value for choice in Cycle.Phase]
LANGUAGES = {choice.value for choice in Language}


def require_secretariat(user) -> Actor:
    """The actor, if a secretariat; the secretariats steer the cycle (para 20)."""
    return require_steer_cycle(require_actor(user))


def require_cycle_writer(user) -> Actor:
    """A secretariat writing on its own party's node: what it writes is signed as its party's record."""
    return require_node_party(require_secretariat(user))


def get_cycle(year: int) -> Cycle:
    """The cycle of `year`."""
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
    return cycle


@overload
def _date(data: Mapping[str, Any], field: str) -> datetime.date: ...
@overload
def _date(data: Mapping[str, Any], field: str, required: bool) -> datetime.date | None: ...
def _date(data: Mapping[str, Any], field: str, required: bool = True) -> datetime.date | None:
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise Invalid(_("%(field)s: this field is required.") % {"field": field}, {field: _("required")})
        return None
    if isinstance(value, datetime.date):
        date = value
    else:
        try:
            date = datetime.date.fromisoformat(str(value))
        except ValueError:
            raise Invalid(
                _("%(field)s: give a date like 2026-03-31.") % {"field": field}, {field: _("not a date")}
            ) from None
    # A date of year 1 or 9999 is a typo, and a calendar closing in 9999 would hold the cycle's phases.
    check_time(datetime.datetime.combine(date, datetime.time.min), field)
    return date


def _text(data: Mapping[str, Any], field: str, max_length: int = 10000, required: bool = True) -> str:
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise Invalid(_("%(field)s: this field is required.") % {"field": field}, {field: _("required")})
    if len(value) > max_length:
        raise Invalid(
            _("%(field)s: at most %(max)s characters.") % {"field": field, "max": max_length},
            {field: _("too long")},
        )
    return value


def _language(data: Mapping[str, Any]) -> str:
    language = data.get("language")
    if language not in LANGUAGES:
        raise Invalid(_("language: choose en or ja."), {"language": _("not en or ja")})
    return str(language)


def _actions(paragraphs) -> list[JointAction]:
    paragraphs = list(paragraphs or [])
    # A paragraph past any column's range (2**63 overflows SQLite and PostgreSQL) is simply unknown: the
    # database is not asked for it.
    asked = [p for p in paragraphs if isinstance(p, int) and not isinstance(p, bool) and 0 < p < 2**31]
    found = list(JointAction.objects.filter(paragraph__in=asked))
    missing = sorted({str(p) for p in paragraphs} - {str(a.paragraph) for a in found})
    if missing:
        raise Invalid(
            _("actions: no joint action at paragraph %(p)s.") % {"p": ", ".join(map(str, missing))},
            {"actions": _("unknown paragraph")},
        )
    return found


def _areas(codes) -> list[Area]:
    codes = list(codes or [])
    found = list(Area.objects.filter(code__in=codes))
    missing = sorted(set(codes) - {a.code for a in found})
    if missing:
        raise Invalid(_("areas: no area %(c)s.") % {"c": ", ".join(missing)}, {"areas": _("unknown area")})
    return found


def _organisation(code: str | None, field: str) -> Organisation:
    organisation = Organisation.objects.filter(code=code or "").first()
    if organisation is None:
        raise Invalid(
            _("%(field)s: no organisation %(code)s.") % {"field": field, "code": code}, {field: _("unknown")}
        )
    return organisation


# --- cycles and phases ------------------------------------------------------------------------------


def _calendar(data: Mapping[str, Any]) -> tuple[datetime.date, datetime.date, datetime.date | None]:
    opens, closes = _date(data, "call_opens"), _date(data, "call_closes")
    council = _date(data, "council_date", required=False)
    if closes < opens:
        raise Invalid(
            _("call_closes: the call must close after it opens."), {"call_closes": _("before opening")}
        )
    if council is not None and council < closes:
        raise Invalid(
            _("council_date: the Council meets after the call for updates closes."),
            {"council_date": _("before the call closes")},
        )
    return opens, closes, council


def _propose(actor: Actor, cycle: Cycle, dates) -> CalendarProposal:
    from .records import sign_calendar

    opens, closes, council = dates
    proposal = CalendarProposal.objects.create(
        cycle=cycle,
        call_opens=opens,
        call_closes=closes,
        council_date=council,
        party=actor.party,
        organisation=actor.organisation,
        proposed_at=timezone.now(),
    )
    sign_calendar(actor, proposal)
    refresh_calendar(cycle)
    return proposal


@transaction.atomic
def create_cycle(user, data: Mapping[str, Any]) -> Cycle:
    """Plan the cycle of a year with a proposed calendar (call opens, call closes, Council date), which
    the other party's secretariat agrees to (`agree_calendar`) before the phases can move."""
    actor = require_cycle_writer(user)
    try:
        year = int(data.get("year", ""))
    except (TypeError, ValueError):
        raise Invalid(_("year: give a year like 2026."), {"year": _("not a year")}) from None
    if not 2022 <= year <= 2100:
        raise Invalid(_("year: the partnership began in 2022."), {"year": str(year)})
    dates = _calendar(data)
    if Cycle.objects.filter(year=year).exists():
        raise Conflict(_("There is already a cycle %(year)s.") % {"year": year})
    opens, closes, council = dates
    late_updates = _late_updates(data.get("late_updates") or Cycle.LateUpdates.MARK)
    cycle = Cycle.objects.create(
        year=year, call_opens=opens, call_closes=closes, council_date=council, late_updates=late_updates
    )
    _propose(actor, cycle, dates)
    cycle.refresh_from_db()
    return cycle


def _late_updates(policy: Any) -> str:
    if policy not in Cycle.LateUpdates.values:
        raise Invalid(
            _("late_updates: choose “mark” (accepted and marked late) or “refuse”."),
            {"late_updates": str(policy)},
        )
    return str(policy)


@transaction.atomic
def set_late_updates(user, year: int, policy: str) -> Cycle:
    """Decide what becomes of the cycle's updates filed after its call closes: marked late or refused
    (secretariats, on their own party's node; issue 14: never counted silently)."""
    require_cycle_writer(user)
    policy = _late_updates(policy)
    cycle = Cycle.objects.select_for_update().filter(year=year).first()
    if cycle is None:
        raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
    cycle.late_updates = policy
    cycle.save(update_fields=["late_updates"])
    return cycle


def refresh_calendar(cycle: Cycle) -> None:
    """Bring the cycle's dates to its standing calendar: the latest agreed proposal, else (never agreed
    yet) the latest proposal. A cycle agreed before proposals were recorded keeps its dates."""
    proposals = list(CalendarProposal.objects.filter(cycle=cycle).order_by("proposed_at", "uid"))
    agreed = [proposal for proposal in proposals if proposal.agreed]
    standing = agreed[-1] if agreed else None
    pending = bool(proposals) and not proposals[-1].agreed
    Cycle.objects.filter(pk=cycle.pk).update(calendar_pending=pending)
    cycle.calendar_pending = pending
    if standing is None and (cycle.calendar_agreed or not proposals):
        return
    shown = standing or proposals[-1]
    Cycle.objects.filter(pk=cycle.pk).update(
        call_opens=shown.call_opens,
        call_closes=shown.call_closes,
        council_date=shown.council_date,
        calendar_agreed=standing is not None,
    )
    cycle.call_opens, cycle.call_closes = shown.call_opens, shown.call_closes
    cycle.council_date, cycle.calendar_agreed = shown.council_date, standing is not None


def pending_calendar(cycle: Cycle) -> CalendarProposal | None:
    """The proposal awaiting the other party: the latest one, unless it is agreed."""
    if not cycle.calendar_pending:
        return None
    latest = (
        CalendarProposal.objects.select_related("party", "ledger_entry", "cycle")
        .filter(cycle=cycle)
        .order_by("-proposed_at", "-uid")
        .first()
    )
    return latest if latest is not None and not latest.agreed else None


@transaction.atomic
def propose_calendar(user, year: int, data: Mapping[str, Any]) -> CalendarProposal:
    """A change of a cycle's calendar: a new proposal, which needs the other party again; until it is
    agreed the previous agreed calendar stands."""
    actor = require_cycle_writer(user)
    cycle = Cycle.objects.select_for_update().filter(year=year).first()
    if cycle is None:
        raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
    return _propose(actor, cycle, _calendar(data))


def _agree(actor: Actor, subject: str, proposal: Any, proposer_code: str) -> None:
    """Sign the actor's party's agreement to `proposal` and keep it on the proposal."""
    from .records import sign_agreement

    if proposal.agreed:
        raise Conflict(
            _("This was already agreed by %(party)s on %(date)s; nothing was changed.")
            % {"party": proposal.agreed_by.code, "date": proposal.agreed_at.strftime("%Y-%m-%d %H:%M UTC")}
        )
    now = timezone.now()
    entry = sign_agreement(actor, subject, proposal, now)
    type(proposal).objects.filter(pk=proposal.pk).update(
        agreed_by=actor.party, agreed_at=now, agreement_entry=entry
    )
    proposal.agreed_by, proposal.agreed_at, proposal.agreement_entry = actor.party, now, entry


@transaction.atomic
def agree_calendar(user, year: int, proposal_uid=None) -> Cycle:
    """The other party's secretariat agrees to the cycle's proposed calendar, which becomes the cycle's.

    `proposal_uid`, if given, is the proposal the secretariat read: refused when it has since been
    replaced, so nobody agrees to a calendar they did not see.
    """
    actor = require_cycle_writer(user)
    cycle = Cycle.objects.select_for_update().filter(year=year).first()
    if cycle is None:
        raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
    latest = CalendarProposal.objects.filter(cycle=cycle).order_by("-proposed_at", "-uid").first()
    if latest is None:
        raise Conflict(_("The calendar of %(year)s awaits no agreement.") % {"year": year})
    if proposal_uid and str(latest.uid) != str(proposal_uid):
        raise Conflict(
            _("The calendar of %(year)s was changed since you read it: read the new proposal, then agree.")
            % {"year": year}
        )
    require_agree(actor, latest.party_id)
    _agree(actor, "calendar", latest, latest.party.code)
    refresh_calendar(cycle)
    return cycle


@transaction.atomic
def advance_phase(user, year: int, phase: str) -> Cycle:
    """Move a cycle into its next phase, along its agreed calendar; phases cannot be skipped or gone back to.

    The dates (UTC) of the standing agreed calendar decide: the call opens from `call_opens` on, closes
    from `call_closes` on, and the Council is held from `council_date` on (if the calendar has one). The
    stock-take and the publication of guidance follow the phase before them at any time.
    """
    from .records import sign_phase

    actor = require_cycle_writer(user)
    if phase not in PHASES:
        raise Invalid(_("phase: unknown phase %(phase)s.") % {"phase": phase}, {"phase": phase})
    # Locked: two secretariats pressing the button together move the cycle once.
    cycle = Cycle.objects.select_for_update().filter(year=year).first()
    if cycle is None:
        raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
    current = PHASES.index(cycle.phase)
    wanted = PHASES.index(phase)
    if wanted != current + 1:
        # The phase's name, not its code: the message is shown to people as it is.
        expected = Cycle.Phase(PHASES[current + 1]).label if current + 1 < len(PHASES) else None
        raise Invalid(
            _("phase: the cycle is at “%(current)s”; the next phase is “%(next)s”.")
            % {"current": cycle.get_phase_display(), "next": expected or _("none: the cycle is complete")},
            {"phase": phase},
        )
    if not cycle.calendar_agreed:
        raise Conflict(
            _(
                "The calendar of %(year)s awaits the other party's agreement; "
                "the phases follow it once agreed."
            )
            % {"year": year}
        )
    if phase == Cycle.Phase.CALL_OPEN:
        other = Cycle.objects.filter(phase=Cycle.Phase.CALL_OPEN).exclude(pk=cycle.pk).first()
        if other is not None:
            raise Conflict(_("The call for updates of %(year)s is still open.") % {"year": other.year})
    today = timezone.now().date()
    date = {
        Cycle.Phase.CALL_OPEN: cycle.call_opens,
        Cycle.Phase.CALL_CLOSED: cycle.call_closes,
        Cycle.Phase.COUNCIL_HELD: cycle.council_date,
    }.get(Cycle.Phase(phase))
    if date is not None and today < date:
        raise Invalid(
            _("phase: the agreed calendar sets “%(phase)s” for %(date)s; it is %(today)s (UTC).")
            % {"phase": Cycle.Phase(phase).label, "date": date.isoformat(), "today": today.isoformat()},
            {"phase": phase},
        )
    cycle.phase = phase
    cycle.save(update_fields=["phase"])
    change = PhaseChange.objects.create(
        cycle=cycle, phase=phase, changed_by=actor.user, organisation=actor.organisation
    )
    sign_phase(actor, change)
    return cycle


#: The cycle in progress first: the newest one that has left the planning phase, else the newest.
CURRENT_FIRST = (Case(When(phase=Cycle.Phase.PLANNED, then=Value(1)), default=Value(0)), "-year")


def current_cycle() -> Cycle | None:
    """The cycle in progress: the newest one that has left the planning phase, else the newest."""
    return Cycle.objects.order_by(*CURRENT_FIRST).first()


# --- meetings and outcomes --------------------------------------------------------------------------


@transaction.atomic
def record_meeting(user, year: int, data: Mapping[str, Any]) -> Meeting:
    """Record a meeting of a mechanism or of the Council, with its agenda (para 21: existing mechanisms).

    The recording secretariat's party hosts it: it alone records the meeting's outcomes and priorities.
    """
    from .records import sign_meeting

    actor = require_cycle_writer(user)
    cycle = get_cycle(year)
    mechanism = _organisation(data.get("mechanism"), "mechanism")
    if mechanism.kind != Organisation.Kind.MECHANISM:
        raise Invalid(
            _("mechanism: %(code)s is not a cooperation mechanism.") % {"code": mechanism.code},
            {"mechanism": _("not a mechanism")},
        )
    kind = data.get("kind")
    if kind not in Meeting.Kind.values:
        raise Invalid(
            _("kind: choose one of %(kinds)s.") % {"kinds": ", ".join(Meeting.Kind.values)},
            {"kind": str(kind)},
        )
    meeting = Meeting.objects.create(
        cycle=cycle,
        mechanism=mechanism,
        kind=kind,
        title=_text(data, "title", 300),
        language=_language(data),
        date=_date(data, "date"),
        place=_text(data, "place", 200, required=False),
        online=bool(data.get("online", False)),
        minutes=_text(data, "minutes", 50000, required=False),
        party=actor.party,
        created_by=actor.user,
    )
    participants = [_organisation(code, "participants") for code in data.get("participants", [])]
    meeting.participants.set(participants)
    for position, item in enumerate(data.get("agenda", [])):
        agenda_item = AgendaItem.objects.create(
            meeting=meeting, position=position, title=_text(item, "title", 300)
        )
        agenda_item.actions.set(_actions(item.get("actions")))
    sign_meeting(actor, meeting)
    return meeting


def get_meeting(uid) -> Meeting:
    """A meeting by its uid."""
    meeting = Meeting.objects.filter(uid=uid).first() if uid else None
    if meeting is None:
        raise NotFound(_("There is no such meeting."))
    return meeting


@transaction.atomic
def record_outcome(user, meeting_uid, data: Mapping[str, Any]) -> Outcome:
    """A decision, guidance item or note of a meeting; decisions and guidance need an owner.

    Recorded by the meeting's host secretariat and signed as its party's record; a decision or guidance
    item is then proposed, agreed once the other party's secretariat confirms it (`confirm_outcome`).
    """
    from .records import sign_outcome

    actor = require_cycle_writer(user)
    meeting = get_meeting(meeting_uid)
    require_record_at_meeting(actor, meeting.party_id, meeting.party.code if meeting.party else "")
    kind = data.get("kind")
    if kind not in Outcome.Kind.values:
        raise Invalid(_("kind: choose decision, guidance or note."), {"kind": str(kind)})
    owner = None
    if kind != Outcome.Kind.NOTE:
        if not data.get("owner"):
            raise Invalid(_("owner: a decision or guidance item needs an owner."), {"owner": _("required")})
        owner = _organisation(data.get("owner"), "owner")
    now = timezone.now()
    outcome = Outcome.objects.create(
        meeting=meeting, kind=kind, text=_text(data, "text"), language=_language(data), owner=owner
    )
    Outcome.objects.filter(pk=outcome.pk).update(created_at=now)
    outcome.created_at = now
    outcome.areas.set(_areas(data.get("areas")))
    outcome.actions.set(_actions(data.get("actions")))
    sign_outcome(actor, outcome, now)
    return outcome


@transaction.atomic
def follow_up(user, outcome_uid, data: Mapping[str, Any]) -> Outcome:
    """Report on a decision or guidance item: its owner's members or the owner's party's secretariat may
    (either secretariat for an owner of no party, a joint mechanism).

    Signed as a record of the reporting user's party and organisation; an outcome signed by a peer
    node is followed up on that node.
    """
    from .records import sign_outcome

    actor = require_actor(user)
    outcome = Outcome.objects.select_for_update().filter(uid=outcome_uid).first()
    if outcome is None or outcome.kind == Outcome.Kind.NOTE:
        raise NotFound(_("There is no such decision or guidance item."))
    owner_party_id = outcome.owner.party_id if outcome.owner is not None else None
    require_follow_up(actor, outcome.owner_id, owner_party_id)
    require_local_record(outcome.signed_by)
    status = data.get("follow_up")
    if status not in Outcome.FollowUp.values:
        raise Invalid(_("follow_up: choose open, in_progress or closed."), {"follow_up": str(status)})
    outcome.follow_up = status
    outcome.follow_up_note = _text(data, "note", required=False)
    outcome.closed_in = current_cycle() if status == Outcome.FollowUp.CLOSED else None
    outcome.save()
    sign_outcome(actor, outcome, timezone.now())
    return outcome


@transaction.atomic
def confirm_outcome(user, outcome_uid) -> Outcome:
    """The other party's secretariat confirms a Council decision or guidance item: it becomes agreed."""
    actor = require_cycle_writer(user)
    outcome = (
        # Only the outcome's row is locked: PostgreSQL locks no nullable side of an outer join.
        Outcome.objects.select_for_update(of=("self",))
        .select_related("meeting__party")
        .filter(uid=outcome_uid)
        .first()
    )
    if outcome is None or outcome.kind == Outcome.Kind.NOTE:
        raise NotFound(_("There is no such decision or guidance item."))
    require_agree(actor, outcome.meeting.party_id)
    _agree(actor, "outcome", outcome, outcome.meeting.party.code if outcome.meeting.party else "")
    return outcome


def get_outcome_meeting(outcome_uid):
    """The uid of the meeting of an outcome (NotFound when there is none)."""
    uid = Outcome.objects.filter(uid=outcome_uid).values_list("meeting__uid", flat=True).first()
    if uid is None:
        raise NotFound(_("There is no such decision or guidance item."))
    return uid


def get_priority_meeting(priority_uid):
    """The uid of the meeting a priority was set at (NotFound when there is none)."""
    uid = Priority.objects.filter(uid=priority_uid).values_list("set_at__uid", flat=True).first()
    if uid is None:
        raise NotFound(_("There is no such priority."))
    return uid


def open_guidance(before_year: int | None = None):
    """Decisions and guidance not yet closed, from meetings of earlier cycles (what the report follows up)."""
    items = Outcome.objects.exclude(kind=Outcome.Kind.NOTE).exclude(follow_up=Outcome.FollowUp.CLOSED)
    if before_year is not None:
        items = items.filter(meeting__cycle__year__lt=before_year)
    return items.select_related("meeting__cycle", "owner", "ledger_entry")


# --- priorities -------------------------------------------------------------------------------------


@transaction.atomic
def set_priority(user, meeting_uid, data: Mapping[str, Any]) -> Priority:
    """A priority for a cycle, set at a Council meeting, on an area or an action: recorded by the
    meeting's host secretariat, agreed once the other party's confirms it (`confirm_priority`)."""
    from .records import sign_priority

    actor = require_cycle_writer(user)
    meeting = get_meeting(meeting_uid)
    require_record_at_meeting(actor, meeting.party_id, meeting.party.code if meeting.party else "")
    if meeting.kind != Meeting.Kind.COUNCIL:
        raise Invalid(
            _("meeting: priorities are set by the Council."), {"meeting": _("not a Council meeting")}
        )
    cycle = get_cycle(int(data.get("cycle") or meeting.cycle.year + 1))
    area = _areas([data["area"]])[0] if data.get("area") else None
    action = _actions([data["action"]])[0] if data.get("action") else None
    if area is None and action is None:
        raise Invalid(_("area: give an area or an action."), {"area": _("required"), "action": _("required")})
    priority = Priority.objects.create(
        cycle=cycle,
        set_at=meeting,
        area=area,
        action=action,
        rationale=_text(data, "rationale", 2000),
        language=_language(data),
    )
    sign_priority(actor, priority)
    return priority


def _priority(priority_id) -> Priority:
    found = None
    if isinstance(priority_id, int) or str(priority_id).isdigit():
        found = Priority.objects.select_for_update().filter(pk=int(priority_id)).first()
    else:
        try:
            found = Priority.objects.select_for_update().filter(uid=priority_id).first()
        except (ValueError, TypeError, ValidationError):
            found = None
    if found is None:
        raise NotFound(_("There is no such priority."))
    return found


@transaction.atomic
def confirm_priority(user, priority_id) -> Priority:
    """The other party's secretariat confirms a priority set at a Council meeting: it becomes agreed."""
    actor = require_cycle_writer(user)
    priority = _priority(priority_id)
    host = priority.set_at.party
    require_agree(actor, host.pk if host else None)
    _agree(actor, "priority", priority, host.code if host else "")
    return priority


@transaction.atomic
def record_priority_result(user, priority_id: int, data: Mapping[str, Any]) -> Priority:
    """Say what became of a priority, for the next report: the host secretariat, on its node."""
    from .records import sign_priority

    actor = require_cycle_writer(user)
    priority = _priority(priority_id)
    require_local_record(priority.signed_by)
    host = priority.set_at.party
    require_record_at_meeting(actor, host.pk if host else None, host.code if host else "")
    result = data.get("result")
    if result not in Priority.Outcome.values:
        raise Invalid(
            _("result: choose one of %(r)s.") % {"r": ", ".join(Priority.Outcome.values)},
            {"result": str(result)},
        )
    priority.result = result
    priority.result_note = _text(data, "note", required=False)
    priority.save(update_fields=["result", "result_note"])
    sign_priority(actor, priority)
    return priority


# --- stakeholder input ------------------------------------------------------------------------------


def whole_days(
    zone: str, first: datetime.date, last: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The bounds of the days `first` to `last` inclusive in time zone `zone`: the first day's midnight
    and the midnight after the last day (the window is open up to, not at, the second)."""
    tz = zoneinfo.ZoneInfo(zone)
    opens = datetime.datetime.combine(first, datetime.time(0, 0), tzinfo=tz)
    closes = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=tz)
    return opens.astimezone(datetime.UTC), closes.astimezone(datetime.UTC)


def _window_day(value: Any, field: str, zone: str) -> datetime.date:
    """A window's opening or closing day: a date, or the day of a time in the party's zone."""
    if isinstance(value, datetime.datetime):
        check_time(value, field)
        aware = value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
        return aware.astimezone(zoneinfo.ZoneInfo(zone)).date()
    if isinstance(value, datetime.date):
        # The partnership's span, said as for a time (the day's midnight is compared).
        check_time(datetime.datetime.combine(value, datetime.time(0, 0), tzinfo=datetime.UTC), field)
        return value
    raise Invalid(
        _("opens: give the opening and closing days."), {"opens": _("required"), "closes": _("required")}
    )


@transaction.atomic
def open_window(user, year: int, data: Mapping[str, Any]) -> ConsultationWindow:
    """A consultation window of a cycle, signed as the opening secretariat's record.

    A window is whole days in the zone of the opening secretariat's party: `opens` is its first day and
    `closes` its last (inclusive), as dates (a time given stands for its day in that zone). It is stored
    as the first day's midnight and the midnight after the last day, in UTC.
    """
    from .records import sign_window

    actor = require_cycle_writer(user)
    cycle = get_cycle(year)
    zone = actor.party.time_zone
    first = _window_day(data.get("opens"), "opens", zone)
    last = _window_day(data.get("closes"), "closes", zone)
    if last < first:
        raise Invalid(
            _("closes: the window must close on or after the day it opens."), {"closes": _("before opening")}
        )
    opens, closes = whole_days(zone, first, last)
    window = ConsultationWindow.objects.create(
        cycle=cycle, title=_text(data, "title", 300), opens=opens, closes=closes, party=actor.party
    )
    sign_window(actor, window)
    return window


@transaction.atomic
def submit_contribution(user, window_id: int, data: Mapping[str, Any], attachment=None) -> Contribution:
    """Stakeholder bodies (para 22) and Member States (para 45) contribute while a window is open."""
    actor = require_contributor(user)
    window = ConsultationWindow.objects.filter(pk=window_id).first()
    if window is None:
        raise NotFound(_("There is no such consultation window."))
    now = timezone.now()
    if not window.opens <= now < window.closes:
        raise Invalid(
            _(
                "This consultation window is open from %(opens)s to %(closes)s (whole days, %(zone)s); "
                "it takes no contribution now."
            )
            % {
                "opens": date_format(window.opening_day),
                "closes": date_format(window.closing_day),
                "zone": window.time_zone,
            },
            {"window": _("closed")},
        )
    if attachment is not None and attachment.size > settings.MAX_UPLOAD_BYTES:
        raise Invalid(_("attachment: the file is too large."), {"attachment": _("too large")})
    contribution = Contribution(
        window=window,
        organisation=actor.organisation,
        author=actor.user,
        text=_text(data, "text", 20000),
        language=_language(data),
    )
    if attachment is not None:
        digest = hashlib.sha256()
        for chunk in attachment.chunks():
            digest.update(chunk)
        attachment.seek(0)
        contribution.attachment = attachment
        contribution.attachment_name = str(attachment.name or "")[-255:]
        contribution.attachment_sha256 = digest.hexdigest()
    contribution.save()
    contribution.areas.set(_areas(data.get("areas")))
    contribution.actions.set(_actions(data.get("actions")))
    return contribution


@transaction.atomic
def moderate(user, contribution_uid, data: Mapping[str, Any]) -> Contribution:
    """Accept or reject (with a reason) a contribution, optionally with a reply; a secretariat moderates
    the contributions of its own party's stakeholders and Member States only. An accepted contribution is
    signed as its party's record and shared; it is not moderated again."""
    from .records import sign_contribution

    actor = require_secretariat(user)
    contribution = Contribution.objects.select_for_update().filter(uid=contribution_uid).first()
    if contribution is None:
        raise NotFound(_("There is no such contribution."))
    require_moderate(actor, contribution.organisation.party_id)
    if contribution.ledger_entry_id is not None:
        raise Conflict(
            _("This contribution was accepted and shared with the other party; it stays as it is.")
        )
    decision = data.get("status")
    if decision not in (Contribution.Status.ACCEPTED, Contribution.Status.REJECTED):
        raise Invalid(_("status: choose accepted or rejected."), {"status": str(decision)})
    reason = _text(data, "reason", 2000, required=False)
    if decision == Contribution.Status.REJECTED and not reason:
        raise Invalid(_("reason: say why the contribution is rejected."), {"reason": _("required")})
    contribution.status = decision
    contribution.reason = reason
    contribution.reply = _text(data, "reply", 5000, required=False)
    contribution.moderated_by = actor.user
    contribution.save()
    if decision == Contribution.Status.ACCEPTED:
        sign_contribution(actor, contribution)
    return contribution


# --- who has not reported, and reminders ------------------------------------------------------------


def missing_updates(cycle: Cycle, parties: list | None = None) -> list[tuple[JointAction, Any]]:
    """(action, party) pairs without an update from that party for this cycle (two queries, and one
    for the parties unless given)."""
    from partnership.people.models import Party
    from partnership.programme.models import ProgressUpdate

    reported = set(
        ProgressUpdate.objects.filter(period=cycle.year).values_list("action_id", "party_id").distinct()
    )
    parties = list(Party.objects.all()) if parties is None else parties
    return [
        (action, party)
        for action in JointAction.objects.order_by("paragraph")
        for party in parties
        if (action.pk, party.pk) not in reported
    ]


@dataclass(frozen=True)
class DueReminder:
    """An update a party still owes on an action this cycle, and who is reminded of it: the action leads
    of its lead organisations of that party, else that party's secretariat (active accounts with an
    email). `deadline` is the day the call for updates closes."""

    action: JointAction
    party: Party
    recipients: tuple[Membership, ...]
    deadline: datetime.date
    leads: frozenset[int]  # the action's lead organisations (ids), of every party


def due_reminders(cycle: Cycle, parties: list[Party] | None = None) -> list[DueReminder]:
    """Every reminder `send_reminders` would send for `cycle` (for `parties` only, if given), in paragraph
    and party order; the one list the command mails and the pages show. Four queries, five without
    `parties`."""
    members = list(
        Membership.objects.select_related("user", "organisation")
        .filter(user__is_active=True)
        .exclude(user__email="")
        .order_by("user__username")
    )
    leads_of = {
        action_id: set(organisation_ids) for action_id, organisation_ids in _leads_by_action().items()
    }
    found = []
    for action, party in missing_updates(cycle, parties):
        recipients = tuple(
            m
            for m in members
            if m.organisation.party_id == party.pk
            and m.role == Membership.Role.ACTION_LEAD
            and m.organisation_id in leads_of.get(action.pk, set())
        ) or tuple(
            m
            for m in members
            if m.organisation.party_id == party.pk and m.role == Membership.Role.SECRETARIAT
        )
        found.append(
            DueReminder(action, party, recipients, cycle.call_closes, frozenset(leads_of.get(action.pk, ())))
        )
    return found


def _leads_by_action() -> dict[int, list[int]]:
    """action id -> its lead organisations' ids (one query, on the relation's own table)."""
    leads: dict[int, list[int]] = {}
    for action_id, organisation_id in JointAction.leads.through.objects.values_list(
        "jointaction_id", "organisation_id"
    ):
        leads.setdefault(action_id, []).append(organisation_id)
    return leads


def update_form_link(paragraph: int, language: str) -> str:
    """The absolute address of an action's update form in `language`, for mail sent outside a request
    (`PARTNERSHIP_SITE_URL`: a command has no request to take the host from)."""
    with translation.override(language):
        return settings.SITE_URL + reverse("file_update", kwargs={"paragraph": paragraph})


def send_reminders(year: int, today: datetime.date | None = None) -> int:
    """Mail the leads of actions their party has not reported on this cycle; never twice a day.

    Returns the number of messages sent. The lead organisations' action leads get the reminder; a party
    with no lead account on an action has its secretariat reminded instead (`due_reminders`). Each mail
    is in its recipient's language (`Membership.language`) and links straight to the action's update form.
    """
    cycle = get_cycle(year)
    today = today or timezone.now().date()
    sent = 0
    for due in due_reminders(cycle):
        action = due.action
        for membership in due.recipients:
            recipient = membership.user
            try:
                with transaction.atomic():
                    Reminder.objects.create(
                        cycle=cycle,
                        action=action,
                        recipient=recipient,
                        reason="missing_update",
                        sent_on=today,
                    )
            except IntegrityError:
                continue  # already reminded today
            language = membership.language if membership.language in LANGUAGES else settings.LANGUAGE_CODE
            with translation.override(language):
                title = action.title_ja if language == "ja" and action.title_ja else action.title_en
                send_mail(
                    subject=_("Reminder: progress update for para %(p)s, cycle %(y)s")
                    % {"p": action.paragraph, "y": year},
                    message=_(
                        "Your party has not yet filed its %(y)s update on joint action %(p)s (%(t)s). "
                        "The call for updates closes on %(closes)s.\n\nFile the update here:\n%(link)s\n"
                    )
                    % {
                        "y": year,
                        "p": action.paragraph,
                        "t": title,
                        "closes": cycle.call_closes.isoformat(),
                        "link": update_form_link(action.paragraph, language),
                    },
                    from_email=None,
                    recipient_list=[recipient.email],
                )
            sent += 1
    return sent
