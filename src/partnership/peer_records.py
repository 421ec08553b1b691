"""The checks every applier of a peer's record shares (programme, cycle and each exchange alike).

`sync` has checked the signature and that `record.party` is the peer's; an applier checks the content
as its service checks a member's input, that `record.organisation` belongs to `record.party`, and that
the record does not overwrite an object this node (or another peer) signed. Each check raises
`ledger.registry.RecordRejected` naming the member and the value it refuses. This module imports
`people` and `ledger` only, so that an exchange, which may not import `programme`, uses it too.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from django import forms

from partnership.ledger.records import SignedRecord
from partnership.ledger.registry import RecordRejected, memo
from partnership.people.models import Organisation, Party

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry


def content_of(record: SignedRecord, members: tuple[str, ...]) -> dict[str, Any]:
    """The record's content, refused unless it is an object with every member in `members`."""
    content = record.content
    if not isinstance(content, dict):
        raise RecordRejected(f"{record.type}: the content is not a JSON object")
    missing = [name for name in members if name not in content]
    if missing:
        raise RecordRejected(f"{record.type}: the content lacks {', '.join(missing)}")
    return content


def uid_of(content: dict[str, Any], member: str = "uid") -> uuid.UUID:
    """`content[member]` as a UUID, refused when it is not one."""
    value = content.get(member)
    try:
        if not isinstance(value, str):
            raise ValueError
        return uuid.UUID(value)
    except ValueError:
        raise RecordRejected(f"{member} {value!r} is not a UUID") from None


#: The largest value an integer column holds on every database we run on (PostgreSQL's `integer`).
INTEGER_MAX = 2**31 - 1


def integer_of(content: dict[str, Any], member: str, low: int, high: int = INTEGER_MAX) -> int:
    """`content[member]` as an integer in [low, high], refused otherwise (a boolean is not one). By
    default `high` is what an integer column holds: a larger value would be a database error that
    stops every sync with the peer at this entry."""
    value = content.get(member)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RecordRejected(f"{member} {value!r} is not a whole number from {low} to {high}")
    return value


def record_time(record: SignedRecord) -> datetime.datetime:
    """The record's RFC 3339 UTC time as an aware datetime (to the microsecond)."""
    text = record.time.removesuffix("Z")
    if "." in text:
        whole, fraction = text.split(".", 1)
        text = f"{whole}.{fraction[:6].ljust(6, '0')}"
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC)


def author_party(record: SignedRecord) -> Party:
    """The record's party, which must be known here, and whose organisation must be the record's."""
    party = memo(("party", record.party), lambda: Party.objects.filter(code=record.party).first())
    if party is None:
        raise RecordRejected(f"party {record.party!r} is not a party on this node")
    party_organisation(party, record.organisation, "the author organisation")
    return party


def party_organisation(party: Party, code: Any, what: str = "organisation") -> Organisation:
    """The organisation `code`, refused unless it exists here and belongs to `party`."""
    organisation = (
        memo(("organisation", code), lambda: Organisation.objects.filter(code=code).first())
        if isinstance(code, str)
        else None
    )
    if organisation is None:
        raise RecordRejected(f"{what} {code!r} is not an organisation on this node")
    if organisation.party_id != party.pk:
        raise RecordRejected(f"{what} {code!r} is not an organisation of {party.code}")
    return organisation


def held_by_peer(existing: Any, entry: LogEntry, what: str) -> None:
    """Refuse a record that would overwrite an object this node (or another peer) authored."""
    current = existing.ledger_entry
    if current is None or current.log != entry.log:
        owner = "this node" if current is None or not current.from_peer else f"the {current.log} node"
        raise RecordRejected(f"{what} {existing.uid} belongs to {owner}; {entry.log} cannot change it")


def newer_entry(existing: Any, entry: LogEntry) -> bool:
    """Whether `entry` comes after the entry `existing` was last applied from (same log, checked)."""
    return existing.ledger_entry.index < entry.index


def valid(form_class: type[forms.BaseForm], data: dict[str, Any], what: str) -> dict[str, Any]:
    """`data` as `form_class` cleans a user's input; refused with every wrong field named."""
    form = form_class(data)
    if not form.is_valid():
        problems = "; ".join(
            f"{name}: {' '.join(str(message) for message in messages)}"
            for name, messages in form.errors.items()
        )
        raise RecordRejected(f"{what}: {problems}")
    return form.cleaned_data
