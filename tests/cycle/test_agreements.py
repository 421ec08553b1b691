"""Joint decisions need both parties, and nothing more (paras 21, 23): a cycle's calendar, the Council's
decisions and guidance, and its priorities are proposed by one party's secretariat and agreed by the
other's, on the single node as between two nodes. Each write is tried by every role, on the API and
the web; a refusal changes nothing."""

import datetime
import json

import pytest
from django.utils import timezone

from partnership.cycle import services
from partnership.cycle.models import CalendarProposal, Cycle, Outcome, Priority
from partnership.errors import Conflict, PermissionDenied
from partnership.ledger.models import LogEntry
from tests.conftest import MEMBERS
from tests.helpers import signed, signed_in

ROLES = [*MEMBERS, "anonymous"]
CYCLE = {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31", "council_date": "2026-05-12"}
COUNCIL = {
    "mechanism": "digital-partnership-council",
    "kind": "council",
    "title": "Council 2026",
    "language": "en",
    "date": "2026-05-12",
}
GUIDANCE = {
    "kind": "guidance",
    "text": "Map the cables.",
    "language": "en",
    "owner": "jp-mic",
    "actions": [61],
}


@pytest.fixture
def auth(members, token_for):
    return {name: {"HTTP_AUTHORIZATION": token_for(user)} for name, user in members.items()} | {
        "anonymous": {}
    }


def post(client, path, body, headers):
    return client.post(path, json.dumps(body), content_type="application/json", **headers)


def own_entries() -> int:
    return LogEntry.objects.filter(log="").count()


def snapshot():
    """What an agreement changes: the cycle's calendar state, agreements of outcomes and priorities, and
    the node's log."""
    return (
        list(Cycle.objects.values_list("year", "phase", "calendar_agreed", "call_opens")),
        list(CalendarProposal.objects.values_list("uid", "agreed_by")),
        list(Outcome.objects.values_list("uid", "agreed_by")),
        list(Priority.objects.values_list("uid", "agreed_by")),
        own_entries(),
    )


# --- the calendar -----------------------------------------------------------------------------------


def test_a_planned_cycle_awaits_the_other_party_and_its_phases_wait_for_the_agreement(client, auth):
    created = post(client, "/api/v1/cycles", CYCLE, auth["jp_secretariat"])
    assert created.status_code == 201
    body = created.json()
    assert body["calendar_agreed"] is False
    assert body["calendar_proposal"]["proposed_by"] == "JP"
    refused = post(client, "/api/v1/cycles/2026/phase", {"phase": "call_open"}, auth["jp_secretariat"])
    assert refused.status_code == 409
    assert "awaits the other party's agreement" in refused.json()["error"]["message"]
    page = client.get("/en/cycles/2026/").content.decode()
    assert "calendar proposed by JP, awaiting EU" in page
    ja = client.get("/ja/cycles/2026/").content.decode()
    assert "日程は JP が提案、EU の合意待ち" in ja

    agreed = post(client, "/api/v1/cycles/2026/calendar/agree", {}, auth["eu_secretariat"])

    assert agreed.status_code == 200
    assert agreed.json()["calendar_agreed"] is True and agreed.json()["calendar_proposal"] is None
    assert (
        post(client, "/api/v1/cycles/2026/phase", {"phase": "call_open"}, auth["jp_secretariat"]).status_code
        == 200
    )
    assert "calendar proposed by" not in client.get("/en/cycles/2026/").content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_only_the_other_partys_secretariat_agrees_to_a_calendar(client, auth, members, role):
    services.create_cycle(members["jp_secretariat"], CYCLE)
    before = snapshot()

    response = post(client, "/api/v1/cycles/2026/calendar/agree", {}, auth[role])

    if role == "eu_secretariat":
        assert response.status_code == 200
        assert Cycle.objects.get().calendar_agreed
        return
    assert response.status_code == (401 if role == "anonymous" else 403), response.content
    assert snapshot() == before
    if role == "jp_secretariat":
        assert "cannot agree to its own proposal" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", ROLES)
def test_the_agree_button_is_the_other_secretariats_alone_on_the_web(members, role):
    services.create_cycle(members["jp_secretariat"], CYCLE)
    page = signed_in(members.get(role)).get("/en/cycles/2026/").content.decode()
    assert ("Agree to this calendar" in page) == (role == "eu_secretariat")
    before = snapshot()
    response = signed_in(members.get(role)).post("/en/cycles/2026/calendar/agree/")
    if role == "eu_secretariat":
        assert response.status_code == 302 and Cycle.objects.get().calendar_agreed
    elif role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/en/login/")
        assert snapshot() == before
    else:
        assert response.status_code == 403 and snapshot() == before


def test_agreement_given_twice_is_refused_and_changes_nothing(client, auth, members):
    services.create_cycle(members["jp_secretariat"], CYCLE)
    assert post(client, "/api/v1/cycles/2026/calendar/agree", {}, auth["eu_secretariat"]).status_code == 200
    before = snapshot()
    again = post(client, "/api/v1/cycles/2026/calendar/agree", {}, auth["eu_secretariat"])
    assert again.status_code == 409
    assert "already agreed by EU" in again.json()["error"]["message"]
    assert snapshot() == before


def test_a_change_of_calendar_needs_the_other_party_again_and_the_agreed_one_stands(client, auth, members):
    services.create_cycle(members["jp_secretariat"], CYCLE)
    first = CalendarProposal.objects.get()
    services.agree_calendar(members["eu_secretariat"], 2026)
    change = {"call_opens": "2026-02-01", "call_closes": "2026-04-30", "council_date": "2026-06-01"}

    proposed = post(client, "/api/v1/cycles/2026/calendar", change, auth["eu_secretariat"])

    assert proposed.status_code == 201
    body = proposed.json()
    assert (body["call_opens"], body["calendar_agreed"]) == ("2026-01-15", True)  # the agreed one stands
    assert body["calendar_proposal"]["proposed_by"] == "EU"
    assert body["calendar_proposal"]["call_opens"] == "2026-02-01"
    # An agreement to the proposal read before the change is refused: the calendar has changed since.
    outdated = post(
        client, "/api/v1/cycles/2026/calendar/agree", {"proposal": str(first.uid)}, auth["jp_secretariat"]
    )
    assert (
        outdated.status_code == 409 and "was changed since you read it" in outdated.json()["error"]["message"]
    )
    assert post(client, "/api/v1/cycles/2026/calendar/agree", {}, auth["eu_secretariat"]).status_code == 403
    assert post(client, "/api/v1/cycles/2026/calendar/agree", {}, auth["jp_secretariat"]).status_code == 200
    cycle = Cycle.objects.get()
    assert (cycle.call_opens, cycle.council_date) == (datetime.date(2026, 2, 1), datetime.date(2026, 6, 1))


def test_the_phases_follow_the_agreed_calendar(members, settings):
    today = timezone.now().date()
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    services.create_cycle(
        jp,
        {
            "year": today.year + 1,
            "call_opens": today + datetime.timedelta(days=10),
            "call_closes": today + datetime.timedelta(days=40),
        },
    )
    services.agree_calendar(eu, today.year + 1)
    with pytest.raises(Exception) as refused:
        services.advance_phase(jp, today.year + 1, "call_open")
    assert "the agreed calendar sets" in str(refused.value)
    assert Cycle.objects.get().phase == "planned"
    # Moved earlier by both, the call opens today.
    services.propose_calendar(
        eu, today.year + 1, {"call_opens": today, "call_closes": today + datetime.timedelta(days=40)}
    )
    services.agree_calendar(jp, today.year + 1)
    assert services.advance_phase(jp, today.year + 1, "call_open").phase == "call_open"
    with pytest.raises(Exception, match="the agreed calendar sets"):
        services.advance_phase(jp, today.year + 1, "call_closed")


# --- Council outcomes and priorities -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "dates"),
    [
        ("call_closes", {"call_opens": "2026-02-01", "call_closes": "9999-12-31"}),
        ("call_opens", {"call_opens": "0001-01-01", "call_closes": "2026-04-30"}),
        (
            "council_date",
            {"call_opens": "2026-02-01", "call_closes": "2026-04-30", "council_date": "9999-12-31"},
        ),
    ],
)
def test_a_calendar_of_a_year_out_of_the_partnerships_span_is_refused_naming_the_date(
    client, auth, members, field, dates
):
    # A call closing in 9999 would hold the cycle's phases until then: a typo, refused before it is signed.
    services.create_cycle(members["jp_secretariat"], CYCLE)
    before = snapshot()

    refused = post(client, "/api/v1/cycles/2026/calendar", dates, auth["eu_secretariat"])

    assert refused.status_code == 422, refused.content
    assert field in refused.json()["error"]["fields"] and "2100" in refused.json()["error"]["message"]
    assert snapshot() == before


@pytest.fixture
def council(members):
    services.create_cycle(members["jp_secretariat"], CYCLE)
    services.create_cycle(members["jp_secretariat"], {**CYCLE, "year": 2027})
    return services.record_meeting(members["jp_secretariat"], 2026, COUNCIL)


def test_an_outcome_is_proposed_by_the_host_and_agreed_when_the_other_party_confirms_it(
    client, auth, members, council
):
    outcome = post(
        client, f"/api/v1/meetings/{council.uid}/outcomes", GUIDANCE, auth["jp_secretariat"]
    ).json()
    assert (outcome["proposed_by"], outcome["agreed_by"]) == ("JP", None)
    page = signed_in(members["eu_lead"]).get(f"/en/meetings/{council.uid}/").content.decode()
    assert "proposed by JP, awaiting EU" in page and ">Confirm</button>" not in page
    assert (
        ">Confirm</button>"
        in signed_in(members["eu_secretariat"]).get(f"/en/meetings/{council.uid}/").content.decode()
    )

    confirmed = post(client, f"/api/v1/outcomes/{outcome['id']}/confirm", {}, auth["eu_secretariat"])

    assert confirmed.status_code == 200 and confirmed.json()["agreed_by"] == "EU"
    record = signed(Outcome.objects.get().agreement_entry)
    assert (record.type, record.party, record.content["subject"]) == ("cycle.agreement", "EU", "outcome")
    page = signed_in(members["jp_lead"]).get(f"/en/meetings/{council.uid}/").content.decode()
    assert "agreed: proposed by JP, confirmed by EU" in page


@pytest.mark.parametrize("role", ROLES)
def test_only_the_other_partys_secretariat_confirms_an_outcome(client, auth, members, council, role):
    outcome = services.record_outcome(members["jp_secretariat"], council.uid, GUIDANCE)
    before = snapshot()
    response = post(client, f"/api/v1/outcomes/{outcome.uid}/confirm", {}, auth[role])
    if role == "eu_secretariat":
        assert response.status_code == 200
        assert Outcome.objects.get().agreed_by.code == "EU"
        again = post(client, f"/api/v1/outcomes/{outcome.uid}/confirm", {}, auth[role])
        assert again.status_code == 409
        return
    assert response.status_code == (401 if role == "anonymous" else 403), response.content
    assert snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_only_the_other_partys_secretariat_confirms_a_priority_on_the_web(members, council, role):
    priority = services.set_priority(
        members["jp_secretariat"], council.uid, {"action": 61, "rationale": "Outages.", "language": "en"}
    )
    before = snapshot()
    response = signed_in(members.get(role)).post(f"/en/priorities/{priority.uid}/confirm/")
    if role == "eu_secretariat":
        assert response.status_code == 302
        assert Priority.objects.get().agreed_by.code == "EU"
    elif role == "anonymous":
        assert response.status_code == 302 and response["Location"].startswith("/en/login/")
        assert snapshot() == before
    else:
        assert response.status_code == 403 and snapshot() == before


def test_a_priority_is_confirmed_over_the_api(client, auth, members, council):
    priority = post(
        client,
        f"/api/v1/meetings/{council.uid}/priorities",
        {"action": 61, "rationale": "Outages.", "language": "en"},
        auth["jp_secretariat"],
    ).json()
    assert (priority["proposed_by"], priority["agreed_by"]) == ("JP", None)
    done = post(client, f"/api/v1/priorities/{priority['uid']}/confirm", {}, auth["eu_secretariat"])
    assert done.status_code == 200 and done.json()["agreed_by"] == "EU"


def test_a_note_needs_no_agreement_and_only_the_host_records_outcomes(client, auth, members, council):
    note = services.record_outcome(
        members["jp_secretariat"], council.uid, {"kind": "note", "text": "Noted.", "language": "en"}
    )
    assert post(client, f"/api/v1/outcomes/{note.uid}/confirm", {}, auth["eu_secretariat"]).status_code == 404
    refused = post(client, f"/api/v1/meetings/{council.uid}/outcomes", GUIDANCE, auth["eu_secretariat"])
    assert refused.status_code == 403
    assert "recorded by the JP secretariat" in refused.json()["error"]["message"]
    assert Outcome.objects.count() == 1


def test_the_report_shows_each_outcomes_agreement(members, council):
    from partnership.cycle.report import build_report

    awaiting = services.record_outcome(members["jp_secretariat"], council.uid, GUIDANCE)
    agreed = services.record_outcome(members["jp_secretariat"], council.uid, {**GUIDANCE, "text": "Agreed."})
    services.confirm_outcome(members["eu_secretariat"], agreed.uid)
    outcomes = {o["uid"]: o["agreement"] for m in build_report(2026)["meetings"] for o in m["outcomes"]}
    assert outcomes[str(awaiting.uid)] == {"proposed_by": "JP", "agreed_by": None}
    assert outcomes[str(agreed.uid)] == {"proposed_by": "JP", "agreed_by": "EU"}


# --- on a federated node: each party writes on its own node ----------------------------------------------


def test_on_the_eu_node_the_jp_secretariat_agrees_to_nothing(members, settings):
    services.create_cycle(members["eu_secretariat"], CYCLE)
    settings.NODE_PARTY = "EU"
    before = snapshot()
    with pytest.raises(PermissionDenied, match="write JP's records on the JP node"):
        services.agree_calendar(members["jp_secretariat"], 2026)
    with pytest.raises(PermissionDenied, match="cannot agree to its own proposal"):
        services.agree_calendar(members["eu_secretariat"], 2026)
    assert snapshot() == before


def test_a_double_agreement_is_a_conflict_in_the_service(members):
    services.create_cycle(members["jp_secretariat"], CYCLE)
    services.agree_calendar(members["eu_secretariat"], 2026)
    with pytest.raises(Conflict):
        services.agree_calendar(members["eu_secretariat"], 2026)


@pytest.mark.parametrize("role", ROLES)
def test_on_the_eu_node_only_its_secretariat_confirms_a_jp_outcome(
    client, auth, members, peer_log, settings, role
):
    """The federated pair, seen from the EU node: JP's guidance arrives signed by the JP node."""
    import uuid

    services.create_cycle(members["eu_secretariat"], CYCLE)
    meeting = {k: COUNCIL[k] for k in ("kind", "mechanism", "title", "language", "date")}
    content = {
        "uid": str(uuid.uuid4()),
        "meeting": {"uid": str(uuid.uuid4()), "cycle": 2026, **meeting},
        **{k: GUIDANCE[k] for k in ("kind", "text", "language", "owner", "actions")},
        "areas": [],
        "follow_up": "open",
        "follow_up_note": "",
        "closed_in": None,
    }
    from tests.helpers import apply

    apply(*peer_log("cycle.outcome", content, party="JP"))
    settings.NODE_PARTY = "EU"
    before = snapshot()
    response = post(client, f"/api/v1/outcomes/{content['uid']}/confirm", {}, auth[role])
    if role == "eu_secretariat":
        assert response.status_code == 200 and Outcome.objects.get().agreed_by.code == "EU"
    else:
        assert response.status_code == (401 if role == "anonymous" else 403), response.content
        assert snapshot() == before
    unknown = post(client, f"/api/v1/outcomes/{uuid.uuid4()}/confirm", {}, auth["eu_secretariat"])
    assert unknown.status_code == 404
