"""Schemathesis against the served OpenAPI document, on a real server over the demo registry,
on SQLite and PostgreSQL: no 5xx, every API error RFC 9457, the log unchanged by every
rejected request, and every answer as the document says.

`make test` runs one bounded pass (PAKTA_API_FUZZ_EXAMPLES examples per operation and phase, 25
by default: some hundreds of requests). `make fuzz` sets PAKTA_FUZZ_REQUESTS (100,000): the
run repeats with new seeds until the server has answered that many requests, and stops by
itself after PAKTA_FUZZ_SECONDS (it fails if the count was not reached by then).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from api_fuzz_support import Observer, run_schemathesis
from pakta_support import LiveServer
from site_support import ARTIFACTS, demo_instance

from web import close_app, create_app

EXAMPLES = int(os.environ.get("PAKTA_API_FUZZ_EXAMPLES", "25"))
REQUESTS = int(os.environ.get("PAKTA_FUZZ_REQUESTS", "0"))
SECONDS = float(os.environ.get("PAKTA_FUZZ_SECONDS", "7200"))
# Schemathesis' own workers (the server still takes one request at a time). More than one has
# crashed schemathesis itself here (CPython 3.11.7: "AST constructor recursion depth mismatch"
# when Hypothesis describes a lambda in two threads at once), so one is the default.
WORKERS = int(os.environ.get("PAKTA_FUZZ_WORKERS", "1"))


@pytest.fixture
def fuzzed(tmp_path: Path, database_url: str) -> Iterator[tuple[LiveServer, Observer]]:
    instance = demo_instance(tmp_path / "instance", database_url, lifecycle=True)
    app = create_app({"PAKTA_INSTANCE": str(instance.path)})
    observer = Observer(app.wsgi_app, app.extensions["pakta"].registry)
    app.wsgi_app = observer  # type: ignore[method-assign]
    server = LiveServer(app)
    try:
        yield server, observer
    finally:
        server.close()
        close_app(app)


@pytest.mark.integration
@pytest.mark.slow
def test_schemathesis_finds_no_defect(
    fuzzed: tuple[LiveServer, Observer], tmp_path: Path, database_url: str
) -> None:
    server, observer = fuzzed
    size = observer.registry.size()
    started = time.monotonic()
    seed, runs = 1, 0
    while True:
        result = run_schemathesis(
            server.url, tmp_path, examples=EXAMPLES, seed=seed, workers=WORKERS
        )
        runs += 1
        assert result.returncode == 0, result.stdout[-30000:] + result.stderr[-3000:]
        assert observer.violations == [], observer.violations[:20]
        if REQUESTS:
            print(f"seed {seed}: {observer.summary()}", flush=True)
        if observer.requests >= REQUESTS or time.monotonic() - started > SECONDS:
            break
        seed += 1
    summary = (
        f"{database_url.split(':')[0]}: {runs} schemathesis runs ({EXAMPLES} examples), "
        f"{observer.summary()} in {time.monotonic() - started:.0f} s"
    )
    print(summary)
    if REQUESTS:
        ARTIFACTS.mkdir(exist_ok=True)
        with (ARTIFACTS / "fuzz-summary.txt").open("a") as f:
            f.write(summary + "\n")
    assert observer.requests >= max(REQUESTS, 300), summary
    assert observer.registry.size() == size, summary  # no fuzzed statement carries a signature
