"""Every page type on a 360 px phone and a desktop, in both languages, in Debian's chromium:
no sideways scrolling, and axe-core (vendored for tests only) finds no violation of WCAG 2.2
A/AA, target size (24 × 24 px) included (issue 13). Over the demo with its whole lifecycle, so
the scores tables, plans and warnings are on the pages."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import pytest

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
VIEWPORTS = {"phone": (360, 740), "desktop": (1280, 900)}
PAGES = [
    "/",
    "/agencies",
    "/agencies?q=grobogan",
    "/agencies?q=74",
    "/agencies/bps-kabupaten-grobogan",
    "/agencies/dpmptsp-sultra",
    "/agencies/rs-jiwa-sultra",
    "/agencies/rsud-bahteramas",
    "/agencies/bps-kabupaten-grobogan/warnings/late-posting",
    "/regions/74",
    "/regions/33.15",
    "/entries",
    "/entries/77",
    "/entries/0",
    "/documents",
    "/about",
    "/glossary",
    "/open-data",
    "/predikat/2026",
    "/no-such-page",
]
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def check(browser: Any, site: str, lang: str, device: str) -> list[str]:
    width, height = VIEWPORTS[device]
    context = browser.new_context(
        base_url=site,
        locale="id-ID" if lang == "id" else "en-GB",
        viewport={"width": width, "height": height},
        bypass_csp=True,  # to inject axe; the site's own CSP is tested elsewhere
    )
    problems: list[str] = []
    try:
        page = context.new_page()
        for path in PAGES:
            sep = "&" if "?" in path else "?"
            page.goto(f"{path}{sep}lang={lang}")
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                problems.append(f"{device} {lang} {path}: {wide} px wide")
            page.add_script_tag(path=str(AXE))
            result = page.evaluate(
                "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS
            )
            assert result["passes"], path  # axe ran and checked something
            for v in result["violations"]:
                targets = [n["target"] for n in v["nodes"]][:3]
                problems.append(f"{device} {lang} {path}: {v['id']} {targets}")
    finally:
        context.close()
    return problems


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
@pytest.mark.parametrize("lang", ["id", "en"])
def test_no_overflow_and_no_axe_violation(browser: Any, life: str, lang: str, device: str) -> None:
    assert check(browser, life, lang, device) == []


def test_a_citizen_in_grobogan_finds_bps_grobogan_on_a_phone(browser: Any, life: str) -> None:
    context = browser.new_context(
        base_url=life, locale="id-ID", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto("/")
        page.fill("#q", "BPS Grobogan")
        page.press("#q", "Enter")
        page.wait_for_url("**/agencies?q=BPS+Grobogan")
        page.get_by_role("link", name="BPS Kabupaten Grobogan").click()
        assert page.get_by_role("heading", name="BPS Kabupaten Grobogan", exact=True).is_visible()
        status = page.text_content("#status-h") or ""
        assert "Berpredikat Menuju WBK" in status
        witnesses = page.locator("ul.witnesses")
        assert "Bersaksi" in (witnesses.text_content() or "")
        assert witnesses.get_by_role("link", name="Ombudsman RI Perwakilan Jawa Tengah").count()
        assert page.get_by_role("heading", name="Rencana aksi").is_visible()
        assert page.get_by_text("6 butir, 6 selesai, 0 terlambat").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        # The same box takes an entry number and shows it in plain words.
        page.goto("/")
        page.fill("#q", "#77")
        page.press("#q", "Enter")
        page.wait_for_url("**/entries/77")
        lead = page.text_content("p.lead") or ""
        assert lead.startswith(
            "Predikat Menuju WBK RSUD Bahteramas dicabut pada 15 September 2026."
        )
        assert page.is_visible("aside.demo-banner")
    finally:
        context.close()


@pytest.mark.parametrize(("real", "verdict"), [(True, "Cocok."), (False, "Tidak cocok.")])
def test_document_check_from_an_entry(browser: Any, life: str, real: bool, verdict: str) -> None:
    """The revocation's decree is a real demo PDF (registry/demo/files.py): its check links the
    file; that file matches, random bytes do not."""
    context = browser.new_context(base_url=life, locale="id-ID")
    page = context.new_page()
    try:
        page.goto("/entries/77")
        page.get_by_role("link", name="Periksa berkas dokumen ini").click()
        assert "Cocok" not in (page.text_content("main") or "")
        assert "pencabutan.pdf" in (page.text_content("#expected-h + p") or "")
        demo = page.locator('a[href="/static/demo/pencabutan.pdf"]')
        served = page.request.get(demo.get_attribute("href"))
        assert served.ok and served.body().startswith(b"%PDF-1.4")
        content = served.body() if real else b"%PDF-1.4\n" + os.urandom(1024)
        page.get_by_label("Pilih berkas", exact=True).set_input_files(
            {"name": "pencabutan.pdf", "mimeType": "application/pdf", "buffer": content}
        )
        page.wait_for_selector("#document-result")
        text = page.text_content("#document-result") or ""
        assert verdict in text
        assert hashlib.sha256(content).hexdigest() in text
        if verdict == "Cocok.":
            assert "15 September 2026" in text
    finally:
        context.close()
