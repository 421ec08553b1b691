"""Sealed content: only the receiving node's keys open it, and damage is refused, never half-read."""

import base64
import zlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from partnership.ledger.keys import key_id, public_key_bytes
from partnership.ledger.sealing import MAX_CONTENT, SealError, open_sealed, seal


def keyring(*keys):
    return {key_id("EU", key).hex(): key for key in keys}


def public(ring):
    return {kid: public_key_bytes(key) for kid, key in ring.items()}


def test_each_key_of_the_receiving_node_opens_it_and_no_other_key_does():
    current, next_key, stranger = (Ed25519PrivateKey.generate() for _ in range(3))
    ring = keyring(current, next_key)
    sealed = seal("TLP:RED — 東京の指標".encode(), public(ring))
    for kid, key in ring.items():
        assert open_sealed(sealed, {kid: key}).decode() == "TLP:RED — 東京の指標"
    with pytest.raises(SealError, match="not sealed to any key of this node"):
        open_sealed(sealed, keyring(stranger))
    # A key ID this node holds, but the box was sealed to another key under that ID.
    (kid,) = keyring(current)
    with pytest.raises(SealError, match="does not open"):
        open_sealed(sealed, {kid: stranger})


def test_the_plaintext_is_not_in_the_sealed_form():
    key = Ed25519PrivateKey.generate()
    sealed = seal(b"indicator evil.example", public(keyring(key)))
    assert b"evil.example" not in repr(sealed).encode()
    assert b"evil.example" not in base64.b64decode(sealed["box"])


@pytest.mark.parametrize(
    "damage, message",
    [
        (lambda s: {**s, "box": s["box"][:-8] + "AAAAAAA="}, "does not open"),
        (lambda s: {**s, "box": "not base64!"}, "not valid base64"),
        (lambda s: {**s, "alg": "aes"}, "not sealed content"),
        (lambda s: {**s, "keys": []}, "needs `keys`"),
        (lambda s: "a string", "not sealed content"),
    ],
)
def test_damaged_sealed_content_is_refused(damage, message):
    key = Ed25519PrivateKey.generate()
    ring = keyring(key)
    with pytest.raises(SealError, match=message):
        open_sealed(damage(seal(b"content", public(ring))), ring)


def test_a_compression_bomb_is_refused():
    from nacl.public import SealedBox
    from nacl.secret import SecretBox
    from nacl.signing import VerifyKey
    from nacl.utils import random

    key = Ed25519PrivateKey.generate()
    ring = keyring(key)
    (kid,) = ring
    content_key = random(SecretBox.KEY_SIZE)
    bomb = zlib.compress(b"\0" * (MAX_CONTENT + 1))
    sealed = {
        "alg": "x25519-xsalsa20poly1305",
        "zip": "deflate",
        "keys": {
            kid: base64.b64encode(
                SealedBox(VerifyKey(public_key_bytes(key)).to_curve25519_public_key()).encrypt(content_key)
            ).decode()
        },
        "box": base64.b64encode(bytes(SecretBox(content_key).encrypt(bomb))).decode(),
    }
    with pytest.raises(SealError, match="larger than"):
        open_sealed(sealed, ring)


def test_sealing_needs_a_recipient():
    with pytest.raises(SealError, match="at least one recipient"):
        seal(b"x", {})
