"""bench.scale.offered_together: both sizes' requests interleave, each at the offered rate."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench.scale import offered_together


class _Recorder(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    arrivals: list[tuple[float, str]] = []
    lock = threading.Lock()
    delay = 0.0

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        with self.lock:
            self.arrivals.append((time.perf_counter(), self.path))
        if self.path == "/slow":
            time.sleep(self.delay)
        body = b"ok"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def ports() -> Iterator[tuple[int, int]]:
    _Recorder.arrivals = []
    servers = [ThreadingHTTPServer(("127.0.0.1", 0), _Recorder) for _ in range(2)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield servers[0].server_address[1], servers[1].server_address[1]
    for server in servers:
        server.shutdown()
        server.server_close()


def test_each_target_gets_its_rate_and_their_requests_alternate(ports: tuple[int, int]) -> None:
    a, b = ports
    found = offered_together([(a, "/a"), (b, "/b")], rate=50, seconds=1.0)
    assert [len(latencies) for latencies, _ in found] == [50, 50]
    assert [failures for _, failures in found] == [0, 0]
    order = [path for _, path in sorted(_Recorder.arrivals)]
    assert sorted(set(order)) == ["/a", "/b"]
    # Staggered by half a period: the two schedules alternate request by request.
    alternations = sum(x != y for x, y in zip(order, order[1:], strict=False))
    assert alternations >= 0.9 * (len(order) - 1), order


def test_a_slow_target_does_not_hold_the_others_requests(ports: tuple[int, int]) -> None:
    a, b = ports
    _Recorder.delay = 1.0
    try:
        slow, fast = offered_together([(a, "/slow"), (b, "/fast")], rate=20, seconds=1.0)
    finally:
        _Recorder.delay = 0.0
    assert min(slow[0]) >= 1.0
    assert max(fast[0]) < 0.5, "the fast target waited for the slow one's senders"
