"""Ed25519 node keys, their C2SP key IDs and verifier key strings.

A node signs what it authors with one Ed25519 key, kept in a file readable by its owner only. Names and
key IDs follow the C2SP signed-note specification (https://c2sp.org/signed-note):

    key ID       = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4]
    verifier key = <name> "+" <hex key ID> "+" base64(0x01 || 32-byte public key)

The verifier key string is what an operator gives the other party's node to trust this one.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "LedgerKeyError",
    "KeyFileError",
    "VerifierKeyError",
    "is_valid_key_name",
    "key_id",
    "load_or_create_key",
    "parse_verifier_key",
    "public_key_bytes",
    "public_key_from_bytes",
    "verifier_key_string",
]

ED25519_SIGNATURE_TYPE = 0x01  # the signed-note signature type byte of Ed25519
_PEM_HEADER = b"-----BEGIN PRIVATE KEY-----"


class LedgerKeyError(ValueError):
    """Base of this module's errors."""


class KeyFileError(LedgerKeyError):
    """The node key file is unsafe (readable by others), unreadable or not an Ed25519 key."""


class VerifierKeyError(LedgerKeyError):
    """A verifier key string that does not follow the signed-note format or whose key ID does not match."""


def load_or_create_key(path: str | os.PathLike[str]) -> Ed25519PrivateKey:
    """The node's Ed25519 private key from `path`, generated there (PKCS#8 PEM, mode 0600) on first use.

    Creation is atomic and exclusive: the key is written to a fresh temporary file and hard-linked into
    place, so two processes starting together end up with the same key, and no reader sees a half-written
    file. An existing file that its group or others can read or write is refused, as is anything but a
    regular file holding an unencrypted Ed25519 key.
    """
    path = Path(path)
    for _attempt in range(50):
        try:
            return _load(path)
        except FileNotFoundError:
            pass
        _create(path)
    raise KeyFileError(f"key file {path} could not be read or created")  # pragma: no cover


def _load(path: Path) -> Ed25519PrivateKey:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"key file {path} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"key file {path} has mode {mode:04o}: its group or others can access it, so the key may "
                f"be known to someone else. Restrict it to its owner (chmod 600 {path}) if it has not "
                "leaked, or replace the key."
            )
        data = b""
        while chunk := os.read(fd, 65536):
            data += chunk
    finally:
        os.close(fd)
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise KeyFileError(f"key file {path} does not hold an unencrypted PEM private key: {exc}") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise KeyFileError(f"key file {path} holds a {type(key).__name__}, not an Ed25519 key")
    return key


def _create(path: Path) -> None:
    """Write a new key to `path` unless another process got there first."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    fd = os.open(temp, flags, 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            _write_all(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        try:
            os.link(temp, path)  # atomic, and fails if the key exists: never replaces a key
        except FileExistsError:
            return  # another process created it; the caller loads theirs
        except OSError:
            _create_in_place(path, pem, flags)  # a file system without hard links
    finally:
        temp.unlink(missing_ok=True)


def _create_in_place(path: Path, pem: bytes, flags: int) -> None:
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        return
    try:
        os.fchmod(fd, 0o600)
        _write_all(fd, pem)
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    """The 32-byte RFC 8032 encoding of the public key of `key` (a private or public key)."""
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_key_from_bytes(raw: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from its 32-byte encoding."""
    if len(raw) != 32:
        raise VerifierKeyError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise VerifierKeyError(f"not an Ed25519 public key: {exc}") from exc


def _raw(public_key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> bytes:
    if isinstance(public_key, (bytes, bytearray, memoryview)):
        raw = bytes(public_key)
        if len(raw) != 32:
            raise VerifierKeyError(f"an Ed25519 public key is 32 bytes, not {len(raw)}")
        return raw
    return public_key_bytes(public_key)


def is_valid_key_name(name: str) -> bool:
    """Signed-note key names are non-empty, valid Unicode, without Unicode spaces or plus signs."""
    if not isinstance(name, str) or not name or "+" in name:
        return False
    if any(ch.isspace() for ch in name):
        return False
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return all(ord(ch) >= 0x20 for ch in name)


def _check_name(name: str) -> None:
    if not is_valid_key_name(name):
        raise VerifierKeyError(
            f"key name {name!r} is not valid: it must be non-empty, without spaces, plus signs or controls"
        )


def key_id(name: str, public_key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> bytes:
    """The 4-byte C2SP key ID: SHA-256(name || 0x0A || 0x01 || public key)[:4]."""
    _check_name(name)
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519_SIGNATURE_TYPE]) + _raw(public_key))
    return digest.digest()[:4]


def verifier_key_string(name: str, public_key: Ed25519PrivateKey | Ed25519PublicKey | bytes) -> str:
    """The signed-note verifier key: `name+<8 hex digits key ID>+base64(0x01 || public key)`."""
    raw = _raw(public_key)
    encoded = base64.b64encode(bytes([ED25519_SIGNATURE_TYPE]) + raw).decode("ascii")
    return f"{name}+{key_id(name, raw).hex()}+{encoded}"


def parse_verifier_key(vkey: str) -> tuple[str, Ed25519PublicKey]:
    """The key name and public key of a verifier key string, after checking its key ID.

    Only Ed25519 (signature type 0x01) is accepted. The key ID must be the one the name and key give.
    """
    parts = vkey.split("+", 2) if isinstance(vkey, str) else []
    if len(parts) != 3:
        raise VerifierKeyError("a verifier key is <name>+<key ID>+<base64 key>")
    name, hex_id, encoded = parts
    _check_name(name)
    if len(hex_id) != 8 or any(ch not in "0123456789abcdef" for ch in hex_id):
        raise VerifierKeyError(f"key ID {hex_id!r} is not 8 lower-case hexadecimal digits")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerifierKeyError("the key part of a verifier key is not base64") from exc
    if base64.b64encode(blob).decode("ascii") != encoded:
        raise VerifierKeyError("the key part of a verifier key is not canonical base64")
    if len(blob) != 33 or blob[0] != ED25519_SIGNATURE_TYPE:
        raise VerifierKeyError("only Ed25519 verifier keys (type 0x01, 32-byte key) are accepted")
    public = public_key_from_bytes(blob[1:])
    if key_id(name, blob[1:]).hex() != hex_id:
        raise VerifierKeyError(f"key ID {hex_id} does not match the name and key")
    return name, public
