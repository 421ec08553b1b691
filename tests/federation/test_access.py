"""Who reads the JP node's log over real HTTP (issue 12, item 2): anyone verifies it, only its peer node
(a signed request) and its members read the records' content."""

import base64
import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest

from partnership.ledger import merkle, services, sync
from partnership.ledger.checkpoint import verify_note
from tests.conftest import jp_vkey

pytestmark = pytest.mark.django_db(transaction=False)

NARRATIVE = "Members only: the JP node's pilot slipped to March."


def fetch(url: str, token: str = "") -> bytes:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
        return response.read()


def test_an_anonymous_reader_verifies_the_log_but_reads_no_progress(jp):
    jp.file_update(jp.secretariat_token, 46, NARRATIVE)
    entries = json.loads(fetch(f"{jp.url}/api/v1/ledger/entries?start=0"))["entries"]
    note = fetch(f"{jp.url}/api/v1/ledger/checkpoint").decode()
    signed = verify_note(note, {"JP": list(sync.peer_keys(_peer(jp)).values())})

    assert all(entry["record"] is None for entry in entries if entry["type"].startswith("programme."))
    last = entries[-1]
    assert last["type"] == "programme.progress_update"
    proof = json.loads(fetch(f"{jp.url}/api/v1/ledger/proof/{last['index']}?size={signed.size}"))
    merkle.verify_inclusion(
        bytes.fromhex(last["leaf_hash"]),
        last["index"],
        signed.size,
        [bytes.fromhex(h) for h in proof["proof"]],
        signed.root_hash,
    )
    # A member of the JP node reads it with their token.
    read = json.loads(fetch(f"{jp.url}/api/v1/ledger/entries?start={last['index']}", jp.secretariat_token))
    assert NARRATIVE in base64.b64decode(read["entries"][0]["record"]).decode()


def test_a_node_the_peer_does_not_know_is_refused_and_told_why(jp_factory, eu_node):
    stranger_of_jp = jp_factory("no-peers", env={"PARTNERSHIP_PEERS": ""})
    eu_node.peer(stranger_of_jp)

    (result,) = sync.sync_all()

    assert "answered 401" in result.error
    assert f"EU+{services.own_key_id()} is not a key of a peer node" in result.error
    assert services.size("JP") == 0


def _peer(node):
    from partnership.ledger.peers import parse_peers

    return parse_peers(f"{node.url} {jp_vkey(node)}")["JP"]


def test_a_forged_node_request_to_a_real_node_is_a_401(jp):
    request = urllib.request.Request(
        f"{jp.url}/api/v1/ledger/entries?start=0",
        headers={"Signature-Input": 'node=("@method" "@path" "@query");nonce="x"', "Signature": "node=:x:"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401


def test_after_this_node_rotates_its_key_a_peer_that_knows_only_the_old_one_still_serves_it(
    jp_factory, eu_node, settings, tmp_path
):
    settings.NODE_KEY_FILE = tmp_path / "eu-node-key.pem"
    jp = jp_factory(env={"PARTNERSHIP_PEERS": f"http://127.0.0.1:9 {services.verifier_key()}"})
    eu_node.peer(jp)
    services.rotate_key(timedelta(days=1))  # the JP node never pulls this node's log: it keeps the old key
    jp.file_update(jp.secretariat_token, 46, NARRATIVE)

    (result,) = sync.sync_all()

    assert result.error == ""
    assert result.fetched == services.size("JP") > 0
    assert services.verify_log("JP") == []
