"""The cycle over the API: the same rules as the pages, with the one error body."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnership.cycle import services
from partnership.cycle.models import Contribution, Cycle, Meeting, Outcome
from tests.conftest import MEMBERS
from tests.helpers import plan_cycle


@pytest.fixture
def auth(members, token_for):
    return {name: {"HTTP_AUTHORIZATION": token_for(user)} for name, user in members.items()}


def post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


CYCLE = {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"}
COUNCIL = {
    "mechanism": "digital-partnership-council",
    "kind": "council",
    "title": "Council 2026",
    "language": "en",
    "date": "2026-05-12",
    "agenda": [{"title": "Connectivity", "actions": [61]}],
}


def test_a_secretariat_plans_and_moves_a_cycle_and_the_public_sees_where_it_stands(client, auth):
    assert post(client, "/api/v1/cycles", CYCLE, auth["eu_secretariat"]).status_code == 201
    agreed = post(client, "/api/v1/cycles/2026/calendar/agree", {}, auth["jp_secretariat"])
    assert agreed.status_code == 200 and agreed.json()["calendar_agreed"] is True
    response = post(client, "/api/v1/cycles/2026/phase", {"phase": "call_open"}, auth["jp_secretariat"])
    assert response.status_code == 200
    assert response.json()["phase_changes"][0]["organisation"] == "jp-digital-agency"
    public = client.get("/api/v1/cycles/2026").json()
    assert public["phase"] == "call_open" and public["missing_updates"] is None
    member = client.get("/api/v1/cycles/2026", **auth["eu_lead"]).json()
    assert len(member["missing_updates"]["JP"]) == 38


def test_the_cycles_are_listed_newest_first_with_their_phase_changes(
    client, auth, members, django_assert_max_num_queries
):
    for year in (2026, 2027):
        plan_cycle(members["jp_secretariat"], {**CYCLE, "year": year})
    services.advance_phase(members["eu_secretariat"], 2026, "call_open")
    with CaptureQueriesContext(connection) as two:
        listed = client.get("/api/v1/cycles").json()
    assert [cycle["year"] for cycle in listed] == [2027, 2026]
    assert [(c["phase"], c["organisation"]) for c in listed[1]["phase_changes"]] == [
        ("call_open", "eu-dg-connect")
    ]
    assert all(cycle["missing_updates"] is None for cycle in listed)
    services.advance_phase(members["eu_secretariat"], 2026, "call_closed")  # one call open at a time
    for year in range(2028, 2033):
        plan_cycle(members["jp_secretariat"], {**CYCLE, "year": year})
        services.advance_phase(members["jp_secretariat"], year, "call_open")
        services.advance_phase(members["jp_secretariat"], year, "call_closed")
    with django_assert_max_num_queries(len(two.captured_queries)):  # no query per cycle nor per change
        assert len(client.get("/api/v1/cycles").json()) == 7
    assert (
        client.get("/api/v1/cycles/2031", **auth["eu_lead"]).json()["phase_changes"][0]["phase"]
        == "call_open"
    )
    assert client.get("/api/v1/cycles/1999").status_code == 404


def test_the_meetings_of_a_cycle_come_with_their_outcomes_in_a_fixed_number_of_queries(
    client, auth, members, django_assert_max_num_queries
):
    services.create_cycle(members["jp_secretariat"], CYCLE)
    first = services.record_meeting(members["jp_secretariat"], 2026, {**COUNCIL, "date": "2026-05-12"})
    services.record_outcome(
        members["jp_secretariat"], first.uid, {"kind": "note", "text": "Met.", "language": "en"}
    )
    with CaptureQueriesContext(connection) as one:
        client.get("/api/v1/cycles/2026/meetings", **auth["eu_lead"])
    second = services.record_meeting(members["jp_secretariat"], 2026, {**COUNCIL, "date": "2026-06-12"})
    for n in range(3):
        services.record_outcome(
            members["jp_secretariat"],
            second.uid,
            {"kind": "decision", "text": f"Decided {n}.", "language": "en", "owner": "jp-mic"},
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        listed = client.get("/api/v1/cycles/2026/meetings", **auth["eu_lead"]).json()
    assert [meeting["date"] for meeting in listed] == ["2026-06-12", "2026-05-12"]  # newest first
    assert [o["owner"] for o in listed[0]["outcomes"]] == ["jp-mic"] * 3
    assert client.get("/api/v1/cycles/1999/meetings", **auth["eu_lead"]).status_code == 404
    # Meetings and outcomes are the members', on the API as on the meeting page.
    assert client.get("/api/v1/cycles/2026/meetings").status_code == 401


def test_phases_out_of_order_are_422_with_the_reason(client, auth):
    post(client, "/api/v1/cycles", CYCLE, auth["eu_secretariat"])
    response = post(client, "/api/v1/cycles/2026/phase", {"phase": "stock_take"}, auth["eu_secretariat"])
    assert response.status_code == 422
    assert "the next phase is" in response.json()["error"]["message"]
    assert Cycle.objects.get().phase == "planned"


@pytest.mark.parametrize("name", ["jp_lead", "eu_stakeholder", "eu_member_state"])
def test_only_secretariats_write_the_cycle(client, auth, members, name):
    plan_cycle(members["jp_secretariat"], CYCLE)
    assert post(client, "/api/v1/cycles/2026/phase", {"phase": "call_open"}, auth[name]).status_code == 403
    assert post(client, "/api/v1/cycles/2026/meetings", COUNCIL, auth[name]).status_code == 403
    assert not Meeting.objects.exists() and Cycle.objects.get().phase == "planned"


def test_anonymous_writes_are_401(client, members):
    plan_cycle(members["jp_secretariat"], CYCLE)
    response = post(client, "/api/v1/cycles/2026/phase", {"phase": "call_open"}, {})
    assert response.status_code == 401 and "WWW-Authenticate" in response


def test_meetings_outcomes_follow_up_and_priorities(client, auth, members):
    plan_cycle(members["jp_secretariat"], CYCLE)
    plan_cycle(members["jp_secretariat"], {**CYCLE, "year": 2027})
    meeting = post(client, "/api/v1/cycles/2026/meetings", COUNCIL, auth["jp_secretariat"]).json()
    no_owner = {"kind": "guidance", "text": "Design the outage reporting.", "language": "en", "actions": [61]}
    response = post(client, f"/api/v1/meetings/{meeting['id']}/outcomes", no_owner, auth["jp_secretariat"])
    assert response.status_code == 422 and "owner" in response.json()["error"]["fields"]
    assert not Outcome.objects.exists()
    guidance = post(
        client,
        f"/api/v1/meetings/{meeting['id']}/outcomes",
        {**no_owner, "owner": "jp-mic"},
        auth["jp_secretariat"],
    ).json()
    done = post(
        client, f"/api/v1/outcomes/{guidance['id']}/follow-up", {"follow_up": "closed"}, auth["jp_lead"]
    )
    assert done.status_code == 200 and done.json()["follow_up"] == "closed"
    priority = post(
        client,
        f"/api/v1/meetings/{meeting['id']}/priorities",
        {"action": 61, "rationale": "Outages.", "language": "en"},
        auth["jp_secretariat"],
    )
    assert priority.status_code == 201 and priority.json()["cycle"] == 2027
    listed = client.get("/api/v1/cycles/2026/meetings", **auth["eu_lead"]).json()
    assert listed[0]["outcomes"][0]["owner"] == "jp-mic"


def test_contributions_are_public_once_accepted(client, auth, members):
    plan_cycle(members["jp_secretariat"], CYCLE)
    now = timezone.now()
    window = services.open_window(
        members["jp_secretariat"],
        2026,
        {
            "title": "Call",
            "opens": now - datetime.timedelta(hours=1),
            "closes": now + datetime.timedelta(hours=1),
        },
    )
    body = {"text": "We support the cable outage reporting system.", "language": "en", "actions": [61]}
    assert (
        post(client, f"/api/v1/windows/{window.pk}/contributions", body, auth["jp_secretariat"]).status_code
        == 403
    )
    created = post(client, f"/api/v1/windows/{window.pk}/contributions", body, auth["eu_stakeholder"])
    assert created.status_code == 201
    assert client.get("/api/v1/cycles/2026/contributions").json() == []
    assert len(client.get("/api/v1/cycles/2026/contributions", **auth["eu_secretariat"]).json()) == 1
    uid = created.json()["id"]
    rejected = post(
        client, f"/api/v1/contributions/{uid}/moderation", {"status": "rejected"}, auth["eu_secretariat"]
    )
    assert rejected.status_code == 422 and "reason" in rejected.json()["error"]["fields"]
    post(client, f"/api/v1/contributions/{uid}/moderation", {"status": "accepted"}, auth["eu_secretariat"])
    public = client.get("/api/v1/cycles/2026/contributions").json()
    assert [c["organisation"] for c in public] == ["eu-ebc"]
    assert Contribution.objects.get().status == "accepted"


# --- each party owns its word: moderation and follow-up, every role against each party's records --------

ROLES = [*MEMBERS, "anonymous"]  # every member of tests/conftest.py, and the public
#: contributor -> who may moderate its contribution: its own party's secretariat (EU Member States: the EU's).
MODERATORS = {
    "jp_stakeholder": {"jp_secretariat"},
    "eu_stakeholder": {"eu_secretariat"},
    "eu_member_state": {"eu_secretariat"},
}
#: owner organisation of a guidance item -> who may report on it: the owner and its party's secretariat;
#: a joint mechanism (no party) is reported on by either secretariat.
FOLLOWERS = {
    "jp-mic": {"jp_lead", "jp_secretariat"},
    "eu-dg-grow": {"eu_lead", "eu_secretariat"},
    "industrial-dialogue": {"jp_secretariat", "eu_secretariat"},
}


@pytest.fixture
def open_window(members):
    plan_cycle(members["jp_secretariat"], CYCLE)
    now = timezone.now()
    return services.open_window(
        members["eu_secretariat"],
        2026,
        {
            "title": "Call",
            "opens": now - datetime.timedelta(hours=1),
            "closes": now + datetime.timedelta(hours=1),
        },
    )


def _headers(auth, role):
    return {} if role == "anonymous" else auth[role]


@pytest.mark.parametrize("contributor", sorted(MODERATORS))
@pytest.mark.parametrize("role", ROLES)
def test_a_secretariat_moderates_only_its_own_partys_contributions(
    client, auth, members, open_window, role, contributor
):
    contribution = services.submit_contribution(
        members[contributor], open_window.pk, {"text": "Our view.", "language": "en"}
    )
    response = post(
        client,
        f"/api/v1/contributions/{contribution.uid}/moderation",
        {"status": "accepted", "reply": "Thanks."},
        _headers(auth, role),
    )
    contribution.refresh_from_db()
    if role in MODERATORS[contributor]:
        assert response.status_code == 200, response.content
        assert contribution.status == "accepted"
        return
    assert response.status_code == (401 if role == "anonymous" else 403), response.content
    assert (contribution.status, contribution.reply, contribution.moderated_by) == ("pending", "", None)


@pytest.mark.parametrize("owner", sorted(FOLLOWERS))
@pytest.mark.parametrize("role", ROLES)
def test_follow_up_is_the_owners_or_its_partys_secretariats(client, auth, members, role, owner):
    plan_cycle(members["jp_secretariat"], CYCLE)
    meeting = services.record_meeting(members["jp_secretariat"], 2026, COUNCIL)
    guidance = services.record_outcome(
        members["jp_secretariat"],
        meeting.uid,
        {"kind": "guidance", "text": "Report back.", "language": "en", "owner": owner},
    )
    response = post(
        client,
        f"/api/v1/outcomes/{guidance.uid}/follow-up",
        {"follow_up": "closed", "note": "Done."},
        _headers(auth, role),
    )
    guidance.refresh_from_db()
    if role in FOLLOWERS[owner]:
        assert response.status_code == 200, response.content
        assert (guidance.follow_up, guidance.follow_up_note) == ("closed", "Done.")
        return
    assert response.status_code == (401 if role == "anonymous" else 403), response.content
    assert (guidance.follow_up, guidance.follow_up_note) == ("open", "")


def test_a_malformed_body_is_400_naming_the_field(client, auth):
    response = post(client, "/api/v1/cycles", {**CYCLE, "year": "next"}, auth["jp_secretariat"])
    assert response.status_code == 400 and "year" in response.json()["error"]["fields"]
    assert not Cycle.objects.exists()


# --- a NUL character in any text is refused whole, on both databases ------------------------------------


@pytest.mark.parametrize(
    "case",
    [
        "meeting title",
        "meeting minutes",
        "agenda title",
        "guidance text",
        "priority",
        "follow-up",
        "contribution",
    ],
)
def test_a_nul_character_in_any_text_is_refused_and_changes_nothing(client, auth, members, open_window, case):
    jp = members["jp_secretariat"]
    meeting = services.record_meeting(jp, 2026, COUNCIL)
    guidance = services.record_outcome(
        jp, meeting.uid, {"kind": "guidance", "text": "Report.", "language": "en", "owner": "jp-mic"}
    )
    nul = "a\u0000b"
    path, body, who = {
        "meeting title": ("/api/v1/cycles/2026/meetings", {**COUNCIL, "title": nul}, "jp_secretariat"),
        "meeting minutes": ("/api/v1/cycles/2026/meetings", {**COUNCIL, "minutes": nul}, "jp_secretariat"),
        "agenda title": (
            "/api/v1/cycles/2026/meetings",
            {**COUNCIL, "agenda": [{"title": nul, "actions": []}]},
            "jp_secretariat",
        ),
        "guidance text": (
            f"/api/v1/meetings/{meeting.uid}/outcomes",
            {"kind": "note", "text": nul, "language": "en"},
            "jp_secretariat",
        ),
        "priority": (
            f"/api/v1/meetings/{meeting.uid}/priorities",
            {"action": 61, "rationale": nul, "language": "en"},
            "jp_secretariat",
        ),
        "follow-up": (
            f"/api/v1/outcomes/{guidance.uid}/follow-up",
            {"follow_up": "closed", "note": nul},
            "jp_lead",
        ),
        "contribution": (
            f"/api/v1/windows/{open_window.pk}/contributions",
            {"text": nul, "language": "en"},
            "jp_stakeholder",
        ),
    }[case]
    before = (Meeting.objects.count(), Outcome.objects.count(), Contribution.objects.count())
    response = post(client, path, body, auth[who])
    assert response.status_code in (400, 422), response.content
    assert "NUL" in response.json()["error"]["message"]
    guidance.refresh_from_db()
    assert (Meeting.objects.count(), Outcome.objects.count(), Contribution.objects.count()) == before
    assert guidance.follow_up == "open"
