"""The yearly "Penerima predikat" lists (issue 13): the units awarded WBK/WBBM in a year with
their decree and its document hash, revoked awards marked, the years the log holds, and the
same rows as CSV and JSON. The expected list is read here straight from the signed statements
(`predicate.awarded` / `predicate.revoked` bodies), not from the read model."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.read import queries
from registry.write.instance import Instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("awards"), lifecycle=True)


def expected(app: Flask) -> dict[int, list[dict[str, Any]]]:
    """Every award by year, from the statements themselves: unit, predicate, decree,
    document and, if a later revocation of that predicate names the unit, its date."""
    by_year: dict[int, list[dict[str, Any]]] = {}
    with app.extensions["pakta"].read() as db:
        for st in queries.all_statements(db):
            body = st["body"]
            if st["type"] == "predicate.awarded":
                by_year.setdefault(body["year"], []).append(
                    {
                        "unit": body["unit"],
                        "predicate": body["predicate"],
                        "awarded_on": body["awarded_on"],
                        "decree": body["decree"],
                        "document": st["documents"][0]["sha256"],
                        "idx": st["idx"],
                        "revoked_on": None,
                    }
                )
            elif st["type"] == "predicate.revoked":
                for rows in by_year.values():
                    for row in rows:
                        if row["unit"] == body["unit"] and row["predicate"] == body["predicate"]:
                            row["revoked_on"] = row["revoked_on"] or body["revoked_on"]
    return by_year


def test_each_year_lists_its_awards_with_decree_and_revocation(
    app: Flask, client: FlaskClient
) -> None:
    model = expected(app)
    assert sorted(model) == [2022, 2026]  # the demo: BPS Grobogan 2022; Sultra 2026
    assert any(r["revoked_on"] for r in model[2026])
    latest = client.get("/predikat")
    assert latest.status_code == 302 and latest.headers["Location"] == "/predikat/2026"
    for year, rows in model.items():
        page = client.get(f"/predikat/{year}").get_data(as_text=True)
        assert f"<h1>Penerima predikat {year}</h1>" in page
        for other in model:  # the years offered are the years the log holds
            if other != year:
                assert f'<a href="/predikat/{other}">{other}</a>' in page
        positions = []
        for row in rows:
            assert f'<a href="/agencies/{row["unit"]}"><strong>' in page
            assert row["decree"] in page
            assert f'href="/documents?sha256={row["document"]}"' in page
            positions.append(page.index(f'<a href="/agencies/{row["unit"]}">'))
        assert positions == sorted(positions)
        revoked = [r for r in rows if r["revoked_on"]]
        assert page.count("Predikat dicabut pada") == len(revoked)
    bahteramas = client.get("/predikat/2026").get_data(as_text=True)
    assert "Predikat dicabut pada 15 September 2026" in bahteramas
    english = client.get("/predikat/2026?lang=en").get_data(as_text=True)
    assert "Designation revoked on 15 September 2026" in english


def test_the_downloads_hold_the_same_rows(app: Flask, client: FlaskClient) -> None:
    model = expected(app)
    size = app.extensions["pakta"].registry.size()
    for year, rows in model.items():
        table = list(csv.DictReader(io.StringIO(client.get(f"/predikat/{year}.csv").text)))
        data = client.get(f"/predikat/{year}.json").get_json()
        assert data["year"] == year and data["licence"] == "CC BY 4.0"
        for found in (table, data["awards"]):
            assert [(r["unit"], r["document_sha256"]) for r in found] == [
                (r["unit"], r["document"]) for r in rows
            ]
            assert [r["revoked_on"] or None for r in found] == [r["revoked_on"] for r in rows]
            assert [int(r["award_index"]) for r in found] == [r["idx"] for r in rows]
            for r in found:
                assert r["unit_url"].endswith(f"/agencies/{r['unit']}")
                assert r["document_check_url"].endswith(f"/documents?sha256={r['document_sha256']}")
                assert int(r["checkpoint_size"]) == size
                assert r["checkpoint_url"].endswith(f"/checkpoints/{size}")
                assert bool(r["revocation_url"]) == bool(r["revoked_on"])


def test_the_unit_page_glossary_and_home_link_the_lists(client: FlaskClient) -> None:
    unit = client.get("/agencies/dpmptsp-sultra").get_data(as_text=True)
    assert "Berpredikat Menuju WBK (2026)" in unit and 'href="/predikat/2026"' in unit
    revoked = client.get("/agencies/rsud-bahteramas").get_data(as_text=True)
    assert "Predikat WBK tahun 2026 dicabut pada 15 September 2026." in revoked
    grobogan = client.get("/agencies/bps-kabupaten-grobogan").get_data(as_text=True)
    assert 'href="/predikat/2022"' in grobogan
    assert 'href="/predikat"' in client.get("/glossary").get_data(as_text=True)
    assert 'href="/predikat"' in client.get("/").get_data(as_text=True)


def test_a_year_without_awards_and_bad_years(client: FlaskClient) -> None:
    empty = client.get("/predikat/2025")
    assert empty.status_code == 200
    assert "Belum ada unit kerja yang tercatat berpredikat pada tahun 2025." in empty.text
    assert client.get("/predikat/2025.json").get_json()["awards"] == []
    for bad in ("/predikat/99999", "/predikat/20x6", "/predikat/٢٠٢٦", "/predikat/2026.xml"):
        response = client.get(bad)
        assert response.status_code == 404, bad
