"""What a node serves its peers (the ledger API), the peer list, key rotation and verification by replay.

The sync itself, between two real nodes over HTTP, is tested in tests/federation/.
"""

import base64
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError

from partnership.ledger import merkle, services
from partnership.ledger.checkpoint import open_note, verify_note
from partnership.ledger.keys import key_id, load_or_create_key, public_key_bytes, verifier_key_string
from partnership.ledger.models import OWN, LogEntry, SigningKey
from partnership.ledger.peers import PeerConfigError, parse_peers
from partnership.ledger.records import SignedRecord, rotated_key, verify_record
from tests.helpers import get_as_node

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def jp_node(settings, tmp_path):
    settings.NODE_PARTY = "JP"
    settings.NODE_KEY_FILE = tmp_path / "node-key.pem"
    yield
    services._load_key.cache_clear()


def note(n: int, time: str = "2026-11-27T05:30:00Z") -> SignedRecord:
    return SignedRecord("test.note", "JP", "jp-digital-agency", time, {"n": n})


@pytest.fixture
def eu_node_key(settings):
    """The key of the EU node, this node's configured peer, which reads the content of every record."""
    key = Ed25519PrivateKey.generate()
    settings.PEERS = f"http://127.0.0.1:8001 {verifier_key_string('EU', key)}"
    return key


def test_entries_are_served_as_signed_with_their_key_id(client, eu_node_key):
    for n in range(5):
        services.append(note(n))

    body = get_as_node(client, "/api/v1/ledger/entries?start=1&end=3", "EU", eu_node_key).json()

    assert body["origin"] == "JP" and body["size"] == 5
    assert [e["index"] for e in body["entries"]] == [1, 2]
    first = body["entries"][0]
    record = verify_record(
        base64.b64decode(first["record"]),
        base64.b64decode(first["signature"]),
        services.node_key().public_key(),
    )
    assert record.content == {"n": 1}
    assert first["key_id"] == key_id("JP", services.node_key()).hex()


def test_a_page_of_entries_stops_at_its_byte_budget_but_always_holds_one(client, monkeypatch, eu_node_key):
    from partnership.ledger import api

    services.append_many(
        [note(n) for n in range(3)] + [SignedRecord("test.big", "JP", "", "2026-11-27T05:30:00Z", "x" * 5000)]
    )
    monkeypatch.setattr(api, "PAGE_BYTES", 2 * len(bytes(LogEntry.objects.get(log=OWN, index=0).record)))

    def indexes(start: int) -> list[int]:
        url = f"/api/v1/ledger/entries?start={start}"
        return [e["index"] for e in get_as_node(client, url, "EU", eu_node_key).json()["entries"]]

    assert indexes(0) == [0, 1]
    assert indexes(2) == [2]
    # A record larger than the budget comes alone, never not at all.
    assert indexes(3) == [3]


def test_checkpoint_and_proofs_served_verify(client):
    for n in range(7):
        services.append(note(n))
    response = client.get("/api/v1/ledger/checkpoint")
    assert response["Content-Type"].startswith("text/plain")
    signed = verify_note(response.content, services.verifiers())
    assert (signed.origin, signed.size) == ("JP", 7)

    proof = client.get("/api/v1/ledger/proof/3").json()
    leaf = merkle.leaf_hash(bytes(LogEntry.objects.get(index=3).record))
    merkle.verify_inclusion(leaf, 3, 7, [bytes.fromhex(h) for h in proof["proof"]], signed.root_hash)

    services.append(note(7))
    consistency = client.get("/api/v1/ledger/consistency?old=7&new=8").json()
    merkle.verify_consistency(
        7, 8, signed.root_hash, services.root(8), [bytes.fromhex(h) for h in consistency["proof"]]
    )


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/v1/ledger/consistency?old=3&new=2", 422),
        ("/api/v1/ledger/consistency?old=0&new=99", 422),
        ("/api/v1/ledger/consistency?old=-1&new=2", 400),
        ("/api/v1/ledger/proof/9", 404),
        ("/api/v1/ledger/entries?start=x", 400),
    ],
)
def test_bad_ranges_get_the_api_error_body(client, url, status):
    services.append(note(0))
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["error"]["message"]


def test_peers_are_parsed_and_checked(settings):
    eu = load_or_create_key(settings.NODE_KEY_FILE.with_name("eu.pem"))
    vkey = verifier_key_string("EU", eu)
    peers = parse_peers(f" http://127.0.0.1:8001/ {vkey} ")
    assert peers["EU"].url == "http://127.0.0.1:8001"
    assert peers["EU"].keys == {key_id("EU", eu).hex(): public_key_bytes(eu)}
    for text, fragment in [
        ("http://127.0.0.1:8001", "is not `<base URL> <verifier key>`"),
        (f"ftp://x {vkey}", "not an http(s) base URL"),
        ("http://x EU+00000000+AAAA", "entry 1"),
        (f"http://a {vkey}, http://b {vkey}", "two URLs for EU"),
        (f"http://a {verifier_key_string('JP', eu)}", "own party JP"),
    ]:
        with pytest.raises(PeerConfigError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            parse_peers(text)


def test_a_bad_peer_list_fails_partnership_check(settings):
    settings.PEERS = "http://127.0.0.1:8001 not-a-key"
    with pytest.raises(CommandError, match="PARTNERSHIP_PEERS entry 1"):
        call_command("check")


def test_rotation_keeps_old_entries_valid_and_co_signs_during_the_overlap(settings):
    old = services.node_key()
    services.append(note(0))
    entry = services.rotate_key(timedelta(days=1))
    new = services.node_key()
    services.append(note(1))

    assert public_key_bytes(new) != public_key_bytes(old)
    name, raw = rotated_key(verify_record(bytes(entry.record), bytes(entry.signature), old.public_key()))
    assert (name, raw) == ("JP", public_key_bytes(new))
    assert services.verify_log() == []
    # During the overlap both keys sign checkpoints: a peer knowing only the old key still verifies.
    signed = open_note(services.checkpoint().note, {"JP": [public_key_bytes(old), public_key_bytes(new)]})
    assert len(signed.verified) == 2
    verify_note(services.checkpoint().note, {"JP": public_key_bytes(old)})
    assert SigningKey.objects.get(log=OWN, key_id=key_id("JP", old).hex()).retired


def test_after_the_overlap_only_the_new_key_signs(settings):
    old = services.node_key()
    services.append(note(0))
    services.rotate_key(timedelta(0))
    services.append(note(1))
    signed = open_note(
        services.checkpoint().note, {"JP": [public_key_bytes(old), public_key_bytes(services.node_key())]}
    )
    assert [s.key_id for s in signed.verified] == [key_id("JP", services.node_key())]


def test_a_key_slipped_into_the_database_is_not_trusted_by_verify(settings):
    services.append(note(0))
    intruder = load_or_create_key(settings.NODE_KEY_FILE.with_name("intruder.pem"))
    data, signature = note(1).canonical_bytes(), intruder.sign(note(1).canonical_bytes())
    with services.transaction.atomic():
        services.store_entries(OWN, 1, [(data, signature, key_id("JP", intruder).hex())])
    SigningKey.objects.create(
        log=OWN, name="JP", key_id=key_id("JP", intruder).hex(), public_key=public_key_bytes(intruder)
    )

    problems = services.verify_log()

    assert problems and problems[0].startswith("entry 1: signed by key")
    with pytest.raises(CommandError, match="entry 1"):
        call_command("ledger", "verify")


def test_ledger_page_shows_the_log_and_the_peers(client, settings):
    eu = load_or_create_key(settings.NODE_KEY_FILE.with_name("eu.pem"))
    settings.PEERS = f"http://127.0.0.1:8001 {verifier_key_string('EU', eu)}"
    services.append(note(0))
    page = client.get("/en/ledger/").content.decode()
    assert services.verifier_key() in page
    assert "http://127.0.0.1:8001" in page and "not synced yet" in page
    ja = client.get("/ja/ledger/").content.decode()
    assert "not synced yet" not in ja
