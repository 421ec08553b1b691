"""Checkpoints as C2SP signed notes.

Vectors:
- golang.org/x/mod sumdb/note/note_test.go (TestSign, TestOpen): the text "If you think cryptography is
  the answer to your problem, / then you don't know what your problem is." signed by the "PeterNeumann"
  and "EnochRoot" keys, with their verifier keys. Ed25519 is deterministic, so signing the text with the
  published private key must reproduce the published signature byte for byte.
- c2sp.org/signed-note v1.0.0, the example "This is an example message." signed by example.com/foo.
"""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from partnership.ledger.checkpoint import (
    MAX_SIGNATURES,
    Checkpoint,
    NoteError,
    checkpoint_body,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_checkpoint,
    sign_note,
    verify_note,
)
from partnership.ledger.keys import parse_verifier_key, public_key_bytes

GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
)
PETER_SIG = (
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
SPEC_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
SPEC_NOTE = (
    "This is an example message.\n\n\u2014 example.com/foo "
    "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)

ORIGIN = "jp.partnership.example/ledger"
ROOT = hashlib.sha256(b"root").digest()
URLSAFE_ROOT = base64.urlsafe_b64encode(bytes([0xFF] * 32)).decode()  # "-" and "_" are not standard base64


def verifiers(*vkeys):
    return dict(parse_verifier_key(v) for v in vkeys)


def go_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(GO_SKEY.split("+", 4)[4])[1:])


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def signed(key):
    return sign_checkpoint(ORIGIN, 42, ROOT, key)


# --- published vectors --------------------------------------------------------------------------


def test_signing_the_go_text_reproduces_the_go_signature():
    assert sign_note(GO_TEXT, go_key(), "PeterNeumann") == GO_TEXT + "\n" + PETER_SIG


def test_the_go_note_opens_with_the_go_verifier_key():
    note = open_note(GO_TEXT + "\n" + PETER_SIG, verifiers(GO_VKEY))
    assert note.text == GO_TEXT
    assert [(s.name, s.key_id.hex()) for s in note.verified] == [("PeterNeumann", "c74f20a3")]


def test_the_go_note_with_two_signatures():
    msg = GO_TEXT + "\n" + PETER_SIG + ENOCH_SIG
    only_peter = open_note(msg, verifiers(GO_VKEY))
    assert [s.name for s in only_peter.verified] == ["PeterNeumann"]
    assert [s.name for s in only_peter.signatures] == ["PeterNeumann", "EnochRoot"]
    both = open_note(msg, verifiers(GO_VKEY, ENOCH_VKEY))
    assert [s.name for s in both.verified] == ["PeterNeumann", "EnochRoot"]


def test_the_go_note_with_a_corrupted_signature_is_refused():
    # TestOpen's "Invalid signature" case.
    msg = GO_TEXT + "\n" + PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]
    with pytest.raises(NoteError, match="invalid signature for key PeterNeumann\\+c74f20a3"):
        open_note(msg, verifiers(GO_VKEY))


def test_the_go_note_is_not_a_checkpoint():
    with pytest.raises(NoteError, match="tree size"):
        verify_note(GO_TEXT + "\n" + PETER_SIG, verifiers(GO_VKEY))


def test_the_signed_note_specification_example_opens():
    assert open_note(SPEC_NOTE, verifiers(SPEC_VKEY)).text == "This is an example message.\n"


@pytest.mark.parametrize(
    ("msg", "reason"),
    [  # TestOpen's "Invalid encoded message syntax" list, each with the reason we give
        (GO_TEXT, "no blank line"),
        (GO_TEXT + "\n", "no signature lines"),
        (GO_TEXT + "\n" + PETER_SIG[:-1], "does not end with a newline"),
        ("\x01" + GO_TEXT + "\n" + PETER_SIG, "control character U\\+0001"),
        (b"\xff" + (GO_TEXT + "\n" + PETER_SIG).encode(), "not valid UTF-8"),
        (
            GO_TEXT + "\n\u2014 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2p=",
            "newline",
        ),
        (GO_TEXT + "\n" + PETER_SIG + "Unexpected line.\n", "line 2 does not start with an em dash"),
    ],
)
def test_go_malformed_notes_are_refused_with_their_reason(msg, reason):
    with pytest.raises(NoteError, match=reason):
        open_note(msg, verifiers(GO_VKEY))


def test_more_than_100_signatures_are_refused():
    with pytest.raises(NoteError, match=f"101 signatures; at most {MAX_SIGNATURES}"):
        open_note(GO_TEXT + "\n" + PETER_SIG * 101, verifiers(GO_VKEY))
    assert open_note(GO_TEXT + "\n" + PETER_SIG * 100, verifiers(GO_VKEY)).verified


# --- our checkpoints ----------------------------------------------------------------------------


def test_checkpoint_body_format():
    assert checkpoint_body("example.com/behind-the-sofa", 20852163, ROOT) == (
        f"example.com/behind-the-sofa\n20852163\n{base64.b64encode(ROOT).decode()}\n"
    )
    assert checkpoint_body("o", 0, ROOT, ["ext one", "ext two"]).endswith("\next one\next two\n")


def test_round_trip(key, signed):
    body, sig_line = signed.split("\n\n")
    assert body + "\n" == checkpoint_body(ORIGIN, 42, ROOT)
    assert sig_line.startswith(f"\u2014 {ORIGIN} ") and sig_line.endswith("\n")
    assert len(base64.b64decode(sig_line.split(" ")[2])) == 4 + 64
    checkpoint = verify_note(signed, {ORIGIN: key.public_key()})
    assert checkpoint == Checkpoint(ORIGIN, 42, ROOT, (), (ORIGIN,))
    assert checkpoint.body == body + "\n"
    assert verify_note(signed.encode(), {ORIGIN: public_key_bytes(key)}) == checkpoint


def test_round_trip_with_extensions_and_an_explicit_name(key):
    note = sign_checkpoint(ORIGIN, 0, ROOT, key, "jp-node", extensions=["Timestamp: 1"])
    checkpoint = verify_note(note, {"jp-node": key.public_key()})
    assert (checkpoint.size, checkpoint.extensions, checkpoint.signers) == (
        0,
        ("Timestamp: 1",),
        ("jp-node",),
    )


def test_a_key_rotation_overlap_accepts_either_key(key, signed):
    other = Ed25519PrivateKey.generate().public_key()
    assert verify_note(signed, {ORIGIN: [other, key.public_key()]}).size == 42


def test_cosigned_checkpoint_keeps_both_signers(key, signed):
    witness = Ed25519PrivateKey.generate()
    body = signed.split("\n\n")[0] + "\n"
    cosigned = signed + sign_note(body, witness, "eu-node").split("\n\n")[1]
    checkpoint = verify_note(cosigned, {ORIGIN: key.public_key(), "eu-node": witness.public_key()})
    assert checkpoint.signers == (ORIGIN, "eu-node")


def test_unknown_key_is_refused(signed):
    stranger = Ed25519PrivateKey.generate().public_key()
    with pytest.raises(NoteError, match=f"no signature from a known key.*{ORIGIN}\\+"):
        verify_note(signed, {ORIGIN: stranger})  # same name, other key: a different key ID, ignored
    with pytest.raises(NoteError, match="no signature from a known key"):
        verify_note(signed, {})


def test_same_name_and_key_id_with_a_bad_signature_is_refused(key, signed):
    other = sign_checkpoint(ORIGIN, 43, ROOT, key).split("\n\n")[1]
    forged = signed.split("\n\n")[0] + "\n\n" + other  # a real signature, but of another checkpoint
    with pytest.raises(NoteError, match="invalid signature"):
        verify_note(forged, {ORIGIN: key.public_key()})


def test_every_flipped_byte_of_the_body_fails(key, signed):
    body_len = len(signed.split("\n\n")[0].encode())
    data = signed.encode()
    for index in range(body_len):
        for bit in (0x01, 0x20):
            mangled = bytearray(data)
            mangled[index] ^= bit
            with pytest.raises(NoteError):
                verify_note(bytes(mangled), {ORIGIN: key.public_key()})


def test_every_flipped_signature_byte_fails(key, signed):
    body, line = signed.split("\n\n")
    prefix, encoded = line[:-1].rsplit(" ", 1)
    raw = base64.b64decode(encoded)
    for index in range(len(raw)):
        mangled = bytearray(raw)
        mangled[index] ^= 0x01
        note = f"{body}\n\n{prefix} {base64.b64encode(bytes(mangled)).decode()}\n"
        with pytest.raises(NoteError, match="invalid signature|no signature from a known key"):
            verify_note(note, {ORIGIN: key.public_key()})


@pytest.mark.parametrize(
    ("mangle", "reason"),
    [
        (lambda s: s.replace("\n\n", "\n"), "no blank line"),
        (lambda s: s + "\u2014 extra", "does not end with a newline"),
        (lambda s: s.replace("\u2014", "-"), "does not start with an em dash"),
        (lambda s: s.replace("\u2014 ", "\u2014"), "does not start with an em dash"),
        (lambda s: s.replace(f"\u2014 {ORIGIN} ", f"\u2014 {ORIGIN}"), "no space between"),
        (lambda s: s.replace(f"\u2014 {ORIGIN} ", "\u2014 a+b "), "invalid key name"),
        (lambda s: s.replace(f"\u2014 {ORIGIN} ", f"\u2014 {ORIGIN}  "), "empty signature|not base64"),
        (lambda s: s[:-3] + "!=\n", "not base64"),
        (lambda s: s[:-2] + "\n", "not base64|not in canonical base64"),
        (lambda s: s.split("\n\n")[0] + f"\n\n\u2014 {ORIGIN} AAAA\n", "too short"),
        (lambda s: s.replace("42", "4\t2"), "control character U\\+0009"),
        (lambda s: s.replace("42", "4\r2"), "control character U\\+000D"),
        (lambda s: s.replace("42", "4\ud8002"), "not valid Unicode"),
        (lambda s: s + "\n", "no signature lines"),
    ],
)
def test_malformed_notes_are_refused_with_their_reason(key, signed, mangle, reason):
    with pytest.raises(NoteError, match=reason):
        verify_note(mangle(signed), {ORIGIN: key.public_key()})


def test_a_note_too_large_is_refused(key):
    with pytest.raises(NoteError, match="larger than"):
        parse_note("x" * (1 << 20) + "\n\n" + PETER_SIG)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}", "does not end with a newline"),
        (f"{ORIGIN}\n42\n", "at least three lines"),
        (f"\n42\n{base64.b64encode(ROOT).decode()}\n", "line 1 of the checkpoint is empty"),
        (f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}\n\next\n", "line 4 of the checkpoint is empty"),
        (f"{ORIGIN}\n042\n{base64.b64encode(ROOT).decode()}\n", "leading zeroes"),
        (f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n", "not a decimal"),
        (f"{ORIGIN}\n+1\n{base64.b64encode(ROOT).decode()}\n", "not a decimal"),
        (f"{ORIGIN}\n\u0664\u0662\n{base64.b64encode(ROOT).decode()}\n", "not a decimal"),  # Arabic-Indic 42
        (f"{ORIGIN}\n 42\n{base64.b64encode(ROOT).decode()}\n", "not a decimal"),
        (f"{ORIGIN}\n{2**63}\n{base64.b64encode(ROOT).decode()}\n", "larger than"),
        (f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n", "31 bytes, not 32"),
        (f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode().rstrip('=')}\n", "not base64"),
        (f"{ORIGIN}\n42\n{URLSAFE_ROOT}\n", "not base64"),
    ],
)
def test_malformed_checkpoint_bodies_are_refused_with_their_reason(key, body, reason):
    with pytest.raises(NoteError, match=reason):
        parse_checkpoint(body)
    if body.endswith("\n") and "\n\n" not in body:
        with pytest.raises(NoteError, match=reason):  # and the same when it arrives correctly signed
            verify_note(sign_note(body, key, ORIGIN), {ORIGIN: key.public_key()})


def test_parse_checkpoint_does_not_take_a_signed_note(signed):
    with pytest.raises(NoteError, match="verify_note"):
        parse_checkpoint(signed)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("", 1, ROOT), "origin"),
        (("a\nb", 1, ROOT), "origin"),
        ((ORIGIN, -1, ROOT), "tree size"),
        ((ORIGIN, True, ROOT), "tree size"),
        ((ORIGIN, 2**63, ROOT), "tree size"),
        ((ORIGIN, 1, ROOT[:31]), "32 bytes"),
    ],
)
def test_signing_refuses_what_the_format_cannot_carry(key, args, reason):
    with pytest.raises(NoteError, match=reason):
        sign_checkpoint(*args, key)


def test_signing_refuses_bad_extensions_and_names(key):
    with pytest.raises(NoteError, match="extension"):
        sign_checkpoint(ORIGIN, 1, ROOT, key, extensions=[""])
    with pytest.raises(NoteError, match="key name"):
        sign_checkpoint(ORIGIN, 1, ROOT, key, "has space")
    with pytest.raises(NoteError, match="end with a newline"):
        sign_note("no newline", key, "n")
