"""The read model's projector: fed by each append, rebuilt from the log, tracked in one place.

`Projector` is the registry's read side (`registry.write.app.ReadSide`): inside every append's
transaction it answers the rules' `Facts`, writes the rows of each accepted statement from the
append's memory (`registry.read.rows`), and records the position it has reached with
eventsourcing's `SQLAlchemyTrackingRecorder` (its public `insert_tracking`, which joins the
transaction already open in this context). `rebuild` clears the rows and replays the stored
entries through the same rules (`registry.rules.replay.Replayer`), decoding them without
re-validating their schemas: what was accepted stays readable however the schemas evolve.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic
from eventsourcing_sqlalchemy.recorders import SQLAlchemyTrackingRecorder
from sqlalchemy import Table, Text, func, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from events import load_statement
from keys.dsse import Envelope
from registry.read.facts import BatchFacts, SqlFacts
from registry.read.rows import Rows
from registry.read.tables import TABLES, metadata, statements
from registry.rules.facts import MemoryFacts
from registry.rules.replay import Outcome, Replayer
from registry.tlog import merkle
from registry.write.app import Registry
from registry.write.domain import LogEntry
from registry.write.pipe import pipe
from registry.write.pipe_sql import Write, piped, piped_sql
from registry.write.readside import Appended

PAGE = 500
TRACKING_TABLE = "pakta_tracking"


def decode_entry(text: str) -> tuple[int, str, Envelope, Any]:
    """A stored entry's index, received_at, envelope and statement (no schema checks)."""
    entry = json.loads(text)
    envelope = Envelope.from_json(entry["envelope"])
    return entry["index"], entry["received_at"], envelope, load_statement(envelope.payload)


class Projector:
    """The read model of one registry: its rows, its position, its rebuild."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.view = SQLAlchemyTrackingRecorder(
            datastore=registry.datastore, tracking_table_name=TRACKING_TABLE
        )
        # The position is one row per application: set by an upsert queued in the pipe.
        self._track = Write(self.view.tracking_table, ("application_name",), "replace")
        events: Table = registry.recorder.events_record_cls.__table__  # type: ignore[attr-defined]
        self._events = frozenset({events.name})
        postgres = registry.engine.dialect.name == "postgresql"
        self._track_last = _track_last_sql(self.view.tracking_table, events, postgres)

    def create_tables(self) -> None:
        self.view.create_table()
        metadata.create_all(self.registry.engine)

    # -- the registry's read side ---------------------------------------------------------

    def begin(self, session: Session, size: int) -> ProjectionBatch | None:
        """The rows of one append; None when the rows are behind a log of `size` (checked
        once per transaction, O(1): the primary key)."""
        last = session.execute(select(func.max(statements.c.idx))).scalar_one()
        return self.begin_at(session, size, last)

    def last_index(self) -> Any:
        """The last projected entry's index, as a scalar subquery (the append reads it in the
        same query as the log's last entry)."""
        return select(func.max(statements.c.idx)).scalar_subquery()

    def begin_at(self, session: Session, size: int, last: int | None) -> ProjectionBatch | None:
        if not ((last is None and size == 0) or last == size - 1):
            return None
        return ProjectionBatch(self, SqlFacts(session))

    def facts(self, session: Session) -> SqlFacts:
        return SqlFacts(session)

    def track(self, session: Session, position: int) -> None:
        """Record the position reached, in the caller's transaction: one upsert of the
        recorder's tracking row, queued in the transaction's pipe (registry/write/pipe.py; its
        `insert_tracking` costs a check, a select and a flush)."""
        row = {"application_name": self.registry.name, "notification_id": position}
        pipe(session).add(self._track, [row])

    def track_last(self, session: Session) -> None:
        """`track` the last event stored, whose notification id the database looks up as it
        writes the position (so the append need not wait for the events' ids before it
        commits). Under the append lock, the last event stored is the append's own."""
        row = {"application_name": self.registry.name}
        p = pipe(session)
        p.add_sql(self._track_last, [row], self.view.tracking_table.name, self._events)

    # -- catching up and rebuilding -------------------------------------------------------

    def position(self) -> int:
        return self.view.max_tracking_id(self.registry.name) or 0

    def catch_up(self) -> int:
        """Project the entries after the tracked position; return how many. Each page is one
        transaction under the append lock that reads the position again, so writers on other
        hosts may go on meanwhile; the rules' state before a page is replayed in memory, so
        the rows are the ones the live path writes."""
        app = self.registry
        topics = [get_topic(LogEntry)]
        replayer, absorbed, done = Replayer(app.instance.registrar_keys), 0, 0
        while True:
            with app.lock.hold(), app.datastore.transaction(commit=True) as session:
                app.lock.in_transaction(session)
                position = self.view.max_tracking_id(app.name) or 0
                notes = app.recorder.select_notifications(
                    start=position, limit=PAGE, topics=topics, inclusive_of_start=False
                )
                first = notes[0].originator_version - 1 if notes else absorbed
                if first < absorbed:  # the view was cleared meanwhile: start again
                    replayer, absorbed = Replayer(app.instance.registrar_keys), 0
                for _, text in app.entries(absorbed, first):
                    _step(replayer, text)
                absorbed = first
                page = Rows()
                for note in notes:
                    text = app.mapper.to_domain_event(note).entry  # type: ignore[attr-defined]
                    outcome, envelope, received_at = _step(replayer, text)
                    leaf = merkle.leaf_hash(text.encode()).hex()
                    page.add(Appended(outcome, envelope, received_at, leaf))
                    absorbed += 1
                page.flush(session)
                if notes:
                    self.track(session, notes[-1].id)
            done += len(notes)
            if len(notes) < PAGE:
                return done

    def clear(self) -> None:
        """Delete the view's rows and its position (the log is untouched)."""
        app = self.registry
        with app.lock.hold(), app.datastore.transaction(commit=True) as session:
            app.lock.in_transaction(session)
            for table in reversed(TABLES):
                session.execute(table.delete())
            session.execute(self.view.tracking_table.delete())

    def rebuild(self) -> int:
        """Clear the view, then replay the whole log."""
        self.clear()
        return self.catch_up()

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every view table, in key order: two equal dumps are equal views."""
        with self.registry.engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in TABLES
            }

    def counts(self) -> dict[str, int]:
        with self.registry.engine.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in TABLES
            }

    def projected(self) -> int:
        """How many entries the read model holds."""
        with self.registry.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(statements)).scalar_one())


class ProjectionBatch:
    """The read model's side of one append: the facts the rules ask, answered from the tables
    and the batch so far, and the batch's rows, written when it commits."""

    def __init__(self, projector: Projector, stored: SqlFacts) -> None:
        self.projector = projector
        self.rows = Rows()
        self.batch = MemoryFacts()
        self.facts = BatchFacts(stored, self.batch)

    def project(self, appended: Appended) -> None:
        self.rows.add(appended)
        self.batch.add(appended.outcome.records, appended.outcome.signatures)

    def send_early(self, session: Session) -> None:
        self.rows.send_early(session)

    def commit(self, session: Session) -> None:
        self.rows.flush(session)
        self.projector.track_last(session)


def _track_last_sql(tracking: Table, events: Table, postgres: bool) -> str:
    """The upsert of the position, for the piped application name: the last event's id."""
    rows = piped({"application_name": Text}, postgres)
    last = select(func.max(events.c.id)).scalar_subquery()
    # WHERE: SQLite reads an upsert's SELECT ... FROM ... ON as a join without it.
    found = select(rows.c.application_name, last).where(true())
    stmt = (postgresql if postgres else sqlite).insert(tracking)
    stmt = stmt.from_select(["application_name", "notification_id"], found)
    moved = {"notification_id": stmt.excluded.notification_id}
    upsert = stmt.on_conflict_do_update(index_elements=["application_name"], set_=moved)
    return piped_sql(upsert, postgres)


def _step(replayer: Replayer, text: str) -> tuple[Outcome, Envelope, str]:
    """Replay one stored entry (already checked when it was appended)."""
    index, received_at, envelope, statement = decode_entry(text)
    when = datetime.fromisoformat(received_at.replace("Z", "+00:00"))
    return replayer.step(statement, envelope, index, when, verify=False), envelope, received_at
