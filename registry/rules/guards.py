"""Stateful guards of the first stages: identity, keys, commitment, building and amendments.

A guard raises `RuleError` when the log so far forbids a statement (DOMAIN.md, "Rules:
reject"); it reads only the `Context` it is given: the statement's own head, any other head,
the roles that signed it, and a lookup of earlier statements by hash. The guards of the
assessment and outcome stages are in `registry.rules.assessment`; which guard a type runs is
its entry in `registry.rules.types`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from events import Statement
from events.fragments import ORG_ROLES
from keys.ed25519 import key_id, unb64
from registry.rules import signers
from registry.rules.errors import ConflictError, RuleError
from registry.rules.records import Ref
from registry.rules.state import AgencyHead

Heads = Callable[[str], "AgencyHead | None"]
Find = Callable[[str], "Ref | None"]
Holder = Callable[[str], "str | None"]
# An organisation's kind, set by the registrar at registration, implies these roles.
KIND_ROLES = {
    "lembaga_pengawas": frozenset({"witness"}),
    "masyarakat_sipil": frozenset({"witness"}),
    "tim_penilai": frozenset({"tpn"}),
}
_MAX_DEPTH = 16  # agency trees are shallow; a cycle cannot be registered, but stay bounded


@dataclass(frozen=True)
class Context:
    """What a guard may read: the statement's own `head` (None only at registration), the
    head of any agency, the roles of the own agency (or registrar) that signed, earlier
    statements by hash, and which agency holds a key."""

    head: AgencyHead | None
    heads: Heads
    roles: frozenset[str]
    find: Find
    key_holder: Holder = lambda keyid: None

    @property
    def own(self) -> AgencyHead:
        if self.head is None:
            raise RuleError("unknown-agency", "the agency is not registered")
        return self.head


Guard = Callable[[Statement, Context], None]


def check_chain(statement: Statement, head: AgencyHead | None) -> None:
    """The statement extends its agency's chain: registration first, then seq + 1 on `prev`,
    never going back in time."""
    if statement.type == "agency.registered":
        if head is not None:
            raise ConflictError(
                "agency-exists", f"agency {statement.agency!r} is already registered", head
            )
        return
    if head is None:
        raise RuleError("unknown-agency", f"agency {statement.agency!r} is not registered")
    expected = head.seq + 1
    if statement.seq != expected:
        raise ConflictError(
            "stale-seq",
            f"seq {statement.seq} does not extend agency {head.agency!r}: expected {expected}",
            head,
        )
    if statement.prev != head.hash:
        raise ConflictError(
            "stale-prev",
            f"prev {statement.prev} is not the hash of agency {head.agency!r}'s head {head.hash}",
            head,
        )
    if statement.issued_at < head.issued_at:
        raise RuleError(
            "not-chronological",
            f"issued_at {statement.issued_at_text} is earlier than the agency's previous "
            f"statement ({head.issued_at.isoformat()})",
        )


# -- helpers the guards share -----------------------------------------------------------------


def org_roles(head: AgencyHead) -> frozenset[str]:
    """The organisation roles an agency holds: granted, or implied by its registered kind."""
    return frozenset(head.lifecycle.roles) | KIND_ROLES.get(head.kind, frozenset())


def ancestors(agency: str, heads: Heads) -> list[str]:
    """The agency's parents, nearest first, as far as the log knows them."""
    out: list[str] = []
    current = heads(agency)
    while current is not None and current.parent is not None and len(out) < _MAX_DEPTH:
        out.append(current.parent)
        current = heads(current.parent)
    return out


def unit_head(agency: str, heads: Heads) -> AgencyHead:
    found = heads(agency)
    if found is None:
        raise RuleError("unknown-unit", f"unit {agency!r} is not a registered agency")
    return found


def own_unit(statement: Statement, unit: str, heads: Heads) -> AgencyHead:
    """`unit` must be the statement's agency or directly below it."""
    found = unit_head(unit, heads)
    if unit != statement.agency and found.parent != statement.agency:
        raise RuleError(
            "not-own-unit",
            f"{unit!r} is not a unit of {statement.agency!r} (its parent is {found.parent!r})",
        )
    return found


def require_active(unit: str, head: AgencyHead) -> None:
    lc = head.lifecycle
    missing = [
        step
        for step, done in (("designated", lc.designated), ("declared", lc.declared))
        if not done
    ]
    if missing:
        raise RuleError(
            "unit-not-active",
            f"unit {unit!r} is not yet {' and '.join(missing)}: it cannot act in the "
            "Zona Integritas lifecycle before",
        )


# -- identity and keys -----------------------------------------------------------------------


def registered(st: Statement, ctx: Context) -> None:
    parent = st.body["parent"]
    if parent is not None and ctx.heads(parent) is None:
        raise RuleError("unknown-parent", f"parent agency {parent!r} is not registered")
    for grant in st.body["keys"]:
        _not_held_elsewhere(st, ctx, grant["public_key"])


def _not_held_elsewhere(st: Statement, ctx: Context, public_key: str) -> None:
    """A key speaks for one agency: one already granted to another is refused (a shared key
    would make every signature by it ambiguous, and is most likely a mistake)."""
    kid = key_id(unb64(public_key))
    holder = ctx.key_holder(kid)
    if holder is not None and holder != st.agency:
        raise RuleError(
            "key-held-elsewhere",
            f"key {kid} is already granted to {holder!r}: each agency needs keys of its own",
        )


def key_added(st: Statement, ctx: Context) -> None:
    head = ctx.own
    kid = key_id(unb64(st.body["public_key"]))
    if kid in head.keys:
        raise RuleError("key-exists", f"key {kid} is already granted to this agency")
    _not_held_elsewhere(st, ctx, st.body["public_key"])
    role = st.body["role"]
    if role in ORG_ROLES and "registrar" not in ctx.roles and role not in org_roles(head):
        raise RuleError(
            "role-not-granted",
            f"{st.agency!r} does not hold the {role} role: only the registrar grants it "
            "(role.granted)",
        )


def key_revoked(st: Statement, ctx: Context) -> None:
    grant = ctx.own.keys.get(st.body["keyid"])
    if grant is None:
        raise RuleError("unknown-key", f"key {st.body['keyid']} is not a key of this agency")
    if grant.revoked_from is not None:
        raise RuleError("key-revoked", f"key {st.body['keyid']} is already revoked")


def role_granted(st: Statement, ctx: Context) -> None:
    if st.body["role"] in ctx.own.lifecycle.roles:
        raise RuleError("role-exists", f"{st.agency!r} already holds the {st.body['role']} role")
    for agency in st.body.get("scope", []):
        unit_head(agency, ctx.heads)


def role_changed(st: Statement, ctx: Context) -> None:
    role = st.body["role"]
    if role not in ctx.own.lifecycle.roles:
        implied = role in KIND_ROLES.get(ctx.own.kind, frozenset())
        why = f"its kind {ctx.own.kind!r} implies it" if implied else "it was never granted"
        raise RuleError(
            "role-not-granted",
            f"{st.agency!r} holds no {role} grant to change: {why}",
        )
    for agency in st.body.get("scope", []):
        unit_head(agency, ctx.heads)


# -- commitment ------------------------------------------------------------------------------


def declared_units(st: Statement) -> list[str]:
    """The registered units a declaration names (they may countersign it)."""
    return signers.named(st.type, st.body)


RECORDED = "zi.declaration_recorded"


def declared(st: Statement, ctx: Context) -> None:
    for unit in declared_units(st):
        own_unit(st, unit, ctx.heads)
    ref = st.body.get("confirms")
    if ref is not None:
        found = ctx.find(ref["hash"])
        if found is None or (found.agency, found.seq, found.type) != (
            st.agency,
            ref["seq"],
            RECORDED,
        ):
            raise RuleError(
                "unknown-record",
                f"no {RECORDED} statement {ref['hash']} at seq {ref['seq']} in "
                f"{st.agency!r}'s chain: a declaration confirms only what the registrar "
                "recorded for the same agency",
            )
        if ref["seq"] in ctx.own.lifecycle.confirmed:
            raise RuleError(
                "already-confirmed",
                f"the recorded declaration at seq {ref['seq']} is already confirmed",
            )


def witnessed(st: Statement, ctx: Context) -> None:
    ref = st.body["declaration"]
    found = ctx.find(ref["hash"])
    if found is None or (found.agency, found.seq, found.type) != (
        ref["agency"],
        ref["seq"],
        "zi.declared",
    ):
        raise RuleError(
            "unknown-declaration",
            f"no zi.declared statement {ref['hash']} at seq {ref['seq']} of {ref['agency']!r}",
        )
    if ref["agency"] in ancestors(st.agency, ctx.heads):
        raise RuleError(
            "witness-below-declarer",
            f"{st.agency!r} sits below the declaring agency {ref['agency']!r}: a witness is "
            "independent of it",
        )


def designated(st: Statement, ctx: Context) -> None:
    unit = own_unit(st, st.body["unit"], ctx.heads)
    if unit.lifecycle.designated is not None:
        raise RuleError("already-designated", f"unit {st.body['unit']!r} is already designated")


# -- building --------------------------------------------------------------------------------


def building(
    new: Callable[[Statement], list[str]], touched: Callable[[Statement], list[str]]
) -> Guard:
    """The guard of a building statement: the unit is designated and declared, the items it
    adds are new and the items it changes are in the plan and not cancelled."""

    def guard(st: Statement, ctx: Context) -> None:
        head = ctx.own
        require_active(st.agency, head)
        plan = head.lifecycle.plan
        for item in new(st):
            if item in plan:
                raise RuleError("item-exists", f"item {item} is already in the plan")
        for item in touched(st):
            if item not in plan:
                raise RuleError("unknown-item", f"item {item} is not in the unit's action plan")
            if plan[item].cancelled:
                raise RuleError("item-cancelled", f"item {item} was cancelled")

    return guard


def progress(st: Statement, ctx: Context) -> None:
    building(lambda st: [], lambda st: [st.body["item"]])(st, ctx)
    for condition in signers.unmet(st.type, st.body, ctx.roles):
        raise RuleError(condition.code, condition.message)


# -- amendments ------------------------------------------------------------------------------


def amendment(st: Statement, ctx: Context) -> None:
    target = st.body["target"]
    found = ctx.find(target["hash"])
    if found is None or (found.agency, found.seq) != (st.agency, target["seq"]):
        raise RuleError(
            "unknown-target",
            f"no statement {target['hash']} at seq {target['seq']} in {st.agency!r}'s chain: "
            "an agency corrects or retracts only its own statements",
        )
    if target["seq"] in ctx.own.lifecycle.retracted:
        raise RuleError("already-retracted", f"seq {target['seq']} is already retracted")
