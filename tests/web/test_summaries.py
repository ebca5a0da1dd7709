"""The summary sentences, now data (web/summary_table.py), say what the pages said before:
the stored cases of tests/vectors/summaries.json (every lifecycle demo entry and every catalog
example variant, written by the hand-written function the table replaced) give the same text
and HTML in Indonesian and English; and every entry of a freshly loaded lifecycle demo says its
key facts (checked here by hand, not from the table) and names its agencies by their links."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g
from site_support import demo_instance
from summary_cases import LANGUAGES, demo_cases, names_of, written

from registry.write.instance import Instance
from web.dates import day, decimal
from web.summaries import summary
from web.summary_table import DEFAULT, RULES
from web.wording import role_name

GOLDEN = json.loads((Path(__file__).resolve().parents[1] / "vectors/summaries.json").read_text())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("summaries") / "instance", lifecycle=True)


def test_every_stored_sentence_is_written_as_before(app: Flask) -> None:
    cases = GOLDEN["cases"]
    assert len(cases) > 100 and {c["type"] for c in cases} >= set(RULES)
    for lang in LANGUAGES:
        names = GOLDEN["names"]
        with app.test_request_context(f"/?lang={lang}"):
            g.lang = lang
            for case in cases:
                args = (case["type"], case["body"], case["agency"], names)
                assert summary(*args, links=False) == case[lang]["text"], (lang, case)
                assert str(summary(*args)) == case[lang]["html"], (lang, case)


# What each demo type's sentence must say, by hand: body fields shown as they are, "@field" a
# date, "#field" a count of a list, "$field" a decimal, "%field" a role.
FACTS: dict[str, tuple[str, ...]] = {
    "agency.registered": (),
    "zi.declared": ("target", "place", "@declared_on"),
    "zi.witnessed": ("@witnessed_on",),
    "integrity_pact.signed": ("signatories", "staff_total", "@signed_on"),
    "key.added": ("holder", "%role"),
    "key.revoked": ("@effective_from",),
    "role.granted": ("%role", "@granted_on"),
    "unit.designated": ("target", "@designated_on"),
    "work_team.established": ("members", "chair", "@established_on"),
    "action_plan.published": ("year", "#items", "@published_on"),
    "action_plan.revised": ("@revised_on",),
    "action_item.progress_reported": ("item", "@reported_on"),
    "monitoring.reported": ("summary",),
    "survey.published": ("survey", "year", "$index"),
    "self_assessment.submitted": ("year", "target", "@assessed_on"),
    "internal_evaluation.completed": ("target", "@evaluated_on"),
    "submission_window.announced": ("year", "@opens_on", "@deadline", "quota_per_agency"),
    "proposal.submitted": ("@submitted_on",),
    "national_evaluation.recorded": ("@evaluated_on",),
    "predicate.awarded": ("predicate", "year", "@awarded_on"),
    "predicate.not_awarded": ("target", "year", "@decided_on"),
    "predicate.revoked": ("predicate", "@revoked_on", "reason"),
    "self_evaluation.granted": ("@granted_on",),
    "statement.corrected": ("reason",),
    "statement.retracted": ("reason",),
}


def _fact(body: dict[str, Any], fact: str) -> str:
    mark, field = (fact[0], fact[1:]) if fact[0] in "@#$%" else ("", fact)
    value = body[field]
    return {
        "@": lambda: day(value),
        "#": lambda: str(len(value)),
        "$": lambda: decimal(value),
        "%": lambda: role_name(value),
        "": lambda: str(value),
    }[mark]()


def _ids(body: Any) -> set[str]:
    """Every agency id the sentence of a body may link (ids in agency/unit/scope fields)."""
    found: set[str] = set()
    if isinstance(body, dict):
        for key, value in body.items():
            if key in ("agency", "unit") and isinstance(value, str):
                found.add(value)
            elif key == "scope" and isinstance(value, list):
                found.update(v for v in value if isinstance(v, str))
            else:
                found |= _ids(value)
    elif isinstance(body, list):
        for value in body:
            found |= _ids(value)
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_demo_entry_says_its_key_facts(app: Flask, lang: str) -> None:
    cases = demo_cases(app.test_client())
    names = names_of(app, cases)
    said = written(app, cases, lang)
    types = {c["type"] for c in cases}
    assert len(types) >= 20 and types <= set(FACTS), types - set(FACTS)
    with app.test_request_context(f"/?lang={lang}"):
        g.lang = lang
        default = DEFAULT[0].msgid.split("%")[0]
        for case, out in zip(cases, said, strict=True):
            text, html = out["text"], out["html"]
            assert "%(" not in text and "None" not in text and not text.startswith(default)
            for fact in FACTS[case["type"]]:
                assert _fact(case["body"], fact) in text, (fact, case, text)
            linked = set(re.findall(r'<a href="/agencies/([^"]+)">', html))
            assert linked <= _ids(case["body"]) | {case["agency"]}, (case, html)
            for agency in linked:
                assert names[agency] in text, (agency, text)
            if not case["type"].startswith("predicate."):
                assert case["agency"] in linked  # the signer is named, as a link
