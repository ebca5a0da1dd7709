"""Every lifecycle rule of the registry (registry/lifecycle.py) on a real registry: for each,
one statement the rule accepts and one it refuses, with the refusal's code and message."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from zi_world import SCORES_WBK, World, doc

import registry.rules.guards
from events.regulations import AREAS
from keys.ed25519 import generate
from registry.rules.errors import RuleError
from registry.service import Service


@pytest.fixture
def w(sqlite_service: Service) -> World:
    return World(sqlite_service.registry)


def refused(code: str, fragment: str, action: Callable[[], Any]) -> None:
    with pytest.raises(RuleError) as info:
        action()
    assert info.value.code == code, str(info.value)
    assert fragment in str(info.value)


def active(w: World, unit: str, declared: str = "2024-01-10") -> None:
    w.on(declared).declare([unit])
    w.designate(unit)


TESTED: set[str] = set()


def rule(code: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    TESTED.add(code)
    return lambda f: f


@rule("unknown-parent")
def test_a_parent_must_be_registered(w: World) -> None:
    w.register("dinas-d", parent="prov")
    refused(
        "unknown-parent",
        "'nowhere' is not registered",
        lambda: w.register("dinas-e", parent="nowhere"),
    )


@rule("role-not-granted")
def test_only_the_registrar_makes_an_assessor_or_witness(w: World) -> None:
    w.key("ombudsman", "witness")  # a lembaga_pengawas holds the witness role by its kind
    w.key("dinas-a", "tpi", by_registrar=True)  # the registrar may grant any role
    refused("role-not-granted", "does not hold the tpn role", lambda: w.key("prov", "tpn"))


@rule("role-exists")
@rule("unknown-unit")
def test_role_grants_once_and_within_known_agencies(w: World) -> None:
    w.grant("dinas-b", "witness")
    refused("role-exists", "already holds the witness role", lambda: w.grant("dinas-b", "witness"))
    refused(
        "unknown-unit",
        "'ghost' is not a registered agency",
        lambda: w.grant("dinas-c", "tpi", ["ghost"]),
    )


@rule("not-own-unit")
def test_an_agency_declares_and_designates_only_its_own_units(w: World) -> None:
    w.register("pemkab", kind="pemerintah_kabupaten")
    w.register("dinas-kab", parent="pemkab")
    w.declare(["dinas-a"])
    refused("not-own-unit", "is not a unit of 'prov'", lambda: w.declare(["dinas-kab"]))
    w.designate("dinas-a")
    refused("not-own-unit", "is not a unit of 'prov'", lambda: w.designate("dinas-kab"))


@rule("already-designated")
def test_a_unit_is_designated_once(w: World) -> None:
    w.designate("dinas-a")
    refused("already-designated", "already designated", lambda: w.designate("dinas-a"))


@rule("witness-below-declarer")
def test_a_witness_is_independent_of_the_declarer(w: World) -> None:
    declared = w.declare(["dinas-a"])
    body = {
        "declaration": {"agency": "prov", "seq": declared.seq, "hash": declared.statement_hash},
        "witnessed_on": w.today,
        "capacity": "Saksi",
    }
    w.post("ombudsman", "zi.witnessed", body, w.key("ombudsman", "witness"))
    key = w.key("inspektorat", "witness", by_registrar=True)
    refused(
        "witness-below-declarer",
        "sits below the declaring agency 'prov'",
        lambda: w.post("inspektorat", "zi.witnessed", body, key),
    )


@rule("unit-not-active")
def test_a_unit_acts_only_once_designated_and_declared(w: World) -> None:
    w.declare(["dinas-a", "dinas-b"])
    w.designate("dinas-a")
    w.plan("dinas-a", {"PP-01": "2024-06-30"})
    refused(
        "unit-not-active",
        "'dinas-b' is not yet designated",
        lambda: w.plan("dinas-b", {"PP-01": "2024-06-30"}),
    )
    refused(
        "unit-not-active",
        "not yet designated and declared",
        lambda: w.plan("dinas-c", {"PP-01": "2024-06-30"}),
    )


@rule("item-exists")
@rule("unknown-item")
@rule("item-cancelled")
def test_plan_items_are_kept_redated_or_cancelled_never_reused(w: World) -> None:
    active(w, "dinas-a")
    w.plan("dinas-a", {"PP-01": "2024-06-30", "MP-01": "2024-07-31"})
    refused(
        "item-exists",
        "PP-01 is already in the plan",
        lambda: w.plan("dinas-a", {"PP-01": "2024-08-30"}),
    )
    revision = {
        "revised_on": w.today,
        "redated": [{"item": "PP-01", "due": "2024-09-30", "reason": "Anggaran"}],
        "cancelled": [{"item": "MP-01", "reason": "Digabung"}],
        "added": [],
    }
    w.post("dinas-a", "action_plan.revised", revision)
    w.progress("dinas-a", "PP-01", 50)
    refused(
        "unknown-item",
        "PP-09 is not in the unit's action plan",
        lambda: w.progress("dinas-a", "PP-09", 50),
    )
    refused("item-cancelled", "MP-01 was cancelled", lambda: w.progress("dinas-a", "MP-01", 50))


@rule("completion-needs-head")
def test_an_operator_reports_progress_and_the_head_countersigns_done(w: World) -> None:
    active(w, "dinas-a")
    w.plan("dinas-a", {"PP-01": "2024-06-30", "PP-02": "2024-06-30"})
    operator = w.key("dinas-a", "operator")
    w.progress("dinas-a", "PP-01", 40, operator)
    w.progress("dinas-a", "PP-01", 100, operator, w.agents["dinas-a"].key)
    refused(
        "completion-needs-head",
        "signed by the unit head",
        lambda: w.progress("dinas-a", "PP-02", 100, operator),
    )


@rule("tpi-is-assessed-unit")
def change_role(w: World, name: str, role: str, scope: list[str] | None) -> Any:
    body: dict[str, Any] = {
        "role": role,
        "changed_on": w.today,
        "change": "scope" if scope else "withdrawn",
        "basis": "Keputusan perubahan",
    }
    if scope:
        body["scope"] = scope
    return w.post(name, "role.changed", body, w.h.registrar)


@rule("role-withdrawn")
@rule("role-not-granted")
def test_the_registrar_widens_and_withdraws_a_tpi_scope(w: World) -> None:
    """A TPI registered for one government is given a second one, then withdrawn: its key
    stops signing as TPI, and a new grant restores it. Nothing it did is left stuck."""
    active(w, "dinas-a")
    w.register("pemkab", kind="pemerintah_kabupaten")
    w.register("dinas-kab", parent="pemkab")
    w.declare(["dinas-kab"], by="pemkab")
    w.designate("dinas-kab", by="pemkab")
    refused("tpi-out-of-scope", "'dinas-kab'", lambda: w.tpi("dinas-kab"))
    change_role(w, "inspektorat", "tpi", ["prov", "pemkab"])
    w.tpi("dinas-kab")
    w.tpi("dinas-a")
    change_role(w, "inspektorat", "tpi", None)
    refused(
        "role-withdrawn",
        "no longer holds the tpi role",
        lambda: w.tpi("dinas-a"),
    )
    refused(
        "role-not-granted",
        "holds no tpi grant to change: it was never granted",
        lambda: change_role(w, "inspektorat", "tpi", None),
    )
    refused(
        "role-not-granted",
        "holds no witness grant",
        lambda: change_role(w, "dinas-a", "witness", None),
    )
    w.grant("inspektorat", "tpi", ["prov"])
    w.tpi("dinas-a")
    head = w.registry.head("inspektorat")
    assert head.lifecycle.roles["tpi"].scope == ("prov",) and head.lifecycle.withdrawn == ()


@rule("tpi-out-of-scope")
def test_the_tpi_is_in_scope_and_not_the_assessed_unit(w: World) -> None:
    active(w, "dinas-a")
    w.tpi("dinas-a")
    w.register("pemkab", kind="pemerintah_kabupaten")
    w.register("inspektorat-kab", parent="pemkab")
    w.grant("inspektorat-kab", "tpi", ["pemkab"])
    w.key("inspektorat-kab", "tpi")
    refused(
        "tpi-out-of-scope",
        "is not the internal assessment team for 'dinas-a'",
        lambda: w.tpi("dinas-a", by="inspektorat-kab"),
    )
    w.grant("dinas-a", "tpi", ["prov"])
    w.key("dinas-a", "tpi")
    refused(
        "tpi-is-assessed-unit",
        "belongs to the unit 'dinas-a'",
        lambda: w.tpi("dinas-a", by="dinas-a"),
    )


@rule("window-exists")
def test_one_submission_window_a_year(w: World) -> None:
    body = {
        "year": 2024,
        "regulation": w.regulation,
        "opens_on": "2024-01-15",
        "deadline": "2024-05-31",
        "quota_per_agency": 5,
        "announced_on": w.today,
    }
    w.post("tpn", "submission_window.announced", body, w.key("tpn", "tpn"))
    refused(
        "window-exists",
        "2024 window is already announced",
        lambda: w.post("tpn", "submission_window.announced", body, w.key("tpn", "tpn")),
    )


@rule("no-tpi-recommendation")
@rule("too-early")
@rule("already-proposed")
def test_a_proposal_needs_a_tpi_propose_and_a_year(w: World) -> None:
    active(w, "dinas-a")
    active(w, "dinas-b")
    w.on("2024-11-01")
    early = w.tpi("dinas-a")
    refused("too-early", "may be proposed from 2025-01-10", lambda: w.propose(["dinas-a"], early))
    w.on("2025-02-01")
    no = w.tpi("dinas-b", recommendation="not_propose")
    refused(
        "no-tpi-recommendation", "does not recommend proposing", lambda: w.propose(["dinas-b"], no)
    )
    refused("no-tpi-recommendation", "not the unit's latest", lambda: w.propose(["dinas-b"], early))
    w.propose(["dinas-a"], early)
    refused("already-proposed", "already proposed", lambda: w.propose(["dinas-a"], early))


@rule("revoked-recently")
def test_no_reproposal_within_two_years_of_revocation(w: World) -> None:
    active(w, "dinas-b", "2024-01-09")
    w.to_wbk("dinas-a")
    w.on("2026-01-15").revoke("dinas-a")
    w.on("2026-02-01")
    evaluation = w.tpi("dinas-a")
    refused(
        "revoked-recently",
        "may be proposed again from 2028-01-15",
        lambda: w.propose(["dinas-a"], evaluation),
    )
    # The block is per unit: another unit of the same letter-writer goes ahead.
    w.propose(["dinas-b"], w.tpi("dinas-b"))


@rule("wbbm-without-wbk")
def test_wbbm_needs_a_current_wbk(w: World) -> None:
    active(w, "dinas-b")
    w.to_wbk("dinas-a", declared="2024-01-11")
    w.on("2025-12-02")
    evaluation = w.tpi("dinas-b")
    refused(
        "wbbm-without-wbk",
        "does not hold a current, unrevoked WBK",
        lambda: w.propose(["dinas-b"], evaluation, target="WBBM"),
    )
    w.on("2026-01-05")
    w.propose(["dinas-a"], w.tpi("dinas-a"), target="WBBM")


@rule("not-proposed")
@rule("award-not-by-tpn")
def test_national_steps_need_a_proposal_and_the_tpn(w: World) -> None:
    active(w, "dinas-a")
    refused("not-proposed", "no proposal awaiting", lambda: w.national("dinas-a"))
    refused("not-proposed", "no proposal awaiting", lambda: w.not_awarded("dinas-a"))
    w.on("2025-02-01").propose(["dinas-a"], w.tpi("dinas-a"))
    w.national("dinas-a")
    w.register("tpn-palsu", kind="tim_penilai")
    refused(
        "award-not-by-tpn",
        "signed by the TPN",
        lambda: w.award("dinas-a", "WBK", "national", "tpn-palsu", w.agents["tpn-palsu"].key),
    )
    w.award("dinas-a")


@rule("no-self-evaluation-grant")
def test_self_evaluation_awards_need_the_tpn_grant(w: World) -> None:
    active(w, "dinas-a")
    w.on("2025-02-01").tpi("dinas-a")
    refused(
        "no-self-evaluation-grant",
        "has not been granted self-evaluation",
        lambda: w.award("dinas-a", route="self_evaluation", by="prov"),
    )
    grant = {
        "agency": "prov",
        "regulation": w.regulation,
        "granted_on": w.today,
        "decree": "KepmenPANRB",
    }
    w.post("tpn", "self_evaluation.granted", grant, w.key("tpn", "tpn"))
    w.award("dinas-a", route="self_evaluation", by="prov")
    head = w.registry.head("dinas-a")
    assert head is not None and head.lifecycle.status == "wbk"


@rule("no-such-designation")
def test_only_a_held_designation_is_revoked(w: World) -> None:
    active(w, "dinas-b")
    refused("no-such-designation", "does not hold WBK now", lambda: w.revoke("dinas-b"))
    w.to_wbk("dinas-a")
    refused("no-such-designation", "does not hold WBBM now", lambda: w.revoke("dinas-a", "WBBM"))
    w.revoke("dinas-a")


@rule("unknown-target")
@rule("already-retracted")
def test_corrections_point_at_the_agencys_own_earlier_statement(w: World) -> None:
    declared = w.declare(["dinas-a"])
    target = {"seq": declared.seq, "hash": declared.statement_hash}
    correction = {
        "target": target,
        "reason": "Salah tempat",
        "corrections": [{"field": "/body/place", "correct_value": "Aula Merah Putih"}],
    }
    w.post("prov", "statement.corrected", correction)
    refused(
        "unknown-target",
        "corrects or retracts only its own",
        lambda: w.post("tpn", "statement.corrected", correction),
    )
    w.post("prov", "statement.retracted", {"target": target, "reason": "Ganda"})
    refused(
        "already-retracted",
        "already retracted",
        lambda: w.post("prov", "statement.retracted", {"target": target, "reason": "Lagi"}),
    )


@rule("cosigner-not-allowed")
def test_cosigners_come_from_named_units_in_allowed_roles(w: World) -> None:
    body = {
        "declared_on": w.today,
        "target": "WBK",
        "units": [{"name": "Dinas A", "agency": "dinas-a"}],
        "place": "Aula",
    }
    w.post("prov", "zi.declared", body, w.agents["prov"].key, w.key("dinas-a", "unit_head"))
    operator = w.key("dinas-a", "operator")
    refused(
        "cosigner-not-allowed",
        "may not countersign zi.declared",
        lambda: w.post("prov", "zi.declared", body, w.agents["prov"].key, operator),
    )
    stranger = generate()
    refused(
        "unknown-key",
        "is not known to the log",
        lambda: w.post("prov", "zi.declared", body, w.agents["prov"].key, stranger),
    )


def test_scores_and_documents_reach_the_rules_through_the_registry(w: World) -> None:
    """Stateless rules (events) refuse through the registry too, with their rule: code."""
    from events import StatementError

    active(w, "dinas-a")
    over = {"areas": dict(SCORES_WBK["areas"], sdm="10.5"), "results": SCORES_WBK["results"]}
    with pytest.raises(StatementError) as info:
        w.tpi("dinas-a", scores=over)
    assert info.value.code == "rule:score-exceeds-weight"
    assert set(AREAS) == set(SCORES_WBK["areas"])
    assert doc()["sha256"].startswith("sha256:")


def test_every_lifecycle_rule_code_is_tested() -> None:
    rules = Path(registry.rules.guards.__file__).parent
    source = "".join(p.read_text() for p in sorted(rules.glob("*.py")))
    codes = set(re.findall(r'(?:RuleError|ConflictError)\(\s*"([a-z-]+)"', source))
    # The lifecycle's codes have a case each above; the signing and chain codes are asserted
    # in the registry's own tests (tests/registry/write/test_app.py).
    here = Path(__file__).parents[1]
    elsewhere = "".join(
        p.read_text() for p in here.rglob("test_*.py") if p.name != Path(__file__).name
    )
    mentioned = {c for c in codes if f'"{c}"' in elsewhere}
    assert codes <= TESTED | mentioned, sorted(codes - TESTED - mentioned)
