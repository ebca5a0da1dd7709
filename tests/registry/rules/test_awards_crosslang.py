"""The proposal and award warnings in the browser (web/static/verify/awards.js, run in node
with rules.json) are the Python rules' (registry/rules/warnings.py `proposal` and `award`,
over `MemoryFacts` fed the records in log order), facts and gaps included, on every page that
lists them (the proposer's, the awarding agency's, the unit's): on seeded cases on both sides
of every threshold (each area's floor, the total, the enablers, IPAK and IPKP, each
prerequisite) and of which scores count (TPN before TPI, the latest, none); the deadline and
the quota of a proposal on both sides of their boundaries, with and without a window, the
year's first window against a later one (from the year's chain, window:<year>); the random
logs and the demo are test_awards_logs_crosslang.py's."""

from __future__ import annotations

import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from events.regulations import AREAS, BPK_OPINIONS, REGULATIONS, RESULTS, SAKIP_GRADES, TARGETS
from registry.rules.facts import MemoryFacts
from registry.rules.records import Window
from registry.rules.subjects import window_subject
from registry.rules.types import Entry, rules_for

ROOT = Path(__file__).resolve().parents[3]
VERIFY = ROOT / "web" / "static" / "verify"
NODE = shutil.which("node")
CODES = ("below-thresholds", "prerequisites-missing", "deadline-missed", "over-quota")
PAGES = ("u", "c", "p", "tpn")  # a unit, its child unit, its parent, the national team
CENT = Decimal("0.01")
RUNNER = """
import { readFileSync } from 'node:fs';
import { awardChains, awardWarnings, windowChains } from '%s';
const table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const cases = JSON.parse(readFileSync(process.argv[3], 'utf8'));
function chainOf(c, unit) {
  return c.entries.filter(function (e) { return (c.chains[unit] || []).indexOf(e.index) >= 0; });
}
const out = cases.map(function (c) {
  const pages = {};
  c.pages.forEach(function (unit) {
    const chain = chainOf(c, unit), others = {};
    try {
      awardChains(table, unit, chain).forEach(function (u) { others[u] = chainOf(c, u); });
      windowChains(table, unit, chain).forEach(function (y) { others[y] = chainOf(c, y); });
      pages[unit] = awardWarnings(table, unit, chain, others, c.voided || {});
    } catch (e) { pages[unit] = { error: String(e.message) }; }
  });
  return pages;
});
process.stdout.write(JSON.stringify(out));
"""


def case(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """A log of (agency, type, body) as entries, with each subject's chain: the statement's
    agency, those it is about (the rules' `about`) and the year of each window it announces
    (its records)."""
    out: list[dict[str, Any]] = []
    chains: dict[str, list[int]] = {}
    for index, (agency, type_, body) in enumerate(entries):
        out.append({"index": index, "statement": {"agency": agency, "type": type_, "body": body}})
        st = SimpleNamespace(agency=agency, type=type_, body=body)
        rules = rules_for(type_)
        records = rules.records(Entry(st, index, 1, lambda _: None))  # type: ignore[arg-type]
        years = [window_subject(r.year) for r in records if isinstance(r, Window)]
        for subject in dict.fromkeys([agency, *rules.about(st), *years]):  # type: ignore[arg-type]
            chains.setdefault(subject, []).append(index)
    return {"entries": out, "chains": chains, "pages": list(PAGES)}


def python_side(c: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Each page's warnings of CODES, as the registry stores them (a compromise voids the
    warnings of the entries it voids, `c["voided"]`)."""
    voided = {int(i) for i in c.get("voided", {})}
    facts = MemoryFacts()
    found = []
    for e in c["entries"]:
        s = e["statement"]
        st = SimpleNamespace(agency=s["agency"], type=s["type"], body=s["body"], hash="h")
        rules = rules_for(st.type)
        for rule in rules.warnings:
            found += rule(st, e["index"], facts)  # type: ignore[arg-type]
        facts.add(rules.records(Entry(st, e["index"], 1, lambda _: None)))  # type: ignore[arg-type]
    return {
        page: [
            {
                "code": w.code,
                "index": w.index,
                "agency": w.agency,
                "subject": w.subject,
                "facts": json.loads(json.dumps(w.facts)),
            }  # fmt: skip
            for w in found
            if w.code in CODES and page in (w.agency, w.subject) and w.index not in voided
        ]
        for page in c["pages"]
    }


def node_side(cases: list[dict[str, Any]], tmp: Path) -> list[dict[str, Any]]:
    assert NODE is not None
    (tmp / "cases.json").write_text(json.dumps(cases))
    (tmp / "run.mjs").write_text(RUNNER % (VERIFY / "awards.js").as_uri())
    done = subprocess.run(
        [NODE, str(tmp / "run.mjs"), str(VERIFY / "rules.json"), str(tmp / "cases.json")],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


# -- statements --------------------------------------------------------------------------------


def full(rid: str) -> dict[str, dict[str, str]]:
    reg = REGULATIONS[rid]
    return {
        "areas": {a: str(reg.areas[a]) for a in AREAS},
        "results": {k: str(reg.results[k]) for k in RESULTS},
    }


def lowered(scores: dict[str, dict[str, str]], groups: tuple[str, ...], by: Decimal) -> None:
    for group in groups:
        for name, text in scores[group].items():
            step = min(Decimal(text), by)
            scores[group][name] = str(Decimal(text) - step)
            by -= step
    assert by == 0


def tpn(unit: str, rid: str, scores: Any = None, indices: Any = None) -> tuple[str, str, Any]:
    body = {"unit": unit, "year": 2026, "regulation": rid, "evaluated_on": "2026-04-01",
            "passed": True, "stage": "field" if scores else "pre_evaluation"}  # fmt: skip
    if scores is not None:
        body["scores"] = scores
    if indices is not None:
        body["indices"] = indices
    return ("tpn", "national_evaluation.recorded", body)


def tpi(unit: str, rid: str, scores: Any, indices: Any = None, by: str = "tpi") -> Any:
    body = {"unit": unit, "regulation": rid, "target": "WBK", "year": 2025, "scores": scores,
            "evaluated_on": "2025-10-01", "recommendation": "propose"}  # fmt: skip
    if indices is not None:
        body["indices"] = indices
    return (by, "internal_evaluation.completed", body)


def own_scores(agency: str, rid: str, scores: Any) -> Any:
    body = {"regulation": rid, "target": "WBK", "year": 2025, "assessed_on": "2025-06-01",
            "scores": scores}  # fmt: skip
    return (agency, "self_assessment.submitted", body)


def award(by: str, unit: str, rid: str, predicate: str) -> Any:
    body = {"unit": unit, "predicate": predicate, "year": 2026, "regulation": rid,
            "awarded_on": "2026-06-10", "decree": "x", "route": "national"}  # fmt: skip
    return (by, "predicate.awarded", body)


def proposal(by: str, units: list[tuple[str, str]], rid: str, given: dict[str, Any]) -> Any:
    body = {"year": 2026, "regulation": rid, "submitted_on": "2026-02-02", "letter": "x",
            "units": [{"unit": u, "target": t, "internal_evaluation": "x"} for u, t in units],
            "prerequisites": given}  # fmt: skip
    return (by, "proposal.submitted", body)


GOOD = {"bpk_opinion": "WTP", "sakip": "AA", "spip_level": 5, "audit_follow_up_percent": 100,
        "asset_declaration_percent": 100}  # fmt: skip


# -- seeded cases around every boundary --------------------------------------------------------


def score_cases() -> list[tuple[dict[str, Any], str, bool]]:
    """An award after one TPN evaluation, whose scores sit on or just under one boundary:
    (the case, the gap it is about, whether it is under)."""
    out = []
    for rid, reg in sorted(REGULATIONS.items()):
        for target in TARGETS:
            need = reg.thresholds[target]
            variants: list[tuple[Any, Any, str, bool]] = []
            for cut in (Decimal(0), CENT):
                s = full(rid)
                lowered(s, ("results", "areas"), Decimal(100) - need["total"] + cut)
                variants.append((s, None, "total", bool(cut)))
            for cut in (Decimal(0), CENT):
                s = full(rid)
                lowered(s, ("areas",), sum(reg.areas.values()) - need["enablers"] + cut)
                variants.append((s, None, "enablers", bool(cut)))
            for area in AREAS:
                floor = reg.areas[area] * need["area_min_percent"] / 100
                for value in (floor, floor - CENT):
                    s = full(rid)
                    s["areas"][area] = str(value)
                    variants.append((s, None, area, value < floor))
            for index in ("ipak", "ipkp"):
                least = need[f"{index}_index"]
                for value in (least, least - CENT):
                    variants.append((full(rid), {index: str(value)}, index, value < least))
                variants.append((full(rid), {}, index, False))
            for scores, indices, name, under in variants:
                log = [tpn("u", rid, scores, indices), award("tpn", "u", rid, target)]
                out.append((case(log), name, under))
    return out


def source_cases() -> list[dict[str, Any]]:
    rid = "permenpanrb-5-2024"
    good, weak = full(rid), full(rid)
    lowered(weak, ("areas",), Decimal("30"))
    logs = [
        [award("tpn", "u", rid, "WBK")],  # no scores at all
        [own_scores("u", rid, good), award("tpn", "u", rid, "WBK")],  # its own do not count
        [tpi("u", rid, weak), award("tpn", "u", rid, "WBK")],
        [tpi("u", rid, weak), tpn("u", rid, good), award("tpn", "u", rid, "WBK")],
        [tpn("u", rid, good), tpi("u", rid, weak), award("tpn", "u", rid, "WBK")],  # TPN first
        [tpn("u", rid, weak), tpn("u", rid, good), award("tpn", "u", rid, "WBK")],  # the latest
        [tpn("u", rid, good), tpn("u", rid, weak), award("tpn", "u", rid, "WBK")],
        [tpi("u", rid, weak), tpn("u", rid), award("tpn", "u", rid, "WBK")],  # no TPN scores
        [award("tpn", "u", rid, "WBK"), tpn("u", rid, good)],  # scores after the award
        [tpi("d", rid, good, by="u"), award("tpn", "u", rid, "WBK")],  # u scoring another
        [tpi("c", rid, weak), award("u", "c", rid, "WBK"), award("p", "u", rid, "WBBM")],
        [tpi("c", rid, good), tpi("u", rid, weak), award("u", "c", rid, "WBBM")],
    ]
    out = [case(log) for log in logs]
    # A compromise voided the award, then the proposal: their warnings go, not the scores.
    out.append(dict(case(logs[10]), voided={"1": True}))
    out.append(dict(case([proposal("p", [("u", "WBK")], rid, {**GOOD, "sakip": "D"}), *logs[2]]),
                    voided={"0": True}))  # fmt: skip
    return out


def prerequisite_cases() -> list[dict[str, Any]]:
    out = []
    for rid, reg in sorted(REGULATIONS.items()):
        for target in TARGETS:
            need = reg.prerequisites[target]
            tries: list[dict[str, Any]] = [{"bpk_opinion": b} for b in BPK_OPINIONS]
            tries += [{"sakip": g} for g in SAKIP_GRADES]
            for name in ("spip_level", "audit_follow_up_percent", "asset_declaration_percent"):
                least = need["spip_level_min" if name == "spip_level" else name]
                tries += [{name: least + d} for d in (-1, 0, 1) if least + d <= 100]
            worst = {"bpk_opinion": "TMP", "sakip": "D", "spip_level": 1}
            tries.append({**worst, "audit_follow_up_percent": 0, "asset_declaration_percent": 0})
            for changed in tries:
                units = [("u", target), ("c", "WBK")]
                out.append(case([proposal("p", units, rid, {**GOOD, **changed})]))
    out.append(case([proposal("u", [("u", "WBK"), ("c", "WBBM")], rid, {**GOOD, "sakip": "CC"})]))
    return out


def window(by: str, deadline: str, quota: int = 9, year: int = 2026) -> Any:
    body = {"year": year, "regulation": "permenpanrb-5-2024", "opens_on": f"{year}-01-15",
            "deadline": deadline, "quota_per_agency": quota,
            "announced_on": f"{year}-01-10"}  # fmt: skip
    return (by, "submission_window.announced", body)


def proposing(
    by: str, on: str, units: int = 1, year: int = 2026, rid: str = "permenpanrb-5-2024"
) -> Any:
    body = proposal(by, [(f"n{i}", "WBK") for i in range(units)], rid, GOOD)[2]
    return (by, "proposal.submitted", body | {"submitted_on": on, "year": year})


def window_cases() -> list[dict[str, Any]]:
    """Each with the p page's expected codes (the deadline and quota warnings are the
    proposer's only)."""
    logs: list[list[Any]] = []
    for rid, reg in sorted(REGULATIONS.items()):  # no window: the regulation's default
        default = f"2026-{reg.default_deadline}"
        logs.append([proposing("p", default, rid=rid)])
        logs.append([proposing("p", default.replace("-31", "-30"), rid=rid)])
        logs.append([proposing("p", f"2026-{int(default[5:7]) + 1:02d}-01", rid=rid)])
    logs += [
        [window("tpn", "2026-03-31"), proposing("p", "2026-03-31")],  # on the window's deadline
        [window("tpn", "2026-03-31"), proposing("p", "2026-04-01")],  # a day after it
        [window("tpn", "2026-07-31"), proposing("p", "2026-06-15")],  # after the default only
        # The first window counts, whoever announced it; a later one does not.
        [window("tpn", "2026-03-31"), window("tpn2", "2026-04-30"), proposing("p", "2026-04-15")],
        [window("tpn2", "2026-04-30"), window("tpn", "2026-03-31"), proposing("p", "2026-04-15")],
        # A window after the proposal does not count for it; another year's does not either.
        [proposing("p", "2026-04-15"), window("tpn", "2026-03-31")],
        [window("tpn", "2027-03-31", year=2027), proposing("p", "2026-06-01")],
        # The quota: p's earlier units of the year count, others' and other years' do not.
        [
            window("tpn", "2026-03-31", quota=3),
            proposing("p", "2026-02-01", 2),
            proposing("u", "2026-02-01", 3),
            proposal("u", [("p", "WBK")], "permenpanrb-5-2024", GOOD),  # in p's chain, not p's
            proposing("p", "2026-02-01", 2, year=2027),
            proposing("p", "2026-02-02", 1),
            proposing("p", "2026-02-03", 1),
        ],  # fmt: skip
        [window("tpn", "2026-03-31", quota=2), proposing("p", "2026-04-02", 3)],  # both
        [proposing("p", "2026-02-01", 40)],  # no window: no quota
    ]
    out = [case(log) for log in logs]
    out.append(dict(case(logs[-2]), voided={"1": True}))  # voided: its warnings go
    return out


# -- the tests ---------------------------------------------------------------------------------


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_deadline_and_the_quota_on_both_sides(tmp_path: Path) -> None:
    cases = window_cases()
    want = compare(cases, tmp_path)
    codes = [[(w["code"], w["index"]) for w in pages["p"]] for pages in want]
    n = len(REGULATIONS)
    assert codes[: 3 * n] == [[], [], [("deadline-missed", 0)]] * n
    missed = [("deadline-missed", 1)]
    assert codes[3 * n : 3 * n + 5] == [[], missed, [], [("deadline-missed", 2)], []]
    assert want[3 * n + 3]["p"][0]["facts"]["deadline"] == "2026-03-31"  # the first window's
    assert codes[3 * n + 5 :] == [
        [], [("deadline-missed", 1)], [("over-quota", 6)],
        [("deadline-missed", 1), ("over-quota", 1)], [], [],
    ]  # fmt: skip
    assert [w["code"] for w in want[-3]["u"]] == []  # the proposer's warnings only


def compare(cases: list[dict[str, Any]], tmp: Path) -> list[dict[str, list[dict[str, Any]]]]:
    want = [python_side(c) for c in cases]
    for c, w, g in zip(cases, want, node_side(cases, tmp), strict=True):
        assert g == w, c["entries"]
    return want


def gap_names(want: list[dict[str, list[dict[str, Any]]]]) -> set[str]:
    return {
        g[0]
        for pages in want
        for ws in pages.values()
        for w in ws
        for g in w["facts"].get("gaps", [])
    }


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_every_threshold_on_both_sides(tmp_path: Path) -> None:
    seeded = score_cases()
    want = compare([c for c, _, _ in seeded], tmp_path)
    for (_, name, under), pages in zip(seeded, want, strict=True):
        gaps = [g[0] for w in pages["u"] for g in w["facts"]["gaps"]]
        assert (name in gaps) is under, (name, under, pages["u"])
        assert pages["tpn"] == pages["u"] and pages["c"] == pages["p"] == []
    assert gap_names(want) == {"total", "enablers", "ipak", "ipkp", *AREAS}


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_which_scores_count(tmp_path: Path) -> None:
    want = compare(source_cases(), tmp_path)
    sources = [[w["facts"].get("source") for w in pages["u"]] for pages in want]
    assert sources[0] == [None] and sources[1] == [None]  # no TPN or TPI scores: warned
    assert sources[2] == ["tpi"] and sources[3] == [] and sources[4] == []
    assert sources[5] == [] and sources[6] == ["tpn"] and sources[7] == ["tpi"]
    assert sources[8] == [None] and sources[9] == [None]
    assert [w["subject"] for w in want[10]["u"]] == ["c", "u"]  # its award of c, and its own
    assert want[11]["u"] == [] and want[11]["c"] == []
    assert [w["subject"] for w in want[12]["u"]] == ["u"] and want[12]["c"] == []
    assert [w["code"] for w in want[13]["u"]] == ["below-thresholds"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_every_prerequisite_on_both_sides(tmp_path: Path) -> None:
    want = compare(prerequisite_cases(), tmp_path)
    assert gap_names(want) == {
        "bpk_opinion",
        "sakip",
        "spip_level",
        "audit_follow_up_percent",
        "asset_declaration_percent",
    }
    assert any(not w["u"] for w in want) and any(len(w["p"]) == 2 for w in want)
    assert len(want[-1]["u"]) == 2 and [w["subject"] for w in want[-1]["c"]] == ["c"]
