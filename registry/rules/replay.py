"""One replay step: a statement plus the log's state so far gives typed changes and new state.

`check` raises unless the statement may join the log now (chain, time, signatures, the type's
guard); `replay` computes everything an accepted statement does: its effect on each agency
(`Advanced`, `Noted`) and the heads after them, the status transitions, the records, the
warnings and what it invalidates. The registry calls both at append time over its own
storage; `Replayer` runs them over an in-memory state for the auditor and the read model's
rebuild. So every derived fact has one source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from events import Statement
from keys.dsse import Envelope
from registry.rules import table as _table  # noqa: F401  (registers the built-in types' rules)
from registry.rules import warnings as warn
from registry.rules.changes import (
    Advanced,
    Change,
    Effect,
    Noted,
    Quarantined,
    lifecycle_changes,
    stamp_logged,
)
from registry.rules.errors import RuleError
from registry.rules.facts import Facts, MemoryFacts
from registry.rules.guards import Context, check_chain
from registry.rules.lifecycle import Transition, apply_effect
from registry.rules.records import Invalidation, Record, Ref, Signature, Warning
from registry.rules.signing import Verified, attribute, check_signatures
from registry.rules.state import AgencyHead, agency_status
from registry.rules.types import Entry, Identity, milestone, rules_for


class Log(Protocol):
    """The log's state as the rules read it."""

    def head(self, agency: str) -> AgencyHead | None:
        """The agency's current head; None if it is not registered."""
        ...

    def find(self, statement_hash: str) -> Ref | None:
        """Where an earlier statement is, by its hash."""
        ...

    def key_holder(self, keyid: str) -> str | None:
        """The agency a key was granted to, if any (a key is one agency's)."""
        ...

    def touched(self, index: int) -> Sequence[str]:
        """The agencies whose lifecycle entry `index` changed."""
        ...

    def changes(self, agency: str) -> Sequence[Change]:
        """Every lifecycle change the agency has had so far, in log order."""
        ...


@dataclass(frozen=True)
class Outcome:
    """Everything an accepted statement does, computed once."""

    index: int
    statement: Statement
    signatures: tuple[Signature, ...]
    effects: tuple[tuple[str, Effect], ...]  # its own agency's first
    heads: Mapping[str, AgencyHead]  # every agency it changed, after the change
    transitions: tuple[Transition, ...]
    records: tuple[Record, ...]
    warnings: tuple[Warning, ...]
    invalidated: tuple[Invalidation, ...]
    subjects: tuple[str, ...]  # its own agency, then the agencies it is about
    # Each changed agency's status (`agency_status`) before and after (None: not registered).
    statuses: tuple[tuple[str, str | None, str], ...] = ()

    @property
    def ref(self) -> Ref:
        st = self.statement
        return Ref(st.agency, st.seq, st.type, self.index)


def granted_keys(outcome: Outcome) -> dict[str, str]:
    """The keys an accepted statement granted, by key id, with the agency holding each."""
    return {
        k.keyid: agency
        for agency, effect in outcome.effects
        if isinstance(effect, Advanced)
        for k in effect.keys_added
    }


def _quarantine(
    agency: str, index: int, on: str, dropped: tuple[int, ...], log: Log
) -> Quarantined:
    """The agency's changes so far but those of every entry voided, this time or before."""
    head = log.head(agency)
    void = {*dropped, *(head.lifecycle.voided if head is not None else ())}
    kept = tuple(
        c for c in log.changes(agency) if not isinstance(c, Quarantined) and c.index not in void
    )
    return Quarantined(index, on, dropped, kept)


def _unauthorised(
    voided: Sequence[Invalidation], head: AgencyHead | None, facts: Facts
) -> tuple[int, ...]:
    """The voided entries that no other key of the agency, still valid, also signed: those
    the stolen key alone could have made, whose effects a compromise revocation undoes."""
    if not voided or head is None:
        return ()
    revoked = {v.keyid for v in voided}
    cosigned = {
        s.index
        for keyid, grant in head.keys.items()
        if keyid not in revoked
        for s in facts.signatures(keyid)
        if grant.valid_at(s.issued_at)
    }
    return tuple(v.index for v in voided if v.index not in cosigned)


def lifecycle_touched(outcome: Outcome) -> tuple[str, ...]:
    """The agencies whose lifecycle the outcome's own changes changed (quarantines aside):
    what `Log.touched` answers for it later."""
    return tuple(
        a
        for a, e in outcome.effects
        if any(not isinstance(c, Quarantined) for c in e.lifecycle)
    )


def touched_by(statement: Statement, index: int, log: Log) -> tuple[str, ...]:
    """`Log.touched` for a stored entry: the agencies its type's changes name that had a
    change of it (equal to `lifecycle_touched` of its outcome)."""
    named = dict.fromkeys(a for a, _ in rules_for(statement.type).changes(statement, index))
    return tuple(a for a in named if any(c.index == index for c in log.changes(a)))


def _named(statement: Statement, log: Log) -> list[AgencyHead]:
    found = (log.head(a) for a in rules_for(statement.type).cosigning(statement))
    return [h for h in found if h is not None]


def check(
    statement: Statement,
    envelope: Envelope,
    index: int,
    received_at: datetime,
    registrar_keys: Mapping[str, bytes],
    log: Log,
    verified: Verified = (),
) -> tuple[Signature, ...]:
    """Raise `RuleError` (or `ConflictError`) unless `statement` may join the log as entry
    `index`; return its verified signatures (`verified`: see `signing.check_signatures`)."""
    head = log.head(statement.agency)
    check_chain(statement, head)
    if statement.issued_at > received_at:
        raise RuleError(
            "issued-in-future",
            f"issued_at {statement.issued_at_text} is later than the time received "
            f"{received_at.isoformat()}",
        )
    signatures, roles = check_signatures(
        statement, envelope, head, registrar_keys, _named(statement, log), index, verified
    )
    context = Context(head, log.head, roles, log.find, log.key_holder)
    rules_for(statement.type).guard(statement, context)
    return signatures


def replay(
    statement: Statement,
    index: int,
    received_at: datetime,
    signatures: Sequence[Signature],
    log: Log,
    facts: Facts,
) -> Outcome:
    """What the accepted `statement` does as entry `index`, given the log before it."""
    rules = rules_for(statement.type)
    identity = rules.identity(statement) if rules.identity else Identity()
    own = statement.agency
    changes: dict[str, list[Change]] = {own: []}
    logged_on = received_at.astimezone(statement.issued_at.tzinfo).date().isoformat()
    for agency, change in rules.changes(statement, index):
        changes.setdefault(agency, []).append(stamp_logged(change, logged_on))
    voided = rules.voids(statement, index, facts) if rules.voids else []
    dropped = _unauthorised(voided, log.head(own), facts)
    if dropped:
        # A compromise: every agency those entries changed is computed again without them.
        on = statement.issued_at.date().isoformat()
        for agency in dict.fromkeys([own, *sorted({a for i in dropped for a in log.touched(i)})]):
            changes.setdefault(agency, []).append(_quarantine(agency, index, on, dropped, log))
    effects: list[tuple[str, Effect]] = [
        (
            own,
            Advanced(
                index,
                statement.seq,
                statement.hash,
                statement.issued_at_text,
                statement.type,
                identity.keys_added,
                identity.keys_revoked,
                identity.profile,
                tuple(changes[own]),
            ),
        )
    ]
    effects += [(a, Noted(index, statement.hash, tuple(c))) for a, c in changes.items() if a != own]
    heads: dict[str, AgencyHead] = {}
    transitions: list[Transition] = []
    applied: list[tuple[str, Effect]] = []
    statuses: list[tuple[str, str | None, str]] = []
    for agency, effect in effects:
        head = log.head(agency)
        if head is None and isinstance(effect, Noted):
            continue  # a unit not (yet) registered: nothing to change
        heads[agency], moves = apply_effect(head, effect, milestone)
        transitions += moves
        applied.append((agency, effect))
        before = agency_status(head) if head is not None else None
        statuses.append((agency, before, agency_status(heads[agency])))
    records = tuple(rules.records(Entry(statement, index, len(signatures), log.find)))
    found = warn.late_posting(statement, index, received_at)
    found += warn.backdated_fact(statement, index, received_at)
    for rule in rules.warnings:
        found += rule(statement, index, facts)
    found += warn.signed_by_revoked_key(voided)
    subjects = tuple(dict.fromkeys([own, *rules.about(statement)]))
    return Outcome(
        index,
        statement,
        tuple(signatures),
        tuple(applied),
        heads,
        tuple(transitions),
        records,
        tuple(found),
        tuple(voided),
        subjects,
        tuple(statuses),
    )


@dataclass
class Replayer:
    """The rules over an in-memory state: feed it the log's statements in order.

    The auditor steps with `verify=True` (every check the registry made); the read model's
    rebuild steps with `verify=False` (the log was checked when it was appended)."""

    registrar_keys: Mapping[str, bytes]
    heads: dict[str, AgencyHead] = field(default_factory=dict)
    refs: dict[str, Ref] = field(default_factory=dict)
    holders: dict[str, str] = field(default_factory=dict)  # keyid -> agency
    facts: MemoryFacts = field(default_factory=MemoryFacts)
    effects: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    changed: dict[int, tuple[str, ...]] = field(default_factory=dict)  # index -> `touched`

    def head(self, agency: str) -> AgencyHead | None:
        return self.heads.get(agency)

    def touched(self, index: int) -> Sequence[str]:
        return self.changed.get(index, ())

    def changes(self, agency: str) -> Sequence[Change]:
        return lifecycle_changes(self.effects.get(agency, ()))

    def find(self, statement_hash: str) -> Ref | None:
        return self.refs.get(statement_hash)

    def key_holder(self, keyid: str) -> str | None:
        return self.holders.get(keyid)

    def step(
        self,
        statement: Statement,
        envelope: Envelope,
        index: int,
        received_at: datetime,
        *,
        verify: bool = True,
        verified: Verified = (),
    ) -> Outcome:
        if verify:
            signatures = check(
                statement, envelope, index, received_at, self.registrar_keys, self, verified
            )
        else:
            head = self.heads.get(statement.agency)
            named = _named(statement, self)
            signatures = attribute(statement, envelope, head, self.registrar_keys, named, index)
        outcome = replay(statement, index, received_at, signatures, self, self.facts)
        self.absorb(outcome)
        return outcome

    def absorb(self, outcome: Outcome) -> None:
        """Take an outcome's new state (heads, the statement's place, its facts)."""
        self.heads.update(outcome.heads)
        self.refs[outcome.statement.hash] = outcome.ref
        self.holders.update(granted_keys(outcome))
        self.facts.add(outcome.records, outcome.signatures)
        for agency, effect in outcome.effects:
            self.effects.setdefault(agency, []).append(effect.to_json())
        if hit := lifecycle_touched(outcome):
            self.changed[outcome.index] = hit
