"""C2SP tlog-proof: an offline-verifiable file proving one entry is in a signed checkpoint.

`format_proof` writes `c2sp.org/tlog-proof@v1`, an optional `extra` line, `index N`, the
RFC 9162 inclusion path (one base64 hash a line), an empty line and the signed checkpoint
verbatim; `parse_proof` reads one strictly (ASCII digits only, canonical base64, a bounded
size, a well-formed signed checkpoint) and raises only `ProofFileError`; `verify_proof` checks
all of it against the entry's bytes and the log key. Pure.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from dataclasses import dataclass

from keys.ed25519 import unb64
from keys.errors import EncodingError, NoteError, PaktaError, VerificationError
from keys.note import NoteVerifier, open_note, parse_note
from registry.tlog import merkle
from registry.tlog.checkpoint import MAX_TREE_SIZE, Checkpoint, CheckpointError

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF_BYTES = 64 * 1024
_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")


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


def parse_proof(text: str | bytes) -> ProofFile:
    """The parts of a tlog-proof file, strictly; `ProofFileError` for anything else.

    The checkpoint must be a signed note whose text is a canonical checkpoint (nothing is
    verified here: `verify_proof` checks the signature and the inclusion proof).
    """
    text = _text(text)
    head, sep, checkpoint = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or lines[0] != HEADER:
        raise ProofFileError(f"not a tlog-proof: the first line must be {HEADER!r}")
    rest = lines[1:]
    extra = None
    # tlog-proof §Format: "The second line MAY start with the string extra followed by a
    # space (U+0020) and base64-encoded opaque extra data."
    if rest and rest[0].startswith("extra "):
        extra = _base64(rest.pop(0)[6:], "the extra line")
    if not rest or not rest[0].startswith("index "):
        raise ProofFileError("missing 'index N' line")
    index = _index(rest.pop(0)[6:])
    # An inclusion proof in a tree of at most 2**63 - 1 leaves has at most 63 hashes.
    if len(rest) > 63:
        raise ProofFileError(f"{len(rest)} proof lines; an inclusion proof has at most 63")
    proof = tuple(_base64(line, "a proof line") for line in rest)
    if any(len(h) != merkle.HASH_SIZE for h in proof):
        raise ProofFileError("every proof line must be one SHA-256 hash")
    try:
        # tlog-proof §Format: "the checkpoint issued by the log is included verbatim".
        Checkpoint.parse(parse_note(checkpoint).text)
    except (NoteError, CheckpointError) as e:
        raise ProofFileError(f"the checkpoint is not a signed tlog-checkpoint: {e}") from None
    return ProofFile(index, proof, checkpoint, extra)


def _text(text: str | bytes) -> str:
    if isinstance(text, bytes):
        if len(text) > MAX_PROOF_BYTES:
            raise ProofFileError("proof file too large")
        try:
            return text.decode("utf-8")
        except UnicodeDecodeError:
            raise ProofFileError("proof file is not UTF-8") from None
    if len(text) > MAX_PROOF_BYTES:  # checked before encoding: each character is >= 1 byte
        raise ProofFileError("proof file too large")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate has no UTF-8 encoding
        raise ProofFileError("proof file is not valid Unicode text") from None
    if size > MAX_PROOF_BYTES:
        raise ProofFileError("proof file too large")
    return text


def _index(number: str) -> int:
    # tlog-proof §Format: "an ASCII decimal with no leading zeroes (unless the index is 0)";
    # str.isdigit() and int() would take "²" or "٣" too.
    if _DECIMAL.fullmatch(number) is None or int(number) >= MAX_TREE_SIZE:
        raise ProofFileError(f"index {number[:40]!r} is not a canonical decimal below 2^63 - 1")
    return int(number)


def _base64(line: str, what: str) -> bytes:
    try:
        return unb64(line)  # RFC 4648 §4, the one canonical spelling
    except EncodingError:
        raise ProofFileError(f"{what} is not standard base64") from None


def verify_proof(text: str | bytes, entry: bytes, log: NoteVerifier) -> Checkpoint:
    """Check that `entry` is at the proof's index in the tree its checkpoint signs.

    Raises `ProofFileError` for a malformed file, `NoteError` if the log did not sign the
    checkpoint, and `VerificationError` for a bad signature, origin or inclusion proof.
    """
    parsed = parse_proof(text)
    note, _ = open_note(parsed.checkpoint, [log])
    checkpoint = Checkpoint.parse(note.text)
    # tlog-proof §Verifying: the checkpoint must be signed "by a log public key configured
    # for that origin line"; a log key's name is its origin.
    if checkpoint.origin != log.name:
        raise VerificationError(
            "the checkpoint is for another log", expected=log.name, found=checkpoint.origin
        )
    merkle.verify_inclusion(
        merkle.leaf_hash(entry), parsed.index, checkpoint.size, parsed.proof, checkpoint.root_hash
    )
    return checkpoint
