"""The workbench's field errors are the registry's: for every type in the catalog, the served
example passes the form's check, and each broken variant (a required field left empty, a number
below its minimum, a line of text with a control character or too long) shows, at that field,
the same code, pointer and message that `POST /api/v1/statements` answers for it.

The form checks with the registry's own parser (`/workbench/api/check`), so the two cannot
drift apart; this test proves the form also represents each value exactly (what it would sign
is the variant itself) and shows the answer at the right field.
"""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from site_support import watched_page

from events import catalog_json
from events.canonical import canonical_json
from keys.dsse import sign
from keys.ed25519 import generate

pytestmark = pytest.mark.browser
AGENCY = "dpmptsp-sultra"
DOCUMENT = {"name": "dokumen.pdf", "sha256": "sha256:" + "ab" * 32, "media_type": "application/pdf"}


def blank(schema: dict[str, Any]) -> dict[str, Any]:
    """What the form holds for a required group with nothing filled in: its required groups
    and lists, empty."""
    required = set(schema.get("required", []))
    out: dict[str, Any] = {}
    for name, sub in schema["properties"].items():
        if name in required and sub.get("type") == "object":
            out[name] = blank(sub)
        elif name in required and sub.get("type") == "array":
            out[name] = []
    return out


def variants(body_schema: dict[str, Any], example: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(what, broken body) pairs a form can hold, for each top-level field of the example."""
    required = set(body_schema.get("required", []))
    for name, schema in body_schema["properties"].items():
        nullable = isinstance(schema.get("type"), list) and "null" in schema["type"]
        kind = schema.get("type")
        # An empty nullable field is null; an empty required list is [] and a required group
        # {}: each is what the form holds when nothing is filled in.
        if name in required and not nullable and kind == "array":
            if schema.get("minItems", 0) > 0:
                yield f"{name} without rows", {**example, name: []}
        elif name in required and not nullable and kind == "object":
            yield f"{name} left empty", {**example, name: blank(schema)}
        elif name in required and not nullable:
            broken = copy.deepcopy(example)
            broken.pop(name, None)
            yield f"{name} left empty", broken
        if name not in example:
            continue
        if kind == "integer" and "minimum" in schema:
            yield f"{name} below minimum", {**example, name: schema["minimum"] - 1}
        if kind == "string" and "enum" not in schema and "format" not in schema:
            yield f"{name} with a tab", {**example, name: "satu\tdua"}
            if "maxLength" in schema:
                yield f"{name} too long", {**example, name: "x" * (schema["maxLength"] + 1)}


def api_answer(url: str, statement: dict[str, Any]) -> dict[str, Any]:
    """What the registry answers for this statement, signed by some key."""
    envelope = sign(canonical_json(statement), [generate()]).to_json()
    request = urllib.request.Request(
        url + "/api/v1/statements",
        data=json.dumps(envelope).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310 (our test server)
            return {"status": response.status}
    except urllib.error.HTTPError as e:
        return dict(json.loads(e.read()), status=e.code)


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    """A page whose only console errors are chromium's lines for the 400s the checks answer."""
    with watched_page(browser, site, lambda e: "status of 400" in e) as opened:
        yield opened


def test_form_errors_are_the_registrys_for_every_type(page: Any, site: str) -> None:
    checked = 0
    for t in catalog_json()["types"]:
        page.goto(f"/workbench?agency={AGENCY}&type={t['name']}")
        page.wait_for_selector("#wb-agency-info.ok")
        page.wait_for_selector('[data-pointer="/body"]')
        docs = [DOCUMENT]
        page.evaluate("([b, d]) => paktaWorkbench.fill(b, d)", [t["example"], docs])
        assert page.evaluate("paktaWorkbench.check()"), (t["name"], page.text_content("#wb-status"))
        for what, body in variants(t["body_schema"], t["example"]):
            page.evaluate("([b, d]) => paktaWorkbench.fill(b, d)", [body, docs])
            statement = page.evaluate("paktaWorkbench.read()")
            assert statement["body"] == body, (t["name"], what)  # the form holds the variant
            assert page.evaluate("paktaWorkbench.check()") is False, (t["name"], what)
            shown = page.locator(".wb-registry")
            answer = api_answer(site, statement)
            assert answer["status"] == 400, (t["name"], what, answer)
            where = page.locator(".wb-invalid").get_attribute("data-pointer")
            assert where == answer["field"], (t["name"], what, answer)
            assert shown.get_attribute("data-code") == answer["code"], (t["name"], what)
            assert shown.get_attribute("data-field") == answer["field"], (t["name"], what)
            assert shown.text_content() == f"Pesan registri: {answer['detail']}", (t["name"], what)
            checked += 1
    assert checked > 100
