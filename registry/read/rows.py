"""The rows of one accepted statement, written from the append's memory into the read model.

`write(session, appended)` stores what the rules already computed (registry/rules/replay.py):
the statement, the state of every agency it changed (status, keys, unit, plan items), the
status transitions, its records (one table per record kind), warnings and invalidations, and
the agencies it is about. It parses nothing and decides nothing: there is no state machine
here, only copies of the rules' output.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlalchemy import and_, update
from sqlalchemy.orm import Session

from events.regulations import enablers, total
from registry.read import tables as t
from registry.rules import records as r
from registry.rules.changes import Advanced, Built
from registry.rules.state import AgencyHead, agency_status
from registry.write.app import Appended


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def write(session: Session, appended: Appended) -> None:
    o = appended.outcome
    st, idx = o.statement, o.index
    session.execute(
        t.statements.insert().values(
            idx=idx,
            agency=st.agency,
            seq=st.seq,
            type=st.type,
            hash=st.hash,
            issued_at=st.issued_at_text,
            received_at=appended.received_at,
            signers=json.dumps([s.keyid for s in appended.envelope.signatures]),
            body=_json(st.body),
            documents=_json([d.__dict__ for d in st.documents]),
        )
    )
    # One row per document hash: a statement may list the same file twice.
    docs = {d.sha256: d for d in reversed(st.documents)}
    _insert(
        session,
        t.documents,
        [
            {"sha256": d.sha256, "idx": idx, "name": d.name, "media_type": d.media_type}
            for d in reversed(docs.values())
        ],
    )
    _insert(session, t.subjects, [{"subject": s, "idx": idx} for s in o.subjects])
    _insert(
        session,
        t.signatures,
        [
            {
                "keyid": s.keyid,
                "idx": idx,
                "agency": s.agency,
                "owner": s.owner,
                "issued_at": s.issued_at.isoformat(),
            }
            for s in {s.keyid: s for s in o.signatures}.values()
        ],
    )
    for agency, effect in o.effects:
        head = o.heads[agency]
        if isinstance(effect, Advanced):
            _keys(session, head, effect)
        _agency(
            session, head, registering=isinstance(effect, Advanced) and effect.profile is not None
        )
        if effect.lifecycle:
            _unit(session, head, idx)
        for change in effect.lifecycle:
            if isinstance(change, Built):
                _plan_state(session, head, change)
    _insert(
        session,
        t.steps,
        [
            {
                "unit": m.unit,
                "idx": m.index,
                "step": m.step,
                "on_date": m.on,
                "detail": _json(m.detail),
            }
            for m in o.transitions
        ],
    )
    for record in o.records:
        _RECORDS[type(record)](session, record, o.heads)
    _insert(
        session,
        t.warnings,
        [
            {
                "idx": w.index,
                "code": w.code,
                "subject": w.subject,
                "agency": w.agency,
                "message": w.message,
                "facts": _json(dict(w.facts)),
            }
            for w in o.warnings
        ],
    )
    _insert(
        session,
        t.invalidated,
        [asdict(v) | {"idx": v.index} for v in o.invalidated],
        drop=("index",),
    )


def _insert(
    session: Session, table: Any, rows: list[dict[str, Any]], drop: tuple[str, ...] = ()
) -> None:
    if rows:
        session.execute(
            table.insert(), [{k: v for k, v in row.items() if k not in drop} for row in rows]
        )


def _keys(session: Session, head: AgencyHead, effect: Advanced) -> None:
    _insert(
        session,
        t.keys,
        [
            {
                "keyid": k.keyid,
                "agency": head.agency,
                "role": k.role,
                "holder": k.holder,
                "public_key": k.public_key,
                "valid_from": k.valid_from,
                "added_index": effect.index,
            }
            for k in effect.keys_added
        ],
    )
    for k in effect.keys_revoked:
        session.execute(
            update(t.keys)
            .where(t.keys.c.keyid == k.keyid)
            .values(revoked_from=k.effective_from, revoked_index=effect.index)
        )


def _agency(session: Session, head: AgencyHead, *, registering: bool) -> None:
    lc = head.lifecycle
    values = {
        "head_seq": head.seq,
        "head_hash": head.hash,
        "head_index": head.index,
        "status": agency_status(head),
        "target": lc.target,
        "declared_on": lc.declared.on if lc.declared else None,
        "statements": head.seq + 1,
    }
    if not registering:
        session.execute(update(t.agencies).where(t.agencies.c.agency == head.agency).values(values))
        return
    region = head.region or {}
    session.execute(
        t.agencies.insert().values(
            agency=head.agency,
            name=head.name,
            kind=head.kind,
            parent=head.parent,
            region_kemendagri=region.get("kemendagri"),
            region_bps=region.get("bps"),
            region_name=region.get("name"),
            registered_index=head.index,
            **values,
        )
    )


def _unit(session: Session, head: AgencyHead, idx: int) -> None:
    """The unit row of an agency that has taken a lifecycle step (designated or declared)."""
    lc = head.lifecycle
    if lc.status is None and lc.declared is None and lc.designated is None:
        return
    values = {
        # "registered": designated before any declaration, no lifecycle status yet.
        "status": lc.status or "registered",
        "target": lc.target,
        "predicate": lc.predicate.predicate if lc.predicate else None,
        "declared_on": lc.declared.on if lc.declared else None,
        "declared_index": lc.declared.index if lc.declared else None,
        "declared_by": lc.declared.by if lc.declared else None,
        "designated_on": lc.designated.on if lc.designated else None,
        "updated_index": idx,
    }
    done = session.execute(update(t.units).where(t.units.c.unit == head.agency).values(values))
    if not done.rowcount:  # type: ignore[attr-defined]
        session.execute(t.units.insert().values(unit=head.agency, **values))


def _plan_state(session: Session, head: AgencyHead, change: Built) -> None:
    """Items whose due date or state the rules changed take their new state."""
    touched = {*(change.redate or {}), *(change.cancel or ()), *(change.done or ())}
    for item in sorted(touched):
        state = head.lifecycle.plan[item]
        where = and_(t.plan.c.unit == head.agency, t.plan.c.item == item)
        session.execute(
            update(t.plan).where(where).values(due_current=state.due, state=state.state)
        )


# -- records, one table each -----------------------------------------------------------------

Heads = dict[str, AgencyHead] | Any


def _item(session: Session, rec: r.PlanItemAdded, heads: Heads) -> None:
    session.execute(
        t.plan.insert().values(
            unit=rec.subject,
            item=rec.item,
            area=rec.area,
            output=rec.output,
            target=rec.target,
            responsible=rec.responsible,
            evidence_expected=rec.evidence,
            due_original=rec.due,
            due_current=rec.due,
            state="open",
            percent=0,
            plan_index=rec.index,
        )
    )


def _item_changed(session: Session, rec: r.PlanItemChanged, heads: Heads) -> None:
    session.execute(
        t.plan_changes.insert().values(
            unit=rec.subject,
            item=rec.item,
            idx=rec.index,
            on_date=rec.on,
            due=rec.due,
            cancelled=int(rec.cancelled),
            reason=rec.reason,
        )
    )


def _progress(session: Session, rec: r.Progress, heads: Heads) -> None:
    session.execute(
        t.progress.insert().values(
            idx=rec.index,
            unit=rec.subject,
            item=rec.item,
            reported_on=rec.reported_on,
            percent=rec.percent,
            state=rec.status,
            evidence=json.dumps(
                [{"name": n, "sha256": h} for n, h in rec.evidence], ensure_ascii=False
            ),
            signers=rec.signers,
        )
    )
    where = and_(t.plan.c.unit == rec.subject, t.plan.c.item == rec.item)
    session.execute(
        update(t.plan).where(where).values(percent=rec.percent, reported_on=rec.reported_on)
    )


def _score(session: Session, rec: r.Score, heads: Heads) -> None:
    s = rec.scores
    session.execute(
        t.scores.insert().values(
            idx=rec.index,
            unit=rec.subject,
            source=rec.source,
            stage=rec.stage,
            by=rec.by,
            regulation=rec.regulation,
            target=rec.target,
            year=rec.year,
            on_date=rec.on,
            total=str(total(s)) if s else None,
            enablers=str(enablers(s)) if s else None,
            scores=_json(s) if s else None,
            indices=_json(rec.indices) if rec.indices is not None else None,
            outcome=rec.outcome,
        )
    )


def _plain(table: Any, **rename: str) -> Callable[[Session, Any, Heads], None]:
    """Insert a record's fields as columns (`index` as idx, `subject` as `rename["subject"]`)."""

    def insert(session: Session, rec: Any, heads: Heads) -> None:
        row = asdict(rec)
        row["idx"] = row.pop("index")
        row[rename.get("subject", "unit")] = row.pop("subject")
        for old, new in rename.items():
            if old != "subject":
                row[new] = row.pop(old)
        session.execute(table.insert().values(**row))

    return insert


def _link(session: Session, rec: r.Link, heads: Heads) -> None:
    session.execute(
        t.links.insert().values(
            idx=rec.index,
            kind=rec.kind,
            agency=rec.subject,
            target_seq=rec.target_seq,
            target_hash=rec.target_hash,
            target_idx=rec.target_index,
            reason=rec.reason,
            corrections=json.dumps(list(rec.corrections), ensure_ascii=False),
        )
    )


def _declaration(session: Session, rec: r.Declaration, heads: Heads) -> None:
    session.execute(
        t.declarations.insert().values(
            idx=rec.index, agency=rec.subject, hash=rec.hash, claimed=_json(list(rec.claimed))
        )
    )


_RECORDS: dict[type[r.Record], Callable[[Session, Any, Heads], None]] = {
    r.PlanItemAdded: _item,
    r.PlanItemChanged: _item_changed,
    r.Progress: _progress,
    r.Score: _score,
    r.Link: _link,
    r.Survey: _plain(t.surveys),
    r.Window: _plain(t.windows, subject="by"),
    r.ProposalMade: _plain(t.proposals),
    r.Declaration: _declaration,
    r.Attestation: _plain(t.witnesses, subject="declared_by", declaration="declaration_hash"),
}
