"""What the registry reads back from its store: an agency's aggregate, head and stored
effects, the log's size, entries and signed checkpoints, and a reader of its tree hashes.
`Registry` (registry/write/app.py, the write path) takes these from `Reading`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, EventSourcedLog, Repository
from eventsourcing.persistence import EventStore, MapperDeserialisationError
from eventsourcing.utils import TopicError
from sqlalchemy import Engine, select

from registry.rules.changes import current_form
from registry.rules.errors import AgencyNotFound
from registry.rules.state import AgencyHead
from registry.write import storage
from registry.write.domain import Agency, LogEntry, agency_uuid
from registry.write.storage import StoreError

# Stream positions are stored as signed 64-bit integers (SQLite and PostgreSQL alike).
MAX_POSITION = 2**63 - 1


class Reading:
    """The registry's reads; the application (eventsourcing's) provides these attributes."""

    repository: Repository[UUID]
    events: EventStore[UUID]
    chain: EventSourcedLog[LogEntry]
    engine: Engine

    def load(self, agency: str) -> Agency | None:
        """The agency's aggregate, or None if it is not registered."""
        try:
            return self.repository.get(agency_uuid(agency))
        except AggregateNotFoundError:
            return None

    def head(self, agency: str) -> AgencyHead | None:
        found = self.load(agency)
        return found.head if found is not None else None

    def head_of(self, agency: str) -> AgencyHead:
        """The agency's head; `AgencyNotFound` if it is not registered."""
        found = self.head(agency)
        if found is None:
            raise AgencyNotFound(agency) from None
        return found

    def agency_effects(self, agency: str) -> list[dict[str, Any]]:
        """The effects stored in an agency's events, oldest first (for auditors)."""
        try:
            events = list(self.events.get(agency_uuid(agency)))
        except (MapperDeserialisationError, TopicError) as e:
            raise StoreError(f"a stored event of agency {agency!r} cannot be read: {e}") from None
        return [current_form(getattr(event, "effect")) for event in events]  # noqa: B009

    def size(self) -> int:
        last = self.chain.get_last()
        return 0 if last is None else last.originator_version

    def entry(self, index: int) -> str | None:
        """The exact text of entry `index`, or None past the end (or out of range: the store's
        positions are signed 64-bit, and index + 1 must be one)."""
        if not 0 <= index < MAX_POSITION:
            return None
        for event in self.chain.get(gt=index, lte=index + 1):
            return event.entry
        return None

    def entries(self, start: int = 0, stop: int | None = None) -> Iterator[tuple[int, str]]:
        """Entries `start` .. `stop - 1`, paged so memory stays flat."""
        position = start
        while stop is None or position < stop:
            limit = 1000 if stop is None else min(1000, stop - position)
            page = list(self.chain.get(gt=position, limit=limit))
            if not page:
                return
            for event in page:
                yield event.originator_version - 1, event.entry
            position = page[-1].originator_version

    def checkpoint(self, size: int | None = None, *, quorum: int = 0) -> str | None:
        """The signed checkpoint for `size` (the latest when None) with `quorum` cosigners."""
        table = storage.checkpoints
        query = select(table.c.note).where(table.c.cosigners >= quorum)
        if size is None:
            query = query.order_by(table.c.size.desc()).limit(1)
        else:
            query = query.where(storage.checkpoints.c.size == size)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return row.note if row is not None else None

    def hash_reader(self) -> storage.ReadOnlyHashReader:
        return storage.ReadOnlyHashReader(self.engine)
