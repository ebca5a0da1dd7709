"""`pakta audit`: the anchors to trust, the state file between runs, and what is printed.

`run_audit` takes plain values (the CLI's argparse stays in `registry/cli.py`): the source, the
anchors given on the command line (else those kept in the state file, else, said out loud,
those the source serves), the state file, the number of worker processes, and whether to
print the derived report. The state file keeps the last verified checkpoint and the anchors;
the replay state after it is kept next to it (`<state>.replay.gz`, `registry.audit.snapshot`)
so that the next run replays only the new entries; when it cannot be used, the audit says so
and replays from entry 0.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from keys.ed25519 import b64, key_id, unb64
from keys.note import NoteVerifier
from registry.audit import snapshot
from registry.audit.audit import Fetch, Replay, Saved, audit, source_fetch
from registry.audit.fetching import HttpFetch
from registry.audit.report import derived


def anchors(
    fetch: Fetch,
    log_key: str | None,
    registrar_keys: Sequence[str] | None,
    state: dict[str, Any],
) -> tuple[NoteVerifier, dict[str, bytes], list[str]]:
    """The log key and registrar keys to trust, and a note for each one taken from the source."""
    notes = []
    vkey = log_key or state.get("log_key")
    if vkey is None:
        vkey = fetch("log-key").decode().strip()
        notes.append(f"trusting the log key the source serves: {vkey}")
    raw_keys = registrar_keys or state.get("registrar_keys")
    if raw_keys is None:
        raw_keys = list(json.loads(fetch("registrar-keys.json")).values())
        notes.append("trusting the registrar keys the source serves")
    registrar = {key_id(unb64(k)): unb64(k) for k in raw_keys}
    return NoteVerifier.parse(vkey), registrar, notes


def run_audit(
    source: str,
    *,
    log_key: str | None = None,
    registrar_keys: Sequence[str] | None = None,
    state_file: str | None = None,
    report: bool = False,
    today: date | None = None,
    jobs: int | None = None,
    fetch: Fetch | None = None,
) -> int:
    fetch = fetch or source_fetch(source)
    try:
        return _run(fetch, log_key, registrar_keys, state_file, report, today, jobs)
    finally:
        if isinstance(fetch, HttpFetch):
            fetch.close()


def _run(
    fetch: Fetch,
    log_key: str | None,
    registrar_keys: Sequence[str] | None,
    state_file: str | None,
    report: bool,
    today: date | None,
    jobs: int | None,
) -> int:
    state_path = Path(state_file) if state_file else None
    state: dict[str, Any] = {}
    if state_path is not None and state_path.exists():
        state = json.loads(state_path.read_text())
    verifier, registrar, notes = anchors(fetch, log_key, registrar_keys, state)
    since = _saved(state, state_path, registrar, notes)
    for line in notes:
        print(f"note: {line}")
    found = audit(fetch, verifier, registrar, jobs=jobs, since=since)
    print(
        f"ok: {found.size} entries, {found.agencies} agencies, {found.signatures} "
        f"signatures verified; root {found.root.hex()}"
    )
    if found.resumed_from == found.size:
        print(f"note: no entries since the saved state of {found.size}")
    elif found.resumed_from:
        print(
            f"note: replayed entries {found.resumed_from}..{found.size - 1} only (the saved "
            f"state covers the rest); {found.histories} agency histories compared"
        )
    for index, kid in found.invalidated:
        print(f"warning: entry {index} was signed by {kid}, since revoked from before it")
    if report and found.replay is not None:
        print(
            json.dumps(derived(found.replay, today or date.today()), indent=2, ensure_ascii=False)
        )
    if state_path is not None and found.replay is not None:
        saved = snapshot.save(_replay_path(state_path), found.size, found.replay.fields())
        new_state = {
            "size": found.size,
            "root": found.root.hex(),
            "checkpoint": found.checkpoint,
            "log_key": str(verifier),
            "registrar_keys": [b64(v) for v in registrar.values()],
            "replay": saved,
        }
        tmp = state_path.with_name(state_path.name + ".tmp")
        tmp.write_text(json.dumps(new_state, indent=2))
        os.replace(tmp, state_path)
    return 0


def _replay_path(state_path: Path) -> Path:
    return state_path.with_name(state_path.name + ".replay.gz")


def _saved(
    state: dict[str, Any], state_path: Path | None, registrar: dict[str, bytes], notes: list[str]
) -> Saved | None:
    """The last verified checkpoint from the state file, with the replay state after it when
    that can be used (else a note: the audit replays from entry 0)."""
    if state_path is None or "size" not in state:
        return None
    saved = Saved(int(state["size"]), bytes.fromhex(state["root"]), state["checkpoint"])
    try:
        fields = snapshot.load(_replay_path(state_path), state.get("replay"), saved.size)
        replay = Replay.from_fields(fields, registrar)
        if replay.size != saved.size or replay.leaves.root() != saved.root:
            raise ValueError("it is not the state of the last verified checkpoint's tree")
        saved.replay = replay
    except (ValueError, KeyError, TypeError) as e:
        notes.append(f"replaying from entry 0: the saved replay state cannot be used ({e})")
    return saved
