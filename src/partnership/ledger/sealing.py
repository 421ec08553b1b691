"""Sealed content: a record's part that only the nodes it is meant for can read.

The log is public (anyone may check it), but some records carry what only the other party may read:
threat intelligence under TLP:GREEN, AMBER or RED (para 54). Such content is sealed to the receiving
node's own Ed25519 key, converted to X25519 (libsodium's `crypto_sign_ed25519_pk_to_curve25519`, the
conversion age and minisign rely on), so no key needs exchanging beyond the verifier key that peers
configure already:

    {"alg": "x25519-xsalsa20poly1305", "zip": "deflate",
     "keys": {"<key ID hex>": "<base64 sealed box of the content key>", ...},
     "box": "<base64 secret box (XSalsa20-Poly1305) of the deflated content>"}

The content is deflated, then encrypted once with a random key; that key is sealed (libsodium sealed
box) to each key of the receiving node (several while it rotates). The record around it is signed as
any other, so the sealed bytes are authenticated by the author node's signature and the box's MAC.
PyNaCl (libsodium) does the cryptography; nothing here is written by hand beyond the framing.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from nacl.exceptions import CryptoError
from nacl.public import SealedBox
from nacl.secret import SecretBox
from nacl.signing import SigningKey, VerifyKey
from nacl.utils import random

__all__ = ["ALGORITHM", "SealError", "open_sealed", "seal"]

ALGORITHM = "x25519-xsalsa20poly1305"
#: The largest content `open_sealed` inflates: a record is never bigger than this.
MAX_CONTENT = 64 * 1024 * 1024


class SealError(ValueError):
    """Sealed content that cannot be opened here (not for this node's keys, damaged, or malformed)."""


def seal(content: bytes, recipients: Mapping[str, bytes]) -> dict[str, Any]:
    """`content` sealed to each Ed25519 public key of `recipients` (key ID hex -> 32 raw bytes)."""
    if not recipients:
        raise SealError("sealed content needs at least one recipient key")
    content_key = random(SecretBox.KEY_SIZE)
    keys = {
        kid: _b64(SealedBox(VerifyKey(public).to_curve25519_public_key()).encrypt(content_key))
        for kid, public in sorted(recipients.items())
    }
    box = SecretBox(content_key).encrypt(zlib.compress(content, 6))
    return {"alg": ALGORITHM, "zip": "deflate", "keys": keys, "box": _b64(bytes(box))}


def open_sealed(sealed: Any, private_keys: Mapping[str, Ed25519PrivateKey]) -> bytes:
    """The content of `sealed`, opened with whichever of `private_keys` (key ID hex -> key) it names."""
    if not isinstance(sealed, dict) or sealed.get("alg") != ALGORITHM or sealed.get("zip") != "deflate":
        raise SealError(f"not sealed content of the form {ALGORITHM} with deflate")
    keys, box = sealed.get("keys"), sealed.get("box")
    if not isinstance(keys, dict) or not isinstance(box, str):
        raise SealError("sealed content needs `keys` (an object) and `box` (a string)")
    mine = [kid for kid in keys if kid in private_keys]
    if not mine:
        raise SealError("the content is not sealed to any key of this node")
    kid = mine[0]
    seed = private_keys[kid].private_bytes_raw()
    try:
        content_key = SealedBox(SigningKey(seed).to_curve25519_private_key()).decrypt(_unb64(keys[kid]))
        deflated = SecretBox(content_key).decrypt(_unb64(box))
        inflater = zlib.decompressobj()
        content = inflater.decompress(deflated, MAX_CONTENT)
    except (CryptoError, zlib.error, ValueError) as exc:
        raise SealError(f"the sealed content does not open with key {kid}: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise SealError(f"the sealed content is larger than {MAX_CONTENT} bytes or truncated")
    return content


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    if not isinstance(text, str):
        raise SealError("a sealed part is not a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise SealError("a sealed part is not valid base64") from None
