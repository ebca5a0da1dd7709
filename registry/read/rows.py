"""The rows of an append's accepted statements, kept in memory and written at its end.

`Rows.add(appended)` takes what the rules already computed for one statement
(registry/rules/replay.py): the statement, the state of every agency it changed (status, keys,
unit, plan items), the status transitions, its records (one table per record kind), warnings,
invalidations and the agencies it is about. `Rows.flush(session)` writes them all with one
executemany per table: new rows as inserts, and the last state of each agency, unit, plan item
and key the batch changed as updates. It parses nothing and decides nothing: there is no state
machine here, only copies of the rules' output.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlalchemy import Table, delete, update
from sqlalchemy.orm import Session

from registry.read import tables as t
from registry.read import words
from registry.read.award_rows import AwardRows
from registry.read.record_rows import RECORDS, json_text
from registry.read.table_rows import table_columns, warning_columns, warning_counts
from registry.rules.changes import Advanced, Built, Quarantined
from registry.rules.state import AgencyHead, agency_status
from registry.rules.warnings import REVOKED_KEY_WARNING
from registry.write.pipe import pipe
from registry.write.pipe_sql import Write
from registry.write.readside import Appended

Row = dict[str, Any]


class Rows:
    """The read-model rows of one append transaction (or one page of a catch-up)."""

    def __init__(self) -> None:
        self.inserts: dict[Table, list[Row]] = {}
        self.agencies: dict[str, Row] = {}  # existing agencies: their last values
        self.units: dict[str, Row] = {}  # every unit touched: its last values (upserted)
        self.items: dict[tuple[str, str], Row] = {}  # plan items inserted in this batch
        self.item_state: dict[tuple[str, str], Row] = {}  # older items: last due and state
        # Units a compromise revocation recomputed, with the items their plan still has: the
        # rest were added by voided entries and are marked "voided".
        self.kept_items: dict[str, set[str]] = {}
        self.void: set[int] = set()  # entries voided by a compromise: their warnings go
        self.item_progress: dict[tuple[str, str], Row] = {}  # older items: last progress
        self.keys: dict[str, Row] = {}  # keys inserted in this batch
        self.revoked: dict[str, Row] = {}  # older keys revoked in this batch
        self.new_agencies: dict[str, Row] = {}
        self.counts: dict[str, int] = {}
        self.years: set[tuple[str, str]] = set()  # (year, agency)
        self.regions: dict[str, Row] = {}
        self.awards = AwardRows()

    def count(self, name: str, delta: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + delta

    def insert(self, table: Table, rows: list[Row]) -> list[Row]:
        self.inserts.setdefault(table, []).extend(rows)
        return rows

    def add(self, appended: Appended) -> None:
        o = appended.outcome
        st, idx = o.statement, o.index
        self.insert(
            t.statements,
            [
                {
                    "idx": idx,
                    "agency": st.agency,
                    "seq": st.seq,
                    "type": st.type,
                    "hash": st.hash,
                    "issued_at": st.issued_at_text,
                    "received_at": appended.received_at,
                    "signers": json.dumps([s.keyid for s in appended.envelope.signatures]),
                    "body": json_text(st.body),
                    "documents": json_text([d.__dict__ for d in st.documents]),
                }
            ],
        )
        # One row per document hash: a statement may list the same file twice.
        docs = {d.sha256: d for d in reversed(st.documents)}
        self.insert(
            t.documents,
            [
                {"sha256": d.sha256, "idx": idx, "name": d.name, "media_type": d.media_type}
                for d in reversed(docs.values())
            ],
        )
        self.insert(t.subjects, [{"subject": s, "idx": idx} for s in o.subjects])
        self.insert(t.leaves, [{"hash": appended.leaf_hash, "idx": idx}])
        self.count("year:" + st.issued_at_text[:4])
        if st.demo:
            self.count("demo")  # the site labels every page while demo data is loaded
        self.years.add((st.issued_at_text[:4], st.agency))
        for _, before, after in o.statuses:
            if before != after:
                if before is not None:
                    self.count(f"status:{before}", -1)
                self.count(f"status:{after}")
        signed = {s.keyid: s for s in o.signatures}.values()
        self.insert(
            t.signatures,
            [
                {
                    "keyid": s.keyid,
                    "idx": idx,
                    "agency": s.agency,
                    "owner": s.owner,
                    "issued_at": s.issued_at.isoformat(),
                }
                for s in signed
            ],
        )
        for agency, effect in o.effects:
            head = o.heads[agency]
            if isinstance(effect, Advanced):
                self._keys(head, effect)
            self._agency(head, new=isinstance(effect, Advanced) and effect.profile is not None)
            if effect.lifecycle:
                self._unit(head, idx)
            for change in effect.lifecycle:
                if isinstance(change, Built):
                    items = {*(change.redate or {}), *(change.cancel or ()), *(change.done or ())}
                    self._plan_state(head, items)
                elif isinstance(change, Quarantined):
                    self._quarantine(head, change)
        self.insert(
            t.steps,
            [
                {"unit": m.unit, "idx": m.index, "step": m.step, "on_date": m.on}
                | {"detail": json_text(m.detail)}
                for m in o.transitions
            ],
        )
        self.insert(t.awards, self.awards.add(o))
        for record in o.records:
            RECORDS[type(record)](self, record)
        self.insert(
            t.warnings,
            [
                {
                    "idx": w.index,
                    "code": w.code,
                    "subject": w.subject,
                    "agency": w.agency,
                    "message": w.message,
                    "facts": json_text(dict(w.facts)),
                }
                for w in o.warnings
            ],
        )
        self.insert(
            t.invalidated,
            [
                {k: v for k, v in asdict(v).items() if k != "index"} | {"idx": v.index}
                for v in o.invalidated
            ],
        )

    # -- state from the rules' heads ---------------------------------------------------

    def _keys(self, head: AgencyHead, effect: Advanced) -> None:
        for k in effect.keys_added:
            row = {
                "keyid": k.keyid,
                "agency": head.agency,
                "role": k.role,
                "holder": k.holder,
                "public_key": k.public_key,
                "valid_from": k.valid_from,
                "added_index": effect.index,
                "revoked_from": None,
                "revoked_index": None,
            }
            self.keys[k.keyid] = self.insert(t.keys, [row])[0]
        for gone in effect.keys_revoked:
            change = {"revoked_from": gone.effective_from, "revoked_index": effect.index}
            if gone.keyid in self.keys:
                self.keys[gone.keyid].update(change)
            else:
                self.revoked[gone.keyid] = {"b_keyid": gone.keyid} | change

    def _agency(self, head: AgencyHead, *, new: bool) -> None:
        lc = head.lifecycle
        values = {
            "head_seq": head.seq,
            "head_hash": head.hash,
            "head_index": head.index,
            "status": agency_status(head),
            "target": lc.target,
            "declared_on": lc.declared.on if lc.declared else None,
            "statements": head.seq + 1,
        } | table_columns(head)
        if head.agency in self.new_agencies:
            self.new_agencies[head.agency].update(values)
        elif not new:
            self.agencies[head.agency] = {"b_agency": head.agency} | values
        else:
            region = head.region or {}
            row = {
                "agency": head.agency,
                "name": head.name,
                "kind": head.kind,
                "parent": head.parent,
                "region_kemendagri": region.get("kemendagri"),
                "region_bps": region.get("bps"),
                "region_name": region.get("name"),
                "registered_index": head.index,
            } | values
            self.new_agencies[head.agency] = self.insert(t.agencies, [row])[0]
            self.count("agencies")
            self.count(f"kind:{head.kind}")
            found = words.terms(head.name, head.agency)
            self.insert(t.terms, [{"term": w, "agency": head.agency} for w in sorted(found)])
            code = region.get("kemendagri")
            if code:
                named = self.regions.setdefault(
                    code, {"code": code, "name": region.get("name") or ""}
                )
                named["agencies"] = named.get("agencies", 0) + 1

    def _unit(self, head: AgencyHead, idx: int) -> None:
        """The unit row of an agency that has taken a lifecycle step (designated or declared)."""
        lc = head.lifecycle
        if lc.status is None and lc.declared is None and lc.designated is None:
            return
        self.units[head.agency] = {
            "unit": head.agency,
            # "registered": designated before any declaration, no lifecycle status yet.
            "status": lc.status or "registered",
            "target": lc.target,
            "predicate": lc.predicate.predicate if lc.predicate else None,
            "declared_on": lc.declared.on if lc.declared else None,
            "declared_index": lc.declared.index if lc.declared else None,
            "declared_by": lc.declared.by if lc.declared else None,
            "designated_on": lc.designated.on if lc.designated else None,
            "updated_index": idx,
        }

    def _plan_state(self, head: AgencyHead, items: set[str]) -> None:
        """`items`, whose due date or state the rules changed, take their new state."""
        for item in sorted(items):
            state = head.lifecycle.plan[item]
            values = {"due_current": state.due, "state": state.state}
            key = (head.agency, item)
            if key in self.items:
                self.items[key].update(values)
            else:
                self.item_state[key] = {"b_unit": head.agency, "b_item": item} | values

    def _quarantine(self, head: AgencyHead, change: Quarantined) -> None:
        """A compromise revocation: every item takes its recomputed state, items the voided
        entries added are void, and their warnings go (here for rows of this batch, in
        `flush` for stored ones)."""
        kept = set(head.lifecycle.plan)
        self._plan_state(head, kept)
        self.kept_items[head.agency] = kept
        for (unit, item), row in self.items.items():
            if unit == head.agency and item not in kept:
                row["state"] = "voided"
        self.void.update(change.voided)
        warnings = self.inserts.get(t.warnings, [])
        warnings[:] = [
            w for w in warnings if w["idx"] not in self.void or w["code"] == REVOKED_KEY_WARNING
        ]

    # -- writing -----------------------------------------------------------------------

    def send_early(self, session: Session) -> None:
        """Queue the rows so far of the tables in `EARLY` (the rest stay for `flush`)."""
        p = pipe(session)
        for table in EARLY:
            p.add(_WRITES[table], self.inserts.pop(table, []))

    def flush(self, session: Session) -> None:
        # The rows go into the transaction's pipe (registry/write/pipe.py: one round trip on
        # PostgreSQL for all of them, one statement a table whatever the number of rows, and
        # none of SQLAlchemy's per-execute steps); it is sent before the counts read it and
        # before any statement that is not piped, so every statement runs in the order
        # written here.
        p = pipe(session)
        for table in t.TABLES:
            p.add(_WRITES[table], self.inserts.get(table, []))
        p.add(_UNITS, list(self.units.values()))
        p.add(_YEARS, [{"year": y, "agency": a} for y, a in sorted(self.years)])
        p.add(_COUNTS, [{"name": n, "value": v} for n, v in sorted(self.counts.items())])
        p.add(_REGIONS, [self.regions[c] for c in sorted(self.regions)])
        # The counts and the awards' updates read what this batch wrote: the counts' query
        # goes in the pipe after the rows (on PostgreSQL in the same round trip); the rest
        # is sent first.
        if self.void or self.awards.revoked:
            p.send()
        conn = session.connection()
        added = self.inserts.get(t.warnings, [])
        warning_counts(session, added, self.void, self.agencies)
        self.awards.flush(conn, self.void)
        for write, rows in (
            (_AGENCIES, self.agencies),
            (_KEYS, self.revoked),
            (_PLAN, self.item_state),
            (_PLAN, self.item_progress),
        ):
            p.add(write, list(rows.values()))  # each row names its key as `b_<column>`
        if self.void or self.kept_items:
            p.send()
        if self.void:
            dropped = delete(t.warnings).where(
                t.warnings.c.idx.in_(sorted(self.void)), t.warnings.c.code != REVOKED_KEY_WARNING
            )
            conn.execute(dropped)
        for unit, kept in sorted(self.kept_items.items()):
            gone = update(t.plan).where(t.plan.c.unit == unit, t.plan.c.item.not_in(sorted(kept)))
            conn.execute(gone.values(state="voided"))


# The flush's writes, one per table (registry/write/pipe.py builds and keeps their statements).
_WRITES = {table: Write(table) for table in t.TABLES}
# The tables whose rows may go before the batch ends (`send_early`): inserted only, never
# changed later in the batch (a compromise voids warnings and plan items; keys, agencies,
# units and awards take their last values), and not read by the rules' facts
# (registry/read/facts.py reads windows, proposals, scores and signatures, and adds the batch's
# own from memory: rows of theirs already sent would be counted twice).
EARLY = (
    t.statements,
    t.documents,
    t.subjects,
    t.leaves,
    t.steps,
    t.invalidated,
    t.plan_changes,
    t.progress,
    t.links,
    t.declarations,
)
_UNITS = Write(t.units, ("unit",), "replace")
_YEARS = Write(t.agency_years, conflict="ignore")
_COUNTS = Write(t.counts, ("name",), "add", added="value")
_REGIONS = Write(t.regions, ("code",), "add", added="agencies")
# Setting the warning totals too (from the counts `warning_counts` wrote before it).
_AGENCIES = Write(
    t.agencies,
    ("agency",),
    op="update",
    derived=warning_columns,
    reads=frozenset({t.agency_warnings.name}),
)
_KEYS = Write(t.keys, ("keyid",), op="update")
_PLAN = Write(t.plan, ("unit", "item"), op="update")
