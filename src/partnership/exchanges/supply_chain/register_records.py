"""What the registers of investment plans and export-control measures share with the other party through
the ledger, and how a peer's records apply here (para 46; issue 16, items 5 and 6).

Record types (one record per revision of an entry; `party` and `organisation` are the entry's party and
the organisation that made the change, `time` the revision's):

- `supply_chain.investment` and `supply_chain.export_control`, content `{"uid", "revision", "tlp", ...}`:
  `uid` the entry's, `revision` from 1, `tlp` its TLP 2.0 level (`people.tlp.Tlp`), and
  - for TLP:CLEAR, `entry`: the entry as `registers.clean_investment` / `clean_export_control` give it
    (decimals as text, dates `YYYY-MM-DD`, `recipients` organisation codes);
  - otherwise `sealed`: an object mapping each peer party's code to `{"entry": ...}` sealed to that
    party's node (`ledger.services.seal_for`); `{}` when no peer is configured (nothing leaves the node).

The log shows members (`people.permissions.can_read_register_records`) a CLEAR entry and the envelope of a
sealed one; the receiving node opens what was sealed to it and reads it under the entry's TLP level.
Receiving a measure's record is its notification to this party: its signing time and the time it was
applied here are kept (`RegisterRevision.signed_at`, `received_at`) and compared with the day it takes
effect.
"""

from __future__ import annotations

import datetime
import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from partnership.errors import Invalid
from partnership.inputs import JsonInputError, load_json
from partnership.ledger import services as ledger_services
from partnership.ledger.peers import configured_peers
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.ledger.sealing import SealError
from partnership.peer_records import author_party, content_of, held_by_peer, integer_of, record_time, uid_of
from partnership.people.models import Organisation
from partnership.people.tlp import Tlp

from .models import ExportControl, Investment, Register, RegisterEntry

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

INVESTMENT = "supply_chain.investment"
EXPORT_CONTROL = "supply_chain.export_control"
TYPES = {Investment: INVESTMENT, ExportControl: EXPORT_CONTROL}


def signed_time(moment: datetime.datetime) -> datetime.datetime:
    """`moment` as a record carries it (the precision of `format_time`), read back."""
    return record_time(SignedRecord("x", "x", "x", format_time(moment), {}))


def share(
    entry: RegisterEntry, cleaned: dict[str, Any], organisation: Organisation, moment: datetime.datetime
) -> LogEntry:
    """Sign the entry's new revision for the other party (inside the write's transaction), sealed to each
    peer party's node unless TLP:CLEAR."""
    content: dict[str, Any] = {"uid": str(entry.uid), "revision": entry.revision, "tlp": cleaned["tlp"]}
    if cleaned["tlp"] == Tlp.CLEAR:
        content["entry"] = cleaned
    else:
        payload = json.dumps({"entry": cleaned}, ensure_ascii=False).encode()
        sealed = {}
        for party in sorted(configured_peers()):
            if party != entry.party.code:
                envelope = ledger_services.seal_for(party, payload)
                if envelope is not None:
                    sealed[party] = envelope
        content["sealed"] = sealed
    record_type = TYPES[type(entry)]
    return ledger_services.append(
        SignedRecord(record_type, entry.party.code, organisation.code, format_time(moment), content)
    )


def _entry_of(record: SignedRecord, content: dict[str, Any]) -> dict[str, Any] | None:
    """The entry the record carries, opened if it was sealed to this node; None if it was sealed only to
    another party's node (not for this node)."""
    if content["tlp"] == Tlp.CLEAR:
        entry = content.get("entry")
    else:
        sealed = content.get("sealed")
        if not isinstance(sealed, dict):
            raise RecordRejected(f"{record.type}: sealed must be an object of envelopes")
        if settings.NODE_PARTY not in sealed:
            return None
        try:
            opened = load_json(ledger_services.open_sealed(sealed[settings.NODE_PARTY]))
        except SealError as error:
            raise RecordRejected(f"{record.type}: {error}") from None
        except (JsonInputError, ValueError):
            raise RecordRejected(f"{record.type}: the sealed content is not JSON") from None
        entry = opened.get("entry") if isinstance(opened, dict) else None
    if not isinstance(entry, dict):
        raise RecordRejected(f"{record.type}: the content carries no entry object")
    if entry.get("tlp") != content["tlp"]:
        raise RecordRejected(f"{record.type}: the entry's tlp differs from the record's")
    return entry


def _apply(register: str, record: SignedRecord, entry_log: LogEntry) -> None:
    """A peer's revision of one of its entries, kept here read-only; a revision not newer than the one
    held changes nothing."""
    from . import registers

    content = content_of(record, ("uid", "revision", "tlp"))
    if content["tlp"] not in Tlp.values:
        raise RecordRejected(f"{record.type}: tlp {content['tlp']!r} is not a TLP 2.0 level")
    uid = uid_of(content)
    revision = integer_of(content, "revision", 1)
    data = _entry_of(record, content)
    if data is None:
        return  # sealed to another party's node only
    try:
        cleaned = registers.CLEANERS[register](data)
    except Invalid as error:
        raise RecordRejected(f"{record.type}: {error.message}") from None
    party = author_party(record)
    organisation = Organisation.objects.get(code=record.organisation)  # author_party checked it
    model = registers.MODELS[register]
    held = model.objects.select_related("ledger_entry", "party").filter(uid=uid).first()
    if held is not None:
        held_by_peer(held, entry_log, "entry")
        if held.revision >= revision:
            return  # already applied
    when = record_time(record)
    with transaction.atomic():
        entry = held or model(uid=uid, party=party, organisation=organisation, created_at=when)
        entry.revision, entry.changed_at, entry.ledger_entry = revision, when, entry_log
        registers.set_fields(entry, cleaned)
        entry.save()
        entry.recipients.set(Organisation.objects.filter(code__in=cleaned["recipients"]))
        registers.record_revision(entry, cleaned, organisation, when, entry_log, received_at=timezone.now())
        transaction.on_commit(lambda: registers.notify(register, entry.pk))


def apply_investment(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's revision of one of its investment plans."""
    _apply(Register.INVESTMENTS, record, entry)


def apply_export_control(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's revision of one of its export-control measures: its notification to this party."""
    _apply(Register.EXPORT_CONTROLS, record, entry)
