"""Read queries of the citizens' site: search with filters, the region index, feeds, exports.

Functions take a `Service` and plain values and return plain dicts, like the `Service`
methods; they only read the `rm_*` tables of the read model (and, for proofs, the log). The
region index is derived from the agencies' own region fields (Kemendagri code `PP` or
`PP.KK` and name), so it lists exactly the provinces and regencies that have agencies.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, desc, func, or_, select, true

from registry.readmodel import agencies, statements
from registry.service import Service
from registry.storage import checkpoints

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


def regions(svc: Service) -> list[dict[str, Any]]:
    """Provinces that have agencies, each with its regencies and agency counts, by code."""
    rows = svc._rows(
        select(agencies.c.region_kemendagri, agencies.c.region_name, func.count().label("n"))
        .where(agencies.c.region_kemendagri.is_not(None))
        .group_by(agencies.c.region_kemendagri, agencies.c.region_name)
    )
    provinces: dict[str, dict[str, Any]] = {}
    for row in rows:
        code, name, n = row["region_kemendagri"], row["region_name"] or "", int(row["n"])
        prov_code = code.split(".")[0]
        prov = provinces.setdefault(
            prov_code, {"code": prov_code, "name": "", "count": 0, "regencies": {}}
        )
        prov["count"] += n
        if "." not in code:
            prov["name"] = name
            continue
        regency_name, _, province_name = name.rpartition(", ")
        if not prov["name"] and province_name and regency_name:
            prov["name"] = "Provinsi " + province_name
        regency = prov["regencies"].setdefault(
            code, {"code": code, "name": regency_name or name, "count": 0}
        )
        regency["count"] += n
    out = []
    for code in sorted(provinces):
        prov = provinces[code]
        prov["name"] = prov["name"] or code
        prov["regencies"] = [prov["regencies"][k] for k in sorted(prov["regencies"])]
        out.append(prov)
    return out


def region_name(svc: Service, code: str) -> str | None:
    for prov in regions(svc):
        if prov["code"] == code:
            return str(prov["name"])
        for regency in prov["regencies"]:
            if regency["code"] == code:
                return str(regency["name"])
    return None


def choices(svc: Service) -> dict[str, list[str]]:
    """The kinds, statuses and years that occur, for the search form's select boxes."""
    with svc.registry.engine.connect() as conn:
        kinds = [r[0] for r in conn.execute(select(agencies.c.kind).distinct())]
        status = [r[0] for r in conn.execute(select(agencies.c.status).distinct())]
        years = [
            r[0]
            for r in conn.execute(select(func.substr(statements.c.issued_at, 1, 4)).distinct())
        ]
    return {
        "kinds": sorted(kinds),
        "statuses": sorted(status),
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
