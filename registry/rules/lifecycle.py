"""The Zona Integritas lifecycle as pure state: each unit's status, and the rules that need it.

A unit is an agency in the log (an OPD, a satker, or a whole agency that declared itself). Its
lifecycle state is a small JSON document kept on its `AgencyHead` (`head.zi`), changed by
*ops*: `ops_for(statement, index)` says which agencies a statement changes and how (its own
chain, and the units it names: a declaration, a TPI evaluation, a proposal, an award), and
`apply_ops` applies them. `check(...)` refuses what DOMAIN.md's rules forbid, reading the heads
of the agencies a statement names through a `Heads` callable. The registry (at append) and the
auditor (replaying the log) call the same functions; the read model uses `next_status` so the
public status is the one the rules saw. No SQL, no clock: "today" is never read here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from events import Statement
from events.catalog import ORG_ROLES
from events.dates import parse_date
from events.regulations import REGULATIONS
from registry.rules.errors import RuleError

if TYPE_CHECKING:
    from registry.rules.policy import AgencyHead

Heads = Callable[[str], "AgencyHead | None"]
Lookup = Callable[[str], "tuple[str, int, str] | None"]

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
STATUS_TITLES = {
    "declared": {"id": "Dicanangkan", "en": "Declared"},
    "building": {"id": "Pembangunan", "en": "Building"},
    "assessed": {"id": "Dinilai internal", "en": "Assessed internally"},
    "proposed": {"id": "Diusulkan", "en": "Proposed"},
    "evaluated": {"id": "Dievaluasi nasional", "en": "Evaluated nationally"},
    "wbk": {"id": "Menuju WBK", "en": "Towards WBK"},
    "wbbm": {"id": "Menuju WBBM", "en": "Towards WBBM"},
    "not_met": {"id": "Belum memenuhi", "en": "Not met"},
    "revoked": {"id": "Dicabut", "en": "Revoked"},
}
# Statements a unit makes while building; refused before it is designated and declared.
BUILDING_TYPES = frozenset(
    {
        "work_team.established",
        "action_plan.published",
        "action_plan.revised",
        "action_item.progress_reported",
        "monitoring.reported",
        "self_assessment.submitted",
    }
)
BUILDING_DATES = {
    "work_team.established": "established_on",
    "action_plan.published": "published_on",
    "action_plan.revised": "revised_on",
    "action_item.progress_reported": "reported_on",
    "monitoring.reported": "reported_on",
    "self_assessment.submitted": "assessed_on",
}
# An organisation's kind, set by the registrar at registration, implies these roles.
KIND_ROLES = {
    "lembaga_pengawas": frozenset({"witness"}),
    "masyarakat_sipil": frozenset({"witness"}),
    "tim_penilai": frozenset({"tpn"}),
}
_MAX_DEPTH = 16  # agency trees are shallow; a cycle cannot be registered, but stay bounded


def next_status(current: str | None, step: str) -> str:
    """The status after `step`: building never demotes a cycle already assessed or decided,
    except that a unit "not met" starts building again; every later step moves forward."""
    if step == "declared":
        return current or "declared"
    if step == "building":
        return "building" if current in (None, "declared", "not_met") else current
    return step


# -- ops: what a statement changes --------------------------------------------------------


def ops_for(statement: Statement, index: int) -> dict[str, list[dict[str, Any]]]:
    """The lifecycle ops of `statement`, by the agency they change (its own first)."""
    body = statement.body
    own = statement.agency
    out: dict[str, list[dict[str, Any]]] = {}
    op: dict[str, Any]

    def add(agency: str, op: dict[str, Any]) -> None:
        out.setdefault(agency, []).append(dict(op, index=index))

    t = statement.type
    if t == "agency.registered":
        for grant in body["keys"]:
            if grant["role"] in ORG_ROLES:
                scope = [body["parent"]] if grant["role"] == "tpi" and body["parent"] else []
                add(own, {"op": "role", "role": grant["role"], "scope": scope})
    elif t == "role.granted":
        add(own, {"op": "role", "role": body["role"], "scope": list(body.get("scope", []))})
    elif t == "zi.declared":
        units = [u["agency"] for u in body["units"] if u["agency"]] if body["units"] else [own]
        for unit in units:
            op = {"op": "declared", "on": body["declared_on"], "target": body["target"]}
            # A whole-agency declaration designates the agency itself as the unit.
            add(unit, dict(op, by=own, whole=not body["units"]))
    elif t == "unit.designated":
        add(body["unit"], {"op": "designated", "on": body["designated_on"], "by": own})
    elif t in BUILDING_TYPES:
        op = {"op": "building", "on": body[BUILDING_DATES[t]]}
        if t == "action_plan.published":
            op["add"] = {i["id"]: i["due"] for i in body["items"]}
        elif t == "action_plan.revised":
            op["add"] = {i["id"]: i["due"] for i in body["added"]}
            op["redate"] = {c["item"]: c["due"] for c in body["redated"]}
            op["cancel"] = [c["item"] for c in body["cancelled"]]
        elif t == "action_item.progress_reported" and body["status"] == "done":
            op["done"] = [body["item"]]
        add(own, op)
    elif t == "internal_evaluation.completed":
        add(
            body["unit"],
            {
                "op": "assessed",
                "on": body["evaluated_on"],
                "recommendation": body["recommendation"],
                "target": body["target"],
                "ref": {"agency": own, "seq": statement.seq, "hash": statement.hash},
            },
        )
    elif t == "submission_window.announced":
        add(own, {"op": "window", "year": body["year"]})
    elif t == "proposal.submitted":
        for unit in body["units"]:
            add(
                unit["unit"],
                {
                    "op": "proposed",
                    "on": body["submitted_on"],
                    "year": body["year"],
                    "target": unit["target"],
                    "by": own,
                },
            )
    elif t == "national_evaluation.recorded":
        add(body["unit"], {"op": "evaluated", "on": body["evaluated_on"], "stage": body["stage"]})
    elif t == "predicate.awarded":
        add(
            body["unit"],
            {"op": "awarded", "on": body["awarded_on"], "predicate": body["predicate"], "by": own},
        )
    elif t == "predicate.not_awarded":
        add(body["unit"], {"op": "not_met", "on": body["decided_on"]})
    elif t == "predicate.revoked":
        add(body["unit"], {"op": "revoked", "on": body["revoked_on"]})
    elif t == "self_evaluation.granted":
        add(
            body["agency"],
            {"op": "self_evaluation", "on": body["granted_on"], "regulation": body["regulation"]},
        )
    elif t == "statement.retracted":
        add(own, {"op": "retracted", "seq": body["target"]["seq"]})
    return out


def apply_ops(zi: Mapping[str, Any], ops: list[dict[str, Any]]) -> dict[str, Any]:
    """The lifecycle state after `ops`; `zi` is never changed in place."""
    out = dict(zi)
    for op in ops:
        kind = op["op"]
        if kind == "role":
            roles = dict(out.get("roles", {}))
            roles[op["role"]] = {"scope": op["scope"], "index": op["index"]}
            out["roles"] = roles
        elif kind == "declared":
            if "declared" not in out:  # the first declaration starts the clock
                out["declared"] = {"on": op["on"], "by": op["by"], "index": op["index"]}
            if op["whole"] and "designated" not in out:
                out["designated"] = {"on": op["on"], "by": op["by"], "index": op["index"]}
            out["target"] = op["target"]
            out["status"] = next_status(out.get("status"), "declared")
        elif kind == "designated":
            out["designated"] = {"on": op["on"], "by": op["by"], "index": op["index"]}
        elif kind == "building":
            plan = dict(out.get("plan", {}))
            for item, due in op.get("add", {}).items():
                plan[item] = {"due": due, "cancelled": False, "done": False}
            for item, due in op.get("redate", {}).items():
                plan[item] = dict(plan[item], due=due)
            for item in op.get("cancel", []):
                plan[item] = dict(plan[item], cancelled=True)
            for item in op.get("done", []):
                plan[item] = dict(plan[item], done=True)
            if plan:
                out["plan"] = plan
            out["status"] = next_status(out.get("status"), "building")
        elif kind == "assessed":
            out["tpi"] = {k: op[k] for k in ("on", "recommendation", "target", "ref")}
            out["status"] = next_status(out.get("status"), "assessed")
        elif kind == "window":
            out["windows"] = sorted({*out.get("windows", []), op["year"]})
        elif kind == "proposed":
            out["proposal"] = {k: op[k] for k in ("on", "year", "target", "by")}
            out["status"] = next_status(out.get("status"), "proposed")
        elif kind == "evaluated":
            out["status"] = next_status(out.get("status"), "evaluated")
        elif kind == "awarded":
            out["predicate"] = {"predicate": op["predicate"], "on": op["on"], "by": op["by"]}
            out.pop("proposal", None)
            out.pop("tpi", None)  # the next cycle needs a new internal evaluation
            out["status"] = next_status(out.get("status"), op["predicate"].lower())
        elif kind == "not_met":
            out.pop("proposal", None)
            out.pop("tpi", None)
            out["status"] = next_status(out.get("status"), "not_met")
        elif kind == "revoked":
            out.pop("predicate", None)
            out.pop("proposal", None)
            out.pop("tpi", None)
            out["revoked_on"] = op["on"]
            out["status"] = next_status(out.get("status"), "revoked")
        elif kind == "self_evaluation":
            out["self_evaluation"] = {"on": op["on"], "regulation": op["regulation"]}
        elif kind == "retracted":
            out["retracted"] = sorted({*out.get("retracted", []), op["seq"]})
        else:
            raise ValueError(f"unknown lifecycle op {kind!r}")
    return out


# -- rules that need the log --------------------------------------------------------------


def org_roles(head: AgencyHead) -> frozenset[str]:
    """The organisation roles an agency holds: granted, or implied by its registered kind."""
    return frozenset(head.zi.get("roles", {})) | KIND_ROLES.get(head.kind, frozenset())


def ancestors(agency: str, heads: Heads) -> list[str]:
    """The agency's parents, nearest first, as far as the log knows them."""
    out: list[str] = []
    current = heads(agency)
    while current is not None and current.parent is not None and len(out) < _MAX_DEPTH:
        out.append(current.parent)
        current = heads(current.parent)
    return out


def named_agencies(statement: Statement) -> list[str]:
    """Other agencies whose keys may countersign `statement` (its type's cosigner roles)."""
    if statement.type == "zi.declared":
        return [u["agency"] for u in statement.body["units"] if u["agency"]]
    return []


def check(
    statement: Statement,
    head: AgencyHead | None,
    heads: Heads,
    signer_roles: frozenset[str],
    lookup: Lookup,
) -> None:
    """Raise `RuleError` if the lifecycle forbids `statement` given the log's state so far."""
    rule = _RULES.get(statement.type)
    if rule is not None:
        rule(statement, head, heads, signer_roles, lookup)
    if statement.type in BUILDING_TYPES:
        assert head is not None
        _require_active(statement.agency, head)
        _building(statement, head, signer_roles)


def _day(text: str) -> date:
    return parse_date(text)


def _unit(agency: str, heads: Heads) -> AgencyHead:
    found = heads(agency)
    if found is None:
        raise RuleError("unknown-unit", f"unit {agency!r} is not a registered agency")
    return found


def _own_unit(statement: Statement, unit: str, heads: Heads) -> AgencyHead:
    """`unit` must be the statement's agency or directly below it."""
    found = _unit(unit, heads)
    if unit != statement.agency and found.parent != statement.agency:
        raise RuleError(
            "not-own-unit",
            f"{unit!r} is not a unit of {statement.agency!r} (its parent is {found.parent!r})",
        )
    return found


def _require_active(unit: str, head: AgencyHead) -> None:
    missing = [step for step in ("designated", "declared") if step not in head.zi]
    if missing:
        raise RuleError(
            "unit-not-active",
            f"unit {unit!r} is not yet {' and '.join(missing)}: it cannot act in the "
            "Zona Integritas lifecycle before",
        )


def _registered(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    parent = st.body["parent"]
    if parent is not None and heads(parent) is None:
        raise RuleError("unknown-parent", f"parent agency {parent!r} is not registered")


def _key_added(
    st: Statement, head: AgencyHead | None, heads: Heads, roles: frozenset[str], *_: Any
) -> None:
    assert head is not None
    role = st.body["role"]
    if role in ORG_ROLES and "registrar" not in roles and role not in org_roles(head):
        raise RuleError(
            "role-not-granted",
            f"{st.agency!r} does not hold the {role} role: only the registrar grants it "
            "(role.granted)",
        )


def _role_granted(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    assert head is not None
    if st.body["role"] in head.zi.get("roles", {}):
        raise RuleError("role-exists", f"{st.agency!r} already holds the {st.body['role']} role")
    for agency in st.body.get("scope", []):
        _unit(agency, heads)


def _declared(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    for unit in named_agencies(st):
        _own_unit(st, unit, heads)


def _witnessed(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    declarer = st.body["declaration"]["agency"]
    if declarer in ancestors(st.agency, heads):
        raise RuleError(
            "witness-below-declarer",
            f"{st.agency!r} sits below the declaring agency {declarer!r}: a witness is "
            "independent of it",
        )


def _designated(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    unit = _own_unit(st, st.body["unit"], heads)
    if "designated" in unit.zi:
        raise RuleError("already-designated", f"unit {st.body['unit']!r} is already designated")


def _building(st: Statement, head: AgencyHead, roles: frozenset[str]) -> None:
    plan: Mapping[str, Any] = head.zi.get("plan", {})
    body = st.body
    t = st.type
    if t in ("action_plan.published", "action_plan.revised"):
        new = body["items"] if t == "action_plan.published" else body["added"]
        for item in new:
            if item["id"] in plan:
                raise RuleError("item-exists", f"item {item['id']} is already in the plan")
    touched: list[str] = []
    if t == "action_plan.revised":
        touched = [c["item"] for c in body["redated"]] + [c["item"] for c in body["cancelled"]]
    elif t == "action_item.progress_reported":
        touched = [body["item"]]
    for item in touched:
        if item not in plan:
            raise RuleError("unknown-item", f"item {item} is not in the unit's action plan")
        if plan[item]["cancelled"]:
            raise RuleError("item-cancelled", f"item {item} was cancelled")
    if t == "action_item.progress_reported" and body["status"] == "done":
        if not roles & {"unit_head", "agency_head"}:
            raise RuleError(
                "completion-needs-head",
                "a report that an item is done is signed by the unit head (an operator's "
                "report is countersigned in the same envelope)",
            )


def _tpi(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    assert head is not None
    unit_id = st.body["unit"]
    unit = _unit(unit_id, heads)
    if st.agency == unit_id or unit_id in ancestors(st.agency, heads):
        raise RuleError(
            "tpi-is-assessed-unit",
            f"the TPI {st.agency!r} belongs to the unit {unit_id!r} it assesses",
        )
    grant = head.zi.get("roles", {}).get("tpi")
    scope = set(grant["scope"]) if grant else set()
    if not scope & {unit_id, *ancestors(unit_id, heads)}:
        raise RuleError(
            "tpi-out-of-scope",
            f"{st.agency!r} is not the internal assessment team for {unit_id!r}",
        )
    _require_active(unit_id, unit)


def _window(st: Statement, head: AgencyHead | None, *_: Any) -> None:
    assert head is not None
    if st.body["year"] in head.zi.get("windows", []):
        raise RuleError("window-exists", f"the {st.body['year']} window is already announced")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _add_months(day: date, months: int) -> date:
    years, month = divmod(day.month - 1 + months, 12)
    try:
        return day.replace(year=day.year + years, month=month + 1)
    except ValueError:
        return day.replace(year=day.year + years, month=month + 1, day=28)


def _wbbm_needs_wbk(unit_id: str, unit: AgencyHead) -> None:
    held = unit.zi.get("predicate")
    if held is None or held["predicate"] != "WBK":
        raise RuleError(
            "wbbm-without-wbk",
            f"unit {unit_id!r} does not hold a current, unrevoked WBK: WBBM comes after it",
        )


def _proposal(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    body = st.body
    reg = REGULATIONS[body["regulation"]]
    submitted = _day(body["submitted_on"])
    for entry in body["units"]:
        unit_id = entry["unit"]
        unit = _own_unit(st, unit_id, heads)
        _require_active(unit_id, unit)
        zi = unit.zi
        if zi.get("proposal") is not None:
            raise RuleError(
                "already-proposed", f"unit {unit_id!r} is already proposed and awaits its outcome"
            )
        tpi = zi.get("tpi")
        ref = entry["internal_evaluation"]
        if tpi is None or tpi["ref"] != ref or tpi["recommendation"] != "propose":
            raise RuleError(
                "no-tpi-recommendation",
                f"unit {unit_id!r}: the named internal evaluation is not the unit's latest, "
                "or it does not recommend proposing",
            )
        earliest = _add_months(_day(zi["declared"]["on"]), reg.months_after_declaration)
        if submitted < earliest:
            raise RuleError(
                "too-early",
                f"unit {unit_id!r} was declared on {zi['declared']['on']}: it may be proposed "
                f"from {earliest} ({reg.months_after_declaration} months, {reg.id})",
            )
        if "revoked_on" in zi:
            until = _add_years(_day(zi["revoked_on"]), reg.reproposal_block_years)
            if submitted < until:
                raise RuleError(
                    "revoked-recently",
                    f"unit {unit_id!r} had its designation revoked on {zi['revoked_on']}: it "
                    f"may be proposed again from {until}",
                )
        if entry["target"] == "WBBM":
            _wbbm_needs_wbk(unit_id, unit)


def _needs_proposal(unit_id: str, unit: AgencyHead) -> None:
    if unit.zi.get("proposal") is None:
        raise RuleError(
            "not-proposed", f"unit {unit_id!r} has no proposal awaiting a national decision"
        )


def _national(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    unit_id = st.body["unit"]
    _needs_proposal(unit_id, _unit(unit_id, heads))


def _awarded(
    st: Statement, head: AgencyHead | None, heads: Heads, roles: frozenset[str], *_: Any
) -> None:
    assert head is not None
    body = st.body
    unit_id = body["unit"]
    if body["route"] == "national":
        if "tpn" not in roles:
            raise RuleError("award-not-by-tpn", "a national award is signed by the TPN (tpn key)")
        unit = _unit(unit_id, heads)
        _needs_proposal(unit_id, unit)
    else:
        if "self_evaluation" not in head.zi:
            raise RuleError(
                "no-self-evaluation-grant",
                f"{st.agency!r} has not been granted self-evaluation by the TPN",
            )
        unit = _own_unit(st, unit_id, heads)
        tpi = unit.zi.get("tpi")
        if tpi is None or tpi["recommendation"] != "propose":
            raise RuleError(
                "no-tpi-recommendation",
                f"unit {unit_id!r} has no internal evaluation recommending it",
            )
    if body["predicate"] == "WBBM":
        _wbbm_needs_wbk(unit_id, unit)


def _not_awarded(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    unit_id = st.body["unit"]
    _needs_proposal(unit_id, _unit(unit_id, heads))


def _revoked(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    unit_id = st.body["unit"]
    held = _unit(unit_id, heads).zi.get("predicate")
    if held is None or held["predicate"] != st.body["predicate"]:
        raise RuleError(
            "no-such-designation",
            f"unit {unit_id!r} does not hold {st.body['predicate']} now",
        )


def _self_evaluation(st: Statement, head: AgencyHead | None, heads: Heads, *_: Any) -> None:
    _unit(st.body["agency"], heads)


def _amendment(
    st: Statement, head: AgencyHead | None, heads: Heads, roles: frozenset[str], lookup: Lookup
) -> None:
    assert head is not None
    target = st.body["target"]
    found = lookup(target["hash"])
    if found is None or found[:2] != (st.agency, target["seq"]):
        raise RuleError(
            "unknown-target",
            f"no statement {target['hash']} at seq {target['seq']} in {st.agency!r}'s chain: "
            "an agency corrects or retracts only its own statements",
        )
    if target["seq"] in head.zi.get("retracted", []):
        raise RuleError("already-retracted", f"seq {target['seq']} is already retracted")


_RULES: dict[str, Callable[..., None]] = {
    "agency.registered": _registered,
    "key.added": _key_added,
    "role.granted": _role_granted,
    "zi.declared": _declared,
    "zi.witnessed": _witnessed,
    "unit.designated": _designated,
    "internal_evaluation.completed": _tpi,
    "submission_window.announced": _window,
    "proposal.submitted": _proposal,
    "national_evaluation.recorded": _national,
    "predicate.awarded": _awarded,
    "predicate.not_awarded": _not_awarded,
    "predicate.revoked": _revoked,
    "self_evaluation.granted": _self_evaluation,
    "statement.corrected": _amendment,
    "statement.retracted": _amendment,
}
