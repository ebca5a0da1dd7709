"""Cosignatures are collected in the background: a slow or broken witness never delays or
fails a POST, each witness is asked once per checkpoint (across processes and restarts) and
leaves at most one cosignature on it, `pakta witness-add` takes effect while servers run, and
`/checkpoint` keeps answering once a quorum is configured."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pakta_support import Agent, Harness, envelope_bytes, registration
from sqlalchemy import event

from keys.ed25519 import generate
from keys.note import NoteVerifier
from registry.cli import main
from registry.service import open_service
from registry.tlog.cosignature import CosignatureSigner, check_policy, count_cosigners
from registry.witness.server import Witness, logs_from_vkeys
from registry.write.instance import Instance, load_instance
from web import close_app, create_app


class FakeWitness(ThreadingHTTPServer):
    """A real witness (registry.witness.server) behind an HTTP server that counts requests,
    can be held (to prove nobody waits for it) or can answer garbage."""

    def __init__(self, instance: Instance, folder: Path, mode: str = "good") -> None:
        self.signer = CosignatureSigner("witness.test/w", generate())
        self.witness = Witness(self.signer, folder, logs_from_vkeys([instance.log_vkey]))
        self.mode, self.requests, self.release = mode, 0, threading.Event()
        if mode != "held":
            self.release.set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                outer.requests += 1
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.release.wait(30)
                status, data, kind = outer.witness.add_checkpoint(body)
                if outer.mode == "garbage":
                    status, data = 200, b"not a cosignature\n"
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return None

        super().__init__(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def witness(instance: Instance, folder: Path, mode: str = "good") -> Iterator[FakeWitness]:
    server = FakeWitness(instance, folder, mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def add(instance: Instance, w: FakeWitness, quorum: int) -> None:
    argv = ["--instance", str(instance.path), "witness-add", w.url, w.signer.verifier_key()]
    assert main([*argv, "--quorum", str(quorum)]) == 0


def test_a_held_or_garbage_witness_never_delays_or_fails_a_post(
    instance: Instance, tmp_path: Path
) -> None:
    with (
        witness(instance, tmp_path / "a", "held") as held,
        witness(instance, tmp_path / "b", "garbage") as garbage,
    ):
        add(instance, held, 0)
        add(instance, garbage, 0)
        app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(instance.path)})
        try:
            client = app.test_client()
            h = Harness(app.extensions["pakta"].registry)
            for i in range(3):
                data = envelope_bytes(registration(Agent(f"pemkab-w{i}")), h.registrar)
                response = client.post(
                    "/api/v1/statements", data=data, content_type="application/json"
                )
                assert response.status_code == 201  # while the held witness has not answered
            assert not held.release.is_set()
            held.release.set()
            witnessing = app.extensions["pakta"].witnessing
            witnessing.collect()  # the background thread may have asked already: fine
            note = app.extensions["pakta"].registry.checkpoint()
            assert note is not None and not count_cosigners(note, [garbage.signer.verifier()])
            refused = [r for r in witnessing.refusals if r[0] == garbage.url]
            assert refused and all("unusable" in r[2] for r in refused)
        finally:
            held.release.set()
            close_app(app)


def test_each_witness_is_asked_once_per_checkpoint_and_cosigns_it_once(
    instance: Instance, tmp_path: Path
) -> None:
    with witness(instance, tmp_path / "w") as w:
        add(instance, w, 1)
        first = open_service(load_instance(instance.path))
        second = open_service(load_instance(instance.path))  # another worker or host
        try:
            Harness(first.registry).register(Agent("pemkab-satu"))
            assert first.witnessing.collect() == 1
            assert second.witnessing.collect() == 1
            assert first.witnessing.collect() == 1  # again: nothing more to ask
            assert w.requests == 1
            note = first.published_checkpoint()
            assert note is not None and note.count("\u2014 witness.test/w ") == 1
            check_policy(note, NoteVerifier.parse(instance.log_vkey), [w.signer.verifier()], 1)
        finally:
            first.close()
            second.close()
        restarted = open_service(load_instance(instance.path))
        try:
            restarted.witnessing.collect()
            assert w.requests == 1  # a restart does not ask for the same checkpoint again
        finally:
            restarted.close()


def test_witness_add_takes_effect_while_the_server_runs_and_checkpoint_keeps_answering(
    instance: Instance, tmp_path: Path
) -> None:
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(instance.path)})
    try:
        client = app.test_client()
        svc = app.extensions["pakta"]
        Harness(svc.registry).register(Agent("pemkab-dua"))
        with witness(instance, tmp_path / "w") as w:
            add(instance, w, 1)  # while the app runs
            before = client.get("/checkpoint")
            assert before.status_code == 200 and before.headers["Pakta-Quorum-Met"] == "no"
            assert before.headers["Pakta-Witness-Quorum"] == "1"
            svc.witnessing.collect()
            after = client.get("/checkpoint")
            assert after.status_code == 200 and "Pakta-Quorum-Met" not in after.headers
            assert count_cosigners(after.get_data(as_text=True), [w.signer.verifier()])
            Harness(svc.registry).register(Agent("pemkab-tiga"))
            waiting = client.get("/checkpoint")  # the newest waits; the cosigned one is served
            assert waiting.headers["Pakta-Awaiting-Cosignatures"] == str(svc.registry.size())
    finally:
        close_app(app)


pytestmark = pytest.mark.integration


def test_with_no_witness_configured_a_round_asks_the_database_nothing(
    instance: Instance,
) -> None:
    """The writer pokes the collector after every append: with no witness to ask, a round
    costs no query (not even for the newest checkpoint), so it takes nothing from appends."""
    service = open_service(load_instance(instance.path))
    try:
        Harness(service.registry).register(Agent("pemkab-sepi"))
        sent: list[str] = []
        engine = service.registry.engine
        event.listen(engine, "before_cursor_execute", lambda *a: sent.append(a[2]))
        assert service.witnessing.collect() == 0
        assert sent == []
        assert service.registry.checkpoint() is not None  # the listener does hear queries
        assert sent
    finally:
        service.close()
