"""What the log says about one agency right now: its profile, chain head, keys and lifecycle.

`AgencyHead` is the state every rule reads; it is only ever changed by the pure functions of
`registry.rules.lifecycle` applying typed changes (`registry.rules.changes`). `Lifecycle` is
the agency's Zona Integritas state as a unit (DOMAIN.md, "The lifecycle"), plus the
organisation roles it holds. Everything here is immutable; `to_json` gives the public JSON the
API serves (`/api/v1/agencies/<id>`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from keys.ed25519 import b64


@dataclass(frozen=True)
class KeyGrant:
    """A public key the log granted to an agency for one role, from one moment."""

    keyid: str
    public_key: bytes
    role: str
    holder: str
    valid_from: datetime
    revoked_from: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (
            self.revoked_from is None or moment < self.revoked_from
        )


@dataclass(frozen=True)
class Stage:
    """A dated step taken once and kept (the first declaration, the designation)."""

    on: str
    by: str
    index: int
    seq: int | None = None  # the statement's place in the `by` agency's chain
    logged_on: str | None = None  # the day the log received it (None: before it was kept)


@dataclass(frozen=True)
class PlanItem:
    """One action-plan item as the rules see it: when it is due, and whether it is still open."""

    due: str
    cancelled: bool = False
    done: bool = False

    @property
    def state(self) -> str:
        return "cancelled" if self.cancelled else "done" if self.done else "open"


@dataclass(frozen=True)
class TpiResult:
    """The unit's latest internal evaluation (cleared when a cycle ends)."""

    on: str
    recommendation: str
    target: str
    ref: Mapping[str, Any]  # {agency, seq, hash} of the internal_evaluation.completed


@dataclass(frozen=True)
class Proposal:
    """The proposal awaiting the national decision."""

    on: str
    year: int
    target: str
    by: str


@dataclass(frozen=True)
class Predicate:
    """The designation a unit holds now, for the `year` its award statement names."""

    predicate: str
    on: str
    by: str
    year: int


@dataclass(frozen=True)
class RoleGrant:
    """An organisation role (tpn, tpi, witness) the registrar granted; a TPI's scope."""

    scope: tuple[str, ...]
    index: int


@dataclass(frozen=True)
class SelfEvaluation:
    on: str
    regulation: str


@dataclass(frozen=True)
class Lifecycle:
    """A unit's Zona Integritas state, and the organisation roles its agency holds."""

    roles: Mapping[str, RoleGrant] = field(default_factory=dict)
    declared: Stage | None = None
    designated: Stage | None = None
    target: str | None = None
    status: str | None = None
    plan: Mapping[str, PlanItem] = field(default_factory=dict)
    tpi: TpiResult | None = None
    windows: tuple[int, ...] = ()
    proposal: Proposal | None = None
    predicate: Predicate | None = None
    revoked_on: str | None = None
    self_evaluation: SelfEvaluation | None = None
    retracted: tuple[int, ...] = ()
    # Declarations the registrar recorded from a public source (by seq) that the agency has
    # confirmed with its own signed `zi.declared`.
    confirmed: tuple[int, ...] = ()
    # This agency's declarations (by seq) a witness attested, with the earliest day a witness
    # says it saw the declaration.
    attested: Mapping[int, str] = field(default_factory=dict)
    # Organisation roles the registrar withdrew (`role.changed`): its keys no longer sign in them.
    withdrawn: tuple[str, ...] = ()
    # Entries whose changes no longer count: signed with a key revoked from before them.
    voided: tuple[int, ...] = ()

    @property
    def active(self) -> bool:
        """Designated and declared: a unit may act in the lifecycle only then."""
        return self.designated is not None and self.declared is not None

    def to_json(self) -> dict[str, Any]:
        """The lifecycle as public JSON: only the parts the unit has reached."""
        out: dict[str, Any] = {}
        if self.roles:
            out["roles"] = {
                r: {"scope": list(g.scope), "index": g.index} for r, g in self.roles.items()
            }
        for name in ("declared", "designated"):
            stage = getattr(self, name)
            if stage is not None:
                out[name] = {"on": stage.on, "by": stage.by, "index": stage.index}
                if stage.logged_on is not None:
                    out[name]["logged_on"] = stage.logged_on
        for name in ("target", "status", "revoked_on"):
            if getattr(self, name) is not None:
                out[name] = getattr(self, name)
        if self.plan:
            out["plan"] = {
                i: {"due": p.due, "cancelled": p.cancelled, "done": p.done}
                for i, p in self.plan.items()
            }
        if self.tpi is not None:
            out["tpi"] = {
                "on": self.tpi.on,
                "recommendation": self.tpi.recommendation,
                "target": self.tpi.target,
                "ref": dict(self.tpi.ref),
            }
        if self.windows:
            out["windows"] = list(self.windows)
        if self.proposal is not None:
            p = self.proposal
            out["proposal"] = {"on": p.on, "year": p.year, "target": p.target, "by": p.by}
        if self.predicate is not None:
            d = self.predicate
            out["predicate"] = {"predicate": d.predicate, "year": d.year, "on": d.on, "by": d.by}
        if self.self_evaluation is not None:
            s = self.self_evaluation
            out["self_evaluation"] = {"on": s.on, "regulation": s.regulation}
        if self.retracted:
            out["retracted"] = list(self.retracted)
        if self.confirmed:
            out["confirmed"] = list(self.confirmed)
        if self.withdrawn:
            out["withdrawn"] = list(self.withdrawn)
        if self.voided:
            out["voided"] = list(self.voided)
        if self.attested:
            out["attested"] = {str(seq): on for seq, on in sorted(self.attested.items())}
        return out


@dataclass(frozen=True)
class AgencyHead:
    """An agency's state as the log defines it: profile, chain head, keys and lifecycle."""

    agency: str
    name: str
    kind: str
    parent: str | None
    region: Mapping[str, Any] | None
    seq: int
    hash: str
    issued_at: datetime
    index: int
    keys: Mapping[str, KeyGrant] = field(default_factory=dict)
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    # Milestones of the agency's own chain that give it a status before any lifecycle step
    # ("pact_signed"): see `registry.rules.types.TypeRules.milestone`.
    milestones: frozenset[str] = frozenset()


# An agency's status before its lifecycle starts, then its lifecycle status (DOMAIN.md).
EARLY_STATUSES = ("registered", "pact_signed")


def agency_status(head: AgencyHead) -> str:
    """What the site shows as an agency's status: its unit status once it has one, else
    whether it signed an integrity pact, else registered."""
    if head.lifecycle.status is not None:
        return head.lifecycle.status
    return "pact_signed" if "pact_signed" in head.milestones else "registered"


def head_json(head: AgencyHead) -> dict[str, Any]:
    """The public JSON of a head, as the API serves it to clients building their next statement."""
    return {
        "agency": head.agency,
        "name": head.name,
        "kind": head.kind,
        "parent": head.parent,
        "region": head.region,
        "head": {"seq": head.seq, "hash": head.hash, "index": head.index},
        "keys": [
            {
                "keyid": g.keyid,
                "public_key": b64(g.public_key),
                "role": g.role,
                "holder": g.holder,
                "valid_from": g.valid_from.isoformat(),
                "revoked_from": g.revoked_from.isoformat() if g.revoked_from else None,
            }
            for g in head.keys.values()
        ],
        "lifecycle": head.lifecycle.to_json(),
    }
