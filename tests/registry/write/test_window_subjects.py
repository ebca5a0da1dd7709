"""The years' window subjects (map version 2, docs/subject-map.md): `window:<year>`'s chain is
every submission window announced for the year, by any national team, in log order; a log
an older Pakta signed with version 1 map lines is refused until `pakta migrate`, then goes on
with version 2 lines, and the audit checks the version 1 lines by the version 1 rule and the
version 2 ones by the version 2 rule; a map that leaves a window out fails the audit naming
the year's subject; a log going back from a version 2 line to a version 1 line fails."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from map_support import as_an_older_pakta_left_it, resign_with_v1_line
from pakta_support import new_instance, served
from sqlalchemy import select
from zi_world import World

from keys.errors import PaktaError
from keys.note import NoteVerifier, parse_note
from registry.audit.audit import AuditError, audit, source_fetch
from registry.audit.export import export
from registry.audit.fsck import fsck
from registry.migration import migrate
from registry.service import Service, open_service
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.subjectmap import map_line
from registry.write import storage
from registry.write import subjects as write_subjects
from registry.write.instance import Instance


@pytest.fixture
def instance(tmp_path: Path) -> Instance:
    found: Instance = new_instance(tmp_path / "instance")
    return found


@pytest.fixture
def service(instance: Instance) -> Iterator[Service]:
    svc = open_service(instance)
    yield svc
    svc.close()


def window(w: World, year: int, deadline: str, quota: int = 2) -> dict[str, Any]:
    return {
        "year": year,
        "regulation": w.regulation,
        "opens_on": f"{year}-01-15",
        "deadline": deadline,
        "quota_per_agency": quota,
        "announced_on": w.today,
    }


def announce(w: World, by: str, year: int, deadline: str) -> int:
    receipt = w.post(by, "submission_window.announced", window(w, year, deadline), w.key(by, "tpn"))
    index: int = receipt.index
    return index


def a_world(service: Service) -> tuple[World, list[int]]:
    """Two national teams; three windows: two for 2025 (the first tpn's), one for 2026."""
    w = World(service.registry)
    w.register("tpn-dua", kind="tim_penilai")
    w.on("2025-01-05")
    first = announce(w, "tpn", 2025, "2025-02-28")
    second = announce(w, "tpn-dua", 2025, "2025-03-31")
    third = announce(w, "tpn", 2026, "2026-02-28")
    return w, [first, second, third]


def newest_line(service: Service) -> tuple[int, bytes] | None:
    note = service.registry.checkpoint() or ""
    return map_line(Checkpoint.parse(parse_note(note).text).extensions)


def test_a_years_chain_is_every_window_of_the_year_in_log_order(service: Service) -> None:
    _, (first, second, third) = a_world(service)
    size = service.registry.size()
    with service.read() as db:
        assert write_subjects.chain_indexes(db, "window:2025", size) == [first, second]
        assert write_subjects.chain_indexes(db, "window:2026", size) == [third]
        subject_map = write_subjects.map_at(db, size)
        assert subject_map.prove("window:2027").state is None
        # A version 1 map of the same log holds no year subjects, so its root differs.
        assert write_subjects.map_at(db, size, 1).root() == subject_map.root(1)
        assert subject_map.root(1) != subject_map.root()
    line = newest_line(service)
    assert line is not None and line[0] == 2 and line[1] == subject_map.root()


def audit_export(instance: Instance, service: Service, folder: Path) -> Any:
    export(service.registry, folder)
    return audit(
        source_fetch(str(folder)),
        NoteVerifier.parse(instance.log_vkey),
        instance.registrar_keys,
        jobs=1,
    )


def test_an_older_log_is_migrated_and_audited_half_v1_half_v2(
    instance: Instance, tmp_path: Path
) -> None:
    service = open_service(instance)
    try:
        w, (first, second, _) = a_world(service)
        v1_size = service.registry.size()
        as_an_older_pakta_left_it(instance, service)
    finally:
        service.close()
    service = open_service(instance)
    try:
        w.registry = w.h.registry = service.registry
        service.registry.clock = lambda: w.now
        with pytest.raises(PaktaError, match="pakta migrate"):
            announce(w.on("2025-02-01"), "tpn-dua", 2026, "2026-03-31")
    finally:
        service.close()
    assert migrate(instance).chains_recorded
    service = open_service(instance)
    try:
        w.registry = w.h.registry = service.registry
        service.registry.clock = lambda: w.now
        fourth = announce(w.on("2025-02-01"), "tpn-dua", 2026, "2026-03-31")
        line = newest_line(service)
        assert line is not None and line[0] == 2
        with service.read() as db:
            size = service.registry.size()
            assert write_subjects.chain_indexes(db, "window:2025", size) == [first, second]
            assert write_subjects.chain_indexes(db, "window:2026", size)[-1] == fourth
            versions = [
                (int(r.size), map_line(Checkpoint.parse(parse_note(r.note).text).extensions))
                for r in db.execute(select(storage.checkpoints))
            ]
        assert {v[0] for n, v in versions if v and n <= v1_size} == {1}
        assert {v[0] for n, v in versions if v and n > v1_size} == {2}
        report = audit_export(instance, service, tmp_path / "export")
        assert report.size == size
        assert fsck(service) == []
    finally:
        service.close()


def test_a_log_that_goes_back_to_a_v1_line_fails(instance: Instance, tmp_path: Path) -> None:
    service = open_service(instance)
    try:
        a_world(service)
        audit_export(instance, service, tmp_path / "good")
        signer = instance.log_signer()
        with service.registry.engine.begin() as conn:
            row = conn.execute(
                select(storage.checkpoints).order_by(storage.checkpoints.c.size.desc())
            ).first()
            assert row is not None
            resign_with_v1_line(conn, signer, row)
        service.registry.forget()
        with pytest.raises(AuditError, match="never goes back"):
            audit_export(instance, service, tmp_path / "back")
        assert any("version goes back" in f.problem for f in fsck(service))
    finally:
        service.close()


def test_a_v2_map_that_leaves_a_window_out_fails_naming_the_year(
    instance: Instance, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lying registry: a year's subject never gets its windows (but says version 2).
    honest = write_subjects.affected
    monkeypatch.setattr(
        write_subjects,
        "affected",
        lambda outcome: tuple(s for s in honest(outcome) if not s.startswith("window:")),
    )
    service = open_service(instance)
    try:
        a_world(service)
    finally:
        service.close()
    monkeypatch.setattr(write_subjects, "affected", honest)
    with served(instance.path) as server:
        with pytest.raises(AuditError, match=r"subject 'window:2025': .*the log gives 2 entries"):
            audit(
                source_fetch(server.url),
                NoteVerifier.parse(instance.log_vkey),
                instance.registrar_keys,
                jobs=1,
            )
