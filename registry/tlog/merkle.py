"""RFC 9162 Merkle tree math for the Pakta log: leaf and node hashing, the stored-hash layout
(Crosby and Wallach's linear order, as in Go's sumdb `tlog`), tree heads, inclusion and
consistency proofs and their verification. Storage sits behind the one-method `HashReader`
protocol; every function takes and returns primitives, reads O(log n) stored hashes and
imports nothing but the standard library and `keys.errors`. Verification functions raise only
`VerificationError`; bad arguments to the proving side and misbehaving readers raise
`ProofError`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from keys.errors import PaktaError, VerificationError

Hash = bytes
HASH_SIZE = 32
LEAF = b"\x00"
NODE = b"\x01"
# RFC 9162 §2.1.1: "The hash of an empty list is the hash of an empty string".
EMPTY_ROOT: Hash = hashlib.sha256(b"").digest()


class ProofError(PaktaError):
    """Malformed input to the Merkle functions, or a HashReader that broke its contract."""


def leaf_hash(data: bytes) -> Hash:
    # RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0)).
    return hashlib.sha256(LEAF + data).digest()


def node_hash(left: Hash, right: Hash) -> Hash:
    # RFC 9162 §2.1.1: MTH(D_n) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
    return hashlib.sha256(NODE + left + right).digest()


def _largest_power_below(n: int) -> int:
    # RFC 9162 §2.1.1: "k is the largest power of two smaller than n (i.e., k < n <= 2k)".
    return 1 << ((n - 1).bit_length() - 1)


# The stored-hash layout: hashes are appended in the order they become computable, so the
# hash at (level, n) - the root of leaves n*2**level .. (n+1)*2**level - 1 - is written right
# after that subtree's last leaf, at offset `level` (Crosby & Wallach 2009, §3.3).


def _hashes_before_leaf(m: int) -> int:
    # Leaf m is preceded by m leaves, m//2 level-1 hashes, m//4 level-2 hashes, ...,
    # and m + m//2 + m//4 + ... == 2m - popcount(m).
    return 2 * m - m.bit_count()


def stored_hash_index(level: int, n: int) -> int:
    """The position in storage of the hash of subtree `n` at height `level`."""
    if level < 0 or n < 0:
        raise ProofError(f"no stored hash at level {level}, index {n}")
    last_leaf = ((n + 1) << level) - 1
    return _hashes_before_leaf(last_leaf) + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """The inverse of `stored_hash_index`: (level, n) of the hash stored at `index`."""
    if index < 0:
        raise ProofError(f"negative stored hash index {index}")
    # _hashes_before_leaf(m) lies in [2m - bit_length(m), 2m], so the leaf that wrote `index`
    # is at most about log2(index) / 2 records after index // 2.
    leaf = index // 2
    while _hashes_before_leaf(leaf + 1) <= index:
        leaf += 1
    level = index - _hashes_before_leaf(leaf)
    return level, leaf >> level


def stored_hash_count(n: int) -> int:
    """How many hashes storage holds for a tree of `n` records."""
    if n < 0:
        raise ProofError(f"negative tree size {n}")
    return _hashes_before_leaf(n)


class HashReader(Protocol):
    """Storage of the hashes that `stored_hashes_for_record` produced, by stored index."""

    def read_hashes(self, indexes: Sequence[int]) -> list[Hash]:
        """The hashes at these stored indexes, in the same order (indexes come sorted)."""
        ...


class ListHashReader:
    """An in-memory HashReader over a list of stored hashes, for tests and small tools."""

    def __init__(self, hashes: list[Hash] | None = None) -> None:
        self.hashes: list[Hash] = [] if hashes is None else hashes

    def read_hashes(self, indexes: Sequence[int]) -> list[Hash]:
        out = []
        for i in indexes:
            if not 0 <= i < len(self.hashes):
                raise ProofError(f"stored hash {i} not available ({len(self.hashes)} stored)")
            out.append(self.hashes[i])
        return out


def read_stored_hashes(reader: HashReader, indexes: Sequence[int]) -> list[Hash]:
    """`reader.read_hashes(indexes)`, checking that the reader kept its contract."""
    hashes = reader.read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise ProofError(f"asked for {len(indexes)} stored hashes, reader gave {len(hashes)}")
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise ProofError(f"reader gave a {len(h)}-byte hash")
    return list(hashes)


def stored_hashes_for_record(n: int, leaf: Hash, reader: HashReader) -> list[Hash]:
    """The hashes to append to storage when adding record `n` whose leaf hash is `leaf`.

    Reads one stored hash per trailing 1 bit of `n` (at most log2 n) and returns that many
    more hashes than one: just under two per record on average.
    """
    if n < 0 or len(leaf) != HASH_SIZE:
        raise ProofError(f"bad record {n} or leaf hash of {len(leaf)} bytes")
    # Each trailing 1 bit of n means leaf n completes a subtree whose left half is stored.
    completed = ((n + 1) & -(n + 1)).bit_length() - 1
    indexes = [stored_hash_index(level, (n >> level) - 1) for level in reversed(range(completed))]
    hashes = [leaf]
    h = leaf
    for left in reversed(read_stored_hashes(reader, indexes)):
        h = node_hash(left, h)
        hashes.append(h)
    return hashes


def _perfect_subtrees(lo: int, hi: int) -> list[tuple[int, int]]:
    # RFC 9162 §2.1.1 splits D[lo:hi] at the largest power of two, repeatedly, so the range
    # is the perfect subtrees given by the binary digits of hi - lo, largest first. Every
    # range the RFC's recursions produce starts at a multiple of those sizes.
    out = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        out.append((level, lo >> level))
        lo += 1 << level
    return out


def _range_hashes(ranges: Sequence[tuple[int, int]], reader: HashReader) -> list[Hash]:
    """MTH(D[lo:hi]) for each range, from one sorted read of the stored hashes they need."""
    parts = [[stored_hash_index(*s) for s in _perfect_subtrees(lo, hi)] for lo, hi in ranges]
    indexes = sorted({i for part in parts for i in part})
    stored = dict(zip(indexes, read_stored_hashes(reader, indexes), strict=True))
    out = []
    for part in parts:
        h = stored[part[-1]]
        for i in reversed(part[:-1]):
            h = node_hash(stored[i], h)
        out.append(h)
    return out


def tree_hash(size: int, reader: HashReader) -> Hash:
    """The root of the tree of `size` records (RFC 9162 §2.1.1 MTH), in one read."""
    if size < 0:
        raise ProofError(f"negative tree size {size}")
    if size == 0:
        return EMPTY_ROOT
    return _range_hashes([(0, size)], reader)[0]


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose roots make PATH(index, D[0:size]), leaf end first."""
    if not 0 <= index < size:
        raise ProofError(f"no leaf {index} in a tree of size {size}")
    siblings = []
    lo, hi = 0, size
    while hi - lo > 1:
        k = _largest_power_below(hi - lo)
        if index < lo + k:
            # RFC 9162 §2.1.3.1: m < k: PATH(m, D[0:k]) : MTH(D[k:n]).
            siblings.append((lo + k, hi))
            hi = lo + k
        else:
            # RFC 9162 §2.1.3.1: m >= k: PATH(m - k, D[k:n]) : MTH(D[0:k]).
            siblings.append((lo, lo + k))
            lo += k
    return siblings[::-1]


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[Hash]:
    """PATH(index, D[0:size]) of RFC 9162 §2.1.3.1, leaf end first, in one read."""
    return _range_hashes(_inclusion_ranges(index, size), reader)


def inclusion_proofs(indexes: Sequence[int], size: int, reader: HashReader) -> list[list[Hash]]:
    """`inclusion_proof(i, size)` for each of `indexes`, from one read and one pass: the
    ranges the paths share (a batch's neighbours share most of theirs) are hashed once."""
    paths = [_inclusion_ranges(i, size) for i in indexes]
    ranges = sorted({r for path in paths for r in path})
    roots = dict(zip(ranges, _range_hashes(ranges, reader), strict=True))
    return [[roots[r] for r in path] for path in paths]


def consistency_proof(old_size: int, size: int, reader: HashReader) -> list[Hash]:
    """PROOF(old_size, D[0:size]) of RFC 9162 §2.1.4.1, in one read.

    Empty when old_size is 0 or equal to size (the RFC defines PROOF for 0 < m < n only).
    """
    if not 0 <= old_size <= size:
        raise ProofError(f"no consistency proof from size {old_size} to size {size}")
    if old_size in (0, size):
        return []
    nodes = []
    lo, hi = 0, size
    while old_size != hi:
        k = _largest_power_below(hi - lo)
        if old_size <= lo + k:
            # RFC 9162 §2.1.4.1: m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]).
            nodes.append((lo + k, hi))
            hi = lo + k
        else:
            # RFC 9162 §2.1.4.1: m > k: SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
            nodes.append((lo, lo + k))
            lo += k
    if lo > 0:
        # RFC 9162 §2.1.4.1: SUBPROOF(m, D[m], false) = {MTH(D[m])}; b is false once we
        # have stepped right, and SUBPROOF(m, D[m], true) = {} when we never did.
        nodes.append((lo, hi))
    return _range_hashes(nodes[::-1], reader)


def _check_hashes(what: str, hashes: Iterable[bytes]) -> None:
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise VerificationError(
                f"{what} is not a SHA-256 hash", expected=HASH_SIZE, found=len(h)
            )


def verify_inclusion(
    leaf_hash: Hash, index: int, size: int, proof: Sequence[Hash], root: Hash
) -> None:
    """Check that `leaf_hash` is leaf `index` of the tree of `size` with `root`."""
    _check_hashes("leaf hash, root or proof node", [leaf_hash, root, *proof])
    # RFC 9162 §2.1.3.2 step 1: leaf_index >= tree_size fails.
    if not 0 <= index < size:
        raise VerificationError("leaf index outside the tree", expected=f"< {size}", found=index)
    # Step 2 and 3.
    fn, sn, r = index, size - 1, leaf_hash
    # Step 4.
    for p in proof:
        if sn == 0:
            raise VerificationError("inclusion proof too long", found=len(proof))
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    # Step 5.
    if sn != 0:
        raise VerificationError("inclusion proof too short", found=len(proof))
    if r != root:
        raise VerificationError(
            "inclusion proof does not lead to the root", expected=root.hex(), found=r.hex()
        )


def verify_consistency(
    old_size: int, size: int, old_root: Hash, root: Hash, proof: Sequence[Hash]
) -> None:
    """Check that the tree of `size` with `root` extends the tree of `old_size` with `old_root`.

    Stricter than RFC 9162 at the edges it leaves open: from size 0 the old root must be the
    empty tree's root, and for equal sizes the roots must be equal; both need an empty proof.
    """
    _check_hashes("root or proof node", [old_root, root, *proof])
    if not 0 <= old_size <= size:
        raise VerificationError(
            "old tree is larger than the new one", expected=f"<= {size}", found=old_size
        )
    if old_size in (0, size):
        if proof:
            raise VerificationError("consistency proof must be empty", found=len(proof))
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise VerificationError(
                "wrong root for the empty tree", expected=EMPTY_ROOT.hex(), found=old_root.hex()
            )
        if old_size == size and old_root != root:
            raise VerificationError(
                "same size, different roots", expected=old_root.hex(), found=root.hex()
            )
        return
    # RFC 9162 §2.1.4.2 step 1.
    if not proof:
        raise VerificationError("empty consistency proof", found=0)
    path = list(proof)
    # Step 2: an old tree of 2**k leaves is a node of the new tree and not in the proof.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    # Steps 3 and 4.
    fn, sn = old_size - 1, size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("consistency proof too long", found=len(proof))
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    # Step 7.
    if sn != 0:
        raise VerificationError("consistency proof too short", found=len(proof))
    if fr != old_root:
        raise VerificationError(
            "consistency proof does not lead to the old root",
            expected=old_root.hex(),
            found=fr.hex(),
        )
    if sr != root:
        raise VerificationError(
            "consistency proof does not lead to the new root", expected=root.hex(), found=sr.hex()
        )


class CompactRange:
    """The right edge of a growing tree: one perfect-subtree root per 1 bit of its size.

    Lets an auditor or a bulk loader stream leaf hashes in O(log n) memory.
    """

    def __init__(self) -> None:
        self.size = 0
        self._edge: list[Hash] = []

    def append(self, leaf: Hash) -> list[Hash]:
        """Add the next leaf hash; returns what `stored_hashes_for_record` would."""
        if len(leaf) != HASH_SIZE:
            raise ProofError(f"leaf hash of {len(leaf)} bytes")
        h, n, new = leaf, self.size, [leaf]
        while n & 1:
            h = node_hash(self._edge.pop(), h)
            new.append(h)
            n >>= 1
        self._edge.append(h)
        self.size += 1
        return new

    def root(self) -> Hash:
        if not self._edge:
            return EMPTY_ROOT
        h = self._edge[-1]
        for left in reversed(self._edge[:-1]):
            h = node_hash(left, h)
        return h


def build_stored_hashes(leaf_hashes: Iterable[Hash]) -> list[Hash]:
    """The whole stored-hash list for these leaf hashes, computed without reads."""
    edge = CompactRange()
    return [h for leaf in leaf_hashes for h in edge.append(leaf)]


def root_from_leaf_hashes(leaf_hashes: Iterable[Hash]) -> Hash:
    edge = CompactRange()
    for leaf in leaf_hashes:
        edge.append(leaf)
    return edge.root()


def root_from_leaves(leaves: Iterable[bytes]) -> Hash:
    """MTH of the entries themselves (the RFC's inputs d(i), hashed here as leaves)."""
    return root_from_leaf_hashes(leaf_hash(d) for d in leaves)
