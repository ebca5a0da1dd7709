"""`pakta verify-unit --state FILE` keeps the last checkpoint it verified, like a monitor (and
like the browser's localStorage): on the real demo server, a first run keeps it, a later run is
served one that extends it (proven by the consistency route from an older checkpoint); a state
of a larger tree is a rollback, a state whose tree the served one does not extend a fork, a
lying consistency proof a fork, each "failed" with both checkpoints printed; no proof to be had
is "could not be checked"."""

from __future__ import annotations

import base64
import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest
from pakta_support import LiveServer
from test_cli_verify_unit import demo, edit_json, lying, recording, server

from registry.audit.errors import FetchError
from registry.audit.fetching import HttpFetch
from registry.audit.verify_unit import FAILED, UNCHECKED, VERIFIED, run_verify_unit
from registry.cli import main
from registry.write.instance import Instance

__all__ = ["demo", "server"]  # the module's fixtures, shared
UNIT = "rs-jiwa-sultra"
OLDER = 13  # a size the demo kept a checkpoint of (1..18, then the whole log)


def run(server: LiveServer, demo: Instance, state: Path, fetch: Any = None) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run_verify_unit(
            server.url, UNIT, log_key=demo.log_vkey, state_file=str(state), fetch=fetch
        )
    return code, out.getvalue()


def older_state(server: LiveServer, path: Path, root: str | None = None) -> dict[str, Any]:
    """A state file as a run at size OLDER would have left it."""
    size = json.loads(HttpFetch(server.url)("api/v1/log"))["size"]
    found = json.loads(HttpFetch(server.url)(f"api/v1/consistency?from={OLDER}&to={size}"))
    note = found["from_checkpoint"]
    real = _root(note)
    state = {"size": OLDER, "root": root or real, "checkpoint": note}
    path.write_text(json.dumps(state))
    return state


def _root(note: str) -> str:
    return base64.b64decode(note.split("\n")[2]).hex()


def test_a_first_run_keeps_the_checkpoint_and_a_second_is_checked_against_it(
    server: LiveServer, demo: Instance, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    code, out = run(server, demo, state)
    assert code == VERIFIED, out
    kept = json.loads(state.read_text())
    size = json.loads(HttpFetch(server.url)("api/v1/log"))["size"]
    assert kept["size"] == size and kept["log_key"] == demo.log_vkey
    assert kept["checkpoint"].startswith(demo.log_vkey.split("+")[0] + "\n")
    code, out = run(server, demo, state)
    assert code == VERIFIED, out
    assert f"ok: the checkpoint extends the one verified before (size {size})" in out
    # The pinned log key is the kept one: the command line need not give it again.
    assert main(["verify-unit", server.url, UNIT, "--state", str(state)]) == VERIFIED


def test_an_older_checkpoint_is_extended_by_a_consistency_proof(
    server: LiveServer, demo: Instance, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    older_state(server, state)
    fetch, asked = recording(server.url)

    code, out = run(server, demo, state, fetch)
    assert code == VERIFIED, out
    assert f"extends the one verified before (size {OLDER})" in out
    assert any(p.startswith(f"api/v1/consistency?from={OLDER}&to=") for p in asked), asked
    assert json.loads(state.read_text())["size"] > OLDER


def test_a_rollback_fails_showing_both_checkpoints(
    server: LiveServer, demo: Instance, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    kept = older_state(server, state)
    kept["size"] = 10**6
    state.write_text(json.dumps(kept))
    code, out = run(server, demo, state)
    assert code == FAILED, out
    assert "checkpoint: rollback: the log shrank from 1000000" in out
    assert "--- last verified checkpoint ---" in out and "--- checkpoint served now ---" in out
    assert json.loads(state.read_text())["size"] == 10**6  # the evidence is kept


def test_another_tree_is_a_fork(server: LiveServer, demo: Instance, tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    older_state(server, state, root="00" * 32)
    code, out = run(server, demo, state)
    assert code == FAILED, out
    assert "checkpoint: fork: the log is not consistent with the last one" in out


def test_a_lying_consistency_proof_is_a_fork(
    server: LiveServer, demo: Instance, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    older_state(server, state)

    def flip(data: dict[str, Any]) -> None:
        h = data["consistency_proof"][0]
        data["consistency_proof"][0] = ("B" if h[0] == "A" else "A") + h[1:]

    lie = lying(server, lambda path, body: body if "consistency" not in path else
                edit_json(path.split("?")[0], flip)(path, body))  # fmt: skip
    code, out = run(server, demo, state, lie)
    assert code == FAILED, out
    assert "fork" in out


def test_no_consistency_proof_could_not_be_checked(
    server: LiveServer, demo: Instance, tmp_path: Path
) -> None:
    state = tmp_path / "state.json"
    older_state(server, state)

    def cut(path: str, body: bytes) -> bytes:
        if "consistency" in path:
            raise FetchError("connection reset")
        return body

    code, out = run(server, demo, state, lying(server, cut))
    assert code == UNCHECKED, out
    assert json.loads(state.read_text())["size"] == OLDER


@pytest.mark.parametrize("text", ["not json", "[1, 2]"])
def test_an_unreadable_state_file_could_not_be_checked(
    server: LiveServer, demo: Instance, tmp_path: Path, text: str
) -> None:
    state = tmp_path / "state.json"
    state.write_text(text)
    code, out = run(server, demo, state)
    assert code == UNCHECKED and "the state file" in out, out
    assert state.read_text() == text
