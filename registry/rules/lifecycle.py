"""Applying typed changes to an agency's state: the one state machine of the Zona Integritas.

`apply_effect(head, effect)` is the only way an `AgencyHead` changes; the `Agency` aggregate,
the auditor's replay and the read model's rebuild all call it, so a unit's status, stage dates
and action plan are computed here and nowhere else. Each status change is returned as a
`Transition` (the step reached, its date, and the entry), which the read model stores as the
unit's stage dates. No SQL, no clock.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import singledispatch
from typing import Any

from keys.ed25519 import unb64
from registry.rules.changes import (
    Advanced,
    Assessed,
    Attested,
    Awarded,
    Built,
    Change,
    Confirmed,
    Declared,
    Designated,
    Effect,
    Evaluated,
    NotMet,
    Proposed,
    Quarantined,
    Retracted,
    Revoked,
    RoleChanged,
    RoleGranted,
    SelfEvaluationGranted,
    WindowAnnounced,
)
from registry.rules.state import (
    AgencyHead,
    KeyGrant,
    Lifecycle,
    PlanItem,
    Predicate,
    Proposal,
    RoleGrant,
    SelfEvaluation,
    Stage,
    TpiResult,
)

# Status of a unit's current cycle, in lifecycle order (DOMAIN.md, steps 2-12).
STATUSES = (
    "declared",
    "building",
    "assessed",
    "proposed",
    "evaluated",
    "wbk",
    "wbbm",
    "not_met",
    "revoked",
)
# The path a unit's status takes, for a progress bar; the outcomes share the last place.
PATH = STATUSES[:5]
OUTCOMES = STATUSES[5:]


@dataclass(frozen=True)
class Transition:
    """A unit reached `step` on `on` by entry `index`; `detail` is the change's own fields."""

    unit: str
    index: int
    step: str
    on: str
    detail: dict[str, Any]


def next_status(current: str | None, step: str) -> str:
    """The status after `step`: building never demotes a cycle already assessed or decided,
    except that a unit "not met" starts building again; every later step moves forward."""
    if step == "declared":
        return current or "declared"
    if step == "building":
        return "building" if current in (None, "declared", "not_met") else current
    return step


@singledispatch
def _apply(change: Change, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    """The lifecycle after `change`, and the status step it takes (None: no status step)."""
    raise TypeError(f"no rule applies {type(change).__name__}")


@_apply.register
def _(c: RoleGranted, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    roles = {**lc.roles, c.role: RoleGrant(tuple(c.scope), c.index)}
    withdrawn = tuple(r for r in lc.withdrawn if r != c.role)
    return replace(lc, roles=roles, withdrawn=withdrawn), None


@_apply.register
def _(c: RoleChanged, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    roles = {r: g for r, g in lc.roles.items() if r != c.role}
    withdrawn = lc.withdrawn
    if c.scope is not None:
        roles[c.role] = RoleGrant(tuple(c.scope), c.index)
    else:
        withdrawn = tuple(sorted({*withdrawn, c.role}))
    return replace(lc, roles=roles, withdrawn=withdrawn), None


@_apply.register
def _(c: Declared, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    stage = Stage(c.on, c.by, c.index, c.seq, c.logged_on)
    return (
        replace(
            lc,
            declared=lc.declared or stage,  # the first declaration starts the clock
            designated=(lc.designated or stage) if c.whole else lc.designated,
            target=c.target,
        ),
        "declared",
    )


@_apply.register
def _(c: Attested, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    earliest = min(c.on, lc.attested.get(c.seq, c.on))
    return replace(lc, attested={**lc.attested, c.seq: earliest}), None


@_apply.register
def _(c: Designated, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, designated=Stage(c.on, c.by, c.index)), None


@_apply.register
def _(c: Built, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    plan = dict(lc.plan)
    for item, due in (c.add or {}).items():
        plan[item] = PlanItem(due)
    for item, due in (c.redate or {}).items():
        plan[item] = replace(plan[item], due=due)
    for item in c.cancel or ():
        plan[item] = replace(plan[item], cancelled=True)
    for item in c.done or ():
        plan[item] = replace(plan[item], done=True)
    return replace(lc, plan=plan), "building"


@_apply.register
def _(c: Assessed, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, tpi=TpiResult(c.on, c.recommendation, c.target, c.ref)), "assessed"


@_apply.register
def _(c: WindowAnnounced, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, windows=tuple(sorted({*lc.windows, c.year}))), None


@_apply.register
def _(c: Proposed, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, proposal=Proposal(c.on, c.year, c.target, c.by)), "proposed"


@_apply.register
def _(c: Evaluated, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return lc, "evaluated"


@_apply.register
def _(c: Awarded, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    # The next cycle needs a new internal evaluation and a new proposal.
    held = Predicate(c.predicate, c.on, c.by, c.year)
    return replace(lc, predicate=held, proposal=None, tpi=None), c.predicate.lower()


@_apply.register
def _(c: NotMet, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, proposal=None, tpi=None), "not_met"


@_apply.register
def _(c: Revoked, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    cleared = replace(lc, predicate=None, proposal=None, tpi=None, revoked_on=c.on)
    return cleared, "revoked"


@_apply.register
def _(c: SelfEvaluationGranted, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, self_evaluation=SelfEvaluation(c.on, c.regulation)), None


@_apply.register
def _(c: Retracted, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, retracted=tuple(sorted({*lc.retracted, c.seq}))), None


@_apply.register
def _(c: Confirmed, lc: Lifecycle) -> tuple[Lifecycle, str | None]:
    return replace(lc, confirmed=tuple(sorted({*lc.confirmed, c.seq}))), None


def apply_changes(
    unit: str, lc: Lifecycle, changes: tuple[Change, ...]
) -> tuple[Lifecycle, list[Transition]]:
    """`lc` after `changes`, with a `Transition` for each change of status."""
    moves: list[Transition] = []
    for change in changes:
        if isinstance(change, Quarantined):
            lc, moves = _quarantine(unit, lc, change, moves)
            continue
        lc, step = _apply(change, lc)
        if step is None:
            continue
        status = next_status(lc.status, step)
        if status != lc.status:
            detail = {k: v for k, v in change.to_json().items() if k not in ("op", "index", "ref")}
            moves.append(Transition(unit, change.index, status, getattr(change, "on"), detail))  # noqa: B009
            lc = replace(lc, status=status)
    return lc, moves


def _quarantine(
    unit: str, lc: Lifecycle, q: Quarantined, moves: list[Transition]
) -> tuple[Lifecycle, list[Transition]]:
    """The lifecycle computed again from the changes the quarantine kept; a status it no
    longer has is left by a transition at the revocation."""
    fresh, _ = apply_changes(unit, Lifecycle(), q.kept)
    fresh = replace(fresh, voided=tuple(sorted({*lc.voided, *q.voided})))
    if fresh.status is not None and fresh.status != lc.status:
        detail = {"voided": list(q.voided)}
        moves = [*moves, Transition(unit, q.index, fresh.status, q.on, detail)]
    return fresh, moves


def apply_effect(
    head: AgencyHead | None,
    effect: Effect,
    milestone: Callable[[str], str | None] = lambda type_: None,
) -> tuple[AgencyHead, list[Transition]]:
    """The head after `effect`, and the status transitions it made. `head` is None only for
    the registering effect; `milestone` names the early status a statement type marks."""
    if isinstance(effect, Advanced):
        return _advance(head, effect, milestone)
    if head is None:
        raise ValueError("a note changes an existing agency only")
    lc, moves = apply_changes(head.agency, head.lifecycle, effect.lifecycle)
    return replace(head, lifecycle=lc), moves


def _advance(
    head: AgencyHead | None, effect: Advanced, milestone: Callable[[str], str | None]
) -> tuple[AgencyHead, list[Transition]]:
    keys: Mapping[str, KeyGrant] = head.keys if head is not None else {}
    if effect.keys_added or effect.keys_revoked:
        # A head's keys are never changed in place: a statement that changes none shares them.
        keys = changed = dict(keys)
        for g in effect.keys_added:
            changed[g.keyid] = KeyGrant(
                keyid=g.keyid,
                public_key=unb64(g.public_key),
                role=g.role,
                holder=g.holder,
                valid_from=datetime.fromisoformat(g.valid_from),
            )
        for r in effect.keys_revoked:
            changed[r.keyid] = replace(
                changed[r.keyid], revoked_from=datetime.fromisoformat(r.effective_from)
            )
    marks = head.milestones if head is not None else frozenset()
    mark = milestone(effect.type)
    issued_at = datetime.fromisoformat(effect.issued_at)
    milestones = marks | {mark} if mark else marks
    if head is None:
        if effect.profile is None:
            raise ValueError("an agency's first statement registers it")
        p = effect.profile
        head = AgencyHead(
            p.agency,
            p.name,
            p.kind,
            p.parent,
            p.region,
            effect.seq,
            effect.hash,
            issued_at,
            effect.index,
            keys,
            milestones=milestones,
        )
    else:
        lc, moves = apply_changes(head.agency, head.lifecycle, effect.lifecycle)
        advanced = replace(
            head,
            seq=effect.seq,
            hash=effect.hash,
            issued_at=issued_at,
            index=effect.index,
            keys=keys,
            milestones=milestones,
            lifecycle=lc,
        )
        return advanced, moves
    lc, moves = apply_changes(head.agency, head.lifecycle, effect.lifecycle)
    return replace(head, lifecycle=lc), moves
