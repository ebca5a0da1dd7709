"""A unit's warnings a kind at a time, so that no page's size or cost grows with them: how many
of each kind its page lists, the newest few of each kind (the unit page), and one page of a
kind's complete list in entry order (web/unit_warnings.py), plus a region's counts by kind.

A unit's page lists the stored warnings it signed (`agency`) and those about it signed by
another (`subject`), and the warnings true today, which are never stored: its items overdue
and its declarations no witness has attested, decided here by the rules' own functions
(`registry.rules.warnings.overdue_items`, `unwitnessed`). The stored ones are read on two
indexes of `rm_warnings`, (agency, code, idx) and (subject, code, idx), as two disjoint sets
(the second without the unit's own), each read only as far as the page needs and merged in
one total order: entry index, then set (own, others', today's), then the database's order.
"""

from __future__ import annotations

import heapq
import json
import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, desc, func, or_, select

from registry.read.queries import rows
from registry.read.tables import declarations, plan, witnesses
from registry.read.tables import warnings as warnings_t
from registry.rules import warnings as rules

_w = warnings_t.c


def computed(db: Connection, agencies: Sequence[str] | None, today: date) -> list[dict[str, Any]]:
    """The warnings true today of these agencies (None: of every agency): each open item
    overdue, and each declaration no witness has attested."""
    items = select(plan).where(plan.c.state == "open").order_by(plan.c.unit, plan.c.item)
    d = declarations.c
    declared = select(d.idx, d.agency, d.hash).order_by(d.idx)
    if agencies is not None:
        wanted = sorted(set(agencies))
        if not wanted:
            return []
        items = items.where(plan.c.unit.in_(wanted))
        declared = declared.where(d.agency.in_(wanted))
    found_declared = list(db.execute(declared))
    # The attestations of those declarations, counted by hash on its index (no join).
    counting = select(witnesses.c.declaration_hash, func.count().label("n")).group_by(
        witnesses.c.declaration_hash
    )
    if agencies is not None:
        hashes = sorted({r.hash for r in found_declared})
        counting = counting.where(witnesses.c.declaration_hash.in_(hashes))
    by_hash = {r.declaration_hash: int(r.n) for r in db.execute(counting)} if found_declared else {}
    open_items = [
        rules.OpenItem(
            i["unit"],
            i["item"],
            i["output"],
            i["state"],
            i["due_current"],
            i["due_original"],
            i["plan_index"],
        )
        for i in rows(db, items)
    ]
    found = rules.overdue_items(open_items, today)
    attested = {r.idx: by_hash.get(r.hash, 0) for r in found_declared}
    found += rules.unwitnessed([(r.idx, r.agency) for r in found_declared], attested)
    return [
        {
            "idx": w.index,
            "code": w.code,
            "subject": w.subject,
            "agency": w.agency,
            "message": w.message,
            "facts": dict(w.facts),
            "computed": True,
        }
        for w in found
    ]


def stored(db: Connection, query: Any) -> list[dict[str, Any]]:
    """Rows of `rm_warnings` with their facts decoded."""
    return [dict(r, facts=json.loads(r["facts"]), computed=False) for r in rows(db, query)]


def _sides(agency: str) -> tuple[Any, Any]:
    """The unit's own stored warnings, and those about it signed by another (disjoint)."""
    return _w.agency == agency, and_(_w.subject == agency, _w.agency != agency)


def _stored_counts(db: Connection, agency: str, code: str | None = None) -> dict[str, int]:
    out: dict[str, int] = {}
    for side in _sides(agency):
        query = select(_w.code, func.count().label("n")).where(side).group_by(_w.code)
        for r in db.execute(query if code is None else query.where(_w.code == code)):
            out[r.code] = out.get(r.code, 0) + int(r.n)
    return out


def counts(db: Connection, agency: str, today: date) -> dict[str, int]:
    """code -> how many warnings of that kind the unit's page lists."""
    out = _stored_counts(db, agency)
    for w in computed(db, [agency], today):
        out[w["code"]] = out.get(w["code"], 0) + 1
    return out


def _merged(sides: Iterable[list[dict[str, Any]]], *, newest: bool = False) -> list[dict[str, Any]]:
    """The sets, each already in order, merged by entry index (then set): newest first
    when each set is newest first."""
    tagged = [[(w["idx"], n, w) for w in side] for n, side in enumerate(sides)]
    key = (lambda t: (-t[0], t[1])) if newest else (lambda t: (t[0], t[1]))
    return [t[2] for t in heapq.merge(*tagged, key=key)]


def newest(db: Connection, agency: str, today: date, per_kind: int) -> dict[str, Any]:
    """Each kind's count ("counts") and its `per_kind` newest warnings ("rows"), newest
    first: at most `per_kind` stored rows read per kind and set."""
    today_rows = computed(db, [agency], today)
    tally = _stored_counts(db, agency)
    out: list[dict[str, Any]] = []
    for code in sorted(tally | {w["code"]: 0 for w in today_rows}):
        sides = [
            stored(
                db,
                select(warnings_t)
                .where(side, _w.code == code)
                .order_by(desc(_w.idx), desc(_w.subject))
                .limit(per_kind),
            )
            for side in _sides(agency)
        ]
        mine = sorted(
            (w for w in today_rows if w["code"] == code),
            key=lambda w: (w["idx"], w["subject"]),
            reverse=True,
        )
        out += _merged([*sides, mine], newest=True)[:per_kind]
        tally[code] = tally.get(code, 0) + len(mine)
    return {"counts": tally, "rows": out}


def of_kind(
    db: Connection, agency: str, code: str, today: date, page: int, per_page: int
) -> dict[str, Any]:
    """One page of the unit's complete list of one kind, in entry order: "rows", "page"
    (clamped to the pages there are), "pages", "total" and "first" (the first row's place)."""
    mine = sorted(
        (w for w in computed(db, [agency], today) if w["code"] == code),
        key=lambda w: (w["idx"], w["subject"]),
    )
    total = _stored_counts(db, agency, code).get(code, 0) + len(mine)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    start = (page - 1) * per_page
    sides = [
        stored(
            db,
            select(warnings_t)
            .where(side, _w.code == code)
            .order_by(_w.idx, _w.subject)
            .limit(start + per_page),
        )
        for side in _sides(agency)
    ]
    found = _merged([*sides, mine])[start : start + per_page]
    return {"rows": found, "page": page, "pages": pages, "total": total, "first": start + 1}


def tallies(
    db: Connection, agencies: Sequence[str], today: date
) -> tuple[dict[str, int], dict[str, int]]:
    """For a region's agencies: how many warnings of each kind their pages list (each once,
    also one about an agency signed by another of them), and how many of their pages list
    each kind."""
    wanted = sorted(set(agencies))
    if not wanted:
        return {}, {}
    either = or_(_w.agency.in_(wanted), _w.subject.in_(wanted))
    grouped = select(_w.code, func.count().label("n")).where(either).group_by(_w.code)
    by_code = {r.code: int(r.n) for r in db.execute(grouped)}
    pages: dict[str, set[str]] = {}
    for column in (_w.agency, _w.subject):
        listed = select(column.label("who"), _w.code).where(column.in_(wanted)).distinct()
        for r in db.execute(listed):
            pages.setdefault(r.code, set()).add(r.who)
    for w in computed(db, wanted, today):
        by_code[w["code"]] = by_code.get(w["code"], 0) + 1
        pages.setdefault(w["code"], set()).add(w["agency"])
    return by_code, {code: len(who) for code, who in pages.items()}
