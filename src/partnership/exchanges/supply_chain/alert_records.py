"""What supply-chain events and alerts share with the other party's node, and how a peer's records apply
here (issue 16, items 3, 4 and 6).

Events and alerts name firms and sites: they carry a TLP level, and their content is sealed to the other
party's node (`ledger.services.seal_for`), so the public log shows only that a record exists. Each record's
`content` is `{"uid", "to", "sealed"}`: `uid` the object's, `to` the party whose node can open `sealed`
("" with `sealed` null on a node without a configured peer: the record is the signed proof, the content
stays on this node). The record's `party` and `organisation` are the author's; its `time` is the change's.

- `supply_chain.event` (a party reports a disruption): `sealed` holds `kind`, `title`, `country`, `site`,
  `products` (HS codes), `products_text`, `firms`, `severity`, `expected_days` (or null), `start_date`,
  `description`, `language`, `tlp`, `recipients` (organisation codes).
- `supply_chain.event_addition` (the other party acknowledges an event and adds what it knows):
  `sealed` holds `event` (its uid), `text`, `language`.
- `supply_chain.alert_step` (every change of an alert, by the party that made it): `sealed` holds
  `alert` (its uid), `kind` (proposal, acknowledgement, assessment, owner, action, action_done, closing) and
  `data`: a proposal's `title`, `description`, `language`, `stage`, `tlp`, `recipients`, `event`, `series`,
  `signal_date`, `signal_summary`; an assessment's `stage` and `note`; an owner's `organisation`; an
  action's `action` (uid), `text`, `language`, `deadline`; a completion's `action` and `done_on`; a
  closing's `note`, `lessons`, `language`.

The appliers open what is sealed to this node (a record for another party's node changes nothing here),
check the content as the services check input (`alerts.clean_*`), and take the acting party from the
record: a party acknowledges, assesses, owns and completes only as itself, and its organisations are its
own (`peer_records.party_organisation`). Applied once (the object's uid); a proposal never overwrites an
alert this node or another peer signed (`held_by_peer`). The envelopes are read from the log by the
secretariats (`people.permissions.can_read_sealed_records`).
"""

from __future__ import annotations

import json
import uuid
from typing import TYPE_CHECKING, Any

from django.conf import settings

from partnership.errors import Invalid, PermissionDenied
from partnership.inputs import JsonInputError, load_json
from partnership.ledger import services as ledger_services
from partnership.ledger.peers import configured_peers
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.ledger.sealing import SealError
from partnership.peer_records import (
    author_party,
    content_of,
    held_by_peer,
    party_organisation,
    record_time,
    uid_of,
)

from .alert_models import Alert, AlertStep, Event, EventAddition, StepKind

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

EVENT = "supply_chain.event"
ADDITION = "supply_chain.event_addition"
STEP = "supply_chain.alert_step"


def _sign(
    kind: str, party: str, organisation: str, when: Any, uid: uuid.UUID, payload: dict[str, Any]
) -> LogEntry:
    """One record per configured peer, its payload sealed to that peer's node; one unsealed proof when
    there is none. Returns the first entry."""
    data = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    peers = sorted(code for code in configured_peers() if code != party)
    contents = [
        {"uid": str(uid), "to": code, "sealed": ledger_services.seal_for(code, data)} for code in peers
    ]
    if not contents:
        contents = [{"uid": str(uid), "to": "", "sealed": None}]
    records = [SignedRecord(kind, party, organisation, format_time(when), content) for content in contents]
    return ledger_services.append_many(records)[0]


def event_payload(event: Event) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "title": event.title,
        "country": event.country,
        "site": event.site,
        "products": event.products,
        "products_text": event.products_text,
        "firms": event.firms,
        "severity": event.severity,
        "expected_days": event.expected_days,
        "start_date": event.start_date.isoformat(),
        "description": event.description,
        "language": event.language,
        "tlp": event.tlp,
        "recipients": sorted(event.recipients.values_list("code", flat=True)),
    }


def share_event(event: Event) -> LogEntry:
    return _sign(
        EVENT, event.party.code, event.organisation.code, event.reported_at, event.uid, event_payload(event)
    )


def share_addition(addition: EventAddition) -> LogEntry:
    payload = {"event": str(addition.event.uid), "text": addition.text, "language": addition.language}
    return _sign(
        ADDITION, addition.party.code, addition.organisation.code, addition.added_at, addition.uid, payload
    )


def share_step(step: AlertStep) -> LogEntry:
    payload = {"alert": str(step.alert.uid), "kind": step.kind, "data": step.data}
    return _sign(STEP, step.party.code, step.organisation.code, step.at, step.uid, payload)


# --- applying a peer's records ------------------------------------------------------------------------


def _opened(record: SignedRecord) -> tuple[uuid.UUID, dict[str, Any] | None]:
    """(the object's uid, the sealed payload) of a record for this node; (uid, None) for another's."""
    content = content_of(record, ("uid", "to", "sealed"))
    uid = uid_of(content)
    if not settings.NODE_PARTY or content["to"] != settings.NODE_PARTY:
        return uid, None
    try:
        payload = load_json(ledger_services.open_sealed(content["sealed"]))
    except SealError as error:
        raise RecordRejected(f"{record.type}: {error}") from None
    except (JsonInputError, ValueError) as error:
        raise RecordRejected(f"{record.type}: the sealed content is not JSON: {error}") from None
    if not isinstance(payload, dict):
        raise RecordRejected(f"{record.type}: the sealed content is not a JSON object")
    return uid, payload


def _checked(what: str, check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except Invalid as error:
        raise RecordRejected(f"{what}: {error.message}") from None
    except PermissionDenied as error:
        raise RecordRejected(f"{what}: {error}") from None


def apply_event(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's event, kept here read-only under its TLP level."""
    from .alerts import clean_event

    uid, payload = _opened(record)
    if payload is None:
        return
    party = author_party(record)
    organisation = party_organisation(party, record.organisation)
    held = Event.objects.select_related("ledger_entry").filter(uid=uid).first()
    if held is not None:
        held_by_peer(held, entry, "event")
        return  # applied already
    cleaned = _checked(EVENT, clean_event, payload, party)
    recipients = cleaned.pop("recipients")
    event = Event.objects.create(
        uid=uid,
        party=party,
        organisation=organisation,
        reported_at=record_time(record),
        ledger_entry=entry,
        **cleaned,
    )
    event.recipients.set(recipients)


def apply_addition(record: SignedRecord, entry: LogEntry) -> None:
    """The peer party's acknowledgement of (and addition to) an event held here."""
    from .alerts import clean_addition

    uid, payload = _opened(record)
    if payload is None:
        return
    party = author_party(record)
    organisation = party_organisation(party, record.organisation)
    if EventAddition.objects.filter(uid=uid).exists():
        return
    event = Event.objects.filter(uid=uid_of(payload, "event")).first()
    if event is None:
        raise RecordRejected(f"{ADDITION}: there is no event {payload['event']} here")
    if event.party_id == party.pk:
        raise RecordRejected(f"{ADDITION}: {party.code} cannot acknowledge its own event")
    cleaned = _checked(ADDITION, clean_addition, payload)
    EventAddition.objects.create(
        uid=uid,
        event=event,
        party=party,
        organisation=organisation,
        added_at=record_time(record),
        ledger_entry=entry,
        **cleaned,
    )


def apply_step(record: SignedRecord, entry: LogEntry) -> None:
    """A peer party's step on an alert: its proposal, or its own acknowledgement, assessment, owner,
    action, completion or closing of an alert held here."""
    from . import alerts
    from .models import Series

    uid, payload = _opened(record)
    if payload is None:
        return
    party = author_party(record)
    organisation = party_organisation(party, record.organisation)
    if AlertStep.objects.filter(uid=uid).exists():
        return
    alert_uid = uid_of(payload, "alert")
    kind, data = payload.get("kind"), payload.get("data")
    if kind not in StepKind.values or not isinstance(data, dict):
        raise RecordRejected(f"{STEP}: kind {kind!r} is not a step of an alert, or data is not an object")
    held = Alert.objects.select_related("ledger_entry").filter(uid=alert_uid).first()
    when = record_time(record)
    if kind == StepKind.PROPOSAL:
        if held is not None:
            held_by_peer(held, entry, "alert")
            return
        cleaned = _checked(STEP, alerts.clean_proposal, data, party)
        event = Event.objects.filter(uid=cleaned["event"]).first() if cleaned["event"] else None
        series = Series.objects.filter(uid=cleaned["series"]).first() if cleaned["series"] else None
        alert = Alert(uid=alert_uid, party=party, organisation=organisation, proposed_at=when)
        alerts._fill_proposal(alert, cleaned, event, series)
        alerts.apply_step(
            alert, kind, party, organisation, alerts._proposal_data(alert, cleaned), when, entry, uid
        )
        alerts.notify(alert, kind)
        return
    if held is None:
        raise RecordRejected(f"{STEP}: there is no alert {alert_uid} here; its proposal comes first")
    cleaned = _checked(STEP, alerts.clean_step, kind, data, party, held)
    _checked(STEP, alerts.check_step, kind, cleaned, party, held)
    before = held.stage
    alerts.apply_step(held, kind, party, organisation, cleaned, when, entry, uid)
    if kind == StepKind.CLOSING or held.stage != before:
        alerts.notify(held, kind)
