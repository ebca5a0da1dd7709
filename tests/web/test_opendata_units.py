"""Open data per unit (issue 13): `/open-data/units.csv` and `.json` hold one row per unit with
its status, target, designation and its year, overdue items, warning kinds, region names and
both codes; every row is compared here with what the API's head (the rules' state) and the
unit's own page say."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.read import lifecycle, queries
from registry.read import regions as region_data
from registry.write.instance import Instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("units"), lifecycle=True)


def _files(client: FlaskClient) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    csv_response = client.get("/open-data/units.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True))))
    data = client.get("/open-data/units.json").get_json()
    assert data["licence"] == "CC BY 4.0"
    return table, data["units"]


def test_every_unit_row_says_what_its_page_and_the_api_say(app: Flask, client: FlaskClient) -> None:
    table, units = _files(client)
    assert [r["unit"] for r in table] == [u["unit"] for u in units]
    size = app.extensions["pakta"].registry.size()
    today = date.today()
    with app.extensions["pakta"].read() as db:
        agencies = [a["agency"] for a in queries.find_agencies(db, limit=10_000)]
    # A unit is an agency whose lifecycle has begun (designated or declared), per the rules.
    heads = {a: client.get(f"/api/v1/agencies/{a}").get_json() for a in agencies}
    expected = sorted(
        a for a, h in heads.items() if {"status", "declared", "designated"} & set(h["lifecycle"])
    )
    assert [u["unit"] for u in units] == expected
    for row, unit in zip(table, units, strict=True):
        head, lc = heads[unit["unit"]], heads[unit["unit"]]["lifecycle"]
        assert unit["status"] == lc.get("status", "registered")
        assert unit["target"] == lc.get("target")
        assert unit["predicate"] == (lc["predicate"]["predicate"] if "predicate" in lc else None)
        region = head["region"] or {}
        assert unit["region_kemendagri"] == region.get("kemendagri")
        assert unit["region_bps"] == region.get("bps")
        assert unit["region_name"] == region.get("name")
        if region.get("kemendagri"):
            province = region_data.region(region["kemendagri"][:2])
            assert province is not None and unit["province_name"] == province["name"]
            assert unit["province_bps"] == province["bps"]
        page = client.get(urlsplit(unit["unit_url"]).path)
        assert page.status_code == 200
        html = page.get_data(as_text=True)
        assert unit["name"] in html
        if unit["predicate"]:
            assert f"Berpredikat Menuju {unit['predicate']} ({unit['predicate_year']})" in html
        else:
            assert unit["predicate_year"] is None
        with app.extensions["pakta"].read() as db:
            plan = lifecycle.action_plan(db, unit["unit"], today)
            shown = lifecycle.warnings(db, agency=unit["unit"], today=today)
        assert unit["overdue_items"] == plan["summary"]["overdue"]
        assert unit["warning_kinds"] == sorted({w["code"] for w in shown})
        assert unit["overdue_on"] == today.isoformat()
        assert unit["checkpoint_size"] == size
        assert unit["checkpoint_url"].endswith(f"/checkpoints/{size}")
        # The CSV holds the same values, lists as space-separated words.
        assert row["warning_kinds"] == " ".join(unit["warning_kinds"])
        plain = {k: ("" if v is None else str(v)) for k, v in unit.items() if k != "warning_kinds"}
        assert {k: v for k, v in row.items() if k != "warning_kinds"} == plain
    # The demo has each kind of figure somewhere.
    assert any(u["overdue_items"] for u in units) and any(u["warning_kinds"] for u in units)
    assert {u["predicate_year"] for u in units} >= {2022, 2026}
    revoked = next(u for u in units if u["unit"] == "rsud-bahteramas")
    assert revoked["status"] == "revoked" and revoked["predicate"] is None


def test_the_open_data_page_offers_the_units_files(client: FlaskClient) -> None:
    page = client.get("/open-data").get_data(as_text=True)
    assert 'href="/open-data/units.csv"' in page and 'href="/open-data/units.json"' in page
    assert "<code>warning_kinds</code>" in page and 'href="/predikat"' in page
