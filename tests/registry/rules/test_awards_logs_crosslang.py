"""The proposal and award warnings in the browser (web/static/verify/awards.js, in node) are
the Python rules' on random logs whose scores and figures sit around the thresholds, written
with 0, 1 or 2 decimals, with windows and proposals around the deadlines and quotas
(test_awards_crosslang.py's cases and sides), and on every page of
the demo are those the registry stored as it appended."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from test_awards_crosslang import (
    CENT,
    CODES,
    NODE,
    award,
    case,
    compare,
    gap_names,
    node_side,
    own_scores,
    proposal,
    tpi,
    tpn,
    window,
)
from test_rules_crosslang import Demo, demo  # noqa: F401  (the demo replayed: a fixture)

from events.regulations import AREAS, BPK_OPINIONS, REGULATIONS, RESULTS, SAKIP_GRADES, TARGETS

# -- random logs around the thresholds --------------------------------------------------------


def written(value: Decimal, rnd: random.Random) -> str:
    """A decimal string with 0, 1 or 2 decimals, as a statement may carry it."""
    text = f"{value:.2f}"
    if rnd.random() < 0.4:
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return text


def near(rnd: random.Random, mark: Decimal, top: Decimal) -> str:
    pick = rnd.choice(
        [mark, mark - CENT, mark + CENT, top, Decimal(rnd.randint(0, 100)) / 100 * top]
    )
    return written(min(max(pick.quantize(CENT), Decimal(0)), top), rnd)


def random_scores(rnd: random.Random, rid: str) -> dict[str, dict[str, str]]:
    reg = REGULATIONS[rid]
    percent = Decimal(rnd.choice([60, 75]))
    return {
        "areas": {a: near(rnd, reg.areas[a] * percent / 100, reg.areas[a]) for a in AREAS},
        "results": {k: near(rnd, reg.results[k] * Decimal("0.8"), reg.results[k]) for k in RESULTS},
    }


def random_indices(rnd: random.Random) -> dict[str, str] | None:
    if rnd.random() < 0.3:
        return None
    out = {}
    for name, mark in (("ipak", "3.60"), ("ipkp", rnd.choice(["3.20", "3.60"]))):
        if rnd.random() < 0.85:
            out[name] = f"{Decimal(mark) + CENT * rnd.randint(-2, 2):.2f}"
    return out


def random_given(rnd: random.Random) -> dict[str, Any]:
    return {
        "bpk_opinion": rnd.choice(["WTP", "WTP", *BPK_OPINIONS]),
        "sakip": rnd.choice(SAKIP_GRADES[:5]),
        "spip_level": rnd.randint(2, 5),
        "audit_follow_up_percent": rnd.choice([98, 99, 100, 100]),
        "asset_declaration_percent": rnd.choice([99, 100, 100]),
    }


def random_day(rnd: random.Random) -> str:
    """A day of 2026 around the deadlines (the default one is the end of May)."""
    month = rnd.randint(2, 7)
    last = {2: 28, 4: 30, 6: 30}.get(month, 31)
    return f"2026-{month:02d}-{rnd.choice([1, 15, last - 1, last, last]):02d}"


def random_case(rnd: random.Random) -> dict[str, Any]:
    log = []
    for _ in range(rnd.randint(3, 12)):
        rid = rnd.choice(sorted(REGULATIONS))
        unit = rnd.choice(["u", "u", "c", "d"])
        kind = rnd.randrange(8)
        if kind == 0:
            by = rnd.choice(["tpi", "tpi", "u"]) if unit != "u" else "tpi"
            log.append(tpi(unit, rid, random_scores(rnd, rid), random_indices(rnd), by=by))
        elif kind == 1:
            scores = random_scores(rnd, rid) if rnd.random() < 0.8 else None
            log.append(tpn(unit, rid, scores, random_indices(rnd)))
        elif kind == 2:
            log.append(own_scores(rnd.choice(["u", "c"]), rid, random_scores(rnd, rid)))
        elif kind in (3, 4):
            by, about = rnd.choice([("tpn", "u"), ("tpn", "c"), ("u", "c"), ("u", "u"), ("p", "u")])
            log.append(award(by, about, rid, rnd.choice(TARGETS)))
        elif kind == 5:
            units = rnd.sample([("u", rnd.choice(TARGETS)), ("c", "WBK"), ("d", "WBBM")], 2)
            st = proposal(rnd.choice(["p", "u"]), units, rid, random_given(rnd))
            st[2]["submitted_on"] = random_day(rnd)
            st[2]["year"] = rnd.choice([2026, 2026, 2027])
            log.append(st)
        else:  # a window for the year, by one of two national teams
            year = rnd.choice([2026, 2026, 2027])
            day = random_day(rnd).replace("2026", str(year))
            log.append(window(rnd.choice(["tpn", "tpn2"]), day, rnd.randint(1, 4), year))
    return case(log)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_random_logs_around_the_thresholds(tmp_path: Path) -> None:
    rnd = random.Random(2026)
    cases = [random_case(rnd) for _ in range(400)]
    want = compare(cases, tmp_path)
    found = [w for pages in want for ws in pages.values() for w in ws]
    assert {w["code"] for w in found} == set(CODES)
    assert sum(1 for pages in want if not any(pages.values())) > 10
    assert {w["facts"].get("source") for w in found if w["code"] == CODES[0]} == {
        "tpn",
        "tpi",
        None,
    }
    assert len(gap_names(want)) >= 12


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_every_page_of_the_demo(tmp_path: Path, demo: Demo) -> None:  # noqa: F811
    """On the demo, every agency's page: the warnings the registry stored as it appended
    (facts and gaps included) are those awards.js derives from the verified chains."""
    entries = sorted(demo.entries.values(), key=lambda e: e["index"])
    pages = sorted(demo.chains)
    c = {"entries": entries, "chains": demo.chains, "pages": pages}
    c["voided"] = {str(i): True for i in demo.voided}
    stored = {
        page: [
            {
                "code": w.code,
                "index": w.index,
                "agency": w.agency,
                "subject": w.subject,
                "facts": json.loads(json.dumps(w.facts)),
            }  # fmt: skip
            for w in demo.warnings
            if w.code in CODES and page in (w.agency, w.subject) and w.index not in demo.voided
        ]
        for page in pages
    }
    assert node_side([c], tmp_path)[0] == stored
    shown = [w for ws in stored.values() for w in ws]
    assert {w["code"] for w in shown} == set(CODES) and len(shown) >= 6
