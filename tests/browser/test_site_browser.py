"""The citizens' site in a real browser: browse, search, verify in the page (and catch
tampering), switch language, check a document, work without JavaScript; screenshots and page
weights go to artifacts/."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from site_support import ARTIFACTS, PAGE_BUDGET

pytestmark = pytest.mark.browser

STEPS = ("checkpoint", "inclusion", "keys", "signatures")
GROBOGAN_DECLARATION = 3  # demo: 0-1 Kuantan Singingi, 2 BPS Grobogan registered, 3 declared
# A real demo PDF (registry/demo/files.py) whose SHA-256 the demo's integrity pact carries.
DEMO_DOCUMENT = Path(__file__).resolve().parents[2] / "web/static/demo/pakta-integritas.pdf"


def verify(page: Any) -> dict[str, str]:
    page.get_by_role("button", name="Verifikasi di peramban saya").click()
    page.wait_for_selector("#verify-summary[data-state]", timeout=15000)
    return states(page)


def states(page: Any) -> dict[str, str]:
    """Each step's state; a failing one carries its detail, so a failure explains itself."""
    out = {}
    for step in STEPS:
        state = page.get_attribute(f'li[data-step="{step}"]', "data-state") or ""
        if state != "pass":
            state += ": " + (page.text_content(f'li[data-step="{step}"] .detail') or "")
        out[step] = state
    return out


def test_browse_search_open_an_entry_and_verify_it(page: Any) -> None:
    page.goto("/")
    page.get_by_label("Cari instansi atau unit kerja").fill("grobogan")
    page.get_by_role("button", name="Cari").click()
    page.wait_for_url("**/agencies?q=grobogan")
    page.get_by_role("link", name="BPS Kabupaten Grobogan").click()
    page.get_by_role("link", name="Pencanangan Zona Integritas").click()
    page.wait_for_url(f"**/entries/{GROBOGAN_DECLARATION}")
    assert verify(page) == dict.fromkeys(STEPS, "pass")
    summary = page.text_content("#verify-summary") or ""
    assert summary.startswith("Semua pemeriksaan lolos")


def test_the_registrar_signed_registration_verifies_too(page: Any) -> None:
    page.goto("/entries/0")
    assert verify(page) == dict.fromkeys(STEPS, "pass")


def _flip(b64text: str, at: int = 0) -> str:
    raw = bytearray(base64.b64decode(b64text))
    raw[at] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


def _tamper_proof(bundle: dict[str, Any]) -> None:
    bundle["proof"][0] = _flip(bundle["proof"][0])


def _tamper_signature(bundle: dict[str, Any]) -> None:
    entry = json.loads(bundle["entry"])
    sig = entry["envelope"]["signatures"][0]
    sig["sig"] = _flip(sig["sig"], 10)
    bundle["entry"] = json.dumps(entry, separators=(",", ":"), sort_keys=True)


def _tamper_checkpoint(bundle: dict[str, Any]) -> None:
    text, _, sigs = bundle["checkpoint"].rpartition("\n\n")
    name, _, sig = sigs.strip("\n").rpartition(" ")
    bundle["checkpoint"] = f"{text}\n\n{name} {_flip(sig, 20)}\n"


def _tamper_key_history(bundle: dict[str, Any]) -> None:
    entry = json.loads(bundle["key_history"][0]["entry"])
    statement = json.loads(base64.b64decode(entry["envelope"]["payload"]))
    statement["body"]["keys"][0]["holder"] = "Someone else"
    entry["envelope"]["payload"] = base64.b64encode(json.dumps(statement).encode()).decode()
    bundle["key_history"][0]["entry"] = json.dumps(entry, separators=(",", ":"))


@pytest.mark.parametrize(
    ("tamper", "failing", "name"),
    [
        (_tamper_proof, {"inclusion"}, "Bukti inklusi entri di log"),
        (_tamper_signature, {"inclusion", "signatures"}, "Tanda tangan pernyataan"),
        (_tamper_checkpoint, set(STEPS), "Tanda tangan titik periksa"),
        (_tamper_key_history, {"keys", "signatures"}, "Riwayat kunci instansi dari log"),
    ],
    ids=["proof", "signature", "checkpoint", "key-history"],
)
def test_tampered_data_served_to_the_page_turns_the_step_red(
    page: Any, tamper: Any, failing: set[str], name: str
) -> None:
    def corrupt(route: Any) -> None:
        response = route.fetch()
        bundle = response.json()
        tamper(bundle)
        route.fulfill(response=response, body=json.dumps(bundle))

    page.route("**/api/v1/verify/entries/*", corrupt)
    page.goto(f"/entries/{GROBOGAN_DECLARATION}")
    found = verify(page)
    assert {s for s, state in found.items() if state.startswith("fail")} == failing, found
    assert page.get_attribute("#verify-summary", "data-state") == "fail"
    summary = page.text_content("#verify-summary") or ""
    assert summary.startswith("Pemeriksaan gagal:") and name in summary


def test_language_switch(page: Any) -> None:
    html = page.locator("html")
    page.goto(f"/entries/{GROBOGAN_DECLARATION}")
    expect(html).to_have_attribute("lang", "id")
    page.get_by_role("link", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page.get_by_role("button", name="Verify in my browser")).to_be_visible()
    assert verify_en(page) == dict.fromkeys(STEPS, "pass")
    page.get_by_role("link", name="Find an agency").click()  # the choice sticks (cookie)
    expect(page.get_by_role("heading", name="Find an agency")).to_be_visible()
    expect(html).to_have_attribute("lang", "en")
    page.get_by_role("link", name="Bahasa Indonesia").click()
    expect(html).to_have_attribute("lang", "id")
    expect(page.get_by_role("heading", name="Cari instansi")).to_be_visible()


def verify_en(page: Any) -> dict[str, str]:
    page.get_by_role("button", name="Verify in my browser").click()
    page.wait_for_selector("#verify-summary[data-state]", timeout=15000)
    assert (page.text_content("#verify-summary") or "").startswith("All checks passed")
    return states(page)


def _random_pdf() -> bytes:
    return b"%PDF-1.4\n" + os.urandom(2048) + b"\n%%EOF\n"


@pytest.mark.parametrize("matches", [True, False])
def test_document_check_hashes_locally(page: Any, matches: bool) -> None:
    sent: list[Any] = []
    page.goto("/documents")
    # The page offers the demo's real PDFs; the citizen downloads one from the site.
    link = page.get_by_role("link", name="pakta-integritas.pdf")
    served = page.request.get(link.get_attribute("href"))
    assert served.ok and served.headers["content-type"] == "application/pdf"
    assert served.body() == DEMO_DOCUMENT.read_bytes()
    content = served.body() if matches else _random_pdf()
    page.on("request", lambda r: sent.append(r))
    page.get_by_label("Pilih berkas", exact=True).set_input_files(
        {"name": "pakta-integritas.pdf", "mimeType": "application/pdf", "buffer": content}
    )
    page.wait_for_selector("#document-result")
    text = page.text_content("#document-result") or ""
    digest = hashlib.sha256(content).hexdigest()
    assert f"sha256:{digest}" in text
    if matches:
        assert "Cocok." in text and "Penandatanganan Pakta Integritas" in text
    else:
        assert "Tidak ada entri yang merujuk dokumen ini." in text and "Cocok." not in text
    # The file never left the browser: only GETs, none carrying the file's bytes.
    assert sent and all(r.method == "GET" and r.post_data is None for r in sent)
    assert all(len(r.url) < 400 for r in sent)


def test_everything_but_the_verify_button_works_without_javascript(browser: Any, site: str) -> None:
    context = browser.new_context(base_url=site, java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/agencies")
        page.click("details.more > summary")  # the filters are folded (issue 13)
        page.select_option("#province", "74")
        page.select_option("#kind", "perangkat_daerah")
        page.get_by_role("button", name="Cari").click()
        assert "province=74" in page.url and "kind=perangkat_daerah" in page.url
        page.get_by_role("link", name="RSUD Bahteramas").click()
        assert page.get_by_role("heading", name="RSUD Bahteramas").is_visible()
        page.goto(f"/entries/{GROBOGAN_DECLARATION}")
        assert not page.get_by_role("button", name="Verifikasi di peramban saya").is_visible()
        assert page.get_by_role("link", name="Unduh berkas bukti (tlog-proof)").is_visible()
        page.goto("/documents")
        assert not page.is_visible("#file-picker")
        page.fill("#sha256", "0" * 64)
        page.get_by_role("button", name="Cari").click()
        assert "Tidak ada entri" in (page.text_content("#document-result") or "")
    finally:
        context.close()


def test_keyboard_reaches_the_search_and_the_verify_button(page: Any) -> None:
    page.goto(f"/entries/{GROBOGAN_DECLARATION}")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Langsung ke isi"
    page.focus("#verify-button")
    page.keyboard.press("Enter")
    page.wait_for_selector("#verify-summary[data-state=pass]", timeout=15000)


MAIN_PAGES = {
    "home": "/",
    "search": "/agencies?province=74",
    "agency": "/agencies/bps-kabupaten-grobogan",
    "province": "/regions/33",
    "regency": "/regions/33.15",
    "entry": f"/entries/{GROBOGAN_DECLARATION}",
    "documents": "/documents",
    "open-data": "/open-data",
    "about": "/about",
}


def page_weight(browser: Any, site: str, url: str) -> dict[str, int]:
    """Bytes a first-time visitor downloads for `url` (fresh cache), images apart."""
    context = browser.new_context(base_url=site)
    page = context.new_page()
    loaded: list[Any] = []
    page.on("response", lambda r: loaded.append(r))
    page.goto(url, wait_until="networkidle")
    weight = {"html+css+js": 0, "images": 0}
    for response in loaded:
        is_image = response.request.resource_type == "image"
        weight["images" if is_image else "html+css+js"] += len(response.body())
    context.close()
    return weight


def test_screenshots_and_page_weights(browser: Any, site: str) -> None:
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    weights = {name: page_weight(browser, site, url) for name, url in MAIN_PAGES.items()}
    for device, viewport in (("desktop", (1280, 900)), ("phone", (360, 740))):
        context = browser.new_context(
            base_url=site,
            viewport={"width": viewport[0], "height": viewport[1]},
            device_scale_factor=1,
            is_mobile=device == "phone",
        )
        page = context.new_page()
        for name, url in MAIN_PAGES.items():
            page.goto(url, wait_until="load")
            if name == "entry":
                page.get_by_role("button", name="Verifikasi di peramban saya").click()
                page.wait_for_selector("#verify-summary[data-state=pass]", timeout=15000)
            page.screenshot(path=str(shots / f"{name}-{device}.png"), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport[0], (name, device, width)  # no sideways scrolling
        context.close()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "page-weights.json").write_text(json.dumps(weights, indent=2) + "\n")
    print("\npage weights (bytes, before images / images):")
    for name, weight in weights.items():
        print(f"  {name:10} {weight['html+css+js']:7d} / {weight['images']:6d}")
    too_heavy = {n: w for n, w in weights.items() if w["html+css+js"] > PAGE_BUDGET}
    assert not too_heavy, too_heavy
    assert all(Path(shots / f"{n}-phone.png").stat().st_size > 0 for n in MAIN_PAGES)
