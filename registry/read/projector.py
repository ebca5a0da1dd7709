"""The read model: SQL tables for the public site, fed only by the log's entries.

`ReadModel` is an eventsourcing `Projection` over a `SQLAlchemyTrackingRecorder`: each log
entry's rows and the tracking position commit in one transaction, so the view is never ahead
of or behind its own position. It reads nothing but the public entries, so `rebuild()` (drop,
replay from notification 0) gives the same rows the live view has.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import singledispatchmethod
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import get_topic
from eventsourcing_sqlalchemy.recorders import SQLAlchemyTrackingRecorder
from sqlalchemy import (
    BigInteger,
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    case,
    func,
    select,
    update,
)
from sqlalchemy.orm import Session

from events import parse_statement
from keys.dsse import Envelope
from keys.ed25519 import key_id, unb64
from registry.read import lifecycle_view
from registry.write.domain import LogEntry
from registry.write.storage import AppendLock

metadata = MetaData()

agencies = Table(
    "rm_agencies",
    metadata,
    Column("agency", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(40), nullable=False),
    Column("parent", String(64)),
    Column("region_kemendagri", String(8)),
    Column("region_bps", String(8)),
    Column("region_name", Text),
    Column("registered_index", BigInteger, nullable=False),
    Column("head_seq", Integer, nullable=False),
    Column("head_hash", String(71), nullable=False),
    Column("head_index", BigInteger, nullable=False),
    Column("status", String(32), nullable=False),
    Column("target", String(8)),
    Column("declared_on", String(10)),
    Column("statements", Integer, nullable=False),
)

statements = Table(
    "rm_statements",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("agency", String(64), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("hash", String(71), nullable=False, unique=True),
    Column("issued_at", String(40), nullable=False),
    Column("received_at", String(40), nullable=False),
    Column("signers", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("documents", Text, nullable=False),
)

keys = Table(
    "rm_keys",
    metadata,
    Column("keyid", String(48), primary_key=True),
    Column("agency", String(64), nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("holder", Text, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("valid_from", String(40), nullable=False),
    Column("added_index", BigInteger, nullable=False),
    Column("revoked_from", String(40)),
    Column("revoked_index", BigInteger),
)

documents = Table(
    "rm_documents",
    metadata,
    Column("sha256", String(71), primary_key=True),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("name", Text, nullable=False),
    Column("media_type", String(100), nullable=False),
)

witnesses = Table(
    "rm_witnesses",
    metadata,
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("witness", String(64), nullable=False),
    Column("declaration_hash", String(71), nullable=False, index=True),
    Column("declared_by", String(64), nullable=False),
)

LIFECYCLE = lifecycle_view.tables(metadata)
TABLES = (agencies, statements, keys, documents, witnesses, *LIFECYCLE.values())
# The early statuses of an agency; from the declaration on, a unit's status is its lifecycle
# status (lifecycle_view), which these never overwrite.
STATUS_BY_TYPE = {"integrity_pact.signed": "pact_signed", "zi.declared": "declared"}
_EARLY = ("registered", "pact_signed")
_LIFECYCLE = lifecycle_view.LifecycleProjection(
    LIFECYCLE, {"agencies": agencies, "statements": statements}
)


class ReadModel(Projection[SQLAlchemyTrackingRecorder]):
    """Projects log entries into the `rm_*` tables."""

    name = "pakta_read_model"
    topics = (get_topic(LogEntry),)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)

    @process_event.register
    def _(self, domain_event: LogEntry, tracking: Tracking) -> None:
        with self.view.transaction(commit=True) as session:
            self.project(session, [domain_event.entry], tracking)

    def project(self, session: Session, entries: Sequence[str], tracking: Tracking) -> None:
        """Rows for `entries`, and the position after them, in the caller's transaction."""
        for entry in entries:
            project_entry(session, entry)
        self.view._insert_tracking(session, tracking)


def project_entry(session: Session, entry_text: str) -> None:
    """Add one public entry's rows: everything here derives from the entry alone."""
    entry = json.loads(entry_text)
    envelope = Envelope.from_json(entry["envelope"])
    st = parse_statement(envelope.payload)
    index = entry["index"]
    body = st.body
    session.execute(
        statements.insert().values(
            idx=index,
            agency=st.agency,
            seq=st.seq,
            type=st.type,
            hash=st.hash,
            issued_at=st.issued_at_text,
            received_at=entry["received_at"],
            signers=json.dumps([s.keyid for s in envelope.signatures]),
            body=json.dumps(body, sort_keys=True, ensure_ascii=False),
            documents=json.dumps(
                [d.__dict__ for d in st.documents], sort_keys=True, ensure_ascii=False
            ),
        )
    )
    for doc in st.documents:
        session.execute(
            documents.insert().values(
                sha256=doc.sha256, idx=index, name=doc.name, media_type=doc.media_type
            )
        )
    head = {"head_seq": st.seq, "head_hash": st.hash, "head_index": index}
    if st.type == "agency.registered":
        region = body.get("region") or {}
        session.execute(
            agencies.insert().values(
                agency=st.agency,
                name=body["name"],
                kind=body["kind"],
                parent=body.get("parent"),
                region_kemendagri=region.get("kemendagri"),
                region_bps=region.get("bps"),
                region_name=region.get("name"),
                registered_index=index,
                status="registered",
                statements=1,
                **head,
            )
        )
        grants = body["keys"]
    else:
        changes: dict[str, Any] = dict(head, statements=agencies.c.statements + 1)
        # A declaration of named units declares them, not the agency that declared them.
        if st.type in STATUS_BY_TYPE and not (st.type == "zi.declared" and body["units"]):
            changes["status"] = case(
                (agencies.c.status.in_(_EARLY), STATUS_BY_TYPE[st.type]),
                else_=agencies.c.status,
            )
        if st.type == "zi.declared":
            changes.update(target=body["target"], declared_on=body["declared_on"])
        session.execute(update(agencies).where(agencies.c.agency == st.agency).values(**changes))
        grants = [body] if st.type == "key.added" else []
    for grant in grants:
        session.execute(
            keys.insert().values(
                keyid=key_id(unb64(grant["public_key"])),
                agency=st.agency,
                role=grant["role"],
                holder=grant["holder"],
                public_key=grant["public_key"],
                valid_from=st.issued_at_text,
                added_index=index,
            )
        )
    if st.type == "key.revoked":
        session.execute(
            update(keys)
            .where(keys.c.keyid == body["keyid"])
            .values(revoked_from=body["effective_from"], revoked_index=index)
        )
    elif st.type == "zi.witnessed":
        ref = body["declaration"]
        session.execute(
            witnesses.insert().values(
                idx=index,
                witness=st.agency,
                declaration_hash=ref["hash"],
                declared_by=ref["agency"],
            )
        )
    _LIFECYCLE.project(session, index, st, envelope, entry["received_at"])


class Projector:
    """Runs `ReadModel` over the application's notifications, from its tracking position.

    It pulls ("after the last id seen", never assuming id + 1: PostgreSQL ids have gaps) rather
    than subscribing, so it works on SQLite too; callers hold the append lock around it.
    """

    def __init__(self, app: Any, lock: AppendLock) -> None:
        self.app = app
        self.lock = lock
        self.view = SQLAlchemyTrackingRecorder(
            datastore=app.datastore, tracking_table_name="pakta_tracking"
        )
        self.projection = ReadModel(self.view)

    def create_tables(self) -> None:
        self.view.create_table()
        metadata.create_all(self.app.engine)

    def position(self) -> int:
        return self.view.max_tracking_id(self.app.name) or 0

    def project_page(self, session: Session, page: int = 500) -> int:
        """Project up to `page` notifications after the tracked position, in the caller's
        transaction; return how many. Callers hold the append lock."""
        notes = self.app.recorder.select_notifications(
            start=self.position(),
            limit=page,
            topics=self.projection.topics,
            inclusive_of_start=False,
        )
        if notes:
            entries = [self.app.mapper.to_domain_event(n).entry for n in notes]
            self.projection.project(session, entries, Tracking(self.app.name, notes[-1].id))
        return len(notes)

    def project_pending(self, session: Session) -> None:
        """Everything pending, in the caller's transaction: the registry calls this inside
        each append's transaction, so entries, read-model rows and position commit together."""
        while self.project_page(session) == 500:
            pass

    def catch_up(self, page: int = 500) -> int:
        """Project every notification after the tracked position; return how many."""
        total, done = 0, page
        while done == page:  # a transaction a page, so a long replay keeps memory flat
            with self.lock.hold(), self.view.transaction(commit=True) as session:
                self.lock.in_transaction(session)
                done = self.project_page(session, page)
            total += done
        return total

    def clear(self) -> None:
        """Delete the view's rows and its position (the log is untouched)."""
        with self.lock.hold(), self.view.transaction(commit=True) as session:
            self.lock.in_transaction(session)
            for table in reversed(TABLES):
                session.execute(table.delete())
            session.execute(self.view.tracking_table.delete())

    def rebuild(self) -> int:
        """Clear the view, then replay the whole log."""
        self.clear()
        return self.catch_up()

    def dump(self) -> dict[str, list[tuple[Any, ...]]]:
        """Every row of every view table, in key order: two equal dumps are equal views."""
        with self.app.engine.connect() as conn:
            return {
                t.name: [tuple(r) for r in conn.execute(select(t).order_by(*t.primary_key))]
                for t in TABLES
            }

    def counts(self) -> dict[str, int]:
        with self.app.engine.connect() as conn:
            return {
                t.name: int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                for t in TABLES
            }
