"""Where agencies are: the region index, a region's page, and regional-government membership.

Region names are the official ones (`registry.read.regions`, reference data, never stored in
the read model). Location is not membership: a central office (BPS Kabupaten Grobogan) is
listed where it sits, with its kind, not as part of that region's government.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from registry.read import regions as region_data
from registry.read.queries import in_region, rows
from registry.read.results import sort_rows, with_facts
from registry.read.tables import agencies
from registry.read.tables import regions as regions_t
from registry.read.warning_lists import tallies

# Kinds that are a regional government (pemerintah daerah) or one of its offices; a unit
# belongs to its parent's side. Anything else located in a region (a central office such as
# BPS Kabupaten Grobogan, an Ombudsman representative, civil society) merely sits there.
REGIONAL_KINDS = frozenset(
    {"pemerintah_provinsi", "pemerintah_kabupaten", "pemerintah_kota", "perangkat_daerah"}
)
_MAX_DEPTH = 16


def official_name(code: str | None) -> str | None:
    """The official name of a Kemendagri region code, if listed."""
    found = region_data.region(code) if code else None
    return found["name"] if found else None


def _region_row(code: str, fallback: str) -> dict[str, Any]:
    name = official_name(code)
    return {"code": code, "name": name or fallback, "official": name is not None, "count": 0}


def regions(db: Connection) -> list[dict[str, Any]]:
    """Provinces that have agencies, each with its regencies and agency counts, by code.

    A code the official list lacks keeps the name its agencies registered with, and
    `official` False."""
    found = [
        {"region_kemendagri": r.code, "region_name": r.name, "n": r.agencies}
        for r in db.execute(select(regions_t).order_by(regions_t.c.code))
    ]
    provinces: dict[str, dict[str, Any]] = {}
    for row in found:
        code, name, n = row["region_kemendagri"], row["region_name"] or "", int(row["n"])
        prov_code = code.split(".")[0]
        prov = provinces.setdefault(prov_code, _region_row(prov_code, ""))
        prov.setdefault("regencies", {})
        prov["count"] += n
        if "." not in code:
            prov["name"] = official_name(code) or prov["name"] or name
            continue
        regency_name, _, province_name = name.rpartition(", ")
        if not prov["official"] and not prov["name"] and province_name:
            prov["name"] = "Provinsi " + province_name
        regency = prov["regencies"].setdefault(code, _region_row(code, regency_name or name))
        regency["count"] += n
    out = []
    for code in sorted(provinces):
        prov = provinces[code]
        prov["name"] = prov["name"] or code
        prov["regencies"] = [prov["regencies"][k] for k in sorted(prov["regencies"])]
        out.append(prov)
    return out


def region_name(db: Connection, code: str) -> str | None:
    """The official name of `code`, else the name its agencies use; None if neither exists."""
    if name := official_name(code):
        return name
    for prov in regions(db):
        if prov["code"] == code:
            return str(prov["name"])
        for regency in prov["regencies"]:
            if regency["code"] == code:
                return str(regency["name"])
    return None


def regional_government(db: Connection, found: list[dict[str, Any]]) -> dict[str, bool]:
    """Agency id -> whether it is part of a regional government, following parents up."""
    known: dict[str, tuple[str, str | None]] = {
        r["agency"]: (r["kind"], r.get("parent")) for r in found
    }
    for _ in range(_MAX_DEPTH):
        missing = {p for _, p in known.values() if p and p not in known}
        if not missing:
            break
        query = select(agencies.c.agency, agencies.c.kind, agencies.c.parent)
        for r in rows(db, query.where(agencies.c.agency.in_(missing))):
            known[r["agency"]] = (r["kind"], r["parent"])
        for gone in missing - known.keys():
            known[gone] = ("", None)

    def regional(agency: str, depth: int = 0) -> bool:
        kind, parent = known.get(agency, ("", None))
        if kind in REGIONAL_KINDS:
            return True
        return parent is not None and depth < _MAX_DEPTH and regional(parent, depth + 1)

    return {r["agency"]: regional(r["agency"]) for r in found}


def region_page(
    db: Connection, code: str, today: date, sort: str = "", direction: str = ""
) -> dict[str, Any] | None:
    """A province or regency/city of the official list: both codes and their source, the
    agencies located there (each marked as part of a regional government or not) as rows of
    the results table in the order of `sort` (registry/read/results.py), how many have each
    status, the warnings on their pages by kind and which agencies have each, and for a
    province its regencies/cities that have agencies. None for codes the official list does
    not have."""
    region = region_data.region(code)
    if region is None:
        return None
    column = agencies.c.region_kemendagri
    where = column == code if region["level"] == "regency" else in_region(code)
    query = select(agencies).where(where).order_by(agencies.c.name, agencies.c.agency)
    found = sort_rows(with_facts(db, rows(db, query), today), sort, direction)
    status_counts: dict[str, int] = {}
    for r in found:  # the status the results table shows and filters by
        status_counts[r["status"]] = status_counts.get(r["status"], 0) + 1
    # Each warning once (also one about an agency signed by another of them), and how many
    # of their pages list each kind.
    by_code, units_by_code = tallies(db, [r["agency"] for r in found], today)
    regional = regional_government(db, found)
    located_counts: dict[str, int] = {}
    for row in found:
        row["regional"] = regional[row["agency"]]
        located = row["region_kemendagri"] or ""
        row["located_in"] = _region_row(located, located) if located != code else None
        if located != code:
            located_counts[located] = located_counts.get(located, 0) + 1
    regencies = region_data.regencies(code) if region["level"] == "province" else []
    names = {r["kemendagri"]: r["name"] for r in regencies}
    return {
        "region": region,
        "regencies": regencies,
        "agencies": found,
        "status_counts": status_counts,
        "warnings": sum(by_code.values()),
        "warning_counts": by_code,
        "warning_units": units_by_code,
        "source": region_data.source(),
        "regency_counts": [
            dict(_region_row(c, names.get(c, c)), count=n)
            for c, n in sorted(located_counts.items())
        ],
        "government": [r for r in found if r["regional"]],
        "located": [r for r in found if not r["regional"]],
    }
