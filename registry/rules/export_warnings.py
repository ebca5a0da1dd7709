"""The warning rules as data, for the browser's check of a unit page's warnings
(`rules.json`'s "warnings", read by web/static/verify/rules.js `warningsOf`).

Each entry is generated from the Python rules (registry/rules/warnings.py), never hand-copied:
the codes are those the rules raise, the thresholds are the rules' constants, the fields they
read come from the statement catalog, and every comparison is probed by running the rule
itself on either side of its boundary, so an export that no longer says what the rule does
fails here, not in a browser. The proposal and award warnings are export_awards.py's; a
proposal after the year's deadline or over its quota, export_windows.py's (the year's first
window comes from the year's subject chain, map version 2).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from events.catalog import CATALOG
from registry.rules import table as _table  # noqa: F401  (registers the built-in types' rules)
from registry.rules import warnings as warn
from registry.rules.export_awards import awards_table
from registry.rules.export_windows import windows_table
from registry.rules.records import Attestation, Declaration, Record
from registry.rules.types import Entry, rules_for

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

    Stub.body = {} if body is None else body  # type: ignore[attr-defined]
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


class _Mark(dict[str, Any]):
    """A statement body that answers every key with a mark of its path: what a records
    function read to make a record's field is the mark it put there."""

    def __init__(self, path: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.path = path

    def __missing__(self, key: str) -> _Mark:
        return _Mark((*self.path, key))


def _records(type_: str) -> list[Record]:
    st = _stub(type_, _Mark())
    st.hash = "probe-hash"
    try:
        return list(rules_for(type_).records(Entry(st, 7, 1, lambda _: None)))
    except (KeyError, TypeError, AttributeError, AssertionError, ValueError):
        return []  # a type whose records read more than a body: neither declares nor attests


def _unwitnessed() -> dict[str, Any]:
    """Declarations (the types whose records declare, by the declaring agency and its
    statement's hash) and the attestations of one (the body paths of the attested agency and
    hash): a declaration of the unit no attestation in its chain names is unwitnessed today."""
    declares: list[str] = []
    attests: dict[str, dict[str, list[str]]] = {}
    for name in sorted(CATALOG):
        for rec in _records(name):
            if isinstance(rec, Declaration) and rec.hash == "probe-hash":
                declares.append(name)
            elif isinstance(rec, Attestation):
                subject, declaration = rec.subject, rec.declaration
                if not (isinstance(subject, _Mark) and isinstance(declaration, _Mark)):
                    raise ValueError(f"{name}'s attestation does not name its declaration")
                attests[name] = {"agency": list(subject.path), "hash": list(declaration.path)}
    code = warn.unwitnessed([(0, "probe.unit")], {})[0].code
    return {"code": code, "declarations": declares, "attestations": attests}


def warnings_table() -> dict[str, Any]:
    late, backdated, share, unwitnessed = _late(), _backdated(), _share(), _unwitnessed()
    awards = awards_table()  # below the thresholds, prerequisites missing
    windows = windows_table()  # deadline missed, over the quota
    return {
        **awards,
        "windows": windows,
        "late": late,
        "backdated": backdated,
        "share": share,
        "revoked_key": warn.REVOKED_KEY_WARNING,
        "unwitnessed": unwitnessed,
        "checked": sorted(
            {late["code"], backdated["code"], warn.REVOKED_KEY_WARNING, unwitnessed["code"]}
            | {s["code"] for s in share}
            | {awards["award"]["code"], awards["proposal"]["code"]}
            | {windows["deadline"], windows["quota"]}
        ),
    }
