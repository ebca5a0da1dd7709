"""The event-sourced registry: checks signed statements and appends them to the one global log.

`Registry.submit_many` is the only write path. Under the append lock it opens one database
transaction, and in it: loads each agency (cached, fast-forwarded: O(1) reads), checks the
statement with `policy`, triggers the agency's event and the log entry, saves both with one
`save()`, appends the RFC 9162 stored hashes and the statement index, and signs one checkpoint
for the new size. So entries, tree hashes and checkpoint commit together or not at all, and
several statements can share the transaction (group commit).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, EventSourcedLog
from eventsourcing.persistence import IntegrityError
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import Statement, canonical_json, parse_statement, strict_loads
from keys.dsse import PAYLOAD_TYPE, Envelope, EnvelopeError
from keys.ed25519 import b64
from keys.errors import PaktaError
from keys.note import NoteSigner, sign_note
from registry.rules import policy
from registry.rules.policy import AgencyHead, ConflictError
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.write import storage
from registry.write.domain import LOG_ID, Agency, LogEntry, agency_uuid
from registry.write.instance import Instance

MAX_ENVELOPE_BYTES = 96 * 1024  # a 64 KiB statement grows by 4/3 in base64, plus signatures


@dataclass(frozen=True)
class Receipt:
    """What the registry promises back for an accepted statement."""

    index: int
    leaf_hash: str
    entry_hash: str
    statement_hash: str
    agency: str
    seq: int
    checkpoint: str
    inclusion_proof: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "leaf_hash": self.leaf_hash,
            "entry_hash": self.entry_hash,
            "statement_hash": self.statement_hash,
            "agency": self.agency,
            "seq": self.seq,
            "checkpoint": self.checkpoint,
            "inclusion_proof": list(self.inclusion_proof),
        }


def parse_submission(data: bytes) -> tuple[Envelope, Statement]:
    """Strictly parse a DSSE envelope and the statement it carries."""
    obj = strict_loads(data, max_bytes=MAX_ENVELOPE_BYTES)
    envelope = Envelope.from_json(obj)
    if envelope.payload_type != PAYLOAD_TYPE:
        raise EnvelopeError(
            f"payloadType must be {PAYLOAD_TYPE!r}, not {envelope.payload_type!r}",
            code="bad-value",
            field="/payloadType",
        )
    return envelope, parse_statement(envelope.payload)


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Registry(Application[UUID]):
    """The registry application over one SQLAlchemy database (SQLite file or PostgreSQL)."""

    name = "pakta"

    def __init__(
        self,
        instance: Instance,
        *,
        create_tables: bool = True,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(
            {
                "PERSISTENCE_MODULE": "eventsourcing_sqlalchemy",
                "SQLALCHEMY_URL": instance.database_url,
                "CREATE_TABLE": "y" if create_tables else "n",
                "AGGREGATE_CACHE_MAXSIZE": "10000",
            }
        )
        self.instance = instance
        self.datastore = self.recorder.datastore  # type: ignore[attr-defined]
        self.engine = self.datastore.engine
        self.chain = EventSourcedLog(self.events, LOG_ID, LogEntry)
        self.lock = storage.AppendLock(instance.lock_path)
        self.signer: NoteSigner = instance.log_signer()
        self.after_append: list[Callable[[], object]] = []
        # Called with the session inside each append's transaction (the read model).
        self.in_transaction: list[Callable[[Session], object]] = []
        self._hash_memo: dict[int, bytes] = {}
        # The registry's time for received_at; a test may fix it (tests/golden).
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))
        if create_tables:
            storage.metadata.create_all(self.engine)

    # -- writing -------------------------------------------------------------------------

    def submit(self, data: bytes) -> Receipt:
        result = self.submit_many([data])[0]
        if isinstance(result, PaktaError):
            raise result
        return result

    def submit_many(self, items: Sequence[bytes]) -> list[Receipt | PaktaError]:
        """Append what passes, in order; each item gets a receipt or the error that stopped it."""
        prepared: list[tuple[Envelope, Statement] | PaktaError] = []
        for data in items:
            try:
                prepared.append(parse_submission(data))
            except PaktaError as e:
                prepared.append(e)
        with self.lock.hold():
            for attempt in range(5):
                try:
                    results = self._append(prepared)
                    break
                except IntegrityError:
                    # Someone else extended the log or an agency first: the lock makes this
                    # rare; the unique version constraint made it safe. Reload and retry.
                    if attempt == 4:
                        raise
        for hook in self.after_append:
            hook()
        return results

    def _append(
        self, prepared: Sequence[tuple[Envelope, Statement] | PaktaError]
    ) -> list[Receipt | PaktaError]:
        with self.datastore.transaction(commit=True) as session:
            self.lock.in_transaction(session)
            last = self.chain.get_last()
            size = 0 if last is None else last.originator_version
            prev = merkle.leaf_hash(last.entry.encode()).hex() if last is not None else None
            received_at = self.clock()
            reader = storage.SessionHashReader(
                session, merkle.stored_hash_count(size), self._hash_memo
            )
            changed: dict[str, Agency] = {}
            pending: dict[str, tuple[str, int, str]] = {}
            rows: list[dict[str, Any]] = []
            new_events: list[LogEntry] = []
            accepted: list[tuple[int, int, str, Statement]] = []  # (slot, index, entry, st)
            results: list[Receipt | PaktaError | None] = []

            def lookup(ref: str) -> tuple[str, int, str] | None:
                return pending.get(ref) or self._lookup(session, ref)

            def heads(name: str) -> AgencyHead | None:
                found = changed.get(name) or self._load(name)
                return found.head if found is not None else None

            for item in prepared:
                results.append(item if isinstance(item, PaktaError) else None)
                if isinstance(item, PaktaError):
                    continue
                envelope, statement = item
                agency = changed.get(statement.agency) or self._load(statement.agency)
                head = agency.head if agency is not None else None
                try:
                    policy.check(
                        statement,
                        envelope,
                        head,
                        received_at,
                        self.instance.registrar_keys,
                        lookup,
                        heads,
                    )
                except ConflictError as conflict:
                    # Only a statement that does not extend its head can be a repeat: look
                    # it up then, not on every append.
                    repeat = lookup(statement.hash) is not None
                    results[-1] = (
                        ConflictError(
                            "duplicate", f"statement {statement.hash} is already in the log", head
                        )
                        if repeat
                        else conflict
                    )
                    continue
                except PaktaError as e:
                    results[-1] = e
                    continue
                index = size
                entry = canonical_json(
                    {
                        "index": index,
                        "prev": prev,
                        "received_at": utc_text(received_at),
                        "envelope": envelope.to_json(),
                    }
                ).decode()
                leaf = merkle.leaf_hash(entry.encode())
                change = policy.effect(statement, index)
                if agency is None:
                    agency = Agency(agency=statement.agency, effect=change)
                else:
                    agency.accept(effect=change)
                changed[statement.agency] = agency
                # The units it names (declared, assessed, proposed, awarded ...) change too.
                for name, note in policy.notes(statement, index).items():
                    other = changed.get(name) or self._load(name)
                    if other is not None:
                        other.accept(effect=note)
                        changed[name] = other
                new_events.append(
                    self.chain.trigger_event(entry=entry, next_originator_version=index + 1)
                )
                reader.add(merkle.stored_hashes_for_record(index, leaf, reader))
                key = (statement.agency, statement.seq, statement.type)
                pending[statement.hash] = key
                rows.append(dict(zip(("agency", "seq", "type"), key, strict=True)))
                rows[-1].update(hash=statement.hash, idx=index)
                accepted.append((len(results) - 1, index, entry, statement))
                size += 1
                prev = leaf.hex()
            if not new_events:
                return [r for r in results if r is not None]
            self.save(*changed.values(), *new_events)
            reader.flush()
            session.execute(storage.statement_index.insert(), rows)
            for hook in self.in_transaction:
                hook(session)
            root = merkle.tree_hash(size, reader)
            checkpoint = Checkpoint(self.instance.origin, size, root)
            signed = sign_note(checkpoint.to_text(), [self.signer])
            session.execute(
                storage.checkpoints.insert(), {"size": size, "note": signed, "cosigners": 0}
            )
            for slot, index, entry, statement in accepted:
                proof = merkle.inclusion_proof(index, size, reader)
                results[slot] = Receipt(
                    index=index,
                    leaf_hash=merkle.leaf_hash(entry.encode()).hex(),
                    entry_hash="sha256:" + hashlib.sha256(entry.encode()).hexdigest(),
                    statement_hash=statement.hash,
                    agency=statement.agency,
                    seq=statement.seq,
                    checkpoint=signed,
                    inclusion_proof=tuple(b64(h) for h in proof),
                )
        return [r for r in results if r is not None]

    def _load(self, agency: str) -> Agency | None:
        try:
            return self.repository.get(agency_uuid(agency))
        except AggregateNotFoundError:
            return None

    @staticmethod
    def _lookup(session: Any, ref: str) -> tuple[str, int, str] | None:
        row = session.execute(
            select(
                storage.statement_index.c.agency,
                storage.statement_index.c.seq,
                storage.statement_index.c.type,
            ).where(storage.statement_index.c.hash == ref)
        ).first()
        return (row.agency, row.seq, row.type) if row is not None else None

    # -- reading -------------------------------------------------------------------------

    def head(self, agency: str) -> AgencyHead | None:
        found = self._load(agency)
        return found.head if found is not None else None

    def agency_effects(self, agency: str) -> list[dict[str, Any]]:
        """The effects stored in an agency's events, oldest first (for auditors)."""
        return [getattr(event, "effect") for event in self.events.get(agency_uuid(agency))]  # noqa: B009

    def size(self) -> int:
        last = self.chain.get_last()
        return 0 if last is None else last.originator_version

    def entry(self, index: int) -> str | None:
        """The exact text of entry `index`, or None past the end."""
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

    def hash_reader(self) -> ReadOnlyHashReader:
        return ReadOnlyHashReader(self.engine)


class ReadOnlyHashReader:
    """A `merkle.HashReader` over committed stored hashes, for proofs and tiles."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(storage.tree.c.id, storage.tree.c.hash).where(
                    storage.tree.c.id.in_(list(indexes))
                )
            )
            found = {int(r.id): bytes(r.hash) for r in rows}
        try:
            return [found[i] for i in indexes]
        except KeyError as e:
            raise LookupError(f"stored hash {e} is missing") from None
