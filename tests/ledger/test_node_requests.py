"""A peer node proves it is one by signing its requests with its node key (RFC 9421, one profile).

Every way of getting it wrong is refused with a 401 that says why, never served as the node, never a 500.
"""

import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.utils import timezone

from partnership.ledger import node_requests, services
from partnership.ledger.keys import verifier_key_string
from partnership.ledger.models import UsedNonce
from partnership.ledger.node_requests import CHALLENGE_SECONDS, signature_base, signed_headers
from partnership.ledger.records import SignedRecord

pytestmark = pytest.mark.django_db

URL = "/api/v1/ledger/entries?start=0"
SECRET = "Members only: a deliverable slipped."


@pytest.fixture
def eu_key(settings, tmp_path):
    """This process as the JP node, whose log holds a members-only record; the EU node as its peer."""
    settings.NODE_PARTY = "JP"
    settings.NODE_KEY_FILE = tmp_path / "node-key.pem"
    key = Ed25519PrivateKey.generate()
    settings.PEERS = f"http://eu.example {verifier_key_string('EU', key)}"
    services.append(
        SignedRecord("programme.deliverable", "JP", "jp-digital-agency", "2026-11-27T05:30:00Z", SECRET)
    )
    yield key
    services._load_key.cache_clear()


def challenge(client) -> str:
    response = client.get("/api/v1/ledger/challenge")
    assert response.status_code == 200
    assert response.json()["expires_in"] == CHALLENGE_SECONDS
    return response.json()["nonce"]


def get(client, headers: dict[str, str], url: str = URL):
    return client.get(url, headers=headers)


def headers_for(client, key: Ed25519PrivateKey, name: str = "EU", url: str = URL) -> dict[str, str]:
    return signed_headers("GET", "http://testserver" + url, challenge(client), name, key)


def refused(response, reason: str) -> None:
    assert response.status_code == 401, response.content
    body = response.json()
    assert body["error"]["code"] == "unauthenticated"
    assert reason in body["error"]["message"]
    assert "entries" not in body


def test_a_signed_request_of_the_peer_node_reads_the_content(client, eu_key):
    response = get(client, headers_for(client, eu_key))
    assert response.status_code == 200
    assert response.json()["entries"][0]["record"] is not None


def test_the_signature_base_is_that_of_rfc_9421():
    params = '("@method" "@path" "@query");nonce="abc";keyid="EU+01020304";alg="ed25519"'
    assert signature_base("get", "/api/v1/ledger/entries", "start=0&end=5", params) == (
        b'"@method": GET\n"@path": /api/v1/ledger/entries\n"@query": ?start=0&end=5\n'
        b'"@signature-params": ("@method" "@path" "@query");nonce="abc";keyid="EU+01020304";alg="ed25519"'
    )


def test_a_signature_by_another_key_under_the_peers_key_id_is_refused(client, eu_key):
    forged = headers_for(client, Ed25519PrivateKey.generate())
    genuine = headers_for(client, eu_key)
    forged["Signature-Input"] = genuine["Signature-Input"]  # claims the EU key, signed by another

    refused(get(client, forged), "does not verify")


def test_a_signature_for_another_query_is_refused(client, eu_key):
    headers = headers_for(client, eu_key, url="/api/v1/ledger/entries?start=5")
    refused(get(client, headers), "does not verify")


def test_an_unknown_key_is_refused(client, eu_key):
    stranger = Ed25519PrivateKey.generate()
    refused(get(client, headers_for(client, stranger)), "is not a key of a peer node")
    refused(get(client, headers_for(client, stranger, name="CN")), "is not a key of a peer node")


def test_a_replayed_request_is_refused(client, eu_key):
    headers = headers_for(client, eu_key)
    assert get(client, headers).status_code == 200

    refused(get(client, headers), "already used")
    assert UsedNonce.objects.count() == 1


def test_an_expired_challenge_is_refused(client, eu_key, monkeypatch):
    headers = headers_for(client, eu_key)
    real = timezone.now
    # The serving node's clock (Django's) moves past the window; nothing of ours is replaced.
    monkeypatch.setattr(timezone, "now", lambda: real() + datetime.timedelta(seconds=CHALLENGE_SECONDS + 2))

    refused(get(client, headers), "expired")


def test_a_nonce_this_node_never_issued_is_refused(client, eu_key):
    made_up = "A" * 54
    refused(get(client, signed_headers("GET", "http://testserver" + URL, made_up, "EU", eu_key)), "expired")


@pytest.mark.parametrize(
    "headers",
    [
        {"Signature": "node=:AAAA:"},
        {"Signature-Input": 'node=("@method");keyid="EU+00000000";alg="ed25519"'},
        {"Signature-Input": "x" * 10_000, "Signature": "y"},
        {
            "Signature-Input": 'node=("@method" "@path" "@query");nonce="n";keyid="EU+zz";alg="ed25519"',
            "Signature": "node=:" + "A" * 86 + "==:",
        },
    ],
)
def test_malformed_signature_headers_are_a_clear_401(client, eu_key, headers):
    refused(get(client, headers), "Signature-Input and Signature")


def test_a_signature_that_is_not_base64_is_a_401_not_a_500(client, eu_key):
    headers = headers_for(client, eu_key)
    headers["Signature"] = "node=:" + "A" * 85 + "@==:"
    refused(get(client, headers), "Signature-Input and Signature")


def test_a_used_nonce_is_forgotten_once_it_can_no_longer_be_fresh(client, eu_key, monkeypatch):
    assert get(client, headers_for(client, eu_key)).status_code == 200
    real = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real() + datetime.timedelta(seconds=3 * CHALLENGE_SECONDS))

    assert get(client, headers_for(client, eu_key)).status_code == 200
    assert UsedNonce.objects.count() == 1


def test_challenges_cost_the_node_nothing_until_used(client, eu_key):
    nonces = {challenge(client) for _ in range(20)}
    assert len(nonces) == 20
    assert UsedNonce.objects.count() == 0
    assert all(node_requests._fresh(nonce) for nonce in nonces)
