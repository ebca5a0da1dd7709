"""`pakta audit --state` on a log that grew fetches only the new entry bundles, replays from
its saved state, and says what a full audit says; a fork or a rollback is still caught, and
a saved state that cannot be trusted is set aside (the audit replays from entry 0 and says so).
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from audit_support import Counting, copy_instance, grow, register
from pakta_support import Agent, new_instance

from registry.audit.audit import AuditError, source_fetch
from registry.audit.command import run_audit
from registry.audit.export import export
from registry.service import open_service
from registry.tlog import tiles

TODAY = "2026-01-01"


def audit_json(
    capsys: pytest.CaptureFixture[str], folder: Path, state: Path | None, fetch: Counting | None
) -> tuple[str, dict[str, object]]:
    from datetime import date

    capsys.readouterr()
    code = run_audit(
        str(folder),
        state_file=str(state) if state else None,
        report=True,
        today=date.fromisoformat(TODAY),
        fetch=fetch,
    )
    assert code == 0
    out = capsys.readouterr().out
    start = out.index("\n{") + 1
    return out[:start], json.loads(out[start:])


def test_a_grown_log_is_audited_from_the_saved_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = new_instance(tmp_path / "i", f"sqlite:///{tmp_path / 'db'}")
    service = open_service(instance)
    busy, other = Agent("pemkab-sibuk"), Agent("pemkab-lain")
    register(service, [busy, other])
    grow(service, [busy, other], 298)
    service.close()
    early = copy_instance(instance, tmp_path / "early")  # the log at 300 entries
    service = open_service(instance)
    try:
        grow(service, [busy], 10)
        mirror, state = tmp_path / "mirror", tmp_path / "state.json"
        export(service.registry, mirror)
        shutil.copytree(mirror, tmp_path / "at310")
        first = Counting(source_fetch(str(mirror)))
        audit_json(capsys, mirror, state, first)
        assert first.bundles() == ["tile/entries/000", "tile/entries/001.p/54"]
        grow(service, [busy], 250)  # the busy agency's history fills its first page
        grow(service, [other], 3)
        export(service.registry, mirror)
        again = Counting(source_fetch(str(mirror)))
        said, resumed = audit_json(capsys, mirror, state, again)
        assert "replayed entries 310..562 only" in said
        # Only the bundles holding new entries; no hash tile or history page of the old part.
        assert again.bundles() == ["tile/entries/001", "tile/entries/002.p/51"]
        assert "tile/0/000" not in again.paths
        assert sorted(p for p in again.paths if p.startswith("histories/")) == [
            "histories/pemkab-lain/0.p.json",
            "histories/pemkab-sibuk/0.json",
            "histories/pemkab-sibuk/1.p.json",
        ]
        _, full = audit_json(capsys, mirror, None, None)
        assert resumed == full
        assert json.loads(state.read_text())["size"] == 563
    finally:
        service.close()

    # A rollback: the mirror as it was at 310 entries, shown to an auditor who saw 563.
    with pytest.raises(AuditError, match="rollback: the log shrank from 563 to 310"):
        run_audit(str(tmp_path / "at310"), state_file=str(state))
    # A fork: the same keys, another history from entry 300 on, longer than what was seen.
    twin = open_service(early)
    try:
        newcomer = Agent("pemkab-baru")
        register(twin, [newcomer])
        grow(twin, [newcomer], 600)
        export(twin.registry, tmp_path / "fork")
    finally:
        twin.close()
    with pytest.raises(AuditError, match="fork: the log is not consistent") as caught:
        run_audit(str(tmp_path / "fork"), state_file=str(state))
    assert "--- last verified checkpoint ---" in str(caught.value)
    assert json.loads(state.read_text())["size"] == 563  # evidence kept, state untouched


def test_a_saved_state_that_cannot_be_trusted_is_replayed_from_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    service = open_service(new_instance(tmp_path / "i", f"sqlite:///{tmp_path / 'db'}"))
    agent = Agent("pemkab-a")
    register(service, [agent])
    grow(service, [agent], 20)
    mirror, state = tmp_path / "mirror", tmp_path / "state.json"
    export(service.registry, mirror)
    audit_json(capsys, mirror, state, None)
    grow(service, [agent], 5)
    export(service.registry, mirror)
    service.close()
    saved = state.with_name("state.json.replay.gz")
    good = saved.read_bytes()
    document = json.loads(gzip.decompress(good))
    document["v"][1][1] = 20  # claims to be for 20 entries, not 21
    saved.write_bytes(gzip.compress(json.dumps(document).encode()))
    fetch = Counting(source_fetch(str(mirror)))
    said, report = audit_json(capsys, mirror, state, fetch)
    assert "replaying from entry 0" in said and "is not the file the state file recorded" in said
    assert fetch.bundles() == ["tile/entries/000.p/26"]
    _, full = audit_json(capsys, mirror, None, None)
    assert report == full
    # A state file from before replay states were saved: the same, said as plainly.
    recorded = json.loads(state.read_text())
    del recorded["replay"]
    state.write_text(json.dumps(recorded))
    said, _ = audit_json(capsys, mirror, state, None)
    assert "replaying from entry 0" in said and "no replay state" in said


def test_entry_bundles_are_planned_once(tmp_path: Path) -> None:
    """A full audit fetches every bundle and every hash tile once, nothing twice."""
    service = open_service(new_instance(tmp_path / "i", f"sqlite:///{tmp_path / 'db'}"))
    agent = Agent("pemkab-a")
    register(service, [agent])
    grow(service, [agent], 700)
    export(service.registry, tmp_path / "m")
    service.close()
    fetch = Counting(source_fetch(str(tmp_path / "m")))
    run_audit(str(tmp_path / "m"), fetch=fetch, jobs=2)
    assert len(fetch.paths) == len(set(fetch.paths))
    tile_paths = {t.path() for t in tiles.entry_tiles_for_size(701)}
    assert tile_paths <= set(fetch.paths)
    assert "tile/0/000" not in fetch.paths  # full bundles are checked against level 1
