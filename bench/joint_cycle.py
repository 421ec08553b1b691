"""Benchmark: a cycle, its calendar and ten outcomes agreed across two nodes, end to end (issue 14: within
two sync intervals).

    .venv/bin/python bench/joint_cycle.py [--runs 3] [--sync-interval 2]

Two real node processes (tests/federation/nodes.py: `partnership runserver`, each with its own data
directory, SQLite database and node key), a JP node and an EU node, each naming the other as its peer and
pulling the other's log every `--sync-interval` seconds on its own (the periodic sync of a served node).
Each run, through the API as the secretariats would: JP plans a cycle (a new year each run) with its
calendar, records a Council meeting and ten outcomes (decisions and guidance); EU waits until its node
shows them, agrees the calendar and confirms the ten outcomes on its own node; the clock stops when both
nodes show the calendar agreed and all ten outcomes agreed by EU. The figure is the median of the runs,
printed against 2 x the sync interval, with the time spent in API calls beside it. Exits 0 whether it
passes or not.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.federation.nodes import Node  # noqa: E402 (the repository root is on the path only now)

OUTCOMES = 10
POLL_SECONDS = 0.05


def call(node: Node, path: str, token: str, body: dict | None = None) -> dict | list:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(node.url + path, data=data, headers=headers)  # noqa: S310 (loopback)
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return json.loads(response.read())


def status(node: Node, path: str, token: str) -> int:
    try:
        call(node, path, token)
    except urllib.error.HTTPError as error:
        return error.code
    return 200


def all_agreed(node: Node, token: str, year: int) -> bool:
    cycle = call(node, f"/api/v1/cycles/{year}", token)
    if not cycle["calendar_agreed"]:
        return False
    meetings = call(node, f"/api/v1/cycles/{year}/meetings", token)
    agreed = [o for m in meetings for o in m["outcomes"] if o["agreed_by"] == "EU"]
    return len(agreed) == OUTCOMES


def one_run(jp: Node, eu: Node, eu_token: str, year: int) -> tuple[float, float]:
    """Seconds from JP's first write until both nodes show everything agreed; and the seconds of API calls."""
    in_calls = 0.0

    def timed(function, *args):
        nonlocal in_calls
        started = time.perf_counter()
        try:
            return function(*args)
        finally:
            in_calls += time.perf_counter() - started

    token = jp.secretariat_token
    started = time.perf_counter()
    timed(
        call,
        jp,
        "/api/v1/cycles",
        token,
        {
            "year": year,
            "call_opens": f"{year}-01-15",
            "call_closes": f"{year}-03-31",
            "council_date": f"{year}-05-12",
        },
    )
    meeting = timed(
        call,
        jp,
        f"/api/v1/cycles/{year}/meetings",
        token,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": f"Japan-EU Digital Partnership Council {year}",
            "language": "en",
            "date": f"{year}-05-12",
            "participants": ["jp-digital-agency", "eu-dg-connect"],
            "minutes": "Ministers took stock of the joint actions.",
            "agenda": [{"title": "Stock-take", "actions": []}],
        },
    )
    outcomes = [
        timed(
            call,
            jp,
            f"/api/v1/meetings/{meeting['id']}/outcomes",
            token,
            {
                "kind": "decision" if number % 2 else "guidance",
                "text": f"Outcome {number} of the Council of {year}.",
                "language": "en",
                "owner": "jp-mic" if number % 2 else "eu-dg-connect",
                "actions": [61],
            },
        )["id"]
        for number in range(OUTCOMES)
    ]
    # EU: waits until its node holds the proposal and the ten outcomes, then agrees on its own node.
    while True:
        if timed(status, eu, f"/api/v1/cycles/{year}", eu_token) == 200:
            meetings = timed(call, eu, f"/api/v1/cycles/{year}/meetings", eu_token)
            if sum(len(m["outcomes"]) for m in meetings) == OUTCOMES:
                break
        time.sleep(POLL_SECONDS)
    timed(call, eu, f"/api/v1/cycles/{year}/calendar/agree", eu_token, {})
    for uid in outcomes:
        timed(call, eu, f"/api/v1/outcomes/{uid}/confirm", eu_token, {})
    while not (timed(all_agreed, eu, eu_token, year) and timed(all_agreed, jp, token, year)):
        time.sleep(POLL_SECONDS)
    return time.perf_counter() - started, in_calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sync-interval", type=int, default=2)
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="partnership-bench-joint-cycle-"))
    print("Setting up two nodes (migrate, programme, demo accounts)...", flush=True)
    jp, eu = Node("JP", root / "jp"), Node("EU", root / "eu")
    for node in (jp, eu):
        node.call("demo", "--no-serve", timeout=1800)
    jp.secretariat_token = jp.token("jp-secretariat")
    eu_token = eu.token("eu-secretariat")
    keys = {node.party: node.verifier_key() for node in (jp, eu)}
    for node, other in ((jp, eu), (eu, jp)):
        node.extra_env = {
            "PARTNERSHIP_PEERS": f"{other.url} {keys[other.party]}",
            "PARTNERSHIP_SYNC_INTERVAL": str(options.sync_interval),
        }
    try:
        for node in (jp, eu):
            node.start()
        results = [one_run(jp, eu, eu_token, 2040 + run) for run in range(options.runs)]
    finally:
        for node in (jp, eu):
            node.stop()
    totals = [total for total, _calls in results]
    median = statistics.median(totals)
    target = 2 * options.sync_interval
    print(
        f"\nA cycle, its calendar and {OUTCOMES} outcomes agreed across two nodes (sync every "
        f"{options.sync_interval} s), {options.runs} runs:"
    )
    for number, (total, in_calls) in enumerate(results, 1):
        print(f"  run {number}: {total:.2f} s end to end, of which {in_calls:.2f} s in API calls")
    verdict = "within" if median <= target else "OVER"
    print(f"median {median:.2f} s, {verdict} the target of 2 x {options.sync_interval} s = {target} s")


if __name__ == "__main__":
    main()
