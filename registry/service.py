"""One running registry: the application, its read model, and the queries the site needs.

`open_service(instance)` wires the `Registry` to its `Projector` (the read model catches up
after every append, under the same lock) and offers read queries over the `rm_*` tables, so
the web layer never writes SQL. Queries take and return plain dicts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import desc, func, or_, select

from events import catalog_json
from registry.read import lifecycle_queries
from registry.read.projector import Projector, agencies, documents, keys, statements, witnesses
from registry.write.app import Registry
from registry.write.instance import Instance
from registry.write.witnessing import Witnessing


@dataclass
class Service:
    registry: Registry
    projector: Projector
    witnessing: Witnessing | None = None

    @property
    def instance(self) -> Instance:
        return self.registry.instance

    def published_checkpoint(self) -> str | None:
        """The newest checkpoint that meets the witness policy (k-of-n cosignatures)."""
        return self.registry.checkpoint(quorum=self.instance.witness_quorum)

    def close(self) -> None:
        self.registry.close()
        self.registry.engine.dispose()

    # -- queries over the read model -------------------------------------------------------

    def _rows(self, query: Any) -> list[dict[str, Any]]:
        with self.registry.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(query)]

    def stats(self) -> dict[str, int]:
        with self.registry.engine.connect() as conn:
            count = select(func.count())
            return {
                "entries": self.registry.size(),
                "agencies": int(conn.execute(count.select_from(agencies)).scalar_one()),
                "declarations": int(
                    conn.execute(
                        count.select_from(statements).where(statements.c.type == "zi.declared")
                    ).scalar_one()
                ),
                "witnessed": int(conn.execute(count.select_from(witnesses)).scalar_one()),
            }

    def latest(self, limit: int = 10) -> list[dict[str, Any]]:
        query = (
            select(statements, agencies.c.name)
            .join(agencies, agencies.c.agency == statements.c.agency)
            .order_by(desc(statements.c.idx))
            .limit(limit)
        )
        return [_decode(r) for r in self._rows(query)]

    def agencies(self, q: str = "") -> list[dict[str, Any]]:
        query = select(agencies).order_by(agencies.c.name)
        if q:
            like = f"%{q.lower()}%"
            query = query.where(
                or_(func.lower(agencies.c.name).like(like), agencies.c.agency.like(like))
            )
        return self._rows(query)

    def agency(self, agency: str) -> dict[str, Any] | None:
        rows = self._rows(select(agencies).where(agencies.c.agency == agency))
        if not rows:
            return None
        found = rows[0]
        found["chain"] = [
            _decode(r)
            for r in self._rows(
                select(statements).where(statements.c.agency == agency).order_by(statements.c.seq)
            )
        ]
        found["keys"] = self._rows(
            select(keys).where(keys.c.agency == agency).order_by(keys.c.added_index)
        )
        found["children"] = self._rows(
            select(agencies.c.agency, agencies.c.name).where(agencies.c.parent == agency)
        )
        found["witnessed_by"] = self._rows(
            select(witnesses.c.witness, witnesses.c.idx, agencies.c.name)
            .join(agencies, agencies.c.agency == witnesses.c.witness)
            .where(witnesses.c.declared_by == agency)
        )
        return found

    def statement(self, index: int) -> dict[str, Any] | None:
        rows = self._rows(select(statements).where(statements.c.idx == index))
        return _decode(rows[0]) if rows else None

    def statement_by_hash(self, ref: str) -> dict[str, Any] | None:
        rows = self._rows(select(statements).where(statements.c.hash == ref))
        return _decode(rows[0]) if rows else None

    def documents(self, sha256: str) -> list[dict[str, Any]]:
        query = (
            select(documents, statements.c.agency, statements.c.type)
            .join(statements, statements.c.idx == documents.c.idx)
            .where(documents.c.sha256 == sha256)
            .order_by(documents.c.idx)
        )
        return self._rows(query)

    def key_names(self) -> dict[str, dict[str, Any]]:
        return {r["keyid"]: r for r in self._rows(select(keys))}

    # -- the Zona Integritas lifecycle (registry/lifecycle_queries.py) --------------------

    def unit_status(self, unit: str) -> dict[str, Any] | None:
        return lifecycle_queries.unit_status(self.registry.engine, unit)

    def action_plan(self, unit: str, today: date | None = None) -> dict[str, Any]:
        return lifecycle_queries.action_plan(self.registry.engine, unit, today)

    def scores(self, unit: str) -> dict[str, Any]:
        return lifecycle_queries.scores_side_by_side(self.registry.engine, unit)

    def warnings(
        self, agency: str | None = None, limit: int = 200, today: date | None = None
    ) -> list[dict[str, Any]]:
        return lifecycle_queries.warnings(
            self.registry.engine, agency=agency, limit=limit, today=today
        )

    def links(self, index: int) -> dict[str, Any]:
        return lifecycle_queries.links_of(self.registry.engine, index)

    def invalidated(self) -> list[dict[str, Any]]:
        return lifecycle_queries.invalidated(self.registry.engine)

    def region(self, code: str, today: date | None = None) -> dict[str, Any] | None:
        return lifecycle_queries.region_page(self.registry.engine, code, today)

    def regions(self) -> list[dict[str, Any]]:
        return lifecycle_queries.regions_index(self.registry.engine)

    @staticmethod
    def catalog() -> dict[str, Any]:
        """The statement catalog with one example per type (/api/v1/catalog, docs/catalog.md)."""
        return catalog_json()


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in ("signers", "body", "documents"):
        if name in out:
            out[name] = json.loads(out[name])
    return out


def open_service(
    instance: Instance,
    *,
    create_tables: bool = True,
    clock: Callable[[], datetime] | None = None,
) -> Service:
    registry = Registry(instance, create_tables=create_tables, clock=clock)
    projector = Projector(registry, registry.lock)
    if create_tables:
        projector.create_tables()
    registry.in_transaction.append(projector.project_pending)
    witnessing = None
    if instance.witnesses:
        witnessing = Witnessing(registry, instance.witnesses, instance.witness_quorum)
        registry.after_append.append(witnessing.cosign_latest)
    projector.catch_up()
    return Service(registry, projector, witnessing)
