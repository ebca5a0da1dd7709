""" "Verify in my browser" on an entry page rebuilds the page's summary sentence (p.lead) from
the verified statement (web/static/verify/summary.js with summaries.json): a genuine entry of
every type of the lifecycle demo passes and the outcome restates the sentence it verified; a
word, a date, a number, an agency link or the signer's name in the sentence changed by a
lying proxy (the proof untouched) fails at "content" with the sentence highlighted, in
Indonesian words only on an Indonesian page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from site_support import english_words, rewrite_page, watched_page

STEPS = ["checkpoint", "inclusion", "keys", "signatures", "content"]
LEAD = r'(<p class="lead">'  # a lie's pattern starts in the sentence
_FOUND: dict[str, list[dict[str, Any]]] = {}


@pytest.fixture
def page(browser: Any, life: str) -> Iterator[Any]:
    with watched_page(browser, life) as opened:
        yield opened


def statements(page: Any) -> list[dict[str, Any]]:
    """Every statement of the demo with its index and whether its agency has keys."""
    base = page.context.request
    if "all" not in _FOUND:
        size = json.loads(base.get("/api/v1/log").text())["size"]
        found = []
        for index in range(size):
            row = json.loads(base.get(f"/api/v1/entries/{index}").text())["statement"]
            found.append({"index": index, **row})
        _FOUND["all"] = found
    return _FOUND["all"]


def first(page: Any, type_: str, **body: Any) -> int:
    for s in statements(page):
        if s["type"] == type_ and all(s["body"].get(k) == v for k, v in body.items()):
            return int(s["index"])
    raise AssertionError(f"the demo has no {type_} {body}")


def run(page: Any, index: int, lang: str = "id") -> dict[str, str]:
    page.goto(f"/entries/{index}?lang={lang}")
    page.click("#verify-button")
    page.wait_for_selector("#verify-summary[data-state]", timeout=30000)
    return {
        s: page.get_attribute(f'#verify li[data-step="{s}"]', "data-state") or "" for s in STEPS
    }


def lead(page: Any) -> str:
    return " ".join((page.text_content("p.lead") or "").split())


def test_a_genuine_entry_of_every_type_passes_and_is_restated(page: Any) -> None:
    seen: dict[str, int] = {}
    for s in statements(page):
        seen.setdefault(s["type"], s["index"])
    assert len(seen) >= 20, sorted(seen)
    for type_, index in sorted(seen.items()):
        states = run(page, index)
        details = page.inner_text("#verify-steps")
        assert states == dict.fromkeys(STEPS, "pass"), (type_, index, states, details)
        said = page.text_content("#verify-summary") or ""
        sentence = lead(page).removesuffix(".")
        assert said == f"Semua pemeriksaan lolos: {sentence} — tanda tangan sah, tercatat di log."
        assert page.locator(".verify-differs").count() == 0


def test_in_english_the_outcome_restates_the_english_sentence(page: Any) -> None:
    index = first(page, "zi.declared")
    assert run(page, index, "en") == dict.fromkeys(STEPS, "pass")
    sentence = lead(page).removesuffix(".")
    assert "declared" in sentence or "Integrity Zone" in sentence, sentence
    said = page.text_content("#verify-summary") or ""
    assert said == f"All checks passed: {sentence} — valid signature, recorded in the log."


# A lie told in the sentence only: (type and body to find, pattern, replacement).
LIES: dict[str, tuple[tuple[str, dict[str, Any]], str, str]] = {
    "a word (target WBK -> WBBM)": (
        ("zi.declared", {"target": "WBK"}),
        LEAD + r"[^\n]*?target )WBK",
        r"\g<1>WBBM",
    ),
    "a date's year": (
        ("zi.declared", {}),
        LEAD + r"[^\n]*?\d{1,2} [A-Z][a-z]+ )(\d{4})",
        r"\g<1>1999",
    ),
    "a count": (("integrity_pact.signed", {}), LEAD + r")(\d+)( dari )", r"\g<1>9999\g<3>"),
    "the signer's name": (
        ("zi.declared", {}),
        LEAD + r'<a href="/agencies/[^"]+">)([^<]+)',
        r"\g<1>Instansi Lain",
    ),
    "the signer's link": (
        ("zi.declared", {}),
        LEAD + r'<a href="/agencies/)([^"]+)',
        r"\g<1>pemerintah-kabupaten-lain",
    ),
    "another agency's link": (
        ("unit.designated", {}),
        LEAD + r'<a [^>]+>[^<]+</a>[^<]+<a href="/agencies/)([^"]+)',
        r"\g<1>pemerintah-kabupaten-lain",
    ),
}


@pytest.mark.parametrize("what", sorted(LIES))
def test_a_changed_sentence_fails_at_content_and_is_highlighted(page: Any, what: str) -> None:
    (type_, body), old, new = LIES[what]
    index = first(page, type_, **body)
    rewrite_page(page, f"**/entries/{index}*", old, new)
    states = run(page, index)
    assert states["content"] == "fail", states
    assert all(states[s] == "pass" for s in STEPS[:-1]), states
    assert page.locator("p.lead.verify-differs").count() == 1
    detail = page.text_content('#verify li[data-step="content"] .detail') or ""
    assert detail.startswith("Yang ditampilkan halaman ini berbeda"), detail
    if "link" in what:
        assert "Instansi pemerintah-kabupaten-lain" in detail, detail
    else:
        assert "Kalimat ringkasan berbeda dari pernyataan yang ditandatangani" in detail, detail
    assert (page.text_content("#verify-summary") or "").startswith("Pemeriksaan gagal")
    # The words the check printed (not the signed JSON it shows as it is).
    text = page.inner_text("#verify-steps") + page.inner_text("#verify-summary")
    words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
    assert words & english_words() == set(), what


def test_without_the_sentence_rules_the_content_step_could_not_be_checked(
    browser: Any, life: str
) -> None:
    cut = "ERR_CONNECTION_RESET"
    with watched_page(browser, life, lambda error: cut in error) as page:
        index = first(page, "zi.declared")
        page.route("**/verify/summaries.json", lambda route: route.abort("connectionreset"))
        states = run(page, index)
        # A cut connection proves nothing wrong: "could not be checked", never "failed".
        assert states["content"] == "unchecked", states
        detail = page.text_content('#verify li[data-step="content"] .detail') or ""
        assert detail == "Aturan kalimat ringkasan tidak dapat dimuat", detail
        assert page.get_attribute("#verify-summary", "data-state") == "unchecked"
