"""Read queries of the citizens' site: search with filters, the region index, feeds, exports.

Functions take a `Service` and plain values and return plain dicts, like the `Service`
methods; they only read the `rm_*` tables of the read model (and, for proofs, the log). The
region index lists exactly the provinces and regencies that have agencies (by the Kemendagri
code `PP` or `PP.KK` each registered with), under their official names (registry/regions.py).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, desc, func, or_, select, true

from registry.read import regions as region_data
from registry.read.projector import agencies, statements
from registry.rules.lifecycle import STATUSES
from registry.service import Service
from registry.write.storage import checkpoints

PER_PAGE = 20
KEY_TYPES = ("agency.registered", "key.added", "key.revoked")
CORRECTION_TYPES = ("statement.corrected", "statement.retracted")


@dataclass(frozen=True)
class Filters:
    """What a citizen can search by; every field optional, all shareable as GET parameters."""

    q: str = ""
    province: str = ""  # Kemendagri province code, "33"
    regency: str = ""  # Kemendagri regency/city code, "33.11"
    kind: str = ""
    status: str = ""
    year: str = ""

    def params(self) -> dict[str, str]:
        return {k: v for k, v in self.__dict__.items() if v}


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _in_region(code: str) -> Any:
    column = agencies.c.region_kemendagri
    return or_(column == code, column.like(code + ".%"))


def search(
    svc: Service, filters: Filters, page: int = 1, per_page: int = PER_PAGE
) -> dict[str, Any]:
    """One page of agencies matching every given filter, by name; with the total count."""
    where: list[Any] = []
    if filters.q:
        like = _like(filters.q)
        where.append(
            or_(
                func.lower(agencies.c.name).like(like, escape="\\"),
                agencies.c.agency.like(like, escape="\\"),
            )
        )
    if filters.regency:
        where.append(_in_region(filters.regency))
    elif filters.province:
        where.append(_in_region(filters.province))
    if filters.kind:
        where.append(agencies.c.kind == filters.kind)
    if filters.status:
        where.append(agencies.c.status == filters.status)
    if filters.year:
        active = select(statements.c.agency).where(statements.c.issued_at.like(filters.year + "-%"))
        where.append(agencies.c.agency.in_(active))
    condition = and_(true(), *where)
    with svc.registry.engine.connect() as conn:
        total = int(
            conn.execute(select(func.count()).select_from(agencies).where(condition)).scalar_one()
        )
        pages = max(1, math.ceil(total / per_page))
        page = min(max(1, page), pages)
        rows = [
            dict(r._mapping)
            for r in conn.execute(
                select(agencies)
                .where(condition)
                .order_by(agencies.c.name, agencies.c.agency)
                .limit(per_page)
                .offset((page - 1) * per_page)
            )
        ]
    return {"total": total, "page": page, "pages": pages, "rows": rows}


def official_name(code: str | None) -> str | None:
    """The official name of a Kemendagri region code (registry/regions.json), if listed."""
    found = region_data.region(code) if code else None
    return found["name"] if found else None


def regions(svc: Service) -> list[dict[str, Any]]:
    """Provinces that have agencies, each with its regencies and agency counts, by code.

    Names are the official ones (registry/regions.py); a code the official list lacks keeps
    the name its agencies registered with, and `official` False."""
    rows = svc._rows(
        select(agencies.c.region_kemendagri, agencies.c.region_name, func.count().label("n"))
        .where(agencies.c.region_kemendagri.is_not(None))
        .group_by(agencies.c.region_kemendagri, agencies.c.region_name)
    )
    provinces: dict[str, dict[str, Any]] = {}
    for row in rows:
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


def _region_row(code: str, fallback: str) -> dict[str, Any]:
    name = official_name(code)
    return {"code": code, "name": name or fallback, "official": name is not None, "count": 0}


def region_name(svc: Service, code: str) -> str | None:
    """The official name of `code`, else the name its agencies use; None if neither exists."""
    if name := official_name(code):
        return name
    for prov in regions(svc):
        if prov["code"] == code:
            return str(prov["name"])
        for regency in prov["regencies"]:
            if regency["code"] == code:
                return str(regency["name"])
    return None


# Kinds that are a regional government (pemerintah daerah) or one of its offices; a unit
# belongs to its parent's side. Anything else located in a region (a central office such as
# BPS Kabupaten Grobogan, an Ombudsman representative, civil society) merely sits there.
REGIONAL_KINDS = frozenset(
    {"pemerintah_provinsi", "pemerintah_kabupaten", "pemerintah_kota", "perangkat_daerah"}
)
_MAX_DEPTH = 16


def regional_government(svc: Service, rows: list[dict[str, Any]]) -> dict[str, bool]:
    """Agency id -> whether it is part of a regional government, following parents up."""
    known: dict[str, tuple[str, str | None]] = {
        r["agency"]: (r["kind"], r.get("parent")) for r in rows
    }
    for _ in range(_MAX_DEPTH):
        missing = {p for _, p in known.values() if p and p not in known}
        if not missing:
            break
        for r in svc._rows(
            select(agencies.c.agency, agencies.c.kind, agencies.c.parent).where(
                agencies.c.agency.in_(missing)
            )
        ):
            known[r["agency"]] = (r["kind"], r["parent"])
        for gone in missing - known.keys():
            known[gone] = ("", None)

    def regional(agency: str, depth: int = 0) -> bool:
        kind, parent = known.get(agency, ("", None))
        if kind in REGIONAL_KINDS:
            return True
        return parent is not None and depth < _MAX_DEPTH and regional(parent, depth + 1)

    return {r["agency"]: regional(r["agency"]) for r in rows}


def region_page(svc: Service, code: str) -> dict[str, Any] | None:
    """A province or regency/city of the official list: both codes and their source, the
    agencies located there (each marked as part of a regional government or not), and for a
    province its regencies/cities that have agencies, with counts. None for unknown codes."""
    found = svc.region(code)
    if found is None:
        return None
    rows = found["agencies"]
    regional = regional_government(svc, rows)
    counts: dict[str, int] = {}
    for row in rows:
        row["regional"] = regional[row["agency"]]
        located = row["region_kemendagri"] or ""
        row["located_in"] = _region_row(located, located) if located != code else None
        if located != code:
            counts[located] = counts.get(located, 0) + 1
    regencies = {r["kemendagri"]: r["name"] for r in found["regencies"]}
    found["regency_counts"] = [
        dict(_region_row(c, regencies.get(c, c)), count=n) for c, n in sorted(counts.items())
    ]
    found["government"] = [r for r in rows if r["regional"]]
    found["located"] = [r for r in rows if not r["regional"]]
    return dict(found)


# Every status an agency can show, in the order of the lifecycle: the two early ones of the
# agency itself, then a unit's (registry/lifecycle.py).
ALL_STATUSES = ("registered", "pact_signed", *STATUSES)


def choices(svc: Service) -> dict[str, Any]:
    """The kinds and years that occur, and every status with how many agencies have it, for
    the search form's select boxes."""
    with svc.registry.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(select(agencies.c.kind).distinct())]
        counts = {
            r[0]: int(r[1])
            for r in conn.execute(
                select(agencies.c.status, func.count()).group_by(agencies.c.status)
            )
        }
        years = [
            r[0]
            for r in conn.execute(select(func.substr(statements.c.issued_at, 1, 4)).distinct())
        ]
    extra = sorted(set(counts) - set(ALL_STATUSES))
    return {
        "kinds": sorted(kinds),
        "statuses": [*ALL_STATUSES, *extra],
        "status_counts": {s: counts.get(s, 0) for s in (*ALL_STATUSES, *extra)},
        "years": sorted(years, reverse=True),
    }


def recent(
    svc: Service, *, agency: str | None = None, region: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The newest statements, for everything, one agency, or one region (code prefix)."""
    query = (
        select(statements, agencies.c.name, agencies.c.region_kemendagri)
        .join(agencies, agencies.c.agency == statements.c.agency)
        .order_by(desc(statements.c.idx))
        .limit(limit)
    )
    if agency is not None:
        query = query.where(statements.c.agency == agency)
    if region is not None:
        query = query.where(_in_region(region))
    return [_decode(r) for r in svc._rows(query)]


def all_statements(svc: Service, page: int = 1000) -> Iterator[dict[str, Any]]:
    """Every statement in log order with its agency's name and region, paged."""
    after = -1
    while True:
        rows = svc._rows(
            select(statements, agencies.c.name, agencies.c.region_kemendagri)
            .join(agencies, agencies.c.agency == statements.c.agency)
            .where(statements.c.idx > after)
            .order_by(statements.c.idx)
            .limit(page)
        )
        if not rows:
            return
        for row in rows:
            yield _decode(row)
        after = rows[-1]["idx"]


def first_checkpoint_sizes(svc: Service, page: int = 1000) -> Iterator[int]:
    """The size of every signed checkpoint, ascending, paged."""
    after = -1
    while True:
        with svc.registry.engine.connect() as conn:
            sizes = [
                int(r[0])
                for r in conn.execute(
                    select(checkpoints.c.size)
                    .where(checkpoints.c.size > after)
                    .order_by(checkpoints.c.size)
                    .limit(page)
                )
            ]
        if not sizes:
            return
        yield from sizes
        after = sizes[-1]


def statements_with_checkpoints(svc: Service) -> Iterator[dict[str, Any]]:
    """`all_statements`, each with `checkpoint_size`: the first signed checkpoint holding it."""
    sizes = first_checkpoint_sizes(svc)
    current = next(sizes, None)
    for row in all_statements(svc):
        while current is not None and current <= row["idx"]:
            current = next(sizes, None)
        row["checkpoint_size"] = current
        yield row


def corrections(svc: Service, agency: str) -> list[dict[str, Any]]:
    """The agency's corrections and retractions, oldest first (they name what they correct)."""
    rows = svc._rows(
        select(statements)
        .where(statements.c.agency == agency)
        .where(statements.c.type.in_(CORRECTION_TYPES))
        .order_by(statements.c.idx)
    )
    return [_decode(r) for r in rows]


def key_history(svc: Service, agency: str, size: int) -> list[int]:
    """Indexes of the entries (below `size`) that grant or revoke `agency`'s keys, in order."""
    rows = svc._rows(
        select(statements.c.idx)
        .where(statements.c.agency == agency)
        .where(statements.c.type.in_(KEY_TYPES))
        .where(statements.c.idx < size)
        .order_by(statements.c.idx)
    )
    return [int(r["idx"]) for r in rows]


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in ("signers", "body", "documents"):
        if name in out and isinstance(out[name], str):
            out[name] = json.loads(out[name])
    return out
