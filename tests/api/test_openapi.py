"""The served OpenAPI 3.1 document: valid against the OpenAPI 3.1 schema, in step with the
app's real /api/v1 routes, and every error an RFC 9457 problem; the real answers of the main
operations validate against its schemas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from pakta_support import (
    PACT_DOCUMENT,
    Agent,
    Harness,
    envelope_bytes,
    new_instance,
    pact_body,
    registration,
)
from schemathesis.specs.openapi.definitions import OPENAPI_31

from events import sha256_ref
from web import close_app, create_app
from web.openapi import PROBLEM, document, undocumented


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder: Path = tmp_path_factory.mktemp("openapi")
    instance = new_instance(folder / "instance", f"sqlite:///{folder / 'pakta.sqlite3'}")
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(instance.path)})
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_the_document_is_valid_openapi_3_1(client: FlaskClient) -> None:
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    assert served.get_json() == document()
    jsonschema.Draft202012Validator(OPENAPI_31).validate(document())


def test_every_api_route_is_documented_and_nothing_else(app: Flask) -> None:
    assert undocumented(app) == (set(), set())


def test_a_route_missing_from_the_document_is_caught(tmp_path: Path) -> None:
    instance = new_instance(tmp_path / "instance", f"sqlite:///{tmp_path / 'pakta.sqlite3'}")
    app = create_app({"PAKTA_INSTANCE": str(instance.path)})
    try:
        app.add_url_rule("/api/v1/extra/<int:n>", "extra", lambda n: "", methods=["GET", "PUT"])
        assert undocumented(app) == ({"GET /extra/{n}", "PUT /extra/{n}"}, set())
    finally:
        close_app(app)


def test_every_error_is_a_problem_and_every_success_has_a_schema() -> None:
    for path, operations in document()["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses and "405" in responses, (method, path)
            for status, response in responses.items():
                (media, content), *more = response["content"].items()
                assert not more and "schema" in content, (method, path, status)
                if status >= "400":
                    assert media == PROBLEM
                    assert content["schema"] == {"$ref": "#/components/schemas/Problem"}


def _validate(body: Any, name: str) -> None:
    schema = {"$ref": f"#/components/schemas/{name}", "components": document()["components"]}
    jsonschema.Draft202012Validator(schema).validate(body)


def test_real_answers_match_the_schemas(app: Flask, client: FlaskClient) -> None:
    harness = Harness(app.extensions["pakta"].registry)
    agent = Agent("pemkab-kontrak")
    payload = registration(agent)
    submitted = client.post(
        "/api/v1/statements",
        data=envelope_bytes(payload, harness.registrar),
        content_type="application/json",
    )
    assert submitted.status_code == 201
    _validate(submitted.get_json(), "Receipt")
    agent.accepted(payload)
    receipt = harness.post(agent, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    assert receipt.inclusion_proof
    _validate(receipt.to_json(), "Receipt")
    answers = {
        "/api/v1/entries/1": "Entry",
        "/api/v1/entries/1/raw": "LogEntry",
        "/api/v1/entries/1/proof": "InclusionProof",
        "/api/v1/consistency?from=1&to=2": "ConsistencyProof",
        "/api/v1/agencies/pemkab-kontrak": "AgencyHead",
        f"/api/v1/statements/{sha256_ref(payload)}": "Statement",
        "/api/v1/catalog": "Catalog",
        "/api/v1/log": "LogInfo",
        "/api/v1/verify/entries/1": "VerifyBundle",
        f"/api/v1/documents/{PACT_DOCUMENT['sha256']}": "DocumentHits",
        "/api/v1/entries/99": "Problem",
        "/api/v1/consistency?from=x&to=1": "Problem",
    }
    for path, name in answers.items():
        _validate(client.get(path).get_json(), name)
    for agency in client.get("/api/v1/agencies").get_json():
        _validate(agency, "AgencySummary")
    refused = client.post("/api/v1/statements", data=b"{}", content_type="application/json")
    assert refused.status_code == 400
    _validate(refused.get_json(), "Problem")
    with pytest.raises(jsonschema.ValidationError):
        _validate({"title": "no type, status or detail"}, "Problem")
