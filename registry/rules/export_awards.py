"""The proposal and award warnings as data, for the browser's check of a unit page
(`rules.json`'s "warnings": "award", "proposal", "regulations", "shortfalls",
"prerequisites", read by web/static/verify/awards.js).

Generated from the Python rules, never hand-copied: the regulations' figures are
events/regulations.json's as `events.regulations` loads them; the types the two warnings are
raised on are those whose rules list `warnings.award` or `warnings.proposal`; the statement
types that give scores, their source and body paths, are read off their records functions (run
on a body that answers every key with its path); which score counts is probed on
`MemoryFacts`; and every comparison of `shortfalls` and `missing_prerequisites` is probed by
running it on either side of its boundary, so an export that no longer says what the rules do
fails here. `deadline-missed` and `over-quota` are export_windows.py's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from events.catalog import CATALOG
from events.regulations import (
    AREAS,
    BPK_OPINIONS,
    REGULATIONS,
    RESULTS,
    SAKIP_GRADES,
    TARGETS,
    Gap,
    missing_prerequisites,
    shortfalls,
)
from registry.rules import table as _table  # noqa: F401  (registers the built-in types' rules)
from registry.rules import warnings as warn
from registry.rules.facts import MemoryFacts
from registry.rules.records import Score
from registry.rules.types import Entry, rules_for

_AGENCY = "probe.agency"
CENT = Decimal("0.01")

# What the two rules read of their statements (probed below by running them on such bodies).
AWARD_FIELDS = {"unit": ["unit"], "predicate": ["predicate"], "regulation": ["regulation"]}
PROPOSAL_FIELDS = {
    "units": ["units"],
    "unit": ["unit"],
    "target": ["target"],
    "regulation": ["regulation"],
    "prerequisites": ["prerequisites"],
}
# `shortfalls`, in the order it lists its gaps: sums of score groups against a minimum, each
# area against its share of the area's weight, each survey index (when given) against one.
SHORTFALL_CHECKS: list[dict[str, Any]] = [
    {"sum": ["areas", "results"], "name": "total", "need": "total"},
    {"sum": ["areas"], "name": "enablers", "need": "enablers"},
    {"floor": "areas", "percent": "area_min_percent"},
    {"index": "ipak", "need": "ipak_index"},
    {"index": "ipkp", "need": "ipkp_index"},
]
# `missing_prerequisites`, in its order: a value one of a list, a grade at least a grade, a
# number at least a number (shown with a unit).
PREREQUISITE_CHECKS: list[dict[str, Any]] = [
    {"one_of": "bpk_opinion", "need": "bpk_opinion", "join": "/"},
    {"grade": "sakip", "need": "sakip_min"},
    {"at_least": "spip_level", "need": "spip_level_min", "unit": ""},
    {"at_least": "audit_follow_up_percent", "need": "audit_follow_up_percent", "unit": "%"},
    {"at_least": "asset_declaration_percent", "need": "asset_declaration_percent", "unit": "%"},
]


class _Probe(dict[str, Any]):
    """A statement body answering every key (also through `get`) with a mark of its path."""

    def __init__(self, path: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.path = path

    def __missing__(self, key: str) -> _Probe:
        return _Probe((*self.path, key))

    def get(self, key: str, default: Any = None) -> Any:
        return self[key]


class _Statement:
    """The fields the rules read of a statement."""

    def __init__(self, type_: str, body: Mapping[str, Any], agency: str = _AGENCY) -> None:
        self.type = type_
        self.body = body
        self.agency = agency
        self.hash = "probe-hash"
        self.issued_at = datetime(2030, 1, 1, tzinfo=UTC)
        self.issued_at_text = "2030-01-01T00:00:00Z"


def _fail(what: str) -> ValueError:
    return ValueError(f"export_awards: {what}; update the export and web/static/verify/awards.js")


def _path(value: Any, what: str) -> list[str]:
    if not isinstance(value, _Probe):
        raise _fail(f"{what} is not read from the statement's body")
    return list(value.path)


def _about(type_: str, lists: tuple[str, ...] = ()) -> list[list[str]]:
    """The body paths of the agencies a statement of the type is about (with `lists` the
    body's lists, of one item each, whose item's keys are paths of the list's name)."""
    body = _Probe()
    for name in lists:
        body[name] = [_Probe((name,))]
    try:
        found = rules_for(type_).about(_Statement(type_, body))  # type: ignore[arg-type]
    except (KeyError, TypeError, AttributeError, ValueError):
        return []
    return [list(a.path) for a in found if isinstance(a, _Probe)]  # type: ignore[attr-defined]


def _score_types() -> dict[str, dict[str, Any]]:
    """Every type whose records give a unit scores: the source, whose scores (the statement's
    own agency, or a body path of a unit the statement is about, so in that unit's chain) and
    the body paths of the scores and the survey indices."""
    out: dict[str, dict[str, Any]] = {}
    for name in sorted(CATALOG):
        st = _Statement(name, _Probe())
        try:
            found = list(rules_for(name).records(Entry(st, 7, 1, lambda _: None)))  # type: ignore[arg-type]
        except (KeyError, TypeError, AttributeError, AssertionError, ValueError):
            continue
        for rec in (r for r in found if isinstance(r, Score)):
            if rec.subject == _AGENCY:
                subject: dict[str, Any] = {"statement": "agency"}
            else:
                path = _path(rec.subject, f"{name}: the unit scored")
                if path not in _about(name):
                    raise _fail(f"{name} scores a unit it is not about (not in its chain)")
                subject = {"body": path}
            out[name] = {
                "source": rec.source,
                "subject": subject,
                "scores": _path(rec.scores, f"{name}: the scores"),
                "indices": _path(rec.indices, f"{name}: the indices"),
            }
    return out


def _score(source: str, index: int, scores: Mapping[str, Any] | None = None) -> Score:
    got = {"areas": {}, "results": {}} if scores is None else scores
    return Score(index, "u", source, "x", "r", None, 2030, "2030-01-01", got, None)


def _prefer(sources: list[str]) -> list[str]:
    """Which scores count (`Facts.latest_scores`): of the sources that count at all, the first
    in this order that has any, each source's latest with scores in log order."""

    def latest(*records: Score) -> Score | None:
        facts = MemoryFacts()
        facts.add(records)
        return facts.latest_scores("u")

    def beats(a: str, b: str) -> bool:
        """`a`'s scores count over `b`'s, whichever comes first in the log."""
        return all(
            (found := latest(_score(x, 1), _score(y, 2))) is not None and found.source == a
            for x, y in ((a, b), (b, a))
        )

    counted = [s for s in sources if latest(_score(s, 1)) is not None]
    order = sorted(counted, key=lambda a: -sum(beats(a, b) for b in counted if b != a))
    for i, a in enumerate(order):
        for b in order[i + 1 :]:
            if not beats(a, b):
                raise _fail(f"{a} scores no longer count over {b} scores")
    for s in counted:
        two = latest(_score(s, 1), _score(s, 2))
        if two is None or two.index != 2:
            raise _fail("the latest scores of a source are no longer the last in log order")
        none = Score(3, "u", s, "x", "r", None, 2030, "2030-01-01", None, None)
        kept = latest(_score(s, 1), none)
        if kept is None or kept.index != 1:
            raise _fail("an entry without scores now replaces the latest scores")
    return order


def _regulations() -> dict[str, Any]:
    """The figures the two rules read, per regulation id (as strings, decimals exact)."""
    return {
        rid: {
            "areas": {a: str(reg.areas[a]) for a in AREAS},
            "thresholds": {t: {k: str(v) for k, v in reg.thresholds[t].items()} for t in TARGETS},
            "prerequisites": {t: dict(reg.prerequisites[t]) for t in TARGETS},
        }
        for rid, reg in sorted(REGULATIONS.items())
    }


def _full(rid: str) -> dict[str, dict[str, str]]:
    reg = REGULATIONS[rid]
    return {
        "areas": {a: str(reg.areas[a]) for a in AREAS},
        "results": {k: str(reg.results[k]) for k in RESULTS},
    }


def _names(gaps: list[Gap]) -> list[str]:
    return [g.name for g in gaps]


def _lowered(scores: dict[str, dict[str, str]], group: str, by: Decimal) -> None:
    """Lower `group`'s scores by `by` in total, each no lower than 0."""
    for name in scores[group]:
        value = Decimal(scores[group][name])
        step = min(value, by)
        scores[group][name] = str(value - step)
        by -= step
    if by:
        raise _fail("a probe cannot reach its boundary")


def _probe_shortfalls() -> None:
    """Each of `shortfalls`'s comparisons is "less than", on the values SHORTFALL_CHECKS
    names, in its order (run on both sides of every boundary of every regulation)."""
    for rid, reg in REGULATIONS.items():
        for target in TARGETS:
            need = reg.thresholds[target]

            def gaps(s: Mapping[str, Any], idx: Mapping[str, str] | None = None) -> list[str]:
                return _names(shortfalls(rid, target, s, idx))  # noqa: B023

            if gaps(_full(rid)):
                raise _fail(f"{rid} {target}: full marks fall short")
            for cut in (Decimal(0), CENT):
                s = _full(rid)  # 100 in all: lower the results first, then the areas
                drop = Decimal(100) - need["total"] + cut
                results = sum((Decimal(v) for v in s["results"].values()), Decimal(0))
                _lowered(s, "results", min(drop, results))
                _lowered(s, "areas", drop - min(drop, results))
                if ("total" in gaps(s)) != bool(cut):
                    raise _fail(f"{rid} {target}: the total is no longer 'less than' its minimum")
                s = _full(rid)
                _lowered(s, "areas", sum(reg.areas.values()) - need["enablers"] + cut)
                if ("enablers" in gaps(s)) != bool(cut):
                    raise _fail(f"{rid} {target}: enablers are no longer 'less than' a minimum")
            for area in AREAS:
                floor = reg.areas[area] * need["area_min_percent"] / 100
                for value, short in ((floor, False), (floor - CENT, True)):
                    s = _full(rid)
                    s["areas"][area] = str(value)
                    if (area in gaps(s)) != short:
                        raise _fail(f"{rid} {target}: the {area} floor changed")
            for index in ("ipak", "ipkp"):
                least = need[f"{index}_index"]
                for value, short in ((least, False), (least - CENT, True)):
                    if (index in gaps(_full(rid), {index: str(value)})) != short:
                        raise _fail(f"{rid} {target}: the {index} minimum changed")
            zero = {g: dict.fromkeys(s, "0") for g, s in _full(rid).items()}
            want = ["total", "enablers", *AREAS, "ipak", "ipkp"]
            if gaps(zero, {"ipak": "1.00", "ipkp": "1.00"}) != want or gaps(zero, {}) != want[:-2]:
                raise _fail("shortfalls no longer lists its gaps in SHORTFALL_CHECKS's order")


def _probe_prerequisites() -> None:
    """Each of `missing_prerequisites`'s checks, as PREREQUISITE_CHECKS says, in its order."""
    for rid, reg in REGULATIONS.items():
        for target in TARGETS:
            need = reg.prerequisites[target]
            good = {
                "bpk_opinion": need["bpk_opinion"][0],
                "sakip": need["sakip_min"],
                **{c["at_least"]: need[c["need"]] for c in PREREQUISITE_CHECKS if "at_least" in c},
            }

            def gaps(**given: Any) -> list[list[str]]:
                found = missing_prerequisites(rid, target, {**good, **given})  # noqa: B023
                return [list(g[:3]) for g in found]

            if gaps():
                raise _fail(f"{rid} {target}: the best prerequisites fall short")
            for c in PREREQUISITE_CHECKS:
                if "one_of" in c:
                    wanted = c["join"].join(need[c["need"]])
                    for v in BPK_OPINIONS:
                        short = [[c["one_of"], v, wanted]] if v not in need[c["need"]] else []
                        if gaps(**{c["one_of"]: v}) != short:
                            raise _fail(f"{rid} {target}: {c['one_of']} is no longer one of")
                elif "grade" in c:
                    at = SAKIP_GRADES.index(need[c["need"]])
                    for i, v in enumerate(SAKIP_GRADES):
                        short = [[c["grade"], v, need[c["need"]]]] if i > at else []
                        if gaps(**{c["grade"]: v}) != short:
                            raise _fail(f"{rid} {target}: {c['grade']} is no longer a grade")
                else:
                    least, unit = need[c["need"]], c["unit"]
                    for v in (least + 1, least, least - 1):
                        gap = [c["at_least"], f"{v}{unit}", f"{least}{unit}"]
                        if gaps(**{c["at_least"]: v}) != ([gap] if v < least else []):
                            raise _fail(f"{rid} {target}: {c['at_least']} is no longer 'at least'")
            worst = {"bpk_opinion": "TMP", "sakip": "D"}
            worst |= {c["at_least"]: 0 for c in PREREQUISITE_CHECKS if "at_least" in c}
            order = [g[0] for g in gaps(**worst)]
            if order != [next(iter(c.values())) for c in PREREQUISITE_CHECKS]:
                raise _fail("missing_prerequisites no longer checks in PREREQUISITE_CHECKS's order")


def _types(rule: Callable[..., Any]) -> list[str]:
    return [n for n in sorted(CATALOG) if rule in rules_for(n).warnings]


def _body(fields: Mapping[str, list[str]], values: Mapping[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {}
    for name, path in fields.items():
        if name in values:
            at = body
            for key in path[:-1]:
                at = at.setdefault(key, {})
            at[path[-1]] = values[name]
    return body


def _award() -> dict[str, Any]:
    """The award's warning: on the awarded unit, with no scores at all, or with the gaps of
    the latest scores (`_prefer`) against the award's regulation and predicate."""
    types = _types(warn.award)
    rid = sorted(REGULATIONS)[0]
    values = {"unit": "probe.unit", "predicate": "WBK", "regulation": rid}
    for name in types:
        if AWARD_FIELDS["unit"] not in _about(name):
            raise _fail(f"{name} is not about the unit it awards (not in its chain)")
        st = _Statement(name, _body(AWARD_FIELDS, values))
        none = warn.award(st, 9, MemoryFacts())  # type: ignore[arg-type]
        facts = MemoryFacts()
        facts.add([Score(3, "probe.unit", "tpn", "x", rid, None, 2030, "", _full(rid), None)])
        zero = {g: dict.fromkeys(s, "0") for g, s in _full(rid).items()}
        low = MemoryFacts()
        low.add([Score(4, "probe.unit", "tpn", "x", rid, None, 2030, "", zero, None)])
        short = warn.award(st, 9, low)  # type: ignore[arg-type]
        if (
            len(none) != 1
            or none[0].facts != {"predicate": "WBK", "unit": "probe.unit"}
            or warn.award(st, 9, facts)  # type: ignore[arg-type]
            or len(short) != 1
            or short[0].code != none[0].code
            or (short[0].agency, short[0].subject) != (_AGENCY, "probe.unit")
            or short[0].facts["scored_in"] != 4
            or short[0].facts["gaps"] != [list(g[:3]) for g in shortfalls(rid, "WBK", zero, None)]
        ):
            raise _fail(f"the award warning of {name} changed")
    return {"code": none[0].code, "types": types, "fields": AWARD_FIELDS}


def _proposal() -> dict[str, Any]:
    """The proposal's prerequisites warning: one on each unit it names whose target's
    prerequisites under its regulation the proposal's figures miss."""
    types = _types(warn.proposal)
    rid = sorted(REGULATIONS)[0]
    worst = {"bpk_opinion": "TMP", "sakip": "D", "spip_level": 1}
    worst |= {"audit_follow_up_percent": 0, "asset_declaration_percent": 0}
    for name in types:
        units = [{"unit": "probe.a", "target": "WBK"}, {"unit": "probe.b", "target": "WBBM"}]
        values = {"units": units, "regulation": rid, "prerequisites": worst}
        body = {"year": 2030, "submitted_on": "2030-01-01", **_body(PROPOSAL_FIELDS, values)}
        found = [w for w in warn.proposal(_Statement(name, body), 9, MemoryFacts())]  # type: ignore[arg-type]
        if PROPOSAL_FIELDS["units"] + PROPOSAL_FIELDS["unit"] not in _about(name, ("units",)):
            raise _fail(f"{name} is not about the units it proposes (not in their chains)")
        codes = {w.code for w in found if w.subject != _AGENCY}
        if len(codes) != 1 or [(w.agency, w.subject) for w in found if w.code in codes] != [
            (_AGENCY, "probe.a"),
            (_AGENCY, "probe.b"),
        ]:
            raise _fail(f"the prerequisites warning of {name} changed")
        for w in (w for w in found if w.code in codes):
            u = next(u for u in units if u["unit"] == w.subject)
            gaps = [list(g[:3]) for g in missing_prerequisites(rid, u["target"], worst)]
            if dict(w.facts) != {"unit": u["unit"], "target": u["target"], "gaps": gaps}:
                raise _fail(f"the prerequisites warning of {name} changed its facts")
    return {"code": codes.pop(), "types": types, "fields": PROPOSAL_FIELDS}


def awards_table() -> dict[str, Any]:
    """The tables of the two warnings; their codes go into "checked" (export_warnings.py)."""
    _probe_shortfalls()
    _probe_prerequisites()
    scores = _score_types()
    award = _award()
    award["scores"] = scores
    award["prefer"] = _prefer(sorted({s["source"] for s in scores.values()}))
    return {
        "award": award,
        "proposal": _proposal(),
        "regulations": _regulations(),
        "shortfalls": {"areas": list(AREAS), "results": list(RESULTS), "checks": SHORTFALL_CHECKS},
        "prerequisites": {"grades": list(SAKIP_GRADES), "checks": PREREQUISITE_CHECKS},
    }
