"""Signed records: JCS bytes of the five members, signed with Ed25519."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from partnership.ledger.canonical import canonical_json
from partnership.ledger.keys import public_key_bytes
from partnership.ledger.models import render_error
from partnership.ledger.records import RecordError, SignedRecord, format_time, sign_record, verify_record
from partnership.ledger.registry import RecordRejected


@pytest.fixture(scope="module")
def key():
    return Ed25519PrivateKey.generate()


def record(**changes):
    fields = {
        "type": "programme.progress_update",
        "party": "JP",
        "organisation": "Digital Agency",
        "time": "2026-11-27T05:30:00Z",
        "content": {"paragraph": 46, "status": "on track", "text": {"en": "Pilot started", "ja": "開始"}},
    }
    return SignedRecord(**{**fields, **changes})


def test_signed_bytes_are_the_jcs_of_the_five_members(key):
    data, signature = sign_record(record(), key)
    assert data == canonical_json(
        {
            "type": "programme.progress_update",
            "party": "JP",
            "organisation": "Digital Agency",
            "time": "2026-11-27T05:30:00Z",
            "content": {"paragraph": 46, "status": "on track", "text": {"en": "Pilot started", "ja": "開始"}},
        }
    )
    assert data.startswith(b'{"content":{"paragraph":46,')
    assert list(json.loads(data)) == ["content", "organisation", "party", "time", "type"]
    assert len(signature) == 64


def test_round_trip(key):
    data, signature = sign_record(record(), key)
    assert verify_record(data, signature, key.public_key()) == record()
    assert verify_record(data, signature, public_key_bytes(key)) == record()


def test_signing_is_deterministic(key):
    assert sign_record(record(), key) == sign_record(record(), key)


def test_every_flipped_byte_of_the_record_fails(key):
    data, signature = sign_record(record(), key)
    for index in range(len(data)):
        mangled = bytearray(data)
        mangled[index] ^= 0x01
        with pytest.raises(RecordError, match="does not verify"):
            verify_record(bytes(mangled), signature, key.public_key())


def test_every_flipped_byte_of_the_signature_fails(key):
    data, signature = sign_record(record(), key)
    for index in range(len(signature)):
        mangled = bytearray(signature)
        mangled[index] ^= 0x80
        with pytest.raises(RecordError, match="does not verify"):
            verify_record(data, bytes(mangled), key.public_key())
    with pytest.raises(RecordError, match="does not verify"):
        verify_record(data, signature[:63], key.public_key())


def test_another_partys_key_fails(key):
    data, signature = sign_record(record(), key)
    with pytest.raises(RecordError, match="does not verify"):
        verify_record(data, signature, Ed25519PrivateKey.generate().public_key())


@pytest.mark.parametrize(
    ("signed_bytes", "reason"),
    [
        (b'{"type": "x"}', "not in RFC 8785 canonical form|exactly the members"),
        (b"[1,2]", "exactly the members"),
        (
            b'{"content":1,"organisation":"o","party":"p","time":"2026-01-01T00:00:00Z","type":"t","x":1}',
            "exactly",
        ),
        (
            b'{"content":1.0e0,"organisation":"o","party":"p","time":"2026-01-01T00:00:00Z","type":"t"}',
            "canonical",
        ),
        (
            b'{"organisation":"o","content":1,"party":"p","time":"2026-01-01T00:00:00Z","type":"t"}',
            "canonical",
        ),
        (
            b'{"content":NaN,"organisation":"o","party":"p","time":"2026-01-01T00:00:00Z","type":"t"}',
            "not JSON",
        ),
        (b"\xff", "not JSON"),
        (b'{"content":1,"organisation":"o","party":"p","time":"2026-01-01","type":"t"}', "RFC 3339"),
    ],
)
def test_correctly_signed_bytes_that_are_not_a_canonical_record_are_refused(key, signed_bytes, reason):
    with pytest.raises(RecordError, match=reason):
        verify_record(signed_bytes, key.sign(signed_bytes), key.public_key())


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"type": ""}, "type must be a non-empty string"),
        ({"party": None}, "party must be a non-empty string"),
        ({"organisation": 3}, "organisation must be a string"),
        ({"time": "2026-11-27 05:30:00Z"}, "not RFC 3339"),
        ({"time": "2026-11-27T05:30:00+09:00"}, "not RFC 3339 in UTC"),
        ({"time": "2026-11-27T05:30:00z"}, "not RFC 3339"),
        ({"time": "2026-02-30T05:30:00Z"}, "not a valid date"),
        ({"time": "2026-11-27T24:00:00Z"}, "not a valid date"),
    ],
)
def test_invalid_records_are_refused(changes, reason):
    with pytest.raises(RecordError, match=reason):
        record(**changes)


def test_content_jcs_cannot_represent_is_refused(key):
    with pytest.raises(RecordError, match=r"\$\.content\.ratio: nan"):
        sign_record(record(content={"ratio": float("nan")}), key)
    with pytest.raises(RecordError, match="safe range"):
        sign_record(record(content=[2**60]), key)


def test_fractional_seconds_are_accepted():
    assert record(time="2026-11-27T05:30:00.123456789Z").time.endswith(".123456789Z")


def test_format_time():
    jst = timezone(timedelta(hours=9))
    assert format_time(datetime(2026, 11, 27, 14, 30, tzinfo=jst)) == "2026-11-27T05:30:00Z"
    assert format_time(datetime(2026, 11, 27, 5, 30, 0, 120000, tzinfo=UTC)) == "2026-11-27T05:30:00.12Z"
    with pytest.raises(RecordError, match="timezone-aware"):
        format_time(datetime(2026, 11, 27, 5, 30))
    record(time=format_time(datetime.now(UTC)))


@pytest.mark.parametrize(
    "reason, shown",
    [
        (
            RecordRejected("%(type)s: the sealed content is not a JSON object", type="x.y"),
            "x.y: the sealed content",
        ),
        (RecordRejected("progress went 100% off the rails"), "progress went 100% off the rails"),
        (RecordRejected(), "rejected"),
    ],
)
def test_a_rejection_reason_is_kept_as_data_and_shown_whole(reason, shown):
    assert render_error(reason.as_data()).startswith(shown)


def test_text_that_is_not_data_is_shown_as_it_is():
    assert render_error("a plain reason from a batch applier") == "a plain reason from a batch applier"
    assert render_error('["not", "params"]') == '["not", "params"]'
