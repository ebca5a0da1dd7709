"""A draft handed over by QR code, in a real browser: the operator signs a report that an
item is done as a draft, the page draws the QR code of the draft's link (the envelope
compressed into the URL fragment), a QR decoder (zxing-cpp) reads the canvas's pixels back
to that link, and the head opens it in a second browser context, countersigns and posts.
No request either browser makes carries the draft's fragment. A draft too big for one QR
code at level L says so and keeps the file and the link."""

from __future__ import annotations

import base64
import json
import secrets
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pakta_support import LiveServer
from playwright.sync_api import expect
from site_support import demo_app, demo_instance

from events import build_statement, get_type
from keys.dsse import sign
from keys.ed25519 import b64, generate, load_private_key, public_bytes, write_private_key
from registry.service import open_service
from web import close_app

zxingcpp = pytest.importorskip("zxingcpp")  # dev dependency (pyproject.toml)
pytestmark = pytest.mark.browser
AGENCY = "kanim-surakarta"
DAY = (date.today() - timedelta(days=3)).isoformat()
PASSPHRASE = "serabi notosuman solo pagi"


@pytest.fixture(scope="module")
def qr_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A demo registry where a unit with a head and an operator key has a one-item plan."""
    folder = tmp_path_factory.mktemp("qr")
    instance = demo_instance(folder / "instance")
    head, operator = generate(), generate()
    service = open_service(instance)
    try:
        registry = service.registry
        registrar = load_private_key(instance.registrar_key_path())
        now = datetime.now(UTC).replace(microsecond=0)

        def post(type_: str, body: dict[str, Any], key: Any) -> None:
            h = registry.head(AGENCY)
            seq, prev = (h.seq + 1, h.hash) if h is not None else (0, None)
            payload = build_statement(type_, AGENCY, seq, prev, now, body)
            registry.submit(json.dumps(sign(payload, [key]).to_json()).encode())

        post("agency.registered", {
            "name": "Kantor Imigrasi Kelas I TPI Surakarta", "kind": "instansi_vertikal",
            "parent": None, "region": None,
            "keys": [
                {"public_key": b64(public_bytes(head)), "role": "agency_head",
                 "holder": "Kepala Kantor Imigrasi Surakarta"},
                {"public_key": b64(public_bytes(operator)), "role": "operator",
                 "holder": "Operator Tim Kerja ZI Surakarta"},
            ],
        }, registrar)  # fmt: skip
        designation = {**(get_type("unit.designated").example or {}), "unit": AGENCY,
                       "designated_on": DAY}  # fmt: skip
        post("unit.designated", designation, head)
        # Two declarations the registrar recorded from the news; the agency confirms the first.
        recorded = []
        for n in (1, 2):
            record = {"declared_on": DAY, "source_url": f"https://example.org/berita-{n}",
                      "source_date": DAY, "source_title": f"Berita pencanangan {n}"}  # fmt: skip
            post("zi.declaration_recorded", record, registrar)
            h = registry.head(AGENCY)
            recorded.append({"seq": h.seq, "hash": h.hash})
        declaration = {"declared_on": DAY, "target": "WBK", "units": [], "place": "Solo",
                       "confirms": recorded[0]}  # fmt: skip
        post("zi.declared", declaration, head)
        plan = dict(get_type("action_plan.published").example or {})
        item = {**plan["items"][0], "due": (date.today() + timedelta(days=60)).isoformat()}
        post("action_plan.published", {**plan, "year": date.today().year, "published_on": DAY,
                                       "items": [item]}, head)  # fmt: skip
    finally:
        service.close()
    keys = {}
    for name, key in (("head", head), ("operator", operator)):
        keys[name] = folder / f"{name}.key"
        write_private_key(keys[name], key, PASSPHRASE)
    app = demo_app(instance)
    server = LiveServer(app)
    yield {"url": server.url, "keys": keys, "recorded": recorded}
    server.close()
    close_app(app)


def context(browser: Any, qr_world: dict[str, Any]) -> Any:
    ctx = browser.new_context(base_url=qr_world["url"], locale="id-ID", accept_downloads=True)
    ctx.seen = []
    ctx.on("request", lambda r: ctx.seen.append((r.url, r.post_data_buffer or b"")))
    return ctx


def open_key(page: Any, path: Path) -> None:
    page.get_by_label("Berkas kunci", exact=True).set_input_files(str(path))
    page.get_by_label("Kata sandi berkas kunci").fill(PASSPHRASE)
    page.get_by_role("button", name="Buka kunci").click()
    expect(page.locator("#wb-key-status")).to_contain_text("Kunci siap dipakai")


def draft(
    page: Any, type_: str, body: dict[str, Any], key: Path, docs: list[Any] | None = None
) -> None:
    """Fill the form (from a value, as the validation tests do) and sign it as a draft."""
    page.goto(f"/workbench?agency={AGENCY}&type={type_}")
    expect(page.locator("#wb-agency-info")).to_contain_text("nomor urut berikutnya")
    open_key(page, key)
    page.evaluate("([body, docs]) => window.paktaWorkbench.fill(body, docs)", [body, docs])
    with page.expect_download():
        page.get_by_role("button", name="Tanda tangani sebagai draf").click()
    expect(page.locator("#wb-status")).to_contain_text("Draf tersimpan")


def decoded_qr(page: Any) -> str:
    """What a QR decoder reads from the canvas's pixels."""
    found = page.evaluate("""() => {
      const c = document.querySelector("#wb-draft-qr");
      const px = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let s = "";
      for (let i = 0; i < px.length; i += 4) s += String.fromCharCode(px[i]);
      return { w: c.width, h: c.height, data: btoa(s) };
    }""")
    gray = base64.b64decode(found["data"])
    image = memoryview(gray).cast("B", shape=[found["h"], found["w"]])
    (code,) = zxingcpp.read_barcodes(image)
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    return str(code.text)


def test_a_two_signer_draft_handed_over_by_qr_code_is_countersigned_and_posted(
    browser: Any, qr_world: dict[str, Any]
) -> None:
    operator = context(browser, qr_world)
    page = operator.new_page()
    report = {"item": "MP-01", "reported_on": date.today().isoformat(), "percent": 100,
              "status": "done", "note": "SK agen perubahan ditandatangani"}  # fmt: skip
    evidence = [{"name": "sk-agen-perubahan.pdf", "sha256": "sha256:" + "e" * 64,
                 "media_type": "application/pdf"}]  # fmt: skip
    draft(page, "action_item.progress_reported", report, qr_world["keys"]["operator"], evidence)
    expect(page.locator("#wb-draft-qr-box")).to_be_visible()
    expect(page.locator("#wb-draft-qr-too-big")).to_be_hidden()
    url = decoded_qr(page)
    assert url == page.locator("#wb-draft-qr").get_attribute("data-url")
    assert url == page.locator("#wb-draft-link").get_attribute("href")
    assert url.startswith(qr_world["url"] + "/workbench/cosign#z=")
    fragment = url.split("#", 1)[1]
    operator.close()

    head = context(browser, qr_world)
    page = head.new_page()
    page.goto(url)
    expect(page.locator("#wb-signed")).to_contain_text("Operator Tim Kerja ZI Surakarta")
    expect(page.locator("#wb-needed")).to_contain_text("Kepala unit kerja")
    open_key(page, qr_world["keys"]["head"])
    page.get_by_role("button", name="Tambahkan tanda tangan saya").click()
    expect(page.locator("#wb-signed li")).to_have_count(2)
    expect(page.locator("#wb-needed")).to_contain_text("Tanda tangan sudah cukup")
    page.get_by_role("button", name="Kirim ke registri").click()
    expect(page.locator("#wb-receipt")).to_be_visible(timeout=20000)
    index = int((page.text_content("#wb-receipt-index") or "#-1").lstrip("#"))
    with urllib.request.urlopen(f"{qr_world['url']}/api/v1/entries/{index}") as r:  # noqa: S310
        entry = json.loads(json.loads(r.read())["entry"])
    statement = json.loads(base64.b64decode(entry["envelope"]["payload"]))
    assert statement["type"] == "action_item.progress_reported" and statement["body"] == report
    assert len(entry["envelope"]["signatures"]) == 2
    # The draft rode in the fragment: no request of either browser carried it.
    for url_seen, body in head.seen + operator.seen:
        assert fragment not in url_seen and fragment.encode() not in body
    head.close()


def test_a_draft_too_big_for_one_qr_code_says_so_and_keeps_the_link(
    browser: Any, qr_world: dict[str, Any]
) -> None:
    ctx = context(browser, qr_world)
    page = ctx.new_page()
    plan = dict(get_type("action_plan.published").example or {})
    item = plan["items"][0]
    # Random words do not compress: 60 items are more than a QR code holds at level L.
    items = [{**item, "id": f"MP-{i:02d}", "output": secrets.token_hex(40),
              "evidence": secrets.token_hex(30)} for i in range(1, 61)]  # fmt: skip
    body = {**plan, "year": date.today().year + 1, "published_on": DAY, "items": items}
    draft(page, "action_plan.published", body, qr_world["keys"]["head"])
    expect(page.locator("#wb-draft-qr-too-big")).to_be_visible()
    expect(page.locator("#wb-draft-qr-too-big")).to_contain_text("terlalu besar")
    expect(page.locator("#wb-draft-qr-box")).to_be_hidden()
    link = page.locator("#wb-draft-link").get_attribute("href") or ""
    assert "/workbench/cosign#z=" in link
    # The link still carries the whole draft.
    page.goto(link)
    expect(page.locator("#wb-signed li")).to_have_count(1)
    ctx.close()


def test_the_declaration_form_offers_only_the_recorded_declarations_not_yet_confirmed(
    browser: Any, qr_world: dict[str, Any]
) -> None:
    ctx = context(browser, qr_world)
    page = ctx.new_page()
    page.goto(f"/workbench?agency={AGENCY}&type=zi.declared")
    expect(page.locator("#wb-agency-info")).to_contain_text("nomor urut berikutnya")
    box = page.locator('[data-pointer="/body/confirms"]')
    expect(box.locator("legend")).to_contain_text("Pencanangan yang dicatat dari sumber publik")
    picker = box.locator("select.wb-ref")
    picker.focus()
    options = picker.locator("option")
    expect(options).to_have_count(2)  # "choose", and the one record left to confirm
    second = qr_world["recorded"][1]
    assert json.loads(options.nth(1).get_attribute("value") or "") == [
        second["seq"],
        second["hash"],
    ]
    box.locator("input[type=checkbox]").first.check()
    picker.select_option(index=1)
    read = page.evaluate("() => window.paktaWorkbench.read().body.confirms")
    assert read == second
    ctx.close()
