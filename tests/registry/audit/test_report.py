"""What `pakta audit --report` derives from the raw log, without trusting the registry, is what
the site shows: every agency's status, every unit's stage dates, every warning (stored and
true today), every invalidated entry and every recorded declaration its agency confirmed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from golden_demo import load_fixed_demo
from sqlalchemy import select

from registry.audit.export import export
from registry.cli import main
from registry.read import lifecycle, queries, tables
from registry.service import Service

TODAY = date(2026, 11, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Path]]:
    folder = tmp_path_factory.mktemp("report")
    svc = load_fixed_demo(folder / "instance")
    export(svc.registry, folder / "export")
    yield svc, folder / "export"
    svc.close()


def audited(export_dir: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["audit", str(export_dir), "--report", "--today", TODAY.isoformat()]) == 0
    out = capsys.readouterr().out
    start = out.index("\n{") + 1
    found: dict[str, object] = json.loads(out[start:])
    return found


def test_the_audit_report_equals_what_the_site_shows(
    demo: tuple[Service, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    svc, export_dir = demo
    report = audited(export_dir, capsys)
    with svc.read() as db:
        statuses = {a["agency"]: a["status"] for a in queries.find_agencies(db)}
        steps = [
            {"unit": r.unit, "idx": r.idx, "step": r.step, "on": r.on_date}
            for r in db.execute(select(tables.steps).order_by(tables.steps.c.idx))
        ]
        shown = lifecycle.warnings(db, limit=100_000, today=TODAY)
        invalid = [
            {"idx": r.idx, "keyid": r.keyid, "revoked_by": r.revoked_index}
            for r in db.execute(select(tables.invalidated).order_by(tables.invalidated.c.idx))
        ]
        links = db.execute(select(tables.links).order_by(tables.links.c.idx))
        confirmed = [
            {"idx": r.target_idx, "by": r.idx, "on": r.reason}
            for r in links
            if r.kind == "confirmed"
        ]
    assert report["statuses"] == statuses
    key = lambda s: (s["idx"], s["unit"], s["step"])  # noqa: E731
    assert sorted(report["steps"], key=key) == sorted(steps, key=key)  # type: ignore[arg-type]
    site = sorted(
        ({k: w[k] for k in ("idx", "code", "agency", "subject", "message")} for w in shown),
        key=lambda w: (w["idx"], w["code"], w["subject"]),
    )
    assert report["warnings"] == site
    assert report["invalidated"] == invalid
    assert report["confirmed"] == confirmed  # tests/registry/test_confirm_recorded.py has some
    codes = {w["code"] for w in site}
    assert {"item-overdue", "unwitnessed", "below-thresholds", "signed-by-revoked-key"} <= codes
