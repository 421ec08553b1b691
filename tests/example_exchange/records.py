"""What trend notes share with the other party through the ledger, and how a peer's notes apply here.

Record type and the members of its `content`:

- `example_exchange.note` (the note's full state at its filing and at each revision): `uid`, `title`,
  `text`, `language`, `revision`.

The record's `party` and `organisation` are the author's; its `time` is when the revision was made.
Notes are not confidential between the parties' members, so the content is not sealed; it is read
from the log by members only (`people.permissions.can_read_progress`), as progress is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_noop

from partnership.ledger import services as ledger_services
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_party,
    content_of,
    held_by_peer,
    integer_of,
    party_organisation,
    record_time,
    uid_of,
)

from .models import Language, TrendNote

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

NOTE = "example_exchange.note"
MEMBERS = ("uid", "title", "text", "language", "revision")


def share(note: TrendNote) -> LogEntry:
    """Sign the note's current state and append it to this node's log (inside the write's transaction)."""
    content = {
        "uid": str(note.uid),
        "title": note.title,
        "text": note.text,
        "language": note.language,
        "revision": note.revision,
    }
    return ledger_services.append(
        SignedRecord(NOTE, note.party.code, note.organisation.code, format_time(note.changed_at), content)
    )


def _content(record: SignedRecord) -> dict[str, Any]:
    """The record's content, checked as the service checks a member's input."""
    content = content_of(record, MEMBERS)
    uid_of(content)
    for name in ("title", "text"):
        if not isinstance(content[name], str) or not content[name].strip() or "\x00" in content[name]:
            raise RecordRejected(f"{name} {content[name]!r} is not a text")
    if content["language"] not in Language.values:
        raise RecordRejected(f"language {content['language']!r} is not en or ja")
    integer_of(content, "revision", 1)
    return content


def apply_note(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's note, kept here read-only; a revision not newer than the one held changes nothing."""
    content = _content(record)
    party = author_party(record)
    held = TrendNote.objects.select_related("ledger_entry").filter(uid=content["uid"]).first()
    if held is not None:
        held_by_peer(held, entry, gettext_noop("trend note"))
        if held.revision >= content["revision"]:
            return  # already applied
    when = record_time(record)
    note = held or TrendNote(uid=content["uid"], created_at=when)
    note.party = party
    note.organisation = party_organisation(party, record.organisation)
    note.title, note.text, note.language = content["title"], content["text"], content["language"]
    note.revision, note.changed_at, note.ledger_entry = content["revision"], when, entry
    note.save()
