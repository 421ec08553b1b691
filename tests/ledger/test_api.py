"""Who reads what of the public log (issue 12, item 2): everyone verifies it, only those who may read a
record get its content: members as people.permissions says, the peer node when it signs its requests.

The node signatures themselves (forged, expired, replayed, unknown key) are in test_node_requests.py.
"""

import base64
import hashlib
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from partnership.ledger import merkle, services
from partnership.ledger.checkpoint import verify_note
from partnership.ledger.keys import verifier_key_string
from partnership.ledger.models import OWN, LogEntry, SigningKey
from partnership.ledger.records import SignedRecord, verify_record
from partnership.programme import services as programme
from tests.conftest import MEMBERS
from tests.helpers import get_as_node, signed_in

pytestmark = pytest.mark.django_db

NARRATIVE = "Members only: the pilot with the Port of Rotterdam slipped to March."
TIME = "2026-11-27T05:30:00Z"
# What each kind of record carries, and who of the members may read its content.
SECRETARIATS = {"jp_secretariat", "eu_secretariat"}
EVERY_MEMBER = set(MEMBERS)


@pytest.fixture
def jp_node(settings, tmp_path):
    """This process as the JP node, with the EU node as its peer (`eu_key` signs the EU node's requests)."""
    settings.NODE_PARTY = "JP"
    settings.NODE_KEY_FILE = tmp_path / "node-key.pem"
    eu_key = Ed25519PrivateKey.generate()
    settings.PEERS = f"http://eu.example {verifier_key_string('EU', eu_key)}"
    yield eu_key
    services._load_key.cache_clear()


@pytest.fixture
def log(jp_node, members):
    """The JP node's log: a progress update filed by a member, then one record of each other kind."""
    programme.file_update(
        members["jp_secretariat"], 46, {"status": "at_risk", "narrative": NARRATIVE, "language": "en"}
    )
    for kind, content in [
        ("programme.indicator_value", {"uid": "v1", "value": "41.5", "source": "METI survey"}),
        ("cycle.outcome", {"uid": "o1", "text": "Decision: a joint call on 6G in spring."}),
        ("threat_intel.objects", {"to": "EU", "sealed": {"box": "c2VhbGVk"}}),
        ("bench.note", {"text": "a type no app registered"}),
    ]:
        services.append(SignedRecord(kind, "JP", "jp-digital-agency", TIME, content))
    services.rotate_key(timedelta(days=1))
    return {entry.index: entry for entry in LogEntry.objects.filter(log=OWN)}


# Who may read each record type: peer nodes always; users as people.permissions says.
READERS = {
    "programme.progress_update": EVERY_MEMBER,
    "programme.indicator_value": EVERY_MEMBER,
    "cycle.outcome": EVERY_MEMBER,
    "threat_intel.objects": SECRETARIATS,
    "bench.note": set(),
    "ledger.key_rotation": EVERY_MEMBER | {"anonymous"},
}


def entries(client, **headers) -> list[dict]:
    response = client.get("/api/v1/ledger/entries?start=0", headers=headers)
    assert response.status_code == 200, response.content
    return response.json()["entries"]


def served_text(served: list[dict]) -> str:
    """Every record served, decoded: what the caller reads of the log's content."""
    return "\n".join(base64.b64decode(e["record"]).decode() for e in served if e["record"] is not None)


def signed_by_eu(client, url: str, key: Ed25519PrivateKey):
    return get_as_node(client, url, "EU", key)


def test_anonymous_readers_get_no_members_only_content(client, log):
    response = client.get("/api/v1/ledger/entries?start=0")

    assert response.status_code == 200
    assert NARRATIVE not in served_text(response.json()["entries"])
    served = {entry["type"]: entry for entry in response.json()["entries"]}
    assert set(served) == set(READERS)
    for kind, entry in served.items():
        assert (entry["record"] is not None) == ("anonymous" in READERS[kind]), kind
    # The content stays out in any encoding: the record bytes are nowhere in the answer.
    update = LogEntry.objects.get(log=OWN, index=0)
    assert base64.b64encode(bytes(update.record)).decode() not in response.content.decode()


def test_anonymous_readers_can_still_verify_every_entry_with_public_data_alone(client, log):
    served = entries(client)
    signed = verify_note(client.get("/api/v1/ledger/checkpoint").content, services.verifiers())

    for entry in served:
        proof = client.get(f"/api/v1/ledger/proof/{entry['index']}?size={signed.size}").json()
        assert proof["leaf_hash"] == entry["leaf_hash"]
        path = [bytes.fromhex(h) for h in proof["proof"]]
        merkle.verify_inclusion(
            bytes.fromhex(entry["leaf_hash"]), entry["index"], signed.size, path, signed.root_hash
        )
    # Where the record is served, its leaf hash and signature are those of its bytes.
    rotation = next(entry for entry in served if entry["record"] is not None)
    record = base64.b64decode(rotation["record"])
    assert rotation["leaf_hash"] == hashlib.sha256(b"\x00" + record).hexdigest()
    keys = {key.key_id: bytes(key.public_key) for key in SigningKey.objects.filter(log=OWN)}
    verify_record(record, base64.b64decode(rotation["signature"]), keys[rotation["key_id"]])


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_each_member_reads_what_people_permissions_lets_them_read(log, members, name):
    client = signed_in(members[name])

    for entry in entries(client):
        assert (entry["record"] is not None) == (name in READERS[entry["type"]]), entry["type"]
    assert NARRATIVE in served_text(entries(client))


def test_a_member_of_the_other_party_reads_progress_but_not_sealed_records(log, members, token_for):
    # An EU stakeholder's API token on the JP node: progress is the partnership's members', sealed threat
    # intelligence is the nodes'.
    served = entries(signed_in(None), Authorization=token_for(members["eu_stakeholder"]))
    by_type = {entry["type"]: entry for entry in served}
    update = base64.b64decode(by_type["programme.progress_update"]["record"]).decode()
    assert NARRATIVE in update
    assert by_type["threat_intel.objects"]["record"] is None


def test_a_bad_bearer_token_is_refused_not_served_as_anonymous(client, log):
    response = client.get("/api/v1/ledger/entries?start=0", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_the_peer_node_signing_its_request_reads_every_record(client, log, jp_node):
    response = signed_by_eu(client, "/api/v1/ledger/entries?start=0", jp_node)

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]  # never kept by a shared cache for someone else
    served = response.json()["entries"]
    assert len(served) == len(log)
    for entry in served:
        assert base64.b64decode(entry["record"]) == bytes(log[entry["index"]].record)
    assert NARRATIVE in served_text(served)


def test_a_page_of_entries_counts_only_the_records_it_serves(client, jp_node, monkeypatch):
    from partnership.ledger import api

    big = "x" * 5000
    services.append_many([SignedRecord("test.big", "JP", "", TIME, big) for _ in range(3)])
    monkeypatch.setattr(api, "PAGE_BYTES", 6000)

    # Withheld records cost nothing: the anonymous reader gets the whole log in one page.
    assert [e["index"] for e in entries(client)] == [0, 1, 2]
    read = signed_by_eu(client, "/api/v1/ledger/entries?start=0", jp_node).json()["entries"]
    assert [e["index"] for e in read] == [0]


def test_the_ledger_page_shows_why_a_record_was_not_applied_only_to_its_readers(
    client, jp_node, members, peer_log
):
    record, entry = peer_log("programme.progress_update", {"narrative": NARRATIVE})
    LogEntry.objects.filter(pk=entry.pk).update(
        apply_error=f'["the narrative %(text)s is not allowed", {{"text": "{NARRATIVE}"}}]'
    )

    anonymous = client.get("/en/ledger/").content.decode()
    member = signed_in(members["eu_stakeholder"]).get("/en/ledger/").content.decode()

    assert NARRATIVE not in anonymous
    assert "the reason is shown to those who may read this record" in anonymous
    assert f"the narrative {NARRATIVE} is not allowed" in member


def test_the_keys_list_the_current_key_and_the_retired_one(client, jp_node, members):
    first = services.verifier_key()
    before = client.get("/api/v1/ledger/keys").json()
    assert before["verifier_key"] == first and before["origin"] == "JP"
    assert [key for key in before["keys"] if not key["retired"]] == [
        {"verifier_key": first, "retired": False}
    ]
    services.rotate_key(timedelta(days=1))
    after = client.get("/api/v1/ledger/keys").json()
    assert after["verifier_key"] != first
    assert {"verifier_key": first, "retired": True} in after["keys"]
    assert {"verifier_key": after["verifier_key"], "retired": False} in after["keys"]
