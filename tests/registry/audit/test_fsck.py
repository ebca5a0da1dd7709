"""`pakta fsck` finds a change of one byte in any stored table and names the table, and
`--repair` rebuilds what is derived without touching entries or checkpoints."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from golden_demo import load_fixed_demo
from pakta_support import BACKENDS, database
from sqlalchemy import Table, select, update

from registry.audit.fsck import fsck
from registry.cli import main
from registry.read import tables as read_tables
from registry.service import Service, open_service
from registry.write import storage
from registry.write.instance import load_instance

TRIALS = int(os.environ.get("PAKTA_FSCK_TRIALS", "2"))


@pytest.fixture(scope="module", params=BACKENDS)
def demo(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("fsck") / "instance"
    with database(request.param, tmp_path_factory.mktemp("db")) as url:
        load_fixed_demo(folder, url).close()
        yield folder


def tables(svc: Service) -> list[Table]:
    """Every table the registry stores, as the code declares it (reflection misreads the
    event store's binary ids on SQLite)."""
    events = svc.registry.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
    found = [*storage.metadata.sorted_tables, *read_tables.TABLES, events]
    found.append(svc.projector.view.tracking_table)
    return sorted((t for t in found if t.name != "pakta_meta"), key=lambda t: t.name)


def changed(value: Any) -> Any:
    """The value with one byte changed (a character, a digit, a bit), or None if it cannot be."""
    if isinstance(value, bytes | memoryview):
        data = bytearray(value)
        data[len(data) // 2] ^= 0x01
        return bytes(data)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str) and value:
        i = len(value) // 2
        return value[:i] + ("b" if value[i] != "b" else "c") + value[i + 1 :]
    return None


def tamper(svc: Service, table: Table, rng: random.Random) -> tuple[Any, Any, Any, str] | None:
    """Change one byte of one column of a random row; return how to undo it."""
    with svc.registry.engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(select(table))]
    if not rows:
        return None
    row = rng.choice(rows)
    columns = [c for c in table.columns if changed(row[c.name]) is not None]
    if table.name == "pakta_events":  # the event store: its content, not its bookkeeping
        columns = [c for c in columns if c.name == "state"]
    rng.shuffle(columns)
    # A column outside the primary key first (changing a key could collide with another row);
    # a table that is all key gets a changed text key, which cannot collide: it is new.
    columns.sort(key=lambda c: (c.primary_key, not isinstance(row[c.name], str)))
    for column in columns:
        where = [table.c[k.name] == row[k.name] for k in table.primary_key] or [
            table.c[c.name] == row[c.name] for c in table.columns if c.name == column.name
        ]
        with svc.registry.engine.begin() as conn:
            conn.execute(
                update(table).where(*where).values({column.name: changed(row[column.name])})
            )
        key = {
            k.name: (changed(row[k.name]) if k.name == column.name else row[k.name])
            for k in table.primary_key
        }
        return key, column.name, row[column.name], f"{table.name}.{column.name}"
    return None


def undo(svc: Service, table: Table, key: dict[str, Any], column: str, value: Any) -> None:
    where = [table.c[k] == v for k, v in key.items()]
    with svc.registry.engine.begin() as conn:
        conn.execute(update(table).where(*where).values({column: value}))


def test_a_clean_registry_passes_and_every_changed_byte_is_named(demo: Path) -> None:
    svc = open_service(load_instance(demo), check=False)
    try:
        assert fsck(svc) == []
        rng = random.Random(9162)
        for table in tables(svc):
            for _ in range(TRIALS):
                done = tamper(svc, table, rng)
                if done is None:
                    continue
                key, column, value, what = done
                try:
                    found = fsck(svc)
                    named = {f.table for f in found}
                    # A changed log entry shows as the tree and checkpoints it no longer gives.
                    expected = (
                        {"pakta_tree", "pakta_checkpoints", "pakta_events"}
                        if table.name == "pakta_events"
                        else {table.name}
                    )
                    assert named & expected, f"{what}: {found}"
                finally:
                    undo(svc, table, key, column, value)
                    svc.registry.forget()
        assert fsck(svc) == []
    finally:
        svc.close()


def test_repair_rebuilds_what_is_derived(demo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    svc = open_service(load_instance(demo), check=False)
    try:
        by_name = {t.name: t for t in tables(svc)}
        rng = random.Random(2)
        for name in ("pakta_tree", "pakta_statement_index", "rm_agencies", "rm_warnings"):
            tamper(svc, by_name[name], rng)
        assert {f.table for f in fsck(svc)} >= {"pakta_tree", "pakta_statement_index"}
    finally:
        svc.close()
    assert main(["--instance", str(demo), "fsck"]) == 1
    assert "pakta_tree" in capsys.readouterr().out
    assert main(["--instance", str(demo), "fsck", "--repair"]) == 0
    assert "every stored table matches the log" in capsys.readouterr().out
    open_service(load_instance(demo)).close()  # a server starts on it again
