"""What the cycle shares with the other party through the ledger: the outcomes of meetings.

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
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction

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

from .models import Cycle, Meeting, Outcome

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry
    from partnership.ledger.records import SignedRecord
    from partnership.people.permissions import Actor

OUTCOME = "cycle.outcome"

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
