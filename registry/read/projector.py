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
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.utils import get_topic
from eventsourcing_sqlalchemy.recorders import SQLAlchemyTrackingRecorder
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from events import load_statement
from keys.dsse import Envelope
from registry.read import rows
from registry.read.facts import SqlFacts
from registry.read.tables import TABLES, metadata, statements
from registry.rules.replay import Replayer
from registry.write.app import Appended, Registry
from registry.write.domain import LogEntry

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

    def create_tables(self) -> None:
        self.view.create_table()
        metadata.create_all(self.registry.engine)

    # -- the registry's read side ---------------------------------------------------------

    def facts(self, session: Session) -> SqlFacts:
        return SqlFacts(session)

    def project(self, session: Session, appended: Appended) -> None:
        rows.write(session, appended)

    def track(self, session: Session, position: int) -> None:
        self.view.insert_tracking(Tracking(self.registry.name, position))

    # -- catching up and rebuilding -------------------------------------------------------

    def position(self) -> int:
        return self.view.max_tracking_id(self.registry.name) or 0

    def catch_up(self) -> int:
        """Project the entries after the tracked position; return how many. The rules' state
        before them is replayed in memory first, so the rows are the ones the live path
        writes."""
        app = self.registry
        topics = [get_topic(LogEntry)]
        pending = app.recorder.select_notifications(
            start=self.position(), limit=1, topics=topics, inclusive_of_start=False
        )
        if not pending:
            return 0
        first = pending[0].originator_version - 1
        replayer = Replayer(app.instance.registrar_keys)
        for _, text in app.entries(0, first):
            index, received_at, envelope, statement = decode_entry(text)
            replayer.step(statement, envelope, index, _when(received_at), verify=False)
        done, start = 0, pending[0].id - 1
        while True:
            with app.lock.hold(), app.datastore.transaction(commit=True) as session:
                app.lock.in_transaction(session)
                notes = app.recorder.select_notifications(
                    start=start, limit=PAGE, topics=topics, inclusive_of_start=False
                )
                for note in notes:
                    event = app.mapper.to_domain_event(note)
                    text = event.entry  # type: ignore[attr-defined]
                    index, received_at, envelope, statement = decode_entry(text)
                    outcome = replayer.step(
                        statement, envelope, index, _when(received_at), verify=False
                    )
                    rows.write(session, Appended(outcome, envelope, received_at))
                if notes:
                    self.track(session, notes[-1].id)
            done += len(notes)
            if len(notes) < PAGE:
                return done
            start = notes[-1].id

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


def _when(received_at: str) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(received_at.replace("Z", "+00:00"))
