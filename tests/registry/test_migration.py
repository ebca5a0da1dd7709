"""`pakta migrate` brings an instance an older Pakta set up to what this one writes, without
touching a log entry: a read model laid out otherwise is refused by the server, then laid out
again and rebuilt equal to the one it replaces; subject chains an older log never recorded
are recorded, after which appends go on and fsck finds nothing wrong. On an instance that is
up to date it changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from audit_support import grow, register
from pakta_support import Agent, sqlalchemy_url
from sqlalchemy import create_engine, delete, select, text, update

from keys.note import parse_note, sign_note
from registry.audit.fsck import fsck
from registry.cli import main
from registry.migration import migrate
from registry.read import tables
from registry.read.layout import READ_MODEL
from registry.service import open_service
from registry.tlog.checkpoint import Checkpoint
from registry.write import storage, subjects
from registry.write.instance import Instance, InstanceError

AGENTS = [Agent(f"pemkab-migrasi-{i}") for i in range(3)]
Rows = list[tuple[object, ...]]


def _log(instance: Instance) -> tuple[Rows, dict[str, Rows]]:
    """Some history; the stored entries and the read model's rows."""
    service = open_service(instance)
    try:
        register(service, AGENTS)
        grow(service, AGENTS, 6, batch=2)
        return _entries(instance), service.projector.dump()
    finally:
        service.close()


def _entries(instance: Instance) -> Rows:
    service = open_service(instance, check=False)
    try:
        return [tuple(e) for e in service.registry.entries(0, service.registry.size())]
    finally:
        service.close()


def _alter(instance: Instance, *changes: Any) -> None:
    """Run `changes` (SQL statements) on the instance's database, as an older Pakta or a
    hand edit would have left it."""
    engine = create_engine(sqlalchemy_url(instance.database_url))
    with engine.begin() as conn:
        for change in changes:
            conn.execute(change)
    engine.dispose()


def _schema(value: str) -> Any:
    return update(storage.meta).where(storage.meta.c.name == "schema").values(value=value)


def test_a_read_model_laid_out_otherwise_is_refused_then_rebuilt(instance: Instance) -> None:
    entries, view = _log(instance)
    # What an older Pakta left: another layout (a table less, a column more), its fingerprint.
    _alter(
        instance,
        text(f"DROP TABLE {tables.subjects.name}"),
        text(f"ALTER TABLE {tables.agencies.name} ADD COLUMN old_note TEXT"),
        update(storage.meta).where(storage.meta.c.name == READ_MODEL).values(value="old"),
    )
    with pytest.raises(InstanceError, match="pakta migrate"):
        open_service(instance)
    assert main(["--instance", str(instance.path), "migrate"]) == 0
    service = open_service(instance)
    try:
        assert service.projector.dump() == view
        with service.registry.engine.connect() as conn:
            columns = conn.execute(select(tables.agencies).limit(1)).keys()
        assert "old_note" not in columns
    finally:
        service.close()
    assert _entries(instance) == entries


def test_chains_an_older_log_never_recorded_are_recorded(
    instance: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    entries, view = _log(instance)
    service = open_service(instance)
    signer = instance.log_signer()
    # What an older Pakta left: no chains, checkpoints without the map line.
    with service.registry.engine.begin() as conn:
        conn.execute(delete(subjects.links))
        for row in conn.execute(select(storage.checkpoints)).all():
            old = Checkpoint.parse(parse_note(row.note).text)
            note = sign_note(Checkpoint(old.origin, old.size, old.root_hash).to_text(), [signer])
            conn.execute(
                update(storage.checkpoints)
                .where(storage.checkpoints.c.size == row.size)
                .values(note=note)
            )
    service.close()
    capsys.readouterr()
    assert main(["--instance", str(instance.path), "migrate"]) == 0
    assert "subject chains: recorded" in capsys.readouterr().out
    assert _entries(instance) == entries
    service = open_service(instance)
    try:
        assert service.projector.dump() == view
        grow(service, AGENTS, 2, batch=1)
        assert fsck(service) == []
    finally:
        service.close()


def test_an_instance_up_to_date_is_left_as_it_is(instance: Instance) -> None:
    entries, view = _log(instance)
    done = migrate(instance)
    assert (done.read_model_rebuilt, done.chains_recorded) == (False, False)
    assert _entries(instance) == entries
    service = open_service(instance)
    try:
        assert service.projector.dump() == view
    finally:
        service.close()


def test_a_log_of_another_schema_is_refused_and_kept(instance: Instance) -> None:
    entries, _ = _log(instance)
    _alter(instance, _schema("1"))
    assert main(["--instance", str(instance.path), "migrate"]) == 1
    _alter(instance, _schema(storage.SCHEMA_VERSION))
    assert _entries(instance) == entries
