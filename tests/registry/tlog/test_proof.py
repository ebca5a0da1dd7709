"""Tests for registry.tlog.proof: tlog-proof files written, read back and verified, and every
malformed file refused with `ProofFileError` (never ValueError or UnicodeEncodeError)."""

from __future__ import annotations

import base64

import pytest

from keys.ed25519 import generate
from keys.errors import NoteError, VerificationError
from keys.note import NoteSigner, sign_note
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.merkle import (
    ListHashReader,
    build_stored_hashes,
    inclusion_proof,
    leaf_hash,
    tree_hash,
)
from registry.tlog.proof import (
    HEADER,
    MAX_PROOF_BYTES,
    ProofFile,
    ProofFileError,
    format_proof,
    parse_proof,
    verify_proof,
)

ORIGIN = "test.pakta/log"
ENTRIES = [b"entry %d" % i for i in range(13)]
SIGNER = NoteSigner(ORIGIN, generate())
READER = ListHashReader(build_stored_hashes([leaf_hash(e) for e in ENTRIES]))
NOTE = sign_note(Checkpoint(ORIGIN, 13, tree_hash(13, READER)).to_text(), [SIGNER])
H = base64.b64encode(bytes(32)).decode()


def proof_file(index: int, extra: bytes | None = None) -> str:
    return format_proof(index, inclusion_proof(index, 13, READER), NOTE, extra)


def test_round_trip_and_verify() -> None:
    for index in range(13):
        for extra in (None, b"", b"\x00context"):
            text = proof_file(index, extra)
            parsed = parse_proof(text)
            path = tuple(inclusion_proof(index, 13, READER))
            assert parsed == ProofFile(index, path, NOTE, extra)
            assert format_proof(parsed.index, parsed.proof, parsed.checkpoint, extra) == text
            assert parse_proof(text.encode()) == parsed
            assert verify_proof(text, ENTRIES[index], SIGNER.verifier()).size == 13


def test_spec_layout() -> None:
    lines = proof_file(5, b"hi").split("\n")
    assert lines[:3] == [HEADER, "extra aGk=", "index 5"]
    assert lines[3 + len(inclusion_proof(5, 13, READER))] == ""


def test_verify_refuses_the_wrong_entry_key_or_origin() -> None:
    with pytest.raises(VerificationError):
        verify_proof(proof_file(3), ENTRIES[4], SIGNER.verifier())
    with pytest.raises(NoteError):
        verify_proof(proof_file(3), ENTRIES[3], NoteSigner(ORIGIN, generate()).verifier())
    # The log's key, but a checkpoint naming another origin.
    other = NoteSigner("other.example/log", SIGNER.private_key)
    note = sign_note(Checkpoint(ORIGIN, 13, tree_hash(13, READER)).to_text(), [other])
    text = format_proof(3, inclusion_proof(3, 13, READER), note)
    with pytest.raises(VerificationError, match="another log"):
        verify_proof(text, ENTRIES[3], other.verifier())
    # An index past the checkpoint's size.
    with pytest.raises(VerificationError):
        verify_proof(format_proof(13, [], NOTE), ENTRIES[3], SIGNER.verifier())


@pytest.mark.parametrize(
    "number",
    [
        "²",  # str.isdigit() is True, int() raises ValueError
        "٣",  # Arabic-Indic three: int() reads it as 3
        "３",  # fullwidth three
        "1٣",
        "01",
        "00",
        "-1",
        "+1",
        " 1",
        "1 ",
        "",
        "0x1",
        "1_000",
        "9223372036854775807",  # an index must be below the largest tree size
        "9" * 5000,  # int() refuses strings of more than 4300 digits with ValueError
    ],
)
def test_index_is_a_canonical_ascii_decimal(number: str) -> None:
    text = proof_file(3).replace("index 3\n", f"index {number}\n")
    with pytest.raises(ProofFileError):
        parse_proof(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n",
        HEADER,
        HEADER + "\n\n" + NOTE,
        "c2sp.org/tlog-proof@v2\nindex 0\n\n" + NOTE,
        HEADER + "\nindex 0\n" + NOTE,  # no empty line
        HEADER + "\nindex 0\n\n",  # no checkpoint
        HEADER + "\nindex 0\n\nnot a note\n",
        HEADER + "\nindex 0\n\n" + NOTE.replace("13", "013", 1),  # non-canonical checkpoint
        HEADER + "\nindex 0\n\n\n" + NOTE,
        HEADER + "\nindex 0\n" + H[:-1] + "\n\n" + NOTE,
        HEADER + "\nindex 0\n" + H[:-2] + "AB\n\n" + NOTE,  # non-zero padding bits
        HEADER + "\nindex 0\n" + H + " \n\n" + NOTE,
        HEADER + "\nindex 0\né" + H + "\n\n" + NOTE,  # b64decode raises ValueError on non-ASCII
        HEADER + "\nindex 0\n" + base64.b64encode(bytes(31)).decode() + "\n\n" + NOTE,
        HEADER + "\nindex 0\n" + (H + "\n") * 64 + "\n" + NOTE,
        HEADER + "\nextra é\nindex 0\n\n" + NOTE,
        HEADER + "\nextra !!\nindex 0\n\n" + NOTE,
        HEADER + "\nindex 0\nextra AA==\n\n" + NOTE,
        HEADER + "\nindex \ud800\n\n" + NOTE,  # a lone surrogate: no UTF-8 encoding
        HEADER + "\nindex 0\n\n" + NOTE[:-1] + "\ud800\n",
        HEADER + "\nindex 0\n\n" + NOTE + "x" * MAX_PROOF_BYTES,
    ],
)
def test_malformed_files_are_proof_file_errors(text: str) -> None:
    with pytest.raises(ProofFileError):
        parse_proof(text)
    with pytest.raises(ProofFileError):
        verify_proof(text, ENTRIES[0], SIGNER.verifier())


@pytest.mark.parametrize("raw", [b"\xff", proof_file(0).encode() + b"\xc3", b"x" * (1 << 17)])
def test_bytes_must_be_utf8_and_bounded(raw: bytes) -> None:
    with pytest.raises(ProofFileError):
        parse_proof(raw)
