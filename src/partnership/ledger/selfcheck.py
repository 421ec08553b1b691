"""The node checks its own stored log by itself, a little at every run, so that a byte changed in the
database (a record, a signature, a leaf or subtree hash, a checkpoint) is found without an operator
running `partnership ledger verify`. The result shows on `/healthz` and on the ledger page.

Why incremental and rolling rather than a whole `verify` each time: `verify` reads and checks every
entry (about 6.5 s for 100,000 entries on two cores, and it grows with the log), too much to repeat
every minute in a serving process. The log is read in aligned blocks of `2**BLOCK_LEVEL` entries, each
checked whole: every leaf hash recomputed from the stored record bytes, every signature checked with the
key files of the node (its current key and those a rotation retired, never a key the database alone
names), every stored subtree inside the block recomputed from the leaves, and every checkpoint whose size
falls in the block checked against its signature and the recomputed root. Each run checks:

1. the blocks holding the entries added since the last run (`verified_size`, remembered), at most
   `NEW_BLOCKS_PER_RUN`; the block the new entries begin in is hashed again, but only the new entries'
   signatures are checked (signatures are what costs: about 0.1 ms each);
2. `OLD_BLOCKS_PER_RUN` block verified before, in turn (`cursor` goes round the log, the last, partial
   block included), and every block found wrong before, so a repair is noticed too. An entry changed
   after it was first checked is found within one round, (log size / 4,096) runs: 25 runs, 25 minutes at
   the default interval, for 100,000 entries;
3. the tree above the blocks: every stored subtree larger than a block against its two halves, and the
   latest checkpoint against its signature and the root of the stored tree (what peers are served).

A run thus reads at most a few blocks of entries (a few thousand signature checks, well under a second)
whatever the size of the log. What is wrong is kept by block, so it stays reported until that block is
checked again and found whole.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from . import merkle
from .checkpoint import NoteError, verify_note
from .models import OWN, Checkpoint, LogEntry, SelfCheck, Subtree
from .records import SignatureCheck, bad_signatures
from .services import DatabaseSubtrees, initial_keys, key_name, size

logger = logging.getLogger(__name__)

BLOCK_LEVEL = 12  # blocks of 4,096 entries: a block's root is a stored subtree of this level
NEW_BLOCKS_PER_RUN = 4  # up to 16,384 new entries a run (a few seconds); more wait for the next run
OLD_BLOCKS_PER_RUN = 1
MAX_PROBLEMS_PER_BLOCK = 10  # a block with more says how many more; `verify` lists every one

Problem = list[Any]  # [msgid, params], as models.render_error shows it


def _problem(message: str, **params: Any) -> Problem:
    return [message, params]


class _BlockSubtrees(DatabaseSubtrees):
    """Subtree hashes of a log: those inside the checked block as recomputed, the others as stored
    (each read once)."""

    def __init__(self, log: str, computed: dict[tuple[int, int], bytes]) -> None:
        super().__init__(log)
        self.computed = computed
        self.read: dict[tuple[int, int], bytes] = {}

    def complete(self, start: int, level: int) -> bytes:
        key = (level, start)
        if key in self.computed:
            return self.computed[key]
        if key not in self.read:
            self.read[key] = super().complete(start, level)
        return self.read[key]


def _check_block(
    log: str, start: int, end: int, keys: dict[str, bytes], signed_from: int | None = None
) -> list[Problem]:
    """Check entries [start, end) of `log`, their subtrees and the checkpoints of a size among them;
    the signatures of the entries from `signed_from` on (all by default)."""
    signed_from = start if signed_from is None else signed_from
    problems: list[Problem] = []
    leaves: list[bytes] = []  # as stored: the subtrees are checked against them, the leaves against
    checks: list[SignatureCheck] = []  # the records, so one changed byte is named once, not per level
    rows = (
        LogEntry.objects.filter(log=log, index__gte=start, index__lt=end)
        .order_by("index")
        .values_list("index", "leaf_hash", "record", "signature", "key_id")
    )
    for index, stored_leaf, data, signature, kid in rows.iterator(chunk_size=1000):
        expected = start + len(leaves)
        if index != expected:
            break
        data = bytes(data)
        leaves.append(bytes(stored_leaf))
        if merkle.leaf_hash(data) != leaves[-1]:
            problems.append(
                _problem(
                    gettext_noop("entry %(index)s: the stored leaf hash does not match the record"),
                    index=index,
                )
            )
        public = keys.get(kid)
        if public is None:
            problems.append(
                _problem(
                    gettext_noop("entry %(index)s: signed by key %(key)s, which is not a key of this log"),
                    index=index,
                    key=kid,
                )
            )
        elif index >= signed_from:
            checks.append((index, data, bytes(signature), public))
    if len(leaves) != end - start:
        expected = start + len(leaves)
        problems.append(
            _problem(gettext_noop("entry %(index)s is missing: the log has a gap"), index=expected)
        )
        return problems  # the rest of the block cannot be compared
    problems.extend(
        _problem(
            gettext_noop("entry %(index)s: the record's signature does not verify with the author's key"),
            index=index,
        )
        for index in bad_signatures(checks)
    )
    problems.sort(key=lambda problem: problem[1].get("index", 0))
    # The block's start is a multiple of its width, so its pairs are the tree's aligned subtrees.
    computed = {(0, start + offset): leaf for offset, leaf in enumerate(leaves)}
    level, nodes = 0, leaves
    while len(nodes) >= 2:
        level += 1
        nodes = [merkle.node_hash(nodes[i], nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        computed.update(((level, start + offset * 2**level), node) for offset, node in enumerate(nodes))
    stored = Subtree.objects.filter(
        log=log, level__gte=1, level__lte=BLOCK_LEVEL, start__gte=start, start__lt=end
    ).values_list("level", "start", "hash")
    held = {(level, first): bytes(value) for level, first, value in stored if first + 2**level <= end}
    for (level, first), value in sorted(computed.items()):
        if level and held.get((level, first)) != value:
            problems.append(
                _problem(
                    gettext_noop("subtree of entries %(start)s to %(end)s does not match the entries"),
                    start=first,
                    end=first + 2**level - 1,
                )
            )
    tree = _BlockSubtrees(log, computed)
    for checkpoint in Checkpoint.objects.filter(log=log, size__gt=start, size__lte=end).order_by("size"):
        problems.extend(_check_checkpoint(log, checkpoint, keys, tree))
    if len(problems) > MAX_PROBLEMS_PER_BLOCK:
        more = len(problems) - MAX_PROBLEMS_PER_BLOCK
        problems = problems[:MAX_PROBLEMS_PER_BLOCK]
        problems.append(
            _problem(
                gettext_noop("and %(count)s more problems in entries %(start)s to %(end)s"),
                count=more,
                start=start,
                end=end - 1,
            )
        )
    return problems


def _check_checkpoint(
    log: str, checkpoint: Checkpoint, keys: dict[str, bytes], tree: DatabaseSubtrees
) -> list[Problem]:
    try:
        signed = verify_note(checkpoint.note, {key_name(log): list(keys.values())})
    except NoteError as exc:
        return [
            _problem(gettext_noop("checkpoint %(size)s: %(error)s"), size=checkpoint.size, error=str(exc))
        ]
    if signed.size != checkpoint.size or signed.root_hash != bytes(checkpoint.root):
        return [
            _problem(
                gettext_noop("checkpoint %(size)s: the signed note does not match the stored size and root"),
                size=checkpoint.size,
            )
        ]
    try:
        recomputed = tree.subtree(0, checkpoint.size)
    except ValueError:
        recomputed = b""
    if recomputed != signed.root_hash:
        return [
            _problem(
                gettext_noop("checkpoint %(size)s: its root does not match the recomputed log"),
                size=checkpoint.size,
            )
        ]
    return []


def _check_tree(log: str, keys: dict[str, bytes]) -> list[Problem]:
    """The stored subtrees above the blocks against their halves, and the latest checkpoint."""
    problems: list[Problem] = []
    checkpoints = list(Checkpoint.objects.filter(log=log).order_by("-size")[:1])
    current = size(log)  # read after the checkpoint: a checkpoint never names more entries than exist
    stored = {
        (level, start): bytes(value)
        for level, start, value in Subtree.objects.filter(log=log, level__gte=BLOCK_LEVEL).values_list(
            "level", "start", "hash"
        )
    }
    for (level, start), value in sorted(stored.items()):
        if level == BLOCK_LEVEL:
            continue  # checked against its entries with its block
        half = 2 ** (level - 1)
        left, right = stored.get((level - 1, start)), stored.get((level - 1, start + half))
        if left is None or right is None or merkle.node_hash(left, right) != value:
            problems.append(
                _problem(
                    gettext_noop("subtree of entries %(start)s to %(end)s does not match the entries"),
                    start=start,
                    end=start + 2**level - 1,
                )
            )
    for checkpoint in checkpoints:
        if checkpoint.size > current:
            problems.append(
                _problem(
                    gettext_noop("checkpoint %(size)s: the log has only %(entries)s entries"),
                    size=checkpoint.size,
                    entries=current,
                )
            )
        else:
            problems.extend(_check_checkpoint(log, checkpoint, keys, DatabaseSubtrees(log)))
    return problems


def check_log(log: str = OWN) -> SelfCheck:
    """One run of the self-check of `log` (this node's own by default); its state, saved."""
    state, _created = SelfCheck.objects.get_or_create(log=log)
    width = 2**BLOCK_LEVEL
    current = size(log)
    keys = initial_keys(log)
    problems = {part: items for part, items in state.problem_data().items() if items}
    # 1. The entries added since the last run, with the block they begin in (its leaves and subtrees
    #    again, the signatures of the new entries only).
    verified_before = min(state.verified_size, current)
    first_new = verified_before // width
    new_blocks = list(range(first_new, -(-current // width)))[:NEW_BLOCKS_PER_RUN]
    verified = min(current, (new_blocks[-1] + 1) * width) if new_blocks else verified_before
    # 2. Every block verified before, the last partial one too, whole, one in turn; and those found
    #    wrong before, so that a mended block is seen as such.
    rolled = -(-verified_before // width)
    whole = {int(part) for part in problems if part.isdigit() and int(part) < rolled}
    cursor = state.cursor // width
    if rolled:
        cursor %= rolled
        whole.update((cursor + step) % rolled for step in range(OLD_BLOCKS_PER_RUN))
        cursor = (cursor + OLD_BLOCKS_PER_RUN) % rolled
    for block in sorted(whole | set(new_blocks)):
        start = block * width
        signed_from = start if block in whole else max(start, verified_before)
        problems[str(block)] = _check_block(log, start, min(current, start + width), keys, signed_from)
    # 3. The tree above the blocks, and the checkpoint peers are served.
    problems["tree"] = _check_tree(log, keys)
    found = {part: items for part, items in problems.items() if items}
    now = timezone.now()
    if found and state.ok:  # newly failing: said once in the log, then shown until whole again
        logger.error("ledger: the stored log %r does not verify: %s", log or "own", json.dumps(found)[:2000])
    state.verified_size = verified
    state.cursor = cursor * width
    state.checked_at = now
    state.failed_since = (state.failed_since or now) if found else None
    state.problems = json.dumps(found, ensure_ascii=False) if found else ""
    state.save()
    return state


def latest(log: str = OWN) -> SelfCheck | None:
    """The last self-check of `log`, or None if none ran yet."""
    return SelfCheck.objects.filter(log=log).first()


def health(log: str = OWN) -> dict[str, Any]:
    """What `/healthz` says of the self-check: `ledger` is "ok", "failed" or "not checked"."""
    state = latest(log)
    if state is None or state.checked_at is None:
        return {"ledger": "not checked"}
    return {
        "ledger": "ok" if state.ok else "failed",
        "ledger_checked_at": state.checked_at.isoformat(),
        "ledger_verified_entries": state.verified_size,
    }
