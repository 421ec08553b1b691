"""Signed records: what a party authors for the others, canonicalised (RFC 8785) and signed (Ed25519).

The signed bytes are the JCS canonical JSON of exactly five members:

    {"content": <JSON>, "organisation": "...", "party": "...", "time": "<RFC 3339 UTC>", "type": "..."}

so another party's node, in any language, rebuilds the same bytes from the same record and checks the
signature with the author node's public key.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .canonical import CanonicalError, canonical_json
from .keys import LedgerKeyError, public_key_from_bytes

__all__ = ["RecordError", "SignedRecord", "format_time", "sign_record", "verify_record"]

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
