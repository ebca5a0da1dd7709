"""The Python client (registry/client.py) against a real server, directly and through a real
HTTP proxy that changes what the registry answers: a receipt or entry whose proof,
checkpoint or hashes were changed in any one place is refused; the genuine one is accepted."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pakta_support import PACT_DOCUMENT, LiveServer, pact_body, served

from keys.dsse import Envelope, sign
from keys.ed25519 import b64, generate, load_private_key, public_bytes, write_private_key
from keys.errors import VerificationError
from keys.note import verifier_key
from registry.client import Client, ClientError, ReceiptError, Refused, verify_receipt
from registry.write.instance import Instance

AGENCY = "kanim-yogyakarta"
README = Path(__file__).resolve().parent.parent.parent / "README.md"
Tamper = Callable[[str, str, bytes], bytes]


class Proxy:
    """A real HTTP server that forwards every request to `upstream` and passes each answer's
    body through `tamper(method, path, body)` (which may return it unchanged)."""

    def __init__(self, upstream: str) -> None:
        self.tamper: Tamper = lambda method, path, body: body
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def forward(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                request = urllib.request.Request(upstream + self.path, data=data, method=method)
                if self.headers.get("Content-Type"):
                    request.add_header("Content-Type", self.headers["Content-Type"])
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status, body = response.status, response.read()
                        kind = response.headers.get("Content-Type", "")
                except urllib.error.HTTPError as e:
                    status, body, kind = e.code, e.read(), e.headers.get("Content-Type", "")
                body = proxy.tamper(method, self.path, body)
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self.forward("GET")

            def do_POST(self) -> None:  # noqa: N802
                self.forward("POST")

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture
def live(instance: Instance) -> Iterator[LiveServer]:
    with served(instance.path) as server:
        yield server


@pytest.fixture
def head_key(instance: Instance, live: LiveServer) -> Any:
    """The head key of AGENCY, registered through the client, with a few entries after it."""
    key = generate()
    registrar = load_private_key(instance.registrar_key_path())
    client = Client(live.url, instance.log_vkey)
    registration = {
        "type": "agency.registered",
        "agency": AGENCY,
        "body": {
            "name": "Kantor Imigrasi Kelas I TPI Yogyakarta",
            "kind": "instansi_vertikal",
            "parent": None,
            "region": {"kemendagri": "34.71", "bps": "3471", "name": "Kota Yogyakarta"},
            "keys": [{"public_key": b64(public_bytes(key)), "role": "agency_head",
                      "holder": "Kepala Kantor Imigrasi Kelas I TPI Yogyakarta"}],
        },
    }  # fmt: skip
    assert client.post(registration, [registrar]).seq == 0
    for _ in range(4):
        client.post(pact(), [key])
    return key


@pytest.fixture
def proxy(live: LiveServer) -> Iterator[Proxy]:
    found = Proxy(live.url)
    yield found
    found.close()


def pact(day: str = "2025-01-02") -> dict[str, Any]:
    return {
        "type": "integrity_pact.signed",
        "agency": AGENCY,
        "body": pact_body(day),
        "documents": [PACT_DOCUMENT],
    }


def receipt_edit(edit: Callable[[dict[str, Any]], None]) -> Tamper:
    def tamper(method: str, path: str, body: bytes) -> bytes:
        if method != "POST" or path != "/api/v1/statements":
            return body
        receipt = json.loads(body)
        if "index" in receipt:
            edit(receipt)
        return json.dumps(receipt).encode()

    return tamper


def flip_proof_byte(receipt: dict[str, Any]) -> None:
    raw = bytearray(base64_decode(receipt["inclusion_proof"][0]))
    raw[7] ^= 0x01
    receipt["inclusion_proof"][0] = b64(bytes(raw))


def base64_decode(text: str) -> bytes:
    return base64.b64decode(text)


def change_checkpoint_char(where: Callable[[str], int]) -> Callable[[dict[str, Any]], None]:
    def edit(receipt: dict[str, Any]) -> None:
        text = receipt["checkpoint"]
        i = where(text)
        receipt["checkpoint"] = text[:i] + ("B" if text[i] != "B" else "C") + text[i + 1 :]

    return edit


def in_root_line(checkpoint: str) -> int:
    origin, size = checkpoint.split("\n")[:2]
    return len(origin) + len(size) + 2 + 5  # the sixth character of the root hash


TAMPERS = {
    "proof byte": flip_proof_byte,
    "root hash in the checkpoint": change_checkpoint_char(in_root_line),
    "signature of the checkpoint": change_checkpoint_char(lambda t: len(t) - 10),
    "origin of the checkpoint": change_checkpoint_char(lambda t: 2),
}  # fmt: skip


def test_a_genuine_receipt_and_entry_are_verified(
    instance: Instance, live: LiveServer, head_key: Any
) -> None:
    client = Client(live.url, instance.log_vkey)
    receipt = client.post(pact(), [head_key])
    assert (receipt.agency, receipt.seq) == (AGENCY, 5)
    assert receipt.tree.size == receipt.index + 1 and len(receipt.inclusion_proof) >= 2
    assert receipt.to_json()["index"] == receipt.index
    entry = client.entry(receipt.index)
    assert entry.text == receipt.entry and entry.statement.seq == 5
    assert client.head(AGENCY)["head"]["seq"] == 5
    assert Client.trusting_served_key(live.url).log == client.log
    with pytest.raises(Refused) as info:
        client.head("no-such-agency")
    assert info.value.status == 404


def test_a_refusal_carries_the_problem_and_the_head(
    instance: Instance, live: LiveServer, head_key: Any
) -> None:
    client = Client(live.url, instance.log_vkey)
    stale = client.prepare(pact())
    client.post(pact(), [head_key])
    with pytest.raises(Refused) as info:
        client.post(sign(stale, [head_key]))
    assert info.value.status == 409 and info.value.head is not None
    assert info.value.head["seq"] == 5 and "refused (409" in str(info.value)


@pytest.mark.parametrize("what", sorted(TAMPERS))
def test_a_changed_receipt_is_refused_and_the_genuine_one_accepted(
    instance: Instance, live: LiveServer, proxy: Proxy, head_key: Any, what: str
) -> None:
    through_proxy = Client(proxy.url, instance.log_vkey)
    proxy.tamper = receipt_edit(TAMPERS[what])
    with pytest.raises(ReceiptError, match="its receipt does not verify"):
        through_proxy.post(pact(), [head_key])
    proxy.tamper = lambda method, path, body: body
    assert through_proxy.post(pact(), [head_key]).seq == 6  # the refused one was appended


def test_a_changed_entry_proof_is_refused(
    instance: Instance, live: LiveServer, proxy: Proxy, head_key: Any
) -> None:
    client = Client(proxy.url, instance.log_vkey)
    assert client.entry(2).index == 2

    def tamper(method: str, path: str, body: bytes) -> bytes:
        if path.endswith("/proof"):
            proof = json.loads(body)
            flip_proof_byte(proof)
            return json.dumps(proof).encode()
        return body

    proxy.tamper = tamper
    with pytest.raises(ReceiptError, match="not in the checkpoint's tree"):
        client.entry(2)
    proxy.tamper = lambda method, path, body: body.replace(b'"index":2', b'"index":3')
    with pytest.raises(ReceiptError):
        client.entry(2)


def test_another_entry_in_place_of_the_posted_one_is_refused(
    instance: Instance, live: LiveServer, proxy: Proxy, head_key: Any
) -> None:
    earlier = urllib.request.urlopen(f"{live.url}/api/v1/entries/1/raw").read()

    def tamper(method: str, path: str, body: bytes) -> bytes:
        return earlier if path.endswith("/raw") else body

    proxy.tamper = tamper
    with pytest.raises(ReceiptError, match="does not hash to the receipt's leaf"):
        Client(proxy.url, instance.log_vkey).post(pact(), [head_key])


def test_a_receipt_under_another_log_key_is_refused(live: LiveServer, head_key: Any) -> None:
    other = verifier_key("test.pakta/log", public_bytes(generate()))
    with pytest.raises(ReceiptError, match="not signed by the pinned log key"):
        Client(live.url, other).post(pact(), [head_key])
    with pytest.raises(ClientError, match="no log key is pinned"):
        Client(live.url, None).post(pact(), [head_key])


def test_every_one_character_change_of_a_receipt_is_refused(
    instance: Instance, live: LiveServer, proxy: Proxy, head_key: Any
) -> None:
    """As Go's tlog tests flip each bit of each proof: each place of the checkpoint, each bit
    of the proof, and each hash of the receipt, on one genuine receipt."""
    captured: list[bytes] = []

    def keep(method: str, path: str, body: bytes) -> bytes:
        if method == "POST":
            captured.append(body)
        return body

    proxy.tamper = keep
    client = Client(proxy.url, instance.log_vkey)
    receipt = client.post(pact(), [head_key])
    genuine = json.loads(captured[0])
    envelope = Envelope.from_json(json.loads(receipt.entry)["envelope"])
    log = client.log

    def entry(index: int) -> bytes:
        return receipt.entry if index == receipt.index else b"{}"

    verify_receipt(log, genuine, envelope, entry)
    variants: list[dict[str, Any]] = []
    text = genuine["checkpoint"]
    for i, c in enumerate(text):
        variants.append({**genuine, "checkpoint": text[:i] + chr(ord(c) ^ 1) + text[i + 1 :]})
    for n, node in enumerate(genuine["inclusion_proof"]):
        raw = base64_decode(node)
        for bit in range(len(raw) * 8):
            changed = bytearray(raw)
            changed[bit // 8] ^= 1 << (bit % 8)
            proof = list(genuine["inclusion_proof"])
            proof[n] = b64(bytes(changed))
            variants.append({**genuine, "inclusion_proof": proof})
    variants.append({**genuine, "inclusion_proof": genuine["inclusion_proof"][:-1]})
    variants.append({**genuine, "inclusion_proof": [*genuine["inclusion_proof"], "A" * 43 + "="]})
    for name in ("leaf_hash", "entry_hash", "statement_hash"):
        value = genuine[name]
        variants.append({**genuine, name: value[:-1] + ("0" if value[-1] != "0" else "1")})
    variants += [{**genuine, "index": genuine["index"] - 1}, {**genuine, "seq": 4}]
    for variant in variants:
        with pytest.raises(VerificationError):
            verify_receipt(log, variant, envelope, entry)
    assert len(variants) == len(text) + 256 * len(genuine["inclusion_proof"]) + 7


def test_the_readme_example_runs(
    instance: Instance,
    live: LiveServer,
    head_key: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = README.read_text()
    block = re.search(r"### The Python client\n.*?```python\n(.*?)```", text, re.S)
    assert block is not None, "the README has no client example"
    code = block.group(1)
    assert len(code.strip().splitlines()) <= 15
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PAKTA_PASSPHRASE", "kata sandi dari brankas")
    write_private_key(tmp_path / "head.key", head_key, "kata sandi dari brankas")
    (tmp_path / "pakta.pdf").write_bytes(b"%PDF-1.4 pakta integritas")
    code = code.replace("https://pakta.example", live.url)
    code = re.sub(r'"pakta\.example/log\+[^"]*"', json.dumps(instance.log_vkey), code)
    exec(compile(code, "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["5", "6"]  # index and tree size of the verified receipt
    assert hashlib.sha256(b"%PDF-1.4 pakta integritas").hexdigest() in out[1]
