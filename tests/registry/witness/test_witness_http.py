"""Tests for registry.witness's HTTP side: the real server on 127.0.0.1 (status lines, headers,
request framing, the monitoring API), `request_cosignature` and `pakta witness`."""

from __future__ import annotations

import hashlib
import http.client
import socket
import threading
import urllib.error
import urllib.request
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from witness_support import ORIGIN, Log, leaves

from keys.ed25519 import generate, write_private_key
from keys.note import NoteSigner
from registry.tlog.cosignature import CosignatureSigner, add_cosignatures, check_policy
from registry.witness.server import (
    MAX_REQUEST_BYTES,
    SIZE_CONTENT_TYPE,
    WitnessError,
    request_cosignature,
    witness_main,
)


@pytest.mark.integration
def test_http_add_checkpoint(url: str, log: Log, signer: CosignatureSigner) -> None:
    status, body = request_cosignature(url, 0, [], log.checkpoint(10))
    assert status == 200
    check_policy(
        add_cosignatures(log.checkpoint(10), [body.decode()]),
        log.signer.verifier(),
        [signer.verifier()],
        1,
    )
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
    argv = [
        "--state",
        str(tmp_path / "state"),
        "--key",
        str(key),
        "--name",
        "w.test/1",
        "--log",
        str(log.signer.verifier()),
        "--host",
        "127.0.0.1",
        "--port",
        "0",
    ]
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


def raw_exchange(url: str, request: bytes, *, half_close: bool = False) -> tuple[int, bytes]:
    """Send raw bytes to the server and read its one answer: (status, body)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(request)
        if half_close:
            sock.shutdown(socket.SHUT_WR)
        response = http.client.HTTPResponse(sock)
        response.begin()
        return response.status, response.read()


@pytest.mark.integration
@pytest.mark.parametrize(
    ("headers", "status"),
    [
        # "²" passed str.isdigit(), then int() raised ValueError and the connection died.
        (b"Content-Length: \xb2\r\n", 400),
        (b"Content-Length: \xb9\xb2\r\n", 400),
        (b"Content-Length: +5\r\n", 400),
        (b"Content-Length: 5 5\r\n", 400),
        (b"Content-Length: " + b"9" * 40 + b"\r\n", 400),
        (b"Content-Length: 5\r\nContent-Length: 5\r\n", 411),
        (b"Transfer-Encoding: chunked\r\n", 411),
        (b"Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", 411),
        (b"", 411),
        (b"Content-Length: %d\r\n" % (MAX_REQUEST_BYTES + 1), 413),
    ],
)
def test_request_framing(url: str, headers: bytes, status: int) -> None:
    request = b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\n" + headers + b"\r\n"
    assert raw_exchange(url, request)[0] == status


@pytest.mark.integration
def test_a_body_shorter_than_its_length_is_400(url: str, log: Log) -> None:
    body = log.request(0, 10)
    head = b"POST /add-checkpoint HTTP/1.1\r\nHost: w\r\nContent-Length: %d\r\n\r\n" % (
        len(body) + 10
    )
    assert raw_exchange(url, head + body, half_close=True)[0] == 400


@pytest.mark.integration
def test_http_monitoring_api(url: str, log: Log, signer: CosignatureSigner) -> None:
    # tlog-witness §Monitor Retrieval: GET <prefix>/<hex SHA-256 of the origin>/checkpoint.
    path = f"{url}/{hashlib.sha256(ORIGIN.encode()).hexdigest()}/checkpoint"
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(path, timeout=5)  # never cosigned: 404
    assert e.value.code == 404
    e.value.close()
    status, line = request_cosignature(url, 0, [], log.checkpoint(10))
    assert status == 200
    with urllib.request.urlopen(path, timeout=5) as response:
        served = response.read().decode()
    assert served == log.checkpoint(10) + line.decode()
    check_policy(served, log.signer.verifier(), [signer.verifier()], 1)
    for other in (path.replace("/checkpoint", "/checkpoint/"), f"{url}/{'0' * 64}/checkpoint"):
        with pytest.raises(urllib.error.HTTPError) as e:
            urllib.request.urlopen(other, timeout=5)
        assert e.value.code == 404
        e.value.close()


@pytest.mark.integration
def test_http_fork_is_422_and_409_is_the_size(url: str, log_key: NoteSigner) -> None:
    a = Log(log_key, leaves(b"a", 16))
    b = Log(log_key, leaves(b"b", 16))
    assert request_cosignature(url, 0, [], a.checkpoint(8))[0] == 200
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("POST", "/add-checkpoint", body=b.request(8, 8))
        response = conn.getresponse()
        assert (response.status, response.read()) == (
            422,
            b"a different root hash was cosigned for this size\n",
        )
        conn.request("POST", "/add-checkpoint", body=b.request(0, 12))
        response = conn.getresponse()
        assert response.status == 409
        assert response.getheader("Content-Type") == SIZE_CONTENT_TYPE
        assert response.read() == b"8\n"
    finally:
        conn.close()
