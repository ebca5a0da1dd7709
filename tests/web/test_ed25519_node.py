"""The browser's Ed25519 verify (web/static/verify/common.js, run in node) gives the audit's
verdict on Ed25519's edge cases: the ed25519-speccheck vectors (tests/vectors/keys, "Taming the
many EdDSAs", Chalkias, Garillot, Nikolaenko, 2020) and those made from a real key
(tests/ed25519_edges.py), through WebCrypto and through the vendored @noble/ed25519 that
browsers without WebCrypto Ed25519 use. Both refuse what `keys.strict` refuses; noble's
equation is the cofactored one, so it alone also accepts speccheck's two signatures that only
a cofactored verifier accepts (mixed-order R and key, which no key generator makes)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import ed25519_edges as edges
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from keys.dsse import pae
from keys.ed25519 import public_bytes, verify

ROOT = Path(__file__).resolve().parents[2]
COMMON_JS = ROOT / "web" / "static" / "verify" / "common.js"
VECTORS = ROOT / "tests" / "vectors" / "keys" / "ed25519-speccheck.json"
NODE = shutil.which("node")
RUNNER = """
import { readFileSync } from 'node:fs';
if (process.argv[3] === 'noble') globalThis.window = { __paktaNoWebCryptoEd25519: true };
const c = await import('%s');
const h = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const out = [];
for (const [pub, msg, sig] of JSON.parse(readFileSync(process.argv[2], 'utf8'))) {
  out.push(await c.ed25519(h(pub), h(msg), h(sig)));
}
console.log(JSON.stringify(out));
"""
COFACTORED_ONLY = {4, 5}  # speccheck's ids: cofactored verifiers accept them, ours refuse


def cases() -> list[tuple[bytes, bytes, bytes]]:
    vectors = json.loads(VECTORS.read_text("utf-8"))["vectors"]
    out = [
        tuple(bytes.fromhex(v[k]) for k in ("public_key", "message", "signature")) for v in vectors
    ]
    key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
    public, message = public_bytes(key), pae("application/vnd.pakta+json", b"{}")
    good = key.sign(message)
    out += [
        (public, message, good),
        (public, message, edges.s_plus_l(good)),
        (public, message, edges.identity_r(key, message)),
        (edges.torsion_key(key), *edges.sign_for_torsion_key(key, message)),
    ]
    out += [(small, message, good) for small in edges.small_order_encodings()]
    out += [(public, message, small + good[32:]) for small in edges.small_order_encodings()]
    return out  # type: ignore[return-value]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
@pytest.mark.parametrize("path", ["webcrypto", "noble"])
def test_the_browser_gives_the_audits_verdict(tmp_path: Path, path: str) -> None:
    assert NODE is not None
    found = cases()
    (tmp_path / "cases.json").write_text(json.dumps([[b.hex() for b in c] for c in found]))
    (tmp_path / "run.mjs").write_text(RUNNER % COMMON_JS.as_uri())
    done = subprocess.run(
        [NODE, str(tmp_path / "run.mjs"), str(tmp_path / "cases.json"), path],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    browser = json.loads(done.stdout)
    expected = [verify(*c) for c in found]
    assert expected.count(True) == 3  # speccheck 3, the real key's signature, the torsion key's
    differ = {i for i, (b, e) in enumerate(zip(browser, expected, strict=True)) if b != e}
    assert differ == (COFACTORED_ONLY if path == "noble" else set())
