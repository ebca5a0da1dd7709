"""The warnings a unit's page lists, recomputed by `pakta verify-unit` from verified chains and
compared with every entry of the server's lists (`GET /api/v1/agencies/<unit>/warnings` and
each page of `/warnings/<code>`): what the browser's check compares on the page (claims.js),
and the figures too (a gap, a deadline, a count).

The warnings come from the registry's own rules (`registry.rules.replay`, through
`registry.audit.report.listed`), replayed over the unit's chain and its signers' chains. Some
rules read facts from elsewhere in the log: an award is judged by the awarded unit's latest
scores, a proposal by the year's first submission window and quota. So `needed` names the
chains those facts are in (the units the unit's own awards name; `window:<year>` for the years
its own proposals name, which only a version 2 subject map proves), and `facts_of` gives the
records of their entries that the replay does not step itself, fed to the rules' facts in log
order.

A server whose lists are of another size than its checkpoint, or counted on another day than
today (give or take one), cannot be compared: that is "could not be checked", not a failure.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from events import Statement
from keys.dsse import Envelope
from registry.rules import warnings as warn
from registry.rules.guards import Find
from registry.rules.records import Record, Warning
from registry.rules.subjects import window_subject
from registry.rules.types import Entry, rules_for

Row = tuple[int, str, str, str, str]  # (entry, agency, subject, message, facts as JSON)
Fetched = Callable[[str], Any]  # a path's JSON


class ServedState(Exception):
    """The server's lists are not of the checkpoint's log, or not of today."""


def needed(unit: str, statements: Iterable[Statement]) -> tuple[list[str], list[int]]:
    """The chains the rules read facts from for the unit's own warnings: (the other units its
    awards name, the years its proposals name)."""
    units: set[str] = set()
    years: set[int] = set()
    for st in statements:
        if st.agency != unit:
            continue
        rules = rules_for(st.type).warnings
        if warn.award in rules and st.body["unit"] != unit:
            units.add(st.body["unit"])
        if warn.proposal in rules:
            years.add(st.body["year"])
    return sorted(units), sorted(years)


def window_subjects(years: Iterable[int]) -> list[str]:
    return [window_subject(y) for y in years]


def facts_of(statement: Statement, envelope: Envelope, index: int, find: Find) -> list[Record]:
    """The records the rules keep of an entry the replay does not step (its scores, its
    window): what the facts of later entries' warnings read."""
    entry = Entry(statement, index, len(envelope.signatures), find)
    return list(rules_for(statement.type).records(entry))


def of_unit(unit: str, warnings: Iterable[Warning]) -> list[Warning]:
    """Those the unit's page lists: the ones it signed and the ones about it."""
    return [w for w in warnings if w.agency == unit or w.subject == unit]


def _row(idx: int, agency: str, subject: str, message: str, facts: Mapping[str, Any]) -> Row:
    return (idx, agency, subject, message, json.dumps(dict(facts), sort_keys=True))


def check_state(served: Mapping[str, Any], size: int, local: date) -> date:
    """The day the server counted at, if its lists are of this log size and of today."""
    if served.get("size") != size:
        raise ServedState(
            f"the server's warnings are of a log of size {served.get('size')!r}, its checkpoint "
            f"of size {size}: try again when it publishes its next checkpoint"
        )
    try:
        day = date.fromisoformat(str(served.get("today")))
    except ValueError:
        raise ServedState(f"the server counts its warnings on {served.get('today')!r}") from None
    if abs((day - local).days) > 1:
        raise ServedState(f"the server counts its warnings on {day}, today is {local}")
    return day


def served_rows(get: Fetched, unit: str, code: str, total: int) -> tuple[list[Row], list[str]]:
    """Every row of the server's complete list of one kind, page by page, and what is wrong
    with the pages themselves (a total that changes, a page shorter than it says)."""
    rows: list[Row] = []
    wrong: list[str] = []
    page, pages = 1, 1
    while page <= pages:
        got = get(f"api/v1/agencies/{unit}/warnings/{code}?page={page}")
        pages = int(got["pages"])
        if got["total"] != total:
            wrong.append(f"{code}: page {page} says {got['total']} in all, the count {total}")
        rows += [
            _row(r["idx"], r["agency"], r["subject"], r["message"], r["facts"]) for r in got["rows"]
        ]
        page += 1
    if len(rows) != total:
        wrong.append(f"{code}: its {pages} pages list {len(rows)}, the count says {total}")
    return rows, wrong


def compare(
    get: Fetched, unit: str, counts: Mapping[str, int], derived: Iterable[Warning]
) -> tuple[list[str], dict[str, int]]:
    """(the differences, each named; each kind's count) between the server's lists and the
    warnings the chains prove."""
    by_code: dict[str, list[Row]] = {}
    for w in derived:
        by_code.setdefault(w.code, []).append(
            _row(w.index, w.agency, w.subject, w.message, w.facts)
        )
    differences = []
    for code in sorted(set(by_code) | {c for c, n in counts.items() if n}):
        want = by_code.get(code, [])
        shown = counts.get(code, 0)
        if shown != len(want):
            differences.append(
                f"warnings: {code}: the server counts {shown}, the log gives {len(want)}"
            )
            continue
        rows, wrong = served_rows(get, unit, code, shown)
        differences += [f"warnings: {w}" for w in wrong]
        differences += _entries(code, rows, want)
    return differences, {code: len(rows) for code, rows in sorted(by_code.items())}


def _entries(code: str, rows: list[Row], want: list[Row], most: int = 5) -> list[str]:
    extra = sorted((Counter(rows) - Counter(want)).elements())
    missing = sorted((Counter(want) - Counter(rows)).elements())
    out = [
        f"warnings: {code}: the server lists entry {r[0]} ({r[3]}; {r[4]}), the log does not "
        "give it"
        for r in extra[:most]
    ]
    return out + [
        f"warnings: {code}: the log gives entry {r[0]} ({r[3]}; {r[4]}), the server does not "
        "list it"
        for r in missing[:most]
    ]
