"""The registry's eventsourcing persistence: eventsourcing-sqlalchemy, without two round trips
that buy nothing here.

The library's application recorder takes `LOCK TABLE <events> IN EXCLUSIVE MODE` before each
insert on PostgreSQL, to keep notification ids in commit order for concurrent writers, and sends
a `NOTIFY` after it for subscribers. Pakta's appends are already serialised by the append lock
(an advisory lock on PostgreSQL: registry/write/storage.py), and nothing subscribes (the read
model is fed inside the append's own transaction), so this recorder leaves both out: two of the
round trips of every append on PostgreSQL. The append inserts its stored events with
`queue_events`: one statement through the append's pipe (registry/write/pipe.py), with no
SQLAlchemy per-row work and, on PostgreSQL, no round trip of its own, instead of an ORM record
per event and a flush of the session's unit of work (about 60 % of the library's `save()` at
100 events a save): the same table, columns, values and notification ids, numbered in the
order of the events. `_insert_stored_events` (one Core `INSERT ... RETURNING id`) serves the
library's own callers.
The class is selected with eventsourcing's `PERSISTENCE_MODULE` setting, the library's
extension point for recorders.

The factory also sizes the engine's connection pool from the `POOL_SIZE` setting: a request
thread of the web server holds its read connection while it asks the registry for the log size
or a checkpoint (a second connection), so a pool smaller than twice the threads (plus the
writer and the witness collector) can leave every thread holding one connection and waiting
for another until the pool times out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import Environment
from eventsourcing_sqlalchemy.datastore import SQLAlchemyDatastore
from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from registry.write.pipe import Pipe, pipe
from registry.write.pipe_sql import compiled


class Recorder(SQLAlchemyApplicationRecorder):
    """Inserts events like its base class, without the table lock and the notification."""

    def queue_events(
        self, session: Session, stored_events: Sequence[StoredEvent]
    ) -> Callable[[], list[int]]:
        """Insert `stored_events` in the session's transaction; return a function that gives
        their notification ids, in the order of the events. On PostgreSQL the insert is queued
        in the transaction's pipe (registry/write/pipe.py: sent with the append's other rows,
        no round trip of its own) as one `INSERT ... SELECT` over the events as a JSON array,
        ordered as given (so the sequence numbers them in that order, as the library's own
        insert does) and RETURNING the ids with each event's (originator id, version), by
        which they are mapped back; on SQLite the same pipe runs it with sqlite3 (none of
        SQLAlchemy's per-row steps)."""
        if not stored_events:
            return lambda: []
        table = self.events_record_cls.__table__.name
        columns = f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
        p = pipe(session)
        if p.postgres:
            sql = (
                columns + "SELECT p.originator_id, p.originator_version, p.topic, p.state "
                "FROM json_to_recordset(%(rows)s::JSON) AS p(n BIGINT, originator_id UUID, "
                "originator_version BIGINT, topic TEXT, state BYTEA) ORDER BY p.n "
                "RETURNING id, originator_id, originator_version"
            )
            rows = [
                {
                    "n": n,
                    "originator_id": str(e.originator_id),
                    "originator_version": e.originator_version,
                    "topic": e.topic,
                    "state": "\\x" + e.state.hex(),  # bytea's hex input, as the pipe sends bytes
                }
                for n, e in enumerate(stored_events)
            ]
            asked = [p.ask_json(sql, rows)]
        else:
            # SQLite: rows of one multi-row VALUES (in the order given, as its rowids are
            # assigned), the id as the UUID's 16 bytes (as the library's column type stores
            # it), at most 5,000 rows (20,000 parameters) a statement.
            asked = []
            for start in range(0, len(stored_events), 5000):
                part = stored_events[start : start + 5000]
                values = ",".join(["(?,?,?,?)"] * len(part))
                sql = columns + f"VALUES {values} RETURNING id, originator_id, originator_version"
                flat = [
                    x
                    for e in part
                    for x in (e.originator_id.bytes, e.originator_version, e.topic, e.state)  # type: ignore[union-attr]
                ]
                asked.append(p.ask(sql, flat))
        postgres = p.postgres

        def ids() -> list[int]:
            found = {
                (i if postgres else UUID(bytes=i), v): int(n)
                for returned in asked
                for n, i, v in returned.rows()
            }
            return [found[e.originator_id, e.originator_version] for e in stored_events]

        return ids

    def _lock_table(self, session: Session) -> None:
        return None  # the append lock serialises writers (an advisory lock on PostgreSQL)

    def _notify_channel(self, session: Session) -> None:
        return None  # nothing listens: the read model is fed in the append's transaction

    def _insert_stored_events(
        self, session: Session, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int]:
        if not stored_events:
            return []
        table = self.events_record_cls.__table__
        statement = getattr(self, "_insert_returning", None)
        if statement is None:  # built once (see storage._FIND)
            statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            self._insert_returning = statement
        rows = [
            {
                "originator_id": e.originator_id,
                "originator_version": e.originator_version,
                "topic": e.topic,
                "state": e.state,
            }
            for e in stored_events
        ]
        return [int(i) for i in session.connection().execute(statement, rows).scalars()]


class Factory(SQLAlchemyFactory):
    application_recorder_class = Recorder
    POOL_SIZE = "POOL_SIZE"

    def __init__(self, env: Environment) -> None:
        size = env.get(self.POOL_SIZE)
        if size:
            # A file database or PostgreSQL gets a QueuePool that never opens more than
            # `size` connections (an in-memory SQLite database keeps the library's one).
            limits: dict[str, Any] = {"pool_size": int(size), "max_overflow": 0}

            def datastore(**kwargs: Any) -> SQLAlchemyDatastore:
                url = str(kwargs.get("url") or "")
                memory = url.startswith("sqlite") and (":memory:" in url or "mode=memory" in url)
                return SQLAlchemyDatastore(**kwargs, **({} if memory else limits))

            self.datastore_class = datastore  # type: ignore[assignment]
        super().__init__(env)


class LastEventQuery:
    """An originator's last stored event and the value of one more column (`also`, read in the
    same statement, so both as the append lock left them), built once as driver SQL and read
    through the append's pipe, after what it has queued (on PostgreSQL the lock: one round
    trip)."""

    def __init__(self, recorder: Any, originator_id: UUID, also: Any, engine: Any) -> None:
        record = recorder.events_record_cls
        query = (
            select(record.originator_version, record.topic, record.state, also.label("also"))
            .where(record.originator_id == originator_id)
            .order_by(record.originator_version.desc())
            .limit(1)
        )
        self.originator_id = originator_id
        self.sql, self.params = compiled(query, engine.dialect.name == "postgresql")

    def read(self, p: Pipe) -> tuple[StoredEvent | None, Any]:
        """(the last stored event or None, the other column's value if there is an event)."""
        found = p.ask(self.sql, self.params).rows()
        if not found:
            return None, None
        version, topic, state, also = found[0]
        state = bytes(state) if isinstance(state, memoryview) else state
        stored = StoredEvent(
            originator_id=self.originator_id, originator_version=version, topic=topic, state=state
        )
        return stored, also
