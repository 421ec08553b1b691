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
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from partnership.errors import Invalid
from partnership.ledger import services as ledger_services
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_party,
    content_of,
    held_by_peer,
    integer_of,
    record_time,
    tlp_content,
    tlp_payload,
    uid_of,
)
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
    content = tlp_content(content, "entry", cleaned, entry.party.code)
    record_type = TYPES[type(entry)]
    return ledger_services.append(
        SignedRecord(record_type, entry.party.code, organisation.code, format_time(moment), content)
    )


def _apply(register: str, record: SignedRecord, entry_log: LogEntry) -> None:
    """A peer's revision of one of its entries, kept here read-only; a revision not newer than the one
    held changes nothing."""
    from . import registers

    content = content_of(record, ("uid", "revision", "tlp"))
    if content["tlp"] not in Tlp.values:
        raise RecordRejected(f"{record.type}: tlp {content['tlp']!r} is not a TLP 2.0 level")
    uid = uid_of(content)
    revision = integer_of(content, "revision", 1)
    data = tlp_payload(record, content, "entry")
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
