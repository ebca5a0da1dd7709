"""The workbench's preview is the citizens' summary: the sentence `POST /workbench/api/check`
answers for an unsigned statement is the one the entry page shows once it is posted, for every
type the demo holds and for statements posted here."""

from __future__ import annotations

import base64
import html
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from pakta_support import envelope_bytes
from site_support import demo_instance

from events import build_statement
from keys.ed25519 import load_private_key
from registry.write.instance import Instance

JSON = {"Accept": "application/json"}
DOC = {"name": "pakta.pdf", "sha256": "sha256:" + "c" * 64, "media_type": "application/pdf"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("preview") / "instance", lifecycle=True)


def entry_summary(client: FlaskClient, index: int, lang: str = "id") -> str:
    """The lead sentence of the entry page, as a reader sees it (tags dropped)."""
    page = client.get(f"/entries/{index}?lang={lang}").get_data(as_text=True)
    found = re.search(r'<p class="lead">(.*?)</p>', page, re.S)
    assert found, page[:400]
    return html.unescape(re.sub(r"<[^>]+>", "", found[1]))


def preview(client: FlaskClient, statement: dict[str, Any], lang: str = "id") -> str:
    r = client.post(
        f"/workbench/api/check?lang={lang}", json={"statement": statement}, headers=JSON
    )
    assert r.status_code == 200, r.json
    assert r.json is not None
    return str(r.json["summary"])


def unsigned(client: FlaskClient, index: int) -> dict[str, Any]:
    entry = json.loads(client.get(f"/api/v1/entries/{index}").get_json()["entry"])
    return dict(json.loads(base64.b64decode(entry["envelope"]["payload"])))


def test_the_preview_of_every_demo_type_is_its_entry_page_summary(client: FlaskClient) -> None:
    size = int(client.get("/api/v1/log").get_json()["size"])
    first_of: dict[str, int] = {}
    for index in range(size):
        first_of.setdefault(unsigned(client, index)["type"], index)
    assert len(first_of) >= 12  # the demo's lifecycle covers most of the catalog
    for type_, index in first_of.items():
        statement = unsigned(client, index)
        for lang in ("id", "en"):
            said = preview(client, statement, lang)
            assert said == entry_summary(client, index, lang), (type_, lang)
            assert "%(" not in said, said


def test_a_statement_previewed_then_posted_reads_the_same(
    client: FlaskClient, demo: Instance
) -> None:
    agency = "bps-kabupaten-grobogan"
    key = load_private_key(demo.path / "demo-keys" / f"{agency}.key")
    today = datetime.now(UTC).date().isoformat()
    pact = {"signed_on": today, "signatories": 41, "staff_total": 44, "scope": "Seluruh pegawai"}
    # The retraction's body is filled below: it names the pact just posted.
    bodies: list[tuple[str, dict[str, Any] | None]] = [
        ("integrity_pact.signed", pact),
        ("statement.retracted", None),
    ]
    posted: list[int] = []
    for type_, body in bodies:
        head = client.get(f"/api/v1/agencies/{agency}").get_json()["head"]
        if body is None:
            body = {"target": {"seq": head["seq"], "hash": head["hash"]}, "reason": "Salah unggah"}
        docs = [DOC] if type_ == "integrity_pact.signed" else []
        now = datetime.now(UTC).replace(microsecond=0)
        payload = build_statement(type_, agency, head["seq"] + 1, head["hash"], now, body, docs)
        statement = json.loads(payload)
        said = preview(client, statement)
        r = client.post(
            "/api/v1/statements",
            data=envelope_bytes(payload, key),
            headers={**JSON, "Content-Type": "application/json"},
        )
        assert r.status_code == 201, r.json
        index = int(r.get_json()["index"])
        posted.append(index)
        assert said == entry_summary(client, index)
        assert "BPS Kabupaten Grobogan" in said  # the agency by its name, not its id
    assert len(set(posted)) == 2
