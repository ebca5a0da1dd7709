"""`pakta fsck`: check every table the registry stores against the log it is derived from.

The log entries (the `EventSourcedLog` in the event store) are the source; everything else is
recomputed from them, in memory, and compared row by row: the RFC 9162 stored tree hashes, every
signed checkpoint (its signature by the log key and its root, so each is consistent with the
next, and its subject map line), the statement index and the key index, the subject chains
(`pakta_subject_links`, docs/subject-map.md), each agency aggregate's stored events (replayed
with `registry.rules`, as the auditor does), the read model's tracking position, and every row
of every read-model table (the rules' outcomes of the whole log, kept in one in-memory batch of
`registry.read.rows.Rows`: a rebuild beside the live tables, never over them). Each difference
names its table and row. `repair` rebuilds what is derived (tree hashes, the two indexes, the
subject chains, the read model) and never touches entries, checkpoints or aggregates. Memory
grows with the log: an fsck of a large log wants a machine with room for it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select

from keys.errors import PaktaError
from keys.note import NoteVerifier, open_note
from registry.read.projector import decode_entry
from registry.read.rows import Rows
from registry.read.tables import TABLES
from registry.rules.replay import Replayer, granted_keys
from registry.rules.subjects import SubjectChains
from registry.service import Service
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureVerifier, count_cosigners
from registry.tlog.subjectmap import EMPTY, MAP_VERSION, map_line
from registry.write import storage
from registry.write import subjects as subject_links
from registry.write.readside import Appended


@dataclass(frozen=True)
class Finding:
    """One stored row that is not what the log implies."""

    table: str
    row: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table} {self.row}: {self.problem}"


class ListReader:
    """A `merkle.HashReader` over hashes recomputed in memory."""

    def __init__(self) -> None:
        self.hashes: list[bytes] = []

    def read_hashes(self, indexes: Any) -> list[bytes]:
        return [self.hashes[i] for i in indexes]


@dataclass
class Expected:
    """What every derived table should hold, recomputed from the entries."""

    size: int
    hashes: list[bytes]
    index: dict[str, dict[str, Any]]
    keys: dict[str, str]
    effects: dict[str, list[dict[str, Any]]]
    rows: Rows
    findings: list[Finding]
    # The subject chains (docs/subject-map.md): (subject, count) -> (idx, link), and the
    # map root of each version after each size (map_roots[n][v]: the tree of n entries).
    links: dict[tuple[str, int], tuple[int, bytes]]
    map_roots: list[dict[int, bytes]]


def recompute(service: Service) -> Expected:
    registry = service.registry
    reader = ListReader()
    replayer = Replayer(registry.instance.registrar_keys)
    rows = Rows()
    index: dict[str, dict[str, Any]] = {}
    holders: dict[str, str] = {}
    findings: list[Finding] = []
    prev: str | None = None
    size = 0
    chains = SubjectChains()
    links: dict[tuple[str, int], tuple[int, bytes]] = {}
    map_roots = [{1: EMPTY, 2: EMPTY}]
    entries = registry.entries()
    while True:
        try:
            position, text = next(entries)
        except StopIteration:
            break
        except Exception as e:  # a stored event that does not decode
            findings.append(Finding("pakta_events", f"entry {size}", f"cannot be read: {e}"))
            break
        try:
            index_, received, envelope, statement = decode_entry(text)
            when = datetime.fromisoformat(received.replace("Z", "+00:00"))
            outcome = replayer.step(statement, envelope, position, when, verify=False)
        except Exception as e:  # the entry's JSON, envelope or statement is not what was signed
            findings.append(Finding("pakta_events", f"entry {position}", f"cannot be read: {e}"))
            break
        if index_ != position or json.loads(text).get("prev") != prev:
            broken = Finding("pakta_events", f"entry {position}", "index or prev link broken")
            findings.append(broken)
        leaf = merkle.leaf_hash(text.encode())
        reader.hashes.extend(merkle.stored_hashes_for_record(position, leaf, reader))
        rows.add(Appended(outcome, envelope, received, leaf.hex()))
        ref = outcome.ref
        index[statement.hash] = {
            "agency": ref.agency,
            "seq": ref.seq,
            "type": ref.type,
            "idx": ref.index,
        }
        holders.update(granted_keys(outcome))
        for subject in chains.add_outcome(outcome, leaf):
            state = chains.map.states[subject]
            links[(subject, state.count)] = (position, state.head)
        map_roots.append({v: chains.root(v) for v in (1, 2)})
        prev, size = leaf.hex(), position + 1
    return Expected(
        size, reader.hashes, index, holders, replayer.effects, rows, findings, links, map_roots
    )


def fsck(service: Service) -> list[Finding]:
    """Every difference between what is stored and what the log implies (empty: all good)."""
    expected = recompute(service)
    found = list(expected.findings)
    found += _tree(service, expected)
    found += _checkpoints(service, expected)
    found += _indexes(service, expected)
    found += _subject_links(service, expected)
    found += _aggregates(service, expected)
    found += _read_model(service, expected)
    return found


def _tree(service: Service, expected: Expected) -> list[Finding]:
    t = storage.tree
    with service.read() as db:
        stored = {int(r.id): bytes(r.hash) for r in db.execute(select(t.c.id, t.c.hash))}
    out = [
        Finding("pakta_tree", f"id {i}", "missing" if i not in stored else "hash differs")
        for i, h in enumerate(expected.hashes)
        if stored.get(i) != h
    ]
    out += [Finding("pakta_tree", f"id {i}", "extra") for i in stored if i >= len(expected.hashes)]
    return out


def _checkpoints(service: Service, expected: Expected) -> list[Finding]:
    verifier = NoteVerifier.parse(service.instance.log_vkey)
    witnesses = [CosignatureVerifier.parse(w["vkey"]) for w in service.instance.witnesses]
    reader = ListReader()
    reader.hashes = expected.hashes
    out = []
    with service.read() as db:
        rows = list(db.execute(select(storage.checkpoints).order_by(storage.checkpoints.c.size)))
        if rows and not subject_links.chains_current(db, int(rows[-1].size)):
            out.append(
                Finding("pakta_meta", "subject_map", f"chains not of map version {MAP_VERSION}")
            )
    newest_version = 0
    for row in rows:
        where = f"size {row.size}"
        try:
            signed, _ = open_note(row.note.encode(), [verifier])
            checkpoint = Checkpoint.parse(signed.text)
        except PaktaError as e:
            out.append(Finding("pakta_checkpoints", where, f"signature or form: {e}"))
            continue
        if checkpoint.size != row.size or checkpoint.origin != service.instance.origin:
            out.append(Finding("pakta_checkpoints", where, "size or origin differs from its row"))
        elif row.size > expected.size:
            out.append(Finding("pakta_checkpoints", where, "beyond the log's entries"))
        elif checkpoint.root_hash != merkle.tree_hash(row.size, reader):
            out.append(Finding("pakta_checkpoints", where, "root is not the entries' root"))
        try:
            line = map_line(checkpoint.extensions)  # None: signed before the subject map
        except PaktaError as e:
            out.append(Finding("pakta_checkpoints", where, f"subject map line: {e}"))
            continue
        version = 0 if line is None else line[0]
        if version < newest_version:
            out.append(Finding("pakta_checkpoints", where, "subject map version goes back"))
        newest_version = max(newest_version, version)
        if line is not None and row.size <= expected.size:
            if expected.map_roots[row.size].get(version) != line[1]:
                out.append(Finding("pakta_checkpoints", where, "subject map root is not the log's"))
        if len(count_cosigners(row.note, witnesses)) != row.cosigners:
            out.append(Finding("pakta_checkpoints", where, "cosigner count differs from the note"))
    return out


def _indexes(service: Service, expected: Expected) -> list[Finding]:
    out = []
    with service.read() as db:
        statements = {r.hash: dict(r._mapping) for r in db.execute(select(storage.statement_index))}
        keys = {r.keyid: r.agency for r in db.execute(select(storage.key_index))}
    for ref, row in expected.index.items():
        if {k: v for k, v in statements.pop(ref, {}).items() if k != "hash"} != row:
            out.append(Finding("pakta_statement_index", ref, "missing or differs"))
    out += [Finding("pakta_statement_index", ref, "extra") for ref in statements]
    for kid, agency in expected.keys.items():
        if keys.pop(kid, None) != agency:
            out.append(Finding("pakta_key_index", kid, "missing or differs"))
    out += [Finding("pakta_key_index", kid, "extra") for kid in keys]
    return out


def _subject_links(service: Service, expected: Expected) -> list[Finding]:
    t = subject_links.links
    with service.read() as db:
        stored = {
            (r.subject, int(r.n)): (int(r.idx), bytes(r.link))
            for r in db.execute(select(t.c.subject, t.c.count.label("n"), t.c.idx, t.c.link))
        }
    out = []
    for key, row in expected.links.items():
        if stored.pop(key, None) != row:
            out.append(Finding(t.name, f"{key[0]} #{key[1]}", "missing or differs"))
    out += [Finding(t.name, f"{key[0]} #{key[1]}", "extra") for key in stored]
    return out


def _aggregates(service: Service, expected: Expected) -> list[Finding]:
    out = []
    for agency, effects in expected.effects.items():
        try:
            stored = service.registry.agency_effects(agency)
        except PaktaError as e:
            out.append(Finding("pakta_events", f"agency {agency}", str(e)))
            continue
        if stored != effects:
            pairs = enumerate(zip(stored, effects, strict=False))
            at = next((i for i, (a, b) in pairs if a != b), None)
            detail = f"event {at} differs" if at is not None else "event count differs"
            out.append(Finding("pakta_events", f"agency {agency}", detail))
    return out


def _read_model(service: Service, expected: Expected) -> list[Finding]:
    registry = service.registry
    out = []
    # Each save writes the agencies' events, then the log's: the last notification is an entry.
    last_id = registry.recorder.max_notification_id() if expected.size else None
    if last_id is not None and service.projector.position() != last_id:
        out.append(Finding("pakta_tracking", "pakta_read_model", "position is not the last entry"))
    wanted = _tables(expected.rows)
    with service.read() as db:
        for table in TABLES:
            keys = [c.name for c in table.primary_key]
            stored = {_key(r, keys): dict(r._mapping) for r in db.execute(select(table))}
            for key, row in wanted.get(table, {}).items():
                have = stored.pop(key, None)
                if have is None:
                    out.append(Finding(table.name, str(key), "missing"))
                elif any(_same(have.get(c), v) is False for c, v in row.items()):
                    out.append(Finding(table.name, str(key), "differs"))
            out += [Finding(table.name, str(key), "extra") for key in stored]
    return out


def _tables(rows: Rows) -> dict[Table, dict[tuple[Any, ...], dict[str, Any]]]:
    """The rows a whole-log `Rows` batch would write, by table and primary key."""
    from registry.read import tables as t
    from registry.read.table_rows import warning_tally, warning_totals

    out: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = {}
    for table, inserted in rows.inserts.items():
        keys = [c.name for c in table.primary_key]
        out.setdefault(table, {}).update({_key(r, keys): r for r in inserted})
    out[t.units] = {(u,): r for u, r in rows.units.items()}
    out[t.counts] = {(n,): {"name": n, "value": v} for n, v in rows.counts.items()}
    out[t.regions] = {(c,): r for c, r in rows.regions.items()}
    out[t.agency_years] = {(y, a): {"year": y, "agency": a} for y, a in rows.years}
    tally = warning_tally(rows.inserts.get(t.warnings, []))
    out[t.agency_warnings] = {
        (a, c): {"agency": a, "code": c, "n": n}
        for (a, c), n in tally.items()
        if a in rows.new_agencies
    }
    # Each agency's total and codes, from the whole log's tally.
    kinds: dict[str, dict[str, int]] = {}
    for (a, c), n in tally.items():
        kinds.setdefault(a, {})[c] = n
    for (a,), row in out.get(t.agencies, {}).items():
        out[t.agencies][a,] = row | warning_totals(kinds.get(a, {}))
    return out


def _key(row: Any, keys: list[str]) -> tuple[Any, ...]:
    get = row.get if isinstance(row, dict) else row._mapping.get
    return tuple(get(k) for k in keys)


def _same(stored: Any, wanted: Any) -> bool:
    return stored == wanted or (stored is not None and str(stored) == str(wanted))


def repair(service: Service) -> int:
    """Rebuild what is derived from the entries; return how many entries it was built from."""
    expected = recompute(service)
    registry = service.registry
    with registry.lock.hold(), registry.datastore.transaction(commit=True) as session:
        registry.lock.in_transaction(session)
        session.execute(delete(storage.tree))
        rows = [{"id": i, "hash": h} for i, h in enumerate(expected.hashes)]
        for start in range(0, len(rows), 5000):
            session.execute(storage.tree.insert(), rows[start : start + 5000])
        session.execute(delete(storage.statement_index))
        index = [{"hash": h} | row for h, row in expected.index.items()]
        if index:
            session.execute(storage.statement_index.insert(), index)
        session.execute(delete(storage.key_index))
        storage.index_keys(session, expected.keys)
        session.execute(delete(subject_links.links))
        chain_rows = [
            {"subject": subject, "count": count, "idx": idx, "link": link}
            for (subject, count), (idx, link) in expected.links.items()
        ]
        for start in range(0, len(chain_rows), 5000):
            session.execute(subject_links.links.insert(), chain_rows[start : start + 5000])
        subject_links.record_chains_version(session)
    registry.forget()
    service.projector.rebuild()
    return expected.size
