"""The replay state saved between audits comes back as it was, for every kind of record the
demo's 21 statement types produce, and builds nothing but the rules' own types."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from golden_demo import GOLDEN, fixed_instance

from keys.note import NoteVerifier
from registry.audit import snapshot
from registry.audit.audit import Replay, audit, source_fetch
from registry.audit.report import derived


def demo_replay(tmp_path: Path) -> Replay:
    instance = fixed_instance(tmp_path / "instance")
    report = audit(
        source_fetch(str(GOLDEN)), NoteVerifier.parse(instance.log_vkey), instance.registrar_keys
    )
    assert report.replay is not None
    return report.replay


def test_the_demo_replay_state_round_trips(tmp_path: Path) -> None:
    replay = demo_replay(tmp_path)
    saved = snapshot.save(tmp_path / "state.replay.gz", replay.size, replay.fields())
    fields = snapshot.load(tmp_path / "state.replay.gz", saved, replay.size)
    back = Replay.from_fields(fields, dict(replay.rules.registrar_keys))
    got, want = back.fields(), replay.fields()
    edge, edge_before = got.pop("leaves"), want.pop("leaves")
    assert got == want
    assert (edge.size, edge.root()) == (edge_before.size, edge_before.root())
    today = date(2026, 11, 1)
    assert derived(back, today) == derived(replay, today)
    kinds = {type(r).__name__ for r in replay.records}
    assert len(kinds) >= 8, kinds  # the demo exercises many record types


def test_only_rules_types_are_built(tmp_path: Path) -> None:
    node = {"t": "object", "c": "subprocess:Popen", "v": {"args": ["true"]}}
    with pytest.raises(snapshot.SnapshotError, match="not a rules type"):
        snapshot.decode(node)
    with pytest.raises(snapshot.SnapshotError):
        snapshot.decode({"t": "object", "c": "registry.rules.records:Ref", "v": {"agency": "a"}})
    with pytest.raises(snapshot.SnapshotError):
        snapshot.decode({"x": 1})
    assert snapshot.decode(json.loads(json.dumps(snapshot.encode({(1, "a"): b"\x00"})))) == {
        (1, "a"): b"\x00"
    }
