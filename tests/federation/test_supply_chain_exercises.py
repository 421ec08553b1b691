"""A tabletop exercise played across two real nodes (issue 16, item 4): the JP node writes the scenario,
starts a run and releases its injects; this process, the EU node, receives the run and each released
inject sealed to it (never the injects still to come), and its member answers on its own node; the JP node
receives EU's responses and times them against its releases."""

import json
import urllib.request

import pytest
from django.test import Client

from partnership.exchanges.supply_chain.exercise_models import Exercise, ExerciseRun
from partnership.ledger import services, sync

pytestmark = pytest.mark.django_db(transaction=True)

SCENARIO = {
    "title": "Earthquake near fabs in Kyushu (exercise)",
    "tlp": "green",
    "injects": [
        {
            "offset": "T+0h",
            "type": "event",
            "kind": "earthquake",
            "title": "M7.1 earthquake near Kumamoto",
            "country": "JP",
            "severity": "major",
        },
        {
            "offset": "T+6h",
            "type": "event",
            "kind": "logistics",
            "title": "Port of Hakata closed",
            "country": "JP",
            "severity": "moderate",
        },
    ],
}


def get(node, path: str, token: str) -> dict:
    request = urllib.request.Request(node.url + path, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (loopback)
        return json.loads(response.read())


def eu_call(method: str, path: str, token: str, body: dict | None = None):
    if method == "get":
        return Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
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
    return jp, token_for(members["eu_lead"]).removeprefix("Bearer ")


def test_the_jp_node_facilitates_and_the_eu_node_responds(pair):
    jp, eu_token = pair
    exercise = jp.post("/api/v1/supply-chain/exercises", jp.secretariat_token, SCENARIO)
    run = jp.post(f"/api/v1/supply-chain/exercises/{exercise['uid']}/runs", jp.secretariat_token, {})
    jp.post(f"/api/v1/supply-chain/exercises/runs/{run['uid']}/release", jp.secretariat_token, {})

    pull()

    # On the EU node: the scenario without its injects, the run, the first inject only.
    held = Exercise.objects.get(uid=exercise["uid"])
    assert (held.injects, held.inject_count, held.signed_by) == ([], 2, "JP")
    seen = eu_call("get", f"/api/v1/supply-chain/exercises/runs/{run['uid']}", eu_token)
    assert seen.status_code == 200, seen.content
    assert [play["inject"]["title"] for play in seen.json()["injects"]] == ["M7.1 earthquake near Kumamoto"]
    assert "Port of Hakata" not in json.dumps(seen.json())
    # EU cannot release JP's run on its node; it answers as itself.
    assert (
        eu_call("post", f"/api/v1/supply-chain/exercises/runs/{run['uid']}/release", eu_token).status_code
        == 403
    )
    base = f"/api/v1/supply-chain/exercises/runs/{run['uid']}/injects/1"
    assert eu_call("post", f"{base}/acknowledge", eu_token).status_code == 200
    assessed = eu_call("post", f"{base}/assess", eu_token, {"stage": "crisis"})
    assert assessed.status_code == 200, assessed.content

    jp.call("ledger", "sync")

    # On the JP node: EU's responses, signed by the EU node, timed against JP's release.
    played = get(jp, f"/api/v1/supply-chain/exercises/runs/{run['uid']}", jp.secretariat_token)
    response = played["injects"][0]["responses"]["EU"]
    assert response["stage"] == "crisis" and response["acknowledged_after_minutes"] is not None
    assert [(step["party"], step["kind"], step["signed_by"]) for step in played["timeline"]] == [
        ("JP", "start", None),
        ("JP", "release", None),
        ("EU", "acknowledgement", "EU"),
        ("EU", "assessment", "EU"),
    ]
    # The next release reaches the EU node in order.
    jp.post(f"/api/v1/supply-chain/exercises/runs/{run['uid']}/release", jp.secretariat_token, {})
    pull()
    assert ExerciseRun.objects.get(uid=run["uid"]).released == 2
