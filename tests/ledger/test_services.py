"""The log's storage: appends, proofs against signed checkpoints, tamper detection, key file, concurrency."""

import stat
import threading
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection

from partnership.ledger import merkle, services
from partnership.ledger.checkpoint import verify_note
from partnership.ledger.models import Checkpoint, LogEntry, Subtree
from partnership.ledger.records import SignedRecord


@pytest.fixture(autouse=True)
def key_in_tmp(settings, tmp_path):
    settings.NODE_KEY_FILE = tmp_path / "keys" / "node-key.pem"
    services._load_key.cache_clear()
    yield settings.NODE_KEY_FILE
    services._load_key.cache_clear()


def record(n: int) -> SignedRecord:
    return SignedRecord("test.note", "JP", "jp-digital-agency", "2026-11-27T05:30:00Z", {"n": n})


def append_many(count: int, first: int = 0) -> list[LogEntry]:
    return [services.append(record(first + i)) for i in range(count)]


@pytest.mark.django_db
def test_key_file_is_created_owner_only(key_in_tmp):
    assert not key_in_tmp.exists()
    services.node_key()
    assert stat.S_IMODE(key_in_tmp.stat().st_mode) == 0o600


@pytest.mark.django_db
def test_append_and_inclusion_proof_against_signed_checkpoint():
    entries = append_many(13)
    assert [e.index for e in entries] == list(range(13))
    leaves = [merkle.leaf_hash(bytes(e.record)) for e in entries]
    # The stored subtrees are exactly the complete aligned ones of the in-memory reference.
    reference = merkle.InMemoryTree(leaves)
    stored = {(s.level, s.start): bytes(s.hash) for s in Subtree.objects.all()}
    expected = {
        (h, i * 2**h): v for h in range(1, len(reference.levels)) for i, v in enumerate(reference.levels[h])
    }
    assert stored == expected
    cp = services.checkpoint()
    signed = verify_note(cp.note, services.verifiers())
    assert signed.size == 13 and signed.root_hash == merkle.root(leaves)
    for index in range(13):
        proof = services.inclusion_proof(index)
        assert proof.checkpoint == cp.note
        merkle.verify_inclusion(leaves[index], index, signed.size, proof.proof, signed.root_hash)
    assert services.verify_log() == []


@pytest.mark.django_db
def test_consistency_between_two_checkpoints():
    append_many(5)
    old = verify_note(services.checkpoint().note, services.verifiers())
    append_many(6, first=5)
    new = verify_note(services.checkpoint().note, services.verifiers())
    proof = services.consistency_proof(old.size, new.size)
    merkle.verify_consistency(old.size, new.size, old.root_hash, new.root_hash, proof)
    assert Checkpoint.objects.count() == 2
    assert services.checkpoint().size == 11 and Checkpoint.objects.count() == 2  # same size: reused


def _flip(value: bytes, position: int = 10) -> bytes:
    data = bytearray(value)
    data[position] ^= 0x01
    return bytes(data)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["record", "signature"])
def test_a_flipped_byte_is_named(field):
    append_many(8)
    services.checkpoint()
    stored = LogEntry.objects.get(index=5)
    LogEntry.objects.filter(index=5).update(**{field: _flip(bytes(getattr(stored, field)))})
    problems = services.verify_log()
    assert problems and problems[0].startswith("entry 5:")
    with pytest.raises(CommandError, match="entry 5"):
        call_command("ledger", "verify")


@pytest.mark.django_db
def test_command_proof_and_checkpoint(capsys):
    import json

    append_many(3)
    call_command("ledger", "verify")
    assert "3 entries" in capsys.readouterr().out
    call_command("ledger", "proof", "1")
    out = json.loads(capsys.readouterr().out)
    signed = verify_note(out["checkpoint"], services.verifiers())
    merkle.verify_inclusion(
        bytes.fromhex(out["leaf_hash"]),
        out["index"],
        out["size"],
        [bytes.fromhex(p) for p in out["proof"]],
        signed.root_hash,
    )
    assert out["root"] == signed.root_hash.hex()
    with pytest.raises(CommandError):
        call_command("ledger", "proof", "7")
    call_command("ledger", "checkpoint")
    assert capsys.readouterr().out.startswith("partnership\n3\n")


def append_waiting(rec: SignedRecord) -> LogEntry:
    """services.append, waiting for the write lock where the test database cannot.

    Django's SQLite test database is in memory with a shared cache, whose table locks fail at once with
    "database table is locked" instead of waiting for the busy timeout as the file database does; only
    that error is retried, so any gap, duplicate (IntegrityError) or other failure still shows.
    """
    while True:
        try:
            return services.append(rec)
        except OperationalError as exc:
            if connection.vendor != "sqlite" or "locked" not in str(exc):
                raise
            time.sleep(0.001)


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_give_one_log():
    threads, per_thread = 4, 25
    errors: list[BaseException] = []
    services.node_key()  # create the key before the threads race for it

    def work(t: int) -> None:
        try:
            for i in range(per_thread):
                append_waiting(record(t * 1000 + i))
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    entries = list(LogEntry.objects.order_by("index"))
    assert [e.index for e in entries] == list(range(threads * per_thread))
    leaves = [bytes(e.leaf_hash) for e in entries]
    assert services.root() == merkle.root(leaves)
    assert services.verify_log() == []
