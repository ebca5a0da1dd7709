"""Collecting witness cosignatures for the registry's checkpoints (C2SP tlog-witness).

After each append the registry offers its newest checkpoint to every configured witness with
a consistency proof from the size that witness last cosigned (learning that size from a 409
when it does not know it). Cosignature lines are added to the stored note, and `/checkpoint`
serves the newest checkpoint that meets the configured k-of-n policy. A refusal is kept in
`refusals` and never blocks appends: witnesses watch the log, they do not gate it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import update

from keys.errors import PaktaError
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureVerifier, add_cosignatures, count_cosigners
from registry.witness.server import SIZE_CONTENT_TYPE, request_cosignature
from registry.write import storage


@dataclass
class Witnessing:
    registry: Any
    witnesses: list[dict[str, str]]
    quorum: int
    known: dict[str, int] = field(default_factory=dict)
    refusals: list[tuple[str, int, str]] = field(default_factory=list)

    def verifiers(self) -> list[CosignatureVerifier]:
        return [CosignatureVerifier.parse(w["vkey"]) for w in self.witnesses]

    def cosign_latest(self) -> int:
        """Offer the newest checkpoint to each witness; return how many cosigned it."""
        note = self.registry.checkpoint()
        if note is None or not self.witnesses:
            return 0
        size = Checkpoint.parse(note[: note.index("\n\n") + 1]).size
        lines = [line for w in self.witnesses if (line := self._ask(w["url"], note, size))]
        cosigned = add_cosignatures(note, lines)
        count = len(count_cosigners(cosigned, self.verifiers()))
        with self.registry.engine.begin() as conn:
            conn.execute(
                update(storage.checkpoints)
                .where(storage.checkpoints.c.size == size)
                .values(note=cosigned, cosigners=count)
            )
        return count

    def _ask(self, url: str, note: str, size: int) -> str | None:
        old = self.known.get(url, 0)
        reader = self.registry.hash_reader()
        for _ in range(2):
            proof = merkle.consistency_proof(old, size, reader) if 0 < old < size else []
            try:
                status, body = request_cosignature(url, old, proof, note)
            except PaktaError as e:
                self.refusals.append((url, size, str(e)))
                return None
            if status == 409 and body.strip().isdigit():
                old = int(body.strip())  # the witness told us its size (text/x.tlog.size)
                if old <= size:
                    continue
            if status == 200:
                self.known[url] = size
                return body.decode()
            self.refusals.append((url, size, f"HTTP {status}: {body.decode(errors='replace')}"))
            return None
        return None


__all__ = ["SIZE_CONTENT_TYPE", "Witnessing"]
