"""Read queries of the site and API over the read model: agencies, statements, timelines.

One convention for every query in `registry.read`: a SQLAlchemy `Connection` and plain values
in, plain dicts (or lists of them) out; the web layer opens one connection per request. An
agency's timeline is every entry about it, whoever signed it (`rm_subjects`), so the TPN's
award and revocation of a unit are on the unit's page and in its feed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import Connection, and_, desc, func, or_, select

from registry.read.tables import (
    agencies,
    counts,
    declarations,
    documents,
    invalidated,
    keys,
    links,
    statements,
    subjects,
    witnesses,
)
from registry.write.storage import checkpoints as checkpoints_table

PER_PAGE = 50


def rows(db: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in db.execute(query)]


def decode(row: dict[str, Any]) -> dict[str, Any]:
    """A statement row with its JSON columns decoded."""
    out = dict(row)
    for name in ("signers", "body", "documents"):
        if isinstance(out.get(name), str):
            out[name] = json.loads(out[name])
    return out


def count(db: Connection, table: Any, *where: Any) -> int:
    return int(db.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def in_region(code: str) -> Any:
    """Agencies located in the region `code` (a province takes its regencies too): an index
    range, "PP" to "PP.\U0010ffff"."""
    column = agencies.c.region_kemendagri
    return and_(column >= code, column <= code + ".\U0010ffff")


def counted(db: Connection, prefix: str) -> dict[str, int]:
    """The projection's counts whose names start with `prefix` (a range of the key)."""
    query = select(counts.c.name, counts.c.value).where(
        counts.c.name >= prefix, counts.c.name < prefix + "\U0010ffff"
    )
    return {r.name[len(prefix) :]: int(r.value) for r in db.execute(query)}


def stats(db: Connection, size: int) -> dict[str, int]:
    """The home page's numbers: kept by the projection, never counted per view."""
    names = ("agencies", "declarations", "witnessed")
    found = {
        r.name: int(r.value) for r in db.execute(select(counts).where(counts.c.name.in_(names)))
    }
    return {"entries": size, **{n: found.get(n, 0) for n in names}}


def demo_statements(db: Connection) -> int:
    """How many statements say `"demo": true` (a count the projection keeps)."""
    value = db.execute(select(counts.c.value).where(counts.c.name == "demo")).scalar()
    return int(value or 0)


def agency_names(db: Connection, ids: Iterable[str]) -> dict[str, str]:
    """id -> name of the registered agencies among `ids` (by primary key)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    # Whole rows: PostgreSQL then looks them up by the primary key, not by a covering scan
    # of the (name, agency) index.
    query = select(agencies).where(agencies.c.agency.in_(wanted))
    return {r.agency: r.name for r in db.execute(query)}


def latest(db: Connection, limit: int = 10) -> list[dict[str, Any]]:
    query = (
        select(statements, agencies.c.name, agencies.c.region_kemendagri)
        .join(agencies, agencies.c.agency == statements.c.agency)
        .order_by(desc(statements.c.idx))
        .limit(limit)
    )
    return [decode(r) for r in rows(db, query)]


def find_agencies(db: Connection, q: str = "", limit: int = 200) -> list[dict[str, Any]]:
    query = select(agencies).order_by(agencies.c.name).limit(limit)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(func.lower(agencies.c.name).like(like), agencies.c.agency.like(like))
        )
    return rows(db, query)


def agency(db: Connection, agency_id: str) -> dict[str, Any] | None:
    """An agency's profile, keys, units, and the witnesses who attested its declarations."""
    found = rows(db, select(agencies).where(agencies.c.agency == agency_id))
    if not found:
        return None
    out = found[0]
    out["keys"] = rows(
        db, select(keys).where(keys.c.agency == agency_id).order_by(keys.c.added_index)
    )
    out["children"] = rows(
        db,
        select(agencies.c.agency, agencies.c.name)
        .where(agencies.c.parent == agency_id)
        .order_by(agencies.c.name),
    )
    out["claimed"] = [
        {"name": name, "idx": r["idx"]}
        for r in rows(
            db,
            select(declarations)
            .where(declarations.c.agency == agency_id)
            .order_by(declarations.c.idx),
        )
        for name in json.loads(r["claimed"])
    ]
    out["witnessed_by"] = rows(
        db,
        select(witnesses.c.witness, witnesses.c.idx, agencies.c.name)
        .join(agencies, agencies.c.agency == witnesses.c.witness)
        .where(witnesses.c.declared_by == agency_id)
        .order_by(witnesses.c.idx),
    )
    # A witness who attested is shown as such, not again as "only named" by the declarer.
    attested = {_plain_name(w["name"]) for w in out["witnessed_by"]}
    out["claimed"] = [c for c in out["claimed"] if _plain_name(c["name"]) not in attested]
    return out


def _plain_name(name: str) -> str:
    return " ".join(name.lower().split())


def timeline(
    db: Connection, agency_id: str, page: int = 1, per_page: int = PER_PAGE
) -> dict[str, Any]:
    """One page of every entry about the agency, oldest first, with each signer's name."""
    total = count(db, subjects, subjects.c.subject == agency_id)
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page), pages)
    query = (
        select(statements, agencies.c.name)
        .join(subjects, subjects.c.idx == statements.c.idx)
        .join(agencies, agencies.c.agency == statements.c.agency)
        .where(subjects.c.subject == agency_id)
        .order_by(statements.c.idx)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return {
        "rows": [decode(r) for r in rows(db, query)],
        "page": page,
        "pages": pages,
        "total": total,
    }


def statement(db: Connection, index: int) -> dict[str, Any] | None:
    query = (
        select(statements, agencies.c.name, agencies.c.region_kemendagri)
        .join(agencies, agencies.c.agency == statements.c.agency)
        .where(statements.c.idx == index)
    )
    found = rows(db, query)
    return decode(found[0]) if found else None


def statement_by_hash(db: Connection, ref: str) -> dict[str, Any] | None:
    found = rows(db, select(statements).where(statements.c.hash == ref))
    return decode(found[0]) if found else None


def statements_at(db: Connection, indexes: Iterable[int]) -> dict[int, dict[str, Any]]:
    """The statements at these entries, by index."""
    wanted = sorted(set(indexes))
    if not wanted:
        return {}
    return {
        r["idx"]: decode(r)
        for r in rows(db, select(statements).where(statements.c.idx.in_(wanted)))
    }


def documents_with_hash(db: Connection, sha256: str) -> list[dict[str, Any]]:
    query = (
        select(
            documents,
            statements.c.agency,
            statements.c.type,
            statements.c.issued_at,
            agencies.c.name.label("agency_name"),
        )
        .join(statements, statements.c.idx == documents.c.idx)
        .join(agencies, agencies.c.agency == statements.c.agency)
        .where(documents.c.sha256 == sha256)
        .order_by(documents.c.idx)
    )
    return rows(db, query)


def key_holders(db: Connection, keyids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The key rows of these key ids (who holds each, in which agency and role)."""
    wanted = sorted(set(keyids))
    if not wanted:
        return {}
    return {r["keyid"]: r for r in rows(db, select(keys).where(keys.c.keyid.in_(wanted)))}


def key_history(db: Connection, agency_id: str, size: int) -> list[int]:
    """Indexes of the entries (below `size`) that granted or revoked `agency`'s keys, in order."""
    found = rows(
        db, select(keys.c.added_index, keys.c.revoked_index).where(keys.c.agency == agency_id)
    )
    indexes = {r["added_index"] for r in found} | {r["revoked_index"] for r in found}
    return sorted(i for i in indexes if i is not None and i < size)


def links_of(db: Connection, index: int) -> dict[str, Any]:
    """The corrections and retractions of entry `index` both ways, and its invalidation: the
    one source of "corrected by" and "corrects" on every page."""
    corrects = rows(db, select(links).where(links.c.idx == index))
    return {
        "corrects": _link(corrects[0]) if corrects else None,
        "corrected_by": [
            _link(r)
            for r in rows(
                db, select(links).where(links.c.target_idx == index).order_by(links.c.idx)
            )
        ],
        "invalidated": rows(db, select(invalidated).where(invalidated.c.idx == index)),
    }


def links_into(db: Connection, indexes: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """For each of these entries, the corrections and retractions that point at it."""
    wanted = sorted(set(indexes))
    out: dict[int, list[dict[str, Any]]] = {}
    if wanted:
        query = select(links).where(links.c.target_idx.in_(wanted)).order_by(links.c.idx)
        for r in rows(db, query):
            out.setdefault(r["target_idx"], []).append(_link(r))
    return out


def _link(row: dict[str, Any]) -> dict[str, Any]:
    return dict(row, corrections=json.loads(row["corrections"]))


def recent(
    db: Connection, *, agency_id: str | None = None, region: str | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The newest statements: everything, everything about one agency, or about the agencies
    of one region, whoever signed them (driven by `rm_subjects`, newest first)."""
    columns = (statements, agencies.c.name, agencies.c.region_kemendagri)
    if agency_id is None and region is None:
        query = select(*columns).order_by(desc(statements.c.idx))
    else:
        if agency_id is not None:
            about = subjects.c.subject == agency_id
        else:
            located = select(agencies.c.agency).where(in_region(region or ""))
            about = subjects.c.subject.in_(located)
        newest = (
            select(subjects.c.idx).where(about).distinct().order_by(desc(subjects.c.idx))
        ).limit(limit)
        query = (
            select(*columns)
            .where(statements.c.idx.in_(newest.scalar_subquery()))
            .order_by(desc(statements.c.idx))
        )
    query = query.join(agencies, agencies.c.agency == statements.c.agency).limit(limit)
    return [decode(r) for r in rows(db, query)]


def all_statements(db: Connection, page: int = 1000) -> Iterator[dict[str, Any]]:
    """Every statement in log order with its agency's name and region, paged."""
    after = -1
    while True:
        found = rows(
            db,
            select(statements, agencies.c.name, agencies.c.region_kemendagri)
            .join(agencies, agencies.c.agency == statements.c.agency)
            .where(statements.c.idx > after)
            .order_by(statements.c.idx)
            .limit(page),
        )
        if not found:
            return
        for row in found:
            yield decode(row)
        after = found[-1]["idx"]


def statements_with_checkpoints(db: Connection) -> Iterator[dict[str, Any]]:
    """`all_statements`, each with `checkpoint_size`: the first signed checkpoint holding it."""
    sizes = _checkpoint_sizes(db)
    current = next(sizes, None)
    for row in all_statements(db):
        while current is not None and current <= row["idx"]:
            current = next(sizes, None)
        row["checkpoint_size"] = current
        yield row


def _checkpoint_sizes(db: Connection, page: int = 1000) -> Iterator[int]:
    after = -1
    while True:
        sizes = [
            int(r[0])
            for r in db.execute(
                select(checkpoints_table.c.size)
                .where(checkpoints_table.c.size > after)
                .order_by(checkpoints_table.c.size)
                .limit(page)
            )
        ]
        if not sizes:
            return
        yield from sizes
        after = sizes[-1]


def newest_checkpoint(db: Connection) -> dict[str, Any] | None:
    """The largest signed checkpoint: its size, its note's root hash and how many witnesses
    cosigned it (by the primary key, newest first)."""
    query = select(checkpoints_table).order_by(desc(checkpoints_table.c.size)).limit(1)
    found = db.execute(query).first()
    if found is None:
        return None
    lines = found.note.split("\n")
    root = lines[2] if len(lines) > 2 else ""
    return {"size": int(found.size), "root": root, "cosigners": int(found.cosigners or 0)}


def log_page(db: Connection, before: int, per_page: int = PER_PAGE) -> list[dict[str, Any]]:
    """The entries just below `before`, newest first (a range of the primary key), with their
    agencies' names (looked up by key, so no join can turn into a scan of the agencies)."""
    query = (
        select(statements)
        .where(statements.c.idx < before, statements.c.idx >= before - per_page)
        .order_by(desc(statements.c.idx))
    )
    found = [decode(r) for r in rows(db, query)]
    names = agency_names(db, (r["agency"] for r in found))
    return [dict(r, name=names.get(r["agency"], r["agency"])) for r in found]
