"""The demo's lifecycle, checked against statuses worked out by hand from its steps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from registry.demo.lifecycle import EXPECTED_STATUS
from registry.demo.loader import DemoLoader
from registry.service import Service, open_service
from registry.write.instance import init_instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, int]]:
    folder = tmp_path_factory.mktemp("demo")
    instance = init_instance(
        folder / "instance",
        database_url=f"sqlite:///{folder / 'pakta.sqlite3'}",
        origin="test.pakta/log",
    )
    svc = open_service(instance)
    added = DemoLoader(svc.registry, instance.path).load()
    yield svc, added
    svc.close()


def test_statuses_match_the_hand_worked_expectations(demo: tuple[Service, int]) -> None:
    svc, _ = demo
    for unit, (status, predicate) in EXPECTED_STATUS.items():
        shown = svc.unit_status(unit)
        assert shown is not None, unit
        assert (shown["status"], shown["predicate"]) == (status, predicate), unit
        head = svc.registry.head(unit)
        assert head is not None and head.zi["status"] == status, unit


def test_step_dates_of_bps_grobogan(demo: tuple[Service, int]) -> None:
    svc, _ = demo
    shown = svc.unit_status("bps-kabupaten-grobogan")
    assert shown is not None
    assert [(s["step"], s["on_date"]) for s in shown["steps"]] == [
        ("declared", "2020-06-17"),
        ("building", "2020-06-22"),
        ("assessed", "2022-03-14"),
        ("proposed", "2022-04-20"),
        ("evaluated", "2022-07-12"),
        ("wbk", "2022-12-08"),
    ]
    plan = svc.action_plan("bps-kabupaten-grobogan", today=date(2026, 1, 1))
    items = {i["item"]: i for a in plan["areas"] for i in a["items"]}
    assert (items["TL-01"]["due_original"], items["TL-01"]["due_current"]) == (
        "2020-10-31",
        "2021-03-31",
    )
    assert plan["summary"]["done"] == 6 and plan["summary"]["overdue"] == 0


def test_warnings_and_invalidated_entries(demo: tuple[Service, int]) -> None:
    svc, _ = demo
    feed = svc.warnings(today=date(2026, 11, 1))
    found = {(w["code"], w["subject"]) for w in feed}
    assert ("below-thresholds", "rsud-bahteramas") in found
    assert ("prerequisites-missing", "dpmptsp-sultra") in found
    assert ("unwitnessed", "pemkab-kuantan-singingi") in found
    assert ("unwitnessed", "bps-kabupaten-grobogan") not in found  # the Ombudsman attested
    overdue = {w["agency"] for w in feed if w["code"] == "item-overdue"}
    assert {"pemprov-sulawesi-tengah", "pemkab-sukoharjo", "rs-jiwa-sultra"} <= overdue
    bad = svc.invalidated()
    assert [r["agency"] for r in bad] == ["rs-jiwa-sultra"]
    report = svc.statement(bad[0]["idx"])
    assert report is not None and report["body"]["reported_on"] == "2025-05-12"
    side = svc.scores("dpmptsp-sultra")
    assert side["sources"] == ["tpi", "tpn"] and side["meets"]["tpn"]


def test_loading_again_adds_nothing_and_the_view_rebuilds(demo: tuple[Service, int]) -> None:
    svc, added = demo
    assert added == svc.registry.size()
    assert DemoLoader(svc.registry, svc.instance.path).load() == 0
    live = svc.projector.dump()
    svc.projector.rebuild()
    assert svc.projector.dump() == live
