"""Outcomes in the ledger: signed when recorded and followed up, applied from a peer, read-only then."""

import json
import uuid

import pytest
from django.test import Client

from partnership.cycle import services
from partnership.cycle.models import Meeting, Outcome
from partnership.errors import PermissionDenied
from partnership.ledger.models import LogEntry
from partnership.ledger.registry import RecordRejected
from tests.helpers import apply, plan_cycle, signed, signed_in

CYCLE = {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"}
MESSAGE = "This record was signed by the EU node; it can only be changed there."


def council(user):
    return services.record_meeting(
        user,
        2026,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": "Japan-EU Digital Partnership Council",
            "language": "en",
            "date": "2026-05-12",
        },
    )


@pytest.fixture
def cycle(members):
    plan_cycle(members["jp_secretariat"], CYCLE)


def test_an_outcome_and_its_follow_up_are_signed_as_their_authors(members, cycle):
    meeting = council(members["eu_secretariat"])
    outcome = services.record_outcome(
        members["eu_secretariat"],
        meeting.uid,
        {"kind": "guidance", "text": "Map the cables.", "language": "en", "owner": "jp-mic", "actions": [61]},
    )
    record = signed(Outcome.objects.get().ledger_entry)
    assert (record.type, record.party, record.organisation) == ("cycle.outcome", "EU", "eu-dg-connect")
    assert record.content == {
        "uid": str(outcome.uid),
        "meeting": {
            "uid": str(meeting.uid),
            "cycle": 2026,
            "kind": "council",
            "mechanism": "digital-partnership-council",
            "title": "Japan-EU Digital Partnership Council",
            "language": "en",
            "date": "2026-05-12",
        },
        "kind": "guidance",
        "text": "Map the cables.",
        "language": "en",
        "owner": "jp-mic",
        "areas": [],
        "actions": [61],
        "follow_up": "open",
        "follow_up_note": "",
        "closed_in": None,
    }
    services.follow_up(members["jp_lead"], outcome.uid, {"follow_up": "closed", "note": "Mapped."})
    record = signed(Outcome.objects.get().ledger_entry)
    assert (record.party, record.organisation) == ("JP", "jp-mic")
    assert record.content["follow_up"] == "closed" and record.content["closed_in"] == 2026
    assert [signed(entry).type for entry in LogEntry.objects.filter(log="").order_by("index")] == [
        "cycle.calendar",
        "cycle.agreement",
        "cycle.meeting",
        "cycle.outcome",
        "cycle.outcome",
    ]


def outcome_content(**changes):
    return {
        "uid": str(uuid.uuid4()),
        "meeting": {
            "uid": str(uuid.uuid4()),
            "cycle": 2026,
            "kind": "council",
            "mechanism": "digital-partnership-council",
            "title": "Digital Partnership Council (EU minutes)",
            "language": "en",
            "date": "2026-05-12",
        },
        "kind": "decision",
        "text": "Launch the outage reporting pilot.",
        "language": "en",
        "owner": "jp-mic",
        "areas": [],
        "actions": [61],
        "follow_up": "open",
        "follow_up_note": "",
        "closed_in": None,
        **changes,
    }


def test_a_peer_outcome_is_applied_with_its_meeting_once_and_later_follow_ups_win(members, cycle, peer_log):
    content = outcome_content()
    first = peer_log("cycle.outcome", content)
    closed = peer_log("cycle.outcome", {**content, "follow_up": "closed", "closed_in": 2026})
    apply(*first)
    apply(*first)
    assert Outcome.objects.count() == 1 and Meeting.objects.count() == 1
    apply(*closed)
    apply(*first)  # the earlier state, applied again, does not reopen it
    outcome = Outcome.objects.get()
    assert (outcome.follow_up, outcome.closed_in.year, outcome.signed_by) == ("closed", 2026, "EU")
    assert outcome.owner.code == "jp-mic" and [a.paragraph for a in outcome.actions.all()] == [61]
    meeting = Meeting.objects.get()
    assert str(meeting.uid) == content["meeting"]["uid"] and meeting.created_by is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"kind": "wish"}, "kind"),
        ({"owner": "no-such-body"}, "owner"),
        ({"actions": [12]}, "no joint action at paragraph 12"),
        ({"follow_up": "forgotten"}, "follow_up"),
        ({"closed_in": 1999}, "no cycle 1999"),
        ({"text": ""}, "text"),
    ],
)
def test_a_bad_peer_outcome_is_rejected_and_leaves_nothing(members, cycle, peer_log, changes, reason):
    record, entry = peer_log("cycle.outcome", outcome_content(**changes))
    with pytest.raises(RecordRejected, match=reason):
        apply(record, entry)
    assert not Outcome.objects.exists() and not Meeting.objects.exists()


def test_a_peer_outcome_from_an_organisation_not_of_its_party_is_rejected(members, cycle, peer_log):
    record, entry = peer_log("cycle.outcome", outcome_content(), organisation="jp-mic")
    with pytest.raises(RecordRejected, match="not an organisation of EU"):
        apply(record, entry)
    assert not Outcome.objects.exists()


@pytest.fixture
def peer_outcome(members, cycle, peer_log):
    apply(*peer_log("cycle.outcome", outcome_content()))
    return Outcome.objects.get()


def test_a_peer_outcome_is_followed_up_only_on_its_node(members, peer_outcome, token_for):
    with pytest.raises(PermissionDenied, match=MESSAGE):
        services.follow_up(members["jp_lead"], peer_outcome.uid, {"follow_up": "closed"})
    client = signed_in(members["jp_secretariat"])
    page = client.get(f"/en/meetings/{peer_outcome.meeting.uid}/").content.decode()
    assert f"Signed by the EU node · entry {peer_outcome.ledger_entry.index}" in page
    assert f"/outcomes/{peer_outcome.uid}/follow-up/" not in page
    assert "Signed by the EU node" in client.get("/en/cycles/2026/").content.decode()
    response = client.post(f"/en/outcomes/{peer_outcome.uid}/follow-up/", {"follow_up": "closed"})
    assert response.status_code == 403 and MESSAGE in response.content.decode()
    api = Client().post(
        f"/api/v1/outcomes/{peer_outcome.uid}/follow-up",
        data=json.dumps({"follow_up": "closed"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=token_for(members["jp_lead"]),
    )
    assert api.status_code == 403 and api.json()["error"]["message"] == MESSAGE
    assert Outcome.objects.get().follow_up == "open"
    listed = (
        Client().get("/api/v1/cycles/2026/meetings", HTTP_AUTHORIZATION=token_for(members["jp_lead"])).json()
    )
    assert listed[0]["outcomes"][0]["signed_by"] == "EU"


def test_a_federated_node_records_outcomes_only_as_its_party(members, cycle, settings, token_for):
    meeting = council(members["jp_secretariat"])
    settings.NODE_PARTY = "JP"
    body = {"kind": "note", "text": "Noted.", "language": "en"}
    refused = Client().post(
        f"/api/v1/meetings/{meeting.uid}/outcomes",
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=token_for(members["eu_secretariat"]),
    )
    assert refused.status_code == 403 and "This node is run by JP" in refused.json()["error"]["message"]
    accepted = services.record_outcome(members["jp_secretariat"], meeting.uid, body)
    assert [o.pk for o in Outcome.objects.all()] == [accepted.pk]
