"""The checks every applier of a peer's record shares (programme, cycle and each exchange alike).

`sync` has checked the signature and that `record.party` is the peer's; an applier checks the content
as its service checks a member's input, that `record.organisation` belongs to `record.party`, and that
the record does not overwrite an object this node (or another peer) signed; `tlp_content` and
`tlp_payload` put a record's object under its TLP level (in the clear, or sealed to each peer's node) and
take it out again. Each check raises
`ledger.registry.RecordRejected` naming the member and the value it refuses. This module imports
`people` and `ledger` only, so that an exchange, which may not import `programme`, uses it too.
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_noop

from partnership.inputs import JsonInputError, load_json
from partnership.ledger.records import SignedRecord
from partnership.ledger.registry import RecordRejected, memo
from partnership.people.models import Organisation, Party

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry


def content_of(record: SignedRecord, members: tuple[str, ...]) -> dict[str, Any]:
    """The record's content, refused unless it is an object with every member in `members`."""
    content = record.content
    if not isinstance(content, dict):
        raise RecordRejected(gettext_noop("%(type)s: the content is not a JSON object"), type=record.type)
    missing = [name for name in members if name not in content]
    if missing:
        raise RecordRejected(
            gettext_noop("%(type)s: the content lacks %(members)s"),
            type=record.type,
            members=", ".join(missing),
        )
    return content


def uid_of(content: dict[str, Any], member: str = "uid") -> uuid.UUID:
    """`content[member]` as a UUID, refused when it is not one."""
    value = content.get(member)
    try:
        if not isinstance(value, str):
            raise ValueError
        return uuid.UUID(value)
    except ValueError:
        raise RecordRejected(
            gettext_noop("%(member)s %(value)r is not a UUID"), member=member, value=value
        ) from None


#: The largest value an integer column holds on every database we run on (PostgreSQL's `integer`).
INTEGER_MAX = 2**31 - 1


def integer_of(content: dict[str, Any], member: str, low: int, high: int = INTEGER_MAX) -> int:
    """`content[member]` as an integer in [low, high], refused otherwise (a boolean is not one). By
    default `high` is what an integer column holds: a larger value would be a database error that
    stops every sync with the peer at this entry."""
    value = content.get(member)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise RecordRejected(
            gettext_noop("%(member)s %(value)r is not a whole number from %(low)s to %(high)s"),
            member=member,
            value=value,
            low=low,
            high=high,
        )
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
        raise RecordRejected(gettext_noop("party %(party)r is not a party on this node"), party=record.party)
    party_organisation(party, record.organisation, gettext_noop("the author organisation"))
    return party


def author_organisation(record: SignedRecord) -> Organisation:
    """The record's author organisation, which must be known here and belong to the record's party."""
    return party_organisation(
        author_party(record), record.organisation, gettext_noop("the author organisation")
    )


def party_organisation(party: Party, code: Any, what: str = gettext_noop("organisation")) -> Organisation:
    """The organisation `code`, refused unless it exists here and belongs to `party`."""
    organisation = (
        memo(("organisation", code), lambda: Organisation.objects.filter(code=code).first())
        if isinstance(code, str)
        else None
    )
    if organisation is None:
        raise RecordRejected(
            gettext_noop("%(what)s %(code)r is not an organisation on this node"), what=what, code=code
        )
    if organisation.party_id != party.pk:
        raise RecordRejected(
            gettext_noop("%(what)s %(code)r is not an organisation of %(party)s"),
            what=what,
            code=code,
            party=party.code,
        )
    return organisation


def held_by_peer(existing: Any, entry: LogEntry, what: str) -> None:
    """Refuse a record that would overwrite an object this node (or another peer) authored."""
    current = existing.ledger_entry
    if current is None or current.log != entry.log:
        if current is None or not current.from_peer:
            raise RecordRejected(
                gettext_noop("%(what)s %(uid)s belongs to this node; %(log)s cannot change it"),
                what=what,
                uid=str(existing.uid),
                log=entry.log,
            )
        raise RecordRejected(
            gettext_noop("%(what)s %(uid)s belongs to the %(owner)s node; %(log)s cannot change it"),
            what=what,
            uid=str(existing.uid),
            owner=current.log,
            log=entry.log,
        )


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
        raise RecordRejected(gettext_noop("%(what)s: %(problems)s"), what=what, problems=problems)
    return form.cleaned_data


# --- content under a TLP level: in the clear, or sealed to each peer party's node ---------------------


def tlp_content(content: dict[str, Any], member: str, payload: dict[str, Any], author: str) -> dict[str, Any]:
    """`content` (which holds `tlp`) with `payload`: under `member` for TLP:CLEAR, else `sealed`, an object
    mapping each peer party's code but the `author`'s to `{member: payload}` sealed to its node
    (`ledger.services.seal_for`; `{}` when no peer is configured: nothing leaves the node)."""
    from partnership.ledger import services as ledger_services
    from partnership.ledger.peers import configured_peers

    if content["tlp"] == "clear":
        return {**content, member: payload}
    data = json.dumps({member: payload}, ensure_ascii=False).encode()
    sealed = {}
    for party in sorted(configured_peers()):
        if party != author:
            envelope = ledger_services.seal_for(party, data)
            if envelope is not None:
                sealed[party] = envelope
    return {**content, "sealed": sealed}


def tlp_payload(record: SignedRecord, content: dict[str, Any], member: str) -> dict[str, Any] | None:
    """The object `tlp_content` put under `member`, opened if it was sealed to this node; None if it was
    sealed to another party's node only. Refused when it is missing, not sealed as the ledger seals, or
    of another TLP level than the record says."""
    from partnership.ledger import services as ledger_services
    from partnership.ledger.sealing import SealError

    if content["tlp"] == "clear":
        payload = content.get(member)
    else:
        sealed = content.get("sealed")
        if not isinstance(sealed, dict):
            raise RecordRejected(
                gettext_noop("%(type)s: sealed must be an object of envelopes"), type=record.type
            )
        if settings.NODE_PARTY not in sealed:
            return None
        try:
            opened = load_json(ledger_services.open_sealed(sealed[settings.NODE_PARTY]))
        except SealError as error:
            raise RecordRejected(
                gettext_noop("%(type)s: %(error)s"), type=record.type, error=str(error)
            ) from None
        except (JsonInputError, ValueError):
            raise RecordRejected(
                gettext_noop("%(type)s: the sealed content is not JSON"), type=record.type
            ) from None
        payload = opened.get(member) if isinstance(opened, dict) else None
    if not isinstance(payload, dict):
        raise RecordRejected(
            gettext_noop("%(type)s: the content carries no %(member)s object"),
            type=record.type,
            member=member,
        )
    if payload.get("tlp") != content["tlp"]:
        raise RecordRejected(
            gettext_noop("%(type)s: the %(member)s's tlp differs from the record's"),
            type=record.type,
            member=member,
        )
    return payload
