"""The node's log in the database: append signed records, publish checkpoints, prove and verify.

The pure library (canonical, keys, records, merkle, checkpoint) does the cryptography; this module
only stores its results and reads them back. Every append takes the next index under a lock in one
transaction, so concurrent appends give one log without gaps or duplicates: on PostgreSQL a
transaction-level advisory lock, on SQLite the IMMEDIATE transaction that already serialises writers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from . import merkle
from .checkpoint import NoteError, sign_checkpoint, verify_note
from .keys import key_id, public_key_bytes
from .models import Checkpoint, LogEntry, Subtree
from .records import RecordError, SignedRecord, sign_record, verify_record

# Any fixed 64-bit number; it only has to be the same for every process appending to this log.
_ADVISORY_LOCK = 0x6C6564676572  # "ledger"


def node_key() -> Ed25519PrivateKey:
    """The node's Ed25519 key from settings.NODE_KEY_FILE, created there (mode 0600) on first use."""
    return _load_key(str(settings.NODE_KEY_FILE))


@lru_cache(maxsize=4)
def _load_key(path: str) -> Ed25519PrivateKey:
    from .keys import load_or_create_key

    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return load_or_create_key(path)


def origin() -> str:
    """The checkpoint origin and signing key name of this node's log."""
    return settings.NODE_PARTY or "partnership"


class DatabaseSubtrees:
    """`merkle.SubtreeHashes` over the stored log: one read per complete subtree, O(log n) per call."""

    def subtree(self, start: int, end: int) -> bytes:
        if start == end == 0:
            return merkle.EMPTY_ROOT
        if not 0 <= start < end:
            raise ValueError(f"no leaves [{start}, {end})")
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            return self._complete(start, width.bit_length() - 1)
        k = merkle.largest_power_of_two_below(width)
        return merkle.node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def _complete(self, start: int, level: int) -> bytes:
        if level == 0:
            value = LogEntry.objects.filter(index=start).values_list("leaf_hash", flat=True).first()
        else:
            value = Subtree.objects.filter(level=level, start=start).values_list("hash", flat=True).first()
        if value is None:
            raise ValueError(f"the log has no complete subtree of 2**{level} leaves at {start}")
        return bytes(value)


def size() -> int:
    """The number of entries in the log."""
    last = LogEntry.objects.aggregate(last=Max("index"))["last"]
    return 0 if last is None else last + 1


def _lock_log() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK])
    # SQLite: settings open every transaction IMMEDIATE, which holds the database's write lock.


def append(record: SignedRecord) -> LogEntry:
    """Sign `record` with the node key and append it to the log, with the subtrees it completes."""
    key = node_key()
    data, signature = sign_record(record, key)
    leaf = merkle.leaf_hash(data)
    kid = key_id(origin(), key).hex()
    with transaction.atomic():
        _lock_log()
        index = size()
        entry = LogEntry.objects.create(
            index=index, leaf_hash=leaf, record=data, signature=signature, key_id=kid
        )
        node, level, start = leaf, 0, index
        while (index + 1) % (2 ** (level + 1)) == 0:
            width = 2**level
            start = index + 1 - 2 * width
            left = DatabaseSubtrees()._complete(start, level)
            node = merkle.node_hash(left, node)
            level += 1
            Subtree.objects.create(start=start, level=level, hash=node)
    return entry


def root(tree_size: int | None = None) -> bytes:
    """The Merkle root of the first `tree_size` entries (all by default)."""
    tree_size = size() if tree_size is None else tree_size
    return DatabaseSubtrees().subtree(0, tree_size) if tree_size else merkle.EMPTY_ROOT


def checkpoint() -> Checkpoint:
    """A signed checkpoint of the log's current size (the stored one if that size is already signed)."""
    with transaction.atomic():
        _lock_log()
        current = size()
        existing = Checkpoint.objects.filter(size=current).first()
        if existing is not None:
            return existing
        tree_root = root(current)
        note = sign_checkpoint(origin(), current, tree_root, node_key())
        return Checkpoint.objects.create(size=current, root=tree_root, note=note)


def verifiers() -> dict[str, bytes]:
    """The key name and public key that verify this node's checkpoints."""
    return {origin(): public_key_bytes(node_key())}


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


def inclusion_proof(index: int, tree_size: int | None = None) -> InclusionProof:
    """The audit path of entry `index` in the tree of `tree_size` entries.

    Without a size, the proof is against a signed checkpoint of the current log (signed if needed).
    """
    if tree_size is None:
        tree_size = checkpoint().size
    if not 0 <= index < tree_size or tree_size > size():
        raise ValueError(
            _("entry %(index)s is not in a log of %(size)s entries") % {"index": index, "size": tree_size}
        )
    hashes = DatabaseSubtrees()
    leaf = hashes.subtree(index, index + 1)
    note = Checkpoint.objects.filter(size=tree_size).values_list("note", flat=True).first() or ""
    return InclusionProof(
        index, tree_size, leaf, merkle.inclusion_proof(index, tree_size, hashes), root(tree_size), note
    )


def consistency_proof(old_size: int, new_size: int) -> list[bytes]:
    """The RFC 6962 consistency proof from the log at `old_size` entries to `new_size` entries."""
    if new_size > size():
        raise ValueError(_("the log has fewer than %(size)s entries") % {"size": new_size})
    return merkle.consistency_proof(old_size, new_size, DatabaseSubtrees())


def verify_log() -> list[str]:
    """Recompute the whole log and check it; the problems found, first failing entry first ([] if none).

    Every leaf hash is recomputed from the stored record bytes, every signature checked with the node's
    public key, every stored subtree and every stored checkpoint compared with the recomputed tree.
    """
    problems: list[str] = []
    public = public_key_bytes(node_key())
    tree = merkle.InMemoryTree()
    entries = LogEntry.objects.order_by("index").values_list("index", "leaf_hash", "record", "signature")
    for index, stored_leaf, record, signature in entries.iterator(chunk_size=2000):
        if index != len(tree):
            problems.append(
                _("entry %(index)s: expected index %(expected)s, the log has a gap or a duplicate")
                % {"index": index, "expected": len(tree)}
            )
            break
        record = bytes(record)
        leaf = merkle.leaf_hash(record)
        if leaf != bytes(stored_leaf):
            problems.append(
                _("entry %(index)s: the stored leaf hash does not match the record") % {"index": index}
            )
        try:
            verify_record(record, bytes(signature), public)
        except RecordError as exc:
            problems.append(_("entry %(index)s: %(error)s") % {"index": index, "error": exc})
        tree.append(leaf)
    for start, level, stored in Subtree.objects.order_by("level", "start").values_list(
        "start", "level", "hash"
    ):
        end = start + 2**level
        if end > len(tree) or tree.subtree(start, end) != bytes(stored):
            problems.append(
                _("subtree of entries %(start)s to %(end)s does not match the entries")
                % {"start": start, "end": end - 1}
            )
    names = verifiers()
    for cp in Checkpoint.objects.order_by("size"):
        try:
            signed = verify_note(cp.note, names)
        except NoteError as exc:
            problems.append(_("checkpoint %(size)s: %(error)s") % {"size": cp.size, "error": exc})
            continue
        if signed.size != cp.size or signed.root_hash != bytes(cp.root):
            problems.append(
                _("checkpoint %(size)s: the signed note does not match the stored size and root")
                % {"size": cp.size}
            )
        elif cp.size > len(tree) or tree.root(cp.size) != signed.root_hash:
            problems.append(
                _("checkpoint %(size)s: its root does not match the recomputed log") % {"size": cp.size}
            )
    return problems
