"""The registry's own tables beside the event store, written in the append's transaction.

`pakta_tree` keeps the RFC 9162 stored hashes (sumdb layout), so an append costs O(log n)
reads and about two writes and a proof costs O(log n) reads. `pakta_statement_index` finds a
statement by its hash in O(1) (duplicates, references). `pakta_checkpoints` keeps every signed
checkpoint, one per published size: the primary key makes a second root for a size impossible.
Also here: the lock that serialises appends across threads and processes (PITFALLS.md).
"""

from __future__ import annotations

import fcntl
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    select,
    text,
)
from sqlalchemy.orm import Session

metadata = MetaData()

tree = Table(
    "pakta_tree",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("hash", LargeBinary(32), nullable=False),
)

statement_index = Table(
    "pakta_statement_index",
    metadata,
    Column("hash", String(71), primary_key=True),
    Column("agency", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("idx", BigInteger, nullable=False),
)

checkpoints = Table(
    "pakta_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
)


class SessionHashReader:
    """A `merkle.HashReader` over `pakta_tree`, plus hashes this transaction has yet to write."""

    def __init__(self, session: Session, stored: int) -> None:
        self.session = session
        self.stored = stored
        self.pending: list[bytes] = []

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        wanted = [i for i in indexes if i < self.stored]
        found: dict[int, bytes] = {}
        if wanted:
            rows = self.session.execute(select(tree.c.id, tree.c.hash).where(tree.c.id.in_(wanted)))
            found = {int(r.id): bytes(r.hash) for r in rows}
        out = []
        for i in indexes:
            if i < self.stored:
                if i not in found:
                    raise LookupError(f"stored hash {i} is missing")
                out.append(found[i])
            else:
                out.append(self.pending[i - self.stored])
        return out

    def add(self, hashes: Sequence[bytes]) -> None:
        self.pending.extend(hashes)

    def flush(self) -> None:
        if self.pending:
            self.session.execute(
                tree.insert(),
                [{"id": self.stored + k, "hash": h} for k, h in enumerate(self.pending)],
            )
            self.stored += len(self.pending)
            self.pending = []


class AppendLock:
    """Serialises appends: a thread lock, then `flock` (SQLite) or an advisory lock (PostgreSQL).

    The unique (originator id, version) constraint stays the safety net; the lock only turns
    racing writers' retries into waiting (PITFALLS.md: 0 retries and up to 2.8x throughput).
    """

    PG_KEY = 0x70616B7461  # "pakta"

    def __init__(self, lock_path: Path | None) -> None:
        self.thread_lock = threading.Lock()
        self.lock_path = lock_path

    @contextmanager
    def hold(self) -> Iterator[None]:
        with self.thread_lock:
            if self.lock_path is None:
                yield
                return
            with open(self.lock_path, "a+b") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)

    def in_transaction(self, session: Session) -> None:
        """Take the PostgreSQL advisory lock for the rest of this transaction."""
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": self.PG_KEY})
