"""Fixtures of the witness tests: a log key and log, a witness key, a witness on a temporary
state folder with a fixed clock, and that witness on a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from witness_support import ORIGIN, TS, Log, leaves

from keys.ed25519 import generate
from keys.note import NoteSigner
from registry.tlog.cosignature import CosignatureSigner
from registry.witness.server import Witness, serve


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


@pytest.fixture
def url(witness: Witness) -> Iterator[str]:
    server = serve(witness, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
