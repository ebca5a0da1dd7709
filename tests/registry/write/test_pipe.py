"""The append's pipe (registry/write/pipe.py) on real SQLite and PostgreSQL: each kind of write
does what the same statement through SQLAlchemy does, in the order queued, in the caller's
transaction (sent before it commits, dropped when it rolls back), and a failed write raises
SQLAlchemy's error of the same kind."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.write.pipe import pipe, statements
from registry.write.pipe_sql import Write, piped, piped_sql

metadata = MetaData()
things = Table(
    "t_things",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("name", String(64), nullable=False),
    Column("note", Text),
    Column("n", Integer, nullable=False),
    Column("hash", LargeBinary(32)),
)
pairs = Table(
    "t_pairs",
    metadata,
    Column("a", String(16), primary_key=True),
    Column("b", String(16), primary_key=True),
    Column("n", BigInteger, nullable=False),
)


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def rows(engine: Engine, table: Table) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(select(table).order_by(*table.primary_key))]


# Awkward values: quotes, backslashes, a JSON-looking string, non-ASCII, an empty string, a
# NULL, the largest bigint, every byte value, and an empty bytes value.
ODD = [
    {
        "id": 2**63 - 1,
        "name": 'it\'s "quoted" \\ back',
        "note": None,
        "n": -1,
        "hash": bytes(range(32)),
    },
    {"id": 0, "name": '{"a": [1]}', "note": "Sulawesi — ü ✓ 𝄞", "n": 0, "hash": b""},
    {"id": 7, "name": "", "note": "line\nbreak\ttab", "n": 2**31 - 1, "hash": None},
]


def test_inserts_keep_every_value_exactly(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        pipe(session).add(Write(things), ODD)
    want = sorted(tuple(r.values()) for r in ODD)
    assert rows(engine, things) == want


def test_upserts_replace_add_and_ignore(engine: Engine) -> None:
    start = [{"a": "x", "b": "1", "n": 5}, {"a": "y", "b": "1", "n": 1}]
    with Session(engine) as session, session.begin():
        p = pipe(session)
        p.add(Write(pairs), start)
        p.add(Write(pairs, ("a", "b"), "add", added="n"), [{"a": "x", "b": "1", "n": 3}])
        p.add(
            Write(pairs, ("a", "b"), "replace"),
            [{"a": "y", "b": "1", "n": 9}, {"a": "z", "b": "2", "n": 4}],
        )
        p.add(Write(pairs, conflict="ignore"), [{"a": "z", "b": "2", "n": 100}])
    assert rows(engine, pairs) == [("x", "1", 8), ("y", "1", 9), ("z", "2", 4)]


def test_updates_and_deletes_match_their_keys(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        p = pipe(session)
        p.add(Write(pairs), [{"a": a, "b": b, "n": 0} for a in "xyz" for b in "12"])
        p.add(
            Write(pairs, ("a", "b"), op="update"),
            [{"b_a": "x", "b_b": "2", "n": 22}, {"b_a": "z", "b_b": "1", "n": 31}],
        )
        p.add(
            Write(pairs, ("a", "b"), op="delete"),
            [{"b_a": "y", "b_b": "1"}, {"b_a": "y", "b_b": "2"}],
        )
    assert rows(engine, pairs) == [("x", "1", 0), ("x", "2", 22), ("z", "1", 31), ("z", "2", 0)]


def test_writes_run_in_the_order_queued_and_send_makes_them_visible(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        p = pipe(session)
        p.add(Write(pairs), [{"a": "x", "b": "1", "n": 1}])
        p.add(Write(pairs, ("a", "b"), op="update"), [{"b_a": "x", "b_b": "1", "n": 2}])
        assert session.execute(select(pairs.c.n)).all() == []  # queued, not sent
        p.send()
        assert session.execute(select(pairs.c.n)).scalars().all() == [2]
        p.add(Write(pairs, ("a", "b"), op="delete"), [{"b_a": "x", "b_b": "1"}])
        p.add(Write(pairs), [{"a": "x", "b": "1", "n": 3}])
    assert rows(engine, pairs) == [("x", "1", 3)]


def test_a_rolled_back_transaction_drops_what_it_queued(engine: Engine) -> None:
    with Session(engine) as session:
        with session.begin():
            pipe(session).add(Write(pairs), [{"a": "x", "b": "1", "n": 1}])
            session.rollback()
        with session.begin():
            pipe(session).add(Write(pairs), [{"a": "y", "b": "1", "n": 1}])
    assert rows(engine, pairs) == [("y", "1", 1)]


@pytest.mark.parametrize("shared", [False, True], ids=["own-statement", "shared-statement"])
def test_a_failed_write_is_an_integrity_error_and_keeps_nothing(
    engine: Engine, shared: bool
) -> None:
    """A write that fails keeps nothing of its transaction: a write before it to the same
    table (its own statement) or, on PostgreSQL, to another table in the same shared
    statement (pipe.py `statements`)."""
    with Session(engine) as session, session.begin():
        pipe(session).add(Write(pairs), [{"a": "x", "b": "1", "n": 1}])
    with pytest.raises(IntegrityError):
        with Session(engine) as session, session.begin():
            p = pipe(session)
            if shared:
                p.add(Write(things), ODD)
            else:
                p.add(Write(pairs), [{"a": "q", "b": "1", "n": 1}])
            p.add(Write(pairs), [{"a": "x", "b": "1", "n": 2}])  # the primary key again
    assert rows(engine, pairs) == [("x", "1", 1)]
    assert rows(engine, things) == []


def test_many_rows_are_one_write(engine: Engine) -> None:
    many = [{"a": f"k{i}", "b": str(i % 7), "n": i} for i in range(2500)]
    with Session(engine) as session, session.begin():
        pipe(session).add(Write(pairs), many)
    assert len(rows(engine, pairs)) == 2500
    assert sum(r[2] for r in rows(engine, pairs)) == sum(range(2500))


def test_writes_to_other_tables_share_a_statement_and_each_sees_what_came_before(
    engine: Engine,
) -> None:
    """On PostgreSQL a run of writes to different tables is one statement (pipe.py
    `statements`); a write to a table already in the run, and an ask, start the next, so
    each sees every write queued before it, as when they went one by one."""
    with Session(engine) as session, session.begin():
        p = pipe(session)
        p.add(Write(things), ODD[:1])
        p.add(Write(pairs), [{"a": "x", "b": "1", "n": 1}, {"a": "y", "b": "1", "n": 5}])
        p.add(Write(pairs, ("a", "b"), op="update"), [{"b_a": "x", "b_b": "1", "n": 2}])
        p.add(Write(things, ("id",), op="delete"), [{"b_id": ODD[0]["id"]}])
        p.add(Write(things), ODD[1:])
        total = p.ask_json(
            "SELECT sum(n) FROM t_pairs WHERE a IN (SELECT piped.a FROM json_to_recordset("
            "%(rows)s::JSON) AS piped(a TEXT))"
            if p.postgres
            else "SELECT sum(n) FROM t_pairs WHERE a IN "
            "(SELECT json_extract(value, '$.a') FROM json_each(:rows))",
            [{"a": "x"}, {"a": "y"}],
        )
        p.add(Write(pairs, ("a", "b"), op="delete"), [{"b_a": "y", "b_b": "1"}])
        assert total.rows() == [(7,)]
    assert rows(engine, pairs) == [("x", "1", 2)]
    assert rows(engine, things) == sorted(tuple(r.values()) for r in ODD[1:])


def test_a_write_that_reads_a_table_written_before_it_sees_its_rows(engine: Engine) -> None:
    """`add_sql` names the tables a write reads: a write to one of them queued before it is
    sent first (on PostgreSQL, in an earlier statement, not as a part of the same one), so the
    database works out its values from those rows too."""
    with Session(engine) as session, session.begin():
        p = pipe(session)
        postgres = p.postgres
        source = piped({"id": BigInteger}, postgres)
        counted = select(func.count()).select_from(pairs).scalar_subquery()
        copied = select(source.c.id, literal_column("'pairs'"), counted)
        sql = piped_sql(insert(things).from_select(["id", "name", "n"], copied), postgres)
        p.add(Write(pairs), [{"a": "x", "b": "1", "n": 1}, {"a": "y", "b": "1", "n": 5}])
        p.add_sql(sql, [{"id": 1}, {"id": 2}], things.name, frozenset({pairs.name}))
        queued = list(p.queued)
    assert [r[:2] for r in rows(engine, things)] == [(1, "pairs"), (2, "pairs")]
    assert [r[3] for r in rows(engine, things)] == [2, 2]  # both pairs seen
    # Named as read, it starts a statement of its own; unnamed, it would share the first.
    sent = statements(queued, postgres)
    assert len(sent) == 2
    unnamed = [queued[0], queued[1][:4] + (frozenset(),)]
    assert len(statements(unnamed, postgres)) == (1 if postgres else 2)


def test_what_is_sent_ahead_is_written_and_a_read_through_sqlalchemy_sees_it(
    engine: Engine,
) -> None:
    """`send_ahead` sends the queued writes without waiting for them (on PostgreSQL; on SQLite
    it is `send`): a query through SQLAlchemy meanwhile first waits for them (it would find no
    rows described inside the open pipeline), an ask queued after them sees them, and the
    commit sends the rest with them."""
    with Session(engine) as session, session.begin():
        p = pipe(session)
        p.add(Write(pairs), [{"a": "x", "b": "1", "n": 1}, {"a": "y", "b": "1", "n": 5}])
        p.send_ahead()
        assert session.execute(select(func.sum(pairs.c.n))).scalar() == 6
        p.add(Write(things), ODD[:1])
        p.send_ahead()
        p.add(Write(pairs, ("a", "b"), op="update"), [{"b_a": "x", "b_b": "1", "n": 2}])
        total = p.ask("SELECT sum(n) FROM t_pairs", {} if p.postgres else ())
        p.send_ahead()
        assert total.rows() == [(7,)]
        p.add(Write(pairs, ("a", "b"), op="delete"), [{"b_a": "y", "b_b": "1"}])
    assert rows(engine, pairs) == [("x", "1", 2)]
    assert rows(engine, things) == [tuple(ODD[0].values())]
    with engine.connect() as conn:  # the connection went back to the pool out of the pipeline
        assert conn.execute(select(func.count()).select_from(pairs)).scalar() == 1
        if engine.dialect.name == "postgresql":
            assert conn.connection.driver_connection._pipeline is None


@pytest.mark.parametrize("then", ["commit", "read", "rollback"])
def test_a_write_sent_ahead_that_fails_keeps_nothing(engine: Engine, then: str) -> None:
    """A write sent ahead that fails is raised as SQLAlchemy's IntegrityError when the pipe is
    next waited for (the commit, or a read through SQLAlchemy), and nothing of its transaction
    stays; rolled back instead, it leaves the connection usable."""
    with Session(engine) as session, session.begin():
        pipe(session).add(Write(pairs), [{"a": "x", "b": "1", "n": 1}])
    with Session(engine) as session:
        if then == "rollback":
            with session.begin():
                p = pipe(session)
                p.add(Write(pairs), [{"a": "x", "b": "1", "n": 2}])  # the primary key again
                try:
                    p.send_ahead()
                except IntegrityError:  # SQLite sends at once; PostgreSQL does not wait
                    assert not p.postgres
                session.rollback()
        else:
            with pytest.raises(IntegrityError), session.begin():
                p = pipe(session)
                p.add(Write(things), ODD)
                p.add(Write(pairs), [{"a": "x", "b": "1", "n": 2}])  # the primary key again
                p.send_ahead()
                p.add(Write(pairs), [{"a": "z", "b": "1", "n": 3}])
                if then == "read":
                    session.execute(select(pairs.c.n)).all()
        with session.begin():  # the same session and pooled connection go on
            pipe(session).add(Write(pairs), [{"a": "w", "b": "1", "n": 4}])
    assert rows(engine, pairs) == [("w", "1", 4), ("x", "1", 1)]
    assert rows(engine, things) == []
