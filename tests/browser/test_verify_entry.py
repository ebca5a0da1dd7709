""" "Verify in my browser" on an entry page, through a lying proxy: the statement the page
shows is compared with the verified bytes (and rendered from them), so a page whose shown
body, type, date or hash was changed (the proof untouched) fails at "content"; a changed hash
of the inclusion proof fails at "inclusion"; the genuine page passes every step, also
without WebCrypto Ed25519, and without the bundle's proofs (the page computes them from the
log's tiles, fetched each once); a changed byte of a partial tile fails at "inclusion" naming
the tile; a dropped connection, a busy server or an answer that is not JSON, for the bundle or
the tiles, is "could not be checked" (never "failed", no report offered, no English)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from site_support import english_words, rewrite_page, watched_page

STEPS = ["checkpoint", "inclusion", "keys", "signatures", "content"]


def a_declaration(page: Any) -> int:
    """The index of an entry with a body worth changing (a declaration), found by type."""
    size = json.loads(page.request.get("/api/v1/log").text())["size"]
    for index in range(size):
        if _statement(page, index)["type"] == "zi.declared":
            return index
    raise AssertionError("the demo has no declaration")


def _statement(page: Any, index: int) -> dict[str, Any]:
    entry = json.loads(page.request.get(f"/api/v1/entries/{index}").text())
    found: dict[str, Any] = entry["statement"]
    return found


def run(page: Any, index: int) -> dict[str, str]:
    page.goto(f"/entries/{index}")
    page.click("#verify-button")
    page.wait_for_selector("#verify-summary[data-state]", timeout=30000)
    return {
        s: page.get_attribute(f'#verify li[data-step="{s}"]', "data-state") or "" for s in STEPS
    }


def lie_page(page: Any, index: int, old: str, new: str) -> None:
    # The proof bundle (/api/v1/verify/entries/<n>) matches too, and stays honest.
    rewrite_page(page, f"**/entries/{index}", old, new)


def test_the_genuine_entry_is_verified_and_rendered_from_its_bytes(page: Any) -> None:
    index = a_declaration(page)
    states = run(page, index)
    assert states == dict.fromkeys(STEPS, "pass"), states
    rendered = json.loads(page.text_content("#verify .verified-body pre") or "")
    raw = json.loads(page.text_content('pre[data-claim="body"]') or "")
    assert rendered == raw and "declared_on" in rendered
    assert page.locator(".verify-differs").count() == 0


SHOWN: dict[str, tuple[str, str, str]] = {
    "the shown body": (
        r"(&#34;declared_on&#34;: &#34;)(\d{4})",
        r"\g<1>1999",
        '[data-claim="body"]',
    ),
    "the shown type": (r'data-type="zi.declared"', 'data-type="predicate.awarded"', "h1"),
    "the shown date": (r'(data-claim="issued" datetime=")(\d{4})', r"\g<1>1999", "time"),
    "the shown statement hash": (
        r'(data-claim="hash">sha256:)([0-9a-f])',
        r"\g<1>x",  # not a hex digit: always a change
        '[data-claim="hash"]',
    ),
    "the shown agency": (
        r'(data-claim="agency" href="/agencies/)([^"?]+)',
        r"\g<1>bps-kabupaten-grobogan",
        '[data-claim="agency"]',
    ),
}


@pytest.mark.parametrize("what", sorted(SHOWN))
def test_a_changed_shown_statement_fails_at_content(page: Any, what: str) -> None:
    old, new, where = SHOWN[what]
    index = a_declaration(page)
    if what == "the shown agency":
        if _statement(page, index)["agency"] == "bps-kabupaten-grobogan":
            new = r"\g<1>x"
    lie_page(page, index, old, new)
    states = run(page, index)
    assert states["content"] == "fail", states
    assert all(states[s] == "pass" for s in STEPS[:-1]), states
    assert page.locator(f"{where}.verify-differs").count() >= 1
    detail = page.text_content('#verify li[data-step="content"] .detail') or ""
    assert detail.startswith("Yang ditampilkan halaman ini berbeda")


def test_a_changed_proof_hash_fails_at_inclusion(page: Any) -> None:
    index = a_declaration(page)

    def change(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        p = data["proof"]
        p[0] = ("B" if p[0][0] == "A" else "A") + p[0][1:]
        route.fulfill(response=response, body=json.dumps(data))

    page.route(f"**/api/v1/verify/entries/{index}", change)
    states = run(page, index)
    assert states["inclusion"] == "fail" and states["checkpoint"] == "pass", states
    assert states["content"] == "fail", states  # nothing verified to compare with


def test_a_failed_entry_check_offers_a_report_to_lapor(page: Any) -> None:
    index = a_declaration(page)
    lie_page(page, index, SHOWN["the shown type"][0], SHOWN["the shown type"][1])
    run(page, index)
    report = page.locator("#verify .verify-report")
    assert report.is_visible()
    text = report.locator(".report-text").text_content() or ""
    assert "Isi yang ditampilkan sama dengan yang ditandatangani" in text
    assert "Jenis pernyataan" in text
    assert f"/entries/{index}" in text


def test_a_failing_entry_check_in_indonesian_prints_no_english(page: Any) -> None:
    index = a_declaration(page)
    lie_page(
        page, index, SHOWN["the shown statement hash"][0], SHOWN["the shown statement hash"][1]
    )

    def change(route: Any) -> None:  # and a proof hash
        response = route.fetch()
        data = response.json()
        data["proof"][0] = ("B" if data["proof"][0][0] == "A" else "A") + data["proof"][0][1:]
        route.fulfill(response=response, body=json.dumps(data))

    page.route(f"**/api/v1/verify/entries/{index}", change)
    states = run(page, index)
    assert states["inclusion"] == "fail"
    text = re.sub(r"https?://\S+", "", page.inner_text("#verify"))  # the page's address
    words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
    assert words & english_words() == set()


# The bundle (/api/v1/verify/entries/<n>) carries the checkpoint, the entry's bytes, its
# inclusion proof, and the agency's key-history entries with theirs (the proofs must equal
# those the page computes from the tiles). One byte of each, and the step that must report it
# (the steps before pass).
def _flip(text: str) -> str:
    return ("B" if text[0] == "A" else "A") + text[1:]


def _checkpoint_root(data: dict[str, Any]) -> None:
    lines = data["checkpoint"].split("\n")
    lines[2] = _flip(lines[2])
    data["checkpoint"] = "\n".join(lines)


def _entry_byte(data: dict[str, Any]) -> None:
    data["entry"] = data["entry"].replace('"received_at":"2', '"received_at":"1', 1)


def _key_entry_byte(data: dict[str, Any]) -> None:
    h = data["key_history"][0]
    h["entry"] = h["entry"].replace('"received_at":"2', '"received_at":"1', 1)


def _key_proof_hash(data: dict[str, Any]) -> None:
    p = data["key_history"][0]["proof"]
    p[0] = _flip(p[0])


BYTES = {
    "a byte of the checkpoint's root": (_checkpoint_root, "checkpoint"),
    "a byte of the entry": (_entry_byte, "inclusion"),
    "a byte of a key-history entry": (_key_entry_byte, "keys"),
    "a hash of a key-history entry's proof": (_key_proof_hash, "keys"),
}


@pytest.mark.parametrize("what", sorted(BYTES))
def test_one_changed_byte_of_what_the_check_fetches_fails_at_its_step(page: Any, what: str) -> None:
    index = a_declaration(page)
    change, step = BYTES[what]
    honest = json.loads(page.request.get(f"/api/v1/verify/entries/{index}").text())
    lied = json.loads(json.dumps(honest))
    change(lied)
    assert lied != honest, "the lie changed nothing"

    def serve(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        change(data)
        route.fulfill(response=response, body=json.dumps(data))

    page.route(f"**/api/v1/verify/entries/{index}", serve)
    states = run(page, index)
    assert states[step] == "fail", states
    assert all(states[s] == "pass" for s in STEPS[: STEPS.index(step)]), states
    assert (page.text_content("#verify-summary") or "").startswith("Pemeriksaan gagal")


# The entry check proves inclusion from the log's tiles (web/static/verify/tiles.js): the
# bundle's proofs are no longer needed, and what it fetches is reported honestly.
def tile_requests(page: Any) -> list[str]:
    """The tile paths the page asks for from now on (a list that fills as it runs)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if "/tile/" in r.url else None)
    return seen


def serve_bundle(page: Any, index: int, change: Any) -> None:
    def serve(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        change(data)
        route.fulfill(response=response, body=json.dumps(data))

    page.route(f"**/api/v1/verify/entries/{index}", serve)


def drop_proofs(data: dict[str, Any]) -> None:
    del data["proof"]
    for h in data["key_history"]:
        del h["proof"]


def test_genuine_entries_are_proven_from_the_tiles_without_the_bundles_proofs(page: Any) -> None:
    size = json.loads(page.request.get("/api/v1/log").text())["size"]
    seen = tile_requests(page)
    for index in sorted({0, a_declaration(page), size - 1}):
        seen.clear()
        page.unroute("**/api/v1/verify/entries/**")
        serve_bundle(page, index, drop_proofs)
        states = run(page, index)
        assert states == dict.fromkeys(STEPS, "pass"), (index, states)
        paths = [u.split("/tile/", 1)[1] for u in seen]
        assert paths and len(paths) == len(set(paths)), (index, paths)  # each tile once
        detail = page.text_content('#verify li[data-step="inclusion"] .detail') or ""
        assert "ubin log" in detail, detail


def flip_tile_byte(page: Any, glob: str, at: int = 0) -> list[str]:
    """Serve the tiles matching `glob` with one byte changed; the paths changed."""
    changed: list[str] = []

    def serve(route: Any) -> None:
        response = route.fetch()
        body = bytearray(response.body())
        body[at] ^= 1
        changed.append(route.request.url.split("/tile/", 1)[1])
        route.fulfill(response=response, body=bytes(body))

    page.route(glob, serve)
    return changed


def test_one_changed_byte_of_a_partial_tile_fails_at_inclusion_naming_it(page: Any) -> None:
    index = a_declaration(page)
    changed = flip_tile_byte(page, "**/tile/0/*.p/*", 33)
    states = run(page, index)
    assert changed, "no partial tile was fetched"
    assert states["checkpoint"] == "pass" and states["inclusion"] == "fail", states
    detail = page.text_content('#verify li[data-step="inclusion"] .detail') or ""
    assert detail.startswith("Ubin log") and "tile/" + changed[0] in detail, detail
    assert (page.text_content("#verify-summary") or "").startswith("Pemeriksaan gagal")
    assert page.locator("#verify .verify-report").is_visible()


def _abort(route: Any) -> None:
    route.abort("connectionreset")


def _busy(route: Any) -> None:
    route.fulfill(status=503, body="sibuk", content_type="text/plain")


def _not_json(route: Any) -> None:
    route.fulfill(status=200, body="<html><p>Masuk ke wifi</p></html>", content_type="text/html")


CUTS = {
    "the tiles cut": ("**/tile/**", _abort, STEPS[1:]),
    "the tiles busy": ("**/tile/**", _busy, STEPS[1:]),
    "the bundle cut": ("**/api/v1/verify/entries/*", _abort, STEPS),
    "the bundle busy": ("**/api/v1/verify/entries/*", _busy, STEPS),
    "the bundle not json": ("**/api/v1/verify/entries/*", _not_json, STEPS),
}


@pytest.mark.parametrize("what", sorted(CUTS))
def test_a_network_cut_could_not_be_checked_and_is_no_failure(
    browser: Any, site: str, what: str
) -> None:
    glob, answer, affected = CUTS[what]
    with watched_page(browser, site, lambda e: e.startswith("Failed to load resource")) as page:
        index = a_declaration(page)
        page.route(glob, answer)
        states = run(page, index)
        unchecked_everywhere(page, states, affected)


def unchecked_everywhere(page: Any, states: dict[str, str], affected: list[str]) -> None:
    assert states == {s: "unchecked" if s in affected else "pass" for s in STEPS}, states
    summary = page.locator("#verify-summary")
    assert summary.get_attribute("data-state") == "unchecked"
    assert (summary.text_content() or "").startswith("Tidak dapat diperiksa sekarang")
    text = page.inner_text("#verify")
    assert "gagal" not in text.lower(), text
    assert not page.locator("#verify .verify-report").is_visible()
    words = {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}
    assert words & english_words() == set()


def test_could_not_be_checked_in_english_uses_those_words(browser: Any, site: str) -> None:
    """The scan above can fail: an English page's unchecked entry check prints English."""
    with watched_page(browser, site, lambda e: e.startswith("Failed to load resource")) as page:
        index = a_declaration(page)
        page.route("**/tile/**", _abort)
        page.goto(f"/entries/{index}?lang=en")
        page.click("#verify-button")
        page.wait_for_selector("#verify-summary[data-state]", timeout=30000)
        summary = page.text_content("#verify-summary") or ""
        assert summary.startswith("Could not be checked now"), summary
        text = page.inner_text("#verify")
        assert {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)} & english_words()
