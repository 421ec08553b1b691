"""Signed checkpoints: the C2SP `tlog-checkpoint` body inside a C2SP `signed-note`.

A checkpoint commits a log to its size and root hash (https://c2sp.org/tlog-checkpoint):

    <origin>\\n
    <tree size, decimal, no leading zeroes>\\n
    <base64 of the 32-byte RFC 6962 root hash>\\n
    [<extension line>\\n ...]

and is signed as a note (https://c2sp.org/signed-note): the text, a blank line, then one or more lines

    — <key name> <base64(4-byte key ID || 64-byte Ed25519 signature)>\\n

The rules enforced on reading, each refused with a `NoteError` naming it: valid UTF-8; no control
characters but newline; a blank line before the signatures; every signature line in the exact form above
with a valid key name and canonical base64; at most 100 signatures. Signatures from keys the reader does
not know (by name *and* key ID) are ignored, as the specification requires; a signature from a known key
that does not verify rejects the whole note; a note with no verified signature from a known key is
rejected. The wire format matches golang.org/x/mod/sumdb/note, whose published vector the tests check.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .keys import LedgerKeyError, is_valid_key_name, key_id, public_key_bytes, public_key_from_bytes

__all__ = [
    "MAX_NOTE_BYTES",
    "MAX_SIGNATURES",
    "Checkpoint",
    "Note",
    "NoteError",
    "NoteSignature",
    "checkpoint_body",
    "open_note",
    "parse_checkpoint",
    "parse_note",
    "sign_checkpoint",
    "sign_note",
    "verify_note",
]

MAX_SIGNATURES = 100  # as golang.org/x/mod/sumdb/note; the specification requires accepting at least 16
MAX_NOTE_BYTES = 1 << 20
MAX_TREE_SIZE = 2**63 - 1
HASH_SIZE = 32
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_CONTROL = re.compile("[\x00-\x09\x0b-\x1f]")  # every ASCII control character but newline

PublicKeyLike = Ed25519PublicKey | Ed25519PrivateKey | bytes
Verifiers = Mapping[str, PublicKeyLike | Iterable[PublicKeyLike]]


class NoteError(ValueError):
    """A note or checkpoint that is malformed, unsigned by a known key, or whose signature fails."""


@dataclass(frozen=True)
class NoteSignature:
    name: str
    key_id: bytes  # 4 bytes
    signature: bytes

    def line(self) -> str:
        encoded = base64.b64encode(self.key_id + self.signature).decode("ascii")
        return f"{SIGNATURE_PREFIX}{self.name} {encoded}\n"


@dataclass(frozen=True)
class Note:
    text: str  # the signed text, ending with its newline, without the separating blank line
    signatures: tuple[NoteSignature, ...]
    verified: tuple[NoteSignature, ...] = ()  # those from known keys, all checked


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()  # key names whose signatures were verified (empty if only parsed)

    @property
    def body(self) -> str:
        return checkpoint_body(self.origin, self.size, self.root_hash, self.extensions)


def checkpoint_body(origin: str, size: int, root_hash: bytes, extensions: Iterable[str] = ()) -> str:
    """The note text of a checkpoint; refuses what the format cannot carry."""
    extensions = tuple(extensions)
    if not isinstance(origin, str) or not origin or "\n" in origin:
        raise NoteError("the origin must be a non-empty single line")
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= MAX_TREE_SIZE:
        raise NoteError(f"the tree size must be an integer from 0 to {MAX_TREE_SIZE}, not {size!r}")
    if not isinstance(root_hash, bytes) or len(root_hash) != HASH_SIZE:
        raise NoteError(f"the root hash must be {HASH_SIZE} bytes")
    for line in extensions:
        if not isinstance(line, str) or not line or "\n" in line:
            raise NoteError("extension lines must be non-empty single lines")
    lines = [origin, str(size), base64.b64encode(root_hash).decode("ascii"), *extensions]
    body = "".join(line + "\n" for line in lines)
    _check_characters(body)
    return body


def sign_note(text: str, key: Ed25519PrivateKey | Sequence[Ed25519PrivateKey], name: str) -> str:
    """`text` (ending with a newline) signed under the key name `name` by `key`, or by each of several
    keys (one signature line each, e.g. the old and the new key during a rotation's overlap)."""
    _check_characters(text)
    if not text.endswith("\n"):
        raise NoteError("the note text must end with a newline")
    if not is_valid_key_name(name):
        raise NoteError(f"key name {name!r} is not valid: non-empty, without spaces, plus signs or controls")
    message = text.encode("utf-8")
    keys = [key] if isinstance(key, Ed25519PrivateKey) else list(key)
    if not keys:
        raise NoteError("a note needs at least one signing key")
    lines = "".join(NoteSignature(name, key_id(name, k), k.sign(message)).line() for k in keys)
    return text + "\n" + lines


def sign_checkpoint(
    origin: str,
    size: int,
    root: bytes,
    key: Ed25519PrivateKey | Sequence[Ed25519PrivateKey],
    name: str | None = None,
    *,
    extensions: Iterable[str] = (),
) -> str:
    """A signed checkpoint note; the key name defaults to the origin, as the specification advises."""
    return sign_note(checkpoint_body(origin, size, root, extensions), key, origin if name is None else name)


def parse_note(note: str | bytes) -> Note:
    """The text and signature lines of a signed note, checked for form only (nothing is verified)."""
    text = _decode(note)
    if len(text) > MAX_NOTE_BYTES:
        raise NoteError(f"the note is larger than {MAX_NOTE_BYTES} bytes")
    _check_characters(text)
    if len(text.encode("utf-8")) > MAX_NOTE_BYTES:
        raise NoteError(f"the note is larger than {MAX_NOTE_BYTES} bytes")
    split = text.rfind("\n\n")
    if split < 0:
        raise NoteError("the note has no blank line between its text and its signatures")
    body, block = text[: split + 1], text[split + 2 :]
    if not block:
        raise NoteError("the note has no signature lines")
    if not block.endswith("\n"):
        raise NoteError("the last signature line does not end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"the note has {len(lines)} signatures; at most {MAX_SIGNATURES} are accepted")
    return Note(body, tuple(_parse_signature_line(line, number) for number, line in enumerate(lines, 1)))


def open_note(note: str | bytes, verifiers: Verifiers) -> Note:
    """The note, with every signature from a known key verified; see the module's rules."""
    parsed = parse_note(note)
    known = _known_keys(verifiers)
    message = parsed.text.encode("utf-8")
    verified: list[NoteSignature] = []
    seen: set[tuple[str, bytes]] = set()
    for sig in parsed.signatures:
        public = known.get((sig.name, sig.key_id))
        if public is None or (sig.name, sig.key_id) in seen:
            continue  # unknown keys are ignored; a repeated signature by one key counts once
        seen.add((sig.name, sig.key_id))
        try:
            if len(sig.signature) != 64:
                raise InvalidSignature
            public.verify(sig.signature, message)
        except InvalidSignature:
            raise NoteError(f"invalid signature for key {sig.name}+{sig.key_id.hex()}") from None
        verified.append(sig)
    if not verified:
        signers = ", ".join(f"{s.name}+{s.key_id.hex()}" for s in parsed.signatures)
        raise NoteError(f"the note has no signature from a known key (it is signed by: {signers})")
    return Note(parsed.text, parsed.signatures, tuple(verified))


def parse_checkpoint(text: str | bytes) -> Checkpoint:
    """The checkpoint in a note text (the body only; use `verify_note` for a signed note)."""
    body = _decode(text)
    _check_characters(body)
    if not body.endswith("\n"):
        raise NoteError("the checkpoint does not end with a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise NoteError("a checkpoint has at least three lines: origin, tree size and root hash")
    for number, line in enumerate(lines, 1):
        if not line:
            raise NoteError(f"line {number} of the checkpoint is empty (a signed note goes to verify_note)")
    origin, size_text, root_text, *extensions = lines
    if not _DECIMAL.match(size_text):
        raise NoteError(f"the tree size {size_text!r} is not a decimal number without leading zeroes")
    size = int(size_text)
    if size > MAX_TREE_SIZE:
        raise NoteError(f"the tree size {size_text} is larger than {MAX_TREE_SIZE}")
    root = _strict_base64(root_text, "the root hash")
    if len(root) != HASH_SIZE:
        raise NoteError(f"the root hash is {len(root)} bytes, not {HASH_SIZE}")
    return Checkpoint(origin, size, root, tuple(extensions))


def verify_note(text: str | bytes, verifiers: Verifiers) -> Checkpoint:
    """The checkpoint in a signed note, after checking its signatures against `verifiers`.

    `verifiers` maps a key name to its public key (or to several, during a key rotation's overlap).
    """
    note = open_note(text, verifiers)
    checkpoint = parse_checkpoint(note.text)
    names = tuple(dict.fromkeys(sig.name for sig in note.verified))
    return Checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root_hash, checkpoint.extensions, names)


def _decode(note: str | bytes) -> str:
    if isinstance(note, (bytes, bytearray, memoryview)):
        try:
            return bytes(note).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError(f"the note is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(note, str):
        raise NoteError(f"a note is text, not {type(note).__name__}")
    return note


def _check_characters(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError(f"the note is not valid Unicode (character {exc.start})") from None
    control = _CONTROL.search(text)
    if control:
        raise NoteError(
            f"the note contains the control character U+{ord(control.group()):04X} at {control.start()}"
        )


def _strict_base64(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what} is not base64") from None
    if base64.b64encode(raw).decode("ascii") != text:
        raise NoteError(f"{what} is not in canonical base64")
    return raw


def _parse_signature_line(line: str, number: int) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError(f"signature line {number} does not start with an em dash and a space")
    name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space:
        raise NoteError(f"signature line {number} has no space between the key name and the signature")
    if not is_valid_key_name(name):
        raise NoteError(f"signature line {number} has an invalid key name {name!r}")
    if not encoded:
        raise NoteError(f"signature line {number} has an empty signature")
    raw = _strict_base64(encoded, f"the signature on line {number}")
    if len(raw) < 5:
        raise NoteError(f"the signature on line {number} is too short to hold a key ID and a signature")
    return NoteSignature(name, raw[:4], raw[4:])


def _known_keys(verifiers: Verifiers) -> dict[tuple[str, bytes], Ed25519PublicKey]:
    known: dict[tuple[str, bytes], Ed25519PublicKey] = {}
    for name, keys in verifiers.items():
        for key in _as_key_list(keys):
            try:
                raw = key if isinstance(key, bytes) else public_key_bytes(key)
                known[(name, key_id(name, raw))] = public_key_from_bytes(raw)
            except LedgerKeyError as exc:
                raise NoteError(f"verifier for {name!r}: {exc}") from None
    return known


def _as_key_list(keys: PublicKeyLike | Iterable[PublicKeyLike]) -> list[PublicKeyLike]:
    if isinstance(keys, (bytes, Ed25519PublicKey, Ed25519PrivateKey)):
        return [keys]
    return list(keys)
