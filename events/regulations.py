"""The figures of each KemenPAN-RB regulation version, as data, and the sums made with them.

`regulations.json` holds, per regulation id, the evaluation worksheet (LKE) weights, the minimum
scores for WBK and WBBM, the proposal prerequisites, the waiting times and whether an agency may
be granted self-evaluation. Statements name the regulation they were made under (`regulation`
in the body), and everything here is looked up by that id, so a new regulation is a new entry
in the JSON file, not new code. Scores are decimal strings ("12.50") computed with `Decimal`:
statements never carry JSON floats (PITFALLS.md, canonical bytes).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from .dates import parse_date

AREAS = (
    "manajemen_perubahan",
    "tata_laksana",
    "sdm",
    "akuntabilitas",
    "pengawasan",
    "pelayanan_publik",
)
AREA_TITLES = {
    "manajemen_perubahan": {"id": "Manajemen Perubahan", "en": "Change management"},
    "tata_laksana": {"id": "Penataan Tata Laksana", "en": "Business processes"},
    "sdm": {"id": "Penataan Sistem Manajemen SDM Aparatur", "en": "Human resources"},
    "akuntabilitas": {"id": "Penguatan Akuntabilitas", "en": "Accountability"},
    "pengawasan": {"id": "Penguatan Pengawasan", "en": "Oversight"},
    "pelayanan_publik": {
        "id": "Peningkatan Kualitas Pelayanan Publik",
        "en": "Public service quality",
    },
}
RESULTS = ("ipak", "kinerja", "ipkp")
TARGETS = ("WBK", "WBBM")
# SAKIP (performance accountability) grades, best first.
SAKIP_GRADES = ("AA", "A", "BB", "B", "CC", "C", "D")
BPK_OPINIONS = ("WTP", "WDP", "TW", "TMP")


@dataclass(frozen=True)
class Regulation:
    id: str
    title: str
    in_force_from: date
    in_force_until: date | None  # the first day it is no longer in force; None: still in force
    source: str | None
    areas: Mapping[str, Decimal]
    results: Mapping[str, Decimal]
    thresholds: Mapping[str, Mapping[str, Decimal]]
    prerequisites: Mapping[str, Mapping[str, Any]]
    months_after_declaration: int
    default_deadline: str  # "MM-DD"
    reproposal_block_years: int
    self_evaluation: bool
    unconfirmed: tuple[str, ...]

    def in_force_on(self, day: date) -> bool:
        """Whether this version was in force on `day`."""
        return self.in_force_from <= day and (
            self.in_force_until is None or day < self.in_force_until
        )

    def to_json(self) -> dict[str, Any]:
        """The public JSON of this version (decimals as strings), for the API and the docs."""
        return {
            "id": self.id,
            "title": self.title,
            "in_force_from": self.in_force_from.isoformat(),
            "in_force_until": self.in_force_until.isoformat() if self.in_force_until else None,
            "source": self.source,
            "lke": {
                "areas": {k: str(v) for k, v in self.areas.items()},
                "results": {k: str(v) for k, v in self.results.items()},
            },
            "thresholds": {
                t: {k: str(v) for k, v in m.items()} for t, m in self.thresholds.items()
            },
            "prerequisites": {t: dict(m) for t, m in self.prerequisites.items()},
            "months_after_declaration": self.months_after_declaration,
            "default_deadline": self.default_deadline,
            "reproposal_block_years": self.reproposal_block_years,
            "self_evaluation": self.self_evaluation,
            "unconfirmed": list(self.unconfirmed),
        }


def _load(path: Path) -> dict[str, Regulation]:
    raw = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, Regulation] = {}
    for rid, r in raw.items():
        if rid.startswith("_"):
            continue
        areas = {a: Decimal(r["lke"]["areas"][a]) for a in AREAS}
        results = {k: Decimal(r["lke"]["results"][k]) for k in RESULTS}
        # The LKE is out of 100: enablers 60, results 40 (DOMAIN.md, step 7).
        if sum(areas.values()) + sum(results.values()) != 100:
            raise ValueError(f"{rid}: LKE weights do not add up to 100")
        out[rid] = Regulation(
            id=rid,
            title=r["title"],
            in_force_from=parse_date(r["in_force_from"]),
            in_force_until=parse_date(r["in_force_until"]) if "in_force_until" in r else None,
            source=r.get("source"),
            areas=areas,
            results=results,
            thresholds={t: {k: Decimal(v) for k, v in r["thresholds"][t].items()} for t in TARGETS},
            prerequisites={t: r["prerequisites"][t] for t in TARGETS},
            months_after_declaration=int(r["months_after_declaration"]),
            default_deadline=r["default_deadline"],
            reproposal_block_years=int(r["reproposal_block_years"]),
            self_evaluation=bool(r["self_evaluation"]),
            unconfirmed=tuple(r.get("unconfirmed", ())),
        )
    return out


REGULATIONS: dict[str, Regulation] = _load(Path(__file__).with_name("regulations.json"))
LATEST = max(REGULATIONS.values(), key=lambda r: r.in_force_from).id


def in_force_on(day: date) -> Regulation | None:
    """The version in force on `day` (the newest, where two overlap); None before the first."""
    found = [r for r in REGULATIONS.values() if r.in_force_on(day)]
    return max(found, key=lambda r: r.in_force_from) if found else None


def enablers(scores: Mapping[str, Any]) -> Decimal:
    return sum((Decimal(scores["areas"][a]) for a in AREAS), Decimal(0))


def total(scores: Mapping[str, Any]) -> Decimal:
    return enablers(scores) + sum((Decimal(scores["results"][k]) for k in RESULTS), Decimal(0))


class Gap(NamedTuple):
    """One way a unit falls short: what (`name`), what it has, what is needed, and the
    English phrase the registry's messages use."""

    name: str
    got: str
    need: str
    text: str

    def __str__(self) -> str:
        return self.text


def shortfalls(
    rid: str, target: str, scores: Mapping[str, Any], indices: Mapping[str, str] | None
) -> list[Gap]:
    """How `scores` (and survey `indices`) fall short of `target` under regulation `rid`."""
    reg = REGULATIONS[rid]
    need = reg.thresholds[target]
    out: list[Gap] = []
    got = total(scores)
    if got < need["total"]:
        out.append(Gap("total", f"{got}", f"{need['total']}", f"total {got} < {need['total']}"))
    got = enablers(scores)
    if got < need["enablers"]:
        text = f"enablers {got} < {need['enablers']}"
        out.append(Gap("enablers", f"{got}", f"{need['enablers']}", text))
    for area in AREAS:
        floor = reg.areas[area] * need["area_min_percent"] / 100
        got = Decimal(scores["areas"][area])
        if got < floor:
            text = f"{area} {got} < {floor.normalize():f} ({need['area_min_percent']}%)"
            out.append(Gap(area, f"{got}", f"{floor.normalize():f}", text))
    for name in ("ipak", "ipkp"):
        value = (indices or {}).get(name)
        if value is not None and Decimal(value) < need[f"{name}_index"]:
            minimum = f"{need[f'{name}_index']}"
            out.append(Gap(name, value, minimum, f"{name.upper()} index {value} < {minimum}"))
    return out


def missing_prerequisites(rid: str, target: str, given: Mapping[str, Any]) -> list[Gap]:
    """Which 5/2024-style proposal prerequisites `given` does not meet under `rid`."""
    need = REGULATIONS[rid].prerequisites[target]
    out: list[Gap] = []
    if given["bpk_opinion"] not in need["bpk_opinion"]:
        wanted = "/".join(need["bpk_opinion"])
        text = f"BPK opinion {given['bpk_opinion']} (needs {wanted})"
        out.append(Gap("bpk_opinion", given["bpk_opinion"], wanted, text))
    if SAKIP_GRADES.index(given["sakip"]) > SAKIP_GRADES.index(need["sakip_min"]):
        text = f"SAKIP {given['sakip']} (needs {need['sakip_min']} or better)"
        out.append(Gap("sakip", given["sakip"], need["sakip_min"], text))
    for name, label, unit in (
        ("spip_level", "SPIP level", ""),
        ("audit_follow_up_percent", "audit follow-up", "%"),
        ("asset_declaration_percent", "asset declarations", "%"),
    ):
        minimum = need["spip_level_min" if name == "spip_level" else name]
        if given[name] < minimum:
            got, wanted = f"{given[name]}{unit}", f"{minimum}{unit}"
            out.append(Gap(name, got, wanted, f"{label} {got} (needs {wanted})"))
    return out
