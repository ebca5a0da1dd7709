"""The read-model rows of the rules' records, one table per record kind.

`RECORDS` maps each record type (registry/rules/records.py) to the function that copies it
into its table through `Rows` (registry/read/rows.py): plan items and their changes, progress,
scores, links, declarations, attestations, surveys, windows and proposals.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any, Protocol

from sqlalchemy import Table

from events.regulations import enablers, total
from registry.read import tables as t
from registry.rules import records as r

Row = dict[str, Any]


class Rows(Protocol):
    """What the record functions write through (registry.read.rows.Rows)."""

    items: dict[tuple[str, str], Row]  # plan items inserted in this batch
    item_progress: dict[tuple[str, str], Row]

    def insert(self, table: Table, rows: list[Row]) -> list[Row]: ...

    def count(self, name: str) -> None: ...


def json_text(value: Any) -> str:
    """A value as the read model stores JSON: sorted keys, UTF-8 as is."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _item(rows: Rows, rec: r.PlanItemAdded) -> None:
    row = {
        "unit": rec.subject,
        "item": rec.item,
        "area": rec.area,
        "output": rec.output,
        "target": rec.target,
        "responsible": rec.responsible,
        "evidence_expected": rec.evidence,
        "due_original": rec.due,
        "due_current": rec.due,
        "state": "open",
        "percent": 0,
        "reported_on": None,
        "plan_index": rec.index,
    }
    rows.items[(rec.subject, rec.item)] = rows.insert(t.plan, [row])[0]


def _item_changed(rows: Rows, rec: r.PlanItemChanged) -> None:
    row = {
        "unit": rec.subject,
        "item": rec.item,
        "idx": rec.index,
        "on_date": rec.on,
        "due": rec.due,
        "cancelled": int(rec.cancelled),
        "reason": rec.reason,
    }
    rows.insert(t.plan_changes, [row])


def _progress(rows: Rows, rec: r.Progress) -> None:
    evidence = [{"name": n, "sha256": h} for n, h in rec.evidence]
    row = {
        "idx": rec.index,
        "unit": rec.subject,
        "item": rec.item,
        "reported_on": rec.reported_on,
        "percent": rec.percent,
        "state": rec.status,
        "evidence": json.dumps(evidence, ensure_ascii=False),
        "signers": rec.signers,
    }
    rows.insert(t.progress, [row])
    values: Row = {"percent": rec.percent, "reported_on": rec.reported_on}
    key = (rec.subject, rec.item)
    if key in rows.items:
        rows.items[key].update(values)
    else:
        rows.item_progress[key] = {"b_unit": rec.subject, "b_item": rec.item} | values


def _score(rows: Rows, rec: r.Score) -> None:
    s = rec.scores
    row = {
        "idx": rec.index,
        "unit": rec.subject,
        "source": rec.source,
        "stage": rec.stage,
        "by": rec.by,
        "regulation": rec.regulation,
        "target": rec.target,
        "year": rec.year,
        "on_date": rec.on,
        "total": str(total(s)) if s else None,
        "enablers": str(enablers(s)) if s else None,
        "scores": json_text(s) if s else None,
        "indices": json_text(rec.indices) if rec.indices is not None else None,
        "outcome": rec.outcome,
    }
    rows.insert(t.scores, [row])


def _plain(table: Table, **rename: str) -> Callable[[Rows, Any], None]:
    """Insert a record's fields as columns (`index` as idx, `subject` as `rename["subject"]`)."""

    def insert(rows: Rows, rec: Any) -> None:
        row = asdict(rec)
        row["idx"] = row.pop("index")
        row[rename.get("subject", "unit")] = row.pop("subject")
        for old, new in rename.items():
            if old != "subject":
                row[new] = row.pop(old)
        rows.insert(table, [row])

    return insert


def _link(rows: Rows, rec: r.Link) -> None:
    row = {
        "idx": rec.index,
        "kind": rec.kind,
        "agency": rec.subject,
        "target_seq": rec.target_seq,
        "target_hash": rec.target_hash,
        "target_idx": rec.target_index,
        "reason": rec.reason,
        "corrections": json.dumps(list(rec.corrections), ensure_ascii=False),
        "confirmed_on": rec.confirmed_on,
    }
    rows.insert(t.links, [row])


def _attestation(rows: Rows, rec: r.Attestation) -> None:
    _plain(t.witnesses, subject="declared_by", declaration="declaration_hash")(rows, rec)
    rows.count("witnessed")


def _declaration(rows: Rows, rec: r.Declaration) -> None:
    rows.count("declarations")
    row = {"idx": rec.index, "agency": rec.subject, "hash": rec.hash}
    rows.insert(t.declarations, [row | {"claimed": json_text(list(rec.claimed))}])


RECORDS: dict[type[r.Record], Callable[[Rows, Any], None]] = {
    r.PlanItemAdded: _item,
    r.PlanItemChanged: _item_changed,
    r.Progress: _progress,
    r.Score: _score,
    r.Link: _link,
    r.Declaration: _declaration,
    r.Survey: _plain(t.surveys),
    r.Window: _plain(t.windows, subject="by"),
    r.ProposalMade: _plain(t.proposals),
    r.Attestation: _attestation,
}
