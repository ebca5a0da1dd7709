"""Fuzz targets for what the log serves as files: tile paths (`Tile.parse_path`), entry bundles
(`decode_entry_bundle`, `verify_entry_bundle`), hash tiles read through `TileHashReader`, and
tlog-proof files (`parse_proof`, `verify_proof`). Only each module's declared errors may escape
(`TileError`, `ProofFileError`; `VerificationError` and `NoteError` where a check is made), a
tampered tile never yields a wrong hash, and valid inputs round-trip."""

from __future__ import annotations

from fuzz_support import FUZZ, blobs, fixed_key, mutated_bytes, mutated_text, only, texts
from hypothesis import given
from hypothesis import strategies as st

from keys.errors import NoteError, VerificationError
from keys.note import NoteSigner, sign_note
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.merkle import (
    ListHashReader,
    build_stored_hashes,
    inclusion_proof,
    leaf_hash,
    stored_hash_index,
    tree_hash,
)
from registry.tlog.proof import ProofFileError, format_proof, parse_proof, verify_proof
from registry.tlog.tiles import (
    ENTRIES,
    MAX_LEVEL,
    TILE_WIDTH,
    Tile,
    TileError,
    TileHashReader,
    decode_entry_bundle,
    encode_entry_bundle,
    read_tile_data,
    tiles_for_size,
    verify_entry_bundle,
)

SIZE = 600  # two full level-0 tiles, a partial one, and a partial level-1 tile
ENTRY_DATA = [b"entry %d" % i for i in range(SIZE)]
READER = ListHashReader(build_stored_hashes([leaf_hash(e) for e in ENTRY_DATA]))
ROOT = tree_hash(SIZE, READER)
TILES = {t.path(): read_tile_data(t, READER) for t in tiles_for_size(SIZE)}
PATHS = [
    "tile/0/000",
    "tile/0/002.p/88",
    "tile/1/000.p/2",
    "tile/entries/x001/x234/067",
    "tile/entries/000.p/7",
    "tile/63/x123/456.p/255",
]
BUNDLES = [encode_entry_bundle(ENTRY_DATA[:3]), encode_entry_bundle([b"", b"x" * 300])]
LOG = NoteSigner("fuzz.pakta/log", fixed_key(1))
NOTE = sign_note(Checkpoint(LOG.name, SIZE, ROOT).to_text(), [LOG])
PROOF_INDEXES = [0, 255, 256, 599]
PROOFS = [format_proof(i, inclusion_proof(i, SIZE, READER), NOTE) for i in PROOF_INDEXES]
PROOFS.append(format_proof(7, inclusion_proof(7, SIZE, READER), NOTE, b"extra data"))


@FUZZ
@given(st.one_of(texts(), mutated_text(PATHS)))
def test_tile_paths(path: str) -> None:
    tile = only(TileError, Tile.parse_path, path)
    if tile is not None:
        assert tile.path() == path  # one spelling per tile


@FUZZ
@given(st.integers(ENTRIES, MAX_LEVEL), st.integers(0, 2**64), st.integers(1, TILE_WIDTH))
def test_tile_paths_round_trip(level: int, index: int, width: int) -> None:
    tile = Tile(level, index, width)
    assert Tile.parse_path(tile.path()) == tile


@FUZZ
@given(st.one_of(blobs(), mutated_bytes(BUNDLES)), st.one_of(st.none(), st.integers(1, 256)))
def test_entry_bundles(data: bytes, width: int | None) -> None:
    entries = only(TileError, decode_entry_bundle, data, width)
    if entries is not None:
        assert encode_entry_bundle(entries) == data


@FUZZ
@given(st.lists(st.binary(max_size=40), min_size=1, max_size=TILE_WIDTH))
def test_entry_bundles_round_trip(entries: list[bytes]) -> None:
    assert decode_entry_bundle(encode_entry_bundle(entries), len(entries)) == entries


@FUZZ
@given(mutated_bytes([encode_entry_bundle(ENTRY_DATA[:TILE_WIDTH])], max_edits=2))
def test_verify_entry_bundle(data: bytes) -> None:
    tile = Tile(ENTRIES, 0)
    entries = only((TileError, VerificationError), verify_entry_bundle, tile, data, READER)
    if entries is not None:
        assert entries == ENTRY_DATA[:TILE_WIDTH]


@FUZZ
@given(
    st.sampled_from(sorted(TILES)),
    st.one_of(blobs(), mutated_bytes(list(TILES.values()), max_edits=2)),
    st.lists(st.integers(0, SIZE - 1), min_size=1, max_size=4),
)
def test_tampered_tiles_never_give_a_wrong_hash(path: str, data: bytes, leaves: list[int]) -> None:
    served = TILES | {path: data}
    reader = TileHashReader(SIZE, ROOT, served.__getitem__)
    indexes = [stored_hash_index(0, n) for n in leaves] + [stored_hash_index(8, 0)]
    hashes = only((TileError, VerificationError), reader.read_hashes, indexes)
    if hashes is not None:
        assert hashes == READER.read_hashes(indexes)


@FUZZ
@given(st.one_of(texts(), blobs(), mutated_text(PROOFS)))
def test_proof_files(text: str | bytes) -> None:
    parsed = only(ProofFileError, parse_proof, text)
    if parsed is not None:
        again = format_proof(parsed.index, parsed.proof, parsed.checkpoint, parsed.extra)
        assert again == (text if isinstance(text, str) else text.decode())


@FUZZ
@given(mutated_text(PROOFS), st.sampled_from(PROOF_INDEXES))
def test_proof_files_verify_only_the_true_index(text: str, index: int) -> None:
    errors = (ProofFileError, NoteError, VerificationError)
    checkpoint = only(errors, verify_proof, text, ENTRY_DATA[index], LOG.verifier())
    if checkpoint is not None:
        assert parse_proof(text).index == index and checkpoint.root_hash == ROOT


@FUZZ
@given(st.integers(0, SIZE - 1), st.one_of(st.none(), st.binary(max_size=40)))
def test_proof_files_round_trip(index: int, extra: bytes | None) -> None:
    text = format_proof(index, inclusion_proof(index, SIZE, READER), NOTE, extra)
    parsed = parse_proof(text)
    assert (parsed.index, parsed.extra, parsed.checkpoint) == (index, extra, NOTE)
    assert format_proof(parsed.index, parsed.proof, parsed.checkpoint, parsed.extra) == text
    assert verify_proof(text.encode(), ENTRY_DATA[index], LOG.verifier()).size == SIZE
