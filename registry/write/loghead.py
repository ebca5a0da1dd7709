"""Where an append starts from: the log's last entry and the read side's last index.

Normally both are read under the append lock, in the append's first round trip (`LogHead.read`:
on PostgreSQL the BEGIN, the advisory lock and the query go in one pipeline). When this
process's last append found the log as this process had left it (one writer per host, the
usual case), its next append takes both from memory instead (`LogHead.remembered`) and queues
the lock and `UnmovedGuard` first in its only pipeline: the guard fails the transaction before
any write unless no other append committed since. Whatever the append reads before that pipe
is sent (an agency not cached, a duplicate lookup) is read without the lock, which the guard
makes safe: every append adds an entry, and a read model cleared or rebuilt elsewhere moves
its last index. The registry retries a refused append the usual way
(registry/write/app.py `submit_parsed`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, cast, func, literal_column, select
from sqlalchemy.orm import Session

from registry.write import storage
from registry.write.domain import LOG_ID, LogEntry
from registry.write.persistence import LastEventQuery
from registry.write.pipe import Pipe, pipe
from registry.write.pipe_sql import compiled
from registry.write.readside import ReadSide


class UnmovedGuard:
    """Sent right after the append lock, it fails the transaction unless the log's last
    version and the read side's last index are the given ones. Its error is a cast that
    cannot succeed (PostgreSQL's SQL has no RAISE; the CASE keeps it from being folded at
    planning time), which the pipe raises as a `DataError` naming `MOVED`."""

    MOVED = "pakta: the log moved on since this process appended"

    def __init__(self, recorder: Any, read_side: ReadSide, engine: Any) -> None:
        record = recorder.events_record_cls
        last = (
            select(func.max(record.originator_version))
            .where(record.originator_id == LOG_ID)
            .scalar_subquery()
        )
        also = read_side.last_index()
        unmoved = and_(last == bindparam("b_size"), also == bindparam("b_also"))
        verdict = case((unmoved, literal_column("'1'")), else_=literal_column(f"'{self.MOVED}'"))
        self.sql, self.params = compiled(select(cast(verdict, Integer)), True)

    def ask(self, p: Pipe, size: int, also: int) -> None:
        """Queue the check that the log still has `size` entries and `also` is unchanged."""
        p.ask(self.sql, self.params | {"b_size": size, "b_also": also})

    @classmethod
    def refused(cls, error: BaseException) -> bool:
        """Whether `error` (or what it wraps) is this guard's refusal."""
        seen: BaseException | None = error
        while seen is not None:
            if cls.MOVED in str(seen):
                return True
            seen = seen.__cause__ or seen.__context__
        return False


class LogHead:
    """The registry's way to the log's last entry and the read side's last index."""

    def __init__(self, registry: Any) -> None:
        self.registry = registry  # its recorder, mapper and engine
        # The last entry this process appended, while its next append may take it from
        # memory: kept only when that append found the log as this process had left it and
        # wrote the read side's rows too (`wrote`).
        self.last_written: LogEntry | None = None
        self._queries: tuple[ReadSide, LastEventQuery, UnmovedGuard] | None = None

    def _for(self, read_side: ReadSide) -> tuple[LastEventQuery, UnmovedGuard]:
        """The two queries, built once per read side (building costs more than running)."""
        if self._queries is None or self._queries[0] is not read_side:
            r = self.registry
            last = LastEventQuery(r.recorder, LOG_ID, read_side.last_index(), r.engine)
            self._queries = (read_side, last, UnmovedGuard(r.recorder, read_side, r.engine))
        return self._queries[1], self._queries[2]

    def read(self, session: Session, read_side: ReadSide) -> tuple[LogEntry | None, int | None]:
        """Take the append lock (PostgreSQL's advisory lock), then read the log's last entry
        and the read side's last index as the lock left them: on PostgreSQL in one round
        trip, with the BEGIN (test_round_trips.py)."""
        p = pipe(session)
        if p.postgres:
            p.ask(storage.PG_LOCK_SQL, {"k": storage.AppendLock.PG_KEY})
        stored, rows_last = self._for(read_side)[0].read(p)
        if stored is None:
            return None, session.execute(select(read_side.last_index())).scalar()
        last = self.registry.mapper.to_domain_event(stored)
        assert isinstance(last, LogEntry)
        return last, rows_last

    def remembered(
        self, session: Session, read_side: ReadSide, known_at: int
    ) -> tuple[LogEntry, int] | None:
        """On PostgreSQL, the remembered last entry and read side's index, with the lock and
        the guard queued first in the append's pipe, when this process's caches are valid for
        the size `known_at` its last append left; None: `read` them."""
        last = self.last_written
        p = pipe(session)
        if last is None or not p.postgres or known_at != last.originator_version:
            return None
        size = last.originator_version
        p.ask(storage.PG_LOCK_SQL, {"k": storage.AppendLock.PG_KEY})
        self._for(read_side)[1].ask(p, size, size - 1)
        return last, size - 1
