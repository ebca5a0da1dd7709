"""The Zona Integritas lifecycle end to end on a real registry (SQLite): a unit's status on
its head after each step, co-signed declarations, and the notes that reach named units."""

from __future__ import annotations

import pytest
from zi_world import World

from registry.service import Service


@pytest.fixture
def world(sqlite_service: Service) -> World:
    return World(sqlite_service.registry)


def status(world: World, unit: str) -> str | None:
    head = world.registry.head(unit)
    assert head is not None
    return head.lifecycle.status


def test_a_unit_walks_from_declaration_to_wbk(world: World) -> None:
    world.on("2024-01-10").declare(["dinas-a"])
    assert status(world, "dinas-a") == "declared"
    world.designate("dinas-a")
    world.plan("dinas-a", {"PP-01": "2024-06-30", "MP-01": "2024-09-30"})
    assert status(world, "dinas-a") == "building"
    world.on("2025-02-01").progress("dinas-a", "PP-01")
    evaluation = world.tpi("dinas-a")
    assert status(world, "dinas-a") == "assessed"
    world.on("2025-03-01").propose(["dinas-a"], evaluation)
    assert status(world, "dinas-a") == "proposed"
    world.on("2025-09-01").national("dinas-a")
    assert status(world, "dinas-a") == "evaluated"
    world.on("2025-12-01").award("dinas-a")
    head = world.registry.head("dinas-a")
    assert head is not None and head.lifecycle.status == "wbk"
    assert head.lifecycle.to_json()["predicate"] == {
        "predicate": "WBK",
        "year": 2025,
        "on": "2025-12-01",
        "by": "tpn",
    }
    # The province's own chain moved; the unit's seq did not (notes change state only).
    assert head.seq == 2  # registered, plan, progress


def test_wbk_then_wbbm_then_revocation(world: World) -> None:
    world.to_wbk("dinas-a")
    world.on("2026-01-05")
    evaluation = world.tpi("dinas-a")
    world.propose(["dinas-a"], evaluation, target="WBBM")
    world.on("2026-09-01").award("dinas-a", "WBBM")
    assert status(world, "dinas-a") == "wbbm"
    world.on("2026-10-01").revoke("dinas-a", "WBBM")
    head = world.registry.head("dinas-a")
    assert head is not None and head.lifecycle.status == "revoked"
    assert head.lifecycle.predicate is None


def test_not_met_goes_back_to_building(world: World) -> None:
    world.on("2024-01-10").declare(["dinas-b"])
    world.designate("dinas-b")
    world.plan("dinas-b", {"PP-01": "2024-06-30"})
    world.on("2025-02-01")
    world.propose(["dinas-b"], world.tpi("dinas-b"))
    world.on("2025-12-01").not_awarded("dinas-b")
    assert status(world, "dinas-b") == "not_met"
    world.on("2026-01-10").plan("dinas-b", {"PP-02": "2026-06-30"})
    assert status(world, "dinas-b") == "building"


def test_unit_heads_countersign_the_declaration_in_one_envelope(world: World) -> None:
    unit_key = world.key("dinas-a", "unit_head")
    operator = world.key("dinas-b", "operator")
    body = {
        "declared_on": world.today,
        "target": "WBK",
        "units": [
            {"name": "Dinas A", "agency": "dinas-a"},
            {"name": "Dinas B", "agency": "dinas-b"},
        ],
        "place": "Aula",
    }
    prov = world.agents["prov"]
    receipt = world.post("prov", "zi.declared", body, prov.key, unit_key)
    assert receipt.seq == prov.seq
    from registry.rules.errors import RuleError

    with pytest.raises(RuleError) as refused:
        world.post("prov", "zi.declared", body, prov.key, operator)
    assert refused.value.code == "cosigner-not-allowed"
    with pytest.raises(RuleError) as alone:
        world.post("prov", "zi.declared", body, unit_key)
    assert alone.value.code == "signer-not-allowed"


def test_a_whole_agency_declaration_makes_the_agency_its_own_unit(world: World) -> None:
    world.register("bps-grobogan", kind="instansi_vertikal")
    world.post(
        "bps-grobogan",
        "zi.declared",
        {"declared_on": world.today, "target": "WBK", "units": [], "place": "Riptaloka"},
    )
    head = world.registry.head("bps-grobogan")
    assert head is not None and head.lifecycle.declared and head.lifecycle.designated
    world.plan("bps-grobogan", {"PP-01": "2024-06-30"})
    assert status(world, "bps-grobogan") == "building"
