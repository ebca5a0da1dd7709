"""A unit page's extras (issue 13): Open Graph and description tags that say the unit, its
status and date (and that the data is a demo), the "Laporkan ke SP4N-LAPOR!" link with the
unit's name, the survey-index minimums in the scores table, a witness listed once, and
"regional government department" for OPD in English."""

from __future__ import annotations

import re
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.write.instance import Instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("demo"), lifecycle=True)


def meta(page: str, prop: str) -> str:
    found = re.search(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', page)
    assert found, prop
    return found.group(1)


def test_open_graph_names_the_unit_its_status_and_date(client: FlaskClient) -> None:
    page = client.get("/agencies/rsud-bahteramas").data.decode()
    assert meta(page, "og:title") == "[DATA DEMO] RSUD Bahteramas · Predikat dicabut"
    assert "Dicanangkan 20 Januari 2025" in meta(page, "og:description")
    assert meta(page, "og:url").endswith("/agencies/rsud-bahteramas")
    assert meta(page, "description") == meta(page, "og:description")
    home = client.get("/").data.decode()
    assert meta(home, "og:title") and meta(home, "description")


def test_report_link_names_the_unit(client: FlaskClient) -> None:
    page = client.get("/agencies/rsud-bahteramas").data.decode()
    assert (
        '<a href="https://www.lapor.go.id/" rel="external noopener">Laporkan ke SP4N-LAPOR!</a>'
        in page
    )
    assert "dalam laporan Anda: <strong>RSUD Bahteramas</strong>" in page


def test_scores_table_shows_the_survey_index_minimums(app: Flask, client: FlaskClient) -> None:
    app.config["TODAY"] = date(2026, 11, 1)
    page = client.get("/agencies/rsud-bahteramas").data.decode()
    assert "<td>IPAK</td><td>17,5</td><td>indeks survei 3,60</td>" in page
    assert "<td>IPKP</td><td>17,5</td><td>indeks survei 3,20</td>" in page
    english = client.get("/agencies/rsud-bahteramas?lang=en").data.decode()
    assert "<td>IPAK</td><td>17.5</td><td>survey index 3.60</td>" in english


def test_opd_in_english(client: FlaskClient) -> None:
    page = client.get("/agencies/rsud-bahteramas?lang=en").data.decode()
    assert "Regional government department (OPD)" in page and "Regional office" not in page


def test_late_posting_notes_come_after_the_timeline(client: FlaskClient) -> None:
    page = client.get("/agencies/bps-kabupaten-grobogan").data.decode()
    timeline = page.index("<h2>Linimasa</h2>")
    assert page.index('id="warn-late-posting"') > timeline
    assert page.index('<h2 id="late-h">Catatan waktu pencatatan</h2>') > timeline
    rsud = client.get("/agencies/rsud-bahteramas").data.decode()
    assert rsud.index('id="warn-below-thresholds"') < rsud.index("<h2>Linimasa</h2>")


def test_glossary_explains_the_terms_and_is_linked(client: FlaskClient) -> None:
    page = client.get("/glossary").data.decode()
    for anchor in (
        "zi",
        "wbk",
        "wbbm",
        "tpi",
        "tpn",
        "lke",
        "ipak",
        "ipkp",
        "opd",
        "titik-periksa",
    ):
        assert f'<dt id="{anchor}">' in page, anchor
    english = client.get("/glossary?lang=en").data.decode()
    assert "regional government department" in english and "<h1>Glossary</h1>" in english
    unit = client.get("/agencies/rsud-bahteramas?lang=id").data.decode()
    assert 'href="/glossary">Apa itu ZI, WBK, WBBM, TPI, TPN, LKE, IPAK, IPKP?</a>' in unit
    assert 'href="/glossary">Daftar istilah</a>' in client.get("/").data.decode()
