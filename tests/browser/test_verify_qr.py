"""An entry page opened from a charter's QR code verifies against the anchor on paper (the
URL fragment: leaf hash and the log key's SHA-256): the genuine page says it matches the
charter; swapped pinned keys or another entry fail at the right step, naming the QR code."""

from __future__ import annotations

import hashlib
import io
import json
from typing import Any

import segno

from keys.ed25519 import generate, public_bytes
from keys.note import NoteVerifier, verifier_key

INDEX = 3


def anchor(page: Any, index: int = INDEX) -> str:
    proof = json.loads(page.request.get(f"/api/v1/entries/{index}/proof").text())
    vkey = NoteVerifier.parse(page.request.get("/log-key").text().strip())
    return f"leaf={proof['leaf_hash']}&log={hashlib.sha256(vkey.public_key).hexdigest()}"


def verify(page: Any, url: str) -> dict[str, str]:
    page.goto(url)
    page.click("#verify-button")
    page.wait_for_selector("#verify-summary[data-state]", timeout=15000)
    return {
        s: page.get_attribute(f'li[data-step="{s}"]', "data-state") or ""
        for s in ("checkpoint", "inclusion", "keys", "signatures")
    }


def test_the_genuine_page_matches_the_charter(page: Any) -> None:
    states = verify(page, f"/entries/{INDEX}#{anchor(page)}")
    assert set(states.values()) == {"pass"}, states
    assert (page.text_content("#verify-summary") or "").endswith("Cocok dengan kode pada piagam.")


def test_the_qr_code_carries_the_anchor(page: Any) -> None:
    svg = page.request.get(f"/entries/{INDEX}/qr.svg").body()
    url = page.request.get("/").url.rstrip("/") + f"/entries/{INDEX}#{anchor(page)}"
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", scale=4, border=4, xmldecl=False, title=f"Pakta #{INDEX}"
    )
    assert svg == out.getvalue()


def test_swapped_pinned_keys_fail_against_the_charter(page: Any) -> None:
    fragment = anchor(page)
    other = verifier_key("test.pakta/log", public_bytes(generate()))

    def swap(route: Any) -> None:
        response = route.fetch()
        body = response.text()
        start = body.index('<meta name="pakta-log-key" content="') + 36
        end = body.index('"', start)
        route.fulfill(response=response, body=body[:start] + other + body[end:])

    page.route(lambda url: url.endswith(f"/entries/{INDEX}") and "/api/" not in url, swap)
    states = verify(page, f"/entries/{INDEX}#{fragment}")
    assert states["checkpoint"] == "fail"
    detail = page.text_content('li[data-step="checkpoint"] .detail') or ""
    assert "kode QR piagam" in detail


def test_another_entry_under_the_charters_code_fails(page: Any) -> None:
    states = verify(page, f"/entries/{INDEX + 1}#{anchor(page)}")
    assert states["inclusion"] == "fail" and states["checkpoint"] == "pass"
    assert "kode QR piagam" in (page.text_content('li[data-step="inclusion"] .detail') or "")
