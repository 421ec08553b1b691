"""API of the cycle: the same services as the pages, for scripts of the secretariats and stakeholders."""

import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict, Field

from partnership.api_helpers import WRITE_AUTH, SignedOut, error_responses, ledger_fields, reader, signed_in
from partnership.programme.api import TRANSLATION_RESPONSES, LanguageTag, TranslationIn, put_translation

from . import queries, report, services
from .models import Contribution, Cycle, Meeting, Outcome, Priority

router = Router(tags=["cycle"])


class In(Schema):
    """Input schemas refuse fields they do not know."""

    model_config = ConfigDict(extra="forbid")


WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)


class PhaseChangeOut(Schema):
    phase: str
    organisation: str
    changed_at: datetime.datetime


class CalendarProposalOut(Schema):
    id: UUID
    call_opens: datetime.date
    call_closes: datetime.date
    council_date: datetime.date | None
    proposed_by: str = Field(..., description="The proposing party; the other party's secretariat agrees")
    proposed_at: datetime.datetime


class CycleOut(Schema):
    year: int
    phase: str
    call_opens: datetime.date = Field(..., description="The standing calendar (agreed, or as first proposed)")
    call_closes: datetime.date
    council_date: datetime.date | None
    calendar_agreed: bool = Field(..., description="Whether both parties agreed these dates")
    late_updates: Literal["mark", "refuse"] = Field(
        description="What becomes of an update filed after the call closes: marked late, or refused"
    )
    calendar_proposal: CalendarProposalOut | None = Field(
        None, description="A proposed calendar awaiting the other party's agreement"
    )
    phase_changes: list[PhaseChangeOut]
    missing_updates: dict[str, list[int]] | None = Field(
        None, description="Paragraphs each party has not reported on this cycle (members only)"
    )


class CycleIn(In):
    year: int
    call_opens: datetime.date
    call_closes: datetime.date
    council_date: datetime.date | None = None
    late_updates: Literal["mark", "refuse"] = "mark"


class LateUpdatesIn(In):
    late_updates: Literal["mark", "refuse"]


class CalendarIn(In):
    call_opens: datetime.date
    call_closes: datetime.date
    council_date: datetime.date | None = None


class AgreeIn(In):
    proposal: UUID | None = Field(
        None, description="The proposal read; refused if the calendar has been changed since"
    )


class PhaseIn(In):
    phase: Literal["call_open", "call_closed", "stock_take", "council_held", "guidance_published"]


class AgendaItemIn(In):
    title: str
    actions: list[int] = []


class MeetingIn(In):
    mechanism: str = Field(..., description="Organisation code of a cooperation mechanism (kind mechanism)")
    kind: Literal["council", "dialogue", "workshop", "round_table", "committee"]
    title: str
    language: Literal["en", "ja"]
    date: datetime.date
    place: str = ""
    online: bool = False
    participants: list[str] = []
    minutes: str = ""
    agenda: list[AgendaItemIn] = []


class OutcomeOut(SignedOut):
    id: UUID
    kind: str
    text: str
    language: str
    owner: str | None
    follow_up: str
    follow_up_note: str
    proposed_by: str | None = Field(None, description="The host party that recorded it")
    agreed_by: str | None = Field(
        None, description="The party that confirmed it; null while a decision or guidance item awaits it"
    )


class MeetingOut(SignedOut):
    id: UUID
    cycle: int
    host: str | None
    mechanism: str
    kind: str
    title: str
    language: str
    date: datetime.date
    place: str
    online: bool
    outcomes: list[OutcomeOut]


class OutcomeIn(In):
    kind: Literal["decision", "guidance", "note"]
    text: str
    language: Literal["en", "ja"]
    owner: str | None = None
    areas: list[str] = []
    actions: list[int] = []


class FollowUpIn(In):
    follow_up: Literal["open", "in_progress", "closed"]
    note: str = ""


class PriorityIn(In):
    area: str | None = None
    action: int | None = None
    rationale: str
    language: Literal["en", "ja"]
    cycle: int | None = Field(None, description="The cycle it is set for; the next one when left out")


class PriorityOut(SignedOut):
    id: int
    uid: UUID
    cycle: int
    area: str | None
    action: int | None
    rationale: str
    result: str
    proposed_by: str | None
    agreed_by: str | None


class ContributionIn(In):
    text: str
    language: Literal["en", "ja"]
    areas: list[str] = []
    actions: list[int] = []


class ContributionOut(Schema):
    id: UUID
    organisation: str
    text: str
    language: str
    status: str
    reply: str
    created_at: datetime.datetime


class ModerationIn(In):
    status: Literal["accepted", "rejected"]
    reason: str = ""
    reply: str = ""


def cycle_out(cycle: Cycle, user=None) -> dict[str, Any]:
    """A cycle with its standing calendar and any proposal awaiting the other party; who has not
    reported (`missing_updates`) only when `user` may read progress."""
    pending = services.pending_calendar(cycle)
    return {
        "year": cycle.year,
        "phase": cycle.phase,
        "call_opens": cycle.call_opens,
        "call_closes": cycle.call_closes,
        "council_date": cycle.council_date,
        "late_updates": cycle.late_updates,
        "calendar_agreed": cycle.calendar_agreed,
        "calendar_proposal": None
        if pending is None
        else {
            "id": pending.uid,
            "call_opens": pending.call_opens,
            "call_closes": pending.call_closes,
            "council_date": pending.council_date,
            "proposed_by": pending.party.code,
            "proposed_at": pending.proposed_at,
        },
        "phase_changes": [
            {"phase": c.phase, "organisation": c.organisation.code, "changed_at": c.changed_at}
            for c in cycle.phase_changes.all()
        ],
        "missing_updates": queries.missing_updates(user, cycle) if user is not None else None,
    }


def outcome_out(outcome: Outcome) -> dict[str, Any]:
    return {
        "id": outcome.uid,
        "kind": outcome.kind,
        "text": outcome.text,
        "language": outcome.language,
        "owner": outcome.owner.code if outcome.owner else None,
        "follow_up": outcome.follow_up,
        "follow_up_note": outcome.follow_up_note,
        "proposed_by": outcome.meeting.party.code if outcome.meeting.party else None,
        "agreed_by": outcome.agreed_by.code if outcome.agreed_by else None,
        **ledger_fields(outcome),
    }


def priority_out(priority: Priority) -> dict[str, Any]:
    return {
        "id": priority.pk,
        "uid": priority.uid,
        "cycle": priority.cycle.year,
        "area": priority.area.code if priority.area else None,
        "action": priority.action.paragraph if priority.action else None,
        "rationale": priority.rationale,
        "result": priority.result,
        "proposed_by": priority.set_at.party.code if priority.set_at.party else None,
        "agreed_by": priority.agreed_by.code if priority.agreed_by else None,
        **ledger_fields(priority),
    }


def meeting_out(meeting: Meeting) -> dict[str, Any]:
    return {
        "id": meeting.uid,
        "cycle": meeting.cycle.year,
        "host": meeting.party.code if meeting.party else None,
        "mechanism": meeting.mechanism.code,
        "kind": meeting.kind,
        "title": meeting.title,
        "language": meeting.language,
        "date": meeting.date,
        "place": meeting.place,
        "online": meeting.online,
        "outcomes": [outcome_out(o) for o in meeting.outcomes.all()],
        **ledger_fields(meeting),
    }


def contribution_out(contribution: Contribution) -> dict[str, Any]:
    return {
        "id": contribution.uid,
        "organisation": contribution.organisation.code,
        "text": contribution.text,
        "language": contribution.language,
        "status": contribution.status,
        "reply": contribution.reply,
        "created_at": contribution.created_at,
    }


@router.get("cycles", response=list[CycleOut], summary="The yearly cycles and where each stands")
def list_cycles(request):
    return [cycle_out(cycle) for cycle in queries.cycles()]


@router.get("cycles/{year}", response=CycleOut, summary="One cycle; members also see who has not reported")
def get_cycle(request, year: int):
    return cycle_out(queries.cycle(year), reader(request))


@router.post("cycles", auth=WRITE_AUTH, response={201: CycleOut, **WRITE_ERRORS}, summary="Plan a cycle")
def create_cycle(request, payload: CycleIn):
    created = services.create_cycle(request.auth, payload.model_dump())
    return Status(201, cycle_out(queries.cycle(created.year), request.auth))


@router.post(
    "cycles/{year}/phase",
    auth=WRITE_AUTH,
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Enter the next phase",
)
def advance_phase(request, year: int, payload: PhaseIn):
    changed = services.advance_phase(request.auth, year, payload.phase)
    return Status(200, cycle_out(queries.cycle(changed.year), request.auth))


@router.put(
    "cycles/{year}/late-updates",
    auth=WRITE_AUTH,
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Decide what becomes of updates filed after the call closes (marked late, or refused)",
)
def set_late_updates(request, year: int, payload: LateUpdatesIn):
    changed = services.set_late_updates(request.auth, year, payload.late_updates)
    return cycle_out(queries.cycle(changed.year), request.auth)


@router.post(
    "cycles/{year}/calendar",
    auth=WRITE_AUTH,
    response={201: CycleOut, **WRITE_ERRORS},
    summary="Propose a change of the cycle's calendar (the other party agrees to it)",
)
def propose_calendar(request, year: int, payload: CalendarIn):
    services.propose_calendar(request.auth, year, payload.model_dump())
    return Status(201, cycle_out(queries.cycle(year), request.auth))


@router.post(
    "cycles/{year}/calendar/agree",
    auth=WRITE_AUTH,
    response={200: CycleOut, **WRITE_ERRORS},
    summary="Agree to the calendar the other party's secretariat proposed",
)
def agree_calendar(request, year: int, payload: AgreeIn | None = None):
    proposal = payload.proposal if payload is not None else None
    return Status(
        200,
        cycle_out(queries.cycle(services.agree_calendar(request.auth, year, proposal).year), request.auth),
    )


@router.get(
    "cycles/{year}/meetings",
    response={200: list[MeetingOut], **error_responses(401, 403, 404)},
    summary="Meetings of a cycle, with outcomes (members)",
)
def list_meetings(request, year: int):
    return [meeting_out(m) for m in queries.meetings(signed_in(request), year)]


@router.post(
    "cycles/{year}/meetings",
    auth=WRITE_AUTH,
    response={201: MeetingOut, **WRITE_ERRORS},
    summary="Record a meeting",
)
def record_meeting(request, year: int, payload: MeetingIn):
    return Status(201, meeting_out(services.record_meeting(request.auth, year, payload.model_dump())))


@router.post(
    "meetings/{uid}/outcomes",
    auth=WRITE_AUTH,
    response={201: OutcomeOut, **WRITE_ERRORS},
    summary="Record a decision, guidance item (both need an owner) or note",
)
def record_outcome(request, uid: UUID, payload: OutcomeIn):
    return Status(201, outcome_out(services.record_outcome(request.auth, uid, payload.model_dump())))


@router.post(
    "outcomes/{uid}/follow-up",
    auth=WRITE_AUTH,
    response={200: OutcomeOut, **WRITE_ERRORS},
    summary="Report on a decision or guidance item",
)
def follow_up(request, uid: UUID, payload: FollowUpIn):
    return Status(200, outcome_out(services.follow_up(request.auth, uid, payload.model_dump())))


@router.post(
    "meetings/{uid}/priorities",
    auth=WRITE_AUTH,
    response={201: PriorityOut, **WRITE_ERRORS},
    summary="Set a priority at a Council meeting",
)
def set_priority(request, uid: UUID, payload: PriorityIn):
    return Status(201, priority_out(services.set_priority(request.auth, uid, payload.model_dump())))


@router.post(
    "outcomes/{uid}/confirm",
    auth=WRITE_AUTH,
    response={200: OutcomeOut, **WRITE_ERRORS},
    summary="Confirm a decision or guidance item the other party's secretariat recorded",
)
def confirm_outcome(request, uid: UUID):
    return Status(200, outcome_out(services.confirm_outcome(request.auth, uid)))


@router.post(
    "priorities/{uid}/confirm",
    auth=WRITE_AUTH,
    response={200: PriorityOut, **WRITE_ERRORS},
    summary="Confirm a priority the other party's secretariat recorded",
)
def confirm_priority(request, uid: UUID):
    return Status(200, priority_out(services.confirm_priority(request.auth, uid)))


@router.get(
    "cycles/{year}/contributions",
    response=list[ContributionOut],
    summary="Accepted contributions (public); secretariats see all",
)
def list_contributions(request, year: int):
    return [contribution_out(c) for c in queries.contributions(reader(request), year)]


@router.post(
    "windows/{window_id}/contributions",
    auth=WRITE_AUTH,
    response={201: ContributionOut, **WRITE_ERRORS},
    summary="Contribute while a consultation window is open (stakeholders, Member States)",
)
def submit_contribution(request, window_id: int, payload: ContributionIn):
    return Status(
        201, contribution_out(services.submit_contribution(request.auth, window_id, payload.model_dump()))
    )


@router.post(
    "contributions/{uid}/moderation",
    auth=WRITE_AUTH,
    response={200: ContributionOut, **WRITE_ERRORS},
    summary="Accept, or reject with a reason",
)
def moderate(request, uid: UUID, payload: ModerationIn):
    return Status(200, contribution_out(services.moderate(request.auth, uid, payload.model_dump())))


class CountersignIn(In):
    sha256: str = Field(
        description="The SHA-256 of the published report you read (`sha256` of its report.json)"
    )


class ReportSignatureOut(Schema):
    party: str
    key: str = Field(description="C2SP verifier key of the node that signed")
    signature: str = Field(
        description="base64 Ed25519 signature of partnership-report-v1\\n<year>\\n<sha256>\\n<party>\\n"
    )
    time: str


class ReportSignaturesOut(Schema):
    year: int
    sha256: str
    signatures: list[ReportSignatureOut]


@router.post(
    "cycles/{year}/report/countersign",
    auth=WRITE_AUTH,
    response={201: ReportSignaturesOut, **WRITE_ERRORS},
    summary="Countersign the published report for your party (the other party's secretariat)",
)
def countersign_report(request, year: int, payload: CountersignIn):
    signature = report.countersign_report(request.auth, year, payload.sha256)
    document = report.report_document(signature.report)
    return Status(201, {"year": year, "sha256": document["sha256"], "signatures": document["signatures"]})


# --- translations (issue 15): the same service and schemas as the programme's ----------------------


@router.put(
    "outcomes/{uid}/translations/{language}",
    auth=WRITE_AUTH,
    response=TRANSLATION_RESPONSES,
    summary="Add or replace the translation of a meeting outcome (the host party's secretariat)",
)
def translate_outcome(request, uid: str, language: LanguageTag, payload: TranslationIn):
    return put_translation(request, "outcome", uid, language, payload)


@router.put(
    "contributions/{uid}/translations/{language}",
    auth=WRITE_AUTH,
    response=TRANSLATION_RESPONSES,
    summary="Add or replace the translation of a contribution (its author or its party's secretariat)",
)
def translate_contribution(request, uid: str, language: LanguageTag, payload: TranslationIn):
    return put_translation(request, "contribution", uid, language, payload)
