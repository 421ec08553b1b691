"""What the cycle shares with the other party through the ledger: the outcomes of meetings, and the
published reports with the parties' signatures.

`cycle.outcome` is signed at each creation of an outcome (decision, guidance or note) and at each
follow-up reported on it, with its full current state. The record's `party` and `organisation` are the
author's: the secretariat that recorded the outcome, then whoever reported the follow-up (the owner's
member or a secretariat). Its `time` is the moment of that write. Content members:

    uid, kind, text, language, owner (organisation code or null for a note), areas (area codes),
    actions (paragraph numbers), follow_up, follow_up_note, closed_in (cycle year or null),
    meeting: {uid, cycle (year), kind, mechanism (organisation code), title, language, date}

The meeting travels with the outcome so the other node can show the outcome under it: a meeting this
node does not hold is created from it (with no local author); one it holds is left as it is.

`apply_outcome` (registered in `apps.CycleConfig.ready`) is idempotent: an outcome already applied from
the same or a later entry of the peer's log changes nothing. The owner may be any organisation this node
knows (a decision of the Council may be owned by either party's body or by a mechanism).

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
this node lacks (until cycles replicate), a key that is not the peer node's, a signature that does not
verify, or another report of the same year already held here. `apply_report_signature` refuses a
signature of another SHA-256, by a key that is not the peer node's, or a second one of the same party;
one for a report this node does not hold yet is kept, marked, and applied when the report arrives
(`apply_report` tries it again).
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext_noop

from partnership.errors import Invalid, NotFound
from partnership.ledger.registry import RecordRejected
from partnership.people.models import Organisation
from partnership.programme.records import (
    author_party,
    content_of,
    held_by_peer,
    newer_entry,
    record_time,
    sign,
    uid_of,
)

from .models import Cycle, Meeting, Outcome, PublishedReport, ReportSignature

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry
    from partnership.ledger.records import SignedRecord
    from partnership.people.permissions import Actor

OUTCOME = "cycle.outcome"
REPORT = "cycle.report"
REPORT_SIGNATURE = "cycle.report_signature"
REPORT_MEMBERS = ("year", "sha256", "data", "key", "signature")
REPORT_SIGNATURE_MEMBERS = ("year", "sha256", "key", "signature")
# Why a countersignature waits: `apply_report` applies the ones marked with it when the report arrives.
NO_REPORT_YET = gettext_noop(
    "there is no published report of %(year)s on this node yet: the signature of %(party)s is kept and "
    "applied when the report arrives"
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


def outcome_content(outcome: Outcome) -> dict[str, Any]:
    """The content of a `cycle.outcome` record: the outcome's full current state and its meeting."""
    meeting = outcome.meeting
    return {
        "uid": str(outcome.uid),
        "meeting": {
            "uid": str(meeting.uid),
            "cycle": meeting.cycle.year,
            "kind": meeting.kind,
            "mechanism": meeting.mechanism.code,
            "title": meeting.title,
            "language": meeting.language,
            "date": meeting.date.isoformat(),
        },
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


def sign_outcome(actor: Actor, outcome: Outcome, now: datetime.datetime) -> None:
    """Sign the outcome's current state as the actor's record and keep its entry on the outcome."""
    entry = sign(OUTCOME, actor.party.code, actor.organisation.code, now, outcome_content(outcome))
    Outcome.objects.filter(pk=outcome.pk).update(ledger_entry=entry)
    outcome.ledger_entry = entry


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


def _meeting(data: Any) -> Meeting:
    """The outcome's meeting: the one held here with that uid, else created from the record."""
    from . import services

    if not isinstance(data, dict) or any(name not in data for name in MEETING_MEMBERS):
        raise RecordRejected(f"meeting: an object with {', '.join(MEETING_MEMBERS)}")
    uid = uid_of(data)
    meeting = Meeting.objects.filter(uid=uid).first()
    if meeting is not None:
        return meeting
    cycle = _cycle(data["cycle"], "meeting")
    mechanism = Organisation.objects.filter(code=data["mechanism"]).first()
    if mechanism is None or mechanism.kind != Organisation.Kind.MECHANISM:
        raise RecordRejected(f"meeting: {data['mechanism']!r} is not a cooperation mechanism on this node")
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
        created_by=None,
    )


def apply_outcome(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's outcome of a meeting, created or brought to the record's state."""
    from . import services

    content = content_of(record, OUTCOME_MEMBERS)
    uid = uid_of(content)
    author_party(record)
    existing = Outcome.objects.select_related("ledger_entry").filter(uid=uid).first()
    if existing is not None:
        held_by_peer(existing, entry, "outcome")
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
    for name, kind_of_item in (("areas", str), ("actions", int)):
        items = content[name]
        if not isinstance(items, list) or not all(
            isinstance(item, kind_of_item) and not isinstance(item, bool) for item in items
        ):
            raise RecordRejected(f"{name} {items!r} is not a list of {kind_of_item.__name__}")
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
        meeting = _meeting(content["meeting"])
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


def _year_and_sha256(content: dict[str, Any]) -> tuple[int, str]:
    year, sha256 = content["year"], content["sha256"]
    if not isinstance(year, int) or isinstance(year, bool):
        raise RecordRejected(f"year {year!r} is not a whole number")
    if not isinstance(sha256, str) or len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
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
