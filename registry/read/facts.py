"""The rules' `Facts`, answered from the read model's tables inside the append's transaction.

The same records the auditor keeps in memory (`registry.rules.facts.MemoryFacts`) are rows
here: windows, proposals, scores and signatures. The rows of an append are written at its
end, so `BatchFacts` answers from the tables and, for the batch's own earlier statements,
from a `MemoryFacts` of their records. A test rebuilds the read model with `MemoryFacts` only
and requires identical rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from registry.read import tables as t
from registry.rules.facts import MemoryFacts
from registry.rules.records import Score, Signature, Window


class SqlFacts:
    def __init__(self, session: Session) -> None:
        self.session = session

    def window(self, year: int) -> Window | None:
        w = t.windows
        query = select(w).where(w.c.year == year).order_by(w.c.idx).limit(1)
        row = self.session.execute(query).first()
        if row is None:
            return None
        return Window(
            row.idx, row.by, row.year, row.opens_on, row.deadline, row.quota, row.regulation
        )

    def proposals(self, agency: str, year: int) -> int:
        p = t.proposals
        count = select(func.count()).select_from(p).where(and_(p.c.by == agency, p.c.year == year))
        return int(self.session.execute(count).scalar_one())

    def latest_scores(self, unit: str) -> Score | None:
        return self.latest_source(unit, "tpn") or self.latest_source(unit, "tpi")

    def latest_source(self, unit: str, source: str) -> Score | None:
        """The unit's latest scores from one source (tpn, tpi), if any."""
        s = t.scores
        row = self.session.execute(
            select(s)
            .where(and_(s.c.unit == unit, s.c.source == source, s.c.scores.is_not(None)))
            .order_by(s.c.idx.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return Score(
            row.idx,
            row.unit,
            row.source,
            row.by,
            row.regulation,
            row.target,
            row.year,
            row.on_date,
            json.loads(row.scores),
            json.loads(row.indices) if row.indices else None,
            row.stage,
            row.outcome,
        )

    def signatures(self, keyid: str) -> Sequence[Signature]:
        s = t.signatures
        rows = self.session.execute(select(s).where(s.c.keyid == keyid).order_by(s.c.idx))
        return [
            Signature(r.idx, r.agency, r.keyid, r.owner, datetime.fromisoformat(r.issued_at))
            for r in rows
        ]


class BatchFacts:
    """The tables' facts, then those of the statements appended earlier in this batch."""

    def __init__(self, stored: SqlFacts, batch: MemoryFacts) -> None:
        self.stored = stored
        self.batch = batch

    def window(self, year: int) -> Window | None:
        return self.stored.window(year) or self.batch.window(year)

    def proposals(self, agency: str, year: int) -> int:
        return self.stored.proposals(agency, year) + self.batch.proposals(agency, year)

    def latest_scores(self, unit: str) -> Score | None:
        for source in ("tpn", "tpi"):
            found = self.batch.scores.get((unit, source)) or self.stored.latest_source(unit, source)
            if found is not None:
                return found
        return None

    def signatures(self, keyid: str) -> Sequence[Signature]:
        return [*self.stored.signatures(keyid), *self.batch.signatures(keyid)]
