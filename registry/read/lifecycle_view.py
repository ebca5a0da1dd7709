"""The read model of the Zona Integritas lifecycle: units, steps, plans, scores and warnings.

`project_lifecycle` is called by `readmodel.project_entry` for every log entry, in the same
transaction, and reads nothing but that entry and the rows earlier entries made, so a rebuild
gives identical rows. Nothing that depends on today's date is stored: the overdue flag and the
"declaration not witnessed" warning are computed by the queries in `registry.service`. Warnings
stored here are facts about entries (posted late, after the deadline, below thresholds ...).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from events import Statement
from events.dates import parse_date
from events.regulations import REGULATIONS, enablers, missing_prerequisites, shortfalls, total
from keys.dsse import Envelope
from registry.rules import lifecycle

LATE_POSTING = timedelta(days=30)


def tables(metadata: MetaData) -> dict[str, Table]:
    """The lifecycle tables, in the read model's MetaData (one schema, one rebuild)."""
    return {
        "units": Table(
            "rm_units",
            metadata,
            Column("unit", String(64), primary_key=True),
            Column("status", String(16), nullable=False),
            Column("target", String(8)),
            Column("predicate", String(8)),
            Column("declared_on", String(10)),
            Column("declared_index", BigInteger),
            Column("declared_by", String(64)),
            Column("designated_on", String(10)),
            Column("updated_index", BigInteger, nullable=False),
        ),
        "steps": Table(
            "rm_unit_steps",
            metadata,
            Column("unit", String(64), primary_key=True),
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("step", String(16), primary_key=True),
            Column("on_date", String(10), nullable=False),
            Column("detail", Text, nullable=False),
        ),
        "plan": Table(
            "rm_plan_items",
            metadata,
            Column("unit", String(64), primary_key=True),
            Column("item", String(12), primary_key=True),
            Column("area", String(32), nullable=False),
            Column("output", Text, nullable=False),
            Column("target", Text, nullable=False),
            Column("responsible", Text, nullable=False),
            Column("evidence_expected", Text, nullable=False),
            Column("due_original", String(10), nullable=False),
            Column("due_current", String(10), nullable=False),
            Column("state", String(12), nullable=False),  # open, done, cancelled
            Column("percent", Integer, nullable=False),
            Column("reported_on", String(10)),
            Column("plan_index", BigInteger, nullable=False),
            Column("changes", Text, nullable=False),  # JSON: re-datings and cancellation
        ),
        "progress": Table(
            "rm_progress",
            metadata,
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("unit", String(64), nullable=False, index=True),
            Column("item", String(12), nullable=False),
            Column("reported_on", String(10), nullable=False),
            Column("percent", Integer, nullable=False),
            Column("state", String(12), nullable=False),
            Column("evidence", Text, nullable=False),  # JSON list of {name, sha256}
            Column("signers", Integer, nullable=False),
        ),
        "scores": Table(
            "rm_scores",
            metadata,
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("unit", String(64), nullable=False, index=True),
            Column("source", String(8), nullable=False),  # self, tpi, tpn
            Column("stage", String(16)),
            Column("by", String(64), nullable=False),
            Column("regulation", String(40), nullable=False),
            Column("target", String(8)),
            Column("year", Integer, nullable=False),
            Column("on_date", String(10), nullable=False),
            Column("total", String(8)),
            Column("enablers", String(8)),
            Column("scores", Text),
            Column("indices", Text),
            Column("outcome", String(16)),  # propose / not_propose / passed / failed
        ),
        "surveys": Table(
            "rm_surveys",
            metadata,
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("unit", String(64), nullable=False, index=True),
            Column("by", String(64), nullable=False),
            Column("survey", String(8), nullable=False),
            Column("year", Integer, nullable=False),
            Column("value", String(8), nullable=False),
            Column("method", Text, nullable=False),
            Column("sample_size", Integer, nullable=False),
        ),
        "windows": Table(
            "rm_windows",
            metadata,
            Column("year", Integer, primary_key=True, autoincrement=False),
            Column("idx", BigInteger, nullable=False),
            Column("by", String(64), nullable=False),
            Column("opens_on", String(10), nullable=False),
            Column("deadline", String(10), nullable=False),
            Column("quota", Integer, nullable=False),
            Column("regulation", String(40), nullable=False),
        ),
        "proposals": Table(
            "rm_proposals",
            metadata,
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("unit", String(64), primary_key=True),
            Column("by", String(64), nullable=False, index=True),
            Column("year", Integer, nullable=False),
            Column("target", String(8), nullable=False),
            Column("submitted_on", String(10), nullable=False),
        ),
        "warnings": Table(
            "rm_warnings",
            metadata,
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("code", String(32), primary_key=True),
            Column("subject", String(64), primary_key=True),
            Column("agency", String(64), nullable=False, index=True),
            Column("message", Text, nullable=False),
            # The same facts as JSON fields, for pages that word them in their own language.
            Column("facts", Text, nullable=False),
        ),
        "links": Table(
            "rm_links",
            metadata,
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("kind", String(12), nullable=False),  # corrected, retracted
            Column("agency", String(64), nullable=False),
            Column("target_seq", Integer, nullable=False),
            Column("target_hash", String(71), nullable=False),
            Column("target_idx", BigInteger, nullable=False, index=True),
            Column("reason", Text, nullable=False),
            Column("corrections", Text, nullable=False),
        ),
        "invalidated": Table(
            "rm_invalidated",
            metadata,
            Column("idx", BigInteger, primary_key=True, autoincrement=False),
            Column("keyid", String(48), primary_key=True),
            Column("agency", String(64), nullable=False),
            Column("revoked_index", BigInteger, nullable=False),
            Column("effective_from", String(40), nullable=False),
        ),
    }


class LifecycleProjection:
    """Writes the lifecycle rows of one entry; `t` are the tables, `core` the readmodel's."""

    def __init__(self, t: dict[str, Table], core: dict[str, Table]) -> None:
        self.t = t
        self.core = core

    def project(
        self,
        session: Session,
        index: int,
        st: Statement,
        envelope: Envelope,
        received_at: str,
    ) -> None:
        received = datetime.fromisoformat(received_at.replace("Z", "+00:00"))
        if received - st.issued_at > LATE_POSTING:
            days = (received - st.issued_at).days
            self.warn(
                session,
                index,
                "late-posting",
                st.agency,
                st.agency,
                f"issued_at {st.issued_at_text} is {days} days before the registry received it",
                issued_at=st.issued_at_text,
                days=days,
            )
        body = st.body
        handler = getattr(self, "_" + st.type.replace(".", "_"), None)
        if handler is not None:
            handler(session, index, st, envelope)
        for unit, ops in lifecycle.ops_for(st, index).items():
            self.apply_steps(session, index, unit, ops)
        if st.type == "integrity_pact.signed" and body["signatories"] * 2 < body["staff_total"]:
            self.warn(
                session,
                index,
                "pact-coverage-low",
                st.agency,
                st.agency,
                f"{body['signatories']} of {body['staff_total']} staff signed the pact "
                "(under half)",
                signatories=body["signatories"],
                staff_total=body["staff_total"],
            )

    # -- helpers ---------------------------------------------------------------------

    def warn(
        self,
        session: Session,
        index: int,
        code: str,
        agency: str,
        subject: str,
        message: str,
        **facts: Any,
    ) -> None:
        """Store a warning: an English `message` for feeds and auditors, and its `facts`."""
        session.execute(
            self.t["warnings"]
            .insert()
            .values(
                idx=index,
                code=code,
                subject=subject,
                agency=agency,
                message=message,
                facts=json.dumps(facts, sort_keys=True),
            )
        )

    def apply_steps(
        self, session: Session, index: int, unit: str, ops: list[dict[str, Any]]
    ) -> None:
        units = self.t["units"]
        row = session.execute(select(units).where(units.c.unit == unit)).first()
        # "registered" marks a unit designated before any declaration: no lifecycle status yet.
        status: str | None = (
            row.status if row is not None and row.status in lifecycle.STATUSES else None
        )
        values: dict[str, Any] = {}
        for op in ops:
            kind = op["op"]
            step = {
                "declared": "declared",
                "building": "building",
                "assessed": "assessed",
                "proposed": "proposed",
                "evaluated": "evaluated",
                "not_met": "not_met",
                "revoked": "revoked",
            }.get(kind)
            if kind == "awarded":
                step = op["predicate"].lower()
                values["predicate"] = op["predicate"]
            elif kind == "revoked":
                values["predicate"] = None
            elif kind == "declared":
                values["target"] = op["target"]
                if row is None or row.declared_on is None:
                    values.update(declared_on=op["on"], declared_index=index, declared_by=op["by"])
                if op["whole"] and (row is None or row.designated_on is None):
                    values["designated_on"] = op["on"]
            elif kind == "designated":
                values["designated_on"] = op["on"]
            if step is None:
                continue
            new = lifecycle.next_status(status, step)
            if new != status:
                detail = {k: v for k, v in op.items() if k not in ("op", "index", "ref")}
                session.execute(
                    self.t["steps"]
                    .insert()
                    .values(
                        unit=unit,
                        idx=index,
                        step=new,
                        on_date=op["on"],
                        detail=json.dumps(detail, sort_keys=True, ensure_ascii=False),
                    )
                )
                status = new
        if status is None and not values:
            return
        values.update(status=status or "registered", updated_index=index)
        if row is None:
            session.execute(units.insert().values(unit=unit, **values))
        else:
            session.execute(update(units).where(units.c.unit == unit).values(**values))
        if status is not None:
            agencies = self.core["agencies"]
            session.execute(update(agencies).where(agencies.c.agency == unit).values(status=status))

    # -- per type ----------------------------------------------------------------------

    def _action_plan_published(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        for item in st.body["items"]:
            self._add_item(session, index, st.agency, item)

    def _add_item(self, session: Session, index: int, unit: str, item: dict[str, Any]) -> None:
        session.execute(
            self.t["plan"]
            .insert()
            .values(
                unit=unit,
                item=item["id"],
                area=item["area"],
                output=item["output"],
                target=item["target"],
                responsible=item["responsible"],
                evidence_expected=item["evidence"],
                due_original=item["due"],
                due_current=item["due"],
                state="open",
                percent=0,
                plan_index=index,
                changes="[]",
            )
        )

    def _item(self, session: Session, unit: str, item: str) -> Any:
        plan = self.t["plan"]
        where = and_(plan.c.unit == unit, plan.c.item == item)
        return where, session.execute(select(plan).where(where)).one()

    def _action_plan_revised(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        plan = self.t["plan"]
        body = st.body
        for change in body["redated"]:
            where, row = self._item(session, st.agency, change["item"])
            changes = json.loads(row.changes) + [
                {
                    "idx": index,
                    "due": change["due"],
                    "reason": change["reason"],
                    "on": body["revised_on"],
                }
            ]
            session.execute(
                update(plan)
                .where(where)
                .values(due_current=change["due"], changes=json.dumps(changes, ensure_ascii=False))
            )
        for change in body["cancelled"]:
            where, row = self._item(session, st.agency, change["item"])
            changes = json.loads(row.changes) + [
                {
                    "idx": index,
                    "cancelled": True,
                    "reason": change["reason"],
                    "on": body["revised_on"],
                }
            ]
            session.execute(
                update(plan)
                .where(where)
                .values(state="cancelled", changes=json.dumps(changes, ensure_ascii=False))
            )
        for item in body["added"]:
            self._add_item(session, index, st.agency, item)

    def _action_item_progress_reported(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        body = st.body
        session.execute(
            self.t["progress"]
            .insert()
            .values(
                idx=index,
                unit=st.agency,
                item=body["item"],
                reported_on=body["reported_on"],
                percent=body["percent"],
                state=body["status"],
                evidence=json.dumps(
                    [{"name": d.name, "sha256": d.sha256} for d in st.documents],
                    ensure_ascii=False,
                ),
                signers=len(envelope.signatures),
            )
        )
        where, row = self._item(session, st.agency, body["item"])
        session.execute(
            update(self.t["plan"])
            .where(where)
            .values(
                percent=body["percent"],
                reported_on=body["reported_on"],
                state="done" if body["status"] == "done" else row.state,
            )
        )

    def _scores(
        self,
        session: Session,
        index: int,
        st: Statement,
        source: str,
        unit: str,
        on: str,
        stage: str | None = None,
        outcome: str | None = None,
    ) -> None:
        body = st.body
        scores = body.get("scores")
        session.execute(
            self.t["scores"]
            .insert()
            .values(
                idx=index,
                unit=unit,
                source=source,
                stage=stage,
                by=st.agency,
                regulation=body["regulation"],
                target=body.get("target"),
                year=body["year"],
                on_date=on,
                total=str(total(scores)) if scores else None,
                enablers=str(enablers(scores)) if scores else None,
                scores=json.dumps(scores, sort_keys=True) if scores else None,
                indices=json.dumps(body["indices"], sort_keys=True) if "indices" in body else None,
                outcome=outcome,
            )
        )

    def _self_assessment_submitted(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        self._scores(session, index, st, "self", st.agency, st.body["assessed_on"])

    def _internal_evaluation_completed(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        body = st.body
        self._scores(
            session,
            index,
            st,
            "tpi",
            body["unit"],
            body["evaluated_on"],
            outcome=body["recommendation"],
        )

    def _national_evaluation_recorded(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        body = st.body
        self._scores(
            session,
            index,
            st,
            "tpn",
            body["unit"],
            body["evaluated_on"],
            stage=body["stage"],
            outcome="passed" if body["passed"] else "failed",
        )

    def _survey_published(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        body = st.body
        session.execute(
            self.t["surveys"]
            .insert()
            .values(
                idx=index,
                unit=body["unit"],
                by=st.agency,
                survey=body["survey"],
                year=body["year"],
                value=body["index"],
                method=body["method"],
                sample_size=body["sample_size"],
            )
        )

    def _submission_window_announced(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        body = st.body
        session.execute(
            self.t["windows"]
            .insert()
            .values(
                year=body["year"],
                idx=index,
                by=st.agency,
                opens_on=body["opens_on"],
                deadline=body["deadline"],
                quota=body["quota_per_agency"],
                regulation=body["regulation"],
            )
        )

    def _proposal_submitted(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        body = st.body
        year = body["year"]
        window = session.execute(
            select(self.t["windows"]).where(self.t["windows"].c.year == year)
        ).first()
        reg = REGULATIONS[body["regulation"]]
        deadline = window.deadline if window else f"{year}-{reg.default_deadline}"
        if parse_date(body["submitted_on"]) > parse_date(deadline):
            source = "the TPN's window" if window else f"{reg.id}'s default"
            self.warn(
                session,
                index,
                "deadline-missed",
                st.agency,
                st.agency,
                f"proposed on {body['submitted_on']}, after the {year} deadline {deadline} "
                f"({source})",
                submitted_on=body["submitted_on"],
                year=year,
                deadline=deadline,
            )
        proposals = self.t["proposals"]
        for unit in body["units"]:
            session.execute(
                proposals.insert().values(
                    idx=index,
                    unit=unit["unit"],
                    by=st.agency,
                    year=year,
                    target=unit["target"],
                    submitted_on=body["submitted_on"],
                )
            )
        if window is not None:
            count = session.execute(
                select(func.count())
                .select_from(proposals)
                .where(and_(proposals.c.by == st.agency, proposals.c.year == year))
            ).scalar_one()
            if count > window.quota:
                self.warn(
                    session,
                    index,
                    "over-quota",
                    st.agency,
                    st.agency,
                    f"{count} units proposed for {year}, over the quota of {window.quota}",
                    count=count,
                    year=year,
                    quota=window.quota,
                )
        for unit in body["units"]:
            missing = missing_prerequisites(reg.id, unit["target"], body["prerequisites"])
            if missing:
                self.warn(
                    session,
                    index,
                    "prerequisites-missing",
                    st.agency,
                    unit["unit"],
                    f"{unit['unit']} ({unit['target']}): " + "; ".join(map(str, missing)),
                    unit=unit["unit"],
                    target=unit["target"],
                    gaps=[gap[:3] for gap in missing],
                )

    def _predicate_awarded(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        body = st.body
        scores = self.t["scores"]
        latest = None
        for source in ("tpn", "tpi"):
            latest = session.execute(
                select(scores)
                .where(
                    and_(
                        scores.c.unit == body["unit"],
                        scores.c.source == source,
                        scores.c.scores.is_not(None),
                    )
                )
                .order_by(scores.c.idx.desc())
                .limit(1)
            ).first()
            if latest is not None:
                break
        if latest is None:
            self.warn(
                session,
                index,
                "below-thresholds",
                st.agency,
                body["unit"],
                f"{body['predicate']} awarded to {body['unit']} with no TPN or TPI scores "
                "in the log",
                predicate=body["predicate"],
                unit=body["unit"],
            )
            return
        short = shortfalls(
            body["regulation"],
            body["predicate"],
            json.loads(latest.scores),
            json.loads(latest.indices) if latest.indices else None,
        )
        if short:
            self.warn(
                session,
                index,
                "below-thresholds",
                st.agency,
                body["unit"],
                f"{body['predicate']} awarded to {body['unit']} below the {body['regulation']} "
                f"thresholds ({latest.source.upper()} scores of entry {latest.idx}): "
                + "; ".join(map(str, short)),
                predicate=body["predicate"],
                unit=body["unit"],
                regulation=body["regulation"],
                source=latest.source,
                scored_in=latest.idx,
                gaps=[gap[:3] for gap in short],
            )

    def _key_revoked(self, session: Session, index: int, st: Statement, envelope: Envelope) -> None:
        keyid = st.body["keyid"]
        start = datetime.fromisoformat(st.body["effective_from"])
        statements = self.core["statements"]
        rows = session.execute(
            select(statements.c.idx, statements.c.issued_at, statements.c.agency).where(
                and_(statements.c.signers.like(f'%"{keyid}"%'), statements.c.idx < index)
            )
        ).all()
        for row in rows:
            if datetime.fromisoformat(row.issued_at) >= start:
                session.execute(
                    self.t["invalidated"]
                    .insert()
                    .values(
                        idx=row.idx,
                        keyid=keyid,
                        agency=row.agency,
                        revoked_index=index,
                        effective_from=st.body["effective_from"],
                    )
                )
                self.warn(
                    session,
                    row.idx,
                    "signed-by-revoked-key",
                    row.agency,
                    keyid,
                    f"signed by {keyid} after {st.body['effective_from']}, the moment from "
                    f"which entry {index} revoked it",
                    keyid=keyid,
                    effective_from=st.body["effective_from"],
                    revoked_by=index,
                )

    def _link(self, session: Session, index: int, st: Statement, kind: str) -> None:
        body = st.body
        statements = self.core["statements"]
        target_idx = session.execute(
            select(statements.c.idx).where(statements.c.hash == body["target"]["hash"])
        ).scalar_one()
        session.execute(
            self.t["links"]
            .insert()
            .values(
                idx=index,
                kind=kind,
                agency=st.agency,
                target_seq=body["target"]["seq"],
                target_hash=body["target"]["hash"],
                target_idx=target_idx,
                reason=body["reason"],
                corrections=json.dumps(body.get("corrections", []), ensure_ascii=False),
            )
        )

    def _statement_corrected(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        self._link(session, index, st, "corrected")

    def _statement_retracted(
        self, session: Session, index: int, st: Statement, envelope: Envelope
    ) -> None:
        self._link(session, index, st, "retracted")
