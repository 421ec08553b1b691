"""Signed records: what a party authors for the others, canonicalised (RFC 8785) and signed (Ed25519).

The signed bytes are the JCS canonical JSON of exactly five members:

    {"content": <JSON>, "organisation": "...", "party": "...", "time": "<RFC 3339 UTC>", "type": "..."}

so another party's node, in any language, rebuilds the same bytes from the same record and checks the
signature with the author node's public key.
"""

from __future__ import annotations

import base64
import binascii
import json
import multiprocessing
import os
import re
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from nacl.exceptions import BadSignatureError
from nacl.signing import VerifyKey

from .canonical import CanonicalError, canonical_json
from .keys import LedgerKeyError, parse_verifier_key, public_key_bytes, public_key_from_bytes

__all__ = [
    "KEY_ROTATION",
    "bad_signatures",
    "bad_signatures_in_parallel",
    "RecordError",
    "SignedRecord",
    "format_time",
    "parse_record",
    "rotated_key",
    "rotation_content",
    "sign_record",
    "verify_record",
]

FIELDS = ("content", "organisation", "party", "time", "type")
_TIME = re.compile(r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?Z\Z")


class RecordError(ValueError):
    """A record that cannot be signed as given, or signed bytes that do not verify as a record."""


@dataclass(frozen=True)
class SignedRecord:
    type: str  # e.g. "programme.progress_update"
    party: str  # the author party, e.g. "JP" or "EU"
    organisation: str  # the author organisation within the party
    time: str  # RFC 3339 in UTC with "Z", e.g. "2026-11-27T05:30:00Z"
    content: Any  # any JSON value JCS can represent

    def __post_init__(self) -> None:
        for name in ("type", "party"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise RecordError(f"the record's {name} must be a non-empty string")
        if not isinstance(self.organisation, str):
            raise RecordError("the record's organisation must be a string")
        _check_time(self.time)

    def as_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in FIELDS}

    def canonical_bytes(self) -> bytes:
        """The bytes that are signed: the JCS form of the five members."""
        try:
            return canonical_json(self.as_json())
        except CanonicalError as exc:
            raise RecordError(f"the record cannot be canonicalised: {exc}") from exc


def format_time(moment: datetime) -> str:
    """`moment` (timezone-aware) as the RFC 3339 UTC string a record carries."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise RecordError("a record's time must be timezone-aware")
    utc = moment.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}".rstrip("0")
    return text + "Z"


def sign_record(record: SignedRecord, key: Ed25519PrivateKey) -> tuple[bytes, bytes]:
    """The canonical bytes of `record` and their 64-byte Ed25519 signature by `key`."""
    data = record.canonical_bytes()
    return data, key.sign(data)


def verify_record(
    canonical_bytes: bytes, signature: bytes, public_key: Ed25519PublicKey | bytes
) -> SignedRecord:
    """The record in `canonical_bytes` once its signature by `public_key` is checked.

    Refused with `RecordError`: a signature that does not verify, bytes that are not JSON, not in JCS
    canonical form, or not exactly the five members of a record.
    """
    if isinstance(public_key, (bytes, bytearray, memoryview)):
        try:
            public_key = public_key_from_bytes(bytes(public_key))
        except LedgerKeyError as exc:
            raise RecordError(str(exc)) from exc
    data = bytes(canonical_bytes)
    try:
        if len(signature) != 64:
            raise InvalidSignature
        public_key.verify(bytes(signature), data)
    except InvalidSignature:
        raise RecordError("the record's signature does not verify with the author's key") from None
    return parse_record(data)


def parse_record(data: bytes) -> SignedRecord:
    """The record in signed bytes whose signature was checked elsewhere (e.g. by `bad_signatures`).

    Refused with `RecordError`: bytes that are not JSON, not in JCS canonical form, or not exactly the
    five members of a record.
    """
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordError(f"the signed bytes are not JSON: {exc}") from exc
    if not isinstance(value, dict) or sorted(value) != list(FIELDS):
        raise RecordError(f"a signed record is a JSON object with exactly the members {', '.join(FIELDS)}")
    try:
        if canonical_json(value) != data:
            raise RecordError("the signed bytes are not in RFC 8785 canonical form")
    except CanonicalError as exc:
        raise RecordError(f"the signed bytes cannot be canonicalised: {exc}") from exc
    return SignedRecord(**value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _check_time(text: Any) -> None:
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        raise RecordError(f"the record's time {text!r} is not RFC 3339 in UTC (YYYY-MM-DDTHH:MM:SS[.f]Z)")
    try:
        datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")  # only checks the date is real
    except ValueError as exc:
        raise RecordError(f"the record's time {text!r} is not a valid date and time") from exc


# --- key rotation -----------------------------------------------------------------------------------

KEY_ROTATION = "ledger.key_rotation"


def rotation_content(
    old_vkey: str, new_key: Ed25519PrivateKey, new_vkey: str, overlap_until: str
) -> dict[str, str]:
    """The content of a key-rotation record: the old and new verifier keys, the end of the overlap, and
    the new key's signature over those three (proof that the rotating node holds the new key).

    The record itself is signed by the old key, so a peer that trusts the old key learns the new one
    from the log, in order, before any entry the new key signs.
    """
    claim = {"new_key": new_vkey, "old_key": old_vkey, "overlap_until": overlap_until}
    proof = new_key.sign(canonical_json(claim))
    return {**claim, "proof": base64.b64encode(proof).decode("ascii")}


def rotated_key(record: SignedRecord) -> tuple[str, bytes]:
    """The key name and 32-byte public key a verified key-rotation record introduces.

    Refused with `RecordError`: content that is not the four members, a verifier key that does not
    parse or is not named after the record's party, or a proof the new key did not make.
    """
    content = record.content
    if record.type != KEY_ROTATION or not isinstance(content, dict):
        raise RecordError("not a key-rotation record")
    if sorted(content) != ["new_key", "old_key", "overlap_until", "proof"] or not all(
        isinstance(v, str) for v in content.values()
    ):
        raise RecordError("a key-rotation record has exactly new_key, old_key, overlap_until and proof")
    try:
        name, public = parse_verifier_key(content["new_key"])
        proof = base64.b64decode(content["proof"], validate=True)
    except (LedgerKeyError, binascii.Error, ValueError) as exc:
        raise RecordError(f"key rotation: {exc}") from exc
    if name != record.party:
        raise RecordError(
            f"key rotation: the new key is named {name!r}, not after the party {record.party!r}"
        )
    _check_time(content["overlap_until"])
    claim = {k: content[k] for k in ("new_key", "old_key", "overlap_until")}
    try:
        public.verify(proof, canonical_json(claim))
    except InvalidSignature:
        raise RecordError("key rotation: the proof was not made by the new key") from None
    return name, public_key_bytes(public)


# --- many signatures at once ------------------------------------------------------------------------

# (index, signed bytes, signature, 32-byte public key)
SignatureCheck = tuple[int, bytes, bytes, bytes]


def bad_signatures(checks: Sequence[SignatureCheck]) -> list[int]:
    """The indexes whose Ed25519 signature does not verify.

    libsodium (PyNaCl) verifies here rather than OpenSSL (`cryptography`): on this project's 2-core
    machine it checks about twice as many signatures a second (`bench/ledger.py` prints both rates), which
    is what lets `verify` recheck a 100,000-entry log within the issue's 10 s. Both implement RFC 8032;
    libsodium is the stricter of the two (it also refuses small-order keys), so it never passes what
    OpenSSL refuses.
    """
    keys: dict[bytes, VerifyKey] = {}
    bad = []
    for index, data, signature, public in checks:
        key = keys.get(public)
        if key is None:
            key = keys[public] = VerifyKey(public)
        try:
            if len(signature) != 64:
                raise BadSignatureError
            key.verify(data, signature)
        except BadSignatureError:
            bad.append(index)
    return bad


def bad_signatures_in_parallel(checks: Sequence[SignatureCheck], chunk: int = 4096) -> list[int]:
    """`bad_signatures` spread over one process per core (fork), for large batches; sorted indexes."""
    workers = os.cpu_count() or 1
    if workers == 1 or len(checks) < 2 * chunk:
        return bad_signatures(checks)
    parts = [checks[i : i + chunk] for i in range(0, len(checks), chunk)]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return sorted(index for result in pool.map(bad_signatures, parts) for index in result)
