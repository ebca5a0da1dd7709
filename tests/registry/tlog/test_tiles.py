"""Tests for registry.tlog.tiles: strict tile paths, the tiles of a tree, tile bytes checked
against hashes computed directly, entry bundles, and TileHashReader against tampering."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from keys.errors import VerificationError
from registry.tlog.merkle import (
    ListHashReader,
    build_stored_hashes,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    stored_hash_index,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)
from registry.tlog.tiles import (
    ENTRIES,
    TILE_HEIGHT,
    TILE_WIDTH,
    Tile,
    TileError,
    TileHashReader,
    decode_entry_bundle,
    encode_entry_bundle,
    entry_tiles_for_size,
    hashes_from_tile,
    read_tile_data,
    tiles_for_size,
    verify_entry_bundle,
)

SIZE = 70_000
ENTRY_DATA = [b"entry %d" % i for i in range(SIZE)]
LEAVES = [leaf_hash(e) for e in ENTRY_DATA]
STORAGE = ListHashReader(build_stored_hashes(LEAVES))


def test_constants() -> None:
    assert (TILE_HEIGHT, TILE_WIDTH) == (8, 256)


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 0), "tile/0/000"),
        (Tile(0, 0, 1), "tile/0/000.p/1"),
        (Tile(1, 999, 255), "tile/1/999.p/255"),
        (Tile(2, 1000), "tile/2/x001/000"),
        (Tile(3, 1234067), "tile/3/x001/x234/067"),  # tlog-tiles' own example
        (Tile(63, 10**12 + 5, 17), "tile/63/x001/x000/x000/x000/005.p/17"),
        (Tile(ENTRIES, 0), "tile/entries/000"),
        (Tile(ENTRIES, 273, 112), "tile/entries/273.p/112"),
        (Tile(ENTRIES, 1234067, 2), "tile/entries/x001/x234/067.p/2"),
    ],
)
def test_tile_paths(tile: Tile, path: str) -> None:
    assert tile.path() == path
    assert Tile.parse_path(path) == tile


def test_tile_path_round_trips() -> None:
    for level in [ENTRIES, 0, 1, 7, 63]:
        for index in [*range(0, 2100, 7), 999_999, 1_000_000, 2**40, 2**63 - 1]:
            for width in [1, 2, 128, 255, 256]:
                tile = Tile(level, index, width)
                assert Tile.parse_path(tile.path()) == tile


@pytest.mark.parametrize(
    "path",
    [
        "",
        "tile",
        "tile/0",
        "tile/0/",
        "/tile/0/000",
        "tile/0/000/",
        "tiles/0/000",
        "TILE/0/000",
        "tile//000",
        "tile/0//000",
        "tile/00/000",
        "tile/01/000",
        "tile/64/000",
        "tile/-1/000",
        "tile/+1/000",
        "tile/ 1/000",
        "tile/data/000",
        "tile/Entries/000",
        "tile/entry/000",
        "tile/0/0",
        "tile/0/00",
        "tile/0/0000",
        "tile/0/x000",
        "tile/0/x001",
        "tile/0/x000/001",
        "tile/0/x000/x001/000",
        "tile/0/001/002",
        "tile/0/x01/000",
        "tile/0/X001/000",
        "tile/0/+00",
        "tile/0/ 00",
        "tile/0/-01",
        "tile/0/0_1",
        "tile/0/\u0661\u0662\u0663",
        "tile/0/12\u00b3",
        "tile/0/000.p",
        "tile/0/000.p/",
        "tile/0/000.p/0",
        "tile/0/000.p/256",
        "tile/0/000.p/01",
        "tile/0/000.p/+5",
        "tile/0/000.p/ 5",
        "tile/0/000.P/5",
        "tile/0/000.p/5/",
        "tile/0/000.p/5.p/5",
        "tile/0/000.q/5",
        "tile/0/000p/5",
        "tile/0/x001.p/5/000",
        "tile/0/000.p/\u0665",
        "tile/0/" + "x001/" * 40 + "000",
    ],
)
def test_tile_path_rejections(path: str) -> None:
    with pytest.raises(TileError):
        Tile.parse_path(path)


def test_tile_fields_checked() -> None:
    for level, index, width in [(-2, 0, 1), (64, 0, 1), (0, -1, 1), (0, 0, 0), (0, 0, 257)]:
        with pytest.raises(TileError):
            Tile(level, index, width)


def test_tiles_for_size_spec_examples() -> None:
    # tlog-tiles: "a tree of size 70,000 will be represented by 273 full level 0 tiles, one
    # partial level 0 tile of width 112, one full level 1 tile, one partial level 1 tile of
    # width 17, and one partial level 2 tile of width 1."
    tiles = tiles_for_size(70_000)
    assert tiles == [
        *(Tile(0, n) for n in range(273)),
        Tile(0, 273, 112),
        Tile(1, 0),
        Tile(1, 1, 17),
        Tile(2, 0, 1),
    ]
    # "a tree of size 256 will be represented by a full level 0 tile and a partial level 1
    # tile of width 1."
    assert tiles_for_size(256) == [Tile(0, 0), Tile(1, 0, 1)]
    assert tiles_for_size(0) == [] and entry_tiles_for_size(0) == []
    assert entry_tiles_for_size(70_000) == [
        *(Tile(ENTRIES, n) for n in range(273)),
        Tile(ENTRIES, 273, 112),
    ]
    with pytest.raises(TileError):
        tiles_for_size(5, since=6)


def test_tiles_since() -> None:
    """tiles_for_size(new, since=old) is exactly what changed between the two sizes."""
    sizes = [0, 1, 2, 255, 256, 257, 511, 512, 700, 65_535, 65_536, 65_537, 70_000]
    for old in sizes:
        for new in sizes:
            if old > new:
                continue
            changed = set(tiles_for_size(new)) - set(tiles_for_size(old))
            assert set(tiles_for_size(new, since=old)) == changed, (old, new)
            changed = set(entry_tiles_for_size(new)) - set(entry_tiles_for_size(old))
            assert set(entry_tiles_for_size(new, since=old)) == changed, (old, new)


def _perfect(hashes: Sequence[bytes]) -> bytes:
    return (
        root_from_leaf_hashes(hashes)
        if len(hashes) == 1
        else node_hash(_perfect(hashes[: len(hashes) // 2]), _perfect(hashes[len(hashes) // 2 :]))
    )


def test_tile_data_matches_direct_hashes() -> None:
    level1 = [_perfect(LEAVES[i : i + 256]) for i in range(0, SIZE - 255, 256)]
    level2 = [_perfect(level1[:256])]
    direct = {0: LEAVES, 1: level1, 2: level2}
    for tile in tiles_for_size(SIZE):
        data = read_tile_data(tile, STORAGE)
        start = tile.index * TILE_WIDTH
        assert data == b"".join(direct[tile.level][start : start + tile.width]), tile.path()
        assert hashes_from_tile(data, tile.width) == direct[tile.level][start:][: tile.width]
    # A partial tile is a prefix of every later version of the same tile.
    full = read_tile_data(Tile(0, 5), STORAGE)
    for width in range(1, 256):
        assert full.startswith(read_tile_data(Tile(0, 5, width), STORAGE))
    with pytest.raises(TileError):
        read_tile_data(Tile(ENTRIES, 0), STORAGE)
    with pytest.raises(TileError):
        hashes_from_tile(full[:-1], 256)


def _served(size: int) -> dict[str, bytes]:
    return {t.path(): read_tile_data(t, STORAGE) for t in tiles_for_size(size)}


class Server:
    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.fetched: list[str] = []

    def fetch(self, path: str) -> bytes:
        self.fetched.append(path)
        return self.files[path]


def test_tile_hash_reader_proves_like_storage() -> None:
    for size in [*range(1, 40), 255, 256, 257, 511, 512, 513, 65_535, 65_536, 65_537, SIZE]:
        root = tree_hash(size, STORAGE)
        server = Server(_served(size))
        thr = TileHashReader(size, root, server.fetch)
        samples = {0, 1, size // 3, size // 2, size - 2, size - 1}
        for j in sorted(j for j in samples if 0 <= j < size):
            assert thr.read_hashes([stored_hash_index(0, j)]) == [LEAVES[j]]
            proof = inclusion_proof(j, size, thr)
            assert proof == inclusion_proof(j, size, STORAGE)
            verify_inclusion(LEAVES[j], j, size, proof, root)
        for old in sorted(m for m in {1, 2, 3, size // 2, size - 1, size} if 0 < m <= size):
            assert tree_hash(old, thr) == tree_hash(old, STORAGE)
            proof = consistency_proof(old, size, thr)
            verify_consistency(old, size, tree_hash(old, STORAGE), root, proof)
        assert len(set(server.fetched)) == len(server.fetched), "tiles are fetched once"
        assert len(server.fetched) <= 3 * 3 + 3
        with pytest.raises(TileError):
            thr.read_hashes([stored_hash_index(0, size)])


def test_tile_hash_reader_rejects_tampering() -> None:
    size = SIZE
    root = tree_hash(size, STORAGE)
    for path, index in [
        ("tile/0/005", 5 * 256 + 3),
        ("tile/0/273.p/112", 273 * 256 + 111),
        ("tile/1/000", 0),
        ("tile/1/001.p/17", 256 * 256 + 1),
        ("tile/2/000.p/1", 9),
    ]:
        for position in [0, 31, len(_served(size)[path]) - 1]:
            files = _served(size)
            data = bytearray(files[path])
            data[position] ^= 0x10
            files[path] = bytes(data)
            thr = TileHashReader(size, root, Server(files).fetch)
            with pytest.raises(VerificationError):
                thr.read_hashes([stored_hash_index(0, index)])
                pytest.fail(f"accepted tampered {path} byte {position}")
    files = _served(size)
    files["tile/0/005"] += b"\x00"
    with pytest.raises(TileError):
        TileHashReader(size, root, Server(files).fetch).read_hashes([stored_hash_index(0, 1280)])
    with pytest.raises(VerificationError):
        TileHashReader(size, leaf_hash(b"x"), Server(_served(size)).fetch).read_hashes([0])
    with pytest.raises(TileError):
        TileHashReader(0, leaf_hash(b""), Server({}).fetch).read_hashes([0])


def test_entry_bundles() -> None:
    for entries in [[b""], [b"a", b"", b"bc"], [bytes(65_535)], [b"%d" % i for i in range(256)]]:
        data = encode_entry_bundle(entries)
        assert decode_entry_bundle(data) == entries
        assert decode_entry_bundle(data, len(entries)) == entries
    assert encode_entry_bundle([b"ab", b""]) == b"\x00\x02ab\x00\x00"
    for bad_entries in [[], [b""] * 257, [bytes(65_536)]]:
        with pytest.raises(TileError):
            encode_entry_bundle(bad_entries)
    for bad in [b"", b"\x00", b"\x00\x03ab", b"\x00\x01a\x00", b"\x00\x00" * 257]:
        with pytest.raises(TileError):
            decode_entry_bundle(bad)
    with pytest.raises(TileError):
        decode_entry_bundle(b"\x00\x00", 2)


def test_verify_entry_bundle() -> None:
    root = tree_hash(SIZE, STORAGE)
    thr = TileHashReader(SIZE, root, Server(_served(SIZE)).fetch)
    for tile in [Tile(ENTRIES, 0), Tile(ENTRIES, 273, 112)]:
        entries = ENTRY_DATA[tile.index * 256 :][: tile.width]
        assert verify_entry_bundle(tile, encode_entry_bundle(entries), thr) == entries
        with pytest.raises(VerificationError):
            verify_entry_bundle(tile, encode_entry_bundle([b"forged", *entries[1:]]), thr)
        with pytest.raises(TileError):
            verify_entry_bundle(tile, encode_entry_bundle(entries[:-1]), thr)
    with pytest.raises(TileError):
        verify_entry_bundle(Tile(0, 0), b"", thr)
