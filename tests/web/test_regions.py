"""Region pages, official region names and the lifecycle statuses on the site, over the demo
with its lifecycle phase (registry/demo_lifecycle.py) plus three agencies of our own: a hostile
name in Kabupaten Grobogan, a unit below it, and one that registered Kota Palu under a wrong
name. Both languages, escaping, 404s, the field-office note and the page budget."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pakta_support import envelope_bytes, new_instance
from site_support import PAGE_BUDGET

from events import build_statement
from keys.ed25519 import b64, generate, load_private_key, public_bytes
from registry.read import places, queries
from registry.read.search import ALL_STATUSES, Filters, choices, search
from registry.write.instance import Instance
from web.wording import STATUS_TITLES

HOSTILE = '<script>alert("r")</script> & <b>Dinas</b>'
ESCAPED = "&lt;script&gt;alert(&#34;r&#34;)&lt;/script&gt; &amp; &lt;b&gt;Dinas&lt;/b&gt;"
ATOM = "{http://www.w3.org/2005/Atom}"
REGION_PAGES = ["/regions/33", "/regions/33.15", "/regions/74", "/regions/14.09", "/regions/11"]


def register(instance: Instance, service: Any, agency: str, body: dict[str, Any]) -> None:
    key = generate()
    payload = build_statement(
        "agency.registered",
        agency,
        0,
        None,
        "2026-01-05T09:00:00+07:00",
        {
            "parent": None,
            **body,
            "keys": [
                {"public_key": b64(public_bytes(key)), "role": "agency_head", "holder": "Kepala"}
            ],
        },
    )
    registrar = load_private_key(instance.registrar_key_path())
    service.registry.submit(envelope_bytes(payload, registrar))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    from registry.demo.loader import DemoLoader
    from registry.service import open_service

    folder: Path = tmp_path_factory.mktemp("regions") / "instance"
    instance = new_instance(folder)
    service = open_service(instance)
    try:
        DemoLoader(service.registry, instance.path, lifecycle=True).load()
        grobogan = {"kemendagri": "33.15", "bps": "3315", "name": "Kabupaten Grobogan"}
        register(
            instance,
            service,
            "dinas-uji-grobogan",
            {"name": HOSTILE, "kind": "perangkat_daerah", "region": grobogan},
        )
        register(
            instance,
            service,
            "puskesmas-uji",
            {
                "name": "Puskesmas Uji",
                "kind": "unit_kerja",
                "parent": "dinas-uji-grobogan",
                "region": grobogan,
            },
        )
        register(
            instance,
            service,
            "dinas-palu",
            {
                "name": "Dinas Kota Palu",
                "kind": "perangkat_daerah",
                "region": {"kemendagri": "72.71", "bps": "7271", "name": "Palu <i>kota</i>"},
            },
        )
    finally:
        service.close()
    return instance


def get(client: FlaskClient, url: str, lang: str = "id") -> str:
    response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
    assert response.status_code == 200, url
    return response.data.decode()


def item(page: str, name: str) -> str:
    """The row of one agency in a results table."""
    found = re.search(
        r"<tr[^>]*><th scope=\"row\"><a href=\"/agencies/[^\"]+\"><strong>"
        + re.escape(name)
        + r"</strong></a>.*?</tr>",
        page,
        re.S,
    )
    assert found, name
    return found.group(0)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_region_pages_render_within_budget(client: FlaskClient, lang: str) -> None:
    for url in REGION_PAGES:
        response = client.get(f"{url}?lang={lang}")
        assert response.status_code == 200, url
        assert len(response.data) <= PAGE_BUDGET, (url, len(response.data))
        assert f'<html lang="{lang}">'.encode() in response.data
        assert b"<script>" not in response.data


def test_regency_page_shows_both_codes_the_source_and_the_field_office(
    client: FlaskClient,
) -> None:
    page = get(client, "/regions/33.15")
    assert "<h1>Kabupaten Grobogan</h1>" in page
    assert '<a href="/regions/33">Provinsi Jawa Tengah</a>' in page  # up to the province
    assert "<code>33.15</code>" in page and "<code>3315</code>" in page
    assert "Daftar resmi, versi 2025" in page and "Keputusan Menteri Dalam Negeri" in page
    feed = '<a href="/regions/33.15/feed.atom">'
    assert feed in page and 'type="application/atom+xml" title="Kabupaten Grobogan"' in page
    office = item(page, "BPS Kabupaten Grobogan")
    assert "Berlokasi di sini, bukan bagian dari pemerintah daerah." in office
    assert "Instansi vertikal" in office and 'status-wbk">Berpredikat Menuju WBK<' in office
    # A regional office, and a unit under it, are the regional government: no note.
    assert "Berlokasi di sini" not in item(page, ESCAPED)
    assert "Berlokasi di sini" not in item(page, "Puskesmas Uji")
    assert page.index("Puskesmas Uji") < page.index("Instansi lain yang berlokasi di sini")
    assert page.index("BPS Kabupaten Grobogan</strong>") > page.index("Instansi lain yang")
    english = get(client, "/regions/33.15", "en")
    office = item(english, "BPS Kabupaten Grobogan")
    assert "Located here, not part of the regional government." in office
    assert "Kemendagri code" in english and "BPS code" in english and "Towards WBK" in english


def test_codes_differ_below_province_level(client: FlaskClient) -> None:
    page = get(client, "/regions/14.09")
    assert "<h1>Kabupaten Kuantan Singingi</h1>" in page
    assert "<code>14.09</code>" in page and "<code>1401</code>" in page
    assert 'href="/agencies/pemkab-kuantan-singingi"' in page


def test_province_page_lists_its_regencies_with_counts(client: FlaskClient) -> None:
    page = get(client, "/regions/33")
    assert "<h1>Provinsi Jawa Tengah</h1>" in page
    assert '<a href="/regions/33.11">Kabupaten Sukoharjo</a> <span class="muted">(1)</span>' in page
    assert '<a href="/regions/33.15">Kabupaten Grobogan</a> <span class="muted">(3)</span>' in page
    # Agencies of its regencies are listed too, each with where it sits.
    office = item(page, "BPS Kabupaten Grobogan")
    assert '<a href="/regions/33.15">Kabupaten Grobogan</a>' in office
    assert "Berlokasi di sini" in office
    assert "Berlokasi di sini" not in item(page, "Pemerintah Kabupaten Sukoharjo")
    assert "Berlokasi di sini" in item(page, "Ombudsman RI Perwakilan Jawa Tengah")
    assert ESCAPED in page and "<script>alert" not in page
    # Unit statuses with links to the matching search.
    assert 'href="/agencies?status=wbk&amp;province=33"' in page
    sultra = get(client, "/regions/74", "en")
    assert "Predicate revoked" in sultra and "Awarded Towards WBK" in sultra
    empty = get(client, "/regions/11")  # Aceh: official, no agencies yet
    assert "<h1>Provinsi Aceh</h1>" in empty and "Belum ada yang tercatat." in empty


def test_region_feed_link_works(client: FlaskClient) -> None:
    page = get(client, "/regions/33.15")
    href = re.search(r'<a href="(/regions/33\.15/feed\.atom)">', page)
    assert href
    feed = client.get(href.group(1))
    assert feed.mimetype == "application/atom+xml"
    root = ET.fromstring(feed.data)
    assert root.findtext(ATOM + "title") == "[DATA DEMO] Pakta: Kabupaten Grobogan"
    assert "DATA DEMO" in (root.findtext(ATOM + "subtitle") or "")
    assert list(root.iter(ATOM + "entry"))


@pytest.mark.parametrize("code", ["99", "33.99", "9999", "33.1", "abc", '<script>x"', "33.15.01"])
def test_unknown_region_codes_are_404_with_a_clear_message(client: FlaskClient, code: str) -> None:
    response = client.get(f"/regions/{code}")
    assert response.status_code == 404
    page = response.data.decode()
    assert "Tidak ada wilayah dengan kode Kemendagri" in page
    assert "<script>x" not in page
    if code.startswith("<"):
        assert "&lt;script&gt;x&#34;" in page  # the code is echoed, escaped
    english = client.get(f"/regions/{code}?lang=en").data.decode()
    assert "There is no region with Kemendagri code" in english


def test_official_names_replace_the_registered_ones(client: FlaskClient) -> None:
    home = get(client, "/")
    assert '<a href="/regions/72.71">Kota Palu</a>' in home
    assert '<a href="/regions/33">Provinsi Jawa Tengah</a>' in home
    assert "Palu &lt;i&gt;" not in home and "Palu <i>" not in home
    search = get(client, "/agencies?q=palu")
    assert '<a href="/regions/72.71">Kota Palu</a>, <a href="/regions/72">' in search
    assert '<option value="72.71">Kota Palu</option>' in get(client, "/agencies")
    agency = get(client, "/agencies/dinas-palu")
    assert '<a href="/regions/72.71">Kota Palu</a>' in agency


def test_agency_page_links_its_regions_and_says_where_it_does_not_belong(
    client: FlaskClient,
) -> None:
    page = get(client, "/agencies/bps-kabupaten-grobogan")
    assert (
        '<a href="/regions/33.15">Kabupaten Grobogan</a>, '
        '<a href="/regions/33">Provinsi Jawa Tengah</a>'
    ) in page
    assert "bukan bagian dari pemerintah daerahnya" in page
    assert "bukan bagian dari pemerintah daerahnya" not in get(client, "/agencies/pemkab-sukoharjo")
    english = get(client, "/agencies/bps-kabupaten-grobogan", "en")
    assert "not part of its regional government" in english


def test_status_filter_offers_every_lifecycle_status_in_both_languages(
    app: Flask, client: FlaskClient
) -> None:
    with app.extensions["pakta"].read() as db:
        statuses = choices(db)["statuses"]
    assert statuses[:2] == ["registered", "pact_signed"] and set(STATUS_TITLES) <= set(statuses)
    for lang in ("id", "en"):
        page = get(client, "/agencies", lang)
        for code, title in STATUS_TITLES.items():
            box = rf'<input type="checkbox" name="status" value="{code}"> '
            assert re.search(box + rf"{re.escape(title[lang])} \(\d+\)</label>", page), (lang, code)
    chosen = get(client, "/agencies?status=revoked&status=wbk", "en")
    assert 'value="revoked" checked> Predicate revoked (1)</label>' in chosen
    assert 'value="wbk" checked> Awarded Towards WBK' in chosen


def test_search_by_each_status_returns_exactly_the_agencies_with_it(app: Flask) -> None:
    with app.extensions["pakta"].read() as db:
        by_status(db)


def by_status(db: Any) -> None:
    everyone = queries.find_agencies(db)
    counts = choices(db)["status_counts"]
    for status in ALL_STATUSES:
        found = search(db, Filters(status=(status,)), per_page=100)
        expected = {a["agency"] for a in everyone if a["status"] == status}
        assert {r["agency"] for r in found["rows"]} == expected, status
        assert found["total"] == counts[status] == len(expected)
    # Hand-worked from registry/demo/: who reached which outcome.
    assert "bps-kabupaten-grobogan" in {
        r["agency"] for r in search(db, Filters(status=("wbk",)))["rows"]
    }
    revoked = search(db, Filters(status=("revoked",), province="74"))
    assert [r["agency"] for r in revoked["rows"]] == ["rsud-bahteramas"]
    assert search(db, Filters(status=("wbk",), regency="33.11"))["total"] == 0


def test_status_badges_use_the_lifecycle_titles(client: FlaskClient) -> None:
    page = get(client, "/agencies?status=wbk")
    assert '<span class="badge status-wbk">Berpredikat Menuju WBK</span>' in page
    english = get(client, "/agencies?province=74", "en")
    assert '<span class="badge status-revoked">Predicate revoked</span>' in english
    assert '<span class="badge status-building">Building</span>' in english
    agency = get(client, "/agencies/rsud-bahteramas", "en")
    assert '<span class="badge status-revoked">Predicate revoked</span>' in agency


def test_regional_government_follows_parents(app: Flask) -> None:
    with app.extensions["pakta"].read() as db:
        rows = [
            a
            for a in queries.find_agencies(db)
            if a["agency"]
            in {"puskesmas-uji", "itama-bps", "bps-kabupaten-grobogan", "rsud-bahteramas"}
        ]
        found = places.regional_government(db, rows)
    assert found == {
        "puskesmas-uji": True,  # a unit of a regional office
        "itama-bps": False,  # a central unit
        "bps-kabupaten-grobogan": False,  # a central field office
        "rsud-bahteramas": True,
    }
