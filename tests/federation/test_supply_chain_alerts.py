"""Issue 16's check "an alert proposed on the JP node is acknowledged on the EU node", with two real nodes:
a JP node in its own process, this process as the EU node, each pulling the other's log over HTTP. The
JP node proposes an alert from an event it reported; the EU node receives both sealed to it, its member
acknowledges, assesses and adds what it knows on its own node; the JP node receives EU's records and shows
the alert acknowledged by both, at EU's stage, with EU's steps in its timeline."""

import json
import urllib.request

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from partnership.ledger import services, sync

pytestmark = pytest.mark.django_db(transaction=True)

EVENT = {
    "kind": "earthquake",
    "title": "Earthquake near fabs in Kyushu",
    "country": "JP",
    "site": "Kumamoto",
    "products": ["8542"],
    "firms": ["A foundry"],
    "severity": "moderate",
    "start_date": "2026-04-14",
    "tlp": "amber",
    "recipients": ["eu-dg-connect"],
}


def get(node, path: str, token: str) -> dict:
    request = urllib.request.Request(node.url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return json.loads(response.read())


def eu_post(path: str, token: str, body: dict | None = None):
    return Client().post(
        path, json.dumps(body or {}), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def pull() -> None:
    (result,) = sync.sync_all()
    assert result.error == "" and result.rejected == 0, result


@pytest.fixture
def pair(jp_factory, eu_node, live_server, members, token_for):
    """A JP node that knows this process (serving on live_server) as its EU peer, and the reverse."""
    jp = jp_factory(env={"PARTNERSHIP_PEERS": f"{live_server.url} {services.verifier_key()}"})
    eu_node.peer(jp)
    return jp, token_for(members["eu_secretariat"]).removeprefix("Bearer ")


def test_an_alert_proposed_on_the_jp_node_is_acknowledged_on_the_eu_node(pair):
    jp, eu_token = pair
    event = jp.post("/api/v1/supply-chain/events", jp.secretariat_token, EVENT)
    proposed = jp.post(
        "/api/v1/supply-chain/alerts",
        jp.secretariat_token,
        {"title": "Foundry output", "event": event["uid"], "stage": "monitoring"},
    )
    assert (proposed["acknowledged_by"], proposed["acknowledged_at"]) == (["JP"], None)

    pull()

    # On the EU node: the event and the alert, read-only copies signed by the JP node.
    seen = Client().get(
        f"/api/v1/supply-chain/alerts/{proposed['uid']}", HTTP_AUTHORIZATION=f"Bearer {eu_token}"
    )
    assert seen.status_code == 200, seen.content
    assert (seen.json()["signed_by"], seen.json()["acknowledged_at"]) == ("JP", None)
    page = Client()
    page.force_login(get_user_model().objects.get(username="eu-secretariat"))
    assert (
        "Acknowledge for your party"
        in page.get(f"/en/supply-chain/alerts/{proposed['uid']}/").content.decode()
    )

    # EU acknowledges on its own node, assesses higher, and adds what it knows to the event.
    acknowledged = eu_post(f"/api/v1/supply-chain/alerts/{proposed['uid']}/acknowledge", eu_token)
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["acknowledged_at"] is not None
    assert (
        eu_post(
            f"/api/v1/supply-chain/alerts/{proposed['uid']}/assess", eu_token, {"stage": "alert"}
        ).status_code
        == 200
    )
    added = eu_post(
        f"/api/v1/supply-chain/events/{event['uid']}/additions", eu_token, {"text": "EU fabs unaffected"}
    )
    assert added.status_code == 201, added.content
    # EU cannot write JP's records on its node: the JP event is acknowledged, not changed.
    assert eu_post(f"/api/v1/supply-chain/alerts/{proposed['uid']}/acknowledge", eu_token).status_code == 422

    jp.call("ledger", "sync")

    # On the JP node: acknowledged by both, at EU's higher stage, EU's steps signed by the EU node.
    alert = get(jp, f"/api/v1/supply-chain/alerts/{proposed['uid']}", jp.secretariat_token)
    assert alert["acknowledged_by"] == ["JP", "EU"] and alert["acknowledged_at"] is not None
    assert (alert["stage"], alert["assessments"]) == ("alert", {"EU": "alert", "JP": "monitoring"})
    assert [(step["party"], step["kind"], step["signed_by"]) for step in alert["timeline"]] == [
        ("JP", "proposal", None),
        ("EU", "acknowledgement", "EU"),
        ("EU", "assessment", "EU"),
    ]
    reported = get(jp, f"/api/v1/supply-chain/events/{event['uid']}", jp.secretariat_token)
    assert reported["acknowledged"] is True
    assert [(a["party"], a["text"]) for a in reported["additions"]] == [("EU", "EU fabs unaffected")]
