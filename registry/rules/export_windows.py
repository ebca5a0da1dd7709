"""The deadline and quota warnings of a proposal as data, for the browser's check of a
proposer's page (`rules.json`'s "warnings" "windows", read by web/static/verify/awards.js).

Both depend on the year's first submission window (`Facts.window`), which the year's subject
chain proves (`window:<year>`, map version 2, docs/subject-map.md). Generated from the Python
rules, never hand-copied: the types that give a window and its body paths are read off their
records functions (run on a body that answers every key with its path), and so are the types
whose records count the units an agency proposed (`Facts.proposals`); the year's subject is
probed on `registry.rules.subjects.affected`; the regulations' default deadlines are
events/regulations.json's; and `warnings.proposal` is run on either side of each boundary
(the deadline day with and without a window, the first window against a later one, the
quota) so an export that no longer says what the rule does fails here.
"""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

from events.catalog import CATALOG
from events.regulations import REGULATIONS
from registry.rules import warnings as warn
from registry.rules.export_awards import PROPOSAL_FIELDS, _path, _Probe, _Statement
from registry.rules.facts import MemoryFacts
from registry.rules.records import ProposalMade, Window
from registry.rules.subjects import WINDOW_SUBJECT, affected, window_subject
from registry.rules.types import Entry, rules_for

_AGENCY = "probe.agency"
_YEAR = 2030
# Prerequisites to run the rule on (their own warning is on the units, left aside here).
_WORST = {"bpk_opinion": "TMP", "sakip": "D", "spip_level": 1}
_WORST |= {"audit_follow_up_percent": 0, "asset_declaration_percent": 0}
# What `warnings.proposal` reads of a proposal for these two (probed below).
FIELDS = {"year": ["year"], "submitted_on": ["submitted_on"], **PROPOSAL_FIELDS}


def _fail(what: str) -> ValueError:
    return ValueError(f"export_windows: {what}; update the export and web/static/verify/awards.js")


def _records(name: str, body: Any) -> list[Any]:
    st = _Statement(name, body)
    try:
        return list(rules_for(name).records(Entry(st, 7, 1, lambda _: None)))  # type: ignore[arg-type]
    except (KeyError, TypeError, AttributeError, AssertionError, ValueError):
        return []


def _window_types() -> dict[str, dict[str, list[str]]]:
    """Every type whose records give a submission window: the body paths of its year,
    deadline and quota."""
    out = {}
    for name in sorted(CATALOG):
        for rec in (r for r in _records(name, _Probe()) if isinstance(r, Window)):
            out[name] = {
                "year": _path(rec.year, f"{name}: the year"),
                "deadline": _path(rec.deadline, f"{name}: the deadline"),
                "quota": _path(rec.quota, f"{name}: the quota"),
            }
    return out


def _proposal_types() -> dict[str, dict[str, list[str]]]:
    """Every type whose records count units its agency proposed for a year: one for each
    item of the list at `units`, for the year at `year`."""
    out = {}
    for name in sorted(CATALOG):
        units = [{"unit": "probe.a", "target": "WBK"}, {"unit": "probe.b", "target": "WBK"}]
        body = {"year": _YEAR, "units": units}
        found = [r for r in _records(name, body | {"submitted_on": "2030-01-01"})]
        made = [r for r in found if isinstance(r, ProposalMade)]
        if not made:
            continue
        if [(r.by, r.year, r.subject) for r in made] != [
            (_AGENCY, _YEAR, "probe.a"),
            (_AGENCY, _YEAR, "probe.b"),
        ]:
            raise _fail(f"{name} counts proposals otherwise")
        out[name] = {"year": ["year"], "units": ["units"]}
    return out


def _subject() -> str:
    """The prefix of a year's subject, as `affected` gives it for a window's records."""
    rec = Window(3, "probe.tpn", _YEAR, "2030-01-01", "2030-02-01", 1, "r")
    outcome = SimpleNamespace(subjects=(), effects=(), invalidated=(), records=(rec,))
    if affected(outcome) != (window_subject(_YEAR),) or window_subject(_YEAR) != (  # type: ignore[arg-type]
        f"{WINDOW_SUBJECT}{_YEAR}"
    ):
        raise _fail("a window's year subject changed")
    return WINDOW_SUBJECT


def _day(text: str, days: int) -> str:
    return (date.fromisoformat(text) + timedelta(days=days)).isoformat()


def _probe(name: str, rid: str) -> tuple[str, str]:
    """Run the rule on either side of each boundary; return the two codes."""

    def run(
        submitted: str, windows: tuple[tuple[str, int], ...] = (), before: int = 0, units: int = 1
    ) -> dict[str, dict[str, Any]]:
        facts = MemoryFacts()
        facts.add(
            Window(i, "probe.tpn", _YEAR, "2030-01-01", d, q, rid)
            for i, (d, q) in enumerate(windows)
        )
        facts.add(
            ProposalMade(5, f"probe.u{i}", _AGENCY, _YEAR, "WBK", "2030-01-01")
            for i in range(before)
        )
        facts.add([ProposalMade(6, "probe.x", "probe.other", _YEAR, "WBK", "2030-01-01")])
        facts.add([ProposalMade(6, "probe.y", _AGENCY, _YEAR + 1, "WBK", "2030-01-01")])
        body = {
            "year": _YEAR,
            "submitted_on": submitted,
            "regulation": rid,
            "units": [{"unit": f"probe.n{i}", "target": "WBK"} for i in range(units)],
            "prerequisites": _WORST,
        }
        found = warn.proposal(_Statement(name, body), 9, facts)  # type: ignore[arg-type]
        return {w.code: dict(w.facts) for w in found if w.subject == _AGENCY == w.agency}

    default = f"{_YEAR}-{REGULATIONS[rid].default_deadline}"
    late = run(_day(default, 1))
    if run(default) or len(late) != 1:
        raise _fail(f"{name}: the default deadline is no longer the last day to propose")
    code = next(iter(late))
    if late[code] != {"submitted_on": _day(default, 1), "year": _YEAR, "deadline": default}:
        raise _fail(f"{name}: the deadline warning changed its facts")
    window = _day(default, 20)
    first, later = ((window, 9),), ((window, 9), (_day(window, 30), 1))
    if run(_day(default, 1), first) or run(window, later) != {}:
        raise _fail(f"{name}: the year's first window no longer sets the deadline")
    if run(_day(window, 1), later) != {
        code: {"submitted_on": _day(window, 1), "year": _YEAR, "deadline": window}
    }:
        raise _fail(f"{name}: the deadline warning after a window changed")
    quota = ((window, 3),)
    over = run(window, quota, before=1, units=3)
    if (
        run(window, quota, before=1, units=2)
        or run(default, (), before=9, units=9)
        or len(over) != 1
    ):
        raise _fail(f"{name}: the quota is no longer the most units an agency may propose")
    quota_code = next(iter(over))
    if over[quota_code] != {"count": 4, "year": _YEAR, "quota": 3} or quota_code == code:
        raise _fail(f"{name}: the quota warning changed its facts")
    return code, quota_code


def windows_table() -> dict[str, Any]:
    """The table; its two codes go into "checked" (export_warnings.py)."""
    types = [n for n in sorted(CATALOG) if warn.proposal in rules_for(n).warnings]
    rid = sorted(REGULATIONS)[0]
    codes = {_probe(name, rid) for name in types}
    if len(codes) != 1:
        raise _fail("the proposal types warn differently")
    deadline, quota = codes.pop()
    return {
        "subject": _subject(),
        "windows": _window_types(),
        "proposals": _proposal_types(),
        "types": types,
        "fields": FIELDS,
        "deadline": deadline,
        "quota": quota,
        "default_deadline": {r: REGULATIONS[r].default_deadline for r in sorted(REGULATIONS)},
    }
