"""The agency workbench in a real browser, in Indonesian, with no JSON typed anywhere.

The journey of issue 12: a new agency's head and operator make their keys in the browser and
hand key requests to the registrar, who registers them (`pakta register`); the head signs an
integrity pact with a local PDF hashed, designates the unit and declares Zona Integritas; a
witness attests the declaration from its own browser; the head publishes an action plan; the
operator drafts an item as done and the head countersigns it later; the entries are on the
unit page and verify. Every request every page makes is recorded: no private key is ever in
one. (The same signing with WebCrypto Ed25519 removed, from an encrypted key file:
test_workbench_key_files.py.)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from workbench_support import (
    DAY,
    PDF,
    _context,
    choose_stored_key,
    field,
    fill_pact,
    key_request,
    new_page,
    open_form,
    register,
    sign_and_post,
)

pytestmark = pytest.mark.browser
AGENCY = "kanim-yogyakarta"
WITNESS = "ombudsman-diy"


@pytest.fixture
def context(browser: Any, world: dict[str, Any]) -> Iterator[Any]:
    yield from _context(browser, world)


def test_the_whole_journey_with_keys_in_the_browser(
    browser: Any, world: dict[str, Any], context: Any
) -> None:
    folder = world["folder"]
    page = new_page(context)
    head_req = key_request(
        page,
        folder,
        AGENCY,
        "Pimpinan instansi",
        "Kepala Kantor Imigrasi",
        {"name": "Kantor Imigrasi Kelas I TPI Yogyakarta", "kind": "Instansi vertikal"},
    )
    op_req = key_request(page, folder, AGENCY, "Operator", "Operator Tim Kerja ZI")
    # The keys are WebCrypto keys the page cannot read out.
    extractable = page.evaluate("""async () => {
      const db = await new Promise((ok) => { const r = indexedDB.open("pakta-workbench", 1);
        r.onsuccess = () => ok(r.result); });
      const keys = await new Promise((ok) => {
        const r = db.transaction("keys").objectStore("keys").getAll();
        r.onsuccess = () => ok(r.result);
      });
      const out = [];
      for (const k of keys) {
        let exported = true;
        try { await crypto.subtle.exportKey("pkcs8", k.privateKey); }
        catch (e) { exported = false; }
        out.push([k.privateKey.extractable, exported]);
      }
      return out;
    }""")
    assert extractable == [[False, False], [False, False]]
    # The registrar, in its own browser, registers both in one step on the registrar page.
    registrar_ctx = next(_context(browser, world))
    rpage = new_page(registrar_ctx)
    rpage.goto("/workbench/registrar")
    rpage.get_by_label("Berkas permintaan kunci").set_input_files([str(head_req), str(op_req)])
    expect(rpage.locator("#wb-request-list li")).to_have_count(2)
    registrar_key = Path(world["instance"]) / "keys" / "registrar.key"
    rpage.get_by_label("Berkas kunci", exact=True).set_input_files(str(registrar_key))
    rpage.get_by_role("button", name="Buka kunci").click()
    expect(rpage.locator("#wb-key-status")).to_contain_text("Kunci siap dipakai")
    rpage.get_by_role("button", name="Periksa dan daftarkan").click()
    expect(rpage.locator("#wb-status")).to_contain_text("Terdaftar di log", timeout=20000)
    expect(rpage.locator("#wb-registered li")).to_have_count(1)  # agency.registered, two keys
    registrar_ctx.recorder.never_contains(registrar_key.read_bytes()[30:90], b"PRIVATE KEY")
    registrar_ctx.close()

    # The head signs the integrity pact, with the signed PDF hashed in the page.
    fill_pact(
        page, AGENCY, 118, 120, "Seluruh pegawai Kantor Imigrasi Yogyakarta", "pakta-integritas.pdf"
    )
    expect(field(page, "/documents/0/sha256")).to_have_value(
        "sha256:" + __import__("hashlib").sha256(PDF).hexdigest()
    )
    expect(field(page, "/documents/0/name")).to_have_value("pakta-integritas.pdf")
    page.get_by_role("button", name="Periksa isian").click()
    expect(page.locator("#wb-preview")).to_be_visible()
    expect(page.locator("#wb-preview-body")).to_contain_text("Jumlah pegawai")
    # Above the fields, the sentence citizens will read on the entry page.
    expect(page.locator("#wb-preview-summary")).to_contain_text("118 dari 120 pegawai")
    pact_said = page.text_content("#wb-preview-summary")
    choose_stored_key(page, "Kepala Kantor Imigrasi")
    pact = sign_and_post(page)
    expect(page.locator("#wb-no-warnings")).to_be_visible()

    # A field error appears at the field, in plain words, before anything is signed.
    open_form(page, AGENCY, "Penetapan unit kerja")
    field(page, "/body/unit").fill("Kantor Imigrasi")  # not an agency id
    page.get_by_label("Tanggal penetapan unit").fill(DAY)
    page.get_by_label("Target").select_option(label="Menuju WBK")
    page.get_by_label("Surat keputusan (SK)").fill("SK Kepala Kantor tentang Unit Kerja ZI")
    page.get_by_role("button", name="Periksa isian").click()
    error = page.locator('[data-pointer="/body/unit"] .wb-error')
    expect(error).to_contain_text("Isian tidak sesuai ketentuan.")
    field(page, "/body/unit").fill(AGENCY)
    choose_stored_key(page, "Kepala Kantor Imigrasi")
    sign_and_post(page)

    open_form(page, AGENCY, "Pencanangan Zona Integritas")
    page.get_by_label("Tanggal pencanangan").fill(DAY)
    page.get_by_label("Target").select_option(label="Menuju WBK")
    page.get_by_label("Tempat").fill("Aula Kantor Imigrasi Yogyakarta")
    choose_stored_key(page, "Kepala Kantor Imigrasi")
    declaration = sign_and_post(page)

    # A witness, in its own browser, attests the declaration, picked from the agency's entries.
    witness_ctx = next(_context(browser, world))
    wpage = new_page(witness_ctx)
    w_req = key_request(
        wpage,
        folder,
        WITNESS,
        "Saksi",
        "Kepala Perwakilan Ombudsman DIY",
        {"name": "Ombudsman RI Perwakilan DIY", "kind": "Lembaga pengawas"},
    )
    register(world, w_req)
    open_form(wpage, WITNESS, "Kesaksian pencanangan")
    field(wpage, "/body/declaration/agency").fill(AGENCY)
    field(wpage, "/body/declaration/agency").dispatch_event("change")
    picker = wpage.locator('[data-pointer="/body/declaration"] select.wb-ref')
    expect(picker.locator("option", has_text=f"#{declaration}")).to_have_count(1)
    picker.select_option(label=picker.locator("option", has_text=f"#{declaration}").text_content())
    wpage.get_by_label("Tanggal menyaksikan").fill(DAY)
    wpage.get_by_label("Sebagai").fill("Perwakilan Ombudsman RI DIY")
    choose_stored_key(wpage, "Kepala Perwakilan Ombudsman DIY")
    witnessed = sign_and_post(wpage)
    witness_ctx.recorder.never_contains(b"PRIVATE KEY")
    witness_ctx.close()

    # The head publishes a one-item action plan (a repeatable row).
    open_form(page, AGENCY, "Penerbitan rencana aksi")
    page.get_by_label("Tahun").fill(str(date.today().year))
    page.get_by_label("Tanggal terbit").fill(DAY)
    page.locator('[data-pointer="/body/items"] >> button.wb-add').click()
    page.get_by_label("Kode butir").fill("MP-01")
    page.get_by_label("Area perubahan").select_option(label="Manajemen Perubahan")
    page.get_by_label("Keluaran").fill("Agen perubahan ditetapkan")
    page.get_by_label("Target").fill("SK agen perubahan")
    page.get_by_label("Jatuh tempo").fill((date.today() + timedelta(days=60)).isoformat())
    page.get_by_label("Penanggung jawab").fill("Kepala Subbagian Umum")
    page.get_by_label("Bukti dukung").fill("SK Kepala Kantor")
    choose_stored_key(page, "Kepala Kantor Imigrasi")
    sign_and_post(page)

    # The operator drafts the item as done; alone it could not be posted.
    open_form(page, AGENCY, "Laporan kemajuan rencana aksi")
    page.get_by_label("Butir rencana aksi").select_option("MP-01")
    page.get_by_label("Tanggal laporan").fill(date.today().isoformat())
    page.get_by_label("Persentase selesai").fill("100")
    page.get_by_label("Status").select_option(label="Selesai")
    page.locator('[data-pointer="/documents"] >> button.wb-add').click()
    page.locator('[data-pointer="/documents/0/sha256"] input[type="file"]').set_input_files(
        {"name": "sk-agen-perubahan.jpg", "mimeType": "image/jpeg", "buffer": b"\xff\xd8 SK"}
    )
    expect(field(page, "/documents/0/sha256")).to_have_value(re.compile("^sha256:"))
    choose_stored_key(page, "Operator Tim Kerja ZI")
    with page.expect_download() as draft:
        page.get_by_role("button", name="Tanda tangani sebagai draf").click()

    draft_path = folder / "draft.json"
    draft.value.save_as(draft_path)

    # The link is written once the draft is compressed (asynchronously): wait for it.
    prefix = world["url"] + "/workbench/cosign#z="  # compressed, in the fragment
    expect(page.locator("#wb-draft-link")).to_have_attribute("href", re.compile(re.escape(prefix)))
    link = page.locator("#wb-draft-link").get_attribute("href") or ""
    # The draft file opens on the co-signing page; so does the link (the draft in its fragment).
    page.goto("/workbench/cosign")
    page.get_by_label("Berkas draf").set_input_files(str(draft_path))
    expect(page.locator("#wb-signed")).to_contain_text("Operator Tim Kerja ZI")
    # Later, the head opens the link, sees who signed and who still must, countersigns, posts.
    page.goto("/workbench")
    page.goto(link)
    expect(page.locator("#wb-signed")).to_contain_text("Operator Tim Kerja ZI")
    expect(page.locator("#wb-needed")).to_contain_text("Kepala unit kerja")
    choose_stored_key(page, "Kepala Kantor Imigrasi")
    page.get_by_role("button", name="Tambahkan tanda tangan saya").click()
    expect(page.locator("#wb-signed li")).to_have_count(2)
    expect(page.locator("#wb-needed")).to_contain_text("Tanda tangan sudah cukup")
    page.get_by_role("button", name="Kirim ke registri").click()
    expect(page.locator("#wb-receipt")).to_be_visible(timeout=20000)
    done = int((page.text_content("#wb-receipt-index") or "#-1").lstrip("#"))

    # On the unit page, and each verifies in the browser.
    page.goto(f"/agencies/{AGENCY}")
    for index in (pact, declaration, done):
        expect(page.locator(f'a[href$="/entries/{index}"]').first).to_be_visible()
    page.goto(f"/entries/{pact}")
    assert page.text_content("p.lead") == pact_said
    for index in (pact, witnessed, done):
        page.goto(f"/entries/{index}")
        page.get_by_role("button", name="Verifikasi di peramban saya").click()
        page.wait_for_selector("#verify-summary[data-state]", timeout=20000)
        assert (page.text_content("#verify-summary") or "").startswith("Semua pemeriksaan lolos")
    context.recorder.never_contains(b"PRIVATE KEY", b"pkcs8")
