"""The registry's eventsourcing persistence: eventsourcing-sqlalchemy, without two round trips
that buy nothing here.

The library's application recorder takes `LOCK TABLE <events> IN EXCLUSIVE MODE` before each
insert on PostgreSQL, to keep notification ids in commit order for concurrent writers, and sends
a `NOTIFY` after it for subscribers. Pakta's appends are already serialised by the append lock
(an advisory lock on PostgreSQL: registry/write/storage.py), and nothing subscribes (the read
model is fed inside the append's own transaction), so this recorder leaves both out: two of the
round trips of every append on PostgreSQL. The class is selected with eventsourcing's
`PERSISTENCE_MODULE` setting, the library's extension point for recorders.
"""

from __future__ import annotations

from eventsourcing_sqlalchemy.factory import SQLAlchemyFactory
from eventsourcing_sqlalchemy.recorders import SQLAlchemyApplicationRecorder
from sqlalchemy.orm import Session


class Recorder(SQLAlchemyApplicationRecorder):
    """Inserts events like its base class, without the table lock and the notification."""

    def _lock_table(self, session: Session) -> None:
        return None  # the append lock serialises writers (an advisory lock on PostgreSQL)

    def _notify_channel(self, session: Session) -> None:
        return None  # nothing listens: the read model is fed in the append's transaction


class Factory(SQLAlchemyFactory):
    application_recorder_class = Recorder
