"""The warning rules as data, for the browser's check of a unit page's warnings
(`rules.json`'s "warnings", read by web/static/verify/rules.js `warningsOf`).

Each entry is generated from the Python rules (registry/rules/warnings.py), never hand-copied:
the codes are those the rules raise, the thresholds are the rules' constants, the fields they
read come from the statement catalog, and every comparison is probed by running the rule
itself on either side of its boundary, so an export that no longer says what the rule does
fails here, not in a browser. The warnings a page lists that the browser cannot yet derive
from the unit's chain alone are not in "checked" and are not compared.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from events.catalog import CATALOG
from registry.rules import warnings as warn

_ISSUED = datetime(2030, 1, 1, tzinfo=UTC)


def _late() -> dict[str, Any]:
    """Late posting: received more than `days` days after `issued_at` (strictly)."""
    days = warn.LATE_POSTING.days
    st = _stub()
    at = _ISSUED + warn.LATE_POSTING
    if warn.late_posting(st, 0, at) or not warn.late_posting(st, 0, at + timedelta(seconds=1)):
        raise ValueError("late_posting is no longer 'more than LATE_POSTING after issued_at'")
    code = warn.late_posting(st, 0, at + timedelta(days=1))[0].code
    return {"code": code, "days": days}


def _stub(type_: str = "", body: dict[str, Any] | None = None) -> Any:
    class Stub:  # the fields the two date rules read
        type = type_
        issued_at = _ISSUED
        issued_at_text = "2030-01-01T00:00:00Z"
        agency = "probe.unit"

    Stub.body = body or {}  # type: ignore[attr-defined]
    return Stub()


def _backdated() -> dict[str, Any]:
    """A recent statement whose fact (the type's `fact_date` field) is dated more than `days`
    days before the day the log received it (in the statement's own offset)."""
    fields = {n: t.fact_date for n, t in sorted(CATALOG.items()) if t.fact_date}
    name, field = next(iter(fields.items()))
    days = warn.LATE_POSTING.days
    at = _ISSUED + timedelta(days=1)

    def raises(fact: str) -> list[Any]:
        return warn.backdated_fact(_stub(name, {field: fact}), 0, at)

    if raises("2029-12-03") or not raises("2029-12-02"):
        raise ValueError("backdated_fact is no longer 'fact more than LATE_POSTING before'")
    return {"code": raises("2000-01-01")[0].code, "days": days, "fact_date": fields}


def _share() -> list[dict[str, Any]]:
    """A count under a share of another (the pact's signatories under half of the staff):
    warn when part * times < whole, probed on both sides of the boundary."""
    rule = {
        "type": "integrity_pact.signed",
        "part": "signatories",
        "whole": "staff_total",
        "times": 2,
    }

    def raises(part: int, whole: int) -> list[Any]:
        class Body:
            body = {rule["part"]: part, rule["whole"]: whole}
            agency = "probe.unit"

        return warn.pact_coverage(Body(), 0, None)  # type: ignore[arg-type]

    if raises(5, 10) or raises(6, 10) or not raises(4, 10) or not raises(49, 100):
        raise ValueError("pact_coverage is no longer 'signatories * 2 < staff_total'")
    return [{**rule, "code": raises(1, 10)[0].code}]


def warnings_table() -> dict[str, Any]:
    late, backdated, share = _late(), _backdated(), _share()
    return {
        "late": late,
        "backdated": backdated,
        "share": share,
        "revoked_key": warn.REVOKED_KEY_WARNING,
        "checked": sorted(
            {late["code"], backdated["code"], warn.REVOKED_KEY_WARNING} | {s["code"] for s in share}
        ),
    }
