"""`pakta audit`: the anchors to trust, the state file between runs, and what is printed.

`run_audit` takes plain values (the CLI's argparse stays in `registry/cli.py`): the source, the
anchors given on the command line (else those kept in the state file, else, said out loud,
those the source serves), the state file, and whether to print the derived report.
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
from registry.audit.audit import Fetch, audit, check_against_state, source_fetch
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
) -> int:
    fetch = source_fetch(source)
    state_path = Path(state_file) if state_file else None
    state: dict[str, Any] = {}
    if state_path is not None and state_path.exists():
        state = json.loads(state_path.read_text())
    verifier, registrar, notes = anchors(fetch, log_key, registrar_keys, state)
    for line in notes:
        print(f"note: {line}")
    found = audit(fetch, verifier, registrar)
    check_against_state(state, found, fetch)
    print(
        f"ok: {found.size} entries, {found.agencies} agencies, {found.signatures} "
        f"signatures verified; root {found.root.hex()}"
    )
    for index, kid in found.invalidated:
        print(f"warning: entry {index} was signed by {kid}, since revoked from before it")
    if report and found.replay is not None:
        print(
            json.dumps(derived(found.replay, today or date.today()), indent=2, ensure_ascii=False)
        )
    if state_path is not None:
        new_state = {
            "size": found.size,
            "root": found.root.hex(),
            "checkpoint": found.checkpoint,
            "log_key": str(verifier),
            "registrar_keys": [b64(v) for v in registrar.values()],
        }
        tmp = state_path.with_name(state_path.name + ".tmp")
        tmp.write_text(json.dumps(new_state, indent=2))
        os.replace(tmp, state_path)
    return 0
