"""Issue 14's check on `partnership demo-federation --port N --sync-interval 2`, run as a new user would:
the two nodes seeded in stages (last year's cycle complete with its report published by JP and
countersigned by EU, this year's calendar agreed, one outcome awaiting the other party), a cycle planned
on the JP node appearing on the EU node, the same signed report served by both, `report verify` on the EU
node accepting the JP node's JSON and refusing it with one byte changed; and a second run on the same
data directory that fails on nothing and doubles nothing."""

import datetime
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.federation.nodes import free_port

PASSWORD = "federation-demo-password"


def demo_federation(data_dir: Path, port: int, *args: str, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERSHIP_", "DJANGO_"))}
    env.update(PARTNERSHIP_DATA_DIR=str(data_dir), PARTNERSHIP_DEMO_PASSWORD=PASSWORD, PYTHONUNBUFFERED="1")
    return subprocess.Popen(  # noqa: S603 (our own command)
        [sys.executable, "-m", "partnership.cli", "demo-federation", "--port", str(port), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        **kwargs,
    )


def node(data_dir: Path, party: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `partnership ARGS` against one node, through the script demo-federation writes for it."""
    script = data_dir / "federation" / party.lower() / "partnership"
    result = subprocess.run([str(script), *args], capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    if check and result.returncode:
        raise AssertionError(f"{party}: partnership {' '.join(args)}: {result.stdout}{result.stderr}")
    return result


def http(url: str, token: str = "", body: dict | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if body is not None:
        data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except urllib.error.URLError:
        return 0, b""  # not listening (yet)


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo-federation")
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
        for url in urls:  # the message comes as the servers start, before they listen
            deadline = time.monotonic() + 120
            while http(url + "/healthz")[0] != 200:
                assert time.monotonic() < deadline, f"{url} does not answer"
                time.sleep(0.5)
        yield data_dir, *urls, "".join(said)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


def test_the_demo_shows_the_joint_cycle_and_the_issues_check_holds(federation, tmp_path):
    data_dir, jp, eu, said = federation
    assert "cycles: none on a federated node" not in said
    this = datetime.datetime.now(datetime.UTC).year
    last = this - 1
    assert f"EU countersigned the report of {last}" in said, said

    # Last year's report: published by JP, countersigned by EU, the same document on both nodes.
    status, from_jp = http(f"{jp}/en/reports/{last}/report.json")
    assert status == 200
    status, from_eu = http(f"{eu}/en/reports/{last}/report.json")
    assert status == 200
    document = json.loads(from_jp)
    assert [s["party"] for s in document["signatures"]] == ["JP", "EU"]
    assert json.loads(from_eu)["sha256"] == document["sha256"]
    assert [s["party"] for s in json.loads(from_eu)["signatures"]] == ["JP", "EU"]

    # This year's calendar is agreed on both nodes; one outcome awaits the other party on both.
    tokens = {
        party: node(data_dir, party, "token", "create", f"{party.lower()}-secretariat")
        for party in ("JP", "EU")
    }
    tokens = {party: result.stdout.strip().split()[-1] for party, result in tokens.items()}
    for url, party in ((jp, "JP"), (eu, "EU")):
        status, body = http(f"{url}/api/v1/cycles/{this}", tokens[party])
        assert status == 200 and json.loads(body)["calendar_agreed"] is True, body
        status, body = http(f"{url}/api/v1/cycles/{this}/meetings", tokens[party])
        awaiting = [
            (outcome["proposed_by"], outcome["agreed_by"])
            for meeting in json.loads(body)
            for outcome in meeting["outcomes"]
            if outcome["kind"] != "note" and outcome["agreed_by"] is None
        ]
        assert awaiting == [("EU", None)], (party, awaiting)
        status, body = http(f"{url}/api/v1/cycles/{last}", tokens[party])
        assert json.loads(body)["phase"] == "guidance_published", body  # last year's cycle is complete

    # A cycle planned on the JP node appears on the EU node within a few sync intervals.
    year = this + 1
    status, body = http(
        f"{jp}/api/v1/cycles",
        tokens["JP"],
        {
            "year": year,
            "call_opens": f"{year}-01-15",
            "call_closes": f"{year}-03-31",
            "council_date": f"{year}-05-12",
        },
    )
    assert status == 201, body
    deadline = time.monotonic() + 60
    while (
        status := http(f"{eu}/api/v1/cycles/{year}", tokens["EU"])[0]
    ) != 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert status == 200

    # `report verify` on the EU node accepts the JP node's JSON and refuses it with one byte changed.
    path = tmp_path / "report.json"
    path.write_bytes(from_jp)
    accepted = node(data_dir, "EU", "report", "verify", str(path), check=False)
    assert accepted.returncode == 0, accepted.stderr
    changed = bytearray(from_jp)
    at = from_jp.index(b'"sha256"') - 20
    changed[at] = ord("x") if changed[at] != ord("x") else ord("y")
    path.write_bytes(bytes(changed))
    refused = node(data_dir, "EU", "report", "verify", str(path), check=False)
    assert refused.returncode == 1, refused.stdout


def test_a_second_run_on_the_same_data_changes_nothing(federation):
    data_dir, jp, _eu, _said = federation
    this = datetime.datetime.now(datetime.UTC).year
    before = http(f"{jp}/en/reports/{this - 1}/report.json")[1]
    sizes = [node(data_dir, party, "ledger", "checkpoint").stdout.splitlines()[1] for party in ("JP", "EU")]
    # The nodes are serving on these ports: the second run sets up on others, without serving.
    again = demo_federation(data_dir, free_port(), "--no-serve")
    out, _ = again.communicate(timeout=900)
    assert again.returncode == 0, out
    assert "proposed 0 calendars and recorded 0 meetings" in out
    assert "agreed 0 calendars, confirmed 0 outcomes and priorities, recorded 0 meetings" in out
    assert [
        node(data_dir, party, "ledger", "checkpoint").stdout.splitlines()[1] for party in ("JP", "EU")
    ] == sizes
    assert http(f"{jp}/en/reports/{this - 1}/report.json")[1] == before
