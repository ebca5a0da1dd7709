"""Property: random sequences of lifecycle commands, valid and invalid, (1) are accepted exactly
when an independent reference model of DOMAIN.md's rules says they may be, (2) leave each unit
in the status the reference expects, and (3) leave a read model equal to a rebuild from the
log. SQLite, a handful of examples: this runs the real registry end to end."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pakta_support import new_instance
from zi_world import World

from events import StatementError
from registry.read import lifecycle
from registry.rules.errors import RuleError
from registry.service import open_service

UNITS = ("dinas-a", "dinas-b", "dinas-kab")  # dinas-kab belongs to another government
ITEMS = ("PP-01", "PP-02")
LAST_DAY = date(2026, 10, 31)


@dataclass
class Unit:
    declared_on: date | None = None
    designated: bool = False
    items: set[str] = field(default_factory=set)
    tpi: list[tuple[Any, str]] = field(default_factory=list)  # (receipt, recommendation)
    proposal: bool = False
    predicate: str | None = None
    revoked_on: date | None = None
    status: str | None = None

    def active(self) -> bool:
        return self.declared_on is not None and self.designated


def one_year_after(day: date) -> date:
    """DOMAIN.md, proposal: "at least one year since the declaration". The same day a year
    later; after 29 February, 28 February (docs/design-decisions.md)."""
    try:
        return date(day.year + 1, day.month, day.day)
    except ValueError:
        return date(day.year + 1, 2, 28)


def two_years_after(day: date) -> date:
    """DOMAIN.md, step 12: "a revoked unit cannot be proposed again for 2 years"."""
    try:
        return date(day.year + 2, day.month, day.day)
    except ValueError:
        return date(day.year + 2, 2, 28)


# The unit's status after each kind of step, from DOMAIN.md's lifecycle (steps 2-12) as a table:
# for each step, the status it leads to from each status, when that differs from "the step's
# own status". A declaration starts the lifecycle once; building (steps 4-5: plans, progress)
# shows only while no assessment or decision stands, or again after "not met" (remedial
# guidance, the unit may be proposed again); every later step is the unit's status from then.
AFTER: dict[str, dict[str | None, str]] = {
    "declared": {
        s: s
        for s in (
            "building",
            "assessed",
            "proposed",
            "evaluated",
            "wbk",
            "wbbm",
            "not_met",
            "revoked",
        )
    },  # fmt: skip
    "building": {s: s for s in ("assessed", "proposed", "evaluated", "wbk", "wbbm", "revoked")},
}


def after(status: str | None, step: str) -> str:
    return AFTER.get(step, {}).get(status, step)


class Reference:
    """What DOMAIN.md allows, written from its text, not from registry/rules/."""

    def __init__(self) -> None:
        self.units = {u: Unit() for u in UNITS}

    def own(self, unit: str) -> bool:
        return unit != "dinas-kab"

    def run(self, w: World, command: tuple[Any, ...]) -> None:
        kind, unit = command[0], command[1]
        u = self.units[unit]
        day = w.day.date()
        if kind == "declare":
            ok = self.own(unit)
            if self._do(ok, lambda: w.declare([unit])):
                u.declared_on = u.declared_on or day
                u.status = after(u.status, "declared")
        elif kind == "designate":
            ok = self.own(unit) and not u.designated
            if self._do(ok, lambda: w.designate(unit)):
                u.designated = True
        elif kind == "plan":
            item = command[2]
            ok = u.active() and item not in u.items
            if self._do(ok, lambda: w.plan(unit, {item: "2025-06-30"})):
                u.items.add(item)
                u.status = after(u.status, "building")
        elif kind == "progress":
            item, done, head = command[2], command[3], command[4]
            ok = u.active() and item in u.items and (head or not done)
            keys = [w.key(unit, "operator")] + ([w.agents[unit].key] if head else [])
            if self._do(ok, lambda: w.progress(unit, item, 100 if done else 50, *keys)):
                u.status = after(u.status, "building")
        elif kind == "tpi":
            recommendation = command[2]
            ok = self.own(unit) and u.active()
            receipt = self._do(ok, lambda: w.tpi(unit, recommendation))
            if receipt:
                u.tpi.append((receipt, recommendation))
                u.status = after(u.status, "assessed")
        elif kind == "propose":
            target, fresh = command[2], command[3]
            if not u.tpi:
                return
            ref, rec = u.tpi[-1] if fresh or len(u.tpi) == 1 else u.tpi[-2]
            latest = ref is u.tpi[-1][0]
            ok = (
                self.own(unit)
                and u.active()
                and not u.proposal
                and latest
                and rec == "propose"
                and u.declared_on is not None
                and day >= one_year_after(u.declared_on)
                and not (u.revoked_on and day < two_years_after(u.revoked_on))
                and (target == "WBK" or u.predicate == "WBK")
            )
            if self._do(ok, lambda: w.propose([unit], ref, target=target)):
                u.proposal = True
                u.status = after(u.status, "proposed")
        elif kind == "national":
            if self._do(u.proposal, lambda: w.national(unit)):
                u.status = after(u.status, "evaluated")
        elif kind == "award":
            predicate = command[2]
            ok = u.proposal and (predicate == "WBK" or u.predicate == "WBK")
            if self._do(ok, lambda: w.award(unit, predicate)):
                u.predicate, u.proposal, u.tpi = predicate, False, []
                u.status = after(u.status, predicate.lower())
        elif kind == "not_awarded":
            if self._do(u.proposal, lambda: w.not_awarded(unit)):
                u.proposal, u.tpi = False, []
                u.status = after(u.status, "not_met")
        elif kind == "revoke":
            predicate = command[2]
            if self._do(u.predicate == predicate, lambda: w.revoke(unit, predicate)):
                u.predicate, u.proposal, u.tpi, u.revoked_on = None, False, [], day
                u.status = after(u.status, "revoked")

    @staticmethod
    def _do(allowed: bool, action: Any) -> Any:
        event("accepted" if allowed else "refused")
        try:
            receipt = action()
        except (RuleError, StatementError) as e:
            assert not allowed, f"refused what the rules allow: {e!r}"
            return None
        assert allowed, "accepted what a rule forbids"
        return receipt


# Most commands name dinas-a, which a fixed opening brings to an internal assessment, so that
# proposals, awards and revocations are reached; dinas-b starts from nothing.
unit_ = st.sampled_from(("dinas-a", "dinas-a", "dinas-a", "dinas-b", "dinas-kab"))
OPENING: list[tuple[Any, ...]] = [
    ("declare", "dinas-a"),
    ("designate", "dinas-a"),
    ("plan", "dinas-a", "PP-01"),
    ("wait", 200),
    ("wait", 200),
    ("tpi", "dinas-a", "propose"),
    ("propose", "dinas-a", "WBK", True),
]
target_ = st.sampled_from(("WBK", "WBK", "WBBM"))
commands = st.one_of(
    st.tuples(st.just("declare"), unit_),
    st.tuples(st.just("designate"), unit_),
    st.tuples(st.just("plan"), unit_, st.sampled_from(ITEMS)),
    st.tuples(st.just("progress"), unit_, st.sampled_from(ITEMS), st.booleans(), st.booleans()),
    st.tuples(st.just("tpi"), unit_, st.sampled_from(["propose", "propose", "not_propose"])),
    st.tuples(st.just("propose"), unit_, target_, st.sampled_from((True, True, False))),
    st.tuples(st.just("national"), unit_),
    st.tuples(st.just("award"), unit_, target_),
    st.tuples(st.just("not_awarded"), unit_),
    st.tuples(st.just("revoke"), unit_, target_),
    st.tuples(st.just("wait"), st.integers(min_value=20, max_value=200)),
)


@settings(
    max_examples=int(__import__("os").environ.get("PAKTA_PROPERTY_EXAMPLES", "8")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)
@given(st.lists(commands, min_size=5, max_size=20))
def test_random_commands_obey_the_rules_and_rebuild_identically(
    script: list[tuple[Any, ...]],
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        instance = new_instance(Path(tmp) / "instance", f"sqlite:///{Path(tmp) / 'pakta.sqlite3'}")
        svc = open_service(instance)
        try:
            w = World(svc.registry)
            w.register("pemkab", kind="pemerintah_kabupaten")
            w.register("dinas-kab", parent="pemkab")
            ref = Reference()
            w.on("2024-01-10")
            for command in OPENING + script:
                if command[0] == "wait":
                    day = min(w.day.date() + timedelta(days=command[1]), LAST_DAY)
                    w.on(day.isoformat())
                    continue
                ref.run(w, command)
            for unit in ref.units.values():
                event(f"status {unit.status}")
            for name, unit in ref.units.items():
                with svc.read() as db:
                    shown = lifecycle.unit_status(db, name)
                status = shown["status"] if shown else None
                assert (None if status == "registered" else status) == unit.status, name
                head = svc.registry.head(name)
                assert head is not None and head.lifecycle.status == unit.status
            live = svc.projector.dump()
            svc.projector.rebuild()
            assert svc.projector.dump() == live
        finally:
            svc.close()
