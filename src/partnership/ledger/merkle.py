"""RFC 6962 / RFC 9162 Merkle tree hashing, inclusion and consistency proofs (SHA-256).

Pure Python and free of Django, so an outsider can read it next to the RFC and so the log's storage
(which lives elsewhere) only has to answer one question: "what is the Merkle Tree Hash of leaves
[start, end)?" (`SubtreeHashes`). Proof generation asks that question once per proof element, i.e.
O(log n) times, which is what lets an inclusion proof cost O(log n) database reads (issue 4).

References:
- RFC 6962 §2.1 (MTH), §2.1.1 (PATH, audit paths), §2.1.2 (PROOF / SUBPROOF, consistency proofs).
- RFC 9162 §2.1.1 (MTH), §2.1.3.1 / §2.1.3.2 (inclusion proofs and their verification),
  §2.1.4.1 / §2.1.4.2 (consistency proofs and their verification).

A proof only binds a leaf (or an old tree) to a root *for the size it is checked with*: the same
audit path can be valid for two sizes that share a path shape (index 0 in trees of 3 and 4 leaves).
So callers must take (size, root) together from one signed checkpoint, never mix them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

HASH_SIZE = 32  # SHA-256, the only hash algorithm RFC 6962 defines and the one RFC 9162 registers first

# RFC 6962 §2.1: the prefixes separate leaf hashes from interior node hashes, so a leaf can never be
# passed off as an interior node (second-preimage attack on the tree).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}) = SHA-256() (RFC 6962 §2.1, RFC 9162 §2.1.1): the root of the empty tree."""


class ProofError(ValueError):
    """An inclusion or consistency proof does not verify, or its parameters cannot describe a proof."""


class SubtreeHashes(Protocol):
    """Anything that can give the Merkle Tree Hash of a range of leaves of one append-only log.

    `subtree(start, end)` returns MTH(D[start:end]), the RFC 6962 hash of leaves start..end-1. Proof
    generation only asks for ranges that are nodes of the RFC 6962 tree (start is a multiple of the
    largest power of two not smaller than end - start), so a store that keeps complete, aligned
    power-of-two subtrees can answer each call in O(log n) reads or better.
    """

    def subtree(self, start: int, end: int) -> bytes: ...


def leaf_hash(data: bytes) -> bytes:
    """MTH({d0}) = SHA-256(0x00 || d0), RFC 6962 §2.1 / RFC 9162 §2.1.1."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right), the interior node hash of RFC 6962 §2.1 / RFC 9162 §2.1.1."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def largest_power_of_two_below(n: int) -> int:
    """k, the largest power of two smaller than n (n > 1), where RFC 6962 §2.1 splits a tree of n leaves."""
    if n < 2:
        raise ValueError(f"a tree of {n} leaves is not split")
    return 1 << ((n - 1).bit_length() - 1)


def root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of a list of leaf hashes (RFC 6962 §2.1, RFC 9162 §2.1.1); SHA-256() when empty.

    Computed bottom-up instead of by the RFC's recursion (no recursion depth, one pass per level):
    pairing neighbours and carrying an unpaired last node up unchanged builds exactly the tree that
    splitting at the largest power of two below n builds, because every left part is a complete
    power-of-two subtree and only the rightmost node of a level can be unpaired.
    """
    if not leaf_hashes:
        return EMPTY_ROOT
    level = list(leaf_hashes)
    while len(level) > 1:
        paired = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


class InMemoryTree:
    """An append-only list of leaf hashes that caches every complete, aligned power-of-two subtree.

    `levels[h][i]` is the MTH of leaves [i * 2**h, (i + 1) * 2**h). Appending is amortised O(1)
    hashes; `subtree()` of any RFC 6962 tree node is at most one cached read per level, O(log n).
    It is the reference `SubtreeHashes` for tests and for checking a log held in memory.
    """

    def __init__(self, leaf_hashes: Sequence[bytes] = ()) -> None:
        self.levels: list[list[bytes]] = [[]]
        for h in leaf_hashes:
            self.append(h)

    def __len__(self) -> int:
        return len(self.levels[0])

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash and every complete subtree it closes."""
        if len(leaf) != HASH_SIZE:
            raise ValueError(f"a leaf hash has {HASH_SIZE} bytes, not {len(leaf)}")
        self.levels[0].append(leaf)
        height = 0
        # A level of even length has just completed a pair: its parent is now a complete subtree.
        while len(self.levels[height]) % 2 == 0:
            if height + 1 == len(self.levels):
                self.levels.append([])
            below = self.levels[height]
            self.levels[height + 1].append(node_hash(below[-2], below[-1]))
            height += 1

    def subtree(self, start: int, end: int) -> bytes:
        """MTH(D[start:end]); MTH({}) only for the empty tree (0, 0)."""
        if start == end == 0:
            return EMPTY_ROOT
        if not 0 <= start < end <= len(self):
            raise ValueError(f"no leaves [{start}, {end}) in a tree of {len(self)}")
        width = end - start
        if width & (width - 1) == 0 and start % width == 0:
            return self.levels[width.bit_length() - 1][start // width]
        # Not a complete subtree: split as RFC 6962 does. For a tree node the left part is complete
        # (one cached read) and the right part recurses on a range at least half as wide, so at
        # most one read per level.
        k = largest_power_of_two_below(width)
        return node_hash(self.subtree(start, start + k), self.subtree(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """MTH of the first `size` leaves (all of them by default)."""
        size = len(self) if size is None else size
        return self.subtree(0, size) if size else EMPTY_ROOT


def inclusion_proof(index: int, size: int, hashes: SubtreeHashes) -> list[bytes]:
    """The audit path PATH(index, D[size]) of RFC 6962 §2.1.1 (RFC 9162 §2.1.3.1), leaf to root.

    The RFC's recursion walks down from the root, choosing the half that holds the leaf and
    emitting the other half's MTH; the path lists those siblings bottom-up, so we walk down
    iteratively and reverse. One `subtree()` call per element: at most ceil(log2(size)).
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of {size} leaves")
    siblings: list[bytes] = []
    start, end = 0, size
    while end - start > 1:
        k = largest_power_of_two_below(end - start)
        if index < start + k:
            siblings.append(hashes.subtree(start + k, end))
            end = start + k
        else:
            siblings.append(hashes.subtree(start, start + k))
            start += k
    siblings.reverse()
    return siblings


def consistency_proof(old_size: int, new_size: int, hashes: SubtreeHashes) -> list[bytes]:
    """PROOF(old_size, D[new_size]) = SUBPROOF(old_size, D[new_size], true), RFC 6962 §2.1.2.

    Equal sizes and the empty old tree need no proof (RFC 9162 §2.1.4.2 only verifies 0 < first <
    second): the result is []. As with PATH, the recursion emits the outer siblings first but the
    proof lists them innermost first, so we walk down and reverse. One `subtree()` call per element.
    """
    if not 0 <= old_size <= new_size:
        raise ValueError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size in (0, new_size):
        return []
    proof: list[bytes] = []
    m, start, end = old_size, 0, new_size
    known = True  # SUBPROOF's b: is MTH(D[start:start+m]) the old root, which the verifier has?
    while m != end - start:
        k = largest_power_of_two_below(end - start)
        if m <= k:
            proof.append(hashes.subtree(start + k, end))
            end = start + k
        else:
            proof.append(hashes.subtree(start, start + k))
            start += k
            m -= k
            known = False
    if not known:
        proof.append(hashes.subtree(start, end))
    proof.reverse()
    return proof


def _check_hash(name: str, value: bytes) -> None:
    # A hash of the wrong length can never be a SHA-256 node; refusing it early gives a clear message
    # instead of a root mismatch (the reference implementations do the same).
    if len(value) != HASH_SIZE:
        raise ProofError(f"{name} has {len(value)} bytes; a SHA-256 hash has {HASH_SIZE}")


def root_from_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` implies for `leaf_hash` at `index` in a tree of `size` leaves.

    Steps 1-4 and the `sn == 0` part of step 5 of RFC 9162 §2.1.3.2; the caller compares the result
    with a root it trusts. Raises ProofError if the proof cannot be a path for (index, size).
    """
    if index < 0 or size < 0:
        raise ProofError(f"negative leaf index {index} or tree size {size}")
    # Step 1.
    if index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of {size} leaves")
    _check_hash("leaf hash", leaf_hash)
    for i, p in enumerate(proof):
        _check_hash(f"proof element {i}", p)
    # Steps 2-3.
    fn, sn = index, size - 1
    r = leaf_hash
    # Step 4.
    for p in proof:
        if sn == 0:  # 4a: the path has reached the root but the proof goes on.
            raise ProofError(f"inclusion proof too long: {len(proof)} hashes for leaf {index} of {size}")
        if fn & 1 or fn == sn:  # 4b: we are a right child, or the last node of a level (no sibling)
            r = node_hash(p, r)
            if not fn & 1:
                # The last node of its level is carried up unchanged until it becomes a right child.
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1  # 4c
        sn >>= 1
    # Step 5 (first half): a path that stops below the root is too short.
    if sn != 0:
        raise ProofError(f"inclusion proof too short: {len(proof)} hashes for leaf {index} of {size}")
    return r


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `leaf_hash` is entry `index` of the tree of `size` leaves whose MTH is `root`.

    RFC 9162 §2.1.3.2. Returns None on success and raises ProofError saying what failed otherwise.
    """
    _check_hash("root", root)
    computed = root_from_inclusion(leaf_hash, index, size, proof)
    if computed != root:
        raise ProofError(
            f"inclusion proof for leaf {index} of {size} gives root {computed.hex()}, "
            f"not the expected {root.hex()}"
        )


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (old_size, old_root) is a prefix of the tree (new_size, new_root).

    RFC 9162 §2.1.4.2 for 0 < old_size < new_size. The cases that algorithm leaves out follow from
    RFC 6962 §2.1.2 (PROOF(m, D[m]) is empty) and RFC 9162 §2.1.1 (MTH({}) = SHA-256()):
    - old_size == new_size: consistent iff the proof is empty and the roots are equal;
    - old_size == 0: the empty tree is a prefix of every tree, so the proof must be empty; and its
      root must be SHA-256() (stricter than the Go reference, which ignores it: a size-0 tree head
      with any other root is not a tree head of this log);
    - old_size > new_size, negative sizes: never consistent.
    Returns None on success and raises ProofError saying what failed otherwise.
    """
    _check_consistency_input(old_size, new_size, old_root, new_root, proof)
    if _trivially_consistent(old_size, new_size, old_root, new_root, proof):
        return
    fr, sr = _consistency_roots(old_size, new_size, old_root, proof)
    if fr != old_root:
        raise ProofError(
            f"consistency proof gives old root {fr.hex()} for size {old_size}, not {old_root.hex()}"
        )
    if sr != new_root:
        raise ProofError(
            f"consistency proof gives new root {sr.hex()} for size {new_size}, not {new_root.hex()}"
        )


def _check_consistency_input(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    if old_size < 0 or new_size < 0:
        raise ProofError(f"negative tree size {old_size} or {new_size}")
    if old_size > new_size:
        raise ProofError(f"tree size went back from {old_size} to {new_size}")
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    for i, c in enumerate(proof):
        _check_hash(f"proof element {i}", c)


def _trivially_consistent(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """The cases RFC 9162's algorithm leaves out (equal sizes, the empty old tree): True when one of them
    holds and is consistent, ProofError when one holds and is not, False when the algorithm applies."""
    if old_size == new_size:
        if proof:
            raise ProofError(f"consistency proof between equal sizes {old_size} must be empty")
        if old_root != new_root:
            raise ProofError(f"two different roots for the same tree size {old_size}: a fork")
        return True
    if old_size == 0:
        if proof:
            raise ProofError("consistency proof from the empty tree must be empty")
        if old_root != EMPTY_ROOT:
            raise ProofError(f"root of the empty tree must be {EMPTY_ROOT.hex()}, not {old_root.hex()}")
        return True
    return False


def _consistency_roots(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """RFC 9162 §2.1.4.2 steps 1-7 for 0 < old_size < new_size: the old and new roots the proof gives."""
    # Step 1.
    if not proof:
        raise ProofError(f"empty consistency proof from size {old_size} to {new_size}")
    path = list(proof)
    # Step 2: when the old tree is a complete subtree its root is a node of the new tree, so the
    # proof omits it (SUBPROOF with b = true) and the verifier supplies it.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # Step 3.
    fn, sn = old_size - 1, new_size - 1
    # Step 4: skip the levels where the old tree's last node is a right child inside a complete
    # subtree of the old tree; the first proof element is that whole subtree.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:  # 6a
            raise ProofError(f"consistency proof too long: {len(proof)} hashes from {old_size} to {new_size}")
        if fn & 1 or fn == sn:  # 6b: c is a left sibling, part of both trees
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:  # c is a right sibling, only in the new tree
            sr = node_hash(sr, c)
        fn >>= 1  # 6c
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise ProofError(f"consistency proof too short: {len(proof)} hashes from {old_size} to {new_size}")
    return fr, sr
