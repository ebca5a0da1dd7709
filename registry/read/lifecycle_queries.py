"""Read queries over the lifecycle tables, for the citizens' pages and the JSON API.

Each function takes an SQLAlchemy engine and plain values and returns plain dicts (the
`Service` methods of the same names wrap them). What depends on today's date is computed
here, at query time, never stored: the overdue flag of action-plan items and the warning
that a declaration has no witness yet, so a rebuilt read model stays equal to the live one.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, desc, or_, select

from events.regulations import AREA_TITLES, AREAS, REGULATIONS
from registry.read import regions as region_data
from registry.read.projector import LIFECYCLE, agencies, statements, witnesses
from registry.rules.lifecycle import STATUS_TITLES

units = LIFECYCLE["units"]
steps = LIFECYCLE["steps"]
plan = LIFECYCLE["plan"]
progress = LIFECYCLE["progress"]
scores = LIFECYCLE["scores"]
surveys = LIFECYCLE["surveys"]
warnings_t = LIFECYCLE["warnings"]
links = LIFECYCLE["links"]
invalidated_t = LIFECYCLE["invalidated"]
windows = LIFECYCLE["windows"]
proposals = LIFECYCLE["proposals"]

# The path a unit's status takes, for a progress bar: outcomes share the last place.
PATH = ("declared", "building", "assessed", "proposed", "evaluated")
OUTCOMES = ("wbk", "wbbm", "not_met", "revoked")


def _rows(engine: Any, query: Any) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def _today(today: date | None) -> date:
    return today or date.today()


def unit_status(engine: Any, unit: str) -> dict[str, Any] | None:
    """A unit's current status, designation and the date of each step it took."""
    found = _rows(engine, select(units).where(units.c.unit == unit))
    if not found:
        return None
    out = found[0]
    out["status_title"] = STATUS_TITLES.get(out["status"])  # None while only designated
    out["steps"] = [
        dict(r, detail=json.loads(r["detail"]), title=STATUS_TITLES.get(r["step"]))
        for r in _rows(
            engine, select(steps).where(steps.c.unit == unit).order_by(steps.c.idx, steps.c.step)
        )
    ]
    # The latest date of each step of the path, for a timeline with a slot per step.
    latest: dict[str, Any] = {}
    for s in out["steps"]:
        latest[s["step"]] = {"on": s["on_date"], "idx": s["idx"]}
    out["path"] = [{"step": s, "title": STATUS_TITLES[s], **latest.get(s, {})} for s in PATH]
    outcome = out["status"] if out["status"] in OUTCOMES else None
    out["outcome"] = (
        {"step": outcome, "title": STATUS_TITLES[outcome], **latest.get(outcome, {})}
        if outcome
        else None
    )
    return out


def action_plan(engine: Any, unit: str, today: date | None = None) -> dict[str, Any]:
    """The unit's action plan by change area: each item's original and current due date,
    its re-datings with reasons, progress, evidence, and whether it is overdue today."""
    day = _today(today).isoformat()
    items = _rows(engine, select(plan).where(plan.c.unit == unit).order_by(plan.c.item))
    reports = _rows(
        engine, select(progress).where(progress.c.unit == unit).order_by(progress.c.idx)
    )
    by_item: dict[str, list[dict[str, Any]]] = {}
    for r in reports:
        by_item.setdefault(r["item"], []).append(dict(r, evidence=json.loads(r["evidence"])))
    areas = []
    summary = {"items": 0, "done": 0, "cancelled": 0, "overdue": 0, "redated": 0}
    for area in AREAS:
        rows = []
        for item in (i for i in items if i["area"] == area):
            item = dict(item, changes=json.loads(item["changes"]))
            item["reports"] = by_item.get(item["item"], [])
            item["redated"] = item["due_original"] != item["due_current"]
            item["overdue"] = item["state"] == "open" and item["due_current"] < day
            item["days_overdue"] = (
                (date.fromisoformat(day) - date.fromisoformat(item["due_current"])).days
                if item["overdue"]
                else 0
            )
            summary["items"] += 1
            summary["done"] += item["state"] == "done"
            summary["cancelled"] += item["state"] == "cancelled"
            summary["overdue"] += item["overdue"]
            summary["redated"] += item["redated"]
            rows.append(item)
        areas.append({"area": area, "title": AREA_TITLES[area], "items": rows})
    return {"unit": unit, "today": day, "areas": areas, "summary": summary}


def scores_side_by_side(engine: Any, unit: str) -> dict[str, Any]:
    """The latest self, TPI and TPN scores of a unit, per LKE component, with the thresholds
    of the regulation each names (for the target each assessed against)."""
    rows = _rows(engine, select(scores).where(scores.c.unit == unit).order_by(scores.c.idx))
    latest: dict[str, dict[str, Any]] = {}
    for r in rows:
        if r["scores"] is not None:
            latest[r["source"]] = dict(
                r,
                scores=json.loads(r["scores"]),
                indices=json.loads(r["indices"]) if r["indices"] else {},
            )
    surveys_rows = _rows(
        engine, select(surveys).where(surveys.c.unit == unit).order_by(surveys.c.idx)
    )
    target = next((r["target"] for r in reversed(rows) if r["target"]), None) or "WBK"
    rid = (
        next(iter(latest.values()))["regulation"]
        if latest
        else max(REGULATIONS, key=lambda k: REGULATIONS[k].in_force_from)
    )
    reg = REGULATIONS[rid]
    need = reg.thresholds[target]
    components = []
    for area in AREAS:
        floor = reg.areas[area] * need["area_min_percent"] / 100
        components.append(
            {
                "component": area,
                "title": AREA_TITLES[area],
                "weight": str(reg.areas[area]),
                "minimum": f"{floor.normalize():f}",
                **{s: latest[s]["scores"]["areas"][area] for s in latest},
            }
        )
    for name, weight in reg.results.items():
        components.append(
            {
                "component": name,
                "title": {"id": name.upper(), "en": name.upper()},
                "weight": str(weight),
                "minimum": None,
                **{s: latest[s]["scores"]["results"][name] for s in latest},
            }
        )
    totals = {s: latest[s]["total"] for s in latest}
    enablers = {s: latest[s]["enablers"] for s in latest}
    return {
        "unit": unit,
        "regulation": rid,
        "target": target,
        "sources": [s for s in ("self", "tpi", "tpn") if s in latest],
        "assessments": latest,
        "history": rows,
        "components": components,
        "totals": totals,
        "enablers": enablers,
        "thresholds": {k: str(v) for k, v in need.items()},
        "meets": {
            s: Decimal(totals[s]) >= need["total"] and Decimal(enablers[s]) >= need["enablers"]
            for s in latest
        },
        "surveys": surveys_rows,
    }


def warnings(
    engine: Any, *, agency: str | None = None, limit: int = 200, today: date | None = None
) -> list[dict[str, Any]]:
    """The public warnings feed, newest first: stored ones (facts about entries) plus the ones
    true today (items overdue, declarations no witness has attested)."""
    day = _today(today).isoformat()
    query = select(warnings_t).order_by(desc(warnings_t.c.idx), warnings_t.c.code).limit(limit)
    if agency:
        # An agency's own warnings, and those about it signed by another (an award below the
        # thresholds is the TPN's statement; missing prerequisites, the proposer's).
        query = query.where(or_(warnings_t.c.agency == agency, warnings_t.c.subject == agency))
    out = [dict(r, facts=json.loads(r["facts"]), computed=False) for r in _rows(engine, query)]
    overdue = select(plan).where(and_(plan.c.state == "open", plan.c.due_current < day))
    if agency:
        overdue = overdue.where(plan.c.unit == agency)
    for item in _rows(engine, overdue):
        out.append(
            {
                "idx": item["plan_index"],
                "code": "item-overdue",
                "subject": item["item"],
                "agency": item["unit"],
                "message": f"{item['unit']} {item['item']} ({item['output']}) was due "
                f"{item['due_current']}"
                + (
                    f" (originally {item['due_original']})"
                    if item["due_original"] != item["due_current"]
                    else ""
                ),
                "computed": True,
                "facts": {
                    "item": item["item"],
                    "output": item["output"],
                    "due_current": item["due_current"],
                    "due_original": item["due_original"],
                },
            }
        )
    declared = (
        select(statements.c.idx, statements.c.agency, statements.c.hash)
        .where(statements.c.type == "zi.declared")
        .where(
            ~select(witnesses.c.idx)
            .where(witnesses.c.declaration_hash == statements.c.hash)
            .exists()
        )
    )
    if agency:
        declared = declared.where(statements.c.agency == agency)
    for d in _rows(engine, declared):
        out.append(
            {
                "idx": d["idx"],
                "code": "unwitnessed",
                "subject": d["agency"],
                "agency": d["agency"],
                "message": f"the declaration of {d['agency']} (entry {d['idx']}) has no "
                "witness attestation in the log",
                "facts": {},
                "computed": True,
            }
        )
    out.sort(key=lambda w: (-w["idx"], w["code"], w["subject"]))
    return out[:limit]


def links_of(engine: Any, index: int) -> dict[str, Any]:
    """Both directions of corrections/retractions for entry `index`, and invalidation."""
    return {
        "corrects": next(iter(_rows(engine, select(links).where(links.c.idx == index))), None),
        "corrected_by": [
            dict(r, corrections=json.loads(r["corrections"]))
            for r in _rows(
                engine, select(links).where(links.c.target_idx == index).order_by(links.c.idx)
            )
        ],
        "invalidated": _rows(engine, select(invalidated_t).where(invalidated_t.c.idx == index)),
    }


def invalidated(engine: Any) -> list[dict[str, Any]]:
    return _rows(engine, select(invalidated_t).order_by(invalidated_t.c.idx))


def region_page(engine: Any, code: str, today: date | None = None) -> dict[str, Any] | None:
    """A province or regency: both codes, the agencies located there and their units'
    statuses. Location is not membership: a central office (BPS Kabupaten Grobogan) is listed
    where it sits, with its kind, not as part of the regional government."""
    found = region_data.region(code)
    if found is None:
        return None
    column = agencies.c.region_kemendagri
    where = (
        column == code
        if found["level"] == "regency"
        else ((column == code) | column.like(code + ".%"))
    )
    rows = _rows(
        engine,
        select(agencies, units.c.status.label("unit_status"), units.c.predicate)
        .outerjoin(units, units.c.unit == agencies.c.agency)
        .where(where)
        .order_by(agencies.c.name),
    )
    counts: dict[str, int] = {}
    for r in rows:
        if r["unit_status"]:
            counts[r["unit_status"]] = counts.get(r["unit_status"], 0) + 1
    by_code: dict[str, int] = {}
    seen: set[tuple[int, str, str]] = set()  # a warning about one agency signed by another
    for r in rows:
        for w in warnings(engine, agency=r["agency"], today=today):
            if (w["idx"], w["code"], w["subject"]) not in seen:
                seen.add((w["idx"], w["code"], w["subject"]))
                by_code[w["code"]] = by_code.get(w["code"], 0) + 1
    return {
        "region": found,
        "regencies": region_data.regencies(code) if found["level"] == "province" else [],
        "agencies": rows,
        "status_counts": counts,
        "warnings": sum(by_code.values()),
        "warning_counts": by_code,
        "source": region_data.source(),
    }


def regions_index(engine: Any) -> list[dict[str, Any]]:
    """Every province, with how many agencies the log places there."""
    with engine.connect() as conn:
        located = conn.execute(select(agencies.c.region_kemendagri)).scalars().all()
    out = []
    for p in region_data.provinces():
        code = p["kemendagri"]
        out.append(
            dict(
                p, agencies=sum(1 for c in located if c and (c == code or c.startswith(code + ".")))
            )
        )
    return out
