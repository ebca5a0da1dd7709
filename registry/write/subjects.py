"""The subject map on the write side: the `pakta_subject_links` table and the hook that the
append calls once per transaction, before it signs the checkpoint.

`pakta_subject_links` holds one row per (subject, entry affecting it): the chain's count after
the entry, the entry's log index and the chain link (docs/subject-map.md). From it any
checkpoint's map can be rebuilt and any subject's chain listed (the proof route). The hook
keeps the newest map in memory between appends (O(log subjects) hashing per affected subject);
when other processes appended since, it applies the rows they wrote; and it trusts the result
only if the previous checkpoint's map line says so, otherwise it rebuilds the map from the
table (a process's first append). An append's map is kept once it has committed; one that did
not commit has its subjects set back to the states it started from (`_roll_back`), unless it
added a subject (then the map is rebuilt when next needed).

It writes map version 2 lines (with the years' window subjects). After a log whose last
checkpoint has a version 1 line or none, it appends only once `pakta migrate` / `fsck
--repair` has recorded every chain by the version 2 rule (`pakta_meta` "subject_map" = "2"),
so the first version 2 checkpoint commits complete chains.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import BigInteger, Column, LargeBinary, String, Table, and_, delete, func, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from keys.errors import PaktaError
from keys.note import parse_note
from registry.rules.replay import Outcome
from registry.rules.subjects import advance, affected
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.subjectmap import (
    MAP_VERSION,
    Hash,
    SubjectMap,
    SubjectState,
    extension_line,
    map_line,
)
from registry.write import storage
from registry.write.pipe import pipe
from registry.write.pipe_sql import Write

links = Table(
    "pakta_subject_links",
    storage.metadata,
    Column("subject", String(64), primary_key=True),
    Column("count", BigInteger, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, nullable=False, index=True),
    Column("link", LargeBinary(32), nullable=False),
)
_INSERT_LINKS = Write(links)


class SubjectMapError(PaktaError):
    """The stored subject chains do not give the map the last checkpoint committed to."""


def states_at(session: Session | Connection, size: int) -> dict[str, SubjectState]:
    """Every subject's chain state in the tree of `size` entries."""
    last = (
        select(links.c.subject, func.max(links.c.count).label("count"))
        .where(links.c.idx < size)
        .group_by(links.c.subject)
        .subquery()
    )
    rows = session.execute(
        select(links.c.subject, links.c.count.label("n"), links.c.idx, links.c.link).join(
            last, and_(links.c.subject == last.c.subject, links.c.count == last.c.count)
        )
    )
    return {r.subject: SubjectState(int(r.n), bytes(r.link), int(r.idx)) for r in rows}


def chain_indexes(session: Session | Connection, subject: str, size: int) -> list[int]:
    """The log indexes of the subject's chain in the tree of `size` entries, in order."""
    rows = session.execute(
        select(links.c.idx)
        .where(links.c.subject == subject, links.c.idx < size)
        .order_by(links.c.count)
    )
    return [int(r.idx) for r in rows]


def rows_since(
    session: Session | Connection, start: int, size: int
) -> list[tuple[str, SubjectState]]:
    """The chain states the entries start..size-1 wrote, in log order."""
    rows = session.execute(
        select(links.c.subject, links.c.count.label("n"), links.c.idx, links.c.link)
        .where(links.c.idx >= start, links.c.idx < size)
        .order_by(links.c.idx, links.c.count)
    )
    return [(r.subject, SubjectState(int(r.n), bytes(r.link), int(r.idx))) for r in rows]


def chain_indexes_exist(session: Session | Connection, size: int) -> bool:
    found = session.execute(select(links.c.idx).where(links.c.idx < size).limit(1)).first()
    return found is not None


def map_at(session: Session | Connection, size: int, version: int = MAP_VERSION) -> SubjectMap:
    """The map of `version` in the tree of `size` entries."""
    found = SubjectMap(states_at(session, size))
    return found if version == MAP_VERSION else found.versioned(version)


def committed_line(session: Session | Connection, size: int) -> tuple[int, Hash] | None:
    """The map version and root in the stored checkpoint of `size` (None: no checkpoint or
    no line)."""
    row = session.execute(
        select(storage.checkpoints.c.note).where(storage.checkpoints.c.size == size)
    ).first()
    if row is None:
        return None
    return map_line(Checkpoint.parse(parse_note(row.note).text).extensions)


_RECORDED = "subject_map"  # pakta_meta: the map version whose rule recorded the chains


def record_chains_version(session: Session | Connection) -> None:
    """The stored chains are every chain of the log by the current map version's rule."""
    session.execute(delete(storage.meta).where(storage.meta.c.name == _RECORDED))
    session.execute(storage.meta.insert().values(name=_RECORDED, value=str(MAP_VERSION)))


def chains_version(session: Session | Connection) -> int | None:
    """The map version whose rule the stored chains were recorded by, as `pakta migrate` /
    `fsck --repair` noted it (None: not noted)."""
    row = session.execute(
        select(storage.meta.c.value).where(storage.meta.c.name == _RECORDED)
    ).first()
    return None if row is None else int(row.value)


def chains_current(session: Session | Connection, size: int) -> bool:
    """The stored chains follow this Pakta's rule: the checkpoint of `size` has a line of the
    current version, or the chains were recorded by its rule."""
    line = committed_line(session, size)
    return (
        size == 0
        or (line is not None and line[0] == MAP_VERSION)
        or (chains_version(session) == MAP_VERSION)
    )


# A map, its size and root; the size and root it started from, and its subjects' states then.
_Pending = tuple[SubjectMap, int, Hash, int, Hash, dict[str, SubjectState] | None]


class SubjectMapKeeper:
    """The hook: record the subject chains of an append and give the checkpoint's map line."""

    def __init__(self) -> None:
        self._map: SubjectMap | None = None
        self._at = -1
        self._root = b""
        # The last `extensions` until its append commits (`committed`): its map, size and root,
        # and how to put back the map it started from (`_roll_back`).
        self._pending: _Pending | None = None

    def _current(self, session: Session, size: int, trusted: bool) -> SubjectMap:
        if size == 0:
            return SubjectMap()
        if trusted and self._map is not None and self._at == size:
            # This process wrote the checkpoint of `size` (the registry found the log as its
            # last append left it): the map it kept is the committed one.
            return self._map
        line = committed_line(session, size)
        current_line = line is not None and line[0] == MAP_VERSION
        if not current_line and (
            chains_version(session) != MAP_VERSION or not chain_indexes_exist(session, size)
        ):
            # A log an older Pakta wrote: its chains must be what `pakta fsck --repair`
            # recorded by this version's rule (a year's windows too).
            raise SubjectMapError(
                f"the checkpoint of size {size} commits to "
                + ("no subject map" if line is None else f"a version {line[0]} subject map")
                + " and the subject chains are not recorded by this version's rule: run "
                "'pakta migrate' (or 'pakta fsck --repair') once after upgrading"
            )
        if line is None:
            return map_at(session, size)
        version, committed = line
        if version > MAP_VERSION:
            raise SubjectMapError(f"the checkpoint of size {size} has a newer subject map")
        if self._map is not None and self._at == size and self._root == committed:
            return self._map
        if self._map is not None and 0 < self._at < size:
            # Another process appended since: apply its rows, O(what it appended).
            caught_up = self._map
            for subject, state in rows_since(session, self._at, size):
                caught_up.set(subject, state)
            self._map, self._at = None, -1
            if caught_up.root(version) == committed:
                return caught_up
        rebuilt = map_at(session, size)
        if rebuilt.root(version) != committed:
            raise SubjectMapError(
                f"the stored subject chains do not give the map root of checkpoint {size}"
            )
        return rebuilt

    def extensions(
        self, session: Session, accepted: Sequence[tuple[int, str, Outcome]], trusted: bool = False
    ) -> tuple[str, ...]:
        """Write the chains' new links for the appended entries (index, entry text, outcome),
        in log order and at least one; return the checkpoint's map line. `trusted`: the log
        is at the size this process's last committed append left it (no other writer since),
        so the map kept from that append is used without reading its checkpoint back."""
        self._roll_back()  # the last append did not commit
        old_size = accepted[0][0]
        current = self._current(session, old_size, trusted)
        self._map, self._at = None, -1  # until this append's checkpoint is the stored one
        old_root = current.root()  # the committed one, already hashed (`_current` checked it)
        rows = []
        size = old_size
        before: dict[str, SubjectState | None] = {}
        for index, entry, outcome in accepted:
            leaf = merkle.leaf_hash(entry.encode())
            for subject in affected(outcome):
                was = current.states.get(subject)
                before.setdefault(subject, was)
                state = advance(was, index, leaf)
                current.set(subject, state)
                rows.append(
                    {"subject": subject, "count": state.count, "idx": index, "link": state.head}
                )
            size = index + 1
        if rows:
            pipe(session).add(_INSERT_LINKS, rows)  # sent with the append's other rows
        root = current.root()
        # A subject this append adds cannot be taken out of the map again: then no undo.
        undo = {subject: was for subject, was in before.items() if was is not None}
        whole = len(undo) == len(before)
        self._pending = (current, size, root, old_size, old_root, undo if whole else None)
        return (extension_line(root),)

    def committed(self) -> None:
        """The append `extensions` last wrote for has committed: its map is the stored one,
        which the next append may use without reading it back (`trusted`)."""
        if self._pending is not None:
            self._map, self._at, self._root = self._pending[:3]
            self._pending = None

    def _roll_back(self) -> None:
        """The last append did not commit (another writer appended first, say): put back
        the map it started from, the committed one, by setting its subjects' states back (a
        map with a subject that append added is not kept: it is read again when needed)."""
        if self._pending is None:
            return
        current, _, _, old_size, old_root, undo = self._pending
        self._pending = None
        if undo is None:
            return
        for subject, state in undo.items():
            current.set(subject, state)
        if current.root() == old_root:
            self._map, self._at, self._root = current, old_size, old_root
