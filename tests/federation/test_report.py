"""A report both parties sign, across two real nodes (issue 14, item 3): the JP node (its own process)
publishes; this process, the EU node, pulls it and holds the same document; EU's secretariat countersigns
here; the JP node pulls the countersignature back from this node over HTTP (a live server); both nodes then
serve the same JSON with both signatures, which `partnership report verify` accepts on each, and refuses
with one byte changed."""

import json
import urllib.request
from io import StringIO

import pytest
from django.core.management import call_command

from partnership.cycle import report, services
from partnership.ledger import services as ledger
from partnership.ledger import sync

pytestmark = pytest.mark.django_db(transaction=True)

CYCLE = {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"}


def served(url: str) -> bytes:
    with urllib.request.urlopen(url + "/en/reports/2026/report.json", timeout=30) as response:
        return response.read()


def verify_here(path) -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("report", "verify", str(path), stdout=out, stderr=err)
    except SystemExit as exit:
        return int(exit.code or 0), err.getvalue()
    return 0, out.getvalue()


def test_jp_publishes_eu_countersigns_and_both_nodes_serve_the_same_signed_report(
    jp_factory, eu_node, members, live_server, tmp_path
):
    # The JP node pulls this process's log from the live server: it names it, with this node's key.
    jp = jp_factory(env={"PARTNERSHIP_PEERS": f"{live_server.url} {ledger.verifier_key()}"})
    eu_node.peer(jp)
    token = jp.secretariat_token
    # JP plans the cycle; EU receives it, agrees to its calendar here, and JP receives the agreement.
    jp.post("/api/v1/cycles", token, CYCLE)
    (result,) = sync.sync_all()
    assert (result.error, result.rejected) == ("", 0)
    services.agree_calendar(members["eu_secretariat"], 2026)
    assert "EU" in jp.call("ledger", "sync").stdout
    for phase in ("call_open", "call_closed", "stock_take"):
        jp.post("/api/v1/cycles/2026/phase", token, {"phase": phase})
    published = jp.call("report", "publish", "--cycle", "2026", "--user", "jp-secretariat").stdout
    from_jp = json.loads(served(jp.url))
    assert from_jp["sha256"] in published
    assert [s["party"] for s in from_jp["signatures"]] == ["JP"]

    (result,) = sync.sync_all()
    assert (result.error, result.rejected) == ("", 0)
    held = report.published(2026)
    assert held is not None and held.sha256 == from_jp["sha256"] and held.published_by is None
    assert served(live_server.url) == served(jp.url)  # the same document, byte for byte

    report.countersign_report(members["eu_secretariat"], 2026, from_jp["sha256"])
    pulled = jp.call("ledger", "sync")
    assert "EU" in pulled.stdout, pulled.stdout

    on_jp, on_eu = served(jp.url), served(live_server.url)
    assert on_jp == on_eu
    document = json.loads(on_jp)
    assert [s["party"] for s in document["signatures"]] == ["JP", "EU"]
    assert [s["key"].split("+")[0] for s in document["signatures"]] == ["JP", "EU"]

    path = tmp_path / "report-2026.json"
    path.write_bytes(on_jp)
    status, said = verify_here(path)
    assert status == 0 and "VALID" in said, said
    assert jp.call("report", "verify", str(path)).returncode == 0  # and the JP node, offline, too
    changed = bytearray(on_jp)
    at = on_jp.index(b'"year": 2026') + len(b'"year": 202')
    changed[at] = ord("7")
    path.write_bytes(bytes(changed))
    status, said = verify_here(path)
    assert status == 1 and "SHA-256 does not match" in said
    refused = jp.call("report", "verify", str(path), check=False)
    assert refused.returncode == 1 and "SHA-256 does not match" in refused.stderr
