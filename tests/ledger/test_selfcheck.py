"""The node's own check of its stored log: a changed byte is found by the periodic run, without an
operator running `ledger verify`, and shows on /healthz and the ledger page in both languages."""

import pytest
from django.db.models import Max
from django.utils import translation

from partnership.ledger import selfcheck, services
from partnership.ledger.models import OWN, Checkpoint, LogEntry, Subtree
from partnership.ledger.records import SignedRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def key_in_tmp(settings, tmp_path):
    settings.NODE_KEY_FILE = tmp_path / "keys" / "node-key.pem"
    services._load_key.cache_clear()
    yield
    services._load_key.cache_clear()


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 4 entries, so a small log has many blocks and the rolling re-check can be seen."""
    monkeypatch.setattr(selfcheck, "BLOCK_LEVEL", 2)
    monkeypatch.setattr(selfcheck, "NEW_BLOCKS_PER_RUN", 3)


def note(n: int) -> SignedRecord:
    return SignedRecord("test.note", "JP", "jp-digital-agency", "2026-11-27T05:30:00Z", {"n": n})


def grow(count: int) -> None:
    first = services.size()
    services.append_many([note(first + n) for n in range(count)])
    services.checkpoint()


def flip(column: str, index: int) -> bytes:
    """Change one byte of the own log's entry `index`, as someone with the database could; the old value."""
    entry = LogEntry.objects.get(log=OWN, index=index)
    value = bytes(getattr(entry, column))
    changed = bytearray(value)
    changed[len(changed) // 2] ^= 0x01
    LogEntry.objects.filter(pk=entry.pk).update(**{column: bytes(changed)})
    return value


def test_an_untouched_log_is_ok_on_healthz_and_the_page(client):
    assert client.get("/healthz").json()["ledger"] == "not checked"
    grow(20)

    state = selfcheck.check_log()

    assert state.ok and state.verified_size == 20
    health = client.get("/healthz").json()
    assert (health["status"], health["ledger"], health["ledger_verified_entries"]) == ("ok", "ok", 20)
    assert "the node verified its 20 entries itself" in client.get("/en/ledger/").content.decode()


@pytest.mark.parametrize("column", ["record", "signature"])
def test_a_byte_changed_in_an_entry_already_verified_is_found_by_the_next_run(client, column):
    grow(30)
    assert selfcheck.check_log().ok
    original = flip(column, 5)

    state = selfcheck.check_log()

    assert not state.ok
    assert any("entry 5" in problem for problem in state.problem_texts)
    response = client.get("/healthz")
    assert response.status_code == 200  # the node still serves; the body says what is wrong
    assert (response.json()["status"], response.json()["ledger"]) == ("degraded", "failed")
    page = client.get("/en/ledger/").content.decode()
    assert "does not verify: it was changed outside the ledger" in page
    assert "entry 5" in page
    ja = client.get("/ja/ledger/").content.decode()
    translation.activate("en")
    assert "改ざん" in ja or "検証できません" in ja
    assert "does not verify: it was changed outside the ledger" not in ja
    # Mended (e.g. restored from a backup): the next run says so.
    LogEntry.objects.filter(log=OWN, index=5).update(**{column: original})
    assert selfcheck.check_log().ok
    assert client.get("/healthz").json()["status"] == "ok"


def test_old_blocks_are_rechecked_in_turn_and_a_run_reads_a_bounded_part(small_blocks, monkeypatch):
    grow(40)  # ten blocks of four
    runs = 0
    while selfcheck.check_log().verified_size < 40:
        runs += 1
    flip("record", 1)  # in block 0, checked long ago
    read: list[tuple[int, int]] = []
    real = selfcheck._check_block

    def counting(log, start, end, *args):
        read.append((start, end))
        return real(log, start, end, *args)

    monkeypatch.setattr(selfcheck, "_check_block", counting)
    found_after = None
    for run in range(1, 12):
        read.clear()
        state = selfcheck.check_log()
        # One block in turn (and, once found, the failing one), never the whole log.
        assert sum(end - start for start, end in read) <= 2 * 4
        if not state.ok:
            found_after = run
            break
    assert found_after is not None and found_after <= 10
    assert any("entry 1:" in problem for problem in state.problem_texts)
    # Reported until the block is checked again and found whole, not only in the run that found it.
    assert not selfcheck.check_log().ok


def test_only_new_entries_and_the_last_block_are_read_for_new_entries(small_blocks, monkeypatch):
    grow(8)
    selfcheck.check_log()
    grow(30)  # more than one run takes: the rest waits for the next run
    state = selfcheck.check_log()
    assert state.verified_size == 8 + 3 * 4
    state = selfcheck.check_log()
    assert state.verified_size == 32
    assert selfcheck.check_log().verified_size == 38


def test_a_changed_subtree_or_checkpoint_is_found(small_blocks):
    grow(37)
    while selfcheck.check_log().verified_size < 37:
        pass
    big = Subtree.objects.filter(log=OWN).aggregate(level=Max("level"))["level"]
    Subtree.objects.filter(log=OWN, level=big).update(hash=b"\x00" * 32)

    assert any("subtree of entries 0 to" in p for p in selfcheck.check_log().problem_texts)

    latest = Checkpoint.objects.filter(log=OWN).order_by("-size").first()
    Checkpoint.objects.filter(pk=latest.pk).update(note=latest.note.replace("\n37\n", "\n36\n"))
    assert any("checkpoint 37" in p for p in selfcheck.check_log().problem_texts)
