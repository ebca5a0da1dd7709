"""Typed facts an accepted statement records, besides the state changes it makes.

Each statement type's entry in `registry.rules.types` says which records a statement yields
(a score, a survey, an action-plan item, a proposal, a link to the entry it corrects ...).
The read model stores each kind of record in its own table, and the auditor keeps them in
memory; both answer the same `Facts` questions from them (`registry.rules.replay`). The rules'
own outputs live here too: a `Warning`, an `Invalidation`, a `Signature`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Ref:
    """Where a statement is in the log: its agency, chain position, type and entry."""

    agency: str
    seq: int
    type: str
    index: int


@dataclass(frozen=True)
class Record:
    """A fact from entry `index`, about agency `subject`."""

    index: int
    subject: str


@dataclass(frozen=True)
class Declaration(Record):
    """A declaration (`subject` the declaring agency), which witnesses may attest; `claimed`
    are the witnesses its agency names (they have not signed anything themselves)."""

    hash: str
    claimed: tuple[str, ...] = ()


@dataclass(frozen=True)
class Attestation(Record):
    """`witness` attested the declaration `declaration` of `subject`."""

    witness: str
    declaration: str


@dataclass(frozen=True)
class PlanItemAdded(Record):
    """An action-plan item as published; its state is the unit's lifecycle (`PlanItem`)."""

    item: str
    area: str
    output: str
    target: str
    responsible: str
    evidence: str
    due: str


@dataclass(frozen=True)
class PlanItemChanged(Record):
    """An item re-dated (`due`) or cancelled, with the reason, on the revision's date."""

    item: str
    on: str
    reason: str
    due: str | None = None
    cancelled: bool = False


@dataclass(frozen=True)
class Progress(Record):
    item: str
    reported_on: str
    percent: int
    status: str
    evidence: tuple[tuple[str, str], ...]  # (name, sha256)
    signers: int


@dataclass(frozen=True)
class Score(Record):
    """LKE scores (or only an outcome) by `source` self, tpi or tpn, for the unit `subject`."""

    source: str
    by: str
    regulation: str
    target: str | None
    year: int
    on: str
    scores: Mapping[str, Any] | None
    indices: Mapping[str, str] | None
    stage: str | None = None
    outcome: str | None = None


@dataclass(frozen=True)
class Survey(Record):
    by: str
    survey: str
    year: int
    value: str
    method: str
    sample_size: int


@dataclass(frozen=True)
class Window(Record):
    """A submission window (`subject` the announcing TPN)."""

    year: int
    opens_on: str
    deadline: str
    quota: int
    regulation: str


@dataclass(frozen=True)
class ProposalMade(Record):
    """`by` proposed the unit `subject` for `year`."""

    by: str
    year: int
    target: str
    submitted_on: str


@dataclass(frozen=True)
class Link(Record):
    """`subject` corrected or retracted its own statement at `target_index`, or confirmed
    with its own declaration the one the registrar recorded there from a public source."""

    kind: str  # corrected, retracted, confirmed
    target_seq: int
    target_hash: str
    target_index: int
    reason: str | None  # a correction's or retraction's reason (None for a confirmation)
    corrections: tuple[Mapping[str, Any], ...] = ()
    confirmed_on: str | None = None  # a confirmation's day: the agency signed it (YYYY-MM-DD)


@dataclass(frozen=True)
class Signature:
    """A verified signature on entry `index`: the statement's agency, the key, and the agency
    that holds the key (another agency for a co-signer)."""

    index: int
    agency: str
    keyid: str
    owner: str
    issued_at: datetime


@dataclass(frozen=True)
class Invalidation:
    """Entry `index` was signed by `keyid` at or after `effective_from`, the moment from which
    entry `revoked_index` revoked it."""

    index: int
    keyid: str
    agency: str
    revoked_index: int
    effective_from: str


@dataclass(frozen=True)
class Warning:
    """A public flag on entry `index` (DOMAIN.md, "warn"): `code` names the rule, `agency`
    is whose statement it is, `subject` what it is about; `message` is the English line for
    auditors and feeds, `facts` the same as fields for pages to word in their language."""

    index: int
    code: str
    agency: str
    subject: str
    message: str
    facts: Mapping[str, Any] = field(default_factory=dict)
