"""The event-sourced registry: checks signed statements and appends them to the one global log.

`Registry.submit_many` is the only write path, and it goes one way: each submission is parsed
once (`parse_submission`) and its signatures verified with the keys this process knows
(`Registry.prepare`, outside the lock); then under the append lock one database transaction
runs the pure rules on it (`registry.rules.replay.check` and `replay`), triggers the agencies'
events and the log entry, hands the read side the statement and the rules' outcome from memory,
and finally saves everything with one `save()`, appends the RFC 9162 stored hashes and the
statement index, records the read side's position and signs one checkpoint for the new size. So
entries, tree hashes, read-model rows and checkpoint commit together or not at all, and several
statements can share the transaction (group commit). When the log is as this process's last
append left it, the transaction works from what that append left in memory and takes the lock
as it sends its writes, with a check that nothing was appended since
(registry/write/loghead.py): one round trip, and a transaction that commits only what the
lock would have given. Its writes then go out as they are made (`Pipe.send_ahead`: every
`SEND_EVERY` statements the log's rows and the read-model rows nothing later changes, the rest
at the end), so that the database writes while the registry works out the rest; the COMMIT
waits for every answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import Application, EventSourcedLog
from eventsourcing.persistence import DataError, IntegrityError
from sqlalchemy import exc
from sqlalchemy.orm import Session

from keys.errors import PaktaError
from keys.note import NoteSigner, sign_note
from registry.rules.errors import ConflictError
from registry.rules.replay import Outcome, check, replay
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.write import storage
from registry.write.batch import (
    Batch,
    Prepared,
    entry_text,
    receipt,
    receive_time,
    utc_text,
)
from registry.write.domain import LOG_ID, Agency, LogEntry, agency_uuid
from registry.write.instance import Instance
from registry.write.loghead import LogHead, UnmovedGuard
from registry.write.persistence import Recorder
from registry.write.pipe import pipe
from registry.write.preverify import KnownKeys
from registry.write.reading import Reading
from registry.write.readside import Appended, ReadSide
from registry.write.subjects import SubjectMapKeeper  # verified views: the subject map
from registry.write.submission import Receipt

log = logging.getLogger(__name__)


# A batch's log rows (and its read-model rows that nothing later in the batch changes:
# registry/read/rows.py `EARLY`) go to the database every this many accepted statements, so that
# PostgreSQL writes them while the registry checks the next ones (`Pipe.send_ahead`; SQLite,
# in this process, writes them then too, for no gain and no loss: bench.ab, 2026-12-04).
SEND_EVERY = 25


class Registry(Reading, Application[UUID]):
    """The registry application over one SQLAlchemy database (SQLite file or PostgreSQL)."""

    name = "pakta"

    def __init__(
        self,
        instance: Instance,
        *,
        clock: Callable[[], datetime] | None = None,
        connections: int | None = None,
    ) -> None:
        """`connections`: the most database connections this process opens (None: the
        library's default pool); see registry/write/persistence.py."""
        super().__init__(
            {
                "PERSISTENCE_MODULE": "registry.write.persistence:Factory",
                "POOL_SIZE": str(connections or ""),
                "SQLALCHEMY_URL": instance.database_url,
                # The schema is created once by `pakta init` / `pakta migrate`, never by a
                # worker starting (PITFALLS.md: racing CREATE TABLEs on PostgreSQL).
                "CREATE_TABLE": "n",
                "AGGREGATE_CACHE_MAXSIZE": "10000",
            }
        )
        self.instance = instance
        self.datastore = self.recorder.datastore  # type: ignore[attr-defined]
        self.engine = self.datastore.engine
        self.chain = EventSourcedLog(self.events, LOG_ID, LogEntry)
        self.lock = storage.AppendLock(instance.lock_path)
        self.signer: NoteSigner = instance.log_signer()
        self.read_side: ReadSide | None = None  # set by registry.service.open_service
        self.after_append: list[Callable[[], object]] = []
        self._hash_memo: dict[int, bytes] = {}
        self._known: dict[str, Agency | None] = {}
        self._known_at = -1  # the log size `_known` is valid for
        self._known_id: int | None = None  # the last notification id this process stored
        self.log_head = LogHead(self)  # where an append starts from (registry/write/loghead.py)
        # The size the append under way started from, and its batch, until it commits.
        self._attempt: tuple[int, Batch] | None = None
        self.known_keys = KnownKeys(instance.registrar_keys)  # for `prepare`, before the lock
        self.subject_map = SubjectMapKeeper()  # verified views: docs/subject-map.md
        # The registry's time for received_at; a test may fix it (tests/golden_demo.py).
        self.clock: Callable[[], datetime] = clock or (lambda: datetime.now(UTC))

    # -- writing -------------------------------------------------------------------------

    def submit(self, data: bytes) -> Receipt:
        result = self.submit_many([data])[0]
        if isinstance(result, PaktaError):
            raise result
        return result

    def submit_many(self, items: Sequence[bytes]) -> list[Receipt | PaktaError]:
        """Append what passes, in order; each item gets a receipt or the error that stopped it."""
        return self.submit_parsed([self.prepare(data) for data in items])

    def prepare(self, data: bytes) -> Prepared:
        """A submission parsed once and its signatures verified with the keys this process
        knows, outside the append lock, ready for `submit_parsed` (registry/write/preverify.py)."""
        return self.known_keys.prepare(data)

    def learn_keys(self, agency: Agency | None) -> None:
        """Remember the public keys an agency's head grants, for `prepare`."""
        self.known_keys.learn(agency)

    def submit_parsed(self, prepared: Sequence[Prepared]) -> list[Receipt | PaktaError]:
        """`submit_many` for submissions already parsed (`prepare`, outside the lock)."""
        with self.lock.hold():
            for attempt in range(5):
                try:
                    results, behind = self._append(prepared, optimistic=attempt == 0)
                    break
                except IntegrityError:
                    # Someone else extended the log or an agency first: the lock makes this
                    # rare; the unique version constraint made it safe. Reload and retry.
                    if attempt == 4:
                        raise
                except (DataError, exc.DataError) as e:
                    # An append that skipped its first round trip found, under the lock, that
                    # the log had moved on: nothing was written; retry reading what is stored.
                    if not UnmovedGuard.refused(e):
                        raise
                    self._forget_attempt()
        if behind and self.read_side is not None:
            self.read_side.catch_up()
        for hook in self.after_append:
            hook()
        return results

    def _append(
        self, prepared: Sequence[Prepared], optimistic: bool = False
    ) -> tuple[list[Receipt | PaktaError], bool]:
        """Append in one transaction; also say whether the read model was left behind.
        `optimistic`: skip the first round trip if this process may (`LogHead.remembered`)."""
        read_side = self.read_side
        if read_side is None:
            raise RuntimeError("the registry has no read side: open it with open_service")
        with self.datastore.transaction(commit=True) as session:
            # Under the append lock, in its round trip: the log's last entry and the read side's
            # last index; or, if the log is as this process left it, both from memory, checked
            # under the lock in the append's one round trip.
            head = self.log_head
            found = head.remembered(session, read_side, self._known_at) if optimistic else None
            last, rows_last = found or head.read(session, read_side)
            size = 0 if last is None else last.originator_version
            prev = merkle.leaf_hash(last.entry.encode()).hex() if last is not None else None
            received_at = receive_time(self.clock(), last.entry if last is not None else None)
            received_text = utc_text(received_at)
            reader = storage.SessionHashReader(
                session, merkle.stored_hash_count(size), self._hash_memo
            )
            ours = size == self._known_at  # the log is as this process's last append left it
            if not ours:
                # The log moved on without us (or this process just started): what is stored
                # is all we know, so check it before signing anything on top of it, and forget
                # the aggregates that other writers changed since (or all, if we know nothing).
                storage.check_tree(session, size, reader)
                self._forget_foreign(session, size)
            elif len(self._known) > 10_000:
                self._known = {}
            self._known_at = -1  # until this transaction commits
            batch = Batch(self, session, self._known)
            self._attempt = (size, batch)
            # A read model left behind (cleared, restored, being rebuilt elsewhere) is not
            # written here: its catch-up replays these entries after the commit.
            rows = read_side.begin_at(session, size, rows_last)
            behind = rows is None
            facts = rows.facts if rows is not None else read_side.facts(session)
            results: list[Receipt | PaktaError | None] = []
            accepted: list[tuple[int, int, str, Outcome]] = []  # (slot, index, entry, outcome)
            new_events: list[LogEntry] = []  # one for each accepted statement
            queued = 0  # the accepted statements whose log rows are in the pipe
            ids: list[Callable[[], list[int]]] = []  # the events' ids, once committed
            for item in prepared:
                results.append(item if isinstance(item, PaktaError) else None)
                if isinstance(item, PaktaError):
                    continue
                envelope, statement, verified = item
                try:
                    signatures = check(
                        statement,
                        envelope,
                        size,
                        received_at,
                        self.instance.registrar_keys,
                        batch,
                        verified,
                    )
                except ConflictError as conflict:
                    # Only a statement that does not extend its head can be a repeat: look
                    # it up then, not on every append.
                    if batch.find(statement.hash) is not None:
                        message = f"statement {statement.hash} is already in the log"
                        conflict = ConflictError("duplicate", message, conflict.head)
                    results[-1] = conflict
                    continue
                except PaktaError as e:
                    results[-1] = e
                    continue
                outcome = replay(statement, size, received_at, signatures, batch, facts)
                entry = entry_text(size, prev, received_text, envelope)
                leaf = merkle.leaf_hash(entry.encode())
                batch.take(outcome)
                new_events.append(
                    self.chain.trigger_event(entry=entry, next_originator_version=size + 1)
                )
                reader.add(merkle.stored_hashes_for_record(size, leaf, reader))
                if rows is not None:
                    rows.project(Appended(outcome, envelope, received_text, leaf.hex()))
                accepted.append((len(results) - 1, size, entry, outcome))
                size += 1
                prev = leaf.hex()
                if ours and len(accepted) - queued >= SEND_EVERY:
                    # A large batch's log rows go to the database as they are made, and it
                    # writes them while the next statements are checked.
                    part = slice(queued, None)
                    ids.append(
                        self._queue_log(session, batch, new_events[part], accepted[part], reader)
                    )
                    if rows is not None:
                        rows.send_early(session)
                    queued = len(accepted)
                    pipe(session).send_ahead()
            if not new_events:
                self._known_at = size
                if not ours:
                    self.log_head.last_written = None
                return [r for r in results if r is not None], behind
            part = slice(queued, None)
            ids.append(self._queue_log(session, batch, new_events[part], accepted[part], reader))
            storage.index_keys(session, batch.holders)
            if rows is not None:
                # The rows, and the read side's position: the notification id of the last
                # entry (the last event stored), which the database looks up as it writes it.
                rows.commit(session)
            if ours:
                # The log's and the read model's rows go to the database now, and it writes
                # them while this process works out the root, the checkpoint and the receipts
                # (the rest follows with the COMMIT, which waits for every answer). Not when
                # the subject map is read back first: that read would wait for them anyway.
                pipe(session).send_ahead()
            root = merkle.tree_hash(size, reader)
            # Verified views: the subject chains of these entries and the map's root line.
            ext = self.subject_map.extensions(session, [a[1:] for a in accepted], trusted=ours)
            signed = sign_note(
                Checkpoint(self.instance.origin, size, root, ext).to_text(), [self.signer]
            )
            checkpoint = {"size": size, "note": signed, "cosigners": 0}
            pipe(session).add(storage.INSERT_CHECKPOINT, [checkpoint])  # sent as it commits
            proofs = merkle.inclusion_proofs([a[1] for a in accepted], size, reader)  # one walk
            for (slot, index, entry, outcome), proof in zip(accepted, proofs, strict=True):
                results[slot] = receipt(index, entry, outcome, signed, proof)
        # Committed: the hashes this append wrote are stored for good, so the next append (the
        # right edge of the tree it hashes) need not read them back.
        reader.remember_written()
        self.subject_map.committed()
        self._known.update(batch.changed)
        for agency in batch.changed.values():
            self.learn_keys(agency)
        self._known_at = size
        self._known_id = max(i for found in ids for i in found())
        self.log_head.last_written = new_events[-1] if ours and rows is not None else None
        self._attempt = None
        return [r for r in results if r is not None], behind

    def _queue_log(
        self,
        session: Session,
        batch: Batch,
        entries: Sequence[LogEntry],
        accepted: Sequence[tuple[int, int, str, Outcome]],
        reader: storage.SessionHashReader,
    ) -> Callable[[], list[int]]:
        """Queue the log's rows of these accepted statements (not yet queued): the events of
        the agencies they changed and their entries, their tree hashes and their index rows."""
        agencies = [a for a in batch.changed.values() if a.pending_events]
        ids = self._store(agencies, entries, session)
        reader.flush()
        refs = [o.ref for *_, o in accepted]
        storage.index_statements(session, refs, [o.statement.hash for *_, o in accepted])
        return ids

    def _store(
        self, agencies: Sequence[Agency], entries: Sequence[LogEntry], session: Session
    ) -> Callable[[], list[int]]:
        """`Application.save(*agencies, *entries)` without its per-object protocol checks (a
        third of save() at 100 a save: `python -m bench.profile`): the agencies' events, then
        the entries, to the event store, and the agencies to the repository's cache (no
        snapshots; nothing subscribes to save()'s notify). Returns a function giving the
        events' notification ids in order (the insert waits in the append's pipe)."""
        events = [event for agency in agencies for event in agency.collect_events()]
        domain_events: list[Any] = [*events, *entries]
        stored = [self.mapper.to_stored_event(e) for e in domain_events]
        recorder: Recorder = self.recorder  # type: ignore[assignment]
        ids = recorder.queue_events(session, stored)
        cache = self.repository.cache
        if cache is not None and not self.repository.fastforward:
            for agency in agencies:
                cache.put(agency.id, agency)
        return ids

    def _forget_attempt(self) -> None:
        """After an append refused by `UnmovedGuard` (nothing written): the agencies it changed
        in memory go, and what else this process kept stays valid for the size that append
        started from, so the retry forgets only what the other writers changed since
        (`_forget_foreign`), not everything."""
        if self._attempt is None:
            return
        started, batch = self._attempt
        for name in batch.changed:
            self._known.pop(name, None)
        self._known_at = started

    def _forget_foreign(self, session: Session, size: int) -> None:
        """Drop from `_known` the agencies whose events other writers stored after this
        process's last append (one query on the notification ids, which the append lock
        keeps in commit order); drop everything when this process knows nothing yet or the
        log moved on by more than the cache holds."""
        if self._known_at < 0 or self._known_id is None or size - self._known_at > 10_000:
            self._known = {}
            return
        record = self.recorder.events_record_cls  # type: ignore[attr-defined]
        changed = storage.aggregates_changed_since(session, record, self._known_id, LOG_ID)
        for name in [n for n in self._known if agency_uuid(n) in changed]:
            del self._known[name]

    def forget(self) -> None:
        """Drop what this process keeps between appends (stored hashes, aggregates), so the
        next append reads and checks what is stored (after a repair)."""
        self._hash_memo.clear()
        self._known, self._known_at, self._known_id = {}, -1, None
        self.log_head.last_written = None
