"""Outcomes in the ledger: signed when recorded and followed up, applied from a peer, read-only then."""

import datetime
import hashlib
import json
import uuid

import pytest
from django.test import Client

from partnership.cycle import services
from partnership.cycle.models import (
    CalendarProposal,
    ConsultationWindow,
    Contribution,
    Cycle,
    Meeting,
    Outcome,
)
from partnership.cycle.records import terms_sha256
from partnership.errors import Conflict, PermissionDenied
from partnership.ledger.canonical import canonical_json
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


# --- the rest of the cycle as shared records (issue 14) ---------------------------------------------------


def calendar_content(**changes):
    return {
        "uid": str(uuid.uuid4()),
        "year": 2030,
        "call_opens": "2030-01-15",
        "call_closes": "2030-03-31",
        "council_date": "2030-05-12",
        **changes,
    }


def test_a_peer_calendar_plans_the_cycle_here_awaiting_this_partys_agreement(members, peer_log, settings):
    content = calendar_content()
    first = peer_log("cycle.calendar", content)
    apply(*first)
    apply(*first)
    cycle = Cycle.objects.get(year=2030)
    assert (cycle.calendar_agreed, cycle.call_opens.isoformat()) == (False, "2030-01-15")
    assert CalendarProposal.objects.get().signed_by == "EU"
    page = Client().get("/en/cycles/2030/").content.decode()
    assert "calendar proposed by EU, awaiting JP" in page and "Signed by the EU node" in page
    settings.NODE_PARTY = "JP"

    services.agree_calendar(members["jp_secretariat"], 2030)

    record = signed(CalendarProposal.objects.get().agreement_entry)
    assert (record.type, record.party) == ("cycle.agreement", "JP")
    assert record.content == {
        "subject": "calendar",
        "uid": content["uid"],
        "sha256": hashlib.sha256(canonical_json(content)).hexdigest(),
    }
    assert Cycle.objects.get(year=2030).calendar_agreed


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"call_closes": "2029-12-31"}, "call_closes: the call must close after it opens"),
        ({"council_date": "2030-03-01"}, "council_date: the Council meets after the call for updates closes"),
        (
            {"call_closes": "9999-12-31", "council_date": None},
            "call_closes: give a time between 2000 and 2100",
        ),
    ],
)
def test_a_peer_calendar_the_proposers_own_node_would_refuse_is_refused_here(
    members, peer_log, changes, message
):
    with pytest.raises(RecordRejected, match=message):
        apply(*peer_log("cycle.calendar", calendar_content(**changes)))
    assert not Cycle.objects.filter(year=2030).exists()


@pytest.fixture
def jp_calendar(members):
    services.create_cycle(
        members["jp_secretariat"],
        {"year": 2030, **{k: v for k, v in calendar_content().items() if k not in ("uid", "year")}},
    )
    return CalendarProposal.objects.get(cycle__year=2030)


def agreement_to(proposal, subject="calendar", **changes):
    return {
        "subject": subject,
        "uid": str(proposal.uid),
        "sha256": terms_sha256(subject, proposal),
        **changes,
    }


def test_a_peer_agreement_agrees_once_and_only_to_the_terms_held(members, jp_calendar, peer_log):
    with pytest.raises(RecordRejected, match="other terms"):
        apply(*peer_log("cycle.agreement", agreement_to(jp_calendar, sha256="0" * 64)))
    with pytest.raises(RecordRejected, match="JP cannot agree to its own calendar"):
        apply(*peer_log("cycle.agreement", agreement_to(jp_calendar), party="JP"))
    assert not Cycle.objects.get(year=2030).calendar_agreed
    agreed = peer_log("cycle.agreement", agreement_to(jp_calendar))
    apply(*agreed)
    apply(*agreed)  # the same record again changes nothing
    proposal = CalendarProposal.objects.get()
    assert (proposal.agreed_by.code, proposal.agreement_entry_id) == ("EU", agreed[1].pk)
    assert Cycle.objects.get(year=2030).calendar_agreed
    with pytest.raises(RecordRejected, match="already agreed by EU"):
        apply(*peer_log("cycle.agreement", agreement_to(jp_calendar)))


def test_peer_phases_apply_in_order_once_and_never_skip(members, jp_calendar, peer_log):
    services.agree_calendar(members["eu_secretariat"], 2030)
    with pytest.raises(RecordRejected, match="does not follow"):
        apply(*peer_log("cycle.phase", {"year": 2030, "phase": "stock_take"}))
    with pytest.raises(RecordRejected, match="no cycle 2031"):
        apply(*peer_log("cycle.phase", {"year": 2031, "phase": "call_open"}))
    opened = peer_log("cycle.phase", {"year": 2030, "phase": "call_open"})
    apply(*opened)
    apply(*opened)
    cycle = Cycle.objects.get(year=2030)
    assert cycle.phase == "call_open"
    (change,) = cycle.phase_changes.all()
    assert (change.changed_by, change.organisation.code, change.signed_by) == (None, "eu-dg-connect", "EU")


def meeting_content(**changes):
    return {
        "uid": str(uuid.uuid4()),
        "cycle": 2026,
        "kind": "council",
        "mechanism": "digital-partnership-council",
        "title": "Council in Brussels",
        "language": "en",
        "date": "2026-05-12",
        "place": "Brussels",
        "online": False,
        "participants": ["eu-dg-connect", "jp-digital-agency"],
        "minutes": "Ministers took stock.",
        "agenda": [{"title": "Cables", "actions": [61]}],
        **changes,
    }


def test_a_peer_meeting_is_read_only_here_and_its_outcomes_are_confirmed_not_recorded(
    members, cycle, peer_log, settings
):
    content = meeting_content()
    apply(*peer_log("cycle.meeting", content))
    meeting = Meeting.objects.get()
    assert (meeting.party.code, meeting.place, meeting.signed_by) == ("EU", "Brussels", "EU")
    assert [item.title for item in meeting.agenda.all()] == ["Cables"]
    assert sorted(o.code for o in meeting.participants.all()) == ["eu-dg-connect", "jp-digital-agency"]
    settings.NODE_PARTY = "JP"
    with pytest.raises(PermissionDenied, match="recorded by the EU secretariat"):
        services.record_outcome(
            members["jp_secretariat"], meeting.uid, {"kind": "note", "text": "x", "language": "en"}
        )
    page = signed_in(members["jp_secretariat"]).get(f"/en/meetings/{meeting.uid}/").content.decode()
    assert "Signed by the EU node" in page and "Add an outcome" not in page
    apply(
        *peer_log(
            "cycle.outcome",
            outcome_content(
                meeting={
                    k: content[k] for k in ("uid", "cycle", "kind", "mechanism", "title", "language", "date")
                }
            ),
        )
    )
    outcome = Outcome.objects.get()
    assert (
        "proposed by EU, awaiting JP"
        in signed_in(members["jp_lead"]).get(f"/en/meetings/{meeting.uid}/").content.decode()
    )
    services.confirm_outcome(members["jp_secretariat"], outcome.uid)
    assert signed(Outcome.objects.get().agreement_entry).content["subject"] == "outcome"


def test_a_peer_window_and_an_accepted_contribution_arrive_with_the_files_name_and_hash(
    members, cycle, peer_log
):
    window = {
        "uid": str(uuid.uuid4()),
        "cycle": 2026,
        "title": "EU consultation",
        "opens": "2026-02-01T00:00:00Z",
        "closes": "2026-03-01T00:00:00Z",
    }
    apply(*peer_log("cycle.window", window))
    sha = hashlib.sha256(b"position paper").hexdigest()
    contribution = {
        "uid": str(uuid.uuid4()),
        "window": window["uid"],
        "organisation": "eu-ebc",
        "text": "We support the outage reporting.",
        "language": "en",
        "areas": [],
        "actions": [61],
        "attachment": {"name": "paper.pdf", "sha256": sha},
        "reply": "Thank you.",
        "submitted_at": "2026-02-10T09:00:00Z",
    }
    with pytest.raises(RecordRejected, match="not an organisation of EU"):
        apply(*peer_log("cycle.contribution", {**contribution, "organisation": "jp-jbce"}))
    apply(*peer_log("cycle.contribution", contribution))
    held = Contribution.objects.get()
    assert (held.status, held.author, held.attachment_name, held.attachment_sha256) == (
        "accepted",
        None,
        "paper.pdf",
        sha,
    )
    assert not held.attachment
    public = Client().get("/api/v1/cycles/2026/contributions").json()
    assert [c["text"] for c in public] == ["We support the outage reporting."]
    page = Client().get("/en/cycles/2026/consultation/").content.decode()
    assert (
        "Signed by the EU node" in page and f"SHA-256 {sha}" in page and "Download the attachment" not in page
    )


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return settings.MEDIA_ROOT


def test_only_accepted_contributions_are_signed_with_their_attachments_hash(members, cycle, media_root):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    now = timezone.now()
    window = services.open_window(
        members["eu_secretariat"],
        2026,
        {
            "title": "Call",
            "opens": now - datetime.timedelta(hours=1),
            "closes": now + datetime.timedelta(hours=1),
        },
    )
    record = signed(ConsultationWindow.objects.get().ledger_entry)
    assert (record.type, record.party, record.content["uid"]) == ("cycle.window", "EU", str(window.uid))
    paper = ContentFile(b"position paper", name="paper.txt")
    kept = services.submit_contribution(
        members["eu_stakeholder"], window.pk, {"text": "Yes.", "language": "en"}, paper
    )
    refused = services.submit_contribution(
        members["eu_stakeholder"], window.pk, {"text": "No.", "language": "en"}
    )
    services.moderate(members["eu_secretariat"], refused.uid, {"status": "rejected", "reason": "Off topic."})
    assert Contribution.objects.get(pk=refused.pk).ledger_entry is None
    services.moderate(members["eu_secretariat"], kept.uid, {"status": "accepted"})
    record = signed(Contribution.objects.get(pk=kept.pk).ledger_entry)
    assert (record.type, record.party, record.organisation) == ("cycle.contribution", "EU", "eu-ebc")
    assert record.content["attachment"] == {
        "name": "paper.txt",
        "sha256": hashlib.sha256(b"position paper").hexdigest(),
    }
    with pytest.raises(Conflict, match="accepted and shared"):
        services.moderate(members["eu_secretariat"], kept.uid, {"status": "rejected", "reason": "Changed."})
