"""The vendored JavaScript is what js/package-lock.json pins, byte for byte, and it works."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from keys import ed25519

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = [ROOT / "web/static/vendor", ROOT / "tests/browser/vendor"]


def _manifest(folder: Path) -> list[dict[str, object]]:
    entries: list[dict[str, object]] = json.loads((folder / "VENDOR.json").read_text())
    return entries


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda f: f.name)
def test_every_vendored_file_matches_its_manifest_and_the_lock_file(folder: Path) -> None:
    lock = json.loads((ROOT / "js/package-lock.json").read_text())["packages"]
    for entry in _manifest(folder):
        name = str(entry["name"])
        locked = lock[f"node_modules/{name}"]
        assert (entry["version"], entry["integrity"]) == (locked["version"], locked["integrity"])
        hashes = entry["sha256"]
        assert isinstance(hashes, dict) and "LICENSE" in hashes
        for file, digest in hashes.items():
            assert hashlib.sha256((folder / name / file).read_bytes()).hexdigest() == digest, file
    # Nothing sits in the folder that the manifest does not name.
    named = {f"{e['name']}/{f}" for e in _manifest(folder) for f in e["sha256"]}  # type: ignore[attr-defined]
    present = {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if p.is_file() and p.name != "VENDOR.json"
    }
    assert present == named


@pytest.mark.skipif(shutil.which("node") is None, reason="needs node")
def test_the_vendored_ed25519_verifies_what_pakta_signs_and_refuses_a_changed_message(
    tmp_path: Path,
) -> None:
    key = ed25519.generate()
    message = b"Pakta integritas BPS Kabupaten Grobogan"
    signature = key.sign(message)
    public = ed25519.public_bytes(key)
    vendor = (ROOT / "web/static/vendor/@noble").as_uri()
    script = tmp_path / "check.mjs"
    script.write_text(
        f"""
import * as ed from "{vendor}/ed25519/index.js";
import {{ sha512 }} from "{vendor}/hashes/sha2.js";
ed.hashes.sha512 = sha512;
const hex = (s) => Uint8Array.from(s.match(/../g).map((b) => parseInt(b, 16)));
const [sig, msg, pub] = process.argv.slice(2).map(hex);
const bad = Uint8Array.from(msg); bad[0] ^= 1;
console.log(JSON.stringify([ed.verify(sig, msg, pub), ed.verify(sig, bad, pub)]));
"""
    )
    out = subprocess.run(
        ["node", str(script), signature.hex(), message.hex(), public.hex()],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == [True, False]
