"""One Council cycle across two real nodes (issue 14, items 1 and 2): a JP node in its own process, this
process as the EU node, each pulling the other's log over HTTP (the JP node pulls from this process's
live server). What JP plans and records appears on the EU node, read-only there; what JP proposes awaits
EU's agreement on both nodes until EU agrees on its own node."""

import json
import urllib.error
import urllib.request

import pytest
from django.test import Client

from partnership.ledger import services, sync

pytestmark = pytest.mark.django_db(transaction=True)

CALENDAR = {
    "year": 2025,
    "call_opens": "2025-01-15",
    "call_closes": "2025-03-31",
    "council_date": "2025-05-12",
}
COUNCIL = {
    "mechanism": "digital-partnership-council",
    "kind": "council",
    "title": "Japan-EU Digital Partnership Council, Tokyo",
    "language": "en",
    "date": "2025-05-12",
    "participants": ["jp-digital-agency", "eu-dg-connect"],
    "minutes": "Ministers took stock of the joint actions.",
    "agenda": [{"title": "Submarine cables", "actions": [61]}],
}
GUIDANCE = {
    "kind": "guidance",
    "text": "Report cable outages to each other within a day.",
    "language": "en",
    "owner": "jp-mic",
    "actions": [61],
}


def get(node, path: str, token: str) -> dict:
    request = urllib.request.Request(node.url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def eu_post(path: str, token: str, body: dict | None = None):
    return Client().post(
        path, json.dumps(body or {}), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def pull() -> None:
    (result,) = sync.sync_all()
    assert result.error == "", result.error


@pytest.fixture
def pair(jp_factory, eu_node, live_server, members, token_for):
    """A JP node that knows this process (serving on live_server) as its EU peer, and the reverse."""
    jp = jp_factory(env={"PARTNERSHIP_PEERS": f"{live_server.url} {services.verifier_key()}"})
    eu_node.peer(jp)
    return jp, token_for(members["eu_secretariat"]).removeprefix("Bearer ")


def test_a_cycle_planned_on_the_jp_node_is_agreed_on_the_eu_node_and_both_see_it_agreed(pair):
    jp, eu_token = pair
    planned = jp.post("/api/v1/cycles", jp.secretariat_token, CALENDAR)
    assert planned["calendar_proposal"]["proposed_by"] == "JP"

    pull()

    seen = Client().get("/api/v1/cycles/2025").json()
    assert (seen["phase"], seen["calendar_agreed"]) == ("planned", False)
    assert seen["calendar_proposal"]["id"] == planned["calendar_proposal"]["id"]
    assert "calendar proposed by JP, awaiting EU" in Client().get("/en/cycles/2025/").content.decode()
    # The JP secretariat's phase waits for EU on its own node too.
    with pytest.raises(urllib.error.HTTPError) as waiting:
        jp.post("/api/v1/cycles/2025/phase", jp.secretariat_token, {"phase": "call_open"})
    assert waiting.value.code == 409

    agreed = eu_post("/api/v1/cycles/2025/calendar/agree", eu_token)
    assert agreed.status_code == 200 and agreed.json()["calendar_agreed"] is True
    jp.call("ledger", "sync")

    at_jp = get(jp, "/api/v1/cycles/2025", jp.secretariat_token)
    assert (at_jp["calendar_agreed"], at_jp["calendar_proposal"]) == (True, None)
    # Now the phases follow the agreed calendar, and the EU node follows the JP node's phase.
    jp.post("/api/v1/cycles/2025/phase", jp.secretariat_token, {"phase": "call_open"})
    pull()
    assert Client().get("/api/v1/cycles/2025").json()["phase"] == "call_open"


def test_a_meeting_recorded_on_jp_is_read_only_on_eu_and_its_guidance_awaits_eu_until_confirmed(pair):
    jp, eu_token = pair
    jp.post("/api/v1/cycles", jp.secretariat_token, CALENDAR)
    meeting = jp.post("/api/v1/cycles/2025/meetings", jp.secretariat_token, COUNCIL)
    guidance = jp.post(f"/api/v1/meetings/{meeting['id']}/outcomes", jp.secretariat_token, GUIDANCE)
    pull()

    listed = Client().get("/api/v1/cycles/2025/meetings", HTTP_AUTHORIZATION=f"Bearer {eu_token}").json()
    assert (listed[0]["host"], listed[0]["signed_by"]) == ("JP", "JP")
    assert (listed[0]["outcomes"][0]["proposed_by"], listed[0]["outcomes"][0]["agreed_by"]) == ("JP", None)
    refused = eu_post(
        f"/api/v1/meetings/{meeting['id']}/outcomes", eu_token, {**GUIDANCE, "text": "EU's own"}
    )
    assert refused.status_code == 403
    assert "recorded by the JP secretariat" in refused.json()["error"]["message"]
    at_jp = get(jp, "/api/v1/cycles/2025/meetings", jp.secretariat_token)
    assert at_jp[0]["outcomes"][0]["agreed_by"] is None  # proposed by JP, awaiting EU on both nodes

    confirmed = eu_post(f"/api/v1/outcomes/{guidance['id']}/confirm", eu_token)
    assert confirmed.status_code == 200 and confirmed.json()["agreed_by"] == "EU"
    jp.call("ledger", "sync")

    at_jp = get(jp, "/api/v1/cycles/2025/meetings", jp.secretariat_token)
    assert [o["agreed_by"] for o in at_jp[0]["outcomes"]] == ["EU"]
    # Given twice, the agreement is refused and nothing more is signed.
    size = services.size()
    assert eu_post(f"/api/v1/outcomes/{guidance['id']}/confirm", eu_token).status_code == 409
    assert services.size() == size
