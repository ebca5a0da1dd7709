"""The subject map (docs/subject-map.md): a sparse Merkle tree from subject id to the state of
its subject chain (count, chain-head link, index of the last entry), committed in every
checkpoint by its root.

Owns the math and the proof format: subject chain links, the map's leaf and node hashes, the
in-memory map with O(depth) updates, presence and absence proofs, their JSON form and their
verification. Pure: standard library and `keys.errors` only. Which entries belong to which
subject is the rules' business (`registry.rules.subjects`), not this module's.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from keys.errors import VerificationError

Hash = bytes
HASH_SIZE = 32
KEY_BITS = 256
EMPTY: Hash = bytes(HASH_SIZE)  # the hash of an empty subtree
NO_LINK: Hash = bytes(HASH_SIZE)  # the chain head of a subject with no entries yet
MAP_LEAF = b"\x00"
MAP_NODE = b"\x01"
CHAIN_LINK = b"\x02"
# The checkpoint extension line names the map's version (docs/subject-map.md): version 1,
# "pakta-subject-map <base64 root>", holds agency and unit ids only; version 2,
# "pakta-subject-map-v2 <base64 root>", also the reserved ids (with a ':', which no agency id
# has) such as a year's submission windows, "window:2026".
EXTENSION_PREFIX = "pakta-subject-map "
EXTENSION_PREFIXES = {1: EXTENSION_PREFIX, 2: "pakta-subject-map-v2 "}
MAP_VERSION = 2  # what a registry writes now
MAX_INDEX = 2**63 - 1


def first_version(subject: str) -> int:
    """The first map version that holds the subject: 2 for a reserved id (it has a ':',
    which the agency id grammar excludes), else 1."""
    return 2 if ":" in subject else 1


def subject_key(subject: str) -> Hash:
    """Where a subject sits in the map: SHA-256 of its id's UTF-8 bytes."""
    return hashlib.sha256(subject.encode("utf-8")).digest()


def chain_link(prev: Hash, index: int, entry_leaf_hash: Hash) -> Hash:
    """The next link of a subject chain: SHA-256(0x02 || prev || index (u64 BE) || leaf hash)."""
    if len(prev) != HASH_SIZE or len(entry_leaf_hash) != HASH_SIZE:
        raise ValueError("chain links and leaf hashes are 32 bytes")
    if not 0 <= index <= MAX_INDEX:
        raise ValueError(f"entry index {index} outside 0..2**63-1")
    return hashlib.sha256(CHAIN_LINK + prev + index.to_bytes(8, "big") + entry_leaf_hash).digest()


@dataclass(frozen=True)
class SubjectState:
    """A subject's chain as a checkpoint commits it: how many entries, the last link, and the
    log index of the last entry."""

    count: int
    head: Hash
    last_index: int

    def __post_init__(self) -> None:
        if type(self.count) is not int or not 1 <= self.count <= MAX_INDEX:
            raise ValueError(f"subject chain count {self.count!r} outside 1..2**63-1")
        if type(self.head) is not bytes or len(self.head) != HASH_SIZE:
            raise ValueError("subject chain head must be 32 bytes")
        if type(self.last_index) is not int or not 0 <= self.last_index <= MAX_INDEX:
            raise ValueError(f"last index {self.last_index!r} outside 0..2**63-1")

    def encode(self) -> bytes:
        """count (u64 BE) || head (32 bytes) || last index (u64 BE): 48 bytes."""
        return self.count.to_bytes(8, "big") + self.head + self.last_index.to_bytes(8, "big")

    def extend(self, index: int, entry_leaf_hash: Hash) -> SubjectState:
        return SubjectState(self.count + 1, chain_link(self.head, index, entry_leaf_hash), index)

    def to_json(self) -> dict[str, Any]:
        return {"count": self.count, "head": self.head.hex(), "last_index": self.last_index}


def first_state(index: int, entry_leaf_hash: Hash) -> SubjectState:
    """The state of a chain whose first entry is `index`."""
    return SubjectState(1, chain_link(NO_LINK, index, entry_leaf_hash), index)


def chain_states(entries: Iterable[tuple[int, Hash]]) -> SubjectState | None:
    """The state after these (index, entry leaf hash) pairs, in order (None: no entries)."""
    state: SubjectState | None = None
    for index, leaf in entries:
        if state is not None and index <= state.last_index:
            raise ValueError("a subject chain's entries must have increasing indexes")
        state = first_state(index, leaf) if state is None else state.extend(index, leaf)
    return state


def map_leaf_hash(key: Hash, state: SubjectState) -> Hash:
    """SHA-256(0x00 || key || state encoding)."""
    return hashlib.sha256(MAP_LEAF + key + state.encode()).digest()


def map_node_hash(left: Hash, right: Hash) -> Hash:
    return hashlib.sha256(MAP_NODE + left + right).digest()


def key_bit(key: Hash, depth: int) -> int:
    """Bit `depth` of a key, the most significant bit of its first byte being bit 0."""
    return (key[depth >> 3] >> (7 - (depth & 7))) & 1


class _Leaf:
    __slots__ = ("hash", "key", "later", "state")

    def __init__(self, key: Hash, state: SubjectState, later: bool = False) -> None:
        self.key, self.state = key, state
        self.hash = map_leaf_hash(key, state)
        self.later = later  # a subject a version 1 map leaves out


class _Branch:
    """A node with two halves; its hash, and its hash and number of subjects (0, 1, or 2 for
    two or more) in the version 1 map, are None from a change below it until asked for."""

    __slots__ = ("hash", "kids", "v1")

    def __init__(self, kids: list[_Node]) -> None:
        self.kids = kids
        self.hash: Hash | None = None
        self.v1: tuple[Hash, int] | None = None


_Node = _Leaf | _Branch | None


def _hash(node: _Node) -> Hash:
    """The node's hash, computing first those of the branches below it that changed."""
    if node is None:
        return EMPTY
    found = node.hash
    if found is None and isinstance(node, _Branch):  # only a branch waits for its hash
        found = node.hash = map_node_hash(_hash(node.kids[0]), _hash(node.kids[1]))
    assert found is not None
    return found


def _v1(node: _Node) -> tuple[Hash, int]:
    """The node's hash in the version 1 map, and how many of its subjects that map holds (0,
    1, or 2 for two or more): its later subjects left out, a lone subject left rising as in
    `_put`. Cached in each branch until a change below it, like its hash."""
    if node is None:
        return EMPTY, 0
    if isinstance(node, _Leaf):
        return (EMPTY, 0) if node.later else (node.hash, 1)
    if node.v1 is None:
        left, right = _v1(node.kids[0]), _v1(node.kids[1])
        held = left[1] + right[1]
        if held == 0:
            node.v1 = EMPTY, 0
        elif held == 1:
            node.v1 = (left if left[1] else right)[0], 1
        else:
            node.v1 = map_node_hash(left[0], right[0]), 2
    return node.v1


def _put(node: _Node, leaf: _Leaf, depth: int) -> _Node:
    if node is None or (isinstance(node, _Leaf) and node.key == leaf.key):
        return leaf
    if isinstance(node, _Leaf):
        if depth >= KEY_BITS:  # two different keys cannot agree on all 256 bits
            raise ValueError("duplicate map key")
        kids: list[_Node] = [None, None]
        kids[key_bit(node.key, depth)] = node
        branch = _Branch(kids)
        return _put(branch, leaf, depth)
    bit = key_bit(leaf.key, depth)
    node.kids[bit] = _put(node.kids[bit], leaf, depth + 1)
    node.hash = node.v1 = None
    return node


class SubjectMap:
    """The map in memory: set a subject's state in O(depth), read the root, prove a key.
    Node hashes are computed when the root or a proof needs them, once per change.

    A subtree holding no subject hashes as EMPTY, one holding exactly one subject hashes as
    that subject's leaf, any other as a node of its two halves; so the depth is about
    log2 of the number of subjects, and the root depends only on the set of (key, state)."""

    def __init__(self, states: Mapping[str, SubjectState] | None = None) -> None:
        self._root: _Node = None
        self.states: dict[str, SubjectState] = {}
        self._later = 0  # how many subjects a version 1 map leaves out
        for subject, state in (states or {}).items():
            self.set(subject, state)

    def __len__(self) -> int:
        return len(self.states)

    def set(self, subject: str, state: SubjectState) -> None:
        later = first_version(subject) > 1
        self._later += later and subject not in self.states
        self.states[subject] = state
        leaf = _Leaf(subject_key(subject), state, later)
        key = leaf.key
        # Down the branches to where the key belongs (what `_put` does, without recursion).
        path: list[tuple[_Branch, int]] = []
        node, depth = self._root, 0
        while isinstance(node, _Branch):
            bit = (key[depth >> 3] >> (7 - (depth & 7))) & 1
            path.append((node, bit))
            node, depth = node.kids[bit], depth + 1
        below: _Node = leaf
        if node is not None and node.key != key:
            below = _put(node, leaf, depth)  # another subject's leaf: split below it
        # Back up: each branch on the way takes its new child, and its hash waits for `root`
        # or `prove` (so entries replayed between two roots hash a shared branch once).
        for branch, bit in reversed(path):
            branch.kids[bit] = below
            branch.hash = branch.v1 = None
            below = branch
        self._root = below

    def root(self, version: int = MAP_VERSION) -> Hash:
        """The root of the map of `version`: version 1 leaves out the reserved subjects (its
        branch hashes are kept beside the others, so a change costs O(depth) in each)."""
        if version >= 2 or not self._later:
            return _hash(self._root)
        return _v1(self._root)[0]

    def versioned(self, version: int) -> SubjectMap:
        """A copy holding only the subjects the map of `version` holds (for its proofs)."""
        return SubjectMap({s: st for s, st in self.states.items() if first_version(s) <= version})

    def prove(self, subject: str) -> MapProof:
        """A proof of the subject's state, or of its absence, against `root()`."""
        key = subject_key(subject)
        siblings: list[Hash] = []
        node, depth = self._root, 0
        while isinstance(node, _Branch):
            bit = key_bit(key, depth)
            siblings.append(_hash(node.kids[1 - bit]))
            node, depth = node.kids[bit], depth + 1
        if node is None:
            return MapProof(subject, None, tuple(siblings))
        if node.key == key:
            return MapProof(subject, node.state, tuple(siblings))
        return MapProof(subject, None, tuple(siblings), node.key, node.state)


@dataclass(frozen=True)
class MapProof:
    """The path from a subject's place in the map to the root, root end first.

    `state` is the subject's state (presence), or None (absence); an absence ends either in
    an empty subtree or in another subject's leaf (`other_key`, `other_state`) that shares
    the path so far."""

    subject: str
    state: SubjectState | None
    siblings: tuple[Hash, ...]
    other_key: Hash | None = None
    other_state: SubjectState | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "subject": self.subject,
            "state": None if self.state is None else self.state.to_json(),
            "siblings": [base64.b64encode(h).decode() for h in self.siblings],
        }
        if self.other_key is not None and self.other_state is not None:
            out["other"] = {"key": self.other_key.hex(), **self.other_state.to_json()}
        return out

    @classmethod
    def from_json(cls, data: Any) -> MapProof:
        """Parse the JSON form; raises VerificationError for anything malformed."""
        try:
            if not isinstance(data, dict) or not isinstance(data["subject"], str):
                raise TypeError
            state = None if data["state"] is None else _state(data["state"])
            siblings = tuple(_b64_hash(s) for s in data["siblings"])
            other = data.get("other")
            if other is None:
                return cls(data["subject"], state, siblings)
            return cls(data["subject"], state, siblings, _hex_hash(other["key"]), _state(other))
        except (KeyError, TypeError, ValueError, binascii.Error) as e:
            raise VerificationError(f"malformed subject map proof ({e})") from None


def _state(data: Any) -> SubjectState:
    if not isinstance(data, dict):
        raise TypeError("state must be an object")
    return SubjectState(data["count"], _hex_hash(data["head"]), data["last_index"])


def _hex_hash(text: Any) -> Hash:
    if not isinstance(text, str) or len(text) != 2 * HASH_SIZE or text != text.lower():
        raise ValueError("hash must be 64 lowercase hex digits")
    return bytes.fromhex(text)


def _b64_hash(text: Any) -> Hash:
    if not isinstance(text, str):
        raise TypeError("sibling must be base64 text")
    h = base64.b64decode(text, validate=True)
    if len(h) != HASH_SIZE or base64.b64encode(h).decode() != text:
        raise ValueError("sibling must be the base64 of 32 bytes")
    return h


def verify_map_proof(proof: MapProof, root: Hash) -> SubjectState | None:
    """Check the proof against the map root; return the proven state (None: proven absent)."""
    key = subject_key(proof.subject)
    depth = len(proof.siblings)
    if depth > KEY_BITS:
        raise VerificationError("subject map proof too long", found=depth)
    for h in (root, *proof.siblings):
        if len(h) != HASH_SIZE:
            raise VerificationError("subject map hash is not 32 bytes", found=len(h))
    if proof.state is not None:
        if proof.other_key is not None:
            raise VerificationError("a presence proof has no other leaf")
        h = map_leaf_hash(key, proof.state)
    elif proof.other_key is None or proof.other_state is None:
        h = EMPTY
    else:
        other = proof.other_key
        if other == key:
            raise VerificationError("absence proof ends in the subject's own leaf")
        for d in range(depth):
            if key_bit(other, d) != key_bit(key, d):
                raise VerificationError("absence proof's other leaf is off the path", found=d)
        h = map_leaf_hash(other, proof.other_state)
    for d in reversed(range(depth)):
        sibling = proof.siblings[d]
        h = map_node_hash(sibling, h) if key_bit(key, d) else map_node_hash(h, sibling)
    if h != root:
        raise VerificationError(
            "subject map proof does not lead to the root", expected=root.hex(), found=h.hex()
        )
    return proof.state


def extension_line(root: Hash, version: int = MAP_VERSION) -> str:
    return EXTENSION_PREFIXES[version] + base64.b64encode(root).decode()


def map_line(extensions: Iterable[str]) -> tuple[int, Hash] | None:
    """The map version and root a checkpoint's extension lines commit to (None: none)."""
    found = [
        (version, e[len(prefix) :])
        for e in extensions
        for version, prefix in EXTENSION_PREFIXES.items()
        if e.startswith(prefix)
    ]
    if not found:
        return None
    if len(found) > 1:
        raise VerificationError("checkpoint has more than one subject map line", found=len(found))
    version, text = found[0]
    try:
        return version, _b64_hash(text)
    except (ValueError, binascii.Error):
        raise VerificationError("subject map line is not the base64 of 32 bytes") from None


def root_from_extensions(extensions: Iterable[str]) -> Hash | None:
    """The map root a checkpoint's extension lines commit to (None: the checkpoint has none)."""
    found = map_line(extensions)
    return None if found is None else found[1]
