"""Pull each peer's new log entries, verify them, store them and apply their records.

For each peer (peers.configured_peers), `sync_peer`:

1. fetches the peer's latest signed checkpoint and verifies it with the peer's keys (configured, or
   introduced by rotation records already verified in its log) and that its origin is the peer's party;
2. compares it with every checkpoint seen from that peer before: a smaller size than the largest seen
   (a rollback: a log never shrinks; checked against the held entries, not with the peer's help), the
   same size with another root, or a consistency proof (RFC 9162 §2.1.4) that fails between it and the
   nearest one seen, is a fork: the peer is marked forked, sync with it stops until an operator clears
   it, and `signals.fork_detected` is sent (the secretariats are alerted); the checkpoint is kept as
   evidence in the peer's record;
3. fetches the entries after the ones stored, a page at a time. Each page is one transaction: every
   entry's signature is checked with the key its key ID names, its record must be authored by the peer's
   party, its leaf is stored with the subtrees it completes, and the stored prefix must be consistent with
   the signed checkpoint (a consistency proof from the page's end, or the root itself at the end).
   Only then are the records applied (`registry`), except those replaying a record already in the
   peer's log (kept, marked, not applied twice); anything wrong rolls the whole page back, so a sync
   interrupted at any point leaves whole pages or nothing, and the next sync resumes where it stopped.

Entries are pulled by index, never by time, so clocks that disagree between nodes do not matter.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from . import merkle, registry
from .checkpoint import NoteError, verify_note
from .keys import key_id
from .models import Checkpoint, LogEntry, Peer, SigningKey, render_error
from .node_requests import signed_headers
from .peers import PeerConfig, configured_peers
from .records import (
    KEY_ROTATION,
    RecordError,
    SignatureCheck,
    bad_signatures,
    parse_record,
    rotated_key,
    verify_record,
)
from .services import lock_log, node_keys, origin, root, size, store_entries
from .signals import fork_detected

log = logging.getLogger(__name__)

PAGE = 1000  # entries per request and per transaction
TIMEOUT = 15  # seconds per HTTP request
MAX_RESPONSE = 64 * 1024 * 1024
API = "/api/v1/ledger"


class SyncError(Exception):
    """This sync with a peer could not complete; nothing partial was kept, the next one retries.

    The message is kept as its msgid and parameters (`as_data`), so the ledger page shows it in the
    reader's language however long ago, and in whichever language, the sync ran.
    """

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message)
        self.message, self.params = message, params

    def __str__(self) -> str:
        return render_error(self.as_data())

    def as_data(self) -> str:
        return json.dumps([self.message, self.params], ensure_ascii=False)


class ForkError(SyncError):
    """The peer's log contradicts what it signed before; `evidence` holds the conflicting signed notes."""

    def __init__(self, message: str, evidence: str, **params: Any) -> None:
        super().__init__(message, **params)
        self.evidence = evidence


@dataclass
class SyncResult:
    party: str
    fetched: int = 0  # new entries stored
    applied: int = 0  # of which records applied to this node's data
    rejected: int = 0  # of which records stored but not applied (see LogEntry.apply_error)
    replayed: int = 0  # of which records already in the peer's log at an earlier index, not applied
    size: int = 0  # the peer's log size after the sync
    error: str = ""
    forked: bool = False


# --- HTTP ----------------------------------------------------------------------------------------------


def _get(url: str) -> bytes:
    """GET `url` of a peer, signed with this node's key (`node_requests`): the peer serves the content of
    its records only to a node it knows, so each request first asks the peer for a challenge nonce.

    After a rotation of this node's key, a peer that has not yet pulled the rotation record refuses the
    new key (401): the request is then signed again with the keys still in the rotation's overlap.
    """
    keys = node_keys()
    for key in keys[:-1]:
        try:
            return _signed_get(url, key)
        except SyncError as exc:
            if exc.params.get("status") != 401:
                raise
    return _signed_get(url, keys[-1])


def _signed_get(url: str, key: Ed25519PrivateKey) -> bytes:
    base, _sep, _path = url.partition(API)
    challenge = _fetch(f"{base}{API}/challenge", {})
    try:
        nonce = json.loads(challenge)["nonce"]
        if not isinstance(nonce, str):
            raise TypeError(nonce)
    except (ValueError, UnicodeDecodeError, TypeError, KeyError):
        raise SyncError(
            gettext_noop("%(url)s sent no challenge nonce"), url=f"{base}{API}/challenge"
        ) from None
    return _fetch(url, signed_headers("GET", url, nonce, origin(), key))


def _fetch(url: str, headers: dict[str, str]) -> bytes:
    # peers.parse_peers admits only http(s) base URLs.
    request = urllib.request.Request(  # noqa: S310
        url, headers={"Accept": "application/json, text/plain", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read(MAX_RESPONSE + 1)
    except urllib.error.HTTPError as exc:
        message = _error_message(exc)
        if message:  # e.g. why the peer refused this node's signature
            raise SyncError(
                gettext_noop("%(url)s answered %(status)s: %(reason)s"),
                url=url,
                status=exc.code,
                reason=message,
            ) from None
        raise SyncError(gettext_noop("%(url)s answered %(status)s"), url=url, status=exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise SyncError(
            gettext_noop("%(url)s cannot be reached: %(reason)s"), url=url, reason=str(reason)
        ) from None
    if len(body) > MAX_RESPONSE:
        raise SyncError(gettext_noop("%(url)s sent more than %(limit)s bytes"), url=url, limit=MAX_RESPONSE)
    return body


def _error_message(error: urllib.error.HTTPError) -> str:
    """The message of the peer's API error body (`{"error": {"message": ...}}`), "" if there is none."""
    try:
        message = json.loads(error.read(64 * 1024))["error"]["message"]
    except (ValueError, UnicodeDecodeError, TypeError, KeyError, OSError):
        return ""
    return message[:500] if isinstance(message, str) else ""


def _get_json(url: str) -> Any:
    try:
        return json.loads(_get(url))
    except (ValueError, UnicodeDecodeError) as exc:
        raise SyncError(
            gettext_noop("%(url)s did not send JSON: %(detail)s"), url=url, detail=str(exc)
        ) from None


def _hashes(values: Any, what: str) -> list[bytes]:
    try:
        hashes = [bytes.fromhex(v) for v in values]
    except (TypeError, ValueError):
        raise SyncError(gettext_noop("the peer's %(what)s is not a list of hex hashes"), what=what) from None
    if any(len(h) != 32 for h in hashes):
        raise SyncError(gettext_noop("the peer's %(what)s holds a hash that is not 32 bytes"), what=what)
    return hashes


def _consistency(peer: PeerConfig, old: int, new: int) -> list[bytes]:
    body = _get_json(f"{peer.url}{API}/consistency?old={old}&new={new}")
    return _hashes(body.get("proof") if isinstance(body, dict) else None, "consistency proof")


# --- sync ----------------------------------------------------------------------------------------------


def peer_keys(peer: PeerConfig) -> dict[str, bytes]:
    """Key ID -> public key trusted for the peer now: configured, and introduced by its rotations."""
    keys = dict(peer.keys)
    keys.update((k.key_id, bytes(k.public_key)) for k in SigningKey.objects.filter(log=peer.party))
    return keys


def sync_all() -> list[SyncResult]:
    return [sync_peer(peer) for peer in configured_peers().values()]


def sync_peer(peer: PeerConfig) -> SyncResult:
    """Pull, verify and apply the peer's new entries; never raises for a fault of the peer."""
    state, _created = Peer.objects.get_or_create(party=peer.party, defaults={"url": peer.url})
    result = SyncResult(peer.party)
    if state.state == Peer.State.FORKED:
        result.forked = True
        result.error = _("sync with %(party)s is stopped: its log forked") % {"party": peer.party}
        return result
    state.last_attempt_at = timezone.now()
    try:
        _pull(peer, result)
    except ForkError as exc:
        result.forked, result.error = True, str(exc)
        Peer.objects.filter(pk=state.pk).update(
            state=Peer.State.FORKED,
            forked_at=timezone.now(),
            fork_evidence=exc.evidence,
            last_error=exc.as_data(),
            last_attempt_at=state.last_attempt_at,
            url=peer.url,
        )
        log.error("ledger: the log of %s forked: %s", peer.party, exc)
        fork_detected.send(sender=Peer, party=peer.party, reason=exc.as_data(), evidence=exc.evidence)
        return result
    except SyncError as exc:
        result.error = str(exc)
        Peer.objects.filter(pk=state.pk).update(
            state=Peer.State.FAILING,
            last_error=exc.as_data(),
            last_attempt_at=state.last_attempt_at,
            url=peer.url,
        )
        log.warning("ledger: sync with %s failed: %s", peer.party, exc)
        return result
    Peer.objects.filter(pk=state.pk).update(
        state=Peer.State.OK,
        last_error="",
        last_attempt_at=state.last_attempt_at,
        last_success_at=timezone.now(),
        url=peer.url,
    )
    return result


def _pull(peer: PeerConfig, result: SyncResult) -> None:
    party = peer.party
    note = _get(f"{peer.url}{API}/checkpoint").decode("utf-8", errors="replace")
    try:
        signed = verify_note(note, {party: list(peer_keys(peer).values())})
    except NoteError as exc:
        raise SyncError(
            gettext_noop("the checkpoint of %(party)s does not verify: %(detail)s"),
            party=party,
            detail=str(exc),
        ) from None
    if signed.origin != party:
        raise SyncError(
            gettext_noop("the checkpoint of %(party)s names the log %(origin)s"),
            party=party,
            origin=signed.origin,
        )
    _check_against_seen(peer, note, signed.size, signed.root_hash)
    result.size = signed.size
    while True:
        have = size(party)
        if have >= signed.size:
            break
        body = _get_json(f"{peer.url}{API}/entries?start={have}&end={min(have + PAGE, signed.size)}")
        page = body.get("entries") if isinstance(body, dict) else None
        if not isinstance(page, list) or not page:
            raise SyncError(gettext_noop("%(party)s sent no entries from %(index)s"), party=party, index=have)
        if not _store_page(peer, page, signed.size, signed.root_hash, result):
            raise SyncError(
                gettext_noop("%(party)s sent no new entries from %(index)s"), party=party, index=have
            )


def _check_against_seen(peer: PeerConfig, note: str, new_size: int, new_root: bytes) -> None:
    """Fork detection against every checkpoint seen from the peer; the new one is then remembered."""
    party = peer.party
    seen = Checkpoint.objects.filter(log=party)
    _check_not_shrunk(party, seen, note, new_size, new_root)
    same = seen.filter(size=new_size).first()
    if same is not None:
        if bytes(same.root) != new_root:
            raise ForkError(
                gettext_noop("%(party)s signed two different logs of %(size)s entries."),
                evidence=f"{same.note}\n{note}",
                party=party,
                size=new_size,
            )
        return
    below = seen.filter(size__lt=new_size).order_by("-size").first()
    above = seen.filter(size__gt=new_size).order_by("size").first()
    pairs = []
    if below is not None:
        pairs.append((below.size, bytes(below.root), below.note, new_size, new_root, note))
    if above is not None:
        pairs.append((new_size, new_root, note, above.size, bytes(above.root), above.note))
    for old_size, old_root, old_note, big_size, big_root, big_note in pairs:
        proof = _consistency(peer, old_size, big_size) if old_size else []
        try:
            merkle.verify_consistency(old_size, big_size, old_root, big_root, proof)
        except merkle.ProofError as exc:
            raise ForkError(
                gettext_noop(
                    "%(party)s's log of %(new)s entries does not extend its log of %(old)s entries: "
                    "%(detail)s"
                ),
                evidence=f"{old_note}\n{big_note}",
                party=party,
                new=big_size,
                old=old_size,
                detail=str(exc),
            ) from None
    with transaction.atomic():
        Checkpoint.objects.get_or_create(log=party, size=new_size, defaults={"root": new_root, "note": note})


def _check_not_shrunk(party: str, seen: Any, note: str, new_size: int, new_root: bytes) -> None:
    """A checkpoint smaller than the largest one seen from the peer is a fork alarm, whatever it holds.

    A log only grows, so a node that now signs fewer entries than it signed before was restored from an
    older backup (a rollback) or rewrote its history; both signed notes are the evidence. The smaller
    checkpoint is checked here against the entries this node holds of the peer (verified against the
    larger one), not with a proof asked of the peer: a rolled-back peer cannot prove anything about
    entries it no longer has, and a check that depends on its answer would be only a failed request,
    or nothing at all when its smaller checkpoint had been seen before.
    """
    largest = seen.order_by("-size").first()
    if largest is None or new_size >= largest.size:
        return
    evidence = f"{largest.note}\n{note}"
    held = size(party)
    if new_size <= held and root(new_size, party) != new_root:
        raise ForkError(
            gettext_noop(
                "%(party)s now signs a log of %(new)s entries that is not the start of the log of "
                "%(old)s entries it signed before: it rolled its log back and rewrote it."
            ),
            evidence=evidence,
            party=party,
            new=new_size,
            old=largest.size,
        )
    raise ForkError(
        gettext_noop(
            "%(party)s rolled its log back from %(old)s to %(new)s entries (restored from an older "
            "backup?): a log must never shrink."
        ),
        evidence=evidence,
        party=party,
        new=new_size,
        old=largest.size,
    )


def _decode_entry(raw: Any, expected: int, party: str) -> tuple[bytes, bytes, str]:
    if not isinstance(raw, dict) or raw.get("index") != expected:
        raise SyncError(
            gettext_noop("%(party)s sent entry %(index)s where entry %(expected)s was expected"),
            party=party,
            index=raw.get("index") if isinstance(raw, dict) else "?",
            expected=expected,
        )
    try:
        data = base64.b64decode(raw["record"], validate=True)
        signature = base64.b64decode(raw["signature"], validate=True)
        kid = str(raw["key_id"])
    except (KeyError, TypeError, binascii.Error, ValueError):
        raise SyncError(
            gettext_noop("%(party)s's entry %(index)s is not an entry (record, signature, key_id)"),
            party=party,
            index=expected,
        ) from None
    return data, signature, kid


def _check_duplicate(raw: dict, party: str, page: list[tuple[int, bytes, bytes, str]]) -> None:
    index = raw["index"]
    data, signature, _kid = _decode_entry(raw, index, party)
    first = page[0][0] if page else None
    if first is not None and index >= first:
        stored: tuple[bytes, bytes] | None = (page[index - first][1], page[index - first][2])
    else:
        row = LogEntry.objects.filter(log=party, index=index).values_list("record", "signature").first()
        stored = (bytes(row[0]), bytes(row[1])) if row else None
    if stored is None:
        raise SyncError(gettext_noop("%(party)s sent entry %(index)s out of order"), party=party, index=index)
    if stored != (data, signature):
        raise ForkError(
            gettext_noop("%(party)s served an entry %(index)s that differs from the one it served before"),
            evidence="",
            party=party,
            index=index,
        )


_ROTATION_MARK = b'"type":"' + KEY_ROTATION.encode() + b'"'  # as it appears in canonical JSON


def _refused(party: str, index: int, detail: str) -> SyncError:
    return SyncError(
        gettext_noop("%(party)s's entry %(index)s is refused: %(detail)s"),
        party=party,
        index=index,
        detail=detail,
    )


def _rotation(party: str, index: int, data: bytes, signature: bytes, public: bytes) -> tuple[str, bytes]:
    try:
        return rotated_key(verify_record(data, signature, public))
    except RecordError as exc:
        raise _refused(party, index, str(exc)) from None


def _decode_page(
    party: str, page: list[Any], start: int, tree_size: int
) -> list[tuple[int, bytes, bytes, str]]:
    """The page's entries from `start` on (none past the signed size), decoded; an entry delivered again
    is checked to be identical (or it is a fork) and skipped."""
    decoded: list[tuple[int, bytes, bytes, str]] = []
    for raw in page:
        index = start + len(decoded)
        if index >= tree_size:
            break
        if isinstance(raw, dict) and isinstance(raw.get("index"), int) and raw["index"] < index:
            _check_duplicate(raw, party, decoded)  # an entry delivered again: identical, or a fork
            continue
        decoded.append((index, *_decode_entry(raw, index, party)))
    return decoded


def _check_signatures(party: str, decoded: list[tuple[int, bytes, bytes, str]], keys: dict[str, Any]) -> None:
    """Every entry signed by a known key of the peer; a key rotation is taken (and its key stored) at once."""
    checks: list[SignatureCheck] = []
    for index, data, signature, kid in decoded:
        public = keys.get(kid)
        if public is None:
            raise SyncError(
                gettext_noop(
                    "%(party)s's entry %(index)s is signed by key %(key)s, which is not a known key of it"
                ),
                party=party,
                index=index,
                key=kid,
            )
        if _ROTATION_MARK in data:
            # Checked at once: the key it introduces may sign the very next entries of this page.
            name, raw_key = _rotation(party, index, data, signature, public)
            new_id = key_id(name, raw_key).hex()
            keys[new_id] = raw_key
            SigningKey.objects.get_or_create(
                log=party, key_id=new_id, defaults={"name": name, "public_key": raw_key}
            )
        else:
            checks.append((index, data, signature, public))
    for index in bad_signatures(checks)[:1]:
        raise _refused(party, index, "the record's signature does not verify with the author's key")


def _parse_records(party: str, decoded: list[tuple[int, bytes, bytes, str]]) -> list[Any]:
    """The records of the decoded entries, each authored by the peer's own party."""
    records = []
    for index, data, _signature, _kid in decoded:
        try:
            record = parse_record(data)
        except RecordError as exc:
            raise _refused(party, index, str(exc)) from None
        if record.party != party:
            raise SyncError(
                gettext_noop(
                    "%(party)s's entry %(index)s is authored by %(author)s: "
                    "a node signs only its own party's records"
                ),
                party=party,
                index=index,
                author=record.party,
            )
        records.append(record)
    return records


def _store_page(
    peer: PeerConfig, page: list[Any], tree_size: int, tree_root: bytes, result: SyncResult
) -> int:
    party = peer.party
    with transaction.atomic():
        lock_log(party)
        start = size(party)  # again, under the lock: another sync may have stored this page meanwhile
        decoded = _decode_page(party, page, start, tree_size)
        if not decoded:
            return 0
        _check_signatures(party, decoded, peer_keys(peer))
        records = _parse_records(party, decoded)
        entries = store_entries(party, start, [(data, sig, kid) for _i, data, sig, kid in decoded])
        stored = list(zip(entries, records, strict=True))
        end = start + len(stored)
        if not stored:
            return 0
        page_root = root(end, party)
        try:
            if end == tree_size:
                if page_root != tree_root:
                    raise merkle.ProofError("the entries do not give the signed root")
            else:
                merkle.verify_consistency(
                    end, tree_size, page_root, tree_root, _consistency(peer, end, tree_size)
                )
        except merkle.ProofError as exc:
            raise SyncError(
                gettext_noop(
                    "%(party)s's entries %(start)s to %(end)s are not those of its signed checkpoint "
                    "of %(size)s entries: %(detail)s"
                ),
                party=party,
                start=start,
                end=end - 1,
                size=tree_size,
                detail=str(exc),
            ) from None
        replays = _replays(party, start, entries)
        _mark_replays(party, entries, replays, result)
        with registry.batch():
            _apply_all([item for item in stored if item[0].index not in replays], result)
        result.fetched += len(stored)
        return len(stored)


def _replays(party: str, start: int, entries: list[LogEntry]) -> dict[int, int]:
    """Entry index -> the earlier index of the same record, for the page's entries that replay one.

    A record is known by its hash (the leaf hash: SHA-256 of its signed bytes, which hold its type,
    author, time and content), so the same record signed again, even with another key after a rotation,
    is the same record. The peer's log may legitimately hold it twice only if its node appended it
    twice, which it never does: a replay is an old record put forward as new (e.g. an older state of a
    deliverable), so it is kept, as the log is, but reported and never applied a second time.
    """
    hashes = {bytes(entry.leaf_hash) for entry in entries}
    first: dict[bytes, int] = {}
    earlier = (
        LogEntry.objects.filter(log=party, index__lt=start, leaf_hash__in=hashes)
        .order_by("index")
        .values_list("leaf_hash", "index")
    )
    for leaf, index in earlier:
        first.setdefault(bytes(leaf), index)
    replays = {}
    for entry in entries:
        leaf = bytes(entry.leaf_hash)
        if leaf in first:
            replays[entry.index] = first[leaf]
        else:
            first[leaf] = entry.index
    return replays


def _mark_replays(party: str, entries: list[LogEntry], replays: dict[int, int], result: SyncResult) -> None:
    for entry in entries:
        if entry.index in replays:
            reason = SyncError(
                gettext_noop("this record replays entry %(index)s of the log: it is not applied again"),
                index=replays[entry.index],
            )
            LogEntry.objects.filter(pk=entry.pk).update(apply_error=reason.as_data())
            log.warning(
                "ledger: %s's entry %s replays its entry %s", party, entry.index, replays[entry.index]
            )
    result.replayed += len(replays)


def _holds_nul(value: Any) -> bool:
    """Whether a string or member name anywhere in `value` (a decoded record content) holds U+0000."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any("\x00" in key or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _apply_all(stored: list[tuple[LogEntry, Any]], result: SyncResult) -> None:
    """Apply a page's records in log order: runs of one type through its batch applier when it has one,
    the others one by one, each in a savepoint; the reasons for records not applied are kept."""
    errors: dict[str, list[int]] = {}  # reason -> entry ids
    # One check for every applier, before any reaches the database: PostgreSQL stores no U+0000 in text
    # or jsonb, so such a record would raise a database error and stop every sync with the peer.
    nul = SyncError(gettext_noop("the record holds the NUL character (U+0000): it is not applied")).as_data()
    held = [(entry, record) for entry, record in stored if _holds_nul(record.content)]
    if held:
        errors[nul] = [entry.pk for entry, _record in held]
        stored = [(entry, record) for entry, record in stored if not _holds_nul(record.content)]
    position = 0
    while position < len(stored):
        kind = stored[position][1].type
        end = position
        while end < len(stored) and stored[end][1].type == kind:
            end += 1
        run = stored[position:end]
        position = end
        if kind == KEY_ROTATION:
            result.applied += len(run)
            continue
        many = registry.batch_applier_for(kind)
        applier = registry.applier_for(kind)
        if many is not None:
            with transaction.atomic():
                rejected = many([(record, entry) for entry, record in run])
            for entry, _record in run:
                if entry.index in rejected:
                    errors.setdefault(rejected[entry.index] or "rejected", []).append(entry.pk)
            result.applied += len(run) - len(rejected)
            continue
        for entry, record in run:
            if applier is None:
                error = SyncError(
                    gettext_noop("this node has no use for records of type %(type)s"), type=kind
                ).as_data()
            else:
                try:
                    with transaction.atomic():
                        applier(record, entry)
                    error = ""
                except registry.RecordRejected as exc:
                    error = exc.as_data()  # the applier's reason, translatable when it has params
            if error:
                errors.setdefault(error, []).append(entry.pk)
            else:
                result.applied += 1
    for error, ids in errors.items():
        result.rejected += len(ids)
        LogEntry.objects.filter(pk__in=ids).update(apply_error=error)


def clear_fork(party: str) -> bool:
    """Let sync with a forked peer resume (after the operators have settled the fork out of band).

    The checkpoints seen stay, so the peer must still serve a log consistent with them.
    """
    return bool(
        Peer.objects.filter(party=party, state=Peer.State.FORKED).update(
            state=Peer.State.FAILING, forked_at=None
        )
    )


# --- the periodic job ------------------------------------------------------------------------------------


_periodic: threading.Thread | None = None
_periodic_lock = threading.Lock()


def start_periodic_sync() -> threading.Thread | None:
    """While serving: each settings.SYNC_INTERVAL seconds, in a daemon thread, check this node's own
    log (`selfcheck`, on a single node too) and pull every peer. Started once per process (wsgi.py
    and `partnership demo` both ask)."""
    global _periodic
    interval = settings.SYNC_INTERVAL
    if interval <= 0:
        return None
    with _periodic_lock:
        if _periodic is not None:
            return _periodic
        stop = threading.Event()

        def run() -> None:
            from django.db import close_old_connections

            from .selfcheck import check_log

            jobs: list[tuple[str, Any]] = [("self-check", check_log)]
            if settings.PEERS:
                jobs.append(("sync", sync_all))
            while not stop.wait(interval):
                for what, job in jobs:
                    try:
                        job()
                    except Exception:  # keep the job alive; the failure is logged and shown
                        log.exception("ledger: periodic %s failed", what)
                    finally:
                        close_old_connections()

        _periodic = threading.Thread(target=run, name="ledger-sync", daemon=True)
        _periodic.start()
        return _periodic
