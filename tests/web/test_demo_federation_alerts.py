"""Issue 16's check on `partnership demo-federation --port N --sync-interval 2`, run as a new user would:
the JP node's demo alert reaches the EU node, awaiting the EU's acknowledgement; an alert proposed on the
JP node is acknowledged on the EU node, and the JP node then shows it acknowledged by both."""

import json
import time

import pytest

from tests.federation.nodes import free_port
from tests.web.test_demo_federation_cycle import demo_federation, http, node  # noqa: F401


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    import os
    import signal

    data_dir = tmp_path_factory.mktemp("demo-federation-alerts")
    port = free_port()
    while port + 1 == 65536:
        port = free_port()
    process = demo_federation(data_dir, port, "--sync-interval", "2")
    said = []
    try:
        assert process.stdout is not None
        for line in process.stdout:
            said.append(line)
            if line.startswith("Both nodes are serving"):
                break
        else:
            raise AssertionError("demo-federation stopped:\n" + "".join(said))
        urls = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{port + 1}"
        for url in urls:
            deadline = time.monotonic() + 120
            while http(url + "/healthz")[0] != 200:
                assert time.monotonic() < deadline, f"{url} does not answer"
                time.sleep(0.5)
        yield data_dir, *urls
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def wait_for(check, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while not (found := check()):
        assert time.monotonic() < deadline, "not within the time"
        time.sleep(0.5)
    return found


def test_an_alert_proposed_on_the_jp_node_is_acknowledged_on_the_eu_node(federation):
    data_dir, jp, eu = federation
    tokens = {
        party: node(data_dir, party, "token", "create", f"{party.lower()}-secretariat")
        .stdout.strip()
        .split()[-1]
        for party in ("JP", "EU")
    }

    def alerts_on(url: str, party: str) -> list[dict]:
        status, body = http(f"{url}/api/v1/supply-chain/alerts", tokens[party])
        return json.loads(body)["items"] if status == 200 else []

    # The demo's JP alert is on the EU node, awaiting the EU's acknowledgement.
    seeded = wait_for(lambda: [a for a in alerts_on(eu, "EU") if a["party"] == "JP"])
    assert seeded[0]["signed_by"] == "JP" and seeded[0]["acknowledged_at"] is None

    # A new alert, proposed on the JP node from the JP demo event.
    status, body = http(f"{jp}/api/v1/supply-chain/events?party=JP", tokens["JP"])
    (event,) = json.loads(body)["items"]
    status, body = http(
        f"{jp}/api/v1/supply-chain/alerts",
        tokens["JP"],
        {"title": "Second look at the fab", "event": event["uid"], "stage": "alert"},
    )
    assert status == 201, body
    uid = json.loads(body)["uid"]
    wait_for(lambda: http(f"{eu}/api/v1/supply-chain/alerts/{uid}", tokens["EU"])[0] == 200)

    # Acknowledged on the EU node, as the EU.
    status, body = http(f"{eu}/api/v1/supply-chain/alerts/{uid}/acknowledge", tokens["EU"], {})
    assert status == 200, body
    assert json.loads(body)["acknowledged_by"] == ["JP", "EU"]
    # The JP node cannot acknowledge for the EU: its secretariat acknowledged by proposing.
    assert http(f"{jp}/api/v1/supply-chain/alerts/{uid}/acknowledge", tokens["JP"], {})[0] == 422

    def on_jp() -> dict | None:
        status, body = http(f"{jp}/api/v1/supply-chain/alerts/{uid}", tokens["JP"])
        found = json.loads(body) if status == 200 else None
        return found if found and found["acknowledged_at"] else None

    seen = wait_for(on_jp)
    assert seen["acknowledged_by"] == ["JP", "EU"]
    assert [(step["party"], step["kind"], step["signed_by"]) for step in seen["timeline"]] == [
        ("JP", "proposal", None),
        ("EU", "acknowledgement", "EU"),
    ]
