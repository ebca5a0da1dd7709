"""The connection pool is big enough for every request thread to hold its read connection
and take a second one at once (the log size, a checkpoint), with the writer and the witness
collector holding theirs: no thread ever waits for a connection another thread holds."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from flask import Flask

from registry.write.instance import Instance
from web import close_app, create_app
from web.context import db, service

THREADS = 16


@pytest.fixture
def app(instance: Instance) -> Iterator[Flask]:
    app = create_app({"PAKTA_INSTANCE": str(instance.path), "THREADS": THREADS})
    yield app
    close_app(app)


def test_every_thread_holds_two_connections_at_once(app: Flask) -> None:
    everyone_in = threading.Barrier(THREADS + 2, timeout=20)
    failures: list[BaseException] = []

    def request_thread() -> None:
        try:
            with app.test_request_context("/"):
                db()  # held until the request ends
                everyone_in.wait()
                with service().registry.engine.connect():
                    everyone_in.wait()  # all of them hold their second one now
                service().registry.size()
        except BaseException as e:  # reported below
            failures.append(e)
            everyone_in.abort()

    def background_thread() -> None:  # the writer and the witness collector
        try:
            with app.app_context(), service().registry.engine.connect():
                everyone_in.wait()
                everyone_in.wait()
        except BaseException as e:
            failures.append(e)
            everyone_in.abort()

    threads = [threading.Thread(target=request_thread) for _ in range(THREADS)]
    threads += [threading.Thread(target=background_thread) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
