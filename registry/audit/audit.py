"""`pakta audit URL|DIR`: verify a whole log without trusting whoever serves it.

From the tiles alone: the checkpoint's signature (log key), every hash tile against the root,
every entry bundle against its level-0 hashes. Then, replaying the entries with the same
`registry.rules` the registry uses: each entry's index and `prev` link, each statement's signatures
and the validity of each key at its time, each agency's `seq`/`prev` chain. The last verified
checkpoint is kept in a state file; the next run proves the new tree consistent with it, and
a smaller or different tree is printed as evidence of a rollback or fork.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from events import parse_statement
from keys.dsse import Envelope
from keys.errors import PaktaError, VerificationError
from keys.note import NoteVerifier, open_note
from registry.rules.lifecycle import Transition
from registry.rules.records import Invalidation, Record, Warning
from registry.rules.replay import Replayer
from registry.rules.state import AgencyHead
from registry.tlog import merkle, tiles
from registry.tlog.checkpoint import Checkpoint

Fetch = Callable[[str], bytes]


class AuditError(VerificationError):
    """The log failed verification; `index` names the first bad entry when there is one."""

    def __init__(self, message: str, index: int | None = None, **kw: Any) -> None:
        super().__init__(message if index is None else f"entry {index}: {message}", **kw)
        self.index = index


def source_fetch(source: str) -> Fetch:
    """A fetcher for a registry URL or an export folder: both have the same paths."""
    if source.startswith(("http://", "https://")):
        base = source.rstrip("/") + "/"

        def fetch_url(path: str) -> bytes:
            try:
                with urllib.request.urlopen(base + path, timeout=60) as response:
                    data: bytes = response.read()
                    return data
            except urllib.error.HTTPError as e:
                raise AuditError(f"{base}{path}: HTTP {e.code}") from None
            except urllib.error.URLError as e:
                raise AuditError(f"{base}{path}: {e.reason}") from None

        return fetch_url
    root = Path(source)
    if not (root / "checkpoint").is_file():
        raise AuditError(f"{source} is neither a URL nor an export folder (no checkpoint file)")

    def fetch_file(path: str) -> bytes:
        try:
            return (root / path).read_bytes()
        except OSError as e:
            raise AuditError(f"{root / path}: {e.strerror}") from None

    return fetch_file


@dataclass
class Report:
    size: int = 0
    root: bytes = b""
    checkpoint: str = ""
    agencies: int = 0
    signatures: int = 0
    replay: Replay | None = None

    @property
    def invalidated(self) -> list[tuple[int, str]]:
        """Entries signed with a key a later revocation made invalid at their time."""
        found = self.replay.invalidated if self.replay else []
        return [(v.index, v.keyid) for v in found]


def verify_checkpoint(note: bytes, verifier: NoteVerifier) -> Checkpoint:
    try:
        signed, _ = open_note(note, [verifier])
    except PaktaError as e:
        raise AuditError(f"checkpoint signature: {e}") from None
    checkpoint = Checkpoint.parse(signed.text)
    if checkpoint.origin != verifier.name:
        raise AuditError(f"checkpoint origin {checkpoint.origin!r} is not {verifier.name!r}")
    return checkpoint


def audit(fetch: Fetch, verifier: NoteVerifier, registrar_keys: dict[str, bytes]) -> Report:
    """Verify everything the source serves; raise `AuditError` at the first problem."""
    note = fetch("checkpoint")
    checkpoint = verify_checkpoint(note, verifier)
    size, root = checkpoint.size, checkpoint.root_hash
    reader = tiles.TileHashReader(size, root, fetch)
    replay = Replay(registrar_keys)
    leaves = merkle.CompactRange()
    for tile in tiles.entry_tiles_for_size(size):
        try:
            entries = tiles.verify_entry_bundle(tile, fetch(tile.path()), reader)
        except VerificationError as e:
            first = tile.index * tiles.TILE_WIDTH
            raise AuditError(f"{e} (bundle {tile.path()})", _bad_entry(e, first)) from None
        for offset, entry in enumerate(entries):
            replay.entry(tile.index * tiles.TILE_WIDTH + offset, entry)
            leaves.append(merkle.leaf_hash(entry))
    if leaves.root() != root:
        raise AuditError("the entries do not hash to the checkpoint's root")
    replay.compare_histories(json.loads(fetch("agencies.json")), size)
    return Report(
        size=size,
        root=root,
        checkpoint=note.decode(),
        agencies=len(replay.heads),
        signatures=replay.signatures,
        replay=replay,
    )


def _bad_entry(error: VerificationError, first: int) -> int:
    text = str(error)
    if text.startswith("entry ") and text.split()[1].isdigit():
        return int(text.split()[1])
    return first


class Replay:
    """Re-applies the registry's rules to each entry in order, as the registry did: the same
    `registry.rules.replay` functions, over an in-memory state."""

    def __init__(self, registrar_keys: dict[str, bytes]) -> None:
        self.rules = Replayer(registrar_keys)
        self.prev: str | None = None
        self.received: datetime | None = None
        self.signatures = 0
        self.warnings: list[Warning] = []
        self.invalidated: list[Invalidation] = []
        self.transitions: list[Transition] = []
        self.records: list[Record] = []

    @property
    def heads(self) -> dict[str, AgencyHead]:
        return self.rules.heads

    def entry(self, index: int, raw: bytes) -> None:
        try:
            self._entry(index, raw)
        except AuditError:
            raise
        except (PaktaError, ValueError, KeyError, TypeError) as e:
            raise AuditError(str(e) or type(e).__name__, index) from None

    def _entry(self, index: int, raw: bytes) -> None:
        entry = json.loads(raw)
        if entry.get("index") != index:
            raise AuditError(f"says it is entry {entry.get('index')}", index)
        if entry.get("prev") != self.prev:
            raise AuditError(
                f"prev {entry.get('prev')} is not the leaf hash of entry {index - 1} ({self.prev})",
                index,
            )
        received = datetime.fromisoformat(entry["received_at"])
        if self.received is not None and received < self.received:
            raise AuditError("received_at goes back in time", index)
        envelope = Envelope.from_json(entry["envelope"])
        statement = parse_statement(envelope.payload)
        if statement.hash in self.rules.refs:
            raise AuditError(f"statement {statement.hash} appears twice", index)
        outcome = self.rules.step(statement, envelope, index, received)
        self.signatures += len(outcome.signatures)
        self.warnings += outcome.warnings
        self.invalidated += outcome.invalidated
        self.transitions += outcome.transitions
        self.records += outcome.records
        self.prev = merkle.leaf_hash(raw).hex()
        self.received = received

    def compare_histories(self, served: dict[str, list[dict[str, Any]]], size: int) -> None:
        """What the registry's agency aggregates stored must be what the log implies."""
        for agency, expected in self.rules.effects.items():
            found = [e for e in served.get(agency, []) if e.get("index", size) < size]
            for want, got in zip(expected, found, strict=False):
                if want != got:
                    raise AuditError(
                        f"the registry's record of agency {agency!r} differs from the log",
                        want["index"],
                        expected=want,
                        found=got,
                    )
            if len(found) != len(expected):
                raise AuditError(
                    f"the registry holds {len(found)} statements of agency {agency!r}, "
                    f"the log {len(expected)}",
                    expected[min(len(found), len(expected) - 1)]["index"],
                )


def check_against_state(state: dict[str, Any], report: Report, fetch: Fetch) -> None:
    """Prove the new tree extends the last verified one; a rollback or fork is evidence."""
    if "size" not in state:
        return
    old_size, old_root = int(state["size"]), bytes.fromhex(state["root"])
    evidence = f"\n--- last verified checkpoint ---\n{state['checkpoint']}" + (
        f"--- checkpoint served now ---\n{report.checkpoint}"
    )
    if old_size > report.size:
        raise AuditError(
            f"rollback: the log shrank from {old_size} to {report.size} entries{evidence}"
        )
    reader = tiles.TileHashReader(report.size, report.root, fetch)
    try:
        proof = merkle.consistency_proof(old_size, report.size, reader)
        merkle.verify_consistency(old_size, report.size, old_root, report.root, proof)
    except PaktaError as e:
        raise AuditError(
            f"fork: the log is not consistent with the last one ({e}){evidence}"
        ) from None
