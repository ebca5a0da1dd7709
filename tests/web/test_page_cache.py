"""The per-checkpoint page cache (web/cache.py): a public page is rendered once per state of the
log and then served from memory, and it is never stale: after an append (through this app or
another process's), a cosignature, or the read model being cleared and caught up, every cached
page is byte for byte what an app without the cache renders. Errors, POSTs, the API and the
workbench are never stored."""

from __future__ import annotations

import gzip
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pakta_support import PACT_DOCUMENT, Agent, envelope_bytes, pact_body, registration
from site_support import demo_app, demo_instance
from sqlalchemy import func, select, update

from keys.ed25519 import load_private_key
from registry.write import storage
from registry.write.instance import Instance
from web import close_app, create_app
from web.cache import PageCache

AGENT = Agent("pemkab-cache")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("demo"))


@pytest.fixture(scope="module")
def plain(demo: Instance) -> Iterator[Flask]:
    """The same instance served without the cache: what every cached page must equal."""
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(demo.path), "PAGE_CACHE_BYTES": 0})
    assert "pakta_pages" not in app.extensions
    yield app
    close_app(app)


def post(client: FlaskClient, data: bytes) -> int:
    response = client.post("/api/v1/statements", data=data, content_type="application/json")
    return response.status_code


def pages(app: Flask) -> list[str]:
    size = app.extensions["pakta"].registry.size()
    agency = f"/agencies/{AGENT.agency}"
    return [
        "/",
        "/?lang=en",
        "/agencies",
        "/agencies?q=Sukoharjo",
        "/agencies?q=cache&lang=en",
        "/regions/33",
        "/regions/33.11",
        agency,
        agency + "?lang=en",
        f"/entries/{size - 1}",
        "/entries/0",
        "/entries",
        "/entries?before=5",
        "/feed.atom",
        agency + "/feed.atom",
        "/regions/33/feed.atom",
        "/agencies.json",
    ]


def cache_of(app: Flask) -> PageCache:
    found: PageCache = app.extensions["pakta_pages"]
    return found


def same_as_plain(app: Flask, plain: Flask, paths: list[str]) -> dict[str, bytes]:
    cached, fresh = app.test_client(), plain.test_client()
    bodies = {}
    for path in paths:
        got, want = cached.get(path), fresh.get(path)
        assert got.status_code == want.status_code == 200, path
        assert got.data == want.data, path
        assert got.headers["Content-Type"] == want.headers["Content-Type"], path
        bodies[path] = got.data
    return bodies


def test_pages_are_served_from_memory_and_never_stale(
    app: Flask, plain: Flask, client: FlaskClient, demo: Instance
) -> None:
    registrar = load_private_key(demo.registrar_key_path())
    first = registration(AGENT)
    assert post(client, envelope_bytes(first, registrar)) == 201
    AGENT.accepted(first)
    paths = pages(app)
    cache = cache_of(app)
    before = same_as_plain(app, plain, paths)  # rendered and stored
    hits = cache.hits
    assert same_as_plain(app, plain, paths) == before
    assert cache.hits == hits + len(paths)  # the second round came from memory
    assert {key[1] for key in cache.pages} == {p.split("?")[0] for p in paths}

    # An append through this app: every page shows the new state at once.
    pact = AGENT.statement("integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    assert post(client, envelope_bytes(pact, AGENT.key)) == 201
    AGENT.accepted(pact)
    after = same_as_plain(app, plain, pages(app))
    for path in ("/", f"/agencies/{AGENT.agency}", "/entries", "/feed.atom", "/agencies.json"):
        assert after[path] != before[path], path

    # An append by another process (here: another app on the same database) too.
    pact = AGENT.statement(
        "integrity_pact.signed", pact_body("2024-05-30"), documents=[PACT_DOCUMENT]
    )
    assert post(plain.test_client(), envelope_bytes(pact, AGENT.key)) == 201
    AGENT.accepted(pact)
    again = same_as_plain(app, plain, pages(app))
    assert again["/entries"] != after["/entries"]


def test_a_cosignature_and_a_read_model_rebuild_are_seen(
    app: Flask, plain: Flask, client: FlaskClient
) -> None:
    paths = pages(app)
    same_as_plain(app, plain, paths)
    service = app.extensions["pakta"]
    table = storage.checkpoints
    with service.registry.engine.begin() as conn:  # what the witness collector stores
        size = conn.execute(select(func.max(table.c.size))).scalar_one()
        conn.execute(update(table).where(table.c.size == size).values(cosigners=1))
    assert "1 saksi independen" in same_as_plain(app, plain, ["/entries"])["/entries"].decode()
    service.projector.clear()  # the read model emptied while the log stays the same size
    same_as_plain(app, plain, paths[:3])
    service.projector.catch_up()
    same_as_plain(app, plain, paths)


def test_gzip_is_computed_once_and_served_to_who_accepts_it(app: Flask, plain: Flask) -> None:
    client = app.test_client()
    want = plain.test_client().get("/agencies").data
    client.get("/agencies")
    hit = client.get("/agencies", headers={"Accept-Encoding": "gzip"})
    assert hit.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in hit.headers["Vary"] and "Cookie" in hit.headers["Vary"]
    assert gzip.decompress(hit.data) == want
    assert client.get("/agencies", headers={"Accept-Encoding": "identity"}).data == want
    english = client.get("/agencies?lang=en")
    assert "lang=en" in english.headers["Set-Cookie"]  # the language cookie is still set on a hit
    assert client.get("/agencies?lang=en").headers["Set-Cookie"] == english.headers["Set-Cookie"]


def test_errors_posts_the_api_and_the_workbench_are_never_stored(
    app: Flask, client: FlaskClient
) -> None:
    cache = cache_of(app)
    for _ in range(2):
        assert client.get("/entries/999999").status_code == 404
        assert client.get("/agencies/nobody-here").status_code == 404
        assert client.get("/regions/99").status_code == 404
        assert client.get("/workbench").status_code == 200
        assert client.get("/api/v1/log").status_code == 200
        assert post(client, b"{}") == 400
    stored = {key[1] for key in cache.pages}
    assert not stored & {"/entries/999999", "/agencies/nobody-here", "/regions/99"}
    assert not [p for p in stored if p.startswith(("/workbench", "/api/"))]


def test_the_cache_stays_within_its_bound(demo: Instance) -> None:
    app = demo_app(demo)
    try:
        cache = cache_of(app)
        cache.max_bytes = 200_000
        client = app.test_client()
        for page in range(1, 60):
            assert client.get(f"/agencies?q=a&page={page}").status_code == 200
            assert client.get(f"/entries?before={page}").status_code == 200
        assert 0 < cache.size <= cache.max_bytes
        assert cache.size == sum(p.weight for p in cache.pages.values())
    finally:
        close_app(app)
