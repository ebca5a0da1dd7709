"""The last checkpoint a client verified, kept between runs like a monitor: `pakta verify-unit
--state FILE` (what the browser keeps in localStorage, web/static/verify/unit-check.js).

The file is JSON in the form of `pakta audit --state`'s (`size`, `root`, `checkpoint`, and the
anchors `log_key` and `registrar_keys`, pinned on first use). A checkpoint served later must
extend the one kept, proven by `GET /api/v1/consistency?from=&to=` (RFC 9162 consistency
proof); a smaller tree is a rollback and another tree of a larger size a fork, and either
fails with both checkpoints printed as evidence. A checkpoint that passes is kept (the file is
replaced atomically), whatever the rest of the check finds: it is the log's, signed and
consistent.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from keys.errors import PaktaError
from registry.audit.errors import FetchError
from registry.audit.fetching import Fetch
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint


class Rollback(PaktaError):
    """The checkpoint served does not extend the one verified before."""


class NoProof(PaktaError):
    """The server gave no consistency proof (nothing is known to be wrong)."""


@dataclass
class LastSeen:
    """The state file and what it holds."""

    path: Path
    state: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path) -> LastSeen:
        found = Path(path)
        if not found.exists():
            return cls(found)
        try:
            state = json.loads(found.read_text())
            if not isinstance(state, dict):
                raise ValueError("not a JSON object")
        except (OSError, ValueError) as e:
            raise ValueError(f"the state file {found}: {e}") from None
        return cls(found, state)

    def check_and_keep(
        self, checkpoint: Checkpoint, note: str, fetch: Fetch, anchors: dict[str, Any]
    ) -> str | None:
        """Raise `Rollback` unless `checkpoint` extends the one kept, then keep it; a line to
        print when one was kept before."""
        said = None
        if "size" in self.state:
            size, root = int(self.state["size"]), bytes.fromhex(str(self.state["root"]))
            extends(size, root, str(self.state.get("checkpoint", "")), checkpoint, note, fetch)
            said = f"ok: the checkpoint extends the one verified before (size {size})"
        self.state.update(anchors)
        self.state.update(size=checkpoint.size, root=checkpoint.root_hash.hex(), checkpoint=note)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(self.state, indent=2))
        os.replace(tmp, self.path)
        return said


def extends(
    size: int, root: bytes, kept: str, checkpoint: Checkpoint, note: str, fetch: Fetch
) -> None:
    """The tree `checkpoint` names must extend the tree of `size` with `root`."""
    evidence = f"\n--- last verified checkpoint ---\n{kept}--- checkpoint served now ---\n{note}"
    if size > checkpoint.size:
        raise Rollback(f"rollback: the log shrank from {size} to {checkpoint.size}{evidence}")
    proof: list[bytes] = []
    if 0 < size < checkpoint.size:
        path = f"api/v1/consistency?from={size}&to={checkpoint.size}"
        try:
            served = json.loads(fetch(path))
            proof = [base64.b64decode(h, validate=True) for h in served["consistency_proof"]]
        except FetchError as e:
            raise NoProof(f"{path}: {e}") from None
        except (ValueError, KeyError, TypeError):
            raise Rollback(f"fork: {path} is not a consistency proof{evidence}") from None
    try:
        merkle.verify_consistency(size, checkpoint.size, root, checkpoint.root_hash, proof)
    except PaktaError as e:  # the proof's own message, then the evidence
        raise Rollback(
            f"fork: the log is not consistent with the last one ({e}){evidence}"
        ) from None
