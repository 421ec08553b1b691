"""Requests signed by a peer node's key: how a node reads the record content of another's log.

The log is public so that anyone can verify it, but the content of most records is for the partnership's
members (`registry.readable_by`). The other party's node reads all of it, and proves it is that node
with the key the operators already exchanged (PARTNERSHIP_PEERS, `peers.py`): no password or token to
hand over, and nothing new to rotate. The signature follows HTTP Message Signatures (RFC 9421) in one
fixed profile (docs/ledger.md "How a peer node authenticates"):

1. `GET /api/v1/ledger/challenge` answers a nonce made by the serving node: its issue time, random bytes
   and an HMAC of both under a key derived from the node's SECRET_KEY. It is valid CHALLENGE_SECONDS by
   the serving node's own clock, so the two nodes' clocks need not agree (sync never relied on them).
2. The request carries
       Signature-Input: node=("@method" "@path" "@query");nonce="<nonce>";keyid="JP+444c1bf4";alg="ed25519"
       Signature: node=:<base64 of the Ed25519 signature of the signature base>:
   where the signature base (RFC 9421 §2.5) is
       "@method": GET
       "@path": /api/v1/ledger/entries
       "@query": ?start=0&end=1000
       "@signature-params": ("@method" "@path" "@query");nonce="<nonce>";keyid="JP+444c1bf4";alg="ed25519"
   (lines joined by a line feed, none after the last).
3. The serving node checks the key is a key of a configured peer (configured, or introduced by a rotation
   record in that peer's verified log), the signature, the nonce's HMAC and age, and that the nonce was
   never used before (`UsedNonce`): a captured request cannot be replayed, even within the window.

A request without these headers is anonymous. One that sends them and fails any check is refused (401,
with the reason), never served as anonymous: a node whose key is missing from the other's
PARTNERSHIP_PEERS learns why at once instead of syncing records without their content.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hmac
import re
import secrets
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from .keys import key_id, public_key_from_bytes
from .models import SigningKey, UsedNonce
from .peers import PeerConfigError, configured_peers

#: How long a challenge nonce may be used, by the serving node's clock.
CHALLENGE_SECONDS = 60
COMPONENTS = '("@method" "@path" "@query")'
_SALT = "partnership.ledger.node-challenge"
_RANDOM, _MAC = 16, 16
_INPUT = re.compile(
    r'node=\("@method" "@path" "@query"\);nonce="(?P<nonce>[A-Za-z0-9_-]{1,128})";'
    r'keyid="(?P<name>[^"+\s]{1,64})\+(?P<kid>[0-9a-f]{8})";alg="ed25519"'
)
_SIGNATURE = re.compile(r"node=:(?P<signature>[A-Za-z0-9+/]{86}==):")


class NodeAuthError(Exception):
    """A request that claims to come from a peer node and does not prove it; the message says why."""


# --- the serving node ----------------------------------------------------------------------------------


def _mac(data: bytes) -> bytes:
    return salted_hmac(_SALT, data, algorithm="sha256").digest()[:_MAC]


def issue_challenge() -> str:
    """A new nonce for one signed request (base64url): issue time, random bytes, HMAC of both.

    Nothing is stored when a challenge is issued, so anyone may ask for as many as they like at no cost
    to the node; only a nonce used by a valid signature is recorded.
    """
    issued = int(timezone.now().timestamp()).to_bytes(8, "big")
    data = issued + secrets.token_bytes(_RANDOM)
    return base64.urlsafe_b64encode(data + _mac(data)).rstrip(b"=").decode("ascii")


def _fresh(nonce: str) -> bool:
    """Did this node issue `nonce`, less than CHALLENGE_SECONDS ago?"""
    try:
        raw = base64.urlsafe_b64decode(nonce + "=" * (-len(nonce) % 4))
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 8 + _RANDOM + _MAC or not hmac.compare_digest(raw[-_MAC:], _mac(raw[:-_MAC])):
        return False
    age = timezone.now().timestamp() - int.from_bytes(raw[:8], "big")
    return 0 <= age <= CHALLENGE_SECONDS


def signature_base(method: str, path: str, query: str, params: str) -> bytes:
    """The RFC 9421 signature base of a request (`query` without its "?")."""
    return (
        f'"@method": {method.upper()}\n"@path": {path}\n"@query": ?{query}\n"@signature-params": {params}'
    ).encode()


def _peer_key(name: str, kid: str) -> bytes | None:
    """The public key `name`+`kid` if it is a key of a configured peer (configured or rotated to)."""
    try:
        peer = configured_peers().get(name)
    except PeerConfigError:
        return None
    if peer is None:
        return None
    if kid in peer.keys:
        return peer.keys[kid]
    # A key the peer rotated to, learnt from a rotation record of its verified log (sync.peer_keys).
    row = SigningKey.objects.filter(log=name, key_id=kid).values_list("public_key", flat=True).first()
    return bytes(row) if row is not None else None


def authenticated_node(request: Any) -> str | None:
    """The party of the peer node that signed `request`; None for a request that does not claim to be
    one (no Signature-Input or Signature header). NodeAuthError when it claims to be and fails a check."""
    signature_input = request.headers.get("Signature-Input")
    signature_header = request.headers.get("Signature")
    if signature_input is None and signature_header is None:
        return None
    claim = _INPUT.fullmatch(signature_input or "")
    signed = _SIGNATURE.fullmatch(signature_header or "")
    if claim is None or signed is None:
        raise NodeAuthError(
            _("The Signature-Input and Signature headers are not those of a node's request (docs/ledger.md).")
        )
    name, kid, nonce = claim["name"], claim["kid"], claim["nonce"]
    public = _peer_key(name, kid)
    if public is None:
        raise NodeAuthError(
            _("The key %(key)s is not a key of a peer node of this node (PARTNERSHIP_PEERS).")
            % {"key": f"{name}+{kid}"}
        )
    base = signature_base(
        request.method, request.path, request.META.get("QUERY_STRING", ""), signature_input[len("node=") :]
    )
    try:
        public_key_from_bytes(public).verify(base64.b64decode(signed["signature"]), base)
    except (InvalidSignature, binascii.Error, ValueError):
        raise NodeAuthError(_("The node signature of this request does not verify.")) from None
    # Checked after the signature, so that nobody but the peer can use up the peer's nonces.
    if not _fresh(nonce) or not _use(nonce):
        raise NodeAuthError(
            _("The challenge of this request is unknown, expired or already used: ask for a new one.")
        )
    return name


def _use(nonce: str) -> bool:
    """Record `nonce` as used; False if it was used before (a replayed request)."""
    now = timezone.now()
    # Nonces older than the window are refused by `_fresh` anyway: no need to remember them.
    UsedNonce.objects.filter(used_at__lt=now - datetime.timedelta(seconds=2 * CHALLENGE_SECONDS)).delete()
    try:
        with transaction.atomic():
            UsedNonce.objects.create(nonce=nonce, used_at=now)
    except IntegrityError:
        return False
    return True


# --- the requesting node -------------------------------------------------------------------------------


def signed_headers(method: str, url: str, nonce: str, name: str, key: Ed25519PrivateKey) -> dict[str, str]:
    """The Signature-Input and Signature headers of a request to `url` signed by this node's `key`,
    whose signed-note name (the node's party) is `name`, with the serving node's challenge `nonce`."""
    parts = urlsplit(url)
    params = f'{COMPONENTS};nonce="{nonce}";keyid="{name}+{key_id(name, key).hex()}";alg="ed25519"'
    signature = key.sign(signature_base(method, parts.path or "/", parts.query, params))
    return {
        "Signature-Input": f"node={params}",
        "Signature": f"node=:{base64.b64encode(signature).decode('ascii')}:",
    }
