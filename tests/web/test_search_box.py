"""The one search box: names word by word in any order with abbreviations, shortcuts that go
straight to an entry, a statement, a document, a key or a region (Kemendagri or BPS code), and
"did you mean" for a near miss (issue 13)."""

from __future__ import annotations

import hashlib
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.read import queries
from registry.write.instance import Instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("demo"), lifecycle=True)


def found(client: FlaskClient, q: str) -> list[str]:
    response = client.get("/agencies", query_string={"q": q})
    assert response.status_code == 200, q
    rows = r'<th scope="row"><a href="/agencies/([a-z0-9-]+)"><strong>'
    return re.findall(rows, response.data.decode())


@pytest.mark.parametrize(
    ("q", "agency"),
    [
        ("BPS Grobogan", "bps-kabupaten-grobogan"),
        ("Badan Pusat Statistik Grobogan", "bps-kabupaten-grobogan"),
        ("Kab. Grobogan", "bps-kabupaten-grobogan"),
        ("grobogan, BPS!", "bps-kabupaten-grobogan"),
        ("Bahteramas RSUD", "rsud-bahteramas"),
        ("Pemprov Sultra", "pemprov-sulawesi-tenggara"),
        ("Pemkab Kuansing", "pemkab-kuantan-singingi"),
        ("sulteng setda", "setda-sulawesi-tengah"),
    ],
)
def test_names_match_word_by_word(client: FlaskClient, q: str, agency: str) -> None:
    assert agency in found(client, q)


def test_an_entry_number_goes_to_the_entry(client: FlaskClient) -> None:
    response = client.get("/agencies?q=%2377")
    assert response.status_code == 303 and response.headers["Location"] == "/entries/77"


def test_a_number_that_is_also_a_province_code_offers_both(client: FlaskClient) -> None:
    page = client.get("/agencies?q=74").data.decode()
    assert '<a href="/entries/74">Entri log #74</a>' in page
    assert '<a href="/regions/74">Wilayah Provinsi Sulawesi Tenggara</a>' in page


def test_hashes_and_key_ids_go_to_what_they_name(app: Flask, client: FlaskClient) -> None:
    registry = app.extensions["pakta"].registry
    with app.extensions["pakta"].read() as db:
        row = queries.statement(db, 77)
        assert row is not None
        keys = queries.key_holders(db, row["signers"])
        document = row["documents"][0]["sha256"] if row["documents"] else None
    assert registry.size() > 77
    statement = client.get("/agencies", query_string={"q": row["hash"].upper()})
    assert statement.status_code == 303 and statement.headers["Location"] == "/entries/77"
    bare = client.get("/agencies", query_string={"q": row["hash"].removeprefix("sha256:")})
    assert bare.headers["Location"] == "/entries/77"
    assert document
    doc = client.get("/agencies", query_string={"q": document})
    assert doc.status_code == 303 and doc.headers["Location"].startswith("/documents?sha256=")
    keyid, holder = next(iter(keys.items()))
    key = client.get("/agencies", query_string={"q": keyid})
    assert key.status_code == 303 and key.headers["Location"] == f"/agencies/{holder['agency']}"


def test_a_leaf_hash_goes_to_its_entry(client: FlaskClient) -> None:
    for index in (0, 77):
        raw = client.get(f"/api/v1/entries/{index}/raw").data
        leaf = hashlib.sha256(b"\x00" + raw).hexdigest()  # RFC 9162 §2.1.1
        for q in (leaf, leaf.upper(), "sha256:" + leaf, f"  {leaf} "):
            response = client.get("/agencies", query_string={"q": q})
            assert response.status_code == 303, q
            assert response.headers["Location"] == f"/entries/{index}"
    # The entry's own hash (no 0x00 prefix) is not its leaf hash, and finds nothing.
    entry_hash = hashlib.sha256(client.get("/api/v1/entries/77/raw").data).hexdigest()
    page = client.get("/agencies", query_string={"q": entry_hash})
    assert page.status_code == 200 and "/entries/77" not in page.data.decode()


def test_region_codes_of_both_systems(client: FlaskClient) -> None:
    for q in ("3315", "33.15"):
        response = client.get("/agencies", query_string={"q": q})
        assert response.status_code == 303 and response.headers["Location"] == "/regions/33.15"
    moved = client.get("/regions/3315")
    assert moved.status_code == 301 and moved.headers["Location"] == "/regions/33.15"
    assert client.get("/regions/1401").headers["Location"] == "/regions/14.09"  # BPS ≠ Kemendagri
    assert found(client, "") and "bps-kabupaten-grobogan" in found_regency(client, "3315")
    assert client.get("/regions/9999").status_code == 404


def found_regency(client: FlaskClient, code: str) -> list[str]:
    page = client.get("/agencies", query_string={"regency": code}).data.decode()
    return re.findall(r'<th scope="row"><a href="/agencies/([a-z0-9-]+)"><strong>', page)


def test_did_you_mean(client: FlaskClient) -> None:
    page = client.get("/agencies?q=grobogn").data.decode()
    assert 'Maksud Anda: <a href="/agencies?q=grobogan">grobogan</a>?' in page
    assert "Maksud Anda" not in client.get("/agencies?q=grobogan").data.decode()
    assert "Maksud Anda" not in client.get("/agencies?q=qqqqqq").data.decode()
    english = client.get("/agencies?q=bahtramas+rsud&lang=en").data.decode()
    assert 'Did you mean: <a href="/agencies?q=bahteramas+rsud' in english


def test_a_shortcut_with_other_filters_stays_a_search(client: FlaskClient) -> None:
    response = client.get("/agencies?q=3315&kind=instansi_vertikal")
    assert response.status_code == 200
    assert '<a href="/regions/33.15">Wilayah Kabupaten Grobogan</a>' in response.data.decode()
