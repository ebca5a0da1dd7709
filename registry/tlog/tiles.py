"""C2SP tlog-tiles (c2sp.org/tlog-tiles@v1.0.0) for the Pakta log: tile coordinates and their
strict paths, which tiles a tree of a given size has, the bytes of a hash tile read from
stored hashes, entry bundles, and `TileHashReader`, which lets an auditor answer
`HashReader.read_hashes` from fetched tiles, checking each one against a checkpoint's root
before using it (the habit of Go's sumdb `tlog.TileHashReader`). Pure: stdlib, `keys.errors`
and `registry.tlog.merkle` only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from keys.errors import PaktaError, VerificationError
from registry.tlog.merkle import (
    HASH_SIZE,
    Hash,
    HashReader,
    leaf_hash,
    node_hash,
    read_stored_hashes,
    split_stored_hash_index,
    stored_hash_index,
)

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT
ENTRIES = -1  # the `level` of entry bundles, served under tile/entries/
MAX_LEVEL = 63  # tlog-tiles: "<L> ... MUST be a decimal ASCII integer between 0 and 63"
MAX_ENTRY_SIZE = 0xFFFF  # entries are uint16 length-prefixed
_MAX_PATH = 128  # far above any canonical path of a tile below 2**64 leaves
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_GROUP = re.compile(r"x[0-9]{3}")
_LAST_GROUP = re.compile(r"[0-9]{3}")


class TileError(PaktaError):
    """A malformed tile, tile path or entry bundle."""


@dataclass(frozen=True)
class Tile:
    """Tile `index` at `level` (ENTRIES for an entry bundle) holding `width` hashes/entries."""

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not ENTRIES <= self.level <= MAX_LEVEL or self.index < 0:
            raise TileError(f"no tile at level {self.level}, index {self.index}")
        if not 1 <= self.width <= TILE_WIDTH:
            raise TileError(f"tile width {self.width} outside 1..{TILE_WIDTH}")

    @property
    def is_entries(self) -> bool:
        return self.level == ENTRIES

    @property
    def is_partial(self) -> bool:
        return self.width < TILE_WIDTH

    def path(self) -> str:
        # tlog-tiles: "<N> ... zero-padded 3-digit path elements. All but the last path
        # element MUST begin with an x", e.g. 1234067 is x001/x234/067.
        digits = str(self.index)
        digits = "0" * (-len(digits) % 3) + digits
        groups = [digits[i : i + 3] for i in range(0, len(digits), 3)]
        n = "/".join([*("x" + g for g in groups[:-1]), groups[-1]])
        level = "entries" if self.is_entries else str(self.level)
        # tlog-tiles: "The .p/<W> suffix is only present for partial tiles".
        suffix = f".p/{self.width}" if self.is_partial else ""
        return f"tile/{level}/{n}{suffix}"

    @classmethod
    def parse_path(cls, path: str) -> Tile:
        """The tile at `path` (`tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`).

        Strict: only the one canonical spelling of each tile is accepted.
        """
        if len(path) > _MAX_PATH:
            raise TileError("tile path too long")
        parts = path.split("/")
        if len(parts) < 3 or parts[0] != "tile":
            raise TileError(f"not a tile path: {path!r}")
        if parts[1] == "entries":
            level = ENTRIES
        elif _DECIMAL.fullmatch(parts[1]) and int(parts[1]) <= MAX_LEVEL:
            level = int(parts[1])
        else:
            raise TileError(f"bad tile level in {path!r}")
        groups, width = parts[2:], TILE_WIDTH
        if len(groups) >= 2 and groups[-2].endswith(".p"):
            # tlog-tiles: "<W> is the width of the tile, a decimal ASCII integer between 1
            # and 255, with no additional leading zeroes".
            if not _DECIMAL.fullmatch(groups[-1]) or not 1 <= int(groups[-1]) < TILE_WIDTH:
                raise TileError(f"bad partial tile width in {path!r}")
            groups, width = [*groups[:-2], groups[-2][:-2]], int(groups[-1])
        if not (
            all(_GROUP.fullmatch(g) for g in groups[:-1]) and _LAST_GROUP.fullmatch(groups[-1])
        ):
            raise TileError(f"bad tile index in {path!r}")
        tile = cls(level, int("".join(g.lstrip("x") for g in groups)), width)
        if tile.path() != path:  # e.g. x000/001 for 1
            raise TileError(f"non-canonical tile path {path!r}, expected {tile.path()!r}")
        return tile


def _level_tiles(level: int, since: int, size: int) -> list[Tile]:
    # tlog-tiles: the partial tile at level l for size s "has floor(s / 256**l) mod 256
    # entries"; tiles with no new hashes since `since` are left out.
    shift = TILE_HEIGHT * max(level, 0)
    lo, hi = since >> shift, size >> shift
    if lo == hi:
        return []
    last = (hi - 1) // TILE_WIDTH
    return [
        Tile(level, n, min(TILE_WIDTH, hi - n * TILE_WIDTH))
        for n in range(lo // TILE_WIDTH, last + 1)
    ]


def tiles_for_size(size: int, since: int = 0) -> list[Tile]:
    """The hash tiles of the tree of `size`, bottom level first (only those that gained
    hashes after `since`, so a writer knows what to publish after an append)."""
    if not 0 <= since <= size:
        raise TileError(f"bad sizes {since} -> {size}")
    tiles: list[Tile] = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        tiles += _level_tiles(level, since, size)
        level += 1
    return tiles


def entry_tiles_for_size(size: int, since: int = 0) -> list[Tile]:
    """The entry bundles of the tree of `size` (those that gained entries after `since`)."""
    if not 0 <= since <= size:
        raise TileError(f"bad sizes {since} -> {size}")
    return _level_tiles(ENTRIES, since, size)


def read_tile_data(tile: Tile, reader: HashReader) -> bytes:
    """The bytes of a hash tile: its `width` hashes, concatenated.

    tlog-tiles: tile n at level l holds MTH(D[(n*256 + i) * 256**l : (n*256 + i + 1) *
    256**l]), which is the stored hash at tree height 8*l, position n*256 + i.
    """
    if tile.is_entries:
        raise TileError("entry bundles hold entries, not hashes")
    start = tile.index * TILE_WIDTH
    indexes = [stored_hash_index(TILE_HEIGHT * tile.level, start + i) for i in range(tile.width)]
    return b"".join(read_stored_hashes(reader, indexes))


def hashes_from_tile(data: bytes, width: int) -> list[Hash]:
    """Split a hash tile's bytes into its `width` hashes, rejecting any other length."""
    if len(data) != width * HASH_SIZE:
        raise TileError(f"tile of width {width} must be {width * HASH_SIZE} bytes, got {len(data)}")
    return [bytes(data[i : i + HASH_SIZE]) for i in range(0, len(data), HASH_SIZE)]


def _perfect_root(hashes: Sequence[Hash]) -> Hash:
    # RFC 9162 §2.1.1 on 2**k hashes is plain pairwise hashing, level by level.
    level = list(hashes)
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    # tlog-tiles: "Entry bundles are sequences of big-endian uint16 length-prefixed log
    # entries."
    if not 1 <= len(entries) <= TILE_WIDTH:
        raise TileError(f"an entry bundle holds 1..{TILE_WIDTH} entries, not {len(entries)}")
    for e in entries:
        if len(e) > MAX_ENTRY_SIZE:
            raise TileError(f"entry of {len(e)} bytes does not fit a uint16 length")
    return b"".join(len(e).to_bytes(2, "big") + e for e in entries)


def decode_entry_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """The entries of a bundle; strict about truncation, emptiness and (if given) count."""
    entries, pos = [], 0
    while pos < len(data):
        if pos + 2 > len(data):
            raise TileError("entry bundle ends inside a length prefix")
        n = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + n > len(data):
            raise TileError("entry bundle ends inside an entry")
        entries.append(bytes(data[pos : pos + n]))
        pos += n
        if len(entries) > TILE_WIDTH:
            raise TileError(f"entry bundle holds more than {TILE_WIDTH} entries")
    if not entries:
        raise TileError("empty entry bundle")  # tlog-tiles: "Empty tiles MUST NOT be served"
    if width is not None and len(entries) != width:
        raise TileError(f"entry bundle holds {len(entries)} entries, expected {width}")
    return entries


def verify_entry_bundle(tile: Tile, data: bytes, reader: HashReader) -> list[bytes]:
    """Decode the bundle at `tile` and check each entry against its leaf hash in `reader`."""
    if not tile.is_entries:
        raise TileError(f"{tile.path()} is not an entry bundle")
    entries = decode_entry_bundle(data, tile.width)
    start = tile.index * TILE_WIDTH
    want = read_stored_hashes(reader, [stored_hash_index(0, start + i) for i in range(tile.width)])
    for i, (entry, expected) in enumerate(zip(entries, want, strict=True)):
        # tlog-tiles: "Each entry in a bundle hashes to the corresponding entry in the
        # corresponding level 0 Merkle Tree tile."
        if leaf_hash(entry) != expected:
            raise VerificationError(
                f"entry {start + i} does not match its leaf hash",
                expected=expected.hex(),
                found=leaf_hash(entry).hex(),
            )
    return entries


class TileHashReader:
    """A HashReader over tiles fetched with `fetch(path) -> bytes` for a tree of `size`
    with `root` (from a verified checkpoint). The right-edge partial tiles are checked by
    recomputing the root from them; every full tile by its hash in the tile above."""

    def __init__(self, size: int, root: Hash, fetch: Callable[[str], bytes]) -> None:
        self.size, self.root, self._fetch = size, root, fetch
        self._verified: dict[Tile, list[Hash]] = {}

    def read_hashes(self, indexes: Sequence[int]) -> list[Hash]:
        out = []
        for index in indexes:
            level, n = split_stored_hash_index(index)
            if (n + 1) << level > self.size:
                raise TileError(f"stored hash {index} is not in a tree of size {self.size}")
            out.append(self._subtree_hash(level, n))
        return out

    def _subtree_hash(self, level: int, n: int) -> Hash:
        tile, offset, count = self._locate(level, n)
        return _perfect_root(self._load(tile)[offset : offset + count])

    def _locate(self, level: int, n: int) -> tuple[Tile, int, int]:
        """The tile holding subtree (level, n), and where its hashes sit in that tile."""
        tile_level, height = divmod(level, TILE_HEIGHT)
        first = n << height  # the subtree's first hash, counted along the tile level
        tile = self._tile(tile_level, first // TILE_WIDTH)
        return tile, first - tile.index * TILE_WIDTH, 1 << height

    def _tile(self, level: int, index: int) -> Tile:
        across = self.size >> (TILE_HEIGHT * level)
        return Tile(level, index, min(TILE_WIDTH, across - index * TILE_WIDTH))

    def _load(self, tile: Tile) -> list[Hash]:
        if tile not in self._verified:
            if tile.is_partial:
                self._verify_right_edge()
            else:
                hashes = hashes_from_tile(self._fetch(tile.path()), tile.width)
                parent = self._tile(tile.level + 1, tile.index // TILE_WIDTH)
                expected = self._load(parent)[tile.index % TILE_WIDTH]
                found = _perfect_root(hashes)
                if found != expected:
                    raise VerificationError(
                        f"tile {tile.path()} does not match its parent",
                        expected=expected.hex(),
                        found=found.hex(),
                    )
                self._verified[tile] = hashes
        return self._verified[tile]

    def _verify_right_edge(self) -> None:
        edge = [t for t in tiles_for_size(self.size) if t.is_partial]
        data = {t: hashes_from_tile(self._fetch(t.path()), t.width) for t in edge}
        # RFC 9162 §2.1.1: the root folds the perfect subtrees given by the 1 bits of the
        # size, largest first; each one lies in the partial tile of its tile level.
        parts, lo = [], 0
        for level in reversed(range(self.size.bit_length())):
            if self.size >> level & 1:
                tile, offset, count = self._locate(level, lo >> level)
                parts.append(_perfect_root(data[tile][offset : offset + count]))
                lo += 1 << level
        if not parts:
            raise TileError("an empty tree has no tiles")
        root = parts[-1]
        for left in reversed(parts[:-1]):
            root = node_hash(left, root)
        if root != self.root:
            raise VerificationError(
                "right-edge tiles do not lead to the checkpoint root",
                expected=self.root.hex(),
                found=root.hex(),
            )
        self._verified.update(data)
