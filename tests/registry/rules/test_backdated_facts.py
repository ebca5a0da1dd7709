"""Back-dated fact dates: a declaration posted today about last year is flagged, and the year
before a proposal counts from the day the log received it, unless a witness attested it at
the time (docs/design-decisions.md, "Back-dated fact dates"). Registry and audit agree."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from zi_world import World

from registry.audit.export import export
from registry.cli import main
from registry.read import lifecycle
from registry.rules.errors import RuleError
from registry.service import Service


def _audited_warnings(
    service: Service, folder: Path, capsys: pytest.CaptureFixture[str]
) -> set[tuple[str, int]]:
    """The warnings `pakta audit --report` derives from the exported log alone."""
    export(service.registry, folder)
    capsys.readouterr()
    assert main(["audit", str(folder), "--report", "--today", "2027-12-31"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("\n{") + 1 :])
    return {(x["code"], x["idx"]) for x in report["warnings"]}


def _declare_backdated(w: World, unit: str, declared_on: str) -> object:
    body = {
        "declared_on": declared_on,
        "target": "WBK",
        "units": [{"name": f"Unit {unit}", "agency": unit}],
        "place": "Aula",
    }
    return w.post("prov", "zi.declared", body)


def _warning_codes(service: Service, agency: str) -> set[tuple[str, int]]:
    with service.read() as db:
        found = lifecycle.warnings(db, agency=agency, today=date(2026, 12, 31))
    return {(x["code"], x["idx"]) for x in found}


def test_a_backdated_declaration_is_flagged_and_does_not_shorten_the_wait(
    sqlite_service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = World(sqlite_service.registry)
    w.on("2026-12-01")
    receipt = _declare_backdated(w, "dinas-a", "2025-11-20")
    w.designate("dinas-a")
    assert ("fact-backdated", receipt.index) in _warning_codes(sqlite_service, "prov")
    w.on("2026-12-02")
    evaluation = w.tpi("dinas-a")
    with pytest.raises(RuleError) as info:
        w.propose(["dinas-a"], evaluation)
    assert info.value.code == "too-early"
    assert "first recorded it on 2026-12-01" in str(info.value)
    assert "from 2027-12-01" in str(info.value)
    # A year after it reached the log, the proposal goes ahead.
    w.on("2027-12-01").propose(["dinas-a"], w.tpi("dinas-a"))
    assert ("fact-backdated", receipt.index) in _audited_warnings(
        sqlite_service, tmp_path / "export", capsys
    )


def test_a_witness_who_saw_it_at_the_time_keeps_the_declared_date(
    sqlite_service: Service, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    w = World(sqlite_service.registry)
    w.on("2026-12-01")
    receipt = _declare_backdated(w, "dinas-b", "2025-11-20")
    prov = w.agents["prov"]
    declaration = {"agency": "prov", "seq": prov.seq, "hash": receipt.statement_hash}
    attest = {"declaration": declaration, "witnessed_on": "2025-11-20", "capacity": "Hadir"}
    w.post("ombudsman", "zi.witnessed", attest, w.key("ombudsman", "witness"))
    w.designate("dinas-b")
    w.on("2026-12-02").propose(["dinas-b"], w.tpi("dinas-b"))
    _audited_warnings(sqlite_service, tmp_path / "export", capsys)  # the audit passes


def test_a_declaration_recorded_on_time_raises_no_warning(sqlite_service: Service) -> None:
    w = World(sqlite_service.registry)
    w.on("2026-12-01")
    receipt = _declare_backdated(w, "dinas-c", "2026-11-20")
    assert ("fact-backdated", receipt.index) not in _warning_codes(sqlite_service, "prov")
