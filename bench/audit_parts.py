"""Bench: where `pakta audit`'s CPU goes per entry, stage by stage, in one run.

Builds (or takes) an exported log, then times each stage of the audit on its own over the
same entries, in this process's CPU time (`time.process_time`, so neighbours' load and waits
are left out), and prints microseconds per entry and each stage's share of the whole audit
(`--jobs 1`, timed in the same run, round after round). The stages, in the audit's order:

- read: the entry bundles' files, each split into entries, leaf hashes, the subtree root;
- entry JSON: `json.loads` of each log entry and its `received_at`;
- DSSE: the envelope's strict reading (members, base64);
- statement: `parse_statement` (strict JSON and canonical checks, fields, body schema with
  its formats, documents, the type's stateless rules);
- verify: one libsodium Ed25519 verify per signature over the PAE;
- worker total: `check_bundle` as a worker runs it (the stages above, with the keys learned);
- hand-over: pickling a bundle's outcome in a worker and unpickling it in the main process;
- rules: the ordered replay (`Replayer.step`: chain, keys, guards, changes, records,
  warnings), and the subject chains and map root after each entry, with the collector set
  as the audit sets it;
- whole audit: `audit(..., jobs=1)`, which also checks the checkpoints and histories.

    python -m bench.audit_parts [--entries 16384] [--rounds 3] [--folder DIR]
"""

from __future__ import annotations

import argparse
import base64
import gc
import json
import pickle
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from events import parse_statement
from keys.dsse import Envelope, pae
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.pool import DEFAULT_VERIFIER, VERIFIERS, Checked, Task, check_bundle
from registry.audit.replay import Replay
from registry.tlog import merkle, tiles

from .audit_cores import build


def _bundles(folder: Path, size: int) -> list[tuple[tiles.Tile, bytes]]:
    return [(t, (folder / t.path()).read_bytes()) for t in tiles.entry_tiles_for_size(size)]


def stages(folder: Path, anchors: dict[str, Any]) -> dict[str, Callable[[], int]]:
    """Each stage as a function of no arguments that returns how many entries it did."""
    registrar: dict[str, bytes] = anchors["registrar"]
    verifier = NoteVerifier.parse(anchors["log_key"])
    size = audit(source_fetch(str(folder)), verifier, registrar, jobs=1).size
    bundles = _bundles(folder, size)
    raws = [r for tile, data in bundles for r in tiles.decode_entry_bundle(data, tile.width)]
    entries = [json.loads(r) for r in raws]
    envelopes = [Envelope.from_json(e["envelope"]) for e in entries]
    verify = VERIFIERS[DEFAULT_VERIFIER]
    keys = dict(registrar)
    tasks = []
    for tile, data in bundles:
        leaves = [merkle.leaf_hash(r) for r in tiles.decode_entry_bundle(data, tile.width)]
        start = tile.index * tiles.TILE_WIDTH
        tasks.append(Task(tile.path(), start, tile.width, data, 0, leaves=tuple(leaves)))
    keys = dict(registrar)
    checked: list[Checked] = [check_bundle(task, keys) for task in tasks]
    keys_by_entry = [
        [(s.keyid, dict(p.verified).get(s.keyid)) for s in p.envelope.signatures]
        for c in checked
        for p in c.entries
        if p.envelope is not None
    ]
    pickled = [pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL) for c in checked]

    def read() -> int:
        for tile, _ in bundles:
            data = (folder / tile.path()).read_bytes()
            leaves = [merkle.leaf_hash(r) for r in tiles.decode_entry_bundle(data, tile.width)]
            merkle.root_from_leaf_hashes(leaves)
        return size

    def entry_json() -> int:
        for raw in raws:
            datetime.fromisoformat(json.loads(raw)["received_at"])
        return size

    def dsse() -> int:
        for entry in entries:
            Envelope.from_json(entry["envelope"])
        return size

    def statement() -> int:
        for envelope in envelopes:
            parse_statement(envelope.payload)
        return size

    def signatures() -> int:
        for envelope, found in zip(envelopes, keys_by_entry, strict=True):
            message = pae(envelope.payload_type, envelope.payload)
            for signature, (_kid, public) in zip(envelope.signatures, found, strict=True):
                if public is not None:
                    verify(public, message, signature.sig)
        return size

    def worker() -> int:
        learned = dict(registrar)
        for task in tasks:
            check_bundle(task, learned)
        return size

    def hand_over() -> int:
        for c in checked:
            pickle.loads(pickle.dumps(c, protocol=pickle.HIGHEST_PROTOCOL))
        return size

    def unpickle() -> int:
        for data in pickled:
            pickle.loads(data)
        return size

    def rules() -> int:
        # With the collector as the audit sets it (`_replay_entries`): what exists frozen
        # after each bundle, the young generation's threshold raised, both undone after.
        replay = Replay(registrar)
        threshold = gc.get_threshold()
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
        try:
            for c in checked:
                for offset, parsed in enumerate(c.entries):
                    replay.checked(c.start + offset, parsed)
                gc.freeze()
        finally:
            gc.set_threshold(*threshold)
            gc.unfreeze()
        return size

    def whole() -> int:
        return audit(source_fetch(str(folder)), verifier, registrar, jobs=1).size

    return {
        "read bundles (files, split, leaf hashes, subtree root)": read,
        "entry JSON + received_at": entry_json,
        "DSSE envelope (strict, base64)": dsse,
        "statement (strict JSON, fields, schema, stateless rules)": statement,
        "signature verify (libsodium)": signatures,
        "worker total (check_bundle)": worker,
        "hand-over (pickle + unpickle)": hand_over,
        "  of which unpickle in the main process": unpickle,
        "rules replay + subject map (ordered, main process)": rules,
        "whole audit, --jobs 1": whole,
    }


def measure(folder: Path, anchors: dict[str, Any], rounds: int) -> dict[str, float]:
    runs: dict[str, list[float]] = {}
    parts = stages(folder, anchors)
    for _ in range(rounds):
        for name, stage in parts.items():
            cpu = time.process_time()
            count = stage()
            runs.setdefault(name, []).append((time.process_time() - cpu) * 1e6 / count)
    return {name: round(statistics.median(v), 1) for name, v in runs.items()}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_parts")
    parser.add_argument("--entries", type=int, default=16384)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--folder", help="an export folder to read (else one is built)")
    parser.add_argument("--out", default=".bench/audit-parts.json")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.folder:
            folder = Path(args.folder)
            anchors = {
                "log_key": (folder / "log-key").read_text().strip(),
                "registrar": {
                    k: base64.b64decode(v)
                    for k, v in json.loads((folder / "registrar-keys.json").read_text()).items()
                },
            }
        else:
            folder = Path(tmp) / "export"
            anchors = build(folder, args.entries)
        result = measure(folder, anchors, args.rounds)
    whole = result["whole audit, --jobs 1"]
    print(f"{args.entries} entries, CPU us per entry (median of {args.rounds} rounds)\n")
    print("| stage | us per entry | share of the audit |\n|---|---|---|")
    for name, us in result.items():
        print(f"| {name} | {us:.1f} | {us / whole:.0%} |")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"entries": args.entries, "us": result}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
