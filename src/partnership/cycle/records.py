"""What the cycle shares with the other party through the ledger: the cycle is the partnership's.

Each record is signed by the node of the party that owns it, in the transaction of the write, and is
read-only on the other node. The record's `party` and `organisation` are the author's; its `time` the
moment of the write. Record types and the members of their `content` (dates ISO 8601, times RFC 3339 UTC):

- `cycle.calendar`, a calendar proposed by a secretariat (the first one plans the cycle; each is
  immutable): `uid`, `year`, `call_opens`, `call_closes`, `council_date` (or null).
- `cycle.agreement`, the other party's secretariat agreeing to a proposal: `subject` ("calendar",
  "outcome" or "priority"), `uid` (the proposal's), `sha256` (hex SHA-256 of the RFC 8785 JSON of the
  proposal's terms, `terms()`): an agreement to other terms than those held is refused.
- `cycle.phase`, a secretariat moving a cycle to its next phase: `year`, `phase`.
- `cycle.meeting`, recorded by its host secretariat: `uid`, `cycle` (year), `kind`, `mechanism`,
  `title`, `language`, `date`, `place`, `online`, `participants` (organisation codes), `minutes`,
  `agenda` ([{`title`, `actions`}]).
- `cycle.outcome`, at each creation (by the host secretariat) and each follow-up (by whoever reports
  it): `uid`, `kind`, `text`, `language`, `owner` (organisation code or null for a note), `areas`
  (area codes), `actions` (paragraph numbers), `follow_up`, `follow_up_note`, `closed_in` (year or
  null), `meeting`: {`uid`, `cycle`, `kind`, `mechanism`, `title`, `language`, `date`}.
- `cycle.priority`, set by the host secretariat of a Council meeting, again at each result: `uid`,
  `cycle` (the year it is for), `meeting` (as in `cycle.outcome`), `area` (code or null), `action`
  (paragraph or null), `rationale`, `language`, `result`, `result_note`.
- `cycle.window`, a consultation window opened by a secretariat: `uid`, `cycle`, `title`, `opens`,
  `closes`.
- `cycle.contribution`, signed by the contributor's party when its secretariat accepts it (only
  accepted contributions are shared): `uid`, `window` (uid), `organisation`, `text`, `language`,
  `areas`, `actions`, `attachment` ({`name`, `sha256`} of the file, not the file, or null), `reply`,
  `submitted_at`.

A meeting travels with its outcomes and priorities, so the other node can show them under it even
without the `cycle.meeting` record; a proposal's cycle travels as its year, and the first calendar of a
year creates the cycle. Records of one log are applied in log order and sync never retries a record it
did not apply, so each applier needs only what its own party's log holds before it (or the receiving
node's own data): with two parties a record naming a peer's object is applied on that object's node.

The appliers (registered in `apps.CycleConfig.ready`) are idempotent: a record already applied, or older
than the state held, changes nothing. They refuse (`RecordRejected`) malformed content, a record that
would change an object another node signed, a phase that skips one, an agreement by the proposer's own
party, to other terms, or to something already agreed.

`cycle.report` is signed when a secretariat publishes a cycle's report, so that both nodes hold and serve
the same document; its `time` is the publication. `cycle.report_signature` is signed when the other
party's secretariat countersigns it; its `time` is the countersignature's. Content members:

    cycle.report:           year, sha256, data (the frozen report data's canonical JSON, as a string), key,
                            signature
    cycle.report_signature: year, sha256, key, signature

`data` is a string, not a JSON object, because the SHA-256 is of the data's canonical JSON
(`report.build.canonical_json`), not of its JCS form: a number such as 1.0 would come back from JCS as 1
and hash differently on the other node. `key` is the verifier key of the node that signed
`report.signatures.signed_message(year, sha256, party)`, `signature` its base64 Ed25519 signature, made
for the record's party. `apply_report` refuses a report whose data does not have that SHA-256, a cycle
this node lacks (its calendar comes first in the publisher's log), a key that is not the peer node's, a
signature that does not verify, or another report of the same year already held here.
`apply_report_signature` refuses a signature of another SHA-256, by a key that is not the peer node's,
or a second one of the same party; one for a report this node does not hold yet is kept, marked, and
applied when the report arrives (`apply_report` tries it again).
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_noop

from partnership.errors import Invalid, NotFound
from partnership.ledger.canonical import canonical_json
from partnership.ledger.records import format_time
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_party,
    content_of,
    held_by_peer,
    newer_entry,
    party_organisation,
    record_time,
    uid_of,
)
from partnership.people.models import Organisation, Party
from partnership.programme.records import sign

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
    PublishedReport,
    ReportSignature,
)

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry
    from partnership.ledger.records import SignedRecord
    from partnership.people.permissions import Actor

CALENDAR = "cycle.calendar"
AGREEMENT = "cycle.agreement"
PHASE = "cycle.phase"
MEETING = "cycle.meeting"
OUTCOME = "cycle.outcome"
PRIORITY = "cycle.priority"
WINDOW = "cycle.window"
CONTRIBUTION = "cycle.contribution"
REPORT = "cycle.report"
REPORT_SIGNATURE = "cycle.report_signature"
REPORT_MEMBERS = ("year", "sha256", "data", "key", "signature")
REPORT_SIGNATURE_MEMBERS = ("year", "sha256", "key", "signature")
# Why a countersignature waits: `apply_report` applies the ones marked with it when the report arrives.
NO_REPORT_YET = gettext_noop(
    "there is no published report of %(year)s on this node yet: the signature of %(party)s is kept and "
    "applied when the report arrives"
)

CALENDAR_MEMBERS = ("uid", "year", "call_opens", "call_closes", "council_date")
AGREEMENT_MEMBERS = ("subject", "uid", "sha256")
PHASE_MEMBERS = ("year", "phase")
MEETING_RECORD_MEMBERS = (
    "uid",
    "cycle",
    "kind",
    "mechanism",
    "title",
    "language",
    "date",
    "place",
    "online",
    "participants",
    "minutes",
    "agenda",
)
OUTCOME_MEMBERS = (
    "uid",
    "meeting",
    "kind",
    "text",
    "language",
    "owner",
    "areas",
    "actions",
    "follow_up",
    "follow_up_note",
    "closed_in",
)
MEETING_MEMBERS = ("uid", "cycle", "kind", "mechanism", "title", "language", "date")
PRIORITY_MEMBERS = (
    "uid",
    "cycle",
    "meeting",
    "area",
    "action",
    "rationale",
    "language",
    "result",
    "result_note",
)
WINDOW_MEMBERS = ("uid", "cycle", "title", "opens", "closes")
CONTRIBUTION_MEMBERS = (
    "uid",
    "window",
    "organisation",
    "text",
    "language",
    "areas",
    "actions",
    "attachment",
    "reply",
    "submitted_at",
)
SUBJECTS = ("calendar", "outcome", "priority")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")


# --- contents ---------------------------------------------------------------------------------------


def calendar_content(proposal: CalendarProposal) -> dict[str, Any]:
    """The content of a `cycle.calendar` record (also the terms its agreement names)."""
    return {
        "uid": str(proposal.uid),
        "year": proposal.cycle.year,
        "call_opens": proposal.call_opens.isoformat(),
        "call_closes": proposal.call_closes.isoformat(),
        "council_date": proposal.council_date.isoformat() if proposal.council_date else None,
    }


def meeting_reference(meeting: Meeting) -> dict[str, Any]:
    """What an outcome or priority carries of its meeting, so that it can be shown under it anywhere."""
    return {
        "uid": str(meeting.uid),
        "cycle": meeting.cycle.year,
        "kind": meeting.kind,
        "mechanism": meeting.mechanism.code,
        "title": meeting.title,
        "language": meeting.language,
        "date": meeting.date.isoformat(),
    }


def meeting_content(meeting: Meeting) -> dict[str, Any]:
    """The content of a `cycle.meeting` record: the meeting as its host recorded it."""
    return {
        **meeting_reference(meeting),
        "place": meeting.place,
        "online": meeting.online,
        "participants": sorted(organisation.code for organisation in meeting.participants.all()),
        "minutes": meeting.minutes,
        "agenda": [
            {"title": item.title, "actions": sorted(action.paragraph for action in item.actions.all())}
            for item in meeting.agenda.all()
        ],
    }


def outcome_content(outcome: Outcome) -> dict[str, Any]:
    """The content of a `cycle.outcome` record: the outcome's full current state and its meeting."""
    return {
        "uid": str(outcome.uid),
        "meeting": meeting_reference(outcome.meeting),
        "kind": outcome.kind,
        "text": outcome.text,
        "language": outcome.language,
        "owner": outcome.owner.code if outcome.owner is not None else None,
        "areas": sorted(area.code for area in outcome.areas.all()),
        "actions": sorted(action.paragraph for action in outcome.actions.all()),
        "follow_up": outcome.follow_up,
        "follow_up_note": outcome.follow_up_note,
        "closed_in": outcome.closed_in.year if outcome.closed_in is not None else None,
    }


def priority_content(priority: Priority) -> dict[str, Any]:
    """The content of a `cycle.priority` record: the priority and what became of it."""
    return {
        "uid": str(priority.uid),
        "cycle": priority.cycle.year,
        "meeting": meeting_reference(priority.set_at),
        "area": priority.area.code if priority.area is not None else None,
        "action": priority.action.paragraph if priority.action is not None else None,
        "rationale": priority.rationale,
        "language": priority.language,
        "result": priority.result,
        "result_note": priority.result_note,
    }


def window_content(window: ConsultationWindow) -> dict[str, Any]:
    """The content of a `cycle.window` record."""
    return {
        "uid": str(window.uid),
        "cycle": window.cycle.year,
        "title": window.title,
        "opens": format_time(window.opens),
        "closes": format_time(window.closes),
    }


def contribution_content(contribution: Contribution) -> dict[str, Any]:
    """The content of a `cycle.contribution` record: an accepted contribution, its file named and hashed."""
    attachment = None
    if contribution.attachment_sha256:
        attachment = {"name": contribution.attachment_name, "sha256": contribution.attachment_sha256}
    return {
        "uid": str(contribution.uid),
        "window": str(contribution.window.uid),
        "organisation": contribution.organisation.code,
        "text": contribution.text,
        "language": contribution.language,
        "areas": sorted(area.code for area in contribution.areas.all()),
        "actions": sorted(action.paragraph for action in contribution.actions.all()),
        "attachment": attachment,
        "reply": contribution.reply,
        "submitted_at": format_time(contribution.created_at),
    }


def terms(subject: str, proposal: Any) -> dict[str, Any]:
    """What an agreement to `proposal` agrees to: the proposal without what changes later (follow-up,
    results), so a follow-up does not undo an agreement while a changed text would."""
    if subject == "calendar":
        return calendar_content(proposal)
    if subject == "outcome":
        content = outcome_content(proposal)
        return {k: content[k] for k in ("uid", "kind", "text", "language", "owner", "areas", "actions")} | {
            "meeting": str(proposal.meeting.uid)
        }
    content = priority_content(proposal)
    return {k: content[k] for k in ("uid", "cycle", "area", "action", "rationale", "language")} | {
        "meeting": str(proposal.set_at.uid)
    }


def terms_sha256(subject: str, proposal: Any) -> str:
    """Hex SHA-256 of the RFC 8785 JSON of the proposal's terms: what a `cycle.agreement` names."""
    return hashlib.sha256(canonical_json(terms(subject, proposal))).hexdigest()


# --- signing ----------------------------------------------------------------------------------------


def _sign(actor: Actor, record_type: str, content: dict[str, Any], now: datetime.datetime | None = None):
    from django.utils import timezone

    return sign(record_type, actor.party.code, actor.organisation.code, now or timezone.now(), content)


def _keep(obj: Any, entry: LogEntry) -> None:
    type(obj).objects.filter(pk=obj.pk).update(ledger_entry=entry)
    obj.ledger_entry = entry


def sign_calendar(actor: Actor, proposal: CalendarProposal) -> None:
    """Sign a calendar proposal as the proposing secretariat's record."""
    _keep(proposal, _sign(actor, CALENDAR, calendar_content(proposal), proposal.proposed_at))


def sign_agreement(actor: Actor, subject: str, proposal: Any, now: datetime.datetime) -> LogEntry:
    """Sign the actor's party's agreement to `proposal` (its terms' SHA-256); returns the entry."""
    content = {"subject": subject, "uid": str(proposal.uid), "sha256": terms_sha256(subject, proposal)}
    return _sign(actor, AGREEMENT, content, now)


def sign_phase(actor: Actor, change: PhaseChange) -> None:
    """Sign a phase change as the secretariat's record."""
    content = {"year": change.cycle.year, "phase": change.phase}
    _keep(change, _sign(actor, PHASE, content, change.changed_at))


def sign_meeting(actor: Actor, meeting: Meeting) -> None:
    """Sign a meeting as its host secretariat's record."""
    _keep(meeting, _sign(actor, MEETING, meeting_content(meeting)))


def sign_outcome(actor: Actor, outcome: Outcome, now: datetime.datetime) -> None:
    """Sign the outcome's current state as the actor's record and keep its entry on the outcome."""
    _keep(outcome, _sign(actor, OUTCOME, outcome_content(outcome), now))


def sign_priority(actor: Actor, priority: Priority) -> None:
    """Sign the priority's current state as the host secretariat's record."""
    _keep(priority, _sign(actor, PRIORITY, priority_content(priority)))


def sign_window(actor: Actor, window: ConsultationWindow) -> None:
    """Sign a consultation window as the opening secretariat's record."""
    _keep(window, _sign(actor, WINDOW, window_content(window)))


def sign_contribution(actor: Actor, contribution: Contribution) -> None:
    """Sign an accepted contribution as a record of its contributor's party and organisation (the
    accepting secretariat's node signs it: the stakeholder's word, vouched for by its party)."""
    from django.utils import timezone

    content = contribution_content(contribution)
    entry = sign(CONTRIBUTION, actor.party.code, contribution.organisation.code, timezone.now(), content)
    _keep(contribution, entry)


# --- applying: shared checks ------------------------------------------------------------------------


def _checked(check, *args, **kwargs):
    """A cycle service's input check, its Invalid turned into the record's rejection."""
    try:
        return check(*args, **kwargs)
    except (Invalid, NotFound) as error:
        raise RecordRejected(str(error)) from None


def _cycle(year: Any, what: str) -> Cycle:
    cycle = Cycle.objects.filter(year=year).first() if isinstance(year, int) else None
    if cycle is None:
        raise RecordRejected(f"{what}: there is no cycle {year!r} on this node")
    return cycle


def _codes(content: dict[str, Any], name: str, kind: type) -> list:
    items = content[name]
    if not isinstance(items, list) or not all(
        isinstance(item, kind) and not isinstance(item, bool) for item in items
    ):
        raise RecordRejected(f"{name} {items!r} is not a list of {kind.__name__}")
    return items


def _mechanism(code: Any, what: str) -> Organisation:
    mechanism = Organisation.objects.filter(code=code).first() if isinstance(code, str) else None
    if mechanism is None or mechanism.kind != Organisation.Kind.MECHANISM:
        raise RecordRejected(f"{what}: {code!r} is not a cooperation mechanism on this node")
    return mechanism


def _time(value: Any, what: str) -> datetime.datetime:
    if not isinstance(value, str) or not value.endswith("Z"):
        raise RecordRejected(f"{what} {value!r} is not an RFC 3339 UTC time")
    try:
        return datetime.datetime.fromisoformat(value.removesuffix("Z")).replace(tzinfo=datetime.UTC)
    except ValueError:
        raise RecordRejected(f"{what} {value!r} is not an RFC 3339 UTC time") from None


def _meeting(data: Any, party: Party) -> Meeting:
    """The meeting an outcome or priority names: the one held here with that uid, else created from the
    record with `party` (the record's author, its host) as host."""
    from . import services

    if not isinstance(data, dict) or any(name not in data for name in MEETING_MEMBERS):
        raise RecordRejected(f"meeting: an object with {', '.join(MEETING_MEMBERS)}")
    uid = uid_of(data)
    meeting = Meeting.objects.filter(uid=uid).first()
    if meeting is not None:
        return meeting
    cycle = _cycle(data["cycle"], "meeting")
    mechanism = _mechanism(data["mechanism"], "meeting")
    if data["kind"] not in Meeting.Kind.values:
        raise RecordRejected(f"meeting: unknown kind {data['kind']!r}")
    return Meeting.objects.create(
        uid=uid,
        cycle=cycle,
        mechanism=mechanism,
        kind=data["kind"],
        title=_checked(services._text, data, "title", 300),
        language=_checked(services._language, data),
        date=_checked(services._date, data, "date"),
        party=party,
        created_by=None,
    )


# --- the appliers -----------------------------------------------------------------------------------


def apply_calendar(record: SignedRecord, entry: LogEntry) -> None:
    """A peer secretariat's calendar proposal; the first one of a year plans the cycle here."""
    from . import services

    content = content_of(record, CALENDAR_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    existing = CalendarProposal.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, gettext_noop("calendar proposal"))
        return  # a proposal never changes
    year = content["year"]
    if not isinstance(year, int) or isinstance(year, bool) or not 2022 <= year <= 2100:
        raise RecordRejected(f"year {year!r} is not a year of the partnership")
    opens, closes, council = _checked(services._calendar, content)
    with transaction.atomic():
        cycle, _created = Cycle.objects.get_or_create(
            year=year, defaults={"call_opens": opens, "call_closes": closes, "council_date": council}
        )
        CalendarProposal.objects.create(
            uid=uid,
            cycle=cycle,
            call_opens=opens,
            call_closes=closes,
            council_date=council,
            party=party,
            organisation=party_organisation(party, record.organisation),
            proposed_at=record_time(record),
            ledger_entry=entry,
        )
        services.refresh_calendar(cycle)


def _subject(subject: Any, uid: Any) -> tuple[Any, Party | None]:
    """The proposal an agreement names and the party that proposed it."""
    if subject == "calendar":
        proposal = CalendarProposal.objects.select_related("cycle", "party").filter(uid=uid).first()
        return proposal, proposal.party if proposal else None
    if subject == "outcome":
        outcome = Outcome.objects.select_related("meeting__party").filter(uid=uid).first()
        return outcome, outcome.meeting.party if outcome else None
    priority = Priority.objects.select_related("set_at__party").filter(uid=uid).first()
    return priority, priority.set_at.party if priority else None


def apply_agreement(record: SignedRecord, entry: LogEntry) -> None:
    """A peer secretariat's agreement to a proposal: the proposal becomes agreed here too."""
    from . import services

    content = content_of(record, AGREEMENT_MEMBERS)
    subject = content["subject"]
    if subject not in SUBJECTS:
        raise RecordRejected(f"subject {subject!r} is not calendar, outcome or priority")
    uid = uid_of(content)
    party = author_party(record)
    proposal, proposer = _subject(subject, uid)
    if proposal is None or proposer is None:
        raise RecordRejected(f"there is no {subject} {uid} on this node to agree to")
    if proposal.agreement_entry_id == entry.pk:
        return  # already applied
    if proposer.pk == party.pk:
        raise RecordRejected(f"{party.code} cannot agree to its own {subject} {uid}")
    if proposal.agreed:
        raise RecordRejected(f"the {subject} {uid} is already agreed by {proposal.agreed_by.code}")
    if content["sha256"] != terms_sha256(subject, proposal):
        raise RecordRejected(f"the agreement names other terms than those of the {subject} {uid} held here")
    type(proposal).objects.filter(pk=proposal.pk).update(
        agreed_by=party, agreed_at=record_time(record), agreement_entry=entry
    )
    if subject == "calendar":
        services.refresh_calendar(proposal.cycle)


def apply_phase(record: SignedRecord, entry: LogEntry) -> None:
    """A peer secretariat moving a cycle to its next phase."""
    from . import services

    content = content_of(record, PHASE_MEMBERS)
    party = author_party(record)
    phase = content["phase"]
    if phase not in services.PHASES:
        raise RecordRejected(f"phase {phase!r} is not a phase of the cycle")
    cycle = Cycle.objects.select_for_update().filter(year=content["year"]).first()
    if cycle is None or not isinstance(content["year"], int):
        raise RecordRejected(f"there is no cycle {content['year']!r} on this node")
    current, wanted = services.PHASES.index(cycle.phase), services.PHASES.index(phase)
    if wanted <= current:
        return  # applied already, or both secretariats moved it to the same phase
    if wanted != current + 1:
        raise RecordRejected(f"the cycle {cycle.year} is at {cycle.phase}; {phase} does not follow it")
    cycle.phase = phase
    cycle.save(update_fields=["phase"])
    change = PhaseChange.objects.create(
        cycle=cycle,
        phase=phase,
        changed_by=None,
        organisation=party_organisation(party, record.organisation),
        ledger_entry=entry,
    )
    PhaseChange.objects.filter(pk=change.pk).update(changed_at=record_time(record))


def apply_meeting(record: SignedRecord, entry: LogEntry) -> None:
    """A meeting recorded by the peer party's secretariat, with its agenda and participants."""
    from . import services

    content = content_of(record, MEETING_RECORD_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    existing = Meeting.objects.select_related("ledger_entry").filter(uid=uid).first()
    # A meeting first learnt of from an outcome record has no record of its own yet: this fills it in.
    if existing is not None and (existing.ledger_entry_id is not None or existing.created_by_id is not None):
        held_by_peer(existing, entry, gettext_noop("meeting"))
        return  # a meeting record is signed once
    cycle = _cycle(content["cycle"], "meeting")
    mechanism = _mechanism(content["mechanism"], "meeting")
    if content["kind"] not in Meeting.Kind.values:
        raise RecordRejected(f"kind {content['kind']!r} is not a kind of meeting")
    if not isinstance(content["online"], bool):
        raise RecordRejected(f"online {content['online']!r} is not true or false")
    participants = []
    for code in _codes(content, "participants", str):
        organisation = Organisation.objects.filter(code=code).first()
        if organisation is None:
            raise RecordRejected(f"participants: {code!r} is not an organisation on this node")
        participants.append(organisation)
    agenda = content["agenda"]
    if not isinstance(agenda, list) or not all(isinstance(item, dict) for item in agenda):
        raise RecordRejected("agenda: a list of {title, actions}")
    items = []
    for item in agenda:
        if "actions" not in item:
            raise RecordRejected("agenda: each item has a title and actions")
        actions = _checked(services._actions, _codes(item, "actions", int))
        items.append((_checked(services._text, item, "title", 300), actions))
    values = {
        "cycle": cycle,
        "mechanism": mechanism,
        "kind": content["kind"],
        "title": _checked(services._text, content, "title", 300),
        "language": _checked(services._language, content),
        "date": _checked(services._date, content, "date"),
        "place": _checked(services._text, content, "place", 200, required=False),
        "online": content["online"],
        "minutes": _checked(services._text, content, "minutes", 50000, required=False),
        "party": party,
        "ledger_entry": entry,
    }
    with transaction.atomic():
        if existing is None:
            meeting = Meeting.objects.create(uid=uid, created_by=None, **values)
        else:
            Meeting.objects.filter(pk=existing.pk).update(**values)
            meeting = existing
            meeting.agenda.all().delete()
        meeting.participants.set(participants)
        for position, (title, actions) in enumerate(items):
            AgendaItem.objects.create(meeting=meeting, position=position, title=title).actions.set(actions)


def apply_outcome(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's outcome of a meeting, created or brought to the record's state."""
    from . import services

    content = content_of(record, OUTCOME_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    existing = Outcome.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, gettext_noop("outcome"))
        if not newer_entry(existing, entry):
            return  # already applied, or older than what is held
    kind, follow_up = content["kind"], content["follow_up"]
    if kind not in Outcome.Kind.values:
        raise RecordRejected(f"kind {kind!r} is not decision, guidance or note")
    if follow_up not in Outcome.FollowUp.values:
        raise RecordRejected(f"follow_up {follow_up!r} is not open, in_progress or closed")
    owner = None
    if kind != Outcome.Kind.NOTE:
        owner = Organisation.objects.filter(code=content["owner"]).first() if content["owner"] else None
        if owner is None:
            raise RecordRejected(f"owner {content['owner']!r}: a {kind} needs an owner known on this node")
    _codes(content, "areas", str)
    _codes(content, "actions", int)
    values = {
        "kind": kind,
        "text": _checked(services._text, content, "text"),
        "language": _checked(services._language, content),
        "owner": owner,
        "follow_up": follow_up,
        "follow_up_note": _checked(services._text, content, "follow_up_note", required=False),
        "closed_in": None if content["closed_in"] is None else _cycle(content["closed_in"], "closed_in"),
    }
    areas = _checked(services._areas, content["areas"])
    actions = _checked(services._actions, content["actions"])
    with transaction.atomic():
        meeting = _meeting(content["meeting"], party)
        if existing is not None and existing.meeting_id != meeting.pk:
            raise RecordRejected(f"outcome {uid} belongs to another meeting")
        if existing is None:
            outcome = Outcome.objects.create(uid=uid, meeting=meeting, ledger_entry=entry, **values)
            Outcome.objects.filter(pk=outcome.pk).update(created_at=record_time(record))
        else:
            outcome = existing
            Outcome.objects.filter(pk=outcome.pk).update(ledger_entry=entry, **values)
        outcome.areas.set(areas)
        outcome.actions.set(actions)


# --- published reports and their signatures ---------------------------------------------------------


def report_content(report: PublishedReport, signature: ReportSignature) -> dict[str, Any]:
    """The content of a `cycle.report` record: the frozen data, its SHA-256 and the publisher's signature."""
    from .report.build import canonical_json

    return {
        "year": report.cycle.year,
        "sha256": report.sha256,
        "data": canonical_json(report.data).decode(),
        "key": signature.key,
        "signature": signature.signature,
    }


def report_signature_content(report: PublishedReport, signature: ReportSignature) -> dict[str, Any]:
    """The content of a `cycle.report_signature` record: a party's countersignature."""
    return {
        "year": report.cycle.year,
        "sha256": report.sha256,
        "key": signature.key,
        "signature": signature.signature,
    }


def _peer_signature(entry: LogEntry, year: int, sha256: str, key: Any, signature: Any) -> None:
    """Refuse a report signature unless it verifies and its key is one of the peer node's whose log carried
    it (configured, or introduced by a rotation record in that log): a party signs with its own node's key."""
    from partnership.ledger import services as ledger

    from .report.signatures import ReportInvalid, check_signature

    try:
        public = check_signature(year, sha256, entry.log, key, signature)
    except ReportInvalid as error:
        raise RecordRejected(str(error)) from None
    name = key.split("+", 1)[0]
    if name != entry.log or public not in ledger.known_keys(entry.log).values():
        raise RecordRejected(
            gettext_noop(
                "the report is signed with the key %(key)s, which is not a key of the %(party)s node"
            ),
            key=key,
            party=entry.log,
        )


def _is_sha256(value: Any) -> bool:
    """Whether `value` is a SHA-256 as records carry it: 64 lower-case hexadecimal digits."""
    return isinstance(value, str) and SHA256_HEX.fullmatch(value) is not None


def _year_and_sha256(content: dict[str, Any]) -> tuple[int, str]:
    year, sha256 = content["year"], content["sha256"]
    if not isinstance(year, int) or isinstance(year, bool):
        raise RecordRejected(f"year {year!r} is not a whole number")
    if not _is_sha256(sha256):
        raise RecordRejected(f"sha256 {sha256!r} is not 64 lower-case hexadecimal digits")
    return year, sha256


def apply_report(record: SignedRecord, entry: LogEntry) -> None:
    """A report the peer party published: stored as frozen there, with its publisher's signature, so this
    node serves the same document; then the countersignatures that waited for it are applied."""
    from partnership.ledger import services as ledger

    from .report.build import sha256_of

    content = content_of(record, REPORT_MEMBERS)
    party = author_party(record)
    year, sha256 = _year_and_sha256(content)
    text = content["data"]
    try:
        data = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or sha256_of(data) != sha256:
        raise RecordRejected(gettext_noop("the report's data does not have the SHA-256 its record states"))
    if not isinstance(data.get("cycle"), dict) or data["cycle"].get("year") != year:
        raise RecordRejected(f"the report's data is not of the cycle {year}")
    _peer_signature(entry, year, sha256, content["key"], content["signature"])
    cycle = Cycle.objects.filter(year=year).first()
    if cycle is None:
        raise RecordRejected(
            gettext_noop("the report of %(year)s cannot be stored: there is no cycle %(year)s on this node"),
            year=year,
        )
    when = record_time(record)
    existing = PublishedReport.objects.filter(cycle=cycle).first()
    if existing is not None and existing.sha256 != sha256:
        raise RecordRejected(
            gettext_noop(
                "this node holds another report of %(year)s (SHA-256 %(held)s); %(party)s published one with "
                "SHA-256 %(sha256)s"
            ),
            year=year,
            held=existing.sha256,
            party=party.code,
            sha256=sha256,
        )
    with transaction.atomic():
        report = existing or PublishedReport.objects.create(
            cycle=cycle, data=data, sha256=sha256, party=party, published_at=when, ledger_entry=entry
        )
        # The same document published on both nodes: the peer's signature stands beside this node's.
        if not ReportSignature.objects.filter(report=report, party=party).exists():
            ReportSignature.objects.create(
                report=report,
                party=party,
                key=content["key"],
                signature=content["signature"],
                signed_at=when,
                ledger_entry=entry,
            )
        ledger.retry_rejected(REPORT_SIGNATURE, NO_REPORT_YET)


def apply_report_signature(record: SignedRecord, entry: LogEntry) -> None:
    """The peer party's countersignature of a report this node holds, after checking it signs this node's
    document with the peer node's key; the same signature again changes nothing, another is refused."""
    content = content_of(record, REPORT_SIGNATURE_MEMBERS)
    party = author_party(record)
    year, sha256 = _year_and_sha256(content)
    report = PublishedReport.objects.filter(cycle__year=year).first()
    if report is None:
        raise RecordRejected(NO_REPORT_YET, year=year, party=party.code)
    if report.sha256 != sha256:
        raise RecordRejected(
            gettext_noop(
                "%(party)s signed a report of %(year)s with SHA-256 %(signed)s, but the report this node "
                "holds has SHA-256 %(held)s: the signature is not of this document"
            ),
            party=party.code,
            year=year,
            signed=sha256,
            held=report.sha256,
        )
    _peer_signature(entry, year, sha256, content["key"], content["signature"])
    held = ReportSignature.objects.filter(report=report, party=party).first()
    if held is not None:
        if (held.key, held.signature) == (content["key"], content["signature"]):
            return  # already applied
        raise RecordRejected(
            gettext_noop(
                "%(party)s has already signed the report of %(year)s; a second signature is refused"
            ),
            party=party.code,
            year=year,
        )
    ReportSignature.objects.create(
        report=report,
        party=party,
        key=content["key"],
        signature=content["signature"],
        signed_at=record_time(record),
        ledger_entry=entry,
    )


def apply_priority(record: SignedRecord, entry: LogEntry) -> None:
    """A priority set by the peer party's host secretariat, created or brought to the record's result."""
    from . import services

    content = content_of(record, PRIORITY_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    existing = Priority.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, gettext_noop("priority"))
        if not newer_entry(existing, entry):
            return
    if content["result"] not in Priority.Outcome.values:
        raise RecordRejected(f"result {content['result']!r} is not a result of a priority")
    area = _checked(services._areas, [content["area"]])[0] if content["area"] else None
    action = _checked(services._actions, [content["action"]])[0] if content["action"] else None
    if area is None and action is None:
        raise RecordRejected("a priority needs an area or an action")
    values = {
        "cycle": _cycle(content["cycle"], "cycle"),
        "area": area,
        "action": action,
        "rationale": _checked(services._text, content, "rationale", 2000),
        "language": _checked(services._language, content),
        "result": content["result"],
        "result_note": _checked(services._text, content, "result_note", required=False),
        "ledger_entry": entry,
    }
    with transaction.atomic():
        meeting = _meeting(content["meeting"], party)
        if meeting.kind != Meeting.Kind.COUNCIL:
            raise RecordRejected("meeting: priorities are set by the Council")
        if existing is None:
            Priority.objects.create(uid=uid, set_at=meeting, **values)
        elif existing.set_at_id != meeting.pk:
            raise RecordRejected(f"priority {uid} was set at another meeting")
        else:
            Priority.objects.filter(pk=existing.pk).update(**values)


def apply_window(record: SignedRecord, entry: LogEntry) -> None:
    """A consultation window opened by the peer party's secretariat."""
    from . import services

    content = content_of(record, WINDOW_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    existing = ConsultationWindow.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, gettext_noop("consultation window"))
        return  # a window is signed once
    opens, closes = _time(content["opens"], "opens"), _time(content["closes"], "closes")
    if closes <= opens:
        raise RecordRejected("closes: the window must close after it opens")
    ConsultationWindow.objects.create(
        uid=uid,
        cycle=_cycle(content["cycle"], "cycle"),
        title=_checked(services._text, content, "title", 300),
        opens=opens,
        closes=closes,
        party=party,
        ledger_entry=entry,
    )


def apply_contribution(record: SignedRecord, entry: LogEntry) -> None:
    """A contribution of the peer party's stakeholder or Member State, accepted by its secretariat."""
    from . import services

    content = content_of(record, CONTRIBUTION_MEMBERS)
    uid = uid_of(content)
    party = author_party(record)
    existing = Contribution.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, gettext_noop("contribution"))
        return  # accepted once, shared once
    window = ConsultationWindow.objects.filter(uid=uid_of(content, "window")).first()
    if window is None:
        raise RecordRejected(f"there is no consultation window {content['window']} on this node")
    attachment = content["attachment"]
    name = sha = ""
    if attachment is not None:
        if (
            not isinstance(attachment, dict)
            or not isinstance(attachment.get("name"), str)
            or not _is_sha256(attachment.get("sha256"))
        ):
            raise RecordRejected("attachment: {name, sha256 (64 lower-case hex digits)} or null")
        name, sha = attachment["name"][:255], attachment["sha256"]
    _codes(content, "areas", str)
    _codes(content, "actions", int)
    with transaction.atomic():
        contribution = Contribution.objects.create(
            uid=uid,
            window=window,
            organisation=party_organisation(party, content["organisation"]),
            author=None,
            text=_checked(services._text, content, "text", 20000),
            language=_checked(services._language, content),
            status=Contribution.Status.ACCEPTED,
            reply=_checked(services._text, content, "reply", 5000, required=False),
            attachment_name=name,
            attachment_sha256=sha,
            ledger_entry=entry,
        )
        Contribution.objects.filter(pk=contribution.pk).update(
            created_at=_time(content["submitted_at"], "submitted_at")
        )
        contribution.areas.set(_checked(services._areas, content["areas"]))
        contribution.actions.set(_checked(services._actions, content["actions"]))


APPLIERS = {
    CALENDAR: apply_calendar,
    AGREEMENT: apply_agreement,
    PHASE: apply_phase,
    MEETING: apply_meeting,
    OUTCOME: apply_outcome,
    PRIORITY: apply_priority,
    WINDOW: apply_window,
    CONTRIBUTION: apply_contribution,
    REPORT: apply_report,
    REPORT_SIGNATURE: apply_report_signature,
}
