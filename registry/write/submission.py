"""What a client sends and what it gets back: the strict parse of a submission, and the receipt.

`parse_submission` is the only parse a statement gets on its way into the log: the DSSE
envelope (strict JSON, size-limited), its payload type, and the statement it carries
(`events.parse_statement`: schema and stateless rules). The `Receipt` is the registry's
promise for an accepted statement: where it is, its hashes, the checkpoint that holds it and
the inclusion proof, and the warnings the rules raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from events import Statement, parse_statement, strict_loads
from keys.dsse import PAYLOAD_TYPE, Envelope, EnvelopeError

MAX_ENVELOPE_BYTES = 96 * 1024  # a 64 KiB statement grows by 4/3 in base64, plus signatures


def parse_submission(data: bytes) -> tuple[Envelope, Statement]:
    """Strictly parse a DSSE envelope and the statement it carries."""
    obj = strict_loads(data, max_bytes=MAX_ENVELOPE_BYTES)
    envelope = Envelope.from_json(obj)
    if envelope.payload_type != PAYLOAD_TYPE:
        raise EnvelopeError(
            f"payloadType must be {PAYLOAD_TYPE!r}, not {envelope.payload_type!r}",
            code="bad-value",
            field="/payloadType",
        )
    return envelope, parse_statement(envelope.payload)


@dataclass(frozen=True)
class Receipt:
    """What the registry promises back for an accepted statement."""

    index: int
    leaf_hash: str
    entry_hash: str
    statement_hash: str
    agency: str
    seq: int
    checkpoint: str
    inclusion_proof: tuple[str, ...]
    warnings: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "leaf_hash": self.leaf_hash,
            "entry_hash": self.entry_hash,
            "statement_hash": self.statement_hash,
            "agency": self.agency,
            "seq": self.seq,
            "checkpoint": self.checkpoint,
            "inclusion_proof": list(self.inclusion_proof),
            "warnings": list(self.warnings),
        }
