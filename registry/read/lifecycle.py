"""Read queries of a unit's Zona Integritas lifecycle: status and stages, plan, scores, warnings.

Everything here was computed by the rules when the entries were appended and stored by the
projector; these queries only read it back in the shapes the pages use. What depends on
today's date is decided at query time by the rules' own functions, never stored: whether an
item is overdue (`registry.rules.warnings.is_overdue`) and which declarations nobody has
attested (`unwitnessed`), so a rebuilt read model stays equal to the live one.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, desc, or_, select

from events.regulations import AREA_TITLES, AREAS, LATEST, REGULATIONS
from registry.read.queries import rows
from registry.read.tables import (
    plan,
    plan_changes,
    progress,
    scores,
    steps,
    surveys,
    units,
)
from registry.read.tables import warnings as warnings_t
from registry.read.warning_lists import computed, stored
from registry.rules import warnings as rules
from registry.rules.lifecycle import OUTCOMES, PATH


def unit_status(db: Connection, unit: str) -> dict[str, Any] | None:
    """A unit's current status, designation and the date of each step it took."""
    found = rows(db, select(units).where(units.c.unit == unit))
    if not found:
        return None
    out = found[0]
    out["steps"] = [
        dict(r, detail=json.loads(r["detail"]))
        for r in rows(
            db, select(steps).where(steps.c.unit == unit).order_by(steps.c.idx, steps.c.step)
        )
    ]
    # The latest date of each step of the path, for a timeline with a slot per step.
    latest: dict[str, Any] = {}
    for s in out["steps"]:
        latest[s["step"]] = {"on": s["on_date"], "idx": s["idx"]}
    out["path"] = [{"step": s, **latest.get(s, {})} for s in PATH]
    outcome = out["status"] if out["status"] in OUTCOMES else None
    out["outcome"] = {"step": outcome, **latest.get(outcome, {})} if outcome else None
    return out


def _items(db: Connection, unit: str | None) -> list[dict[str, Any]]:
    query = select(plan).order_by(plan.c.unit, plan.c.item)
    return rows(db, query.where(plan.c.unit == unit) if unit else query)


def action_plan(db: Connection, unit: str, today: date) -> dict[str, Any]:
    """The unit's action plan by change area: each item's original and current due date, its
    re-datings and cancellation with reasons, progress, evidence, and whether it is overdue."""
    items = _items(db, unit)
    reports: dict[str, list[dict[str, Any]]] = {}
    for r in rows(db, select(progress).where(progress.c.unit == unit).order_by(progress.c.idx)):
        reports.setdefault(r["item"], []).append(dict(r, evidence=json.loads(r["evidence"])))
    changes: dict[str, list[dict[str, Any]]] = {}
    query = select(plan_changes).where(plan_changes.c.unit == unit).order_by(plan_changes.c.idx)
    for c in rows(db, query):
        changes.setdefault(c["item"], []).append(
            {
                "idx": c["idx"],
                "on": c["on_date"],
                "due": c["due"],
                "cancelled": bool(c["cancelled"]),
                "reason": c["reason"],
            }
        )
    areas = []
    summary = {"items": 0, "done": 0, "cancelled": 0, "overdue": 0, "redated": 0}
    for area in AREAS:
        out = []
        for row in (i for i in items if i["area"] == area):
            item = dict(
                row, changes=changes.get(row["item"], []), reports=reports.get(row["item"], [])
            )
            item["redated"] = item["due_original"] != item["due_current"]
            item["overdue"] = rules.is_overdue(item["state"], item["due_current"], today)
            item["days_overdue"] = (
                rules.days_overdue(item["due_current"], today) if item["overdue"] else 0
            )
            summary["items"] += 1
            summary["done"] += item["state"] == "done"
            summary["cancelled"] += item["state"] == "cancelled"
            summary["overdue"] += item["overdue"]
            summary["redated"] += item["redated"]
            out.append(item)
        areas.append({"area": area, "title": AREA_TITLES[area], "items": out})
    return {"unit": unit, "today": today.isoformat(), "areas": areas, "summary": summary}


def scores_side_by_side(db: Connection, unit: str) -> dict[str, Any]:
    """The latest self, TPI and TPN scores of a unit, per LKE component, with the thresholds
    of the regulation each names (for the target each assessed against)."""
    history = rows(db, select(scores).where(scores.c.unit == unit).order_by(scores.c.idx))
    latest: dict[str, dict[str, Any]] = {}
    for r in history:
        if r["scores"] is not None:
            indices = json.loads(r["indices"]) if r["indices"] else {}
            latest[r["source"]] = dict(r, scores=json.loads(r["scores"]), indices=indices)
    found_surveys = rows(db, select(surveys).where(surveys.c.unit == unit).order_by(surveys.c.idx))
    target = next((r["target"] for r in reversed(history) if r["target"]), None) or "WBK"
    rid = next(iter(latest.values()))["regulation"] if latest else LATEST
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
                # IPAK and IPKP are judged by their survey index (1 to 4), not by the score.
                "minimum_index": (str(need[f"{name}_index"]) if f"{name}_index" in need else None),
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
        "history": history,
        "components": components,
        "totals": totals,
        "enablers": enablers,
        "thresholds": {k: str(v) for k, v in need.items()},
        "meets": {
            s: Decimal(totals[s]) >= need["total"] and Decimal(enablers[s]) >= need["enablers"]
            for s in latest
        },
        "surveys": found_surveys,
    }


def warnings(
    db: Connection, *, agency: str | None = None, today: date, limit: int | None = None
) -> list[dict[str, Any]]:
    """Every public warning (or an agency's: those it signed and those about it signed by
    another), newest first: those stored when their entries were appended, and those true
    today (`warning_lists.computed`: items overdue, declarations no witness has attested).
    Complete unless `limit` keeps only the newest; pages read a kind at a time instead
    (registry/read/warning_lists.py), so their size never grows with the warnings."""
    query = select(warnings_t).order_by(desc(warnings_t.c.idx), warnings_t.c.code)
    if agency:
        # An agency's own warnings, and those about it signed by another (an award below the
        # thresholds is the TPN's statement; missing prerequisites, the proposer's).
        query = query.where(or_(warnings_t.c.agency == agency, warnings_t.c.subject == agency))
    if limit is not None:
        query = query.limit(limit)
    out = stored(db, query) + computed(db, [agency] if agency else None, today)
    out.sort(key=lambda w: (-w["idx"], w["code"], w["subject"]))
    return out if limit is None else out[:limit]
