"""The read model's layout as a fingerprint kept in `pakta_meta`: `pakta migrate` records it
when it lays the tables out, and a server refuses a read model laid out by another version
(rather than fail on a missing column in the middle of a page)."""

from __future__ import annotations

import hashlib

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError

from registry.read import tables
from registry.write import storage
from registry.write.instance import InstanceError

READ_MODEL = "read_model"  # the pakta_meta row holding the read model's fingerprint


def read_model_fingerprint() -> str:
    """The layout of the read model's tables (names, columns, types, keys, indexes), hashed:
    any change to registry/read/tables.py gives another fingerprint."""
    lines: list[str] = []
    for table in sorted(tables.metadata.tables.values(), key=lambda t: t.name):
        lines.append(f"table {table.name}")
        for c in table.columns:
            lines.append(f" column {c.name} {c.type!r} null={c.nullable} pk={c.primary_key}")
        for index in sorted(table.indexes, key=lambda i: str(i.name)):
            names = ",".join(str(c.name) for c in index.columns)
            lines.append(f" index {index.name} {names} unique={index.unique}")
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:32]


def stored(engine: Engine, name: str) -> str | None:
    try:
        with engine.connect() as conn:
            row = conn.execute(
                select(storage.meta.c.value).where(storage.meta.c.name == name)
            ).first()
    except DBAPIError:
        return None
    return row.value if row is not None else None


def record(engine: Engine, name: str, value: str) -> None:
    with engine.begin() as conn:
        conn.execute(storage.meta.delete().where(storage.meta.c.name == name))
        conn.execute(storage.meta.insert().values(name=name, value=value))


def check_read_model(engine: Engine, path: object) -> None:
    """Refuse a read model laid out by another Pakta version."""
    found = stored(engine, READ_MODEL)
    if found != read_model_fingerprint():
        raise InstanceError(
            f"the read model of {path} was laid out by another Pakta version: run "
            "'pakta migrate' (it rebuilds the read model from the log)"
        )
