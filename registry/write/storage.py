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
    Column("cosigners", Integer, nullable=False, default=0),
)


class SessionHashReader:
    """A `merkle.HashReader` over `pakta_tree`, plus hashes this transaction has yet to write.

    Stored hashes never change once committed, so hashes read below the size this transaction
    started from are kept in `memo` (shared across transactions, bounded): the right edge of
    the tree an append needs is then read from the database about once per batch, not per
    record.
    """

    def __init__(self, session: Session, stored: int, memo: dict[int, bytes]) -> None:
        self.session = session
        self.committed = stored
        self.stored = stored
        self.pending: list[bytes] = []
        self.memo = memo
        self.written: dict[int, bytes] = {}

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        known = {**self.written, **{i: h for i in indexes if (h := self.memo.get(i)) is not None}}
        wanted = [i for i in indexes if i < self.stored and i not in known]
        if wanted:
            rows = self.session.execute(select(tree.c.id, tree.c.hash).where(tree.c.id.in_(wanted)))
            for r in rows:
                known[int(r.id)] = bytes(r.hash)
                if r.id < self.committed:
                    self.memo[int(r.id)] = bytes(r.hash)
            if len(self.memo) > 100_000:
                self.memo.clear()
        out = []
        for i in indexes:
            if i < self.stored:
                if i not in known:
                    raise LookupError(f"stored hash {i} is missing")
                out.append(known[i])
            else:
                out.append(self.pending[i - self.stored])
        return out

    def add(self, hashes: Sequence[bytes]) -> None:
        self.pending.extend(hashes)

    def flush(self) -> None:
        if self.pending:
            rows = {self.stored + k: h for k, h in enumerate(self.pending)}
            self.session.execute(tree.insert(), [{"id": i, "hash": h} for i, h in rows.items()])
            self.written.update(rows)
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
