"""The SQL of the append's pipe (registry/write/pipe.py): each kind of `Write` as the one
statement that runs it over many rows (on PostgreSQL over the rows as one JSON array, which
`json_to_recordset` turns back into typed rows: `piped`; on SQLite once a row, with sqlite3's
`executemany`), compiled once per table, kind and set of columns, and the rows' JSON.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import (
    BigInteger,
    Integer,
    LargeBinary,
    Table,
    Text,
    and_,
    bindparam,
    column,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite

# sqlite3 takes named parameters (`:name`) from a mapping; SQLAlchemy's own SQLite dialect
# renders `?` for positional ones.
_SQLITE_NAMED = SQLiteDialect_pysqlite(paramstyle="named")
_POSTGRES = postgresql.psycopg.dialect()  # type: ignore[no-untyped-call]

Rows = Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class Write:
    """One kind of write to `table`.

    - `Write(t)`: insert the rows; `conflict="ignore"` keeps rows already there (ON CONFLICT DO
      NOTHING), `"replace"` sets their other given columns, `"add"` adds the new value of
      column `added` to the stored one (and leaves the others); `keys` is the conflict target.
    - `Write(t, keys, op="update")`: set the rows' other columns where each key column equals
      the row's `b_<column>`, and those `derived(postgres)` gives (SQL expressions over the
      row of `t` itself, which the database works out as it updates); `op="delete"` deletes
      those rows. `reads`: the other tables the write reads (see `Pipe.add_sql`).
    """

    table: Table
    keys: tuple[str, ...] = ()
    conflict: str = "fail"
    op: str = "insert"
    added: str = ""
    derived: Callable[[bool], Mapping[str, Any]] | None = None
    reads: frozenset[str] = frozenset()


def _column(write: Write, name: str) -> str:
    return name[2:] if write.op != "insert" and name.startswith("b_") else name


def _insert(write: Write, dialect: Any, names: tuple[str, ...], source: Any = None) -> Any:
    t = write.table
    base = (postgresql if dialect is _POSTGRES else sqlite).insert(t)
    stmt = base if source is None else base.from_select(list(names), source)
    if write.conflict == "ignore":
        return stmt.on_conflict_do_nothing()
    others = [n for n in names if n not in write.keys]
    if write.conflict == "replace":
        columns = {n: stmt.excluded[n] for n in others}
        return stmt.on_conflict_do_update(index_elements=list(write.keys), set_=columns)
    if write.conflict == "add":
        n = write.added
        return stmt.on_conflict_do_update(
            index_elements=list(write.keys), set_={n: t.c[n] + stmt.excluded[n]}
        )
    return stmt


@cache
def write_sql(write: Write, postgres: bool, names: tuple[str, ...]) -> str:
    """The statement's text for rows with these keys (compiled once per set of names)."""
    t = write.table
    if not postgres:
        if write.op == "insert":
            stmt = _insert(write, _SQLITE_NAMED, names)
            return str(stmt.compile(dialect=_SQLITE_NAMED, column_keys=list(names)))
        where = and_(*(t.c[k] == bindparam("b_" + k) for k in write.keys))
        if write.op == "delete":
            return str(delete(t).where(where).compile(dialect=_SQLITE_NAMED))
        binds: dict[str, Any] = {n: bindparam(n) for n in names if not n.startswith("b_")}
        binds.update(write.derived(False) if write.derived else {})
        return str(update(t).where(where).values(binds).compile(dialect=_SQLITE_NAMED))
    # PostgreSQL: the rows as one JSON array, turned back into typed rows by the server.
    rows = piped({n: _BASE[type(t.c[_column(write, n)].type).__name__] for n in names}, True)
    if write.op == "insert":
        source = select(*(rows.c[n] for n in names))
        return str(_insert(write, _POSTGRES, names, source).compile(dialect=_POSTGRES))
    where = and_(*(t.c[k] == rows.c["b_" + k] for k in write.keys))
    if write.op == "delete":
        return str(delete(t).where(where).compile(dialect=_POSTGRES))
    values: dict[str, Any] = {n: rows.c[n] for n in names if not n.startswith("b_")}
    values.update(write.derived(True) if write.derived else {})
    return str(update(t).where(where).values(values).compile(dialect=_POSTGRES))


def piped(columns: Mapping[str, Any], postgres: bool) -> Any:
    """The rows of a piped statement as a source to select from, named `piped`, with these
    columns and types: on PostgreSQL the JSON array `%(rows)s` as typed rows, on SQLite one
    row of `:name` parameters (sqlite3's executemany runs the statement once a row)."""
    if postgres:
        found = func.json_to_recordset(bindparam("rows", type_=postgresql.JSON))
        typed = [column(n, kind) for n, kind in columns.items()]
        return found.table_valued(*typed).render_derived(name="piped", with_types=True)
    return select(*(bindparam(n, type_=kind).label(n) for n, kind in columns.items())).subquery(
        "piped"
    )


def piped_sql(statement: Any, postgres: bool) -> str:
    """A statement over `piped` rows as the driver SQL `Pipe.add_sql` takes."""
    return str(statement.compile(dialect=_POSTGRES if postgres else _SQLITE_NAMED))


# The types a column's JSON value is read as (the column's own constraints apply on writing).
_BASE: dict[str, Any] = {
    "Integer": Integer,
    "BigInteger": BigInteger,
    "String": Text,
    "Text": Text,
    "LargeBinary": LargeBinary,
}


def json_rows(rows: Rows) -> str:
    """The rows as one JSON array: a few microseconds a write with the standard library's
    encoder (its set-up per call, and a Python call back for every bytes value), well under
    one with orjson."""
    listed = [r if type(r) is dict else dict(r) for r in rows]
    # Keys may be a str subclass (SQLAlchemy's quoted_name, from a row's mapping).
    return orjson.dumps(listed, default=_json_bytes, option=orjson.OPT_NON_STR_KEYS).decode()


def _json_bytes(value: object) -> str:
    """bytes as PostgreSQL's bytea input reads them from text; nothing else is expected."""
    if isinstance(value, bytes | bytearray | memoryview):
        return "\\x" + bytes(value).hex()
    raise TypeError(f"a piped row holds a {type(value).__name__}")


def compiled(statement: Any, postgres: bool) -> tuple[str, dict[str, Any]]:
    """A SQLAlchemy statement (with no expanding parameters) as the driver SQL `Pipe.ask`
    takes, and its parameters' values (a UUID as the event store's columns hold it: text on
    PostgreSQL, its 16 bytes on SQLite). Compile once: it costs more than running it."""
    found = statement.compile(dialect=_POSTGRES if postgres else _SQLITE_NAMED)
    params = {
        k: (v.bytes if isinstance(v, UUID) and not postgres else v) for k, v in found.params.items()
    }
    return str(found), params
