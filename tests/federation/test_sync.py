"""Two real nodes over HTTP on loopback: a JP node in its own process, this process as the EU node.

Each test is one of the faults issue 4 names; each asserts what the EU node's users would see.
"""

import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from partnership.ledger import services, sync
from partnership.ledger.keys import verifier_key_string
from partnership.ledger.models import Checkpoint, LogEntry, Peer
from partnership.ledger.peers import configured_peers
from partnership.programme.models import ProgressUpdate

pytestmark = pytest.mark.django_db(transaction=False)


def jp_updates():
    return ProgressUpdate.objects.filter(party__code="JP")


def pull():
    (result,) = sync.sync_all()
    return result


def peer_size(node) -> int:
    return int(node.call("ledger", "checkpoint").stdout.splitlines()[1])


def test_an_update_filed_on_the_jp_node_shows_on_the_eu_node_signed_by_jp(jp, eu_node, client, members):
    eu_node.peer(jp)
    token = jp.secretariat_token
    jp.file_update(token, 46, "Early-warning pilot: first alerts exchanged with DG GROW.")

    result = pull()

    assert result.error == ""
    assert result.fetched == peer_size(jp) == services.size("JP")
    update = jp_updates().get(narrative__startswith="Early-warning pilot")
    assert update.ledger_entry.log == "JP"
    client.force_login(members["eu_secretariat"])
    page = client.get("/en/actions/46/").content.decode()
    assert "Early-warning pilot: first alerts exchanged" in page
    assert "Signed by the JP node" in page
    assert services.verify_log("JP") == []
    # The copy is complete and verified: nothing more to pull, nothing doubled.
    again = pull()
    assert (again.error, again.fetched) == ("", 0)
    assert jp_updates().filter(narrative__startswith="Early-warning pilot").count() == 1


def test_peer_down_during_sync_then_resumes_with_nothing_lost_or_doubled(jp, eu_node):
    eu_node.peer(jp)
    assert pull().error == ""
    before = jp_updates().count()
    token = jp.secretariat_token
    jp.file_update(token, 47, "Filed while the EU node could not reach us.")
    jp.stop()

    down = pull()

    assert "cannot be reached" in down.error
    assert Peer.objects.get(party="JP").state == Peer.State.FAILING
    assert jp_updates().count() == before
    jp.start()
    eu_node.peer(jp)  # the node came back on another port
    up = pull()
    assert (up.error, up.fetched) == ("", 1)
    assert jp_updates().count() == before + 1
    assert Peer.objects.get(party="JP").state == Peer.State.OK


def test_a_sync_interrupted_midway_keeps_whole_pages_and_resumes(jp, eu_node, monkeypatch):
    eu_node.peer(jp)
    monkeypatch.setattr(sync, "PAGE", 40)
    real = sync._get_json
    calls = {"entries": 0}

    def flaky(url):
        if "/entries?" in url:
            calls["entries"] += 1
            if calls["entries"] == 3:
                raise sync.SyncError("connection reset by peer")
        return real(url)

    monkeypatch.setattr(sync, "_get_json", flaky)
    broken = pull()

    assert "connection reset" in broken.error
    assert services.size("JP") == 80  # two whole pages, nothing of the third
    applied = LogEntry.objects.filter(log="JP", apply_error="").count()
    assert jp_updates().count() <= applied == 80
    monkeypatch.setattr(sync, "_get_json", real)
    assert pull().error == ""
    assert services.size("JP") == peer_size(jp)
    assert services.verify_log("JP") == []


def test_entries_delivered_twice_are_applied_once(jp, eu_node, monkeypatch):
    eu_node.peer(jp)
    monkeypatch.setattr(sync, "PAGE", 50)
    real = sync._get_json

    def stuttering(url):
        body = real(url)
        if "/entries?" in url and body["entries"]:
            start = body["entries"][0]["index"]
            earlier = real(url.replace(f"start={start}", f"start={max(0, start - 10)}"))["entries"]
            body["entries"] = earlier + body["entries"] + body["entries"]
        return body

    monkeypatch.setattr(sync, "_get_json", stuttering)
    result = pull()

    assert result.error == ""
    assert services.size("JP") == peer_size(jp)
    applied_types = LogEntry.objects.filter(log="JP").count()
    assert result.fetched == applied_types
    uids = list(jp_updates().values_list("uid", flat=True))
    assert len(uids) == len(set(uids)) > 0


def test_a_byte_changed_in_the_peers_database_is_named_by_verify_and_refused_by_sync(jp, eu_node):
    jp.flip_byte("record", 5)

    verify = jp.call("ledger", "verify", check=False)
    assert verify.returncode != 0
    assert "entry 5" in verify.stderr

    eu_node.peer(jp)
    result = pull()
    assert "entry 5" in result.error
    assert services.size("JP") == 0  # the page holding entry 5 was refused whole
    assert not jp_updates().exists()


@pytest.mark.parametrize("column", ["record", "signature"])
def test_a_byte_changed_in_this_nodes_copy_is_named_by_verify(jp, eu_node, column):
    eu_node.peer(jp)
    assert pull().error == ""
    entry = LogEntry.objects.get(log="JP", index=7)
    changed = bytearray(bytes(getattr(entry, column)))
    changed[len(changed) // 2] ^= 0x01
    LogEntry.objects.filter(pk=entry.pk).update(**{column: bytes(changed)})

    with pytest.raises(CommandError, match="entry 7"):
        call_command("ledger", "verify", "--peer", "JP")
    with pytest.raises(CommandError, match="entry 7"):
        call_command("ledger", "verify")


@pytest.mark.parametrize(
    "extra, reason",
    [(0, "two different logs of"), (1, "does not extend its log of")],
    ids=["same size, other root", "larger, inconsistent"],
)
def test_a_forked_log_stops_sync_and_alerts_the_secretariats(jp_factory, eu_node, members, extra, reason):
    for name in ("jp_secretariat", "eu_secretariat"):
        members[name].email = f"{name}@example.org"
        members[name].save()
    honest = jp_factory("honest")
    forked = jp_factory("forked")  # same key, same history so far
    honest.file_update(honest.secretariat_token, 46, "The honest history.")
    forked_token = forked.secretariat_token
    for n in range(1 + extra):
        forked.file_update(forked_token, 46, "A rewritten history." if n == 0 else f"More of it ({n}).")
    eu_node.peer(honest)
    assert pull().error == ""

    eu_node.peer(forked)
    result = pull()

    assert result.forked
    assert reason in result.error
    state = Peer.objects.get(party="JP")
    assert state.state == Peer.State.FORKED
    assert "The honest history." not in state.fork_evidence  # evidence is the signed notes
    assert not jp_updates().filter(narrative="A rewritten history.").exists()
    (alert,) = mail.outbox
    assert "forked" in alert.subject
    assert set(alert.to) == {"jp_secretariat@example.org", "eu_secretariat@example.org"}
    assert "分岐" in alert.subject or "フォーク" in alert.subject  # in both languages
    # Stopped even towards the honest node, until an operator clears it.
    eu_node.peer(honest)
    assert "stopped" in pull().error
    call_command("ledger", "clear-fork", "JP")
    assert pull().error == ""


def test_an_unknown_signing_key_is_refused(jp, eu_node):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = verifier_key_string("JP", Ed25519PrivateKey.generate())
    eu_node.peer(jp, stranger)

    result = pull()

    assert "no signature from a known key" in result.error
    assert services.size("JP") == 0
    assert Peer.objects.get(party="JP").state == Peer.State.FAILING


@pytest.mark.parametrize("hours", [1, -1])
def test_clock_skew_of_an_hour_between_nodes(jp_factory, eu_node, hours):
    skewed = jp_factory("skewed", skew_seconds=hours * 3600)
    eu_node.peer(skewed)
    skewed.file_update(skewed.secretariat_token, 48, f"Filed with a clock {hours:+d} h off.")

    result = pull()

    assert result.error == ""
    update = jp_updates().get(narrative=f"Filed with a clock {hours:+d} h off.")
    offset = update.created_at - timezone.now()
    assert abs(offset - datetime.timedelta(hours=hours)) < datetime.timedelta(minutes=5)


def test_a_key_rotation_on_the_peer_is_followed(jp, eu_node):
    eu_node.peer(jp)  # configured with the old key only
    assert pull().error == ""
    jp.call("ledger", "rotate-key", "--overlap-days", "1")
    jp.file_update(jp.secretariat_token, 49, "Signed with the new key.")

    result = pull()

    assert result.error == ""
    assert jp_updates().filter(narrative="Signed with the new key.").exists()
    assert len(sync.peer_keys(configured_peers()["JP"])) == 2
    assert services.verify_log("JP") == []


def held_note(size: int) -> str:
    return Checkpoint.objects.get(log="JP", size=size).note


@pytest.mark.parametrize(
    "seen_before, appended, reason",
    [
        (True, 0, "rolled its log back from"),
        (False, 0, "rolled its log back from"),
        (False, 1, "is not the start of the log of"),
        (False, 4, "does not extend its log of"),
    ],
    ids=[
        "restored, its old checkpoint seen before",
        "restored from a backup",
        "restored, then other entries: fewer",
        "restored, then other entries: more",
    ],
)
def test_a_peer_restored_from_an_older_backup_is_a_fork_with_both_signed_notes(
    jp_factory, eu_node, client, seen_before, appended, reason
):
    backup = jp_factory("backup")  # the JP node's data as it was before the last three updates
    live = jp_factory("live")
    if seen_before:
        eu_node.peer(backup)
        assert pull().error == ""
    for n in range(3):
        live.file_update(live.secretariat_token, 46, f"Filed after the backup ({n}).")
    eu_node.peer(live)
    assert pull().error == ""
    held = services.size("JP")
    for n in range(appended):
        backup.file_update(backup.secretariat_token, 47, f"Filed on the restored node ({n}).")
    rolled_back_note = backup.call("ledger", "checkpoint").stdout

    eu_node.peer(backup)
    result = pull()

    assert result.forked
    assert reason in result.error
    state = Peer.objects.get(party="JP")
    assert state.state == Peer.State.FORKED
    # Evidence: the largest checkpoint held of JP and the one it serves now, both signed by JP's key.
    assert held_note(held) in state.fork_evidence
    assert rolled_back_note in state.fork_evidence
    assert services.size("JP") == held  # the copy keeps what it had verified
    assert not jp_updates().filter(narrative__startswith="Filed on the restored node").exists()
    page = client.get("/en/ledger/").content.decode()
    assert "forked: sync stopped" in page
    assert reason in page
    ja = client.get("/ja/ledger/").content.decode()
    translation.activate("en")
    assert "フォーク検出：同期停止中" in ja
    # Still an alarm at the next sync, and after clear-fork while the peer serves the shorter log.
    assert "stopped" in pull().error
    call_command("ledger", "clear-fork", "JP")
    assert pull().forked


REPLAY = (
    "from partnership.ledger import services\n"
    "from partnership.ledger.models import LogEntry\n"
    "from partnership.ledger.records import parse_record\n"
    "(entry,) = [e for e in LogEntry.objects.filter(log='') if b'{marker}' in bytes(e.record)]\n"
    "services.append(parse_record(bytes(entry.record)))\n"
)


@pytest.mark.parametrize("rotate", [False, True], ids=["same signed bytes", "re-signed with a new key"])
def test_a_record_replayed_at_a_new_index_is_reported_and_not_applied_twice(
    jp, eu_node, client, members, rotate
):
    eu_node.peer(jp)
    jp.file_update(jp.secretariat_token, 46, "Filed once.")
    assert pull().error == ""
    (first,) = [e for e in LogEntry.objects.filter(log="JP") if b"Filed once." in bytes(e.record)]
    if rotate:
        jp.call("ledger", "rotate-key", "--overlap-days", "1")
    jp.call("shell", "-c", REPLAY.replace("{marker}", "Filed once."))

    result = pull()  # the replay is the last entry: alone on its page, or after the rotation

    assert result.error == ""
    assert result.replayed == 1
    assert services.size("JP") == peer_size(jp)
    jp.file_update(jp.secretariat_token, 47, "Filed after the replay.")
    assert pull().error == ""
    (replayed,) = [
        e for e in LogEntry.objects.filter(log="JP", index__gt=first.index) if e.record == first.record
    ]
    assert replayed.index > first.index
    assert f"entry {first.index}" in replayed.apply_error_text
    assert jp_updates().filter(narrative="Filed once.").count() == 1
    assert jp_updates().filter(narrative="Filed after the replay.").exists()  # sync goes on
    assert Peer.objects.get(party="JP").state == Peer.State.OK
    # The reason quotes the record: a member who may read it sees it on the ledger page.
    client.force_login(members["eu_secretariat"])
    page = client.get("/en/ledger/").content.decode()
    assert f"replays entry {first.index}" in page


def test_a_serving_node_finds_a_byte_changed_in_its_own_log_by_itself(jp_factory):
    import json
    import time
    import urllib.request

    node = jp_factory("self-checking", env={"PARTNERSHIP_SYNC_INTERVAL": "1"})

    def health() -> dict:
        with urllib.request.urlopen(node.url + "/healthz", timeout=5) as response:
            return json.loads(response.read())

    def wait_for(ledger: str) -> dict:
        deadline = time.monotonic() + 30
        while (body := health())["ledger"] != ledger and time.monotonic() < deadline:
            time.sleep(0.2)
        return body

    assert wait_for("ok")["status"] == "ok"
    node.flip_byte("record", 5)  # no one runs `ledger verify`

    body = wait_for("failed")

    assert (body["status"], body["ledger"]) == ("degraded", "failed")
    with urllib.request.urlopen(node.url + "/en/ledger/", timeout=5) as response:
        page = response.read().decode()
    assert "does not verify: it was changed outside the ledger" in page
    assert "entry 5:" in page


NUL_RECORD = (
    "import dataclasses, json\n"
    "from partnership.ledger import services\n"
    "from partnership.ledger.models import LogEntry\n"
    "from partnership.ledger.records import parse_record\n"
    "(entry,) = [e for e in LogEntry.objects.filter(log='') if b'Filed once.' in bytes(e.record)]\n"
    "record = parse_record(bytes(entry.record))\n"
    "content = json.loads(json.dumps(record.content).replace('Filed once.', 'Filed\\\\u0000 twice.'))\n"
    "services.append(dataclasses.replace(record, content=content))\n"
)


def test_a_peer_record_holding_nul_is_refused_and_sync_goes_on(jp, eu_node):
    """PostgreSQL stores no U+0000: a signed record holding one is kept in the log, not applied, and
    the sync goes on to the next record (it stopped every sync on PostgreSQL before)."""
    eu_node.peer(jp)
    jp.file_update(jp.secretariat_token, 46, "Filed once.")
    assert pull().error == ""
    jp.call("shell", "-c", NUL_RECORD)
    jp.file_update(jp.secretariat_token, 47, "Filed after the NUL.")

    result = pull()

    assert result.error == ""
    assert result.rejected == 1
    (held,) = [e for e in LogEntry.objects.filter(log="JP") if b"\\u0000" in bytes(e.record)]
    assert "NUL" in held.apply_error_text
    assert not jp_updates().filter(narrative__contains="twice").exists()
    assert jp_updates().filter(narrative="Filed after the NUL.").exists()
    assert Peer.objects.get(party="JP").state == Peer.State.OK
