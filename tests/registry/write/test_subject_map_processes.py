"""The subject map hook with two registries writing one database in turns (two processes):
each catches up on what the other appended from the stored rows, without rebuilding the map,
every checkpoint's map line is what the log implies (fsck), and a memo that no longer matches
is rebuilt, never trusted."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_support import grow, register
from pakta_support import Agent, new_instance

from registry.audit.fsck import fsck
from registry.service import open_service
from registry.write import subjects


def test_two_writers_in_turns(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    instance = new_instance(tmp_path / "instance")
    one, two = open_service(instance), open_service(instance)
    rebuilds: list[int] = []
    real = subjects.map_at

    def counted(session: object, size: int) -> subjects.SubjectMap:
        rebuilds.append(size)
        return real(session, size)  # type: ignore[arg-type]

    monkeypatch.setattr(subjects, "map_at", counted)
    try:
        agents = [Agent(f"pemkab-{i}") for i in range(4)]
        register(one, agents)
        for turn in range(6):
            grow(one if turn % 2 else two, agents, 3, batch=3)
        # Each writer rebuilt at most once (its first append after the log moved without it
        # and before it had a memo); from then on it caught up from the rows.
        assert len(rebuilds) == 1, rebuilds
        # A memo that does not match what is stored is rebuilt, not trusted.
        two.registry.subject_map._root = b"\0" * 32
        two.registry.subject_map._at = two.registry.size()
        grow(two, agents, 1, batch=1)
        assert len(rebuilds) == 2, rebuilds
        assert fsck(one) == []
    finally:
        one.close()
        two.close()
