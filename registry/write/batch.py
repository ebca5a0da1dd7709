"""One append transaction's view of the log, and what the append writes for each entry.

`Batch` is what the rules read while `Registry._append` holds the lock (`registry.rules.replay.
Log`): the agencies changed so far in the transaction over the stored ones, the statements
accepted so far, keys granted, and which agencies an earlier entry changed (for a compromise
revocation's quarantine). `Preverified` carries the signatures checked before the lock;
`entry_text`, `receive_time` and `utc_text` write an entry's canonical JSON and its time.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from events import Statement, load_statement
from keys.dsse import Envelope
from keys.ed25519 import b64
from keys.errors import PaktaError
from registry.rules.changes import Advanced, Change
from registry.rules.records import Ref
from registry.rules.replay import Outcome, granted_keys, touched_by
from registry.rules.state import AgencyHead
from registry.tlog import merkle
from registry.write import storage
from registry.write.domain import Agency
from registry.write.submission import Receipt

log = logging.getLogger(__name__)


class Store(Protocol):
    """What a batch reads from the registry beyond its transaction."""

    def load(self, agency: str) -> Agency | None: ...

    def learn_keys(self, agency: Agency | None) -> None: ...

    def entry(self, index: int) -> str | None: ...


class Preverified:
    """Signatures verified before the append lock (`Registry.prepare`), as the rules' `Verified`
    hook reads them: (key id, public key) pairs whose signature verifies over the envelope's
    PAE, whatever entry index the statement gets (the signature does not cover the index). The
    rules still choose which key a key id stands for; a pair only spares verifying it again."""

    __slots__ = ("pairs",)

    def __init__(self, pairs: frozenset[tuple[str, bytes]] = frozenset()) -> None:
        self.pairs = pairs

    def __contains__(self, item: object) -> bool:
        return isinstance(item, tuple) and len(item) == 3 and (item[1], item[2]) in self.pairs


Prepared = tuple[Envelope, Statement, Preverified] | PaktaError


def entry_text(index: int, prev: str | None, received_at: str, envelope: Envelope) -> str:
    """The log entry's canonical JSON, written straight in RFC 8785 order: every member name is
    ASCII, the envelope came from a strict parse (so its strings are valid Unicode) and the rest
    the registry made, so `events.canonical_json`'s walk over the document would find nothing;
    tests/registry/write/test_fast_path.py holds the two equal."""
    return json.dumps(
        {
            "envelope": {
                "payload": b64(envelope.payload),
                "payloadType": envelope.payload_type,
                "signatures": [{"keyid": s.keyid, "sig": b64(s.sig)} for s in envelope.signatures],
            },
            "index": index,
            "prev": prev,
            "received_at": received_at,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def receive_time(now: datetime, last_entry: str | None) -> datetime:
    """The time for the entries about to be written: the clock's `now`, but never earlier than
    the last entry's (hosts' clocks differ, NTP steps back): received_at never goes back, as
    the auditor requires. A clock found behind is logged for the operator."""
    if last_entry is None:
        return now
    previous = datetime.fromisoformat(json.loads(last_entry)["received_at"])
    if now < previous:
        log.warning(
            "this host's clock is %s behind the log's last entry: received_at stays at %s",
            previous - now,
            previous.isoformat(),
        )
        return previous
    return now


def utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass
class Batch:
    """The rules' view of the log during one append transaction: the agencies changed so far
    in it, and the statements accepted so far, over what is stored."""

    registry: Store
    session: Session
    # Aggregates as this process last committed them, valid for the log size read under the
    # lock (`Registry._append` empties it when another writer moved the log on).
    known: dict[str, Agency | None]
    changed: dict[str, Agency] = field(default_factory=dict)
    pending: dict[str, Ref] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)  # keys granted in this batch
    statements: dict[int, Statement] = field(default_factory=dict)  # accepted in this batch

    def _agency(self, name: str) -> Agency | None:
        if name in self.changed:
            return self.changed[name]
        if name not in self.known:
            self.known[name] = found = self.registry.load(name)
            self.registry.learn_keys(found)
        return self.known[name]

    def head(self, agency: str) -> AgencyHead | None:
        found = self._agency(agency)
        return found.head if found is not None else None

    def find(self, statement_hash: str) -> Ref | None:
        return self.pending.get(statement_hash) or storage.find_statement(
            self.session, statement_hash
        )

    def key_holder(self, keyid: str) -> str | None:
        return self.holders.get(keyid) or storage.key_holder(self.session, keyid)

    def touched(self, index: int) -> tuple[str, ...]:
        statement = self.statements.get(index)
        if statement is None:
            text = self.registry.entry(index)
            if text is None:
                return ()
            statement = load_statement(Envelope.from_json(json.loads(text)["envelope"]).payload)
        return touched_by(statement, index, self)

    def changes(self, agency: str) -> list[Change]:
        found = self._agency(agency)
        return found.changes if found is not None else []

    def take(self, outcome: Outcome) -> None:
        """Trigger the agencies' events for an accepted statement: `Agency.accept` and
        `Agency.note`'s events, triggered as those methods do but without their decorator's
        per-call argument handling (a tenth of an append at 100 a save): the same event
        classes and attributes, applied by the same method bodies."""
        for name, effect in outcome.effects:
            agency = self._agency(name)
            if isinstance(effect, Advanced):
                if agency is None:
                    agency = Agency(agency=name, effect=effect.to_json())
                else:
                    agency.trigger_event(Agency.Accepted, effect=effect.to_json())
            else:
                assert agency is not None  # replay drops notes to unregistered agencies
                agency.trigger_event(Agency.Noted, effect=effect.to_json())
            self.changed[name] = agency
        self.pending[outcome.statement.hash] = outcome.ref
        self.statements[outcome.index] = outcome.statement
        self.holders.update(granted_keys(outcome))


def receipt(
    index: int, entry: str, outcome: Outcome, checkpoint: str, proof: Sequence[bytes]
) -> Receipt:
    """What the client gets for an accepted statement: where it is in the log, the signed
    checkpoint it is in and the inclusion proof, and the warnings it raised."""
    return Receipt(
        index=index,
        leaf_hash=merkle.leaf_hash(entry.encode()).hex(),
        entry_hash="sha256:" + hashlib.sha256(entry.encode()).hexdigest(),
        statement_hash=outcome.statement.hash,
        agency=outcome.statement.agency,
        seq=outcome.statement.seq,
        checkpoint=checkpoint,
        inclusion_proof=tuple(b64(h) for h in proof),
        warnings=tuple(
            {"code": w.code, "message": w.message, "facts": dict(w.facts)}
            for w in outcome.warnings
            if w.index == index
        ),
    )
