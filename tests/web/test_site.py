"""The citizens' site over the demo registry with Flask's test client: pages in both languages,
search and filters, escaping, headers, feeds, open data, proof files and the verify bundle."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pakta_support import envelope_bytes
from site_support import PAGE_BUDGET, TRANSLATIONS, demo_instance

from events import build_statement, sha256_ref
from keys.ed25519 import b64, generate, key_id, load_private_key, public_bytes
from keys.note import NoteVerifier, open_note
from registry.demo import files
from registry.read import queries
from registry.read.search import Filters, search
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.proof import verify_proof
from registry.write.instance import Instance
from web.opendata import COLUMNS

ATOM = "{http://www.w3.org/2005/Atom}"
HOSTILE = '<script>alert("x")</script> & "Dinas" <b>'
PAGES = [
    "/",
    "/agencies",
    "/agencies?province=74&kind=perangkat_daerah",
    "/agencies/bps-kabupaten-grobogan",
    "/regions/33",
    "/regions/33.15",
    "/entries/0",
    "/entries/2",
    "/documents",
    "/about",
    "/open-data",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    instance = demo_instance(tmp_path_factory.mktemp("site") / "instance")
    # One agency whose name a citizen's browser must never run.
    from registry.service import open_service

    service = open_service(instance)
    try:
        key = generate()
        payload = build_statement(
            "agency.registered",
            "dinas-uji",
            0,
            None,
            "2024-01-02T09:00:00+07:00",
            {
                "name": HOSTILE,
                "kind": "perangkat_daerah",
                "parent": None,
                "region": {"kemendagri": "33.11", "bps": "3311", "name": "Kabupaten Sukoharjo"},
                "keys": [
                    {"public_key": b64(public_bytes(key)), "role": "agency_head", "holder": HOSTILE}
                ],
            },
        )
        registrar = load_private_key(instance.registrar_key_path())
        service.registry.submit(envelope_bytes(payload, registrar))
        correct_the_pact(service, instance)
    finally:
        service.close()
    return instance


def correct_the_pact(service: Any, instance: Instance) -> None:
    """Pemprov Sulawesi Tenggara corrects the signatory count of its demo pact."""
    agency = "pemprov-sulawesi-tenggara"
    head = service.registry.head(agency)
    with service.read() as db:
        chain = queries.timeline(db, agency)["rows"]
    pact = next(s for s in chain if s["type"] == "integrity_pact.signed")
    payload = build_statement(
        "statement.corrected",
        agency,
        head.seq + 1,
        head.hash,
        "2025-02-01T10:00:00+08:00",
        {
            "target": {"seq": pact["seq"], "hash": pact["hash"]},
            "reason": "Salah ketik <b>jumlah</b>",
            "corrections": [{"field": "/body/signatories", "correct_value": "37"}],
        },
    )
    key = load_private_key(instance.path / "demo-keys" / f"{agency}.key")
    service.registry.submit(envelope_bytes(payload, key))


def size(client: FlaskClient) -> int:
    return int(client.get("/api/v1/log").get_json()["size"])


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_renders_within_budget(client: FlaskClient, lang: str) -> None:
    for url in PAGES:
        response = client.get(url + ("&" if "?" in url else "?") + f"lang={lang}")
        assert response.status_code == 200, url
        assert len(response.data) <= PAGE_BUDGET, (url, len(response.data))
        assert f'<html lang="{lang}">'.encode() in response.data
        assert b"<script>" not in response.data  # only external, same-origin scripts


def test_english_switch_keeps_the_query_and_sets_a_cookie(client: FlaskClient) -> None:
    page = client.get("/agencies?province=74").data.decode()
    assert "Cari instansi" in page and 'href="/agencies?province=74&amp;lang=en"' in page
    english = client.get("/agencies?province=74&lang=en")
    assert "Find an agency" in english.data.decode()
    assert "lang=en" in english.headers["Set-Cookie"]
    again = client.get("/entries/2").data.decode()  # the cookie remembers the choice
    assert "Verify in my browser" in again and "Verifikasi di peramban saya" not in again


def test_every_message_has_an_english_translation() -> None:
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    root = TRANSLATIONS.parent.parent
    method_map = [("web/**.py", "python"), ("web/templates/**.html", "jinja2")]
    ids = {m[2] for m in extract_from_dir(str(root), method_map) if isinstance(m[2], str)}
    with (TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    missing = sorted(i for i in ids if not (catalog.get(i) and catalog.get(i).string))
    assert not missing, missing


def test_user_strings_are_escaped_everywhere(client: FlaskClient) -> None:
    search = client.get("/agencies?q=<script>alert(1)</script>").data
    assert b"<script>alert(1)</script>" not in search and b"&lt;script&gt;" in search
    hostile = client.get("/api/v1/agencies/dinas-uji").get_json()["head"]["index"]
    for url in [
        "/agencies?q=dinas",
        "/agencies/dinas-uji",
        "/",
        f"/entries/{hostile}",
        "/regions/33.11",
        "/regions/33",
    ]:
        page = client.get(url).data
        assert b"<script>alert" not in page and b"<b>" not in page, url
        assert b"&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page, url
    documents = client.get('/documents?sha256="><script>x</script>').data
    assert b"<script>x" not in documents and b"&#34;&gt;&lt;script&gt;" in documents
    feed = client.get("/feed.atom")
    titles = [e.findtext(ATOM + "title") for e in ET.fromstring(feed.data).iter(ATOM + "entry")]
    assert any(t and t.startswith(HOSTILE) for t in titles)  # parsed back exactly: escaped once


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/entries/2")
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "script-src 'self'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers
    secure = client.get("/", base_url="https://pakta.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Cookie" in response.headers["Vary"]


def test_search_filters_and_pagination(app: Flask, client: FlaskClient) -> None:
    with app.extensions["pakta"].read() as db:
        search_filters(db)
    page = client.get("/agencies?province=74&year=2025&q=sulawesi").data.decode()
    assert "Pemerintah Provinsi Sulawesi Tenggara" in page and "Bahteramas" not in page
    assert 'value="74" selected' in page and 'value="2025" selected' in page


def search_filters(db: Any) -> None:
    province = search(db, Filters(province="74"))
    assert province["total"] == 7  # five OPDs, the province and the Ombudsman office
    assert {r["agency"] for r in province["rows"]} >= {"rsud-bahteramas", "inspektorat-sultra"}
    regency = search(db, Filters(province="33", regency="33.15"))
    assert [r["agency"] for r in regency["rows"]] == ["bps-kabupaten-grobogan"]
    year = search(db, Filters(year="2020"))
    assert {r["agency"] for r in year["rows"]} == {
        "bps-kabupaten-grobogan",
        "ombudsman-jawa-tengah",
        "pemkab-kuantan-singingi",
    }
    kind = search(db, Filters(kind="pemerintah_kabupaten", status=("declared",)))
    assert [r["agency"] for r in kind["rows"]] == ["pemkab-kuantan-singingi", "pemkab-sukoharjo"]
    assert search(db, Filters(q="100%_"))["total"] == 0  # wildcards are text
    first = search(db, Filters(), page=1, per_page=5)
    last = search(db, Filters(), page=99, per_page=5)
    assert first["pages"] == last["pages"] == last["page"] == 3
    assert first["total"] == queries.stats(db, 0)["agencies"] == 14  # with two offices added
    assert not {r["agency"] for r in first["rows"]} & {r["agency"] for r in last["rows"]}


def test_region_index_on_home(client: FlaskClient) -> None:
    home = client.get("/").data.decode()
    assert '<a href="/regions/33">Provinsi Jawa Tengah</a> <span class="muted">(4)</span>' in home
    assert '<a href="/regions/33.15">Kabupaten Grobogan</a>' in home


def test_agency_page_explains_status_and_witnesses(client: FlaskClient) -> None:
    page = client.get("/agencies/bps-kabupaten-grobogan").data.decode()
    assert '<span class="badge status-declared">Dicanangkan</span>' in page
    assert "Pencanangan bukan predikat WBK/WBBM" in page  # what it does NOT mean
    attested = re.search(r"Bersaksi</span> <a href=\"/agencies/ombudsman-jawa-tengah\"", page)
    assert attested, "the Ombudsman signed its own attestation"
    # three names in the declaration, one in help; the Ombudsman attested, so it is not
    # also listed as only named
    assert page.count("Hanya disebut") == 2 + 1
    assert "Sekretaris Daerah Grobogan Moh Sumarsono" in page
    assert 'href="/agencies/bps-kabupaten-grobogan/feed.atom"' in page


def test_entry_page_pins_the_trust_anchors(app: Flask, client: FlaskClient) -> None:
    page = client.get("/entries/3").data.decode()
    instance = app.extensions["pakta"].instance
    assert f'<meta name="pakta-log-key" content="{instance.log_vkey}">' in page
    for keyid, raw in instance.registrar_keys.items():
        assert f'<meta name="pakta-registrar-key" content="{keyid} {b64(raw)}">' in page
    assert 'src="/static/verify.js"' in page
    declared = "mencanangkan pembangunan Zona Integritas dengan target WBK pada 17 Juni 2020"
    assert f"BPS Kabupaten Grobogan</a> {declared}" in page


def test_verify_bundle_checks_out_in_python(app: Flask, client: FlaskClient) -> None:
    instance = app.extensions["pakta"].instance
    bundle = client.get("/api/v1/verify/entries/3").get_json()
    note, _ = open_note(bundle["checkpoint"], [NoteVerifier.parse(instance.log_vkey)])
    tree = Checkpoint.parse(note.text)
    leaf = merkle.leaf_hash(bundle["entry"].encode())
    proof = [base64.b64decode(h) for h in bundle["proof"]]
    merkle.verify_inclusion(leaf, 3, tree.size, proof, tree.root_hash)
    history = bundle["key_history"]
    assert [h["index"] for h in history] == [2]  # BPS Grobogan's registration
    payload = json.loads(history[0]["entry"])["envelope"]["payload"]
    registered = json.loads(base64.b64decode(payload))
    assert (registered["type"], registered["agency"]) == (
        "agency.registered",
        "bps-kabupaten-grobogan",
    )
    for h in history:
        merkle.verify_inclusion(
            merkle.leaf_hash(h["entry"].encode()),
            h["index"],
            tree.size,
            [base64.b64decode(p) for p in h["proof"]],
            tree.root_hash,
        )
    assert client.get("/api/v1/verify/entries/999").status_code == 404


def test_entry_page_links_the_proof_file(app: Flask, client: FlaskClient) -> None:
    page = client.get("/entries/3").data.decode()
    link = re.search(r'href="([^"]+\.tlog-proof)"', page)
    assert link is not None
    response = client.get(link.group(1))
    assert "attachment" in response.headers["Content-Disposition"]
    entry = client.get("/api/v1/entries/3/raw").data
    log = NoteVerifier.parse(app.extensions["pakta"].instance.log_vkey)
    assert verify_proof(response.data.decode(), entry, log).size == size(client)


def test_qr_code_is_an_svg_of_the_entry_address(client: FlaskClient) -> None:
    response = client.get("/entries/2/qr.svg")
    assert response.mimetype == "image/svg+xml"
    assert ET.fromstring(response.data).tag == "{http://www.w3.org/2000/svg}svg"
    assert client.get("/entries/999/qr.svg").status_code == 404


def test_document_lookup(app: Flask, client: FlaskClient) -> None:
    ref = sha256_ref(files.pdf("pakta-integritas.pdf"))  # the demo's real pact PDF
    found = client.get(f"/api/v1/documents/{ref}").get_json()
    assert found["sha256"] == ref and [e["type"] for e in found["entries"]] == [
        "integrity_pact.signed"
    ]
    assert found["entries"][0]["url"].endswith(f"/entries/{found['entries'][0]['index']}")
    bare = client.get(f"/api/v1/documents/{ref[7:].upper()}").get_json()
    assert bare == found
    assert client.get("/api/v1/documents/" + "0" * 64).get_json()["entries"] == []
    assert client.get("/api/v1/documents/nope").status_code == 400
    page = client.get(f"/documents?sha256={ref[7:]}").data.decode()
    assert "Cocok." in page and "pakta-integritas.pdf" in page
    none = client.get("/documents?sha256=" + "0" * 64).data.decode()
    assert "Tidak ada entri yang merujuk dokumen ini." in none


def test_atom_feeds(client: FlaskClient) -> None:
    everything = ET.fromstring(client.get("/feed.atom").data)
    entries = list(everything.iter(ATOM + "entry"))
    assert len(entries) == size(client)
    for feed in (everything, *entries):
        for child in ("id", "title", "updated"):
            assert feed.findtext(ATOM + child), child
    link = entries[0].find(ATOM + "link")
    assert link is not None and re.search(r"/entries/\d+$", link.get("href", ""))
    agency = ET.fromstring(client.get("/agencies/bps-kabupaten-grobogan/feed.atom").data)
    # Its registration and declaration, and the Ombudsman's attestation of the declaration.
    assert len(list(agency.iter(ATOM + "entry"))) == 3
    region = client.get("/regions/74/feed.atom")
    assert region.mimetype == "application/atom+xml"
    assert len(list(ET.fromstring(region.data).iter(ATOM + "entry"))) == 9  # 7 joined, pact, fix
    assert client.get("/regions/99/feed.atom").status_code == 404
    assert client.get("/regions/x/feed.atom").status_code == 404


def test_open_data_exports(client: FlaskClient) -> None:
    response = client.get("/open-data/statements.csv")
    assert response.mimetype == "text/csv" and "license" in response.headers["Link"]
    rows = list(csv.reader(io.StringIO(response.data.decode())))
    assert tuple(rows[0]) == COLUMNS and len(rows) - 1 == size(client)
    lines = client.get("/open-data/statements.jsonl").data.decode().splitlines()
    assert len(lines) == size(client)
    for i, line in enumerate(lines):
        record = json.loads(line)
        assert record["index"] == i and record["checkpoint_size"] > i
        assert record["entry_url"].endswith(f"/entries/{i}")
        path = record["checkpoint_url"].split("localhost", 1)[1]
        note = client.get(path).data.decode()
        assert note.split("\n")[1] == str(record["checkpoint_size"])
    assert "CC BY 4.0" in client.get("/open-data").data.decode()


def test_key_ids_match_the_browser_rule() -> None:
    # verify.js derives key ids the same way; pin the rule with one known key.
    raw = bytes(range(32))
    import hashlib

    expected = "ed25519:" + hashlib.sha256(b"pakta-keyid-v1\x00" + raw).digest()[:16].hex()
    assert key_id(raw) == expected


def test_corrections_are_shown_inline_on_both_entries(client: FlaskClient) -> None:
    agency = client.get("/agencies/pemprov-sulawesi-tenggara").data.decode()
    chain = client.get("/api/v1/log").get_json()["size"]
    assert 'class="corrected"' in agency and "Salah ketik &lt;b&gt;jumlah&lt;/b&gt;" in agency
    assert "<code>/body/signatories</code> → 37" in agency
    pact = re.search(r'href="/entries/(\d+)">Penandatanganan Pakta Integritas', agency)
    fix = re.search(r'Ralat</span> <a href="/entries/(\d+)"', agency)
    assert pact and fix and int(fix.group(1)) < chain
    corrected = client.get(f"/entries/{pact.group(1)}").data.decode()
    assert f'diralat atau ditarik oleh <a href="/entries/{fix.group(1)}">' in corrected
    correction = client.get(f"/entries/{fix.group(1)}").data.decode()
    assert f'merujuk ke <a href="/entries/{pact.group(1)}">' in correction
