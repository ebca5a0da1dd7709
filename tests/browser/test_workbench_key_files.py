"""Encrypted key files in the agency workbench, in a real browser: with WebCrypto's Ed25519
removed (as in a browser without it), a head makes an encrypted key file, the registrar registers
its key request, and the page decrypts the file to sign and post a statement (a wrong passphrase
refused, a stale head re-signed); a key file made by `pakta keygen` opens in the page, with
WebCrypto's Ed25519 and without. Every request the page makes is recorded: no private key, key
file or passphrase is ever in one.
"""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect
from workbench_support import DAY, PAKTA, _context, fill_pact, key_request, new_page, register

from events import build_statement
from keys.dsse import sign
from keys.ed25519 import load_private_key

pytestmark = pytest.mark.browser
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


def behind_the_page(url: str, agency: str, key: Any) -> None:
    """Post a statement for `agency` with `key` outside the browser."""
    with urllib.request.urlopen(f"{url}/api/v1/agencies/{agency}") as r:  # noqa: S310
        head = json.loads(r.read())["head"]
    body = {"signed_on": DAY, "signatories": 1, "staff_total": 1, "scope": "Pimpinan"}
    payload = build_statement(
        "integrity_pact.signed",
        agency,
        head["seq"] + 1,
        head["hash"],
        datetime.now(UTC).replace(microsecond=0),
        body,
        [{"name": "p.pdf", "sha256": "sha256:" + "c" * 64, "media_type": "application/pdf"}],
    )
    request = urllib.request.Request(
        f"{url}/api/v1/statements",
        data=json.dumps(sign(payload, [key]).to_json()).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
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
    fill_pact(page, agency, 10, 42, "Seluruh pegawai", "pakta.pdf")
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
        [
            PAKTA,
            "keygen",
            str(tmp_path / "cli.key"),
            "--passphrase",
            "--passphrase-file",
            str(tmp_path / "pass"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
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
