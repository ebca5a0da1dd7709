"""Public warnings in plain words (web/warnings.py) over the demo with its lifecycle phase: one
line per kind with a count, a title and its meaning in the page's language, the entries inside
a <details>, the raw code kept for auditors, no English on the Indonesian page, and the same
per-kind counts on region pages."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import PAGE_BUDGET, demo_instance

from registry.read import lifecycle, places, queries
from registry.write.instance import Instance
from web import warning_words

ROOT = Path(__file__).resolve().parents[2]
# Words of the stored English messages (registry/rules/warnings.py,
# events/regulations.py) and of the English wording; none may reach an Indonesian page.
ENGLISH = {
    "the",
    "is",
    "of",
    "and",
    "with",
    "days",
    "before",
    "after",
    "received",
    "registry",
    "was",
    "due",
    "originally",
    "awarded",
    "below",
    "thresholds",
    "scores",
    "entry",
    "signed",
    "by",
    "revoked",
    "moment",
    "which",
    "needs",
    "staff",
    "pact",
    "under",
    "half",
    "declaration",
    "witness",
    "attestation",
    "proposed",
    "deadline",
    "quota",
    "units",
    "over",
    "posted",
    "late",
    "warning",
    "warnings",
    "overdue",
    "items",
    "missing",
    "prerequisites",
    "enablers",
    "index",
    "opinion",
    "level",
    "follow-up",
    "asset",
    "declarations",
    "dated",
    "show",
    "means",
    "not",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("warn") / "instance", lifecycle=True)


def section(client: FlaskClient, agency: str, lang: str) -> str:
    response = client.get(f"/agencies/{agency}?lang={lang}")
    assert response.status_code == 200 and len(response.data) <= PAGE_BUDGET, agency
    # The warnings above the timeline, and the late-posting notes after it (issue 13).
    found = re.findall(
        r'<section aria-labelledby="(?:warn|late)-h">.*?</section>', response.data.decode(), re.S
    )
    assert found, agency
    return "\n".join(found)


def kind(section: str, code: str) -> str:
    """The <li> of one kind of warning."""
    found = re.search(rf'<li id="warn-{code}">.*?</details></li>', section, re.S)
    assert found, code
    return found.group(0)


def words(html: str) -> set[str]:
    """The visible words, without the raw codes kept for auditors."""
    text = re.sub(r"<code[^>]*>.*?</code>", " ", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", text)}


def test_late_postings_are_one_line_with_a_count_in_both_languages(client: FlaskClient) -> None:
    page = section(client, "bps-kabupaten-grobogan", "id")
    late = kind(page, "late-posting")
    assert "13 pernyataan terlambat dicatatkan (lebih dari 30 hari setelah tanggalnya)" in late
    assert '<span class="badge warn">Terlambat dicatatkan</span>' in late
    assert "late-posting</code>" not in late  # the code only in the anchor (id), never shown
    assert "Bukan berarti isinya salah atau palsu" in late
    assert "<details><summary>Lihat 13 entri</summary>" in late
    entries = re.findall(r'<li><a href="/entries/(\d+)">#\1</a> ([^<]*)</li>', late)
    assert len(entries) == 13 and len(set(entries)) == 13
    assert any(
        text.startswith("Pengusulan unit kerja · bertanggal 20 April 2022, diterima ")
        for _, text in entries
    )
    # Two kinds here, not 14 lines: late postings, and the proposal after the window's deadline.
    assert page.count("<li id=") == 2 and 'id="warn-deadline-missed"' in page
    english = kind(section(client, "bps-kabupaten-grobogan", "en"), "late-posting")
    assert "13 statements recorded late (more than 30 days after their date)" in english
    assert "Units proposed · dated April 20, 2022, received " in english
    assert "<summary>Show the entries (13)</summary>" in english


def read_warnings(app: Flask, agency: str | None = None) -> list[dict[str, Any]]:
    with app.extensions["pakta"].read() as db:
        return lifecycle.warnings(db, agency=agency, limit=10_000, today=date.today())


def known(app: Flask, agency: str) -> bool:
    with app.extensions["pakta"].read() as db:
        return queries.agency(db, agency) is not None


def test_counts_per_kind_match_the_read_model(app: Flask, client: FlaskClient) -> None:
    feed = read_warnings(app)
    agencies = {w["agency"] for w in feed} | {w["subject"] for w in feed}
    for agency in sorted(a for a in agencies if known(app, a)):
        expected = Counter(w["code"] for w in read_warnings(app, agency))
        for lang in ("id", "en"):
            page = section(client, agency, lang)
            shown = {
                code: len(
                    re.findall(r"<li(?: data-facts='[^']*')?><a href=\"/entries/", kind(page, code))
                )
                for code in re.findall(r'<li id="warn-([a-z-]+)">', page)
            }
            assert shown == expected, (agency, lang)


def test_every_kind_the_demo_makes_is_worded_without_english(
    app: Flask, client: FlaskClient
) -> None:
    feed = read_warnings(app)
    assert {w["code"] for w in feed} >= {
        "late-posting",
        "item-overdue",
        "prerequisites-missing",
        "below-thresholds",
        "signed-by-revoked-key",
        "unwitnessed",
    }
    for agency in sorted({w["agency"] for w in feed} | {w["subject"] for w in feed}):
        if known(app, agency):
            leaked = words(section(client, agency, "id")) & ENGLISH
            assert not leaked, (agency, leaked)
    award = kind(section(client, "rsud-bahteramas", "id"), "below-thresholds")
    assert "Penetapan predikat · WBK untuk rsud-bahteramas" in award  # signed by the TPN
    assert "Indeks IPAK 3.50 (minimum 3.60)" in award and "Pengungkit 35.60" in award
    english = kind(section(client, "rsud-bahteramas", "en"), "below-thresholds")
    assert "IPAK index 3.50 (minimum 3.60)" in english and "Enablers 35.60" in english
    revoked = kind(section(client, "rs-jiwa-sultra", "id"), "signed-by-revoked-key")
    assert "dicabut sejak 1 Mei 2025 oleh entri #" in revoked
    overdue = kind(section(client, "rs-jiwa-sultra", "id"), "item-overdue")
    assert "6 butir rencana aksi melewati jatuh tempo" in overdue
    assert "MP-01 (Agen perubahan ditetapkan), jatuh tempo 31 Maret 2025" in overdue
    prereq = kind(section(client, "pemprov-sulawesi-tenggara", "id"), "prerequisites-missing")
    assert "tindak lanjut temuan audit 95% (syarat 100%)" in prereq


def test_the_figured_kinds_carry_their_stored_facts(app: Flask, client: FlaskClient) -> None:
    """Each entry of a proposal or award warning carries the facts the registry stored for it
    (data-facts, the figures "Verify this page" compares), on every page in both languages;
    no other kind carries any; the kinds are those rules.json has awards.js derive."""
    table = json.loads((ROOT / "web" / "static" / "verify" / "rules.json").read_text())["warnings"]
    derived = {table["award"]["code"], table["proposal"]["code"]}
    derived |= {table["windows"]["deadline"], table["windows"]["quota"]}
    assert warning_words.FIGURED == derived
    feed = read_warnings(app)
    seen = set()
    for agency in sorted(a for a in {w["agency"] for w in feed} | {w["subject"] for w in feed}):
        if not known(app, agency):
            continue
        stored = Counter(
            (w["idx"], json.dumps(w["facts"], sort_keys=True))
            for w in read_warnings(app, agency)
            if w["code"] in warning_words.FIGURED
        )
        for lang in ("id", "en"):
            page = section(client, agency, lang)
            carried = Counter(
                (int(idx), json.dumps(json.loads(html.unescape(facts)), sort_keys=True))
                for facts, idx in re.findall(
                    r"<li data-facts='([^']*)'><a href=\"/entries/(\d+)\"", page
                )
            )
            assert carried == stored, (agency, lang)
            seen |= {idx for idx, _ in carried}
    assert len(seen) >= 3


def test_the_long_date_the_check_reads_is_the_detail_lines(app: Flask) -> None:
    """summaries.json's long_date, filled in by claims.js, writes every day as
    readable_date does in each language (the deadline a detail line shows)."""
    summaries = ROOT / "web" / "static" / "verify" / "summaries.json"
    languages = json.loads(summaries.read_text())["languages"]
    for lang, words_of in languages.items():
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            for month in range(1, 13):
                for day in (1, 9, 22, 28):
                    iso = f"2022-{month:02d}-{day:02d}"
                    filled = words_of["long_date"].format(
                        day=day, month=words_of["months"][month - 1], year=2022
                    )
                    assert filled == warning_words.readable_date(iso), (lang, iso)


def test_every_code_the_read_model_can_write_has_a_wording(app: Flask) -> None:
    sources = (ROOT / "registry" / "rules" / "warnings.py").read_text()
    codes = set(re.findall(r'Warning\(\s*[\w.]+,\s*"([a-z-]+)"', sources))
    codes |= set(re.findall(r'^[A-Z_]+ = "([a-z-]+)"$', sources, re.M))  # named codes too
    assert len(codes) >= 9 and codes <= set(warning_words.ORDER), codes
    with app.test_request_context("/?lang=id"):
        app.preprocess_request()
        for code in codes:
            [group] = warning_words.grouped(
                [{"idx": 1, "code": code, "subject": "x", "message": ""}], {}
            )
            assert group["title"] != code and group["means"] and group["not_means"], code


@pytest.mark.parametrize(
    ("code", "facts", "indonesian", "english"),
    [
        (
            "deadline-missed",
            {"submitted_on": "2025-06-03", "year": 2025, "deadline": "2025-05-31"},
            "diusulkan 3 Juni 2025, batas waktu 2025: 31 Mei 2025",
            "nominated June 3, 2025, 2025 deadline: May 31, 2025",
        ),
        (
            "over-quota",
            {"count": 4, "year": 2025, "quota": 3},
            "4 unit diusulkan untuk 2025, kuota 3",
            "4 units nominated for 2025, quota 3",
        ),
        (
            "pact-coverage-low",
            {"signatories": 12, "staff_total": 40},
            "12 dari 40 pegawai",
            "12 of 40 staff",
        ),
    ],
)
def test_kinds_the_demo_does_not_make_are_worded_too(
    app: Flask, code: str, facts: dict[str, object], indonesian: str, english: str
) -> None:
    """The facts as registry/lifecycle_view.py stores them, worded in each language."""
    row = {"idx": 7, "code": code, "subject": "x", "message": "in English", "facts": facts}
    for lang, expected in (("id", indonesian), ("en", english)):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            [group] = warning_words.grouped([row, dict(row, idx=9)], {})
            assert group["count"] == 2 and group["items"][0]["detail"] == expected
            assert "2" in group["headline"]


def test_a_warning_without_its_facts_shows_no_english(app: Flask) -> None:
    row = {"idx": 7, "code": "over-quota", "subject": "x", "message": "4 units over quota"}
    with app.test_request_context("/?lang=id"):
        app.preprocess_request()
        [group] = warning_words.grouped([row], {})
        assert group["items"][0]["detail"] == ""


def test_region_pages_count_warnings_by_kind(app: Flask, client: FlaskClient) -> None:
    with app.extensions["pakta"].read() as db:
        region_74 = places.region_page(db, "74", date.today())
    assert region_74 is not None
    page = client.get("/regions/74?lang=id").data.decode()
    found = re.search(r'<ul class="warnings">.*?</ul>', page, re.S)
    assert found
    region = found.group(0)
    assert '<span class="badge warn">Butir rencana aksi terlambat</span>' in region
    assert '<span class="badge warn">Terlambat dicatatkan</span>' in region
    assert not words(region) & ENGLISH
    counts = region_74["warning_counts"]
    assert f"{counts['item-overdue']} butir rencana aksi melewati jatuh tempo" in region
    assert sum(counts.values()) == region_74["warnings"]
    english = client.get("/regions/74?lang=en").data.decode()
    assert f"{counts['late-posting']} statements recorded late" in english
