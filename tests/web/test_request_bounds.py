"""Requests no view should ever see, on SQLite and PostgreSQL: integers above int64 (or not in
ASCII digits) in paths and query parameters, NUL and other control characters anywhere in the
path or query, and chunked bodies over the limit. Each answer is a 4xx (a problem under
/api/), never a 500, and none changes the log."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pakta_support import PACT_DOCUMENT, Agent, Harness, LiveServer, envelope_bytes, pact_body

from registry.write.instance import Instance
from web import close_app, create_app
from web.guard import INT64_MAX, parse_int

HUGE = [str(INT64_MAX), str(INT64_MAX + 1), str(2**64), "9" * 40, "1" + "0" * 400]
NOT_ASCII = ["٣", "３", "²"]  # Arabic-Indic three, fullwidth three, superscript two
INT_PATHS = [
    "/api/v1/entries/{}",
    "/api/v1/entries/{}/raw",
    "/api/v1/entries/{}/proof",
    "/api/v1/entries/{}/proof.tlog-proof",
    "/api/v1/verify/entries/{}",
    "/entries/{}",
    "/entries/{}/qr.svg",
    "/checkpoints/{}",
    "/tile/0/{}",
    "/tile/entries/{}",
    "/tile/{}/000",
]
INT_QUERIES = [
    "/api/v1/consistency?from=1&to={}",
    "/api/v1/consistency?from={}&to={}",
    "/api/v1/consistency?from={}&to=2",
    "/agencies?page={}",
    "/agencies/pemkab-batas?page={}",
]
CONTROL = [
    "/agencies?q=%00",
    "/agencies?q=a%00b",
    "/agencies?q=%01",
    "/agencies?%00=1",
    "/agencies?province=%00",
    "/agencies/a%00b",
    "/agencies/a%00b/feed.atom",
    "/regions/a%00b",
    "/regions/a%00b/feed.atom",
    "/regions/..",
    "/entries/1%00",
    "/documents?sha256=%00",
    "/tile/0/%00",
    "/api/v1/agencies?q=%00",
    "/api/v1/agencies?q=%1f",
    "/api/v1/agencies/a%00b",
    "/api/v1/statements/a%00b",
    "/api/v1/statements/sha256:%00",
    "/api/v1/documents/a%00b",
    "/api/v1/consistency?from=1&to=1%00",
    "/api/v1/entries/0?x=%7f",
]


@pytest.fixture
def app(instance: Instance) -> Iterator[Flask]:
    app = create_app({"PAKTA_INSTANCE": str(instance.path)})  # not TESTING: a 500 is a 500
    harness = Harness(app.extensions["pakta"].registry)
    agent = Agent("pemkab-batas")
    harness.register(agent)
    harness.post(agent, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    yield app
    close_app(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def refused(client: FlaskClient, path: str, *allowed: int) -> Any:
    size = client.application.extensions["pakta"].registry.size()
    response = client.get(path)
    assert response.status_code in allowed, (path, response.status_code, response.data[:300])
    if path.startswith("/api/"):
        assert response.mimetype == "application/problem+json", path
        body = response.get_json()
        assert body["status"] == response.status_code and body["title"] and body["detail"]
    assert client.application.extensions["pakta"].registry.size() == size
    return response


def test_integers_past_int64_in_a_path_are_404(client: FlaskClient) -> None:
    for template in INT_PATHS:
        for number in HUGE + NOT_ASCII + ["-1", "+1", "0x1", "1_0"]:
            refused(client, template.format(number), 404)


def test_integers_past_int64_in_a_query_are_refused(client: FlaskClient) -> None:
    for template in INT_QUERIES:
        for number in HUGE + NOT_ASCII + [" 2", "+2", "1_0", "-1", "", "0", "00"]:
            refused(client, template.format(number, number), 200, 400, 404)
        if template.startswith("/api/"):
            assert refused(client, template.format("1e3", "1e3"), 400).get_json()["detail"]


def test_the_largest_int64_still_reaches_the_database(client: FlaskClient) -> None:
    refused(client, f"/checkpoints/{INT64_MAX}", 404)
    refused(client, f"/api/v1/consistency?from={INT64_MAX}&to={INT64_MAX}", 404)
    assert client.get("/api/v1/entries/1").status_code == 200
    assert client.get("/api/v1/consistency?from=1&to=2").status_code == 200
    assert client.get("/entries/01").status_code == 200  # leading zeros: still entry 1


def test_parse_int_takes_ascii_digits_within_int64_only() -> None:
    assert parse_int("0") == 0 and parse_int(str(INT64_MAX)) == INT64_MAX
    for text in ["", " 1", "1 ", "+1", "-1", "1_0", "٣", "1e3", str(INT64_MAX + 1), "9" * 20]:
        assert parse_int(text) is None, text


def test_control_characters_are_refused_before_any_sql(client: FlaskClient) -> None:
    for path in CONTROL:
        refused(client, path, 400, 404)


def test_a_control_character_is_explained_in_the_visitors_language(client: FlaskClient) -> None:
    page = refused(client, "/agencies?q=%00", 400).data.decode()
    assert "karakter kendali" in page
    english = refused(client, "/agencies?q=%00&lang=en", 400).data.decode()
    assert "control character" in english
    assert "NUL" in refused(client, "/api/v1/agencies?q=%00", 400).get_json()["detail"]


def test_ordinary_text_still_searches(client: FlaskClient) -> None:
    assert client.get("/api/v1/agencies?q=batas").get_json()[0]["agency"] == "pemkab-batas"
    assert client.get("/api/v1/agencies?q=%C3%A9%E2%80%94%F0%9F%98%80").get_json() == []
    assert client.get("/agencies?q=Batas%20%C3%A9").status_code == 200


def test_a_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    for method, path in [
        ("DELETE", "/api/v1/entries/0"),
        ("TRACE", "/api/v1/log"),
        ("PUT", "/api/v1/statements"),
        ("POST", "/agencies"),
    ]:
        response = client.open(path, method=method)
        assert response.status_code == 405, (method, path)
        assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]
        if path.startswith("/api/"):
            assert response.mimetype == "application/problem+json"
            assert response.get_json()["status"] == 405


def _chunked_post(url: str, body: bytes, piece: int = 16 * 1024) -> tuple[int, str, bytes]:
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        chunks = (body[i : i + piece] for i in range(0, len(body), piece))
        conn.request(
            "POST",
            "/api/v1/statements",
            body=chunks,
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        conn.close()


@pytest.mark.integration
def test_chunked_bodies_over_the_limit_get_413_like_declared_ones(app: Flask) -> None:
    registry = app.extensions["pakta"].registry
    size = registry.size()
    server = LiveServer(app)
    try:
        limit = app.config["MAX_CONTENT_LENGTH"]
        for length in (limit + 1, limit + 50_000):
            status, mimetype, body = _chunked_post(server.url, b" " * length)
            assert status == 413 and mimetype == "application/problem+json", (length, body)
            assert json.loads(body)["status"] == 413
        # Exactly at the limit it is read, and judged as a statement: too large for one.
        status, _, body = _chunked_post(server.url, b" " * limit)
        assert status == 400 and json.loads(body)["code"] == "too-large"
        # A chunked statement that fits is appended as usual.
        harness = Harness(registry)
        agent = Agent("pemkab-chunked")
        payload = agent.statement("agency.registered", _registration_body(agent))
        status, _, body = _chunked_post(
            server.url, envelope_bytes(payload, harness.registrar), piece=100
        )
        assert status == 201, body
        assert registry.size() == size + 1
    finally:
        server.close()


def _registration_body(agent: Agent) -> dict[str, Any]:
    return {
        "name": "Pemerintah Kabupaten Uji Chunked",
        "kind": "pemerintah_kabupaten",
        "parent": None,
        "region": {"kemendagri": "33.11", "bps": "3311", "name": "Kabupaten Sukoharjo"},
        "keys": [agent.key_grant()],
    }
