"""Tests for registry.witness.server: the tlog-witness status codes, consistency, forks, rollbacks,
persistence, races between requests, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import base64
import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from keys.ed25519 import generate, write_private_key
from keys.note import NoteSigner, sign_note
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureSigner, add_cosignatures, check_policy
from registry.tlog.merkle import (
    ListHashReader,
    build_stored_hashes,
    consistency_proof,
    leaf_hash,
    tree_hash,
)
from registry.witness.server import (
    MAX_REQUEST_BYTES,
    SIZE_CONTENT_TYPE,
    Witness,
    WitnessError,
    format_add_checkpoint,
    parse_add_checkpoint,
    request_cosignature,
    serve,
    witness_main,
)

VECTORS: dict[str, Any] = json.loads(
    (Path(__file__).parents[2] / "vectors" / "witness" / "spec-examples.json").read_text(
        encoding="utf-8"
    )
)
ORIGIN = "test.pakta/log"
TS = 1_700_000_000


class Log:
    """A log signer over a fixed list of leaves, answering for any prefix of them."""

    def __init__(self, signer: NoteSigner, leaves: list[bytes], origin: str = ORIGIN) -> None:
        self.signer, self.origin = signer, origin
        self.reader = ListHashReader(build_stored_hashes(leaves))

    def checkpoint(self, size: int) -> str:
        text = Checkpoint(self.origin, size, tree_hash(size, self.reader)).to_text()
        return sign_note(text, [self.signer])

    def proof(self, old: int, size: int) -> list[bytes]:
        return consistency_proof(old, size, self.reader)

    def request(self, old: int, size: int, proof: list[bytes] | None = None) -> bytes:
        proof = self.proof(old, size) if proof is None else proof
        return format_add_checkpoint(old, proof, self.checkpoint(size))


def leaves(tag: bytes, n: int) -> list[bytes]:
    return [leaf_hash(b"%s %d" % (tag, i)) for i in range(n)]


@pytest.fixture
def log_key() -> NoteSigner:
    return NoteSigner(ORIGIN, generate())


@pytest.fixture
def log(log_key: NoteSigner) -> Log:
    return Log(log_key, leaves(b"a", 64))


@pytest.fixture
def signer() -> CosignatureSigner:
    return CosignatureSigner("witness.test/w1", generate())


@pytest.fixture
def witness(tmp_path: Path, log_key: NoteSigner, signer: CosignatureSigner) -> Witness:
    return Witness(signer, tmp_path / "state", {ORIGIN: log_key.verifier()}, clock=lambda: TS)


def accept(witness: Witness, body: bytes) -> str:
    status, out, ctype = witness.add_checkpoint(body)
    assert (status, ctype) == (200, "text/plain; charset=utf-8"), out
    return out.decode()


def assert_state(witness: Witness, log: Log, size: int) -> None:
    state = witness.state(ORIGIN)
    assert state is not None
    assert (state.size, state.root_hash) == (size, tree_hash(size, log.reader))
    assert state.checkpoint == log.checkpoint(size)


def test_first_checkpoint_is_cosigned(
    witness: Witness, log: Log, signer: CosignatureSigner
) -> None:
    assert witness.state(ORIGIN) is None
    line = accept(witness, log.request(0, 10))
    cosigned = add_cosignatures(log.checkpoint(10), [line])
    check_policy(cosigned, log.signer.verifier(), [signer.verifier()], 1)
    assert line == signer.cosign(Checkpoint(ORIGIN, 10, tree_hash(10, log.reader)).to_text(), TS)
    assert_state(witness, log, 10)


def test_next_checkpoints_need_a_valid_proof(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 10))
    accept(witness, log.request(10, 20))
    accept(witness, log.request(20, 20))  # the same tree head again is fine
    accept(witness, log.request(20, 64))
    assert_state(witness, log, 64)


def test_empty_tree(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 0))
    accept(witness, log.request(0, 3))


def test_wrong_old_size_is_409_with_the_stored_size(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(log.request(5, 10)) == (409, b"0\n", SIZE_CONTENT_TYPE)
    accept(witness, log.request(0, 10))
    for old in (0, 5, 11):
        assert witness.add_checkpoint(log.request(old, 20)) == (409, b"10\n", SIZE_CONTENT_TYPE)
    assert_state(witness, log, 10)


def test_bad_proofs_are_422(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 10))
    good = log.proof(10, 20)
    bad_proofs = [[], good[:-1], [*good, good[0]], [bytes(32)] * len(good)]
    for i in range(len(good)):
        for byte in range(32):
            flipped = list(good)
            flipped[i] = flipped[i][:byte] + bytes([flipped[i][byte] ^ 1]) + flipped[i][byte + 1 :]
            bad_proofs.append(flipped)
    for proof in bad_proofs:
        assert witness.add_checkpoint(log.request(10, 20, proof))[0] == 422
    assert witness.add_checkpoint(log.request(10, 20, [good[0][:31], *good[1:]]))[0] == 400
    # Equal sizes need an empty proof, as does a first checkpoint (old size 0).
    assert witness.add_checkpoint(log.request(10, 10, [bytes(32)]))[0] == 422
    assert_state(witness, log, 10)
    other = Log(log.signer, leaves(b"a", 64), origin=ORIGIN)
    fresh = Witness(witness.signer, witness.state_dir / "fresh", {ORIGIN: log.signer.verifier()})
    assert fresh.add_checkpoint(other.request(0, 10, [bytes(32)]))[0] == 422
    assert fresh.state(ORIGIN) is None


def test_unknown_origin_is_404(witness: Witness) -> None:
    other = Log(NoteSigner("other.example/log", generate()), leaves(b"a", 8), "other.example/log")
    assert witness.add_checkpoint(other.request(0, 4))[0] == 404


def test_bad_log_signatures_are_403(witness: Witness, log: Log) -> None:
    impostor = Log(NoteSigner(ORIGIN, generate()), leaves(b"a", 64))
    status, body, _ = witness.add_checkpoint(impostor.request(0, 10))
    assert status == 403 and b"not signed by the log" in body
    # The known key's signature, but over other bytes.
    text, sigs = log.checkpoint(10).split("\n\n")
    forged = Checkpoint.parse(text + "\n").to_text().replace("10", "11", 1) + "\n" + sigs
    assert witness.add_checkpoint(format_add_checkpoint(0, [], forged))[0] == 403
    assert witness.state(ORIGIN) is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 0\n",
        b"old 01\n\n",
        b"old -1\n\n",
        b"new 0\n\n",
        b"old 0 \n\n",
        b"old 9223372036854775808\n\n",
        b"old 0\nnot-base64\n\n",
        b"old 0\n" + base64.b64encode(bytes(31)) + b"\n\n",
        b"old 0\n" + (base64.b64encode(bytes(32)) + b"\n") * 64 + b"\n",
        b"old 0\n\n\xff\n",
        b"old 0\n\nno signatures\n",
    ],
)
def test_malformed_requests_are_400(witness: Witness, log: Log, body: bytes) -> None:
    if body.endswith(b"\n\n"):
        body += log.checkpoint(10).encode()
    assert witness.add_checkpoint(body)[0] == 400
    assert witness.state(ORIGIN) is None


def test_non_canonical_checkpoint_and_larger_old_size_are_400(witness: Witness, log: Log) -> None:
    text = "test.pakta/log\n010\n" + base64.b64encode(bytes(32)).decode() + "\n"
    note = sign_note(text, [log.signer])
    assert witness.add_checkpoint(format_add_checkpoint(0, [], note))[0] == 400
    accept(witness, log.request(0, 20))
    # tlog-witness: old size larger than the checkpoint size is a 400, whatever is stored.
    assert witness.add_checkpoint(log.request(0, 10).replace(b"old 0", b"old 20"))[0] == 400


def test_rollback_is_refused(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 20))
    assert witness.add_checkpoint(log.request(10, 10))[:2] == (409, b"20\n")
    assert witness.add_checkpoint(format_add_checkpoint(20, [], log.checkpoint(10)))[0] == 400
    assert witness.add_checkpoint(log.request(0, 10))[:2] == (409, b"20\n")
    assert_state(witness, log, 20)


def test_a_fork_is_never_cosigned(witness: Witness, log_key: NoteSigner) -> None:
    common = leaves(b"common", 16)
    a = Log(log_key, common + leaves(b"a", 16))
    b = Log(log_key, common + leaves(b"b", 16))
    accept(witness, a.request(0, 16))
    assert a.checkpoint(16) == b.checkpoint(16)  # one history so far
    accept(witness, a.request(16, 24))
    # B's view of the log: same size, other root; a proof from B's 24; an old size.
    assert witness.add_checkpoint(b.request(24, 24))[0] == 409
    assert witness.add_checkpoint(b.request(24, 30))[0] == 422
    assert witness.add_checkpoint(b.request(16, 30))[:2] == (409, b"24\n")
    assert_state(witness, a, 24)
    evidence = list((witness.state_dir / "evidence").iterdir())
    assert {p.read_bytes() for p in evidence} == {b.request(24, 24), b.request(24, 30)}


def test_first_view_wins_for_a_size(witness: Witness, log_key: NoteSigner) -> None:
    common = leaves(b"common", 16)
    a = Log(log_key, common + leaves(b"a", 16))
    b = Log(log_key, common + leaves(b"b", 16))
    accept(witness, a.request(0, 16))
    accept(witness, b.request(16, 20))
    assert witness.add_checkpoint(a.request(20, 20))[0] == 409
    assert witness.add_checkpoint(a.request(20, 24))[0] == 422
    assert witness.add_checkpoint(a.request(16, 20))[:2] == (409, b"20\n")
    assert_state(witness, b, 20)


def test_state_survives_a_restart(
    tmp_path: Path, witness: Witness, log: Log, signer: CosignatureSigner
) -> None:
    accept(witness, log.request(0, 20))
    again = Witness(signer, tmp_path / "state", {ORIGIN: [log.signer.verifier()]})
    assert_state(again, log, 20)
    assert again.add_checkpoint(log.request(0, 30))[:2] == (409, b"20\n")
    accept(again, log.request(20, 30))
    files = sorted(p.name for p in (tmp_path / "state").iterdir())
    assert len(files) == 2 and files[0].endswith(".json") and files[1].endswith(".lock")
    data = json.loads((tmp_path / "state" / files[0]).read_text(encoding="utf-8"))
    assert data["origin"] == ORIGIN and data["size"] == 30
    assert data["checkpoint"] == log.checkpoint(30)


def test_corrupt_state_is_a_500(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 10))
    (state_file,) = witness.state_dir.glob("*.json")
    state_file.write_text("{", encoding="utf-8")
    assert witness.add_checkpoint(log.request(10, 20))[0] == 500
    state_file.write_text(json.dumps({"origin": "x", "size": 1, "root_hash": "", "checkpoint": ""}))
    assert witness.add_checkpoint(log.request(10, 20))[0] == 500


def test_concurrent_requests_never_both_advance(
    witness: Witness, log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    accept(witness, log.request(0, 8))
    store = witness._store

    def slow_store(state: Any) -> None:
        time.sleep(0.02)  # widen the window between the check and the write
        store(state)

    monkeypatch.setattr(witness, "_store", slow_store)
    sizes = list(range(9, 41))
    barrier = threading.Barrier(len(sizes))
    results: dict[int, int] = {}

    def submit(size: int) -> None:
        body = log.request(8, size)
        barrier.wait()
        results[size] = witness.add_checkpoint(body)[0]

    threads = [threading.Thread(target=submit, args=(n,)) for n in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, status in results.items() if status == 200]
    assert len(winners) == 1 and sorted(results.values()) == [200] + [409] * (len(sizes) - 1)
    assert_state(witness, log, winners[0])


def test_spec_example_request_parses() -> None:
    ex = VECTORS["tlog_witness_example"]
    old, proof, note = parse_add_checkpoint(ex["request"].encode())
    assert old == ex["old_size"]
    assert [base64.b64encode(h).decode() for h in proof] == ex["proof"]
    assert note == ex["signed_checkpoint"]
    assert format_add_checkpoint(old, proof, note) == ex["request"].encode()


@pytest.fixture
def url(witness: Witness) -> Iterator[str]:
    server = serve(witness, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.mark.integration
def test_http_add_checkpoint(url: str, log: Log, signer: CosignatureSigner) -> None:
    status, body = request_cosignature(url, 0, [], log.checkpoint(10))
    assert status == 200
    check_policy(add_cosignatures(log.checkpoint(10), [body.decode()]), log.signer.verifier(),
                 [signer.verifier()], 1)
    assert request_cosignature(url + "/", 10, log.proof(10, 20), log.checkpoint(20))[0] == 200
    assert request_cosignature(url, 10, log.proof(10, 30), log.checkpoint(30)) == (409, b"20\n")
    assert request_cosignature(url, 20, [bytes(32)], log.checkpoint(30))[0] == 422
    other = Log(NoteSigner("elsewhere/log", generate()), leaves(b"x", 4), "elsewhere/log")
    assert request_cosignature(url, 0, [], other.checkpoint(2))[0] == 404
    impostor = Log(NoteSigner(ORIGIN, generate()), leaves(b"a", 64))
    assert request_cosignature(url, 20, log.proof(20, 30), impostor.checkpoint(30))[0] == 403


@pytest.mark.integration
def test_http_status_lines_and_headers(url: str, log: Log) -> None:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        # Two requests on one kept-alive connection.
        conn.request("POST", "/add-checkpoint", body=log.request(5, 10))
        response = conn.getresponse()
        assert response.status == 409
        assert response.getheader("Content-Type") == SIZE_CONTENT_TYPE
        assert response.read() == b"0\n"
        conn.request("POST", "/add-checkpoint", body=log.request(0, 10))
        response = conn.getresponse()
        assert response.status == 200 and response.read().startswith("\u2014 ".encode())
        conn.request("GET", "/add-checkpoint")
        assert conn.getresponse().status == 405
    finally:
        conn.close()
    for method, path in [("POST", "/other"), ("GET", "/")]:
        data = b"" if method == "POST" else None
        request = urllib.request.Request(url + path, method=method, data=data)
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(request, timeout=5)
        assert e.value.code == 404
        e.value.close()
    big = http.client.HTTPConnection(host, int(port), timeout=5)
    big.putrequest("POST", "/add-checkpoint")
    big.putheader("Content-Length", str(MAX_REQUEST_BYTES + 1))
    big.endheaders()
    assert big.getresponse().status == 413
    big.close()


def test_request_cosignature_errors() -> None:
    with pytest.raises(WitnessError, match="http"):
        request_cosignature("file:///etc/passwd", 0, [], "x")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(WitnessError, match="unreachable"):
        request_cosignature(f"http://127.0.0.1:{port}", 0, [], "x", timeout=2)


@pytest.mark.integration
def test_witness_main(tmp_path: Path, log: Log, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "witness.key"
    write_private_key(key, generate())
    argv = ["--state", str(tmp_path / "state"), "--key", str(key), "--name", "w.test/1",
            "--log", str(log.signer.verifier()), "--host", "127.0.0.1", "--port", "0"]
    assert witness_main([*argv[:3], str(tmp_path / "missing.key"), *argv[4:]]) == 1
    assert witness_main([*argv[:-4], "--log", "not a key"]) == 1
    assert "error" in capsys.readouterr().err
    started: list[ThreadingHTTPServer] = []
    ready = threading.Event()

    def on_start(server: ThreadingHTTPServer) -> None:
        started.append(server)
        ready.set()

    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(witness_main(argv, on_start=on_start)))
    thread.start()
    assert ready.wait(10)
    port = started[0].server_address[1]
    try:
        status, _ = request_cosignature(f"http://127.0.0.1:{port}", 0, [], log.checkpoint(3))
        assert status == 200
    finally:
        started[0].shutdown()
        thread.join(10)
    assert codes == [0]
    out = capsys.readouterr().out
    assert "witness key: w.test/1+" in out and f"listening on http://127.0.0.1:{port}" in out
