"""A deliberately naive reference for the subject map (docs/subject-map.md): the root of a set
of (key, state) computed by recursive splitting, written from the spec and not from
registry/tlog/subjectmap.py, which it exists to test."""

from __future__ import annotations

import hashlib


def bit(key: bytes, depth: int) -> int:
    return (key[depth // 8] >> (7 - depth % 8)) & 1


def leaf(key: bytes, count: int, head: bytes, last: int) -> bytes:
    value = count.to_bytes(8, "big") + head + last.to_bytes(8, "big")
    return hashlib.sha256(b"\x00" + key + value).digest()


def root(leaves: dict[bytes, bytes], depth: int = 0) -> bytes:
    """`leaves`: map key -> leaf hash. Empty: 32 zero bytes; one: its leaf; else a node."""
    if not leaves:
        return bytes(32)
    if len(leaves) == 1:
        return next(iter(leaves.values()))
    left = {k: v for k, v in leaves.items() if bit(k, depth) == 0}
    right = {k: v for k, v in leaves.items() if bit(k, depth) == 1}
    return hashlib.sha256(b"\x01" + root(left, depth + 1) + root(right, depth + 1)).digest()


def link(prev: bytes, index: int, entry_leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x02" + prev + index.to_bytes(8, "big") + entry_leaf).digest()
