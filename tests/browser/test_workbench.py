"""The agency workbench in a real browser, in Indonesian, with no JSON typed anywhere.

The journey of issue 12: a new agency's head and operator make their keys in the browser and
hand key requests to the registrar, who registers them (`pakta register`); the head signs an
integrity pact with a local PDF hashed, designates the unit and declares Zona Integritas; a
witness attests the declaration from its own browser; the head publishes an action plan; the
operator drafts an item as done and the head countersigns it later; the entries are on the
unit page and verify. Then the same signing with WebCrypto Ed25519 removed (an encrypted key
file, decrypted in the page). Every request every page makes is recorded: no private key,
key file or passphrase is ever in one.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from pakta_support import LiveServer
from playwright.sync_api import expect
from site_support import demo_app, demo_instance

from events import build_statement
from keys.dsse import sign
from keys.ed25519 import load_private_key
from web import close_app

pytestmark = pytest.mark.browser
PAKTA = str(Path(sys.executable).parent / "pakta")
AGENCY = "kanim-yogyakarta"
WITNESS = "ombudsman-diy"
DAY = (date.today() - timedelta(days=3)).isoformat()
PDF = b"%PDF-1.4\n% Pakta Integritas Kantor Imigrasi Kelas I TPI Yogyakarta\n%%EOF\n"
# Deletes WebCrypto's Ed25519 as a browser without it behaves (PITFALLS.md: before Chrome 137).
NO_ED25519 = """
(() => {
  const s = crypto.subtle;
  const named = (a) => (typeof a === "string" ? a : a && a.name) || "";
  for (const m of ["generateKey", "importKey", "sign", "verify", "exportKey"]) {
    const real = s[m].bind(s);
    s[m] = (...args) => {
      const alg = m === "importKey" ? args[2] : m === "exportKey" ? args[1].algorithm : args[0];
      if (/ed25519/i.test(named(alg))) {
        return Promise.reject(new DOMException("Unrecognized name", "NotSupportedError"));
      }
      return real(...args);
    };
  }
})();
"""


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    folder = tmp_path_factory.mktemp("workbench")
    instance = demo_instance(folder / "instance")
    app = demo_app(instance)
    server = LiveServer(app)
    yield {"url": server.url, "instance": instance.path, "folder": folder}
    server.close()
    close_app(app)


class Recorder:
    """Every request a browser context makes, with its body."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, bytes]] = []

    def __call__(self, request: Any) -> None:
        self.seen.append((request.url, request.post_data_buffer or b""))

    def never_contains(self, *secrets: bytes) -> None:
        assert self.seen
        for url, body in self.seen:
            for secret in secrets:
                assert secret not in body and secret not in url.encode(), url


@pytest.fixture
def context(browser: Any, world: dict[str, Any]) -> Iterator[Any]:
    yield from _context(browser, world)


def _context(browser: Any, world: dict[str, Any], init: str | None = None) -> Iterator[Any]:
    ctx = browser.new_context(base_url=world["url"], locale="id-ID", accept_downloads=True)
    if init:
        ctx.add_init_script(init)
    ctx.recorder = Recorder()
    ctx.on("request", ctx.recorder)
    ctx.errors = []
    yield ctx
    ctx.close()
    # Expected refusals (a 4xx from the form check) are logged by chromium as resource errors.
    unexpected = [e for e in ctx.errors if "status of 4" not in e]
    assert not unexpected, unexpected


def new_page(ctx: Any) -> Any:
    page = ctx.new_page()
    page.on("console", lambda m: ctx.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: ctx.errors.append(str(e)))
    return page


def key_request(
    page: Any,
    folder: Path,
    agency: str,
    role: str,
    holder: str,
    profile: dict[str, str] | None = None,
    passphrase: str | None = None,
) -> Path:
    """Make a key on the keys page and save its key request (and the key file, if any)."""
    page.goto("/workbench/keys")
    page.get_by_label("Kode instansi", exact=True).fill(agency)
    page.get_by_label("Peran").select_option(label=role)
    page.get_by_label("Pemegang (jabatan, bukan nama orang)").fill(holder)
    if profile:
        page.get_by_label("Instansi ini belum terdaftar di Pakta").check()
        page.get_by_label("Nama instansi").fill(profile["name"])
        page.get_by_label("Jenis instansi").select_option(label=profile["kind"])
    if passphrase is None:
        page.get_by_role("button", name="Buat kunci di peramban ini").click()
    else:
        page.get_by_label("Kata sandi baru", exact=False).fill(passphrase)
        page.get_by_label("Ulangi kata sandi").fill(passphrase)
        with page.expect_download() as key_file:
            page.get_by_role("button", name="Buat berkas kunci terenkripsi").click()
        key_file.value.save_as(folder / f"{agency}-{role}.key")
    expect(page.locator("#wb-request")).to_be_visible()
    keyid = page.text_content("#wb-request-keyid") or ""
    assert keyid.startswith("ed25519:")
    with page.expect_download() as saved:
        page.get_by_role("button", name="Simpan permintaan kunci").click()
    path = folder / f"{agency}-{role}.key-request.json"
    saved.value.save_as(path)
    assert json.loads(path.read_text())["keyid"] == keyid
    return path


def register(world: dict[str, Any], *requests: Path, basis: str | None = None) -> None:
    """The registrar registers the requests (checking each proof of possession)."""
    extra = ["--basis", basis] if basis else []
    done = subprocess.run(
        [
            PAKTA,
            "--instance",
            str(world["instance"]),
            "register",
            *map(str, requests),
            "--registry",
            world["url"],
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def open_form(page: Any, agency: str, type_title: str) -> None:
    page.goto("/workbench")
    page.get_by_label("Kode instansi").fill(agency)
    page.get_by_role("button", name="Muat").click()
    expect(page.locator("#wb-agency-info")).to_contain_text("nomor urut berikutnya")
    page.get_by_label("Jenis pernyataan").select_option(label=type_title)


def field(page: Any, pointer: str) -> Any:
    box = page.locator(f'[data-pointer="{pointer}"]')
    return box.locator('input:not([type="file"]), select').first


def sign_and_post(page: Any) -> int:
    page.get_by_role("button", name="Tanda tangani dan kirim").click()
    expect(page.locator("#wb-receipt")).to_be_visible(timeout=20000)
    return int((page.text_content("#wb-receipt-index") or "#-1").lstrip("#"))


def choose_stored_key(page: Any, holder: str) -> None:
    options = page.locator("#wb-key option")
    expect(options.filter(has_text=holder)).to_have_count(1)
    value = options.filter(has_text=holder).get_attribute("value")
    page.locator("#wb-key").select_option(value)


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
    open_form(page, AGENCY, "Penandatanganan Pakta Integritas")
    page.get_by_label("Tanggal penandatanganan").fill(DAY)
    page.get_by_label("Jumlah penanda tangan").fill("118")
    page.get_by_label("Jumlah pegawai").fill("120")
    page.get_by_label("Cakupan").fill("Seluruh pegawai Kantor Imigrasi Yogyakarta")
    page.locator('[data-pointer="/documents"] >> button.wb-add').click()
    page.locator('[data-pointer="/documents/0/sha256"] input[type="file"]').set_input_files(
        {"name": "pakta-integritas.pdf", "mimeType": "application/pdf", "buffer": PDF}
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


def behind_the_page(url: str, agency: str, key: Any) -> None:
    """Post a statement for `agency` with `key` outside the browser."""
    with urllib.request.urlopen(f"{url}/api/v1/agencies/{agency}") as r:  # noqa: S310
        head = json.loads(r.read())["head"]
    body = {"signed_on": DAY, "signatories": 1, "staff_total": 1, "scope": "Pimpinan"}
    payload = build_statement(
        "integrity_pact.signed", agency, head["seq"] + 1, head["hash"],
        datetime.now(UTC).replace(microsecond=0), body,
        [{"name": "p.pdf", "sha256": "sha256:" + "c" * 64, "media_type": "application/pdf"}],
    )
    request = urllib.request.Request(
        f"{url}/api/v1/statements", data=json.dumps(sign(payload, [key]).to_json()).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request) as r:  # noqa: S310
        assert r.status == 201


def test_with_webcrypto_ed25519_removed_an_encrypted_key_file(
    browser: Any, world: dict[str, Any]
) -> None:
    folder = world["folder"]
    passphrase = "kopi tubruk pagi hari di malioboro"
    gen = _context(browser, world, NO_ED25519)
    ctx = next(gen)
    page = new_page(ctx)
    page.goto("/workbench/keys")
    expect(page.locator("#wb-no-webcrypto")).to_be_visible()
    expect(page.get_by_role("button", name="Buat kunci di peramban ini")).to_be_disabled()
    agency = "kanim-yogyakarta-file"
    req = key_request(
        page,
        folder,
        agency,
        "Pimpinan instansi",
        "Kepala Kantor",
        {"name": "Kantor Imigrasi (berkas kunci)", "kind": "Instansi vertikal"},
        passphrase=passphrase,
    )
    register(world, req)
    key_path = folder / f"{agency}-Pimpinan instansi.key"
    key_path.chmod(0o600)
    # The file the browser wrote is the CLI's format: Python opens it with the passphrase.
    key = load_private_key(key_path, passphrase)
    seed = key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    open_form(page, agency, "Penandatanganan Pakta Integritas")
    page.get_by_label("Tanggal penandatanganan").fill(DAY)
    page.get_by_label("Jumlah penanda tangan").fill("10")
    page.get_by_label("Jumlah pegawai").fill("42")
    page.get_by_label("Cakupan").fill("Seluruh pegawai")
    page.locator('[data-pointer="/documents"] >> button.wb-add').click()
    page.locator('[data-pointer="/documents/0/sha256"] input[type="file"]').set_input_files(
        {"name": "pakta.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    page.get_by_label("Berkas kunci", exact=True).set_input_files(str(key_path))
    page.get_by_label("Kata sandi berkas kunci").fill("salah sekali kata sandinya")
    page.get_by_role("button", name="Buka kunci").click()
    expect(page.locator("#wb-key-status")).to_have_text(
        "Kata sandi salah, atau berkas kunci rusak."
    )
    page.get_by_label("Kata sandi berkas kunci").fill(passphrase)
    page.get_by_role("button", name="Buka kunci").click()
    expect(page.locator("#wb-key-status")).to_contain_text("Kunci siap dipakai")
    page.get_by_role("button", name="Periksa isian").click()
    expect(page.locator("#wb-preview")).to_be_visible()
    # Meanwhile the same agency posts another statement from elsewhere: the page's head is stale.
    behind_the_page(world["url"], agency, key)
    page.get_by_role("button", name="Tanda tangani dan kirim").click()
    expect(page.locator("#wb-stale")).to_be_visible(timeout=20000)
    page.get_by_role("button", name="Perbarui dan tanda tangani ulang").click()
    expect(page.locator("#wb-receipt")).to_be_visible(timeout=20000)
    index = int((page.text_content("#wb-receipt-index") or "#-1").lstrip("#"))
    # The receipt carries what the rules noticed (10 of 42 staff signed), in plain words.
    expect(page.locator('#wb-warnings li[data-code="pact-coverage-low"]')).to_contain_text(
        "10 dari 42 pegawai"
    )
    page.goto(f"/entries/{index}")
    expect(page.locator("main")).to_contain_text("Kepala Kantor")
    pem = key_path.read_bytes()
    ctx.recorder.never_contains(
        seed,
        base64.b64encode(seed),
        seed.hex().encode(),
        pem[40:100],
        passphrase.encode(),
        b"PRIVATE KEY",
    )
    try:
        next(gen)
    except StopIteration:
        pass


@pytest.mark.parametrize("webcrypto", [True, False])
def test_a_key_file_from_pakta_keygen_opens_in_the_browser(
    browser: Any, world: dict[str, Any], tmp_path: Path, webcrypto: bool
) -> None:
    passphrase = "empat kata acak untuk kunci"
    (tmp_path / "pass").write_text(passphrase + "\n")
    done = subprocess.run(
        [PAKTA, "keygen", str(tmp_path / "cli.key"), "--passphrase",
         "--passphrase-file", str(tmp_path / "pass")],
        capture_output=True, text=True, timeout=60, check=True,
    )
    keyid = done.stdout.split()[0]
    gen = _context(browser, world, None if webcrypto else NO_ED25519)
    ctx = next(gen)
    page = new_page(ctx)
    page.goto("/workbench")
    page.get_by_label("Berkas kunci", exact=True).set_input_files(str(tmp_path / "cli.key"))
    page.get_by_label("Kata sandi berkas kunci").fill(passphrase)
    page.get_by_role("button", name="Buka kunci").click()
    expect(page.locator("#wb-key-status")).to_have_text(f"Kunci siap dipakai: {keyid}")
    ctx.recorder.never_contains(passphrase.encode(), b"PRIVATE KEY")
    try:
        next(gen)
    except StopIteration:
        pass
