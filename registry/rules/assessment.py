"""Stateful guards of the assessment and outcome stages (DOMAIN.md, steps 8-12).

Internal evaluation by the TPI in its scope, submission windows, the agency head's proposal
(a TPI "propose", a year after the declaration, two years after a revocation, WBBM only over a
current WBK), the national evaluation and the TPN's award, non-award and revocation, and the
self-evaluation route. The figures come from the named regulation (`events.regulations`).
"""

from __future__ import annotations

from datetime import date, timedelta

from events import Statement
from events.dates import parse_date
from events.regulations import REGULATIONS
from registry.rules.errors import RuleError
from registry.rules.guards import Context, Heads, ancestors, own_unit, require_active, unit_head
from registry.rules.state import AgencyHead, Stage

# A declaration recorded, or attested by a witness, within this long of its date keeps its date.
ON_TIME = timedelta(days=30)


def counted_from(declared: Stage, heads: Heads) -> tuple[date, str]:
    """The day the waiting time after a declaration counts from, and why: its own date when
    the log received it within 30 days, or a witness says it saw it within 30 days of it;
    otherwise the day the log received it, so a back-dated declaration never shortens the
    wait (docs/design-decisions.md, "Back-dated fact dates")."""
    on = parse_date(declared.on)
    if declared.logged_on is None or parse_date(declared.logged_on) - on <= ON_TIME:
        return on, "declared"
    declarer = heads(declared.by)
    seen = declarer.lifecycle.attested.get(declared.seq) if declarer and declared.seq else None
    if seen is not None and parse_date(seen) - on <= ON_TIME:
        return on, "attested"
    return parse_date(declared.logged_on), "logged"


def internal_evaluation(st: Statement, ctx: Context) -> None:
    unit_id = st.body["unit"]
    unit = unit_head(unit_id, ctx.heads)
    if st.agency == unit_id or unit_id in ancestors(st.agency, ctx.heads):
        raise RuleError(
            "tpi-is-assessed-unit",
            f"the TPI {st.agency!r} belongs to the unit {unit_id!r} it assesses",
        )
    grant = ctx.own.lifecycle.roles.get("tpi")
    scope = set(grant.scope) if grant else set()
    if not scope & {unit_id, *ancestors(unit_id, ctx.heads)}:
        raise RuleError(
            "tpi-out-of-scope",
            f"{st.agency!r} is not the internal assessment team for {unit_id!r}",
        )
    require_active(unit_id, unit)


def window(st: Statement, ctx: Context) -> None:
    if st.body["year"] in ctx.own.lifecycle.windows:
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
    held = unit.lifecycle.predicate
    if held is None or held.predicate != "WBK":
        raise RuleError(
            "wbbm-without-wbk",
            f"unit {unit_id!r} does not hold a current, unrevoked WBK: WBBM comes after it",
        )


def proposal(st: Statement, ctx: Context) -> None:
    body = st.body
    reg = REGULATIONS[body["regulation"]]
    submitted = parse_date(body["submitted_on"])
    for entry in body["units"]:
        unit_id = entry["unit"]
        unit = own_unit(st, unit_id, ctx.heads)
        require_active(unit_id, unit)
        lc = unit.lifecycle
        if lc.proposal is not None:
            raise RuleError(
                "already-proposed", f"unit {unit_id!r} is already proposed and awaits its outcome"
            )
        if (
            lc.tpi is None
            or lc.tpi.ref != entry["internal_evaluation"]
            or (lc.tpi.recommendation != "propose")
        ):
            raise RuleError(
                "no-tpi-recommendation",
                f"unit {unit_id!r}: the named internal evaluation is not the unit's latest, "
                "or it does not recommend proposing",
            )
        assert lc.declared is not None  # require_active
        start, why = counted_from(lc.declared, ctx.heads)
        earliest = _add_months(start, reg.months_after_declaration)
        if submitted < earliest:
            since = (
                f"was declared on {lc.declared.on}"
                if why != "logged"
                else f"was declared on {lc.declared.on}, but the log first recorded it on "
                f"{start} and no witness attested it at the time"
            )
            raise RuleError(
                "too-early",
                f"unit {unit_id!r} {since}: it may be proposed "
                f"from {earliest} ({reg.months_after_declaration} months, {reg.id})",
            )
        if lc.revoked_on is not None:
            until = _add_years(parse_date(lc.revoked_on), reg.reproposal_block_years)
            if submitted < until:
                raise RuleError(
                    "revoked-recently",
                    f"unit {unit_id!r} had its designation revoked on {lc.revoked_on}: it "
                    f"may be proposed again from {until}",
                )
        if entry["target"] == "WBBM":
            _wbbm_needs_wbk(unit_id, unit)


def _needs_proposal(unit_id: str, unit: AgencyHead) -> None:
    if unit.lifecycle.proposal is None:
        raise RuleError(
            "not-proposed", f"unit {unit_id!r} has no proposal awaiting a national decision"
        )


def awaiting_decision(st: Statement, ctx: Context) -> None:
    """A national evaluation or a non-award concerns a unit whose proposal awaits a decision."""
    unit_id = st.body["unit"]
    _needs_proposal(unit_id, unit_head(unit_id, ctx.heads))


def awarded(st: Statement, ctx: Context) -> None:
    body = st.body
    unit_id = body["unit"]
    if body["route"] == "national":
        if "tpn" not in ctx.roles:
            raise RuleError("award-not-by-tpn", "a national award is signed by the TPN (tpn key)")
        unit = unit_head(unit_id, ctx.heads)
        _needs_proposal(unit_id, unit)
    else:
        if ctx.own.lifecycle.self_evaluation is None:
            raise RuleError(
                "no-self-evaluation-grant",
                f"{st.agency!r} has not been granted self-evaluation by the TPN",
            )
        unit = own_unit(st, unit_id, ctx.heads)
        tpi = unit.lifecycle.tpi
        if tpi is None or tpi.recommendation != "propose":
            raise RuleError(
                "no-tpi-recommendation",
                f"unit {unit_id!r} has no internal evaluation recommending it",
            )
    if body["predicate"] == "WBBM":
        _wbbm_needs_wbk(unit_id, unit)


def revoked(st: Statement, ctx: Context) -> None:
    unit_id = st.body["unit"]
    held = unit_head(unit_id, ctx.heads).lifecycle.predicate
    if held is None or held.predicate != st.body["predicate"]:
        raise RuleError(
            "no-such-designation",
            f"unit {unit_id!r} does not hold {st.body['predicate']} now",
        )


def self_evaluation(st: Statement, ctx: Context) -> None:
    unit_head(st.body["agency"], ctx.heads)
