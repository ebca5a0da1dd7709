"""Helpers for the workbench's browser tests (test_workbench.py, test_workbench_key_files.py):
browser contexts that record every request they make, pages that collect console errors, and the
workbench's pages driven by their Indonesian labels — a key and its key request made on the keys
page, the registrar registering requests (`pakta register`), a statement form opened, filled,
signed and posted.

A uniquely named module (not conftest) so test modules can import it unambiguously. The served
demo registry they run against is the `world` fixture (conftest.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

PAKTA = str(Path(sys.executable).parent / "pakta")
DAY = (date.today() - timedelta(days=3)).isoformat()
PDF = b"%PDF-1.4\n% Pakta Integritas Kantor Imigrasi Kelas I TPI Yogyakarta\n%%EOF\n"


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


def _context(browser: Any, world: dict[str, Any], init: str | None = None) -> Iterator[Any]:
    """A recording browser context on `world` (with an init script, if any); on resuming, it
    closes and asserts its pages logged no unexpected error."""
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


def fill_pact(page: Any, agency: str, signers: int, staff: int, scope: str, pdf: str) -> None:
    """Open the integrity pact's form and fill it in, the signed PDF (`PDF`, named `pdf`)
    attached to its first document."""
    open_form(page, agency, "Penandatanganan Pakta Integritas")
    page.get_by_label("Tanggal penandatanganan").fill(DAY)
    page.get_by_label("Jumlah penanda tangan").fill(str(signers))
    page.get_by_label("Jumlah pegawai").fill(str(staff))
    page.get_by_label("Cakupan").fill(scope)
    page.locator('[data-pointer="/documents"] >> button.wb-add').click()
    page.locator('[data-pointer="/documents/0/sha256"] input[type="file"]').set_input_files(
        {"name": pdf, "mimeType": "application/pdf", "buffer": PDF}
    )


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
