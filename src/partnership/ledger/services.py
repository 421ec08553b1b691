"""The logs in the database: append signed records, publish checkpoints, prove, verify, rotate keys.

The pure library (canonical, keys, records, merkle, checkpoint) does the cryptography; this module
only stores its results and reads them back. Every write to a log takes its lock in one transaction,
so concurrent appends give one log without gaps or duplicates: on PostgreSQL a transaction-level
advisory lock per log, on SQLite the IMMEDIATE transaction that already serialises writers.

A node keeps its own log (`log=""`, models.OWN) and a verified copy of each peer's (`log="EU"`...);
the functions here take the log to work on and default to the node's own.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from . import merkle, sealing
from .checkpoint import NoteError, sign_checkpoint, verify_note
from .keys import key_id, load_or_create_key, public_key_bytes, verifier_key_string
from .models import OWN, Checkpoint, LogEntry, SigningKey, Subtree
from .records import (
    KEY_ROTATION,
    RecordError,
    SignatureCheck,
    SignedRecord,
    bad_signatures_in_parallel,
    format_time,
    rotated_key,
    rotation_content,
    sign_record,
    verify_record,
)


def node_key() -> Ed25519PrivateKey:
    """The node's Ed25519 key from settings.NODE_KEY_FILE, created there (mode 0600) on first use.

    Read again when the file changes, so a rotation made by `partnership ledger rotate-key` in another
    process takes effect in a running server at once.
    """
    return _key_at(str(settings.NODE_KEY_FILE))


def _key_at(path: str) -> Ed25519PrivateKey:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        Path(path).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        load_or_create_key(path)
        info = os.stat(path)
    return _load_key(path, info.st_ino, info.st_mtime_ns)


@lru_cache(maxsize=16)
def _load_key(path: str, inode: int = 0, mtime: int = 0) -> Ed25519PrivateKey:
    return load_or_create_key(path)


def origin() -> str:
    """The checkpoint origin and signing key name of this node's log: its party, as peers know it."""
    return settings.NODE_PARTY or "partnership"


def own_key_id() -> str:
    return key_id(origin(), node_key()).hex()


def verifier_key() -> str:
    """This node's verifier key string, what the other party's node is configured with."""
    return verifier_key_string(origin(), node_key())


def _remember_own_key() -> None:
    """Record the current key's public half (once), so the own log stays verifiable after rotations."""
    key = node_key()
    SigningKey.objects.get_or_create(
        log=OWN,
        key_id=key_id(origin(), key).hex(),
        defaults={"name": origin(), "public_key": public_key_bytes(key)},
    )


class DatabaseSubtrees:
    """`merkle.SubtreeHashes` over a stored log: one read per complete subtree, O(log n) per call."""

    def __init__(self, log: str = OWN) -> None:
        self.log = log

    def subtree(self, start: int, end: int) -> bytes:
        if start == end == 0:
            return merkle.EMPTY_ROOT
        if not 0 <= start < end:
            raise ValueError(f"no leaves [{start}, {end})")
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            return self.complete(start, width.bit_length() - 1)
        k = merkle.largest_power_of_two_below(width)
        return merkle.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def complete(self, start: int, level: int) -> bytes:
        if level == 0:
            value = (
                LogEntry.objects.filter(log=self.log, index=start).values_list("leaf_hash", flat=True).first()
            )
        else:
            value = (
                Subtree.objects.filter(log=self.log, level=level, start=start)
                .values_list("hash", flat=True)
                .first()
            )
        if value is None:
            raise ValueError(f"the log has no complete subtree of 2**{level} leaves at {start}")
        return bytes(value)


def size(log: str = OWN) -> int:
    """The number of entries in a log."""
    last = LogEntry.objects.filter(log=log).aggregate(last=Max("index"))["last"]
    return 0 if last is None else last + 1


def lock_log(log: str = OWN) -> None:
    """Serialise writers of `log` until the current transaction ends."""
    if connection.vendor == "postgresql":
        number = int.from_bytes(hashlib.sha256(b"ledger:" + log.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [number])
    # SQLite: settings open every transaction IMMEDIATE, which holds the database's write lock.


def store_entries(log: str, start: int, items: Sequence[tuple[bytes, bytes, str]]) -> list[LogEntry]:
    """Store entries `start`, `start + 1`, ... of `log` from (record bytes, signature, key ID) items, with
    the subtrees they complete, in two bulk inserts; the caller holds the log's lock.

    The left siblings a new subtree needs come from this batch or, for the few older ones, the database.
    """
    hashes = DatabaseSubtrees(log)
    known: dict[tuple[int, int], bytes] = {}  # (level, start) -> hash of this batch's subtrees
    entries, subtrees = [], []
    for offset, (data, signature, kid) in enumerate(items):
        index = start + offset
        node = merkle.leaf_hash(data)
        known[(0, index)] = node
        entries.append(
            LogEntry(log=log, index=index, leaf_hash=node, record=data, signature=signature, key_id=kid)
        )
        level = 0
        while (index + 1) % (2 ** (level + 1)) == 0:
            left_start = index + 1 - 2 ** (level + 1)
            left = known.get((level, left_start))
            if left is None:
                left = hashes.complete(left_start, level)
            node = merkle.node_hash(left, node)
            level += 1
            known[(level, left_start)] = node
            subtrees.append(Subtree(log=log, start=left_start, level=level, hash=node))
    LogEntry.objects.bulk_create(entries, batch_size=500)
    Subtree.objects.bulk_create(subtrees, batch_size=500)
    return entries


def append_many(records: Iterable[SignedRecord]) -> list[LogEntry]:
    """Sign each record with the node key and append them, in order, to the node's own log."""
    key = node_key()
    kid = key_id(origin(), key).hex()
    items = [(*sign_record(record, key), kid) for record in records]
    with transaction.atomic():
        lock_log(OWN)
        return store_entries(OWN, size(OWN), items)


def append(record: SignedRecord) -> LogEntry:
    """Sign `record` with the node key and append it to the node's own log."""
    return append_many([record])[0]


def root(tree_size: int | None = None, log: str = OWN) -> bytes:
    """The Merkle root of the first `tree_size` entries of a log (all by default)."""
    tree_size = size(log) if tree_size is None else tree_size
    return DatabaseSubtrees(log).subtree(0, tree_size) if tree_size else merkle.EMPTY_ROOT


def _signing_keys() -> list[Ed25519PrivateKey]:
    """The current key, then each retired key still in its overlap period (they co-sign checkpoints)."""
    keys = [node_key()]
    now = timezone.now()
    for retired in SigningKey.objects.filter(log=OWN, retired=True, overlap_until__gt=now):
        path = retired_key_file(retired.key_id)
        if path.exists():
            keys.append(_key_at(str(path)))
    return keys


def node_keys() -> list[Ed25519PrivateKey]:
    """The keys this node may sign with now: the current one, then those still in a rotation's overlap
    (a peer that has not yet pulled the rotation record knows only those)."""
    return _signing_keys()


def checkpoint() -> Checkpoint:
    """A signed checkpoint of the own log's current size (the stored one if that size is signed)."""
    with transaction.atomic():
        lock_log(OWN)
        _remember_own_key()
        current = size(OWN)
        existing = Checkpoint.objects.filter(log=OWN, size=current).first()
        if existing is not None:
            return existing
        tree_root = root(current)
        note = sign_checkpoint(origin(), current, tree_root, _signing_keys())
        return Checkpoint.objects.create(log=OWN, size=current, root=tree_root, note=note)


def latest_checkpoint(log: str = OWN) -> Checkpoint | None:
    return Checkpoint.objects.filter(log=log).order_by("-size").first()


@dataclass(frozen=True)
class InclusionProof:
    index: int
    size: int
    leaf_hash: bytes
    proof: list[bytes]
    root: bytes
    checkpoint: str  # the signed note of `size`, or "" when that size has no stored checkpoint

    def as_json(self) -> dict:
        return {
            "index": self.index,
            "size": self.size,
            "leaf_hash": self.leaf_hash.hex(),
            "proof": [p.hex() for p in self.proof],
            "root": self.root.hex(),
            "checkpoint": self.checkpoint,
        }


def inclusion_proof(index: int, tree_size: int | None = None, log: str = OWN) -> InclusionProof:
    """The audit path of entry `index` in the tree of `tree_size` entries of a log.

    Without a size: the own log's proof is against a new signed checkpoint of the current log (signed if
    needed); a peer log's against the latest checkpoint seen from that peer.
    """
    if tree_size is None:
        latest = checkpoint() if log == OWN else latest_checkpoint(log)
        tree_size = latest.size if latest else 0
    if not 0 <= index < tree_size or tree_size > size(log):
        raise ValueError(
            _("entry %(index)s is not in a log of %(size)s entries") % {"index": index, "size": tree_size}
        )
    hashes = DatabaseSubtrees(log)
    leaf = hashes.subtree(index, index + 1)
    note = Checkpoint.objects.filter(log=log, size=tree_size).values_list("note", flat=True).first() or ""
    return InclusionProof(
        index, tree_size, leaf, merkle.inclusion_proof(index, tree_size, hashes), root(tree_size, log), note
    )


def consistency_proof(old_size: int, new_size: int, log: str = OWN) -> list[bytes]:
    """The RFC 6962 consistency proof from a log at `old_size` entries to `new_size` entries."""
    if not 0 <= old_size <= new_size or new_size > size(log):
        raise ValueError(
            _("no consistency proof from %(old)s to %(new)s entries in a log of %(size)s entries")
            % {"old": old_size, "new": new_size, "size": size(log)}
        )
    return merkle.consistency_proof(old_size, new_size, DatabaseSubtrees(log))


# --- keys ----------------------------------------------------------------------------------------------


def retired_key_file(kid: str) -> Path:
    path = Path(settings.NODE_KEY_FILE)
    return path.with_name(f"{path.name}.retired-{kid}")


def rotate_key(overlap: timedelta, organisation: str = "") -> LogEntry:
    """Replace the node key by a new one, announced by a record the old key signs.

    Entries signed before stay valid (the old public key is kept); until `overlap` has passed, the old
    key also co-signs checkpoints, so a peer that has not yet pulled the rotation record still verifies
    them, then learns the new key from the record itself.
    """
    if overlap < timedelta(0):
        raise ValueError(_("the overlap cannot be negative"))
    old = node_key()
    path = Path(settings.NODE_KEY_FILE)
    staged = path.with_name(f"{path.name}.next")
    staged.unlink(missing_ok=True)
    new = load_or_create_key(staged)
    now = timezone.now()
    until = now + overlap
    content = rotation_content(
        verifier_key_string(origin(), old), new, verifier_key_string(origin(), new), format_time(until)
    )
    record = SignedRecord(KEY_ROTATION, origin(), organisation, format_time(now), content)
    old_id = key_id(origin(), old).hex()
    with transaction.atomic():
        _remember_own_key()
        entry = append(record)
        SigningKey.objects.filter(log=OWN, key_id=old_id).update(retired=True, overlap_until=until)
        SigningKey.objects.create(
            log=OWN, name=origin(), key_id=key_id(origin(), new).hex(), public_key=public_key_bytes(new)
        )
        # The old key stays on disk, for co-signing during the overlap; the new one takes its place.
        os.link(path, retired_key_file(old_id))
        os.replace(staged, path)
    _load_key.cache_clear()
    return entry


def initial_keys(log: str = OWN) -> dict[str, bytes]:
    """Key ID (hex) -> public key trusted for a log before any of its rotation records: for the own log
    the node's key files (the current one, and those a rotation retired), never a key the database
    alone names; for a peer's log its configured keys."""
    if log != OWN:
        from .peers import configured_peers

        peer = configured_peers().get(log)
        return dict(peer.keys) if peer else {}
    return {kid: public_key_bytes(key) for kid, key in _own_private_keys().items()}


def _own_private_keys() -> dict[str, Ed25519PrivateKey]:
    """Key ID (hex) -> the node's key files: the current one and those a rotation retired."""
    current = Path(settings.NODE_KEY_FILE)
    keys = {}
    for path in [current, *sorted(current.parent.glob(current.name + ".retired-*"))]:
        key = _key_at(str(path))
        keys[key_id(origin(), key).hex()] = key
    return keys


def known_keys(log: str = OWN) -> dict[str, bytes]:
    """Every key trusted for a log now: the initial ones and those its rotation records introduced."""
    keys = initial_keys(log)
    keys.update((k.key_id, bytes(k.public_key)) for k in SigningKey.objects.filter(log=log))
    if log == OWN:
        key = node_key()
        keys[key_id(origin(), key).hex()] = public_key_bytes(key)
    return keys


def seal_for(party: str, content: bytes) -> dict | None:
    """`content` sealed (sealing.py) to the keys this node knows for the node of `party`; None when no
    node of that party is a configured peer (then nothing leaves this node)."""
    from .peers import configured_peers

    if party not in configured_peers():
        return None
    return sealing.seal(content, known_keys(party))


def open_sealed(sealed: object) -> bytes:
    """Content a peer sealed to this node, opened with the current node key or a retired one
    (`sealing.SealError` if neither)."""
    return sealing.open_sealed(sealed, _own_private_keys())


def key_name(log: str = OWN) -> str:
    return origin() if log == OWN else log


def verifiers(log: str = OWN) -> dict[str, list[bytes]]:
    """The key name and public keys that verify a log's checkpoints."""
    return {key_name(log): list(known_keys(log).values())}


# --- verification ---------------------------------------------------------------------------------------


_ROTATION_MARK = b'"type":"' + KEY_ROTATION.encode() + b'"'  # as it appears in canonical JSON


def _check_record(log: str, data: bytes, signature: bytes, public: Any, keys: dict[str, Any]) -> str:
    """What is wrong with one entry's record, or "": its signature, its author's party (a peer's record
    must be its party's) and, for a key rotation, the new key, added to `keys` at once, before it is used."""
    try:
        record = verify_record(data, signature, public)
        if log != OWN and record.party != log:
            raise RecordError(
                _("the record is authored by %(author)s, not by %(party)s")
                % {"author": record.party, "party": log}
            )
        if record.type == KEY_ROTATION:
            new_name, raw = rotated_key(record)
            keys[key_id(new_name, raw).hex()] = raw
    except RecordError as exc:
        return str(exc)
    return ""


def verify_log(log: str = OWN) -> list[str]:
    """Recompute a whole log and check it; the problems found, first failing entry first ([] if none).

    Every leaf hash is recomputed from the stored record bytes; every signature is checked with the key
    its key ID names, among the log's initial keys and those its own rotation records introduced before
    that entry (replayed in order, so a key slipped into the database is not trusted); a peer's records
    must be authored by that peer's party; every stored subtree and checkpoint is compared with the
    recomputed tree.
    """
    problems: list[tuple[int, str]] = []  # (entry index, message): sorted, the first failing entry first
    name = key_name(log)
    keys = initial_keys(log)
    tree = merkle.InMemoryTree()
    checks: list[SignatureCheck] = []  # checked together at the end, over every core
    rows = (
        LogEntry.objects.filter(log=log)
        .order_by("index")
        .values_list("index", "leaf_hash", "record", "signature", "key_id")
    )
    for index, stored_leaf, data, signature, kid in rows.iterator(chunk_size=5000):
        if index != len(tree):
            problems.append(
                (
                    index,
                    _("entry %(index)s: expected index %(expected)s, the log has a gap or a duplicate")
                    % {"index": index, "expected": len(tree)},
                )
            )
            break
        data, signature = bytes(data), bytes(signature)
        leaf = merkle.leaf_hash(data)
        if leaf != bytes(stored_leaf):
            problems.append(
                (
                    index,
                    _("entry %(index)s: the stored leaf hash does not match the record") % {"index": index},
                )
            )
        tree.append(leaf)
        public = keys.get(kid)
        if public is None:
            problems.append(
                (
                    index,
                    _("entry %(index)s: signed by key %(key)s, which is not a key of this log")
                    % {"index": index, "key": kid},
                )
            )
            continue
        rotation = _ROTATION_MARK in data
        if log == OWN and not rotation:
            checks.append((index, data, signature, public))
            continue
        problem = _check_record(log, data, signature, public, keys)
        if problem:
            problems.append((index, _("entry %(index)s: %(error)s") % {"index": index, "error": problem}))
    problems.extend(
        (
            index,
            _("entry %(index)s: the record's signature does not verify with the author's key")
            % {"index": index},
        )
        for index in bad_signatures_in_parallel(checks)
    )
    problems.sort(key=lambda item: item[0])
    messages = [message for _index, message in problems]
    for start, level, stored in (
        Subtree.objects.filter(log=log).order_by("level", "start").values_list("start", "level", "hash")
    ):
        end = start + 2**level
        if end > len(tree) or tree.subtree(start, end) != bytes(stored):
            messages.append(
                _("subtree of entries %(start)s to %(end)s does not match the entries")
                % {"start": start, "end": end - 1}
            )
    verifiers = {name: list(keys.values())}
    for cp in Checkpoint.objects.filter(log=log).order_by("size"):
        try:
            signed = verify_note(cp.note, verifiers)
        except NoteError as exc:
            messages.append(_("checkpoint %(size)s: %(error)s") % {"size": cp.size, "error": exc})
            continue
        if signed.size != cp.size or signed.root_hash != bytes(cp.root):
            messages.append(
                _("checkpoint %(size)s: the signed note does not match the stored size and root")
                % {"size": cp.size}
            )
        elif cp.size <= len(tree) and tree.root(cp.size) != signed.root_hash:
            messages.append(
                _("checkpoint %(size)s: its root does not match the recomputed log") % {"size": cp.size}
            )
        elif log == OWN and cp.size > len(tree):
            messages.append(
                _("checkpoint %(size)s: the log has only %(entries)s entries")
                % {"size": cp.size, "entries": len(tree)}
            )
    return messages


def logs() -> list[str]:
    """The logs stored on this node: its own first, then each peer's copy."""
    peers = LogEntry.objects.exclude(log=OWN).values_list("log", flat=True).distinct()
    seen = Checkpoint.objects.exclude(log=OWN).values_list("log", flat=True).distinct()
    return [OWN, *sorted(set(peers) | set(seen))]


def ledger_keys() -> dict[tuple[str, str], bytes]:
    """(key name, key ID hex) -> public key, for every key this node's ledger knows: its own, current and
    retired, and each peer's, configured or introduced by a rotation record in the peer's verified log.

    What a signature made outside the log (e.g. of a published report) is checked against, offline: a key
    the database alone names for the own log is not among them (`known_keys`)."""
    from .peers import configured_peers

    peers = set(configured_peers()) | set(
        SigningKey.objects.exclude(log=OWN).values_list("log", flat=True).distinct()
    )
    return {
        (key_name(log), kid): public
        for log in [OWN, *sorted(peers)]
        for kid, public in known_keys(log).items()
    }


def retry_rejected(record_type: str, reason: str) -> int:
    """Apply again the peers' records of `record_type` that were not applied for `reason` (the msgid of
    their `RecordRejected`), e.g. a countersignature that arrived before the report it signs; those applied
    now lose their mark, the others keep their new reason. Returns how many were applied.

    Call inside the transaction of the write that may let them apply."""
    from . import registry
    from .records import parse_record

    applier = registry.applier_for(record_type)
    if applier is None:
        return 0
    marked = "[" + json.dumps(reason, ensure_ascii=False)  # how `RecordRejected.as_data()` starts
    applied = 0
    for entry in (
        LogEntry.objects.exclude(log=OWN).filter(apply_error__startswith=marked).order_by("log", "index")
    ):
        record = parse_record(bytes(entry.record))
        if record.type != record_type:
            continue
        try:
            with transaction.atomic():
                applier(record, entry)
        except registry.RecordRejected as exc:
            LogEntry.objects.filter(pk=entry.pk).update(apply_error=exc.as_data())
            continue
        LogEntry.objects.filter(pk=entry.pk).update(apply_error="")
        applied += 1
    return applied
