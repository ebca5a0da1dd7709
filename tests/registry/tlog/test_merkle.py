"""Tests for registry.tlog.merkle: every tree size up to 300 against the RFC 9162 reference, every
leaf and every older size, corrupted proofs, read counts, and the known-answer vectors."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from merkle_reference import ReferenceTree

from keys.errors import PaktaError, VerificationError
from registry.tlog import merkle
from registry.tlog.merkle import (
    EMPTY_ROOT,
    CompactRange,
    ListHashReader,
    ProofError,
    build_stored_hashes,
    consistency_proof,
    inclusion_proof,
    inclusion_proofs,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    root_from_leaves,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    stored_hashes_for_record,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "merkle"
MAX_SIZE = 300
ENTRIES = [b"leaf %d" % i for i in range(MAX_SIZE)]
LEAF_HASHES = [leaf_hash(e) for e in ENTRIES]
REF = ReferenceTree(ENTRIES)
SOME_HASH = bytes.fromhex("abacaba000000000000000000000000000000000000000000060061e00123456")


class CheckingReader:
    """A HashReader that counts reads and insists, like Go's testHashStorage, on sorted
    indexes, and that only hashes of complete subtrees of a tree of `size` are asked for."""

    def __init__(self, read: Callable[[Sequence[int]], list[bytes]], size: int) -> None:
        self.read, self.size = read, size
        self.calls = 0
        self.count = 0

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        assert list(indexes) == sorted(set(indexes)), "indexes must be sorted and distinct"
        for i in indexes:
            level, n = split_stored_hash_index(i)
            assert (n + 1) << level <= self.size, f"hash {i} is not in a tree of {self.size}"
        self.calls += 1
        self.count += len(indexes)
        return self.read(indexes)


def flipped(proof: Sequence[bytes], i: int, bit: int) -> list[bytes]:
    out = list(proof)
    h = bytearray(out[i])
    h[bit // 8] ^= 1 << (bit % 8)
    out[i] = bytes(h)
    return out


def test_hash_functions() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert leaf_hash(b"") == hashlib.sha256(b"\x00").digest()
    a, b = b"a" * 32, b"b" * 32
    assert node_hash(a, b) == hashlib.sha256(b"\x01" + a + b).digest()
    assert merkle.LEAF == b"\x00" and merkle.NODE == b"\x01"


def test_stored_hash_layout() -> None:
    # Record 0 writes (0,0); record 1 writes (0,1), (1,0); record 2 writes (0,2); record 3
    # writes (0,3), (1,1), (2,0) ... (Crosby & Wallach's order, as in Go's tlog).
    order = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4), (0, 5), (1, 2)]
    assert [split_stored_hash_index(i) for i in range(len(order))] == order
    assert [stored_hash_index(level, n) for level, n in order] == list(range(len(order)))
    for level in range(12):
        for n in range(200):
            assert split_stored_hash_index(stored_hash_index(level, n)) == (level, n)
    assert [stored_hash_count(n) for n in range(9)] == [0, 1, 3, 4, 7, 8, 10, 11, 15]
    big = 2**63 - 1
    assert split_stored_hash_index(stored_hash_index(5, big >> 5)) == (5, big >> 5)
    bad: list[Callable[[], object]] = [
        lambda: stored_hash_index(-1, 0),
        lambda: stored_hash_index(0, -1),
        lambda: split_stored_hash_index(-1),
        lambda: stored_hash_count(-1),
    ]
    for call in bad:
        with pytest.raises(ProofError):
            call()


def test_tree_every_size_leaf_and_older_size() -> None:
    """Like Go's tlog TestTree: build incrementally, check everything at every size."""
    storage: list[bytes] = []
    compact = CompactRange()
    for i in range(MAX_SIZE):
        size = i + 1
        reader = CheckingReader(ListHashReader(storage).read_hashes, i)
        new = stored_hashes_for_record(i, LEAF_HASHES[i], reader)
        assert reader.calls == 1 and reader.count == len(new) - 1
        assert compact.append(LEAF_HASHES[i]) == new
        storage += new
        assert len(storage) == stored_hash_count(size)

        reader = CheckingReader(ListHashReader(storage).read_hashes, size)
        root = tree_hash(size, reader)
        assert root == REF.mth(0, size) == compact.root()
        for index in range(size):
            proof = inclusion_proof(index, size, reader)
            assert proof == REF.path(index, 0, size), (index, size)
            verify_inclusion(LEAF_HASHES[index], index, size, proof, root)
        for old in range(size + 1):
            proof = consistency_proof(old, size, reader)
            assert proof == ([] if old in (0, size) else REF.proof(old, size)), (old, size)
            verify_consistency(old, size, REF.mth(0, old), root, proof)
    assert build_stored_hashes(LEAF_HASHES) == storage
    assert root_from_leaves(ENTRIES) == root_from_leaf_hashes(LEAF_HASHES) == REF.mth(0, MAX_SIZE)
    assert root_from_leaves([]) == EMPTY_ROOT == tree_hash(0, ListHashReader())


STORAGE = ListHashReader(build_stored_hashes(LEAF_HASHES))
CORRUPT_SIZES = [*range(1, 41), 63, 64, 65, 127, 128, 129, 255, 256, 257, 300]


def inclusion_probes(
    index: int, size: int, proof: list[bytes], root: bytes, leaf: bytes, every_bit: bool
) -> list[tuple[str, tuple[object, ...]]]:
    probes: list[tuple[str, tuple[object, ...]]] = [
        ("index - 1", (leaf, index - 1, size, proof, root)),
        ("index + 1", (leaf, index + 1, size, proof, root)),
        ("index = size", (leaf, size, size, proof, root)),
        ("size * 2", (leaf, index, size * 2, proof, root)),
        ("wrong leaf", (leaf_hash(b"wrong"), index, size, proof, root)),
        ("short leaf", (leaf[:31], index, size, proof, root)),
        ("empty root", (leaf, index, size, proof, EMPTY_ROOT)),
        ("other root", (leaf, index, size, proof, SOME_HASH)),
        ("trailing root", (leaf, index, size, [*proof, root], root)),
        ("trailing garbage", (leaf, index, size, [*proof, b""], root)),
        ("preceding root", (leaf, index, size, [root, *proof], root)),
    ]
    if index >= 1 and index ^ 2 < size:
        probes.append(("index ^ 2", (leaf, index ^ 2, size, proof, root)))
    if index < size // 2:
        probes.append(("size // 2", (leaf, index, size // 2, proof, root)))
    if proof:
        probes.append(("truncated", (leaf, index, size, proof[:-1], root)))
        probes.append(("inserted", (leaf, index, size, [proof[0], SOME_HASH, *proof[1:]], root)))
    for k in range(len(proof)):
        for bit in range(256) if every_bit else [(index * 31 + size * 7 + k) % 256]:
            probes.append(
                (f"proof[{k}] bit {bit}", (leaf, index, size, flipped(proof, k, bit), root))
            )
    return probes


def test_corrupt_inclusion_proofs_fail() -> None:
    for size in CORRUPT_SIZES:
        root = tree_hash(size, STORAGE)
        for index in range(size):
            proof = inclusion_proof(index, size, STORAGE)
            leaf = LEAF_HASHES[index]
            for desc, args in inclusion_probes(index, size, proof, root, leaf, size <= 9):
                with pytest.raises(VerificationError):
                    verify_inclusion(*args)  # type: ignore[arg-type]
                    pytest.fail(f"verified with {desc}: index {index}, size {size}")


def test_corrupt_consistency_proofs_fail() -> None:
    for size in CORRUPT_SIZES:
        root = tree_hash(size, STORAGE)
        for old in range(1, size):
            proof = consistency_proof(old, size, STORAGE)
            old_root = tree_hash(old, STORAGE)
            probes: list[tuple[str, tuple[object, ...]]] = [
                ("old - 1", (old - 1, size, old_root, root, proof)),
                ("old + 1", (old + 1, size, old_root, root, proof)),
                ("size * 2", (old, size * 2, old_root, root, proof)),
                ("old > size", (size + 1, size, old_root, root, proof)),
                ("wrong old root", (old, size, SOME_HASH, root, proof)),
                ("wrong root", (old, size, old_root, SOME_HASH, proof)),
                ("swapped roots", (old, size, root, old_root, proof)),
                ("short root", (old, size, old_root, root[:31], proof)),
                ("empty proof", (old, size, old_root, root, [])),
                ("truncated", (old, size, old_root, root, proof[:-1])),
                ("trailing root", (old, size, old_root, root, [*proof, root])),
                ("trailing old root", (old, size, old_root, root, [*proof, old_root])),
                ("preceding old root", (old, size, old_root, root, [old_root, *proof])),
                ("preceding proof[0]", (old, size, old_root, root, [proof[0], *proof])),
                ("garbage", (old, size, old_root, root, [*proof[:-1], b"x" * 33])),
            ]
            if old ^ 2 not in (0, old) and old ^ 2 < size:
                probes.append(("old ^ 2", (old ^ 2, size, old_root, root, proof)))
            for k in range(len(proof)):
                for bit in range(256) if size <= 9 else [(old * 31 + size * 7 + k) % 256]:
                    probes.append(
                        (
                            f"proof[{k}] bit {bit}",
                            (old, size, old_root, root, flipped(proof, k, bit)),
                        )
                    )
            for desc, args in probes:
                with pytest.raises(VerificationError):
                    verify_consistency(*args)  # type: ignore[arg-type]
                    pytest.fail(f"verified with {desc}: old {old}, size {size}")


def test_edge_sizes() -> None:
    root1 = leaf_hash(b"x")
    verify_consistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])
    verify_consistency(0, 1, EMPTY_ROOT, root1, [])
    verify_consistency(1, 1, root1, root1, [])
    verify_inclusion(root1, 0, 1, [], root1)
    failing: list[Callable[[], None]] = [
        lambda: verify_consistency(0, 0, EMPTY_ROOT, SOME_HASH, []),
        lambda: verify_consistency(0, 1, SOME_HASH, root1, []),  # stricter than the RFC
        lambda: verify_consistency(0, 1, EMPTY_ROOT, root1, [EMPTY_ROOT]),
        lambda: verify_consistency(1, 1, root1, SOME_HASH, []),
        lambda: verify_consistency(1, 1, root1, root1, [root1]),
        lambda: verify_consistency(1, 0, root1, EMPTY_ROOT, []),
        lambda: verify_consistency(2, 1, root1, root1, []),
        lambda: verify_consistency(1, 2, root1, SOME_HASH, []),
        lambda: verify_consistency(-1, 2, root1, SOME_HASH, [root1]),
        lambda: verify_inclusion(root1, 0, 0, [], EMPTY_ROOT),
        lambda: verify_inclusion(root1, 1, 1, [], root1),
        lambda: verify_inclusion(root1, -1, 1, [], root1),
        lambda: verify_inclusion(root1, 0, 1, [], SOME_HASH),
        lambda: verify_inclusion(b"", 0, 1, [], b""),
    ]
    for call in failing:
        with pytest.raises(VerificationError):
            call()


def test_bad_arguments_and_readers() -> None:
    reader = ListHashReader(build_stored_hashes(LEAF_HASHES[:5]))
    bad: list[Callable[[], object]] = [
        lambda: inclusion_proof(5, 5, reader),
        lambda: inclusion_proof(-1, 5, reader),
        lambda: consistency_proof(6, 5, reader),
        lambda: consistency_proof(-1, 5, reader),
        lambda: tree_hash(-1, reader),
        lambda: tree_hash(6, reader),
        lambda: stored_hashes_for_record(5, b"short", reader),
        lambda: CompactRange().append(b"short"),
    ]
    for call in bad:
        with pytest.raises(ProofError):
            call()

    class Liar:
        def __init__(self, answer: list[bytes]) -> None:
            self.answer = answer

        def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
            return self.answer

    for liar in [Liar([]), Liar([b"short"] * 3)]:
        with pytest.raises(ProofError):
            tree_hash(7, liar)
    assert issubclass(ProofError, PaktaError)


def test_reads_are_logarithmic() -> None:
    size = 100_003  # built for real; 17 bits
    storage = ListHashReader(build_stored_hashes(leaf_hash(b"%d" % i) for i in range(size)))
    reader = CheckingReader(storage.read_hashes, size)
    root = tree_hash(size, reader)
    assert (reader.calls, reader.count) == (1, bin(size).count("1"))
    for index in [0, 1, 12_345, 65_535, 65_536, size - 2, size - 1]:
        reader.calls = reader.count = 0
        proof = inclusion_proof(index, size, reader)
        assert reader.calls == 1 and reader.count <= 2 * size.bit_length()
        verify_inclusion(storage.hashes[stored_hash_index(0, index)], index, size, proof, root)
    for old in [1, 2, 3, 1000, 65_536, 65_537, size - 1]:
        reader.calls = reader.count = 0
        proof = consistency_proof(old, size, reader)
        assert reader.calls == 1 and reader.count <= 2 * size.bit_length()
        verify_consistency(old, size, tree_hash(old, storage), root, proof)
    reader = CheckingReader(storage.read_hashes, size - 1)
    stored_hashes_for_record(size - 1, leaf_hash(b"again"), reader)
    assert reader.count <= size.bit_length()

    # A tree of 10**12 records cannot be built here; stand-in hashes show the reads stay
    # O(log n) and only touch hashes such a tree has.
    huge = 10**12
    fake = CheckingReader(lambda ix: [hashlib.sha256(b"%d" % i).digest() for i in ix], huge)
    tree_hash(huge, fake)
    inclusion_proof(huge // 3, huge, fake)
    consistency_proof(huge // 7, huge, fake)
    stored_hashes_for_record(2**40 - 1, SOME_HASH, CheckingReader(fake.read, 2**40 - 1))
    assert fake.calls == 3 and fake.count <= 5 * huge.bit_length()


def test_a_batch_of_inclusion_proofs_in_one_read() -> None:
    """A batch's receipts: every proof equals its own `inclusion_proof` and the RFC 9162
    reference, from one sorted read that asks for each stored hash once."""
    for size in [1, 2, 3, 7, 8, 9, 100, 255, 256, 257, MAX_SIZE]:
        storage = ListHashReader(build_stored_hashes(LEAF_HASHES[:size]))
        root = tree_hash(size, storage)
        for batch in [[0], [size - 1], list(range(max(0, size - 100), size)), list(range(size))]:
            reader = CheckingReader(storage.read_hashes, size)
            proofs = inclusion_proofs(batch, size, reader)
            assert reader.calls == 1
            for index, proof in zip(batch, proofs, strict=True):
                assert proof == inclusion_proof(index, size, storage) == REF.path(index, 0, size)
                verify_inclusion(LEAF_HASHES[index], index, size, proof, root)
    assert inclusion_proofs([], 5, ListHashReader()) == []
    with pytest.raises(ProofError):
        inclusion_proofs([0, 5], 5, ListHashReader(build_stored_hashes(LEAF_HASHES[:5])))


def _load_generator() -> object:
    spec = importlib.util.spec_from_file_location("merkle_vectors", VECTORS / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vectors_match_generator() -> None:
    render = getattr(_load_generator(), "render")  # noqa: B009
    for name, content in render().items():
        assert (VECTORS / name).read_text(encoding="utf-8") == content, f"{name} is stale"


def test_known_answer_vectors() -> None:
    v = json.loads((VECTORS / "rfc6962_leaves.json").read_text(encoding="utf-8"))
    leaves = [bytes.fromhex(h) for h in v["leaves_hex"]]
    assert [leaf_hash(d).hex() for d in leaves] == v["leaf_hashes"]
    reader = ListHashReader(build_stored_hashes(leaf_hash(d) for d in leaves))
    roots = [bytes.fromhex(r) for r in v["roots"]]
    assert [tree_hash(n, reader) for n in range(len(leaves) + 1)] == roots
    # transparency-dev/merkle RootHashes(): the 8-leaf root.
    assert roots[8].hex() == "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
    for case in v["inclusion"]:
        proof = [bytes.fromhex(h) for h in case["proof"]]
        i, n = case["index"], case["size"]
        assert inclusion_proof(i, n, reader) == proof
        verify_inclusion(leaf_hash(leaves[i]), i, n, proof, roots[n])
    for case in v["consistency"]:
        proof = [bytes.fromhex(h) for h in case["proof"]]
        m, n = case["old_size"], case["size"]
        assert consistency_proof(m, n, reader) == proof
        verify_consistency(m, n, roots[m], roots[n], proof)
    assert len(v["inclusion"]) == 36 and len(v["consistency"]) == 36
