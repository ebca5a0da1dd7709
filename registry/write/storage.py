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
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from keys.errors import PaktaError
from registry.rules.records import Ref
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.write.pipe import pipe
from registry.write.pipe_sql import Write

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

# Which agency each granted key belongs to: a key speaks for one agency (registry/rules).
key_index = Table(
    "pakta_key_index",
    metadata,
    Column("keyid", String(48), primary_key=True),
    Column("agency", String(64), nullable=False),
)

# Which witness was asked to cosign which checkpoint size: each is asked once, across processes
# and restarts (registry/write/witnessing.py).
witness_asks = Table(
    "pakta_witness_asks",
    metadata,
    Column("url", String(2048), primary_key=True),
    Column("size", BigInteger, primary_key=True, autoincrement=False),
)

# The schema's version, written by `pakta init` / `pakta migrate`; a server refuses to start on
# a database of another version rather than misread it.
SCHEMA_VERSION = "2"
meta = Table(
    "pakta_meta",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", Text, nullable=False),
)

checkpoints = Table(
    "pakta_checkpoints",
    metadata,
    Column("size", BigInteger, primary_key=True, autoincrement=False),
    Column("note", Text, nullable=False),
    Column("cosigners", Integer, nullable=False, default=0),
)


# Statements of the append path, built once: building a SELECT with its WHERE clause costs
# SQLAlchemy more than running it here (coercions and the cache key, about 70 us a time).
_FIND = select(
    statement_index.c.agency, statement_index.c.seq, statement_index.c.type, statement_index.c.idx
).where(statement_index.c.hash == bindparam("b_hash"))
_HOLDER = select(key_index.c.agency).where(key_index.c.keyid == bindparam("b_keyid"))
_HASHES = select(tree.c.id, tree.c.hash).where(tree.c.id.in_(bindparam("b_ids", expanding=True)))
_CHECKPOINT_NOTE = select(checkpoints.c.note).where(checkpoints.c.size == bindparam("b_size"))
PG_LOCK_SQL = "SELECT pg_advisory_xact_lock(%(k)s)"  # driver SQL, for the append's pipe
_PG_LOCK = text("SELECT pg_advisory_xact_lock(:k)")
# Queued in the append's pipe (registry/write/pipe.py), sent with its other rows.
INSERT_TREE = Write(tree)
INSERT_STATEMENTS = Write(statement_index)
INSERT_KEYS = Write(key_index)
INSERT_CHECKPOINT = Write(checkpoints)


def schema_version(engine: Engine) -> str | None:
    """The version `pakta migrate` recorded, or None for a database it has not set up."""
    try:
        with engine.connect() as conn:
            row = conn.execute(select(meta.c.value).where(meta.c.name == "schema")).first()
    except DBAPIError:
        return None
    return row.value if row is not None else None


def record_schema_version(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(meta.delete().where(meta.c.name == "schema"))
        conn.execute(meta.insert().values(name="schema", value=SCHEMA_VERSION))


def find_statement(session: Session, statement_hash: str) -> Ref | None:
    """Where the statement with this hash is in the log (O(1): the primary key)."""
    row = session.execute(_FIND, {"b_hash": statement_hash}).first()
    return Ref(row.agency, row.seq, row.type, int(row.idx)) if row is not None else None


def key_holder(session: Session, keyid: str) -> str | None:
    found = session.execute(_HOLDER, {"b_keyid": keyid}).first()
    return found.agency if found is not None else None


def index_keys(session: Session, holders: dict[str, str]) -> None:
    if holders:
        rows = [{"keyid": k, "agency": a} for k, a in holders.items()]
        pipe(session).add(INSERT_KEYS, rows)


def index_statements(session: Session, refs: Sequence[Ref], hashes: Sequence[str]) -> None:
    """Index the statements just appended by their hashes (one INSERT for the batch)."""
    rows = [
        {"hash": h, "agency": r.agency, "seq": r.seq, "type": r.type, "idx": r.index}
        for r, h in zip(refs, hashes, strict=True)
    ]
    pipe(session).add(INSERT_STATEMENTS, rows)


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
            rows = self.session.connection().execute(_HASHES, {"b_ids": wanted})
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

    def remember_written(self) -> None:
        """Once the transaction has committed: keep what it wrote in `memo` too."""
        if len(self.memo) + len(self.written) > 100_000:
            self.memo.clear()
        self.memo.update(self.written)

    def flush(self) -> None:
        if self.pending:
            rows = {self.stored + k: h for k, h in enumerate(self.pending)}
            written = [{"id": i, "hash": h} for i, h in rows.items()]
            pipe(self.session).add(INSERT_TREE, written)  # sent with the append's other rows
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
            session.execute(_PG_LOCK, {"k": self.PG_KEY})


class ReadOnlyHashReader:
    """A `merkle.HashReader` over committed stored hashes, for proofs and tiles."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        with self.engine.connect() as conn:
            rows = conn.execute(_HASHES, {"b_ids": list(indexes)})
            found = {int(r.id): bytes(r.hash) for r in rows}
        try:
            return [found[i] for i in indexes]
        except KeyError as e:
            raise LookupError(f"stored hash {e} is missing") from None


class StoreError(PaktaError):
    """What the database holds cannot be read back, or does not add up: it was changed outside
    the registry."""


def aggregates_changed_since(
    session: Session, record: Any, notification_id: int, log_id: UUID
) -> set[UUID]:
    """The aggregates (not the log) with events stored after `notification_id`, from the
    event table `record` (one query; the append lock keeps notification ids in commit order)."""
    query = (
        select(record.originator_id)
        .where(record.id > notification_id, record.originator_id != log_id)
        .distinct()
    )
    return set(session.execute(query).scalars())


def check_tree(session: Session, size: int, reader: SessionHashReader) -> None:
    """Refuse to append on stored tree hashes that do not give the last signed root."""
    if size == 0:
        return
    note = session.execute(_CHECKPOINT_NOTE, {"b_size": size}).scalar()
    if note is None:
        raise StoreError(f"no signed checkpoint for the log's {size} entries: run pakta fsck")
    signed = Checkpoint.parse(note[: note.index("\n\n") + 1])
    try:
        root = merkle.tree_hash(size, reader)
    except LookupError as e:
        raise StoreError(f"a stored tree hash is missing ({e}): run pakta fsck") from None
    if root != signed.root_hash:
        raise StoreError(
            f"the stored tree hashes give the root {root.hex()} for {size} entries, but the "
            f"checkpoint signed for that size says {signed.root_hash.hex()}: the database "
            "was changed outside the registry; appending is refused until pakta fsck "
            "--repair has rebuilt the hashes"
        )
