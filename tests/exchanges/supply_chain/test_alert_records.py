"""Events and alerts travel to the other party's node as signed records sealed to it (issue 16, items 3, 4
and 6), and a peer's records apply here only as that party: it acknowledges, assesses, owns and completes
only as itself. This process plays the JP node; the EU node's records are signed by another key and
sealed to this node. tests/exchanges/supply_chain/test_alerts_federation.py does it with two real nodes."""

import json
import uuid

import pytest

from partnership.exchanges.supply_chain import alert_records, alerts
from partnership.exchanges.supply_chain.alert_models import Alert, AlertStep, Event, EventAddition
from partnership.ledger import sealing
from partnership.ledger import services as ledger_services
from partnership.ledger.keys import key_id, load_or_create_key, verifier_key_string
from partnership.ledger.models import LogEntry
from partnership.ledger.records import parse_record
from partnership.ledger.registry import RecordRejected

pytestmark = pytest.mark.django_db

EVENT = {
    "kind": "export_restriction",
    "title": "Licences for gallium exports",
    "country": "CN",
    "products": ["8541"],
    "firms": ["A supplier"],
    "severity": "major",
    "start_date": "2023-08-01",
    "tlp": "amber",
    "recipients": ["eu-dg-grow"],
}


@pytest.fixture
def eu_key(tmp_path):
    return load_or_create_key(tmp_path / "eu-node-key.pem")


@pytest.fixture
def jp_node(settings, eu_key):
    """This process as the JP node, with the EU node as its configured peer."""
    settings.NODE_PARTY = "JP"
    settings.PEERS = f"http://eu.example {verifier_key_string('EU', eu_key)}"
    return settings


def from_eu(peer_log, kind, uid, payload, organisation="eu-dg-grow"):
    """A record of the EU node, its payload sealed to this node, applied as sync applies it."""
    sealed = sealing.seal(json.dumps(payload).encode(), ledger_services.known_keys())
    record, entry = peer_log(kind, {"uid": str(uid), "to": "JP", "sealed": sealed}, "EU", organisation)
    applier = {
        alert_records.EVENT: alert_records.apply_event,
        alert_records.ADDITION: alert_records.apply_addition,
        alert_records.STEP: alert_records.apply_step,
    }[kind]
    applier(record, entry)
    return entry


def test_what_the_eu_node_receives_is_sealed_to_it(members, jp_node, eu_key):
    event = alerts.report_event(members["jp_secretariat"], EVENT)
    alert = alerts.propose_alert(members["jp_secretariat"], {"title": "Gallium", "event": str(event.uid)})
    entries = LogEntry.objects.filter(log="").order_by("index")
    records = [parse_record(bytes(entry.record)) for entry in entries]
    assert [record.type for record in records][-2:] == [alert_records.EVENT, alert_records.STEP]
    assert all(b"gallium" not in bytes(entry.record).lower() for entry in entries)
    opened = json.loads(
        sealing.open_sealed(records[-2].content["sealed"], {key_id("EU", eu_key).hex(): eu_key})
    )
    assert (opened["title"], opened["firms"], opened["recipients"]) == (
        "Licences for gallium exports",
        ["A supplier"],
        ["eu-dg-grow"],
    )
    step = json.loads(
        sealing.open_sealed(records[-1].content["sealed"], {key_id("EU", eu_key).hex(): eu_key})
    )
    assert (step["alert"], step["kind"], step["data"]["event"]) == (
        str(alert.uid),
        "proposal",
        str(event.uid),
    )


def test_the_eu_nodes_acknowledgement_and_steps_apply_as_eu(members, jp_node, peer_log):
    event = alerts.report_event(members["jp_secretariat"], EVENT)
    alert = alerts.propose_alert(members["jp_secretariat"], {"title": "Gallium", "event": str(event.uid)})
    from_eu(
        peer_log,
        alert_records.ADDITION,
        uuid.uuid4(),
        {"event": str(event.uid), "text": "Seen", "language": "en"},
    )
    assert EventAddition.objects.get().party.code == "EU"
    step = uuid.uuid4()
    from_eu(
        peer_log, alert_records.STEP, step, {"alert": str(alert.uid), "kind": "acknowledgement", "data": {}}
    )
    from_eu(
        peer_log, alert_records.STEP, step, {"alert": str(alert.uid), "kind": "acknowledgement", "data": {}}
    )
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None  # both parties now
    assert AlertStep.objects.filter(kind="acknowledgement").count() == 1  # applied once
    from_eu(
        peer_log,
        alert_records.STEP,
        uuid.uuid4(),
        {
            "alert": str(alert.uid),
            "kind": "assessment",
            "data": {"stage": "crisis", "note": "stock for 2 weeks"},
        },
    )
    alert.refresh_from_db()
    assert alert.stage == "crisis"
    # A JP action: EU cannot complete it; an EU owner must be an EU organisation.
    jp_action = alerts.act_on_alert(
        members["jp_secretariat"], alert.uid, "action", {"text": "Call firms", "deadline": "2099-01-01"}
    )
    hostile = [
        (
            {"alert": str(alert.uid), "kind": "action_done", "data": {"action": jp_action.data["action"]}},
            "completed by",
        ),
        (
            {"alert": str(alert.uid), "kind": "owner", "data": {"organisation": "jp-meti"}},
            "not an organisation of EU",
        ),
        ({"alert": str(alert.uid), "kind": "acknowledgement", "data": {}}, "acknowledged"),
        ({"alert": str(uuid.uuid4()), "kind": "assessment", "data": {"stage": "alert"}}, "no alert"),
        ({"alert": str(alert.uid), "kind": "assessment", "data": {"stage": "panic"}}, "stage"),
        ({"alert": str(alert.uid), "kind": "self-destruct", "data": {}}, "kind"),
        (
            {
                "alert": str(alert.uid),
                "kind": "proposal",
                "data": {"title": "mine now", "event": str(event.uid)},
            },
            "belongs to this node",
        ),
    ]
    for payload, reason in hostile:
        with pytest.raises(RecordRejected, match=reason):
            from_eu(peer_log, alert_records.STEP, uuid.uuid4(), payload)
    assert AlertStep.objects.filter(party__code="EU").count() == 2


def test_a_record_claiming_another_partys_organisation_or_its_own_event_is_refused(
    members, jp_node, peer_log
):
    event = alerts.report_event(members["jp_secretariat"], EVENT)
    with pytest.raises(RecordRejected):
        from_eu(
            peer_log, alert_records.ADDITION, uuid.uuid4(), {"event": str(event.uid), "text": "x"}, "jp-meti"
        )
    eu_event = uuid.uuid4()
    from_eu(peer_log, alert_records.EVENT, eu_event, {**EVENT, "country": "DE", "recipients": ["jp-meti"]})
    held = Event.objects.get(uid=eu_event)
    assert (held.party.code, held.signed_by, held.country) == ("EU", "EU", "DE")
    with pytest.raises(RecordRejected, match="its own event"):
        from_eu(peer_log, alert_records.ADDITION, uuid.uuid4(), {"event": str(eu_event), "text": "x"})
    with pytest.raises(RecordRejected, match="country"):
        from_eu(
            peer_log, alert_records.EVENT, uuid.uuid4(), {**EVENT, "country": "ZZ", "recipients": ["jp-meti"]}
        )
    with pytest.raises(RecordRejected):
        record, entry = peer_log(
            alert_records.EVENT, {"uid": str(uuid.uuid4()), "to": "JP", "sealed": "junk"}
        )
        alert_records.apply_event(record, entry)
    # A record for another party's node changes nothing here.
    record, entry = peer_log(alert_records.EVENT, {"uid": str(uuid.uuid4()), "to": "KR", "sealed": None})
    alert_records.apply_event(record, entry)
    assert Event.objects.count() == 2


def test_an_alert_the_eu_node_proposes_is_acknowledged_here(members, jp_node, peer_log):
    eu_event = uuid.uuid4()
    from_eu(peer_log, alert_records.EVENT, eu_event, {**EVENT, "recipients": ["jp-digital-agency"]})
    alert_uid = uuid.uuid4()
    proposal = {
        "title": "Gallium",
        "description": "",
        "language": "en",
        "stage": "alert",
        "tlp": "green",
        "recipients": [],
        "event": str(eu_event),
        "series": None,
        "signal_date": None,
        "signal_summary": {},
    }
    from_eu(
        peer_log,
        alert_records.STEP,
        uuid.uuid4(),
        {"alert": str(alert_uid), "kind": "proposal", "data": proposal},
    )
    alert = Alert.objects.get(uid=alert_uid)
    assert (alert.party.code, alert.signed_by, alert.event.uid, alert.acknowledged_at) == (
        "EU",
        "EU",
        eu_event,
        None,
    )
    alerts.act_on_alert(members["jp_secretariat"], alert_uid, "acknowledgement")
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    # The JP acknowledgement is JP's own record, sealed to the EU node.
    last = parse_record(bytes(LogEntry.objects.filter(log="").order_by("-index").first().record))
    assert (last.type, last.party, last.content["to"]) == (alert_records.STEP, "JP", "EU")
