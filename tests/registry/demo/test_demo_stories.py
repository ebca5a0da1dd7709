"""The demo's stories, checked against outcomes worked out by hand from their steps, and the
statements about a unit signed by others on the unit's own timeline and feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from golden_demo import load_fixed_demo
from site_support import ensure_translations
from sqlalchemy import select

from registry.read import lifecycle, queries, tables
from registry.service import Service
from web import close_app, create_app

# What the demo's units show, worked out by hand from registry/demo/*.py.
EXPECTED_STATUS = {
    "bps-kabupaten-grobogan": ("wbk", "WBK"),
    "setda-sulawesi-tengah": ("building", None),  # the province declared it as a unit
    "dpmptsp-sultra": ("wbk", "WBK"),
    "rsud-bahteramas": ("revoked", None),
    "rs-jiwa-sultra": ("assessed", None),
    "bappeda-sultra": ("building", None),
    "pemkab-sukoharjo": ("building", None),
    "pemkab-kuantan-singingi": ("declared", None),
}
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = load_fixed_demo(tmp_path_factory.mktemp("demo") / "instance")
    yield svc
    svc.close()


def test_statuses_match_the_hand_worked_expectations(demo: Service) -> None:
    with demo.read() as db:
        for unit, (status, predicate) in EXPECTED_STATUS.items():
            shown = lifecycle.unit_status(db, unit)
            assert shown is not None, unit
            assert (shown["status"], shown["predicate"]) == (status, predicate), unit
            head = demo.registry.head(unit)
            assert head is not None and head.lifecycle.status == status, unit


def test_step_dates_of_bps_grobogan(demo: Service) -> None:
    with demo.read() as db:
        shown = lifecycle.unit_status(db, "bps-kabupaten-grobogan")
        plan = lifecycle.action_plan(db, "bps-kabupaten-grobogan", date(2026, 1, 1))
    assert shown is not None
    assert [(s["step"], s["on_date"]) for s in shown["steps"]] == [
        ("declared", "2020-06-17"),
        ("building", "2020-06-22"),
        ("assessed", "2022-03-14"),
        ("proposed", "2022-04-20"),
        ("evaluated", "2022-07-12"),
        ("wbk", "2022-12-08"),
    ]
    items = {i["item"]: i for a in plan["areas"] for i in a["items"]}
    assert (items["TL-01"]["due_original"], items["TL-01"]["due_current"]) == (
        "2020-10-31",
        "2021-03-31",
    )
    assert [c["reason"] for c in items["TL-01"]["changes"]] == [
        "Menunggu SOP baru dari BPS Provinsi"
    ]
    assert plan["summary"]["done"] == 6 and plan["summary"]["overdue"] == 0


def test_warnings_and_invalidated_entries(demo: Service) -> None:
    with demo.read() as db:
        feed = lifecycle.warnings(db, today=date(2026, 11, 1))
        bad = [dict(r._mapping) for r in db.execute(select(tables.invalidated))]
        report = queries.statement(db, bad[0]["idx"])
        side = lifecycle.scores_side_by_side(db, "dpmptsp-sultra")
    found = {(w["code"], w["subject"]) for w in feed}
    assert ("below-thresholds", "rsud-bahteramas") in found
    assert ("prerequisites-missing", "dpmptsp-sultra") in found
    assert ("unwitnessed", "pemkab-kuantan-singingi") in found
    assert ("unwitnessed", "bps-kabupaten-grobogan") not in found  # the Ombudsman attested
    overdue = {w["agency"] for w in feed if w["code"] == "item-overdue"}
    assert {"setda-sulawesi-tengah", "pemkab-sukoharjo", "rs-jiwa-sultra"} <= overdue
    assert [r["agency"] for r in bad] == ["rs-jiwa-sultra"]
    assert report is not None and report["body"]["reported_on"] == "2025-05-12"
    assert side["sources"] == ["tpi", "tpn"] and side["meets"]["tpn"]


def _award_and_revocation(demo: Service) -> tuple[int, int]:
    """Where the TPN's award and revocation of RSUD Bahteramas's WBK landed in the log."""
    with demo.read() as db:
        rows = queries.timeline(db, "rsud-bahteramas")["rows"]
    award = next(r["idx"] for r in rows if r["type"] == "predicate.awarded")
    revocation = next(r["idx"] for r in rows if r["type"] == "predicate.revoked")
    return award, revocation


def test_statements_by_others_are_on_the_units_timeline(demo: Service) -> None:
    """The TPN's award and revocation of RSUD Bahteramas are the TPN's statements, yet they
    are about the unit: its timeline, status path and feed show them."""
    award, revocation = _award_and_revocation(demo)
    assert revocation > award
    with demo.read() as db:
        rsud = queries.timeline(db, "rsud-bahteramas")["rows"]
        grobogan = queries.timeline(db, "bps-kabupaten-grobogan")["rows"]
        path = lifecycle.unit_status(db, "rsud-bahteramas")
        feed = queries.recent(db, agency_id="rsud-bahteramas")
    by_index = {r["idx"]: r for r in rsud}
    assert by_index[award]["agency"] == by_index[revocation]["agency"] == "kemenpanrb-tpn"
    assert path is not None
    steps = [(s["step"], s["idx"]) for s in path["steps"]][-2:]
    assert steps == [("wbk", award), ("revoked", revocation)]
    assert [r["idx"] for r in feed][:2] == [revocation, award]
    assert grobogan[-1]["type"] == "predicate.awarded"
    assert grobogan[-1]["agency"] == "kemenpanrb-tpn"


def test_the_units_page_and_atom_feed_show_the_award_and_revocation(demo: Service) -> None:
    ensure_translations()
    award, revocation = _award_and_revocation(demo)
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(demo.instance.path)})
    try:
        client = app.test_client()
        page = client.get("/agencies/rsud-bahteramas").get_data(as_text=True)
        assert f'href="/entries/{award}"' in page and f'href="/entries/{revocation}"' in page
        feed = ET.fromstring(client.get("/agencies/rsud-bahteramas/feed.atom").data)
        links = [e.find(ATOM + "link").get("href", "") for e in feed.iter(ATOM + "entry")]
        assert links[0].endswith(f"/entries/{revocation}")
        assert links[1].endswith(f"/entries/{award}")
        region = ET.fromstring(client.get("/regions/74/feed.atom").data)
        hrefs = {e.find(ATOM + "link").get("href", "") for e in region.iter(ATOM + "entry")}
        assert any(h.endswith(f"/entries/{revocation}") for h in hrefs)
    finally:
        close_app(app)


def test_loading_again_adds_nothing_and_the_view_rebuilds(demo: Service, tmp_path: Path) -> None:
    from registry.demo.loader import DemoLoader

    assert DemoLoader(demo.registry, demo.instance.path).load() == 0
    live = demo.projector.dump()
    demo.projector.rebuild()
    assert demo.projector.dump() == live
