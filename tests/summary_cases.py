"""Statements to write summary sentences of, for the tests of web/summaries.py and of its twin
in the browser (web/static/verify/summary.js): every entry of a served demo, as its signed
payload says, and every catalog type's example with the variants its sentence has (with and
without keys or units, done or not, each evaluation stage, passed or not, an empty scope)."""

from __future__ import annotations

import base64
import json
from typing import Any

from flask import Flask, g

from events import CATALOG
from registry.read import queries
from web.context import db
from web.summaries import mentioned, summary

AGENCY = "pemkab-contoh"
# Names of some ids the examples use; the others are shown as their ids.
EXAMPLE_NAMES = {AGENCY: "Pemerintah Kabupaten Contoh", "dinas-a": "Dinas A & <B>"}
LANGUAGES = ("id", "en")


def _variants(name: str, example: dict[str, Any]) -> list[dict[str, Any]]:
    if name == "agency.registered":
        return [example, {**example, "keys": []}]
    if name == "zi.declared":
        units = [{"name": "Dinas A", "agency": "dinas-a"}, {"name": "Bagian B", "agency": None}]
        return [example, {**example, "units": units}, {**example, "units": []}]
    if name == "action_item.progress_reported":
        return [
            {**example, "status": s, "percent": p} for s, p in (("done", 100), ("in_progress", 40))
        ]
    if name == "national_evaluation.recorded":
        stages = ("pre_evaluation", "desk", "field", "other")
        return [{**example, "stage": s, "passed": p} for s in stages for p in (True, False)]
    if name == "role.granted":
        return [example, {**example, "scope": []}, {**example, "scope": ["dinas-a", "dinas-b"]}]
    return [example]


def example_cases() -> list[dict[str, Any]]:
    """Every catalog type's example statement, with its sentence's variants."""
    out: list[dict[str, Any]] = []
    for name in sorted(CATALOG):
        for body in _variants(name, dict(CATALOG[name].example or {})):
            out.append({"type": name, "agency": AGENCY, "body": body})
    return out


def demo_cases(client: Any) -> list[dict[str, Any]]:
    """Every entry of the served log, as the statement its signed payload carries."""
    size = client.get("/api/v1/log").get_json()["size"]
    out = []
    for index in range(size):
        entry = json.loads(client.get(f"/api/v1/entries/{index}/raw").get_data(as_text=True))
        statement = json.loads(base64.b64decode(entry["envelope"]["payload"]))
        out.append({"index": index} | {k: statement[k] for k in ("type", "agency", "body")})
    return out


def names_of(app: Flask, cases: list[dict[str, Any]]) -> dict[str, str]:
    """id -> registered name of every agency the cases name (the examples' names added)."""
    with app.app_context():
        return queries.agency_names(db(), mentioned(cases)) | EXAMPLE_NAMES


def written(app: Flask, cases: list[dict[str, Any]], lang: str) -> list[dict[str, str]]:
    """Each case's sentence in `lang`, as text and as the page's HTML."""
    names = names_of(app, cases)
    with app.test_request_context(f"/?lang={lang}"):
        g.lang = lang
        return [
            {
                "text": str(summary(c["type"], c["body"], c["agency"], names, links=False)),
                "html": str(summary(c["type"], c["body"], c["agency"], names)),
            }
            for c in cases
        ]
