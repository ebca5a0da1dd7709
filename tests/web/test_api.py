"""The JSON API over a real app and database: receipts, problem bodies, heads, entries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pakta_support import Agent, declaration_body, envelope_bytes, registration

from keys.ed25519 import load_private_key
from registry.write.instance import Instance
from web import close_app, create_app


@pytest.fixture
def app(instance: Instance) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(instance.path)})
    yield app
    close_app(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def post(client: FlaskClient, data: bytes, mimetype: str = "application/json") -> Any:
    return client.post("/api/v1/statements", data=data, content_type=mimetype)


def registered(client: FlaskClient, instance: Instance, agent: Agent) -> Any:
    payload = registration(agent)
    response = post(
        client, envelope_bytes(payload, load_private_key(instance.registrar_key_path()))
    )
    assert response.status_code == 201, response.get_json()
    agent.accepted(payload)
    return response.get_json()


def test_the_app_factory_reads_its_config(app: Flask) -> None:
    assert app.testing


def test_submit_returns_a_receipt_then_entry_and_head_are_served(
    client: FlaskClient, instance: Instance
) -> None:
    agent = Agent("pemkab-api")
    receipt = registered(client, instance, agent)
    assert receipt["index"] == 0 and receipt["statement_hash"] == agent.prev
    assert set(receipt) >= {"index", "leaf_hash", "entry_hash", "checkpoint", "inclusion_proof"}
    entry = client.get("/api/v1/entries/0").get_json()
    assert json.loads(entry["entry"])["index"] == 0
    assert entry["statement"]["agency"] == "pemkab-api"
    head = client.get("/api/v1/agencies/pemkab-api").get_json()
    assert head["head"] == {"seq": 0, "hash": agent.prev, "index": 0}


def test_problems_name_the_exact_reason(client: FlaskClient, instance: Instance) -> None:
    agent = Agent("pemkab-p")
    registered(client, instance, agent)
    bad = post(client, b'{"payloadType": 1}')
    assert bad.status_code == 400 and bad.mimetype == "application/problem+json"
    assert bad.get_json()["code"] in {"wrong-type", "missing-field"}
    stale = Agent("pemkab-p", key=agent.key)  # believes it is at seq -1
    stale.seq, stale.prev = 0, "sha256:" + "9" * 64
    conflict = post(
        client, envelope_bytes(stale.statement("zi.declared", declaration_body()), agent.key)
    )
    body = conflict.get_json()
    assert conflict.status_code == 409 and body["code"] == "stale-prev"
    assert body["head"] == {"seq": 0, "hash": agent.prev, "index": 0}
    duplicate = post(
        client,
        envelope_bytes(
            registration(Agent("pemkab-p", key=agent.key)),
            load_private_key(instance.registrar_key_path()),
        ),
    )
    assert duplicate.status_code == 409
    unsigned = post(
        client,
        envelope_bytes(agent.statement("zi.declared", declaration_body()), agent.key).replace(
            b'"keyid"', b'"kid"'
        ),
    )
    assert unsigned.status_code == 400 and unsigned.get_json()["field"].startswith("/signatures/0")
    assert post(client, b"{}", mimetype="text/plain").status_code == 415
    assert client.get("/api/v1/entries/7").status_code == 404
    assert client.get("/api/v1/agencies/nobody").get_json()["status"] == 404
    assert client.get("/api/v1/log").get_json()["size"] == 1  # nothing bad was stored


def test_rejected_statement_gets_422_with_the_rule(client: FlaskClient, instance: Instance) -> None:
    agent = Agent("pemkab-q")
    registered(client, instance, agent)
    from keys.ed25519 import generate

    response = post(
        client, envelope_bytes(agent.statement("zi.declared", declaration_body()), generate())
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "unknown-key"


def test_pages_render_and_escape(client: FlaskClient, instance: Instance) -> None:
    agent = Agent("pemkab-html")
    registered(client, instance, agent)
    assert b"Pemerintah pemkab-html" in client.get("/").data
    assert client.get("/agencies/pemkab-html").status_code == 200
    assert client.get("/entries/0").status_code == 200
    page = client.get("/agencies?q=<script>alert(1)</script>").data
    assert b"<script>alert(1)</script>" not in page and b"&lt;script&gt;" in page
    assert client.get("/agencies/none").status_code == 404


def test_the_catalog_serves_every_type_with_an_example_that_parses(client: FlaskClient) -> None:
    from pakta_support import PACT_DOCUMENT

    from events import CATALOG, build_statement

    catalog = client.get("/api/v1/catalog").get_json()
    assert {t["name"] for t in catalog["types"]} == set(CATALOG)
    for entry in catalog["types"]:
        payload = build_statement(
            entry["name"],
            "pemkab-x",
            1,
            "sha256:" + "0" * 64,
            "2030-01-01T00:00:00Z",
            entry["example"],
            documents=[PACT_DOCUMENT],
        )
        assert payload
