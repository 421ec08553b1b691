"""The cycle's rules: phases in order, meetings and their outcomes, priorities, stakeholder input,
reminders. Every write takes the acting user, checks permissions in `people`, and is atomic. Outcomes are
shared records: each creation and follow-up is signed into the node's ledger in the same transaction
(`records`), and an outcome signed by a peer node is read-only here."""

import datetime
from collections.abc import Mapping
from typing import Any, overload

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Case, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.inputs import check_time
from partnership.people.models import Membership, Organisation
from partnership.people.permissions import (
    Actor,
    require_actor,
    require_contributor,
    require_follow_up,
    require_local_record,
    require_moderate,
    require_node_party,
)
from partnership.programme.models import Area, JointAction, Language

from .models import (
    AgendaItem,
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
    actor = require_actor(user)
    if not actor.is_secretariat:
        raise PermissionDenied(_("Only the secretariats steer the cycle."))
    return actor


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
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(
            _("%(field)s: give a date like 2026-03-31.") % {"field": field}, {field: _("not a date")}
        ) from None


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
    found = list(JointAction.objects.filter(paragraph__in=paragraphs))
    missing = sorted(set(paragraphs) - {a.paragraph for a in found})
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


@transaction.atomic
def create_cycle(user, data: Mapping[str, Any]) -> Cycle:
    """Plan the cycle of a year with its call-for-updates dates."""
    require_secretariat(user)
    try:
        year = int(data.get("year", ""))
    except (TypeError, ValueError):
        raise Invalid(_("year: give a year like 2026."), {"year": _("not a year")}) from None
    if not 2022 <= year <= 2100:
        raise Invalid(_("year: the partnership began in 2022."), {"year": str(year)})
    opens, closes = _date(data, "call_opens"), _date(data, "call_closes")
    council = _date(data, "council_date", required=False)
    assert opens and closes
    if closes < opens:
        raise Invalid(
            _("call_closes: the call must close after it opens."), {"call_closes": _("before opening")}
        )
    if Cycle.objects.filter(year=year).exists():
        raise Conflict(_("There is already a cycle %(year)s.") % {"year": year})
    late_updates = _late_updates(data.get("late_updates") or Cycle.LateUpdates.MARK)
    return Cycle.objects.create(
        year=year, call_opens=opens, call_closes=closes, council_date=council, late_updates=late_updates
    )


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
    (secretariats; issue 14: never counted silently)."""
    require_secretariat(user)
    policy = _late_updates(policy)
    cycle = Cycle.objects.select_for_update().filter(year=year).first()
    if cycle is None:
        raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
    cycle.late_updates = policy
    cycle.save(update_fields=["late_updates"])
    return cycle


@transaction.atomic
def advance_phase(user, year: int, phase: str) -> Cycle:
    """Move a cycle into its next phase; phases cannot be skipped or gone back to."""
    actor = require_secretariat(user)
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
    if phase == Cycle.Phase.CALL_OPEN:
        other = Cycle.objects.filter(phase=Cycle.Phase.CALL_OPEN).exclude(pk=cycle.pk).first()
        if other is not None:
            raise Conflict(_("The call for updates of %(year)s is still open.") % {"year": other.year})
    cycle.phase = phase
    cycle.save(update_fields=["phase"])
    PhaseChange.objects.create(
        cycle=cycle, phase=phase, changed_by=actor.user, organisation=actor.organisation
    )
    return cycle


#: The cycle in progress first: the newest one that has left the planning phase, else the newest.
CURRENT_FIRST = (Case(When(phase=Cycle.Phase.PLANNED, then=Value(1)), default=Value(0)), "-year")


def current_cycle() -> Cycle | None:
    """The cycle in progress: the newest one that has left the planning phase, else the newest."""
    return Cycle.objects.order_by(*CURRENT_FIRST).first()


# --- meetings and outcomes --------------------------------------------------------------------------


@transaction.atomic
def record_meeting(user, year: int, data: Mapping[str, Any]) -> Meeting:
    """Record a meeting of a mechanism or of the Council, with its agenda (para 21: existing mechanisms)."""
    actor = require_secretariat(user)
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
        created_by=actor.user,
    )
    participants = [_organisation(code, "participants") for code in data.get("participants", [])]
    meeting.participants.set(participants)
    for position, item in enumerate(data.get("agenda", [])):
        agenda_item = AgendaItem.objects.create(
            meeting=meeting, position=position, title=_text(item, "title", 300)
        )
        agenda_item.actions.set(_actions(item.get("actions")))
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

    Signed as a record of the recording secretariat's party and organisation.
    """
    from .records import sign_outcome

    actor = require_node_party(require_secretariat(user))
    meeting = get_meeting(meeting_uid)
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


def open_guidance(before_year: int | None = None):
    """Decisions and guidance not yet closed, from meetings of earlier cycles (what the report follows up)."""
    items = Outcome.objects.exclude(kind=Outcome.Kind.NOTE).exclude(follow_up=Outcome.FollowUp.CLOSED)
    if before_year is not None:
        items = items.filter(meeting__cycle__year__lt=before_year)
    return items.select_related("meeting__cycle", "owner", "ledger_entry")


# --- priorities -------------------------------------------------------------------------------------


@transaction.atomic
def set_priority(user, meeting_uid, data: Mapping[str, Any]) -> Priority:
    """A priority for a cycle, set at a Council meeting, on an area or an action."""
    require_secretariat(user)
    meeting = get_meeting(meeting_uid)
    if meeting.kind != Meeting.Kind.COUNCIL:
        raise Invalid(
            _("meeting: priorities are set by the Council."), {"meeting": _("not a Council meeting")}
        )
    cycle = get_cycle(int(data.get("cycle") or meeting.cycle.year + 1))
    area = _areas([data["area"]])[0] if data.get("area") else None
    action = _actions([data["action"]])[0] if data.get("action") else None
    if area is None and action is None:
        raise Invalid(_("area: give an area or an action."), {"area": _("required"), "action": _("required")})
    return Priority.objects.create(
        cycle=cycle,
        set_at=meeting,
        area=area,
        action=action,
        rationale=_text(data, "rationale", 2000),
        language=_language(data),
    )


@transaction.atomic
def record_priority_result(user, priority_id: int, data: Mapping[str, Any]) -> Priority:
    """Say what became of a priority, for the next report."""
    require_secretariat(user)
    priority = Priority.objects.filter(pk=priority_id).first()
    if priority is None:
        raise NotFound(_("There is no such priority."))
    result = data.get("result")
    if result not in Priority.Outcome.values:
        raise Invalid(
            _("result: choose one of %(r)s.") % {"r": ", ".join(Priority.Outcome.values)},
            {"result": str(result)},
        )
    priority.result = result
    priority.result_note = _text(data, "note", required=False)
    priority.save(update_fields=["result", "result_note"])
    return priority


# --- stakeholder input ------------------------------------------------------------------------------


@transaction.atomic
def open_window(user, year: int, data: Mapping[str, Any]) -> ConsultationWindow:
    """A consultation window of a cycle."""
    require_secretariat(user)
    cycle = get_cycle(year)
    opens, closes = data.get("opens"), data.get("closes")
    if not isinstance(opens, datetime.datetime) or not isinstance(closes, datetime.datetime):
        raise Invalid(
            _("opens: give the opening and closing times."), {"opens": _("required"), "closes": _("required")}
        )
    check_time(opens, "opens")
    check_time(closes, "closes")
    if closes <= opens:
        raise Invalid(_("closes: the window must close after it opens."), {"closes": _("before opening")})
    return ConsultationWindow.objects.create(
        cycle=cycle, title=_text(data, "title", 300), opens=opens, closes=closes
    )


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
            _("This consultation window is open from %(opens)s to %(closes)s; it takes no contribution now.")
            % {
                "opens": window.opens.strftime("%Y-%m-%d %H:%M UTC"),
                "closes": window.closes.strftime("%Y-%m-%d %H:%M UTC"),
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
        contribution.attachment = attachment
    contribution.save()
    contribution.areas.set(_areas(data.get("areas")))
    contribution.actions.set(_actions(data.get("actions")))
    return contribution


@transaction.atomic
def moderate(user, contribution_uid, data: Mapping[str, Any]) -> Contribution:
    """Accept or reject (with a reason) a contribution, optionally with a reply; a secretariat moderates
    the contributions of its own party's stakeholders and Member States only."""
    actor = require_secretariat(user)
    contribution = Contribution.objects.select_for_update().filter(uid=contribution_uid).first()
    if contribution is None:
        raise NotFound(_("There is no such contribution."))
    require_moderate(actor, contribution.organisation.party_id)
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
    return contribution


# --- who has not reported, and reminders ------------------------------------------------------------


def missing_updates(cycle: Cycle) -> list[tuple[JointAction, Any]]:
    """(action, party) pairs without an update from that party for this cycle (two queries)."""
    from partnership.people.models import Party
    from partnership.programme.models import ProgressUpdate

    reported = set(
        ProgressUpdate.objects.filter(period=cycle.year).values_list("action_id", "party_id").distinct()
    )
    parties = list(Party.objects.all())
    return [
        (action, party)
        for action in JointAction.objects.order_by("paragraph")
        for party in parties
        if (action.pk, party.pk) not in reported
    ]


def send_reminders(year: int, today: datetime.date | None = None) -> int:
    """Mail the leads of actions their party has not reported on this cycle; never twice a day.

    Returns the number of messages sent. The lead organisations' action leads get the reminder; a party
    with no lead account on an action has its secretariat reminded instead.
    """
    cycle = get_cycle(year)
    today = today or timezone.now().date()
    sent = 0
    members = list(
        Membership.objects.select_related("user", "organisation")
        .filter(user__is_active=True)
        .exclude(user__email="")
    )
    leads_of = {
        action.pk: {lead.pk for lead in action.leads.all()}
        for action in JointAction.objects.prefetch_related("leads")
    }
    for action, party in missing_updates(cycle):
        recipients = [
            m.user
            for m in members
            if m.organisation.party_id == party.pk
            and m.role == Membership.Role.ACTION_LEAD
            and m.organisation_id in leads_of[action.pk]
        ] or [
            m.user
            for m in members
            if m.organisation.party_id == party.pk and m.role == Membership.Role.SECRETARIAT
        ]
        for recipient in recipients:
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
            send_mail(
                subject=_("Reminder: progress update for para %(p)s, cycle %(y)s")
                % {"p": action.paragraph, "y": year},
                message=_(
                    "Your party has not yet filed its %(y)s update on joint action %(p)s (%(t)s). "
                    "The call for updates closes on %(closes)s."
                )
                % {"y": year, "p": action.paragraph, "t": action.title_en, "closes": cycle.call_closes},
                from_email=None,
                recipient_list=[recipient.email],
            )
            sent += 1
    return sent
