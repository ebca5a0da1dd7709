"""The workbench's server side: its pages in both languages, the check that answers what the
registry would, the registration planner, the warnings worded, the entry list, and words for
every field and value the catalog uses."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from site_support import demo_instance

from events import catalog_json
from events.canonical import canonical_json
from events.key_request import make_request
from keys.dsse import sign
from keys.ed25519 import generate
from registry.write.instance import Instance
from web.workbench_labels import missing

AGENCY = "dpmptsp-sultra"
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("workbench") / "instance")


def pact(**body: Any) -> dict[str, Any]:
    return {
        "type": "integrity_pact.signed",
        "agency": AGENCY,
        "seq": 5,
        "prev": "sha256:" + "a" * 64,
        "issued_at": "2025-01-02T09:00:00+07:00",
        "body": {
            "signed_on": "2025-01-01",
            "signatories": 5,
            "staff_total": 6,
            "scope": "Seluruh pegawai",
            **body,
        },
        "documents": [
            {"name": "p.pdf", "sha256": "sha256:" + "b" * 64, "media_type": "application/pdf"}
        ],
    }


def test_every_field_and_value_has_words() -> None:
    assert missing() == []


@pytest.mark.parametrize(
    "path", ["/workbench", "/workbench/keys", "/workbench/cosign", "/workbench/registrar"]
)
def test_pages_in_both_languages(client: FlaskClient, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert 'lang="id"' in page and "Meja kerja" in page
    data = json.loads(page.split('id="wb-data">', 1)[1].split("</script>", 1)[0])
    assert [t["name"] for t in data["catalog"]["types"]] == [
        t["name"] for t in catalog_json()["types"]
    ]
    # Only the statement page builds forms from the schemas.
    assert ("body_schema" in data["catalog"]["types"][0]) == (path == "/workbench")
    assert data["words"]["fields"]["signed_on"]["label"] == "Tanggal penandatanganan"
    english = client.get(path + "?lang=en").get_data(as_text=True)
    assert "Workbench" in english and "Signed on" in english


def test_check_gives_the_payload_to_sign(client: FlaskClient) -> None:
    statement = pact()
    r = client.post("/workbench/api/check", json={"statement": statement}, headers=JSON)
    assert r.status_code == 200
    assert r.json is not None
    import base64

    assert base64.b64decode(r.json["payload"]) == canonical_json(statement)


def test_check_answers_what_the_api_answers(client: FlaskClient) -> None:
    for broken in (pact(signatories=9), pact(scope="a\tb"), pact(staff_total=0)):
        r = client.post("/workbench/api/check", json={"statement": broken}, headers=JSON)
        envelope = sign(canonical_json(broken), [generate()]).to_json()
        api = client.post("/api/v1/statements", json=envelope)
        assert r.status_code == api.status_code == 400
        assert r.json is not None and api.json is not None
        assert {k: r.json[k] for k in ("code", "field", "detail")} == {
            k: api.json[k] for k in ("code", "field", "detail")
        }


def test_check_refuses_what_is_not_a_statement(client: FlaskClient) -> None:
    for body in (b"[]", b"{}", b'{"statement": 3}', b"not json"):
        r = client.post(
            "/workbench/api/check", data=body, headers={**JSON, "Content-Type": "application/json"}
        )
        assert r.status_code == 400
        assert r.mimetype == "application/problem+json"


def test_registration_plans_what_pakta_register_signs(client: FlaskClient) -> None:
    from datetime import UTC, datetime

    key = generate()
    request = make_request(key, AGENCY, "operator", "Operator ZI", datetime.now(UTC))
    r = client.post("/workbench/api/registration", json={"requests": [request]}, headers=JSON)
    assert r.status_code == 200 and r.json is not None
    assert [s["type"] for s in r.json["statements"]] == ["key.added"]
    assert r.json["statements"][0]["body"]["holder"] == "Operator ZI"
    forged = {**request, "holder": "Kepala Dinas"}  # the signature no longer covers it
    r = client.post("/workbench/api/registration", json={"requests": [forged]}, headers=JSON)
    assert r.status_code == 400
    assert r.json is not None and "does not prove" in r.json["detail"]


def test_warnings_are_worded_as_on_the_pages(client: FlaskClient) -> None:
    warnings = [
        {
            "code": "pact-coverage-low",
            "message": "m",
            "facts": {"signatories": 2, "staff_total": 10},
        }
    ]
    r = client.post("/workbench/api/explain", json={"warnings": warnings}, headers=JSON)
    assert r.json is not None
    (w,) = r.json["warnings"]
    assert w["code"] == "pact-coverage-low"
    assert w["detail"] == "2 dari 10 pegawai"
    assert w["title"] and w["title"] != "pact-coverage-low"


def test_entries_of_an_agency_are_its_own(client: FlaskClient) -> None:
    r = client.get(f"/workbench/api/entries/{AGENCY}")
    assert r.json
    assert all(e["hash"].startswith("sha256:") for e in r.json)
    indexes = [e["index"] for e in r.json]
    assert indexes == sorted(indexes, reverse=True)
    assert client.get("/workbench/api/entries/tidak-ada").json == []
