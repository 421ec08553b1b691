"""Node keys: creation, permissions, reuse, and C2SP key IDs and verifier keys.

Vectors:
- golang.org/x/mod sumdb/note/note_test.go (TestNewVerifier, TestNewSigner): the "PeterNeumann" key,
  private "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz" (base64 of
  0x01 || Ed25519 seed) and verifier "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".
- c2sp.org/signed-note v1.0.0, the example verifier key
  "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k".
"""

import base64
import multiprocessing
import os
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from partnership.ledger.keys import (
    KeyFileError,
    VerifierKeyError,
    is_valid_key_name,
    key_id,
    load_or_create_key,
    parse_verifier_key,
    public_key_bytes,
    verifier_key_string,
)

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"


def go_private_key() -> Ed25519PrivateKey:
    blob = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert blob[0] == 0x01
    return Ed25519PrivateKey.from_private_bytes(blob[1:])


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_key_is_created_with_mode_0600_and_reused(tmp_path):
    path = tmp_path / "data" / "node.key"
    first = load_or_create_key(path)
    assert mode(path) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    second = load_or_create_key(path)
    assert public_key_bytes(first) == public_key_bytes(second)
    assert mode(path) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["node.key"]  # no temporary file left behind


def test_key_is_0600_even_with_a_permissive_umask(tmp_path):
    old = os.umask(0)
    try:
        load_or_create_key(tmp_path / "node.key")
    finally:
        os.umask(old)
    assert mode(tmp_path / "node.key") == 0o600


@pytest.mark.parametrize("bad_mode", [0o640, 0o604, 0o644, 0o660, 0o606])
def test_a_key_file_others_can_access_is_refused(tmp_path, bad_mode):
    path = tmp_path / "node.key"
    load_or_create_key(path)
    os.chmod(path, bad_mode)
    with pytest.raises(KeyFileError, match=rf"mode {bad_mode:04o}.*chmod 600"):
        load_or_create_key(path)


def test_a_key_file_that_is_not_a_key_is_refused(tmp_path):
    path = tmp_path / "node.key"
    path.write_bytes(b"not a key")
    os.chmod(path, 0o600)
    with pytest.raises(KeyFileError, match="PEM private key"):
        load_or_create_key(path)


def test_a_directory_in_place_of_the_key_is_refused(tmp_path):
    (tmp_path / "node.key").mkdir(mode=0o700)
    with pytest.raises((KeyFileError, IsADirectoryError)):
        load_or_create_key(tmp_path / "node.key")


def _load_in_child(path, queue):
    queue.put(public_key_bytes(load_or_create_key(path)))


def test_concurrent_first_runs_agree_on_one_key(tmp_path):
    path = tmp_path / "node.key"
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    children = [context.Process(target=_load_in_child, args=(path, queue)) for _ in range(8)]
    for child in children:
        child.start()
    results = {queue.get(timeout=30) for _ in children}
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    assert results == {public_key_bytes(load_or_create_key(path))}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["node.key"]


def test_key_id_and_verifier_key_match_the_go_vector():
    key = go_private_key()
    assert key_id("PeterNeumann", key.public_key()).hex() == "c74f20a3"
    assert verifier_key_string("PeterNeumann", key.public_key()) == GO_VKEY
    assert verifier_key_string("PeterNeumann", public_key_bytes(key)) == GO_VKEY


@pytest.mark.parametrize(
    ("vkey", "name", "hex_id"),
    [
        (GO_VKEY, "PeterNeumann", "c74f20a3"),
        (ENOCH_VKEY, "EnochRoot", "af0cfe78"),
        (SPEC_VKEY, "example.com/foo", "530d903a"),
    ],
)
def test_published_verifier_keys_parse_and_round_trip(vkey, name, hex_id):
    parsed_name, public = parse_verifier_key(vkey)
    assert parsed_name == name
    assert key_id(name, public).hex() == hex_id
    assert verifier_key_string(name, public) == vkey


def test_mangled_verifier_keys_are_refused():
    # As TestNewVerifier in golang.org/x/mod/sumdb/note: every proper substring and every one-byte change.
    b = bytearray(GO_VKEY.encode())
    bad = [
        bytes(b[i:j]) for i in range(len(b) + 1) for j in range(i + 1, len(b) + 1) if (i, j) != (0, len(b))
    ]
    for i in range(len(b)):
        b[i] += 1
        bad.append(bytes(b))
        b[i] -= 1
    bad.append(b"PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==")  # wrong length
    bad.append(b"PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW")  # unknown algorithm
    for candidate in bad:
        with pytest.raises(VerifierKeyError):
            parse_verifier_key(candidate.decode("utf-8", "replace"))


@pytest.mark.parametrize("name", ["", "a b", "a+b", "tab\there", "new\nline", "nbsp\u00a0", "lone\ud800"])
def test_invalid_key_names(name):
    assert not is_valid_key_name(name)
    with pytest.raises(VerifierKeyError, match="not valid"):
        key_id(name, bytes(32))


def test_valid_key_names():
    assert is_valid_key_name("jp.partnership.example/ledger")
    assert is_valid_key_name("EU-node_1")


def test_a_public_key_of_the_wrong_length_is_refused():
    with pytest.raises(VerifierKeyError, match="32 bytes"):
        key_id("x", bytes(31))
