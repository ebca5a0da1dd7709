"""The append's writes whose results nobody reads, sent to the database together.

One append writes a row or a few into a dozen tables (the tree hashes, the statement and key
indexes, each read-model table, the tracking position, the subject links, the checkpoint).
Sent one by one through SQLAlchemy, each costs a network round trip on PostgreSQL and
200-500 us of Python before the driver (compile-cache lookup, parameter processing, result
set-up): most of a single append's CPU (`python -m bench.profile --per-save 1`). A `Pipe`
queues them instead, as `Write`s (an insert, an upsert, an update or a delete of one table,
over many rows), and `send` hands them, in the order they were queued, to the transaction's
own DBAPI connection:

- on PostgreSQL, in one psycopg pipeline (one round trip for all of them), each `Write` as ONE
  statement over its rows whatever their number: the rows travel as one JSON array (made by
  orjson, ~10x the standard library's encoder on these rows) that `json_to_recordset` turns
  back into typed rows
  (`INSERT ... SELECT ... FROM json_to_recordset(%(rows)s::JSON) AS piped(a BIGINT, ...)`,
  `UPDATE ... FROM json_to_recordset(...)`), so a batch of 100 statements costs the driver a
  few statements (fewer still: see below), not a thousand row executions, and none of
  psycopg's per-value Python (bytes travel as bytea's `\\x` hex text);
- on SQLite, with sqlite3's own `executemany` (in-process, no round trip to save).

A statement whose rows are wanted (the append's last-entry query and the warning counts
read with it, the events insert's RETURNING) is queued with `ask` and sent with the writes
before it. A write whose values the database works out from other tables (the read side's
position, from the events' ids) is queued with `add_sql`, naming the tables it reads, so
that nothing need be read back before the commit.

On PostgreSQL, consecutive writes to different tables go as ONE statement, each a
data-modifying `WITH` query (`WITH w0 AS (INSERT ...), w1 AS (UPDATE ...) SELECT 1`): the
server runs every one of them, in one parse, plan and execution, and the driver makes one
call, not a dozen (per statement psycopg's pipeline costs ~20 us of Python and a send
syscall, and the server a message round of its own: a single append's dozen writes were most
of its driver and server CPU). Parts of one statement share its snapshot and cannot see each
other's rows, so a write to a table already written in the run, a write that reads one
(`add_sql`'s `reads`) and every `ask` (it may read what the writes before it wrote) starts a
new statement, after which all before it are seen.

Nothing is weakened: it is the same transaction, committed when the caller commits (on
PostgreSQL the COMMIT rides in the pipeline of the last rows: `_send_before_commit`), so a
failed write still rolls the whole append back (its error is raised as SQLAlchemy's
`DBAPIError` of the same kind, an `IntegrityError` still an `IntegrityError`). Values go to the
driver as they are: the tables written this way hold strings, integers and bytes, which need no
SQLAlchemy type processing. A reader that must see the queued rows calls `send` first;
whatever is still queued is sent just before the session commits, and dropped if its
transaction rolls back.

`send_ahead` sends what is queued without waiting (on PostgreSQL: into a psycopg pipeline
left open until the next `send`), so that the database writes it while the append goes on;
the commit's `send` then waits for every answer, so an error in those writes still fails the
commit. A query through SQLAlchemy on the connection meanwhile, and a rollback, first leave
that pipeline (`_send_before_reading`, `_close_before_rollback`).

The statements of each kind of write, and the rows' JSON: registry/write/pipe_sql.py.
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool

from registry.write.pipe_sql import Rows, Write, json_rows, write_sql

_KEY = "pakta.pipe"
_OPEN = "pakta.open_pipeline"  # in a connection's info while `send_ahead`'s pipeline is open
# A queued statement: driver SQL, its parameters, where its rows go if asked, the table written
# and the tables it reads.
Queued = tuple[str, Any, "Returned | None", str, frozenset[str]]
_NONE: frozenset[str] = frozenset()
_COMMIT: Queued = ("COMMIT", None, None, "", _NONE)  # what an error names when nothing was queued
_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: connected, in no transaction


class Returned:
    """The rows a statement queued with `Pipe.ask` returns, once its pipe has been sent."""

    __slots__ = ("pipe", "found")

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe
        self.found: list[tuple[Any, ...]] | None = None

    def rows(self) -> list[tuple[Any, ...]]:
        """The statement's rows (sending the pipe first if it is still queued)."""
        if self.found is None:
            self.pipe.send()
        assert self.found is not None
        return self.found


class Pipe:
    """The queued writes of one transaction (see the module's docstring)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
        self.queued: list[Queued] = []
        # On PostgreSQL, between `send_ahead` and the next `send`: the psycopg pipeline its
        # statements went into, the cursor of the writes, and the cursors of the asks.
        self._open: Any = None
        self._info: dict[Any, Any] = {}  # the connection's info while `_open` is
        self._cursor: Any = None
        self._asked: list[tuple[Any, Returned]] = []

    def add(self, write: Write, rows: Rows) -> None:
        """Queue `write` over `rows` (all with the first row's keys)."""
        if not rows:
            return
        names = tuple(rows[0])
        sql = write_sql(write, self.postgres, names)
        self.add_sql(sql, rows, write.table.name, write.reads)

    def add_sql(self, sql: str, rows: Rows, table: str, reads: frozenset[str] = _NONE) -> None:
        """Queue driver SQL that writes `table` over `rows`, as `add` does (its rows as one
        JSON array, `%(rows)s`, on PostgreSQL; run once per row with `:name` parameters on
        SQLite: `piped` makes the rows' source for either), reading the tables `reads` too:
        it then goes in a statement after every write to them queued before it."""
        if not rows:
            return
        if self.postgres:
            text = json_rows(rows)
            self.queued.append((sql, {"rows": text}, None, table, reads))
        else:
            self.queued.append((sql, list(rows), None, table, reads))

    def ask(self, sql: str, params: Mapping[str, Any] | Sequence[Any]) -> Returned:
        """Queue a statement whose rows are wanted (driver SQL: `%(name)s` parameters on
        PostgreSQL, `:name` on SQLite; `compiled` makes it), sent after the queued writes, in
        the same round trip on PostgreSQL; its rows come from `Returned.rows()`, which sends
        the pipe if it has not been sent yet."""
        found = Returned(self)
        self.queued.append((sql, params, found, "", _NONE))
        return found

    def ask_json(self, sql: str, rows: Rows) -> Returned:
        """`ask` for a statement over `rows` sent as one JSON array (`%(rows)s`, as `add`)."""
        return self.ask(sql, {"rows": json_rows(rows)})

    def send_ahead(self) -> None:
        """On PostgreSQL, send what is queued now without waiting for its answers: the server
        runs it while this process goes on (an append works out its tree root, checkpoint and
        receipts meanwhile); the next `send` sends the rest in the same pipeline and waits for
        every answer, so an error in these writes is raised there, before the commit. A query
        through SQLAlchemy meanwhile waits for them first, and sees them. On SQLite, which
        runs in this process, the same as `send`."""
        if not self.postgres:
            self.send()
            return
        if not self.queued:
            return
        queued, self.queued = self.queued, []
        try:
            self._run(queued)
        except self.conn.dialect.loaded_dbapi.Error as e:
            self.close()
            raise self._wrapped(queued[0], e) from e

    def send(self, *, commit: bool = False) -> None:
        """Run what is queued, in order, on the transaction's connection, and wait for its
        answers (and those of what `send_ahead` sent); with `commit`, on PostgreSQL, then
        COMMIT in the same round trip (see `_send_before_commit`)."""
        if not self.queued and self._open is None:
            return
        queued, self.queued = self.queued, []
        try:
            if self.postgres:
                self._run(queued)
                if commit:
                    self._cursor.execute("COMMIT")
                self._finish()
            else:
                raw: Any = self.conn.connection.driver_connection
                for sql, params, found in statements(queued, False):
                    if found is None:
                        raw.executemany(sql, params)
                    else:
                        found.found = [tuple(r) for r in raw.execute(sql, params).fetchall()]
        except self.conn.dialect.loaded_dbapi.Error as e:
            self.close()
            raise self._wrapped(queued[0] if queued else _COMMIT, e) from e

    def close(self) -> None:
        """Leave the pipeline `send_ahead` opened, discarding what it still holds (after an
        error, or when its transaction rolls back). Closing again does nothing."""
        if self._open is None and self._cursor is None:
            return
        pipeline, self._open = self._open, None
        self._info.pop(_OPEN, None)
        cursors = [self._cursor, *(own for own, _ in self._asked)]
        self._cursor, self._asked = None, []
        if pipeline is not None:
            try:
                pipeline.__exit__(None, None, None)
            except self.conn.dialect.loaded_dbapi.Error:
                pass  # the error already raised, or the rolled back transaction's
        for cursor in cursors:
            if cursor is not None:
                cursor.close()

    def _run(self, queued: Sequence[Queued]) -> None:
        """Send `queued` into the open pipeline (opened, with BEGIN if need be, first)."""
        if self._open is None:
            raw: Any = self.conn.connection.driver_connection
            begin = _begin_in_pipeline(raw)
            self._open = raw.pipeline()
            self._open.__enter__()
            self._info = self.conn.info
            self._info[_OPEN] = self
            self._cursor = raw.cursor()
            if begin:
                self._cursor.execute("BEGIN")
        for sql, params, found in statements(queued, True):
            if found is None:
                self._cursor.execute(sql, params)
            else:
                own = self._cursor.connection.cursor()
                self._asked.append((own, found))
                own.execute(sql, params)

    def _finish(self) -> None:
        """Wait for every answer of the open pipeline, then hand each ask its rows."""
        pipeline, self._open = self._open, None
        self._info.pop(_OPEN, None)
        pipeline.__exit__(None, None, None)  # syncs: every result is here, or the error
        asked, self._asked = self._asked, []
        self._cursor.close()
        self._cursor = None
        for own, found in asked:
            found.found = [tuple(r) for r in own.fetchall()]
            own.close()

    def _wrapped(self, item: Queued, e: Exception) -> Any:
        sql, params, *_ = item
        return exc.DBAPIError.instance(
            sql, params, e, self.conn.dialect.loaded_dbapi.Error, dialect=self.conn.dialect
        )


def statements(queued: Sequence[Queued], postgres: bool) -> list[tuple[str, Any, Returned | None]]:
    """What `Pipe.send` runs for `queued`, in its order: on PostgreSQL each run of writes to
    different tables as one statement of data-modifying `WITH` queries (see the module's
    docstring) and every `ask` as itself; on SQLite each as itself."""
    if not postgres:
        return [item[:3] for item in queued]
    runs: list[list[Queued]] = []
    written: set[str] = set()  # the tables the last run writes
    for item in queued:
        last = runs[-1] if runs else None
        _, _, found, table, reads = item
        if last and found is None and last[0][2] is None and not ({table} | reads) & written:
            last.append(item)
        else:
            runs.append([item])
            written = set()
        written.add(table)
    return [_one_statement(run) for run in runs]


def _one_statement(run: list[Queued]) -> tuple[str, Any, Returned | None]:
    """One run of `statements` as the statement that runs it."""
    if len(run) == 1:
        return run[0][:3]
    parts = [
        f"w{k} AS ({sql.replace('%(rows)s', f'%(rows_{k})s')})" for k, (sql, *_) in enumerate(run)
    ]
    params = {f"rows_{k}": one["rows"] for k, (_, one, *_) in enumerate(run)}
    return "WITH " + ", ".join(parts) + " SELECT 1", params, None


# The driver connections `_begin_in_pipeline` put in autocommit, until they go back to the pool.
_OWN_BEGIN: weakref.WeakSet[Any] = weakref.WeakSet()


def _begin_in_pipeline(raw: Any) -> bool:
    """Whether this pipeline opens the transaction itself. psycopg 3.3 sends its implicit BEGIN
    before a pipeline's first statement and waits for its answer (a round trip for BEGIN
    alone: tests/registry/write/test_round_trips.py), so when nothing has run in the
    transaction yet (the connection idle, out of any transaction), the driver is put in
    autocommit (it then sends no BEGIN) and the pipeline's first statement is BEGIN: the same
    transaction, one round trip fewer. Commit and rollback go by the server's transaction
    status, not by autocommit, so they end it as before; `_reset_autocommit` turns autocommit
    off again when the connection goes back to the pool."""
    if raw.autocommit or raw.pgconn.transaction_status != _IDLE:
        return False
    raw.autocommit = True
    _OWN_BEGIN.add(raw)
    return True


@event.listens_for(Pool, "checkin")
def _reset_autocommit(dbapi_connection: Any, record: Any) -> None:
    if dbapi_connection is not None and dbapi_connection in _OWN_BEGIN:
        _OWN_BEGIN.discard(dbapi_connection)
        if not dbapi_connection.closed:  # idle: committed, or rolled back by the pool's reset
            dbapi_connection.autocommit = False


def pipe(session: Session) -> Pipe:
    """The pipe of the session's current transaction (made on first use)."""
    found = session.info.get(_KEY)
    if not isinstance(found, Pipe):
        found = session.info[_KEY] = Pipe(session.connection())
    return found


@event.listens_for(Session, "before_commit")
def _send_before_commit(session: Session) -> None:
    """Send what is still queued as the session commits. On PostgreSQL the COMMIT itself goes
    last in the same pipeline (one round trip for the last rows and the commit, not two), when
    the session has no ORM objects of its own left to flush after this hook (the append writes
    through the pipe only): the driver then finds the transaction ended and sends nothing more
    when SQLAlchemy commits. A failed row aborts the pipeline before its COMMIT, and the error
    is raised here, so the session rolls back as before."""
    found = session.info.pop(_KEY, None)
    if isinstance(found, Pipe):
        found.send(commit=not (session.new or session.dirty or session.deleted))


@event.listens_for(Engine, "before_cursor_execute")
def _send_before_reading(conn: Connection, *_: Any) -> None:
    """Whatever runs through SQLAlchemy on a connection whose pipe sent ahead (a read of what
    the append did not keep in memory) waits until that pipe is sent: a query run inside the
    open pipeline would find no rows described yet, and it may read what the pipe wrote."""
    found = conn.info.get(_OPEN)
    if isinstance(found, Pipe):
        found.send()


@event.listens_for(Engine, "rollback")
def _close_before_rollback(conn: Connection) -> None:
    """A transaction rolled back while its pipe's pipeline is open (an error after
    `send_ahead`) leaves the pipeline first, dropping its answers, so that the ROLLBACK runs
    as on any connection."""
    found = conn.info.get(_OPEN)
    if isinstance(found, Pipe):
        found.close()


@event.listens_for(Session, "after_transaction_end")
def _drop_after_rollback(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed or not
        found = session.info.pop(_KEY, None)
        if isinstance(found, Pipe):
            found.close()
