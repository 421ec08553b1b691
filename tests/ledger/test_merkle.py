"""RFC 6962 / RFC 9162 Merkle hashing and proofs: published vectors, RFC examples, properties, cost."""

import hashlib
import math

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from partnership.ledger.merkle import (
    EMPTY_ROOT,
    InMemoryTree,
    ProofError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root,
    root_from_inclusion,
    verify_consistency,
    verify_inclusion,
)


def hx(*hashes: str) -> list[bytes]:
    return [bytes.fromhex(h) for h in hashes]


# ---------------------------------------------------------------------------------------------------
# Reference vectors, copied as literals from Google's Go reference implementation of RFC 6962:
#   https://github.com/transparency-dev/merkle
#   - testonly/constants.go at commit 77f1b57d7aa25fcd2e51273166b6b2b0e74923b1
#     (LeafInputs, NodeHashes, RootHashes, EmptyRootHash)
#   - log_verifier_test.go at commit 24812aa171badc68c621b6cab6910481b8e87af0
#     (inclusionProofs, consistencyProofs and the corruption probes of corruptInclusionProof /
#     corruptConsistencyProof / TestVerifyConsistency)
# The same vectors go back to the C++ certificate-transparency log and google/trillian's merkle package.
# ---------------------------------------------------------------------------------------------------
LEAF_INPUTS = hx(
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
)

# NodeHashes(): complete subtrees by level (0 = leaf hashes) and horizontal index.
NODE_HASHES = [
    hx(
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    ),
    hx(
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    ),
    hx(
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ),
    hx("5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"),
]

# RootHashes(): MTH of the first n leaves, n = 0..8.
ROOT_HASHES = hx(
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)

# inclusionProofs: (leaf number, 1-based as in the Go source; tree size; audit path).
INCLUSION_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        hx(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        hx(
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (3, 3, hx("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125")),
    (
        2,
        5,
        hx(
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]

# consistencyProofs: (old size, new size, proof).
CONSISTENCY_VECTORS = [
    (1, 1, []),
    (
        1,
        8,
        hx(
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ),
    ),
    (
        6,
        8,
        hx(
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ),
    ),
    (
        2,
        5,
        hx(
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ),
    ),
]

# sha256SomeHash in log_verifier_test.go: a well-formed hash that is no node of the tree.
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


@pytest.fixture(scope="module")
def golden() -> InMemoryTree:
    return InMemoryTree([leaf_hash(d) for d in LEAF_INPUTS])


def fails(fn, *args) -> bool:
    try:
        fn(*args)
    except ProofError:
        return True
    return False


# --- Hashing ---------------------------------------------------------------------------------------


def test_leaf_and_node_hashes_use_the_rfc_prefixes():
    assert leaf_hash(b"abc") == hashlib.sha256(b"\x00abc").digest()
    assert node_hash(b"L" * 32, b"R" * 32) == hashlib.sha256(b"\x01" + b"L" * 32 + b"R" * 32).digest()
    assert EMPTY_ROOT == hashlib.sha256(b"").digest() == ROOT_HASHES[0]


def test_reference_leaf_and_node_hashes(golden):
    assert [leaf_hash(d) for d in LEAF_INPUTS] == NODE_HASHES[0]
    for level, hashes in enumerate(NODE_HASHES):
        width = 1 << level
        assert [golden.subtree(i * width, (i + 1) * width) for i in range(len(hashes))] == hashes


def test_reference_roots_for_every_size(golden):
    leaves = [leaf_hash(d) for d in LEAF_INPUTS]
    for size, want in enumerate(ROOT_HASHES):
        assert root(leaves[:size]) == want, size
        assert golden.root(size) == want, size
        assert InMemoryTree(leaves[:size]).root() == want, size


def _mth_by_the_book(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1 literally: split at the largest power of two smaller than n."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return node_hash(_mth_by_the_book(leaves[:k]), _mth_by_the_book(leaves[k:]))


def test_bottom_up_root_and_cached_subtrees_match_the_rfc_recursion():
    leaves = [leaf_hash(str(i).encode()) for i in range(70)]
    tree = InMemoryTree(leaves)
    for n in range(71):
        assert root(leaves[:n]) == _mth_by_the_book(leaves[:n]) == tree.root(n)
    for start, end in [(0, 70), (3, 5), (5, 70), (64, 70), (17, 18), (1, 69)]:
        assert tree.subtree(start, end) == _mth_by_the_book(leaves[start:end])


def test_in_memory_tree_refuses_bad_ranges_and_leaves():
    tree = InMemoryTree([leaf_hash(b"a")])
    for start, end in [(0, 2), (1, 1), (-1, 1), (1, 0)]:
        with pytest.raises(ValueError):
            tree.subtree(start, end)
    with pytest.raises(ValueError):
        tree.append(b"short")


# --- Published proof vectors -----------------------------------------------------------------------


@pytest.mark.parametrize(("leaf_number", "size", "path"), INCLUSION_VECTORS)
def test_reference_inclusion_proofs(golden, leaf_number, size, path):
    index = leaf_number - 1
    leaf = leaf_hash(LEAF_INPUTS[index])
    assert inclusion_proof(index, size, golden) == path
    assert root_from_inclusion(leaf, index, size, path) == ROOT_HASHES[size]
    verify_inclusion(leaf, index, size, path, ROOT_HASHES[size])


@pytest.mark.parametrize(("leaf_number", "size", "path"), INCLUSION_VECTORS)
def test_reference_inclusion_corruptions_fail(leaf_number, size, path):
    """corruptInclusionProof() of log_verifier_test.go, every probe."""
    index, leaf, good_root = leaf_number - 1, leaf_hash(LEAF_INPUTS[leaf_number - 1]), ROOT_HASHES[size]
    probes = [
        (index - 1, size, good_root, leaf, path),
        (index + 1, size, good_root, leaf, path),
        (index ^ 2, size, good_root, leaf, path),
        (index, size * 2, good_root, leaf, path),
        (index, size // 2, good_root, leaf, path),
        (index, size, good_root, b"WrongLeaf", path),
        (index, size, EMPTY_ROOT, leaf, path),
        (index, size, SOME_HASH, leaf, path),
        (index, size, good_root, leaf, [*path, b""]),
        (index, size, good_root, leaf, [*path, good_root]),
        (index, size, good_root, leaf, [b"", *path]),
        (index, size, good_root, leaf, [good_root, *path]),
    ]
    for i in range(len(path)):
        flipped = list(path)
        flipped[i] = bytes([flipped[i][0] ^ 8]) + flipped[i][1:]
        probes.append((index, size, good_root, leaf, flipped))
    if path:
        probes.append((index, size, good_root, leaf, path[:-1]))
    if len(path) > 1:
        probes.append((index, size, good_root, leaf, [path[0], SOME_HASH, *path[1:]]))
    for idx, sz, rt, lf, pf in probes:
        assert fails(verify_inclusion, lf, idx, sz, pf, rt), (idx, sz, rt.hex(), lf.hex(), pf)


def test_reference_inclusion_parameter_errors():
    """TestVerifyInclusion / TestVerifyInclusionSingleEntry of log_verifier_test.go."""
    for index, size in [(0, 0), (0, 1), (1, 0), (2, 1)]:
        assert fails(verify_inclusion, SOME_HASH, index, size, [], b"")
        assert fails(verify_inclusion, b"", index, size, [], EMPTY_ROOT)
        assert fails(verify_inclusion, SOME_HASH, index, size, [], EMPTY_ROOT)
    single = leaf_hash(b"data")  # for a one-entry tree the root is the leaf hash, the proof empty
    verify_inclusion(single, 0, 1, [], single)
    assert fails(verify_inclusion, b"", 0, 1, [], single)
    assert fails(verify_inclusion, single, 0, 1, [], b"")
    assert fails(verify_inclusion, b"", 0, 1, [], b"")
    with pytest.raises(ProofError, match="not in a tree of 3"):
        verify_inclusion(single, 3, 3, [], single)


@pytest.mark.parametrize(("old", "new", "proof"), CONSISTENCY_VECTORS)
def test_reference_consistency_proofs(golden, old, new, proof):
    assert consistency_proof(old, new, golden) == proof
    verify_consistency(old, new, ROOT_HASHES[old], ROOT_HASHES[new], proof)


@pytest.mark.parametrize(("old", "new", "proof"), [v for v in CONSISTENCY_VECTORS if v[2]])
def test_reference_consistency_corruptions_fail(old, new, proof):
    """corruptConsistencyProof() of log_verifier_test.go, every probe (it runs on non-empty proofs)."""
    r1, r2 = ROOT_HASHES[old], ROOT_HASHES[new]
    probes = [
        (old - 1, new, r1, r2, proof),
        (old + 1, new, r1, r2, proof),
        (old ^ 2, new, r1, r2, proof),
        (old, new * 2, r1, r2, proof),
        (old, new // 2, r1, r2, proof),
        (old, new, b"WrongRoot", r2, proof),
        (old, new, r1, b"WrongRoot", proof),
        (old, new, r2, r1, proof),
        (old, new, r1, r2, []),
        (old, new, r1, r2, [*proof, b""]),
        (old, new, r1, r2, [*proof, r1]),
        (old, new, r1, r2, [*proof, r2]),
        (old, new, r1, r2, [b"", *proof]),
        (old, new, r1, r2, [r1, *proof]),
        (old, new, r1, r2, [r2, *proof]),
        (old, new, r1, r2, [proof[0], *proof]),
        (old, new, r1, r2, proof[:-1]),
    ]
    for i in range(len(proof)):
        flipped = list(proof)
        flipped[i] = bytes([flipped[i][0] ^ 16]) + flipped[i][1:]
        probes.append((old, new, r1, r2, flipped))
    for s1, s2, a, b, pf in probes:
        assert fails(verify_consistency, s1, s2, a, b, pf), (s1, s2, a.hex(), b.hex(), pf)


def test_reference_consistency_edge_cases():
    """TestVerifyConsistency of log_verifier_test.go, with well-formed roots.

    The Go test passes arbitrary strings as roots ("don't care 1"); we check hash lengths, and a
    size-0 tree head must carry MTH({}) (RFC 9162 §2.1.1), so the sizes-0 cases use real roots.
    """
    r1, r2 = leaf_hash(b"one"), leaf_hash(b"two")
    # Same size, different roots, empty proof: a fork.
    assert fails(verify_consistency, 0, 0, EMPTY_ROOT, r2, [])
    assert fails(verify_consistency, 1, 1, r1, r2, [])
    # Sizes that are always consistent.
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 1, EMPTY_ROOT, r2, [])
    verify_consistency(1, 1, r2, r2, [])
    # Time travel to the past.
    assert fails(verify_consistency, 1, 0, r1, r2, [])
    assert fails(verify_consistency, 2, 1, r1, r2, [])
    # Empty proof between different sizes.
    assert fails(verify_consistency, 1, 2, r1, r2, [])
    # Roots match but the proof is not empty.
    for old, new in [(0, 0), (0, 1), (1, 1)]:
        assert fails(verify_consistency, old, new, EMPTY_ROOT, EMPTY_ROOT, [EMPTY_ROOT])
    # Our stricter rule: a size-0 tree head with a root other than MTH({}) is refused.
    with pytest.raises(ProofError, match="root of the empty tree"):
        verify_consistency(0, 1, r1, r2, [])
    with pytest.raises(ProofError, match="fork"):
        verify_consistency(3, 3, r1, r2, [])
    with pytest.raises(ProofError, match="went back"):
        verify_consistency(3, 2, r1, r2, [SOME_HASH])


# --- The worked examples of RFC 6962 §2.1.3 (7 leaves d0..d6) --------------------------------------
#
#             hash                a = d0, b = d1, ... leaves; g = [0,2), h = [2,4), i = [4,6),
#            /    \               j = d6, k = [0,4), l = [4,7)
#           k      l
#          / \    / \
#         g   h  i   j
#        / \ / \ / \
#        a b c d e f
RFC_NODES = {
    "a": (0, 1),
    "b": (1, 2),
    "c": (2, 3),
    "d": (3, 4),
    "e": (4, 5),
    "f": (5, 6),
    "j": (6, 7),
    "g": (0, 2),
    "h": (2, 4),
    "i": (4, 6),
    "k": (0, 4),
    "l": (4, 7),
}


class Recording:
    """A SubtreeHashes that counts the reads it serves."""

    def __init__(self, tree: InMemoryTree) -> None:
        self.tree, self.reads = tree, []

    def subtree(self, start: int, end: int) -> bytes:
        self.reads.append((start, end))
        return self.tree.subtree(start, end)


@pytest.mark.parametrize(
    ("index", "names"), [(0, "bhl"), (3, "cgl"), (4, "fjk"), (6, "ik")]
)  # "The audit path for d0 is [b, h, l]" ...
def test_rfc6962_example_audit_paths(index, names):
    tree = InMemoryTree([leaf_hash(bytes([i])) for i in range(7)])
    assert inclusion_proof(index, 7, tree) == [tree.subtree(*RFC_NODES[n]) for n in names]
    verify_inclusion(tree.subtree(index, index + 1), index, 7, inclusion_proof(index, 7, tree), tree.root())


@pytest.mark.parametrize(("old", "names"), [(3, "cdgl"), (4, "l"), (6, "ijk")])
def test_rfc6962_example_consistency_proofs(old, names):
    """PROOF(3, D[7]) = [c, d, g, l]; PROOF(4, D[7]) = [l]; PROOF(6, D[7]) = [i, j, k]."""
    tree = InMemoryTree([leaf_hash(bytes([i])) for i in range(7)])
    proof = consistency_proof(old, 7, tree)
    assert proof == [tree.subtree(*RFC_NODES[n]) for n in names]
    verify_consistency(old, 7, tree.root(old), tree.root(), proof)


# --- Properties ------------------------------------------------------------------------------------

_TREES: dict[int, InMemoryTree] = {}


def tree_of(size: int) -> InMemoryTree:
    """Leaves are distinct (leaf i holds str(i)): with duplicate leaves, a proof can hold for two indices."""
    if size not in _TREES:
        _TREES[size] = InMemoryTree([leaf_hash(str(i).encode()) for i in range(size)])
    return _TREES[size]


def flip(value: bytes, bit: int) -> bytes:
    bit %= len(value) * 8
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


PROPERTY = settings(
    max_examples=150,
    deadline=None,
    # conftest.py has function-scoped autouse fixtures; nothing here depends on them.
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@st.composite
def size_and_index(draw):
    size = draw(st.integers(1, 300))
    return size, draw(st.integers(0, size - 1))


@st.composite
def two_sizes(draw, min_old=0):
    new = draw(st.integers(max(1, min_old), 300))
    return draw(st.integers(min_old, new)), new


@PROPERTY
@given(size_and_index())
def test_every_inclusion_proof_verifies(case):
    size, index = case
    tree = tree_of(size)
    proof = inclusion_proof(index, size, tree)
    assert len(proof) <= math.ceil(math.log2(size)) if size > 1 else proof == []
    verify_inclusion(tree.subtree(index, index + 1), index, size, proof, tree.root())


@PROPERTY
@given(size_and_index(), st.integers(0, 255), st.data())
def test_any_flipped_bit_fails_inclusion(case, bit, data):
    size, index = case
    tree = tree_of(size)
    leaf, good_root = tree.subtree(index, index + 1), tree.root()
    proof = inclusion_proof(index, size, tree)
    assert fails(verify_inclusion, flip(leaf, bit), index, size, proof, good_root)
    assert fails(verify_inclusion, leaf, index, size, proof, flip(good_root, bit))
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        bad = list(proof)
        bad[at] = flip(bad[at], bit)
        assert fails(verify_inclusion, leaf, index, size, bad, good_root)


@PROPERTY
@given(size_and_index(), st.data())
def test_wrong_index_or_size_fails_inclusion(case, data):
    size, index = case
    tree = tree_of(size)
    leaf, good_root = tree.subtree(index, index + 1), tree.root()
    proof = inclusion_proof(index, size, tree)
    if size > 1:
        other = data.draw(st.integers(0, size - 1).filter(lambda i: i != index))
        assert fails(verify_inclusion, leaf, other, size, proof, good_root)
    assert fails(verify_inclusion, leaf, index, size * 2, proof, good_root)
    assert fails(verify_inclusion, leaf, index, size // 2, proof, good_root)
    # Any other size, checked against that size's own root (a checkpoint binds size and root).
    other_size = data.draw(st.integers(index + 1, 2 * size + 1).filter(lambda s: s != size))
    assert fails(verify_inclusion, leaf, index, other_size, proof, tree_of(other_size).root())


@PROPERTY
@given(two_sizes())
def test_every_consistency_proof_verifies(sizes):
    old, new = sizes
    tree = tree_of(new)
    proof = consistency_proof(old, new, tree)
    assert len(proof) <= math.ceil(math.log2(new)) + 1
    verify_consistency(old, new, tree.root(old), tree.root(), proof)


@PROPERTY
@given(two_sizes(min_old=1), st.integers(0, 255), st.data())
def test_any_flipped_bit_fails_consistency(sizes, bit, data):
    # From the empty tree every new root is consistent, so the old tree has at least one leaf here.
    old, new = sizes
    tree = tree_of(new)
    r1, r2 = tree.root(old), tree.root()
    proof = consistency_proof(old, new, tree)
    assert fails(verify_consistency, old, new, flip(r1, bit), r2, proof)
    assert fails(verify_consistency, old, new, r1, flip(r2, bit), proof)
    if proof:
        at = data.draw(st.integers(0, len(proof) - 1))
        bad = list(proof)
        bad[at] = flip(bad[at], bit)
        assert fails(verify_consistency, old, new, r1, r2, bad)


@PROPERTY
@given(two_sizes(min_old=1), st.data())
def test_wrong_sizes_fail_consistency(sizes, data):
    old, new = sizes
    assume(old < new)
    tree = tree_of(new)
    r1, r2 = tree.root(old), tree.root()
    proof = consistency_proof(old, new, tree)
    other_old = data.draw(st.integers(0, new).filter(lambda s: s != old))
    assert fails(verify_consistency, other_old, new, r1, r2, proof)
    assert fails(verify_consistency, old, new * 2, r1, r2, proof)
    assert fails(verify_consistency, old, new // 2, r1, r2, proof)
    other_new = data.draw(st.integers(old, 2 * new).filter(lambda s: s != new))
    assert fails(verify_consistency, old, other_new, r1, tree_of(other_new).root(), proof)


def test_every_bit_of_every_proof_matters_in_a_small_tree():
    """Exhaustive on 13 leaves: each bit of the leaf, of each proof element and of the root."""
    size = 13
    tree = tree_of(size)
    good_root = tree.root()
    for index in range(size):
        leaf, proof = tree.subtree(index, index + 1), inclusion_proof(index, size, tree)
        for bit in range(256):
            assert fails(verify_inclusion, flip(leaf, bit), index, size, proof, good_root)
            assert fails(verify_inclusion, leaf, index, size, proof, flip(good_root, bit))
            for at in range(len(proof)):
                bad = list(proof)
                bad[at] = flip(bad[at], bit)
                assert fails(verify_inclusion, leaf, index, size, bad, good_root)
    for old in range(1, size):
        proof, r1 = consistency_proof(old, size, tree), tree.root(old)
        for bit in range(256):
            assert fails(verify_consistency, old, size, flip(r1, bit), good_root, proof)
            for at in range(len(proof)):
                bad = list(proof)
                bad[at] = flip(bad[at], bit)
                assert fails(verify_consistency, old, size, r1, good_root, bad)


def test_proof_generation_refuses_impossible_parameters():
    tree = tree_of(5)
    for index, size in [(0, 0), (5, 5), (-1, 5)]:
        with pytest.raises(ValueError):
            inclusion_proof(index, size, tree)
    with pytest.raises(ValueError):
        consistency_proof(4, 3, tree)
    assert consistency_proof(0, 5, tree) == consistency_proof(5, 5, tree) == []


def test_proof_errors_name_the_problem():
    tree = tree_of(8)
    leaf, proof, good_root = tree.subtree(2, 3), inclusion_proof(2, 8, tree), tree.root()
    with pytest.raises(ProofError, match="too long"):
        verify_inclusion(leaf, 2, 8, [*proof, SOME_HASH], good_root)
    with pytest.raises(ProofError, match="too short"):
        verify_inclusion(leaf, 2, 8, proof[:-1], good_root)
    with pytest.raises(ProofError, match="gives root"):
        verify_inclusion(leaf, 2, 8, proof, SOME_HASH)
    with pytest.raises(ProofError, match="32"):
        verify_inclusion(leaf, 2, 8, [*proof[:-1], b"x"], good_root)
    cproof = consistency_proof(3, 8, tree)
    with pytest.raises(ProofError, match="too long"):
        verify_consistency(3, 8, tree.root(3), good_root, [*cproof, SOME_HASH])
    with pytest.raises(ProofError, match="too short"):
        verify_consistency(3, 8, tree.root(3), good_root, cproof[:-1])
    with pytest.raises(ProofError, match="old root"):
        verify_consistency(3, 8, SOME_HASH, good_root, cproof)
    with pytest.raises(ProofError, match="new root"):
        verify_consistency(3, 8, tree.root(3), SOME_HASH, cproof)


# --- Cost: an inclusion proof in O(log n) reads ----------------------------------------------------


def test_proofs_read_o_log_n_subtrees_of_a_100k_log():
    size = 100_000
    tree = InMemoryTree([leaf_hash(i.to_bytes(4, "big")) for i in range(size)])
    budget = 2 * math.log2(size) + 2
    for index in [0, 1, 31_337, 65_535, 65_536, 99_998, 99_999]:
        reads = Recording(tree)
        proof = inclusion_proof(index, size, reads)
        assert len(reads.reads) == len(proof) <= budget, (index, len(reads.reads))
        verify_inclusion(tree.subtree(index, index + 1), index, size, proof, tree.root())
    for old in [1, 2, 1000, 65_536, 70_001, 99_999]:
        reads = Recording(tree)
        proof = consistency_proof(old, size, reads)
        assert len(reads.reads) == len(proof) <= budget, (old, len(reads.reads))
        verify_consistency(old, size, tree.root(old), tree.root(), proof)


def test_in_memory_subtree_reads_at_most_one_cached_node_per_level(monkeypatch):
    """Each subtree() a proof asks for is answered with ~log2(n) steps of the cache, not O(n) hashing."""
    size = 100_000
    tree = InMemoryTree([leaf_hash(i.to_bytes(4, "big")) for i in range(size)])
    reads = Recording(tree)
    inclusion_proof(99_999, size, reads)
    consistency_proof(70_001, size, reads)
    calls = 0
    original = InMemoryTree.subtree

    def counting(self, start, end):
        nonlocal calls
        calls += 1
        return original(self, start, end)

    monkeypatch.setattr(InMemoryTree, "subtree", counting)
    for start, end in reads.reads:
        calls = 0
        tree.subtree(start, end)
        assert calls <= 2 * math.log2(size) + 2, (start, end, calls)
