"""C2SP tlog-proof: an offline-verifiable file proving one entry is in a signed checkpoint.

`format_proof` writes `c2sp.org/tlog-proof@v1`, an optional `extra` line, `index N`, the
RFC 9162 inclusion path (one base64 hash a line), an empty line and the signed checkpoint
verbatim; `verify_proof` checks all of it against the entry's bytes and the log key. Pure.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from keys.errors import PaktaError
from keys.note import NoteVerifier, open_note
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_BYTES = 64 * 1024


class ProofFileError(PaktaError):
    """A tlog-proof file that does not follow the format."""


@dataclass(frozen=True)
class ProofFile:
    index: int
    proof: tuple[bytes, ...]
    checkpoint: str  # the signed note, verbatim
    extra: bytes | None = None


def format_proof(
    index: int, proof: Sequence[bytes], checkpoint: str, extra: bytes | None = None
) -> str:
    lines = [HEADER]
    if extra is not None:
        lines.append("extra " + base64.b64encode(extra).decode())
    lines.append(f"index {index}")
    lines += [base64.b64encode(h).decode() for h in proof]
    return "\n".join(lines) + "\n\n" + checkpoint


def parse_proof(text: str) -> ProofFile:
    if len(text.encode()) > MAX_PROOF_BYTES:
        raise ProofFileError("proof file too large")
    head, sep, checkpoint = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != HEADER:
        raise ProofFileError(f"not a tlog-proof: the first line must be {HEADER!r}")
    extra = None
    rest = lines[1:]
    try:
        if rest and rest[0].startswith("extra "):
            extra = base64.b64decode(rest.pop(0)[6:], validate=True)
        if not rest or not rest[0].startswith("index "):
            raise ProofFileError("missing 'index N' line")
        number = rest.pop(0)[6:]
        if not number.isdigit() or (number != "0" and number.startswith("0")):
            raise ProofFileError(f"index {number!r} is not a canonical decimal")
        proof = tuple(base64.b64decode(line, validate=True) for line in rest)
    except binascii.Error:
        raise ProofFileError("bad base64 in the proof") from None
    if any(len(h) != merkle.HASH_SIZE for h in proof):
        raise ProofFileError("every proof line must be one SHA-256 hash")
    return ProofFile(int(number), proof, checkpoint, extra)


def verify_proof(text: str, entry: bytes, log: NoteVerifier) -> Checkpoint:
    """Check that `entry` is at the proof's index in the tree its checkpoint signs."""
    parsed = parse_proof(text)
    note, _ = open_note(parsed.checkpoint, [log])
    checkpoint = Checkpoint.parse(note.text)
    merkle.verify_inclusion(
        merkle.leaf_hash(entry), parsed.index, checkpoint.size, parsed.proof, checkpoint.root_hash
    )
    return checkpoint
