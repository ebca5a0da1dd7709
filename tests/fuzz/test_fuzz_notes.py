"""Fuzz targets for the signed formats of the log: checkpoint bodies (`Checkpoint.parse`,
`CheckpointError`), signed notes and note keys (`parse_note`, `open_note`, `NoteVerifier.parse`,
`NoteSigner.parse`: `NoteError`, and `VerificationError` for a bad signature by a known key)
and cosignatures (`CosignatureVerifier.parse`, `add_cosignatures`, `count_cosigners`,
`check_policy`). What is accepted is the one canonical spelling; valid inputs round-trip."""

from __future__ import annotations

import hashlib

from fuzz_support import FUZZ, accepts, blobs, fixed_key, mutated_bytes, mutated_text, only, texts
from hypothesis import given
from hypothesis import strategies as st

from keys.errors import NoteError, VerificationError
from keys.note import NoteSigner, NoteVerifier, open_note, parse_note, sign_note
from registry.tlog.checkpoint import MAX_TREE_SIZE, Checkpoint, CheckpointError
from registry.tlog.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    add_cosignatures,
    check_policy,
    count_cosigners,
)

ORIGIN = "fuzz.pakta/log"
LOG = NoteSigner(ORIGIN, fixed_key(1))
OTHER = NoteSigner("other.example/key", fixed_key(2))
WITNESS = CosignatureSigner("witness.example/w1", fixed_key(3))
TS = 1_700_000_000
BODIES = [
    Checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest()).to_text(),
    Checkpoint(ORIGIN, 1234567, hashlib.sha256(b"x").digest(), ("ext line",)).to_text(),
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n",
]
NOTES = [sign_note(BODIES[0], [LOG]), sign_note(BODIES[1], [LOG, OTHER])]
COSIGNED = [add_cosignatures(n, [WITNESS.cosign(parse_note(n).text, TS)]) for n in NOTES]
VKEYS = [str(LOG.verifier()), str(OTHER.verifier())]
SKEYS = [LOG.to_skey(), OTHER.to_skey()]
LINES = [WITNESS.cosign(BODIES[1], TS), WITNESS.cosign(BODIES[1], 0)]

line_text = st.text(st.characters(exclude_categories=("Cc", "Cs")), min_size=1, max_size=30)
names = st.text(
    st.characters(exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"), exclude_characters="+\x85"),
    min_size=1,
    max_size=20,
)


@FUZZ
@given(st.one_of(texts(), mutated_text(BODIES)))
def test_checkpoint_text(text: str) -> None:
    checkpoint = only(CheckpointError, Checkpoint.parse, text)
    if checkpoint is not None:
        assert checkpoint.to_text() == text  # one spelling per checkpoint


@FUZZ
@given(st.one_of(blobs(), mutated_bytes([b.encode() for b in BODIES])))
def test_checkpoint_bytes(data: bytes) -> None:
    checkpoint = only(CheckpointError, Checkpoint.parse, data)
    if checkpoint is not None:
        assert checkpoint.to_text().encode() == data


@FUZZ
@given(
    line_text,
    st.integers(0, MAX_TREE_SIZE),
    st.binary(min_size=32, max_size=32),
    st.lists(line_text, max_size=3),
)
def test_checkpoints_round_trip(origin: str, size: int, root: bytes, ext: list[str]) -> None:
    checkpoint = only(CheckpointError, Checkpoint, origin, size, root, tuple(ext))
    if checkpoint is not None:  # only a body over 1 KiB is refused here
        assert Checkpoint.parse(checkpoint.to_text()) == checkpoint
        assert Checkpoint.parse(checkpoint.to_text().encode()) == checkpoint


@FUZZ
@given(st.one_of(texts(), blobs(), mutated_text(NOTES + COSIGNED)))
def test_signed_notes(msg: str | bytes) -> None:
    note = only(NoteError, parse_note, msg)
    opened = only((NoteError, VerificationError), open_note, msg, [LOG.verifier()])
    if opened is not None:
        assert note is not None and opened[0] == note
        assert note.text in BODIES  # the log's signature cannot be moved to another text


@FUZZ
@given(st.lists(line_text, min_size=1, max_size=4), st.lists(names, min_size=1, max_size=3))
def test_signed_notes_round_trip(lines: list[str], signer_names: list[str]) -> None:
    text = "".join(line + "\n" for line in lines)
    signers = [NoteSigner(n, fixed_key(10 + i)) for i, n in enumerate(dict.fromkeys(signer_names))]
    note = sign_note(text, signers)
    parsed = parse_note(note)
    assert parsed.text == text and len(parsed.signatures) == len(signers)
    assert open_note(note, [s.verifier() for s in signers])[1] == [s.verifier() for s in signers]


@FUZZ
@given(st.one_of(texts(), mutated_text(VKEYS + SKEYS)))
def test_note_keys(text: str) -> None:
    verifier = only(NoteError, NoteVerifier.parse, text)
    if verifier is not None:
        assert str(verifier) == text
    signer = only(NoteError, NoteSigner.parse, text)
    if signer is not None:
        assert signer.to_skey() == text


@FUZZ
@given(names, st.integers(0, 255))
def test_note_keys_round_trip(name: str, n: int) -> None:
    signer = NoteSigner(name, fixed_key(n))
    assert NoteSigner.parse(signer.to_skey()).to_skey() == signer.to_skey()
    assert NoteVerifier.parse(str(signer.verifier())) == signer.verifier()
    witness = CosignatureSigner(name, fixed_key(n))
    assert CosignatureVerifier.parse(witness.verifier_key()) == witness.verifier()


@FUZZ
@given(st.one_of(texts(), mutated_text([WITNESS.verifier_key(), *VKEYS])))
def test_witness_keys(text: str) -> None:
    verifier = only(NoteError, CosignatureVerifier.parse, text)
    if verifier is not None:
        assert str(verifier) == text


@FUZZ
@given(st.lists(st.one_of(texts(), mutated_text(LINES)), min_size=1, max_size=3))
def test_add_cosignatures(lines: list[str]) -> None:
    out = only(NoteError, add_cosignatures, NOTES[1], lines)
    if out is not None:
        assert parse_note(out).text == BODIES[1]
        assert open_note(out, [LOG.verifier()])[0].text == BODIES[1]


@FUZZ
@given(st.one_of(texts(), mutated_text(COSIGNED)))
def test_cosigned_notes(msg: str) -> None:
    cosigners = only(NoteError, count_cosigners, msg, [WITNESS.verifier()])
    if cosigners:
        assert parse_note(msg).text in BODIES  # a cosignature holds only for what it signed
    # check_policy turns every refusal into a VerificationError, what was expected and found.
    if accepts(VerificationError, check_policy, msg, LOG.verifier(), [WITNESS.verifier()], 1):
        assert cosigners == [WITNESS.name] and parse_note(msg).text in BODIES


@FUZZ
@given(st.one_of(texts(), mutated_text(BODIES)), st.binary(max_size=100))
def test_cosignature_verify_never_raises(text: str, sig: bytes) -> None:
    timestamp = WITNESS.verifier().verify(text, sig)
    assert timestamp is None or 0 <= timestamp < 2**63
