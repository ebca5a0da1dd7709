"""Fuzz targets for the witness: `parse_add_checkpoint` on any bytes and on mutated requests
(only `WitnessError`), and `Witness.add_checkpoint` on the same, which must answer with one of
the tlog-witness statuses (200, 400, 403, 404, 409, 422; never 500) and cosign nothing the
honest log did not sign. Valid request bodies round-trip."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from fuzz_support import FUZZ, blobs, fixed_key, mutated_bytes, only
from hypothesis import event, given
from hypothesis import strategies as st

from keys.note import NoteSigner, parse_note, sign_note
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureSigner
from registry.tlog.merkle import (
    HASH_SIZE,
    ListHashReader,
    build_stored_hashes,
    consistency_proof,
    leaf_hash,
    tree_hash,
)
from registry.witness.server import (
    SIZE_CONTENT_TYPE,
    Witness,
    WitnessError,
    format_add_checkpoint,
    parse_add_checkpoint,
)

ORIGIN = "fuzz.pakta/log"
LOG = NoteSigner(ORIGIN, fixed_key(1))
SIGNER = CosignatureSigner("witness.example/w1", fixed_key(3))
READER = ListHashReader(build_stored_hashes([leaf_hash(b"%d" % i) for i in range(40)]))
TEXTS = {n: Checkpoint(ORIGIN, n, tree_hash(n, READER)).to_text() for n in range(41)}
STATE_SIZE = 8


def request(old: int, size: int) -> bytes:
    proof = consistency_proof(old, size, READER) if 0 < old < size else []
    return format_add_checkpoint(old, proof, sign_note(TEXTS[size], [LOG]))


REQUESTS = [request(STATE_SIZE, 20), request(STATE_SIZE, 9), request(STATE_SIZE, STATE_SIZE),
            request(0, 5), request(5, 40)]  # fmt: skip
STATUSES = {200, 400, 403, 404, 409, 422}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A witness state folder in which size 8 was cosigned, copied for each example."""
    folder = tmp_path_factory.mktemp("witness") / "state"
    Witness(SIGNER, folder, {ORIGIN: LOG.verifier()}).add_checkpoint(request(0, STATE_SIZE))
    return folder


@FUZZ
@given(st.one_of(blobs(), mutated_bytes(REQUESTS)))
def test_parse_add_checkpoint(body: bytes) -> None:
    parsed = only(WitnessError, parse_add_checkpoint, body)
    if parsed is not None:
        old, proof, note = parsed
        assert all(len(h) == HASH_SIZE for h in proof) and len(proof) <= 63
        assert format_add_checkpoint(old, proof, note) == body


@FUZZ
@given(st.integers(0, 2**63 - 1), st.lists(st.binary(min_size=32, max_size=32), max_size=63))
def test_add_checkpoint_bodies_round_trip(old: int, proof: list[bytes]) -> None:
    body = format_add_checkpoint(old, proof, sign_note(TEXTS[3], [LOG]))
    assert parse_add_checkpoint(body) == (old, proof, sign_note(TEXTS[3], [LOG]))


OTHER = NoteSigner(ORIGIN, fixed_key(2))  # the log's name, another key
STRANGER = NoteSigner("unknown.example/log", fixed_key(4))


@st.composite
def well_formed_requests(draw: st.DrawFn) -> bytes:
    """Requests that parse: any old size and size, the true proof or a damaged one, the true
    root or another (a fork, signed by the log's own key), signed by the log or not."""
    size = draw(st.integers(0, 40))
    old = draw(st.sampled_from([STATE_SIZE] * 4 + [0, size, draw(st.integers(0, 41))]))
    proof = consistency_proof(old, size, READER) if 0 < old < size else []
    how = draw(st.sampled_from(["true", "drop", "add", "flip", "swap"]))
    if how == "drop" and proof:
        del proof[draw(st.integers(0, len(proof) - 1))]
    elif how == "add":
        proof.insert(draw(st.integers(0, len(proof))), draw(st.binary(min_size=32, max_size=32)))
    elif how == "flip" and proof:
        i, bit = draw(st.integers(0, len(proof) - 1)), draw(st.integers(0, 255))
        proof[i] = (int.from_bytes(proof[i], "big") ^ (1 << bit)).to_bytes(32, "big")
    elif how == "swap" and len(proof) > 1:
        proof.reverse()
    text = TEXTS[size]
    if draw(st.integers(0, 3)) == 0:
        fork = draw(st.sampled_from([bytes(32), tree_hash(0, READER), leaf_hash(b"fork")]))
        text = Checkpoint(ORIGIN, size, fork).to_text()
    signers = draw(
        st.sampled_from([[LOG]] * 4 + [[STRANGER, LOG], [OTHER], [STRANGER], [OTHER, STRANGER]])
    )
    return format_add_checkpoint(old, proof, sign_note(text, signers))


@FUZZ
@given(st.one_of(blobs(), mutated_bytes(REQUESTS)))
def test_witness_answers_any_body_with_a_spec_status(template: Path, body: bytes) -> None:
    answer(template, body)


@FUZZ
@given(well_formed_requests())
def test_witness_cosigns_only_the_honest_log(template: Path, body: bytes) -> None:
    answer(template, body)


def answer(template: Path, body: bytes) -> None:
    """Ask a witness that cosigned size 8: a spec status, no 500, and a cosignature only for
    the honest log's checkpoints, stored; a refusal changes nothing."""
    folder = Path(tempfile.mkdtemp(prefix="pakta-fuzz-w-"))
    try:
        state = folder / "state"
        shutil.copytree(template, state)  # the witness has cosigned size 8
        witness = Witness(SIGNER, state, {ORIGIN: LOG.verifier()}, clock=lambda: 1_700_000_000)
        status, out, content_type = witness.add_checkpoint(body)
        event(f"status {status}")
        assert status in STATUSES, (status, out)
        stored = witness.state(ORIGIN)
        assert stored is not None
        if status == 200:
            checkpoint = parse_note(parse_add_checkpoint(body)[2]).text
            assert checkpoint in TEXTS.values() and stored.size >= STATE_SIZE
            assert stored.checkpoint == parse_add_checkpoint(body)[2]
        else:
            assert stored.size == STATE_SIZE  # a refusal changes nothing
        if status == 409:
            assert (out, content_type) == (b"%d\n" % STATE_SIZE, SIZE_CONTENT_TYPE)
    finally:
        shutil.rmtree(folder)


def test_template_state(template: Path) -> None:
    state = Witness(SIGNER, template, {ORIGIN: LOG.verifier()}).state(ORIGIN)
    assert state is not None and state.size == STATE_SIZE
