"""Shared by the witness tests: a log over fixed leaves that signs checkpoints and proofs for any
prefix of them, and checks of what a witness answered and stored."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from keys.note import NoteSigner, sign_note
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.merkle import (
    ListHashReader,
    build_stored_hashes,
    consistency_proof,
    leaf_hash,
    tree_hash,
)
from registry.witness.server import Witness, format_add_checkpoint

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "vectors" / "witness" / "spec-examples.json").read_text(
        encoding="utf-8"
    )
)
ORIGIN = "test.pakta/log"
TS = 1_700_000_000


class Log:
    """A log signer over a fixed list of leaves, answering for any prefix of them."""

    def __init__(self, signer: NoteSigner, leaves: list[bytes], origin: str = ORIGIN) -> None:
        self.signer, self.origin = signer, origin
        self.reader = ListHashReader(build_stored_hashes(leaves))

    def checkpoint(self, size: int) -> str:
        text = Checkpoint(self.origin, size, tree_hash(size, self.reader)).to_text()
        return sign_note(text, [self.signer])

    def proof(self, old: int, size: int) -> list[bytes]:
        return consistency_proof(old, size, self.reader)

    def request(self, old: int, size: int, proof: list[bytes] | None = None) -> bytes:
        proof = self.proof(old, size) if proof is None else proof
        return format_add_checkpoint(old, proof, self.checkpoint(size))


def leaves(tag: bytes, n: int) -> list[bytes]:
    return [leaf_hash(b"%s %d" % (tag, i)) for i in range(n)]


def accept(witness: Witness, body: bytes) -> str:
    status, out, ctype = witness.add_checkpoint(body)
    assert (status, ctype) == (200, "text/plain; charset=utf-8"), out
    return out.decode()


def assert_state(witness: Witness, log: Log, size: int) -> None:
    state = witness.state(ORIGIN)
    assert state is not None
    assert (state.size, state.root_hash) == (size, tree_hash(size, log.reader))
    assert state.checkpoint == log.checkpoint(size)
