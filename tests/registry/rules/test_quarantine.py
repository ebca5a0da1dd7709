"""A stolen key's effects are quarantined (issue: "Stolen keys, lying dates, moving rules").

A thief holding a unit head's key cancels an overdue action item: the overdue count drops.
Once the agency revokes that key from a moment before the theft, the unit's plan, overdue
items and warnings are computed again as if the thief's statement had no effect; it stays in
the log, marked invalidated. The registry's read model, its rebuild and the offline audit
agree."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from zi_world import WIB, World

from keys.ed25519 import key_id, public_bytes
from registry.audit.export import export
from registry.cli import main
from registry.read import awards, lifecycle
from registry.service import Service

TODAY = date(2024, 9, 1)


def _plan(service: Service) -> dict[str, dict[str, Any]]:
    with service.read() as db:
        plan = lifecycle.action_plan(db, "dinas-a", TODAY)
    return {i["item"]: i for area in plan["areas"] for i in area["items"]}


def _overdue(service: Service) -> set[str]:
    with service.read() as db:
        found = lifecycle.warnings(db, agency="dinas-a", today=TODAY)
    return {w["subject"] for w in found if w["code"] == "item-overdue"}


def _raised(service: Service) -> set[tuple[str, int]]:
    with service.read() as db:
        found = lifecycle.warnings(db, agency="dinas-a", today=TODAY)
    return {(w["code"], w["idx"]) for w in found}


def _audit(service: Service, folder: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    export(service.registry, folder)
    capsys.readouterr()
    assert main(["audit", str(folder), "--report", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    report: dict[str, Any] = json.loads(out[out.index("\n{") + 1 :])
    return report


def test_a_stolen_keys_cancellation_is_undone_by_the_revocation(
    sqlite_service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = World(sqlite_service.registry)
    w.on("2024-01-10").declare(["dinas-a"])
    w.designate("dinas-a")
    w.plan("dinas-a", {"PP-01": "2024-06-30", "MP-01": "2024-12-31"})
    stolen = w.key("dinas-a", "unit_head")
    assert _overdue(sqlite_service) == {"PP-01"}

    w.on("2024-08-01")
    theft = w.post(
        "dinas-a",
        "action_plan.revised",
        {
            "revised_on": w.today,
            "redated": [],
            "cancelled": [{"item": "PP-01", "reason": "Tidak diperlukan"}],
            "added": [],
        },
        stolen,
    )
    assert _plan(sqlite_service)["PP-01"]["state"] == "cancelled"
    assert _overdue(sqlite_service) == set()

    w.on("2024-08-20")
    revocation = w.post(
        "dinas-a",
        "key.revoked",
        {
            "keyid": key_id(public_bytes(stolen)),
            "effective_from": datetime(2024, 7, 15, tzinfo=WIB).isoformat(),
            "reason": "compromised",
        },
    )
    item = _plan(sqlite_service)["PP-01"]
    assert item["state"] == "open" and item["overdue"]
    assert _overdue(sqlite_service) == {"PP-01"}
    head = sqlite_service.registry.head("dinas-a")
    assert head is not None and head.lifecycle.voided == (theft.index,)
    with sqlite_service.read() as db:
        warnings = lifecycle.warnings(db, agency="dinas-a", today=TODAY)
    assert any(x["code"] == "signed-by-revoked-key" for x in warnings)

    # The thief's statement is still in the log, marked invalidated; the audit derives the
    # same plan and overdue items from the log alone, and the rebuild equals the live model.
    report = _audit(sqlite_service, tmp_path / "export", capsys)
    assert {"idx": theft.index, "keyid": key_id(public_bytes(stolen)),
            "revoked_by": revocation.index} in report["invalidated"]  # fmt: skip
    audited = {w["subject"] for w in report["warnings"] if w["code"] == "item-overdue"}
    assert audited == {"PP-01"}
    live = sqlite_service.projector.dump()
    sqlite_service.projector.rebuild()
    assert sqlite_service.projector.dump() == live


def test_a_statement_another_valid_key_also_signed_keeps_its_effect(
    sqlite_service: Service,
) -> None:
    w = World(sqlite_service.registry)
    w.on("2024-01-10").declare(["dinas-a"])
    w.designate("dinas-a")
    w.plan("dinas-a", {"PP-01": "2024-06-30"})
    operator = w.key("dinas-a", "operator")
    w.on("2024-08-01").progress("dinas-a", "PP-01", 100, operator, w.agents["dinas-a"].key)
    w.on("2024-08-20").post(
        "dinas-a",
        "key.revoked",
        {
            "keyid": key_id(public_bytes(operator)),
            "effective_from": datetime(2024, 7, 15, tzinfo=WIB).isoformat(),
            "reason": "compromised",
        },
    )
    # The unit's head countersigned the report: the stolen key alone could not have made it.
    assert _plan(sqlite_service)["PP-01"]["state"] == "done"
    head = sqlite_service.registry.head("dinas-a")
    assert head is not None and head.lifecycle.voided == ()


def test_an_item_the_thief_added_is_void_after_the_revocation(
    sqlite_service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = World(sqlite_service.registry)
    w.on("2024-01-10").declare(["dinas-a"])
    w.designate("dinas-a")
    w.plan("dinas-a", {"PP-01": "2024-12-31"})
    stolen = w.key("dinas-a", "unit_head")
    theft = w.on("2024-10-05").post(
        "dinas-a",
        "action_plan.revised",
        {
            "revised_on": "2024-08-01",
            "redated": [],
            "cancelled": [],
            "added": [
                {
                    "id": "PP-09",
                    "area": "pengawasan",
                    "output": "Butir palsu",
                    "target": "100%",
                    "due": "2024-08-15",
                    "responsible": "Sekretaris",
                    "evidence": "Laporan",
                }
            ],
        },
        stolen,
    )
    assert _plan(sqlite_service)["PP-09"]["state"] == "open"
    assert _overdue(sqlite_service) == {"PP-09"}
    assert ("late-posting", theft.index) not in _raised(sqlite_service)
    assert ("fact-backdated", theft.index) in _raised(sqlite_service)
    w.on("2024-10-10").post(
        "dinas-a",
        "key.revoked",
        {
            "keyid": key_id(public_bytes(stolen)),
            "effective_from": datetime(2024, 7, 15, tzinfo=WIB).isoformat(),
            "reason": "compromised",
        },
    )
    assert _plan(sqlite_service)["PP-09"]["state"] == "voided"
    assert ("fact-backdated", theft.index) not in _raised(sqlite_service)
    assert _overdue(sqlite_service) == set()
    report = _audit(sqlite_service, tmp_path / "export", capsys)
    assert not [x for x in report["warnings"] if x["code"] == "item-overdue"]
    # Every stored table equals what the log implies (the read model rebuilt and compared).
    assert main(["--instance", str(sqlite_service.instance.path), "fsck"]) == 0
    live = sqlite_service.projector.dump()
    sqlite_service.projector.rebuild()
    assert sqlite_service.projector.dump() == live


def test_an_award_signed_only_by_a_stolen_key_leaves_the_yearly_list(
    sqlite_service: Service,
) -> None:
    w = World(sqlite_service.registry)
    w.to_wbk("dinas-a")
    with sqlite_service.read() as db:
        assert [r["unit"] for r in awards.of_year(db, 2025)] == ["dinas-a"]
    stolen = w.key("tpn", "tpn")
    w.on("2025-12-20").post(
        "tpn",
        "key.revoked",
        {
            "keyid": key_id(public_bytes(stolen)),
            "effective_from": datetime(2025, 11, 1, tzinfo=WIB).isoformat(),
            "reason": "compromised",
        },
    )
    head = sqlite_service.registry.head("dinas-a")
    assert head is not None and head.lifecycle.predicate is None  # the rules undid the award
    with sqlite_service.read() as db:
        assert awards.of_year(db, 2025) == [] and awards.years(db) == []
    live = sqlite_service.projector.dump()
    sqlite_service.projector.rebuild()
    assert sqlite_service.projector.dump() == live
