""" "Verify in my browser" on an entry of a log of more than one level-0 tile: the entry and
its agency's key history are proven from the log's C2SP tiles (web/static/verify/tiles.js),
full and partial, each checked against the checkpoint's root before use, so one changed byte
of a full tile fails at the step that needed it ("inclusion", or "keys" when only a
key-history entry needed it) and one of the right edge's partial tile at "inclusion", each
naming the tile; genuine entries pass with the bundle's own proofs removed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pakta_support import PACT_DOCUMENT, Agent, Harness, new_instance, pact_body
from site_support import served, watched_page
from test_verify_entry import STEPS, drop_proofs, flip_tile_byte, run, serve_bundle, tile_requests

from keys.ed25519 import generate

FILLER = 270
# Entry 0 registers pemkab-alpha, 1 adds a second key, 2 registers pemkab-beta, whose pacts
# fill entries 3 .. 272 (past tile 0/000); 273 adds alpha a third key, which signs alpha's
# pact 274; beta's pacts end the log at 280: tile 0/000 is full, 0/001.p/24 the edge.
KEY_ADDED, LATE_KEY, PACT, SIZE = 1, 3 + FILLER, 4 + FILLER, 10 + FILLER


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[str]:
    from registry.service import open_service

    instance = new_instance(Path(tmp_path_factory.mktemp("big")) / "instance")
    service = open_service(instance)
    try:
        h = Harness(service.registry)
        alpha, beta = Agent("pemkab-alpha"), Agent("pemkab-beta")
        h.register(alpha)
        h.post(alpha, "key.added", alpha.key_grant("operator", generate()))
        h.register(beta)
        for _ in range(FILLER):
            h.post(beta, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
        late = generate()
        h.post(alpha, "key.added", alpha.key_grant("agency_head", late))
        h.post(alpha, "integrity_pact.signed", pact_body(), late, documents=[PACT_DOCUMENT])
        while service.registry.size() < SIZE:
            h.post(beta, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
    finally:
        service.close()
    with served(instance) as url:
        yield url


@pytest.fixture
def page(browser: Any, big: str) -> Iterator[Any]:
    with watched_page(browser, big) as opened:
        yield opened


def test_the_log_spans_tiles_and_the_pact_has_a_long_key_history(page: Any) -> None:
    assert json.loads(page.request.get("/api/v1/log").text())["size"] == SIZE
    bundle = json.loads(page.request.get(f"/api/v1/verify/entries/{PACT}").text())
    assert [h["index"] for h in bundle["key_history"]] == [0, KEY_ADDED, LATE_KEY]
    assert page.request.get("/tile/0/000").status == 200


@pytest.mark.parametrize("index", [0, KEY_ADDED, PACT, SIZE - 1])
def test_genuine_entries_pass_from_full_and_partial_tiles(page: Any, index: int) -> None:
    seen = tile_requests(page)
    serve_bundle(page, index, drop_proofs)
    states = run(page, index)
    assert states == dict.fromkeys(STEPS, "pass"), states
    paths = sorted(u.split("/tile/", 1)[1] for u in seen)
    assert paths == sorted(set(paths)) and len(paths) <= 4, paths  # O(log n), each once
    assert "0/001.p/24" in paths and "1/000.p/1" in paths  # the right edge, always
    assert "0/000" in paths  # the full tile: every key history starts in it


@pytest.mark.parametrize(
    ("index", "step"), [(KEY_ADDED, "inclusion"), (PACT, "keys"), (SIZE - 1, "keys")]
)
def test_one_changed_byte_of_a_full_tile_fails_where_it_is_needed(
    page: Any, index: int, step: str
) -> None:
    changed = flip_tile_byte(page, "**/tile/0/000", 32 * 200 + 7)
    states = run(page, index)
    assert changed == ["0/000"], changed
    assert states[step] == "fail", states
    assert all(states[s] == "pass" for s in STEPS[: STEPS.index(step)]), states
    detail = page.text_content(f'#verify li[data-step="{step}"] .detail') or ""
    assert detail == "Ubin log tile/0/000 tidak cocok dengan hash yang dijamin titik periksa"
    assert page.locator("#verify .verify-report").is_visible()


def test_one_changed_byte_of_the_partial_tile_fails_at_inclusion(page: Any) -> None:
    changed = flip_tile_byte(page, "**/tile/0/001.p/24", 32 * 23)
    states = run(page, PACT)
    assert changed == ["0/001.p/24"], changed
    assert states["checkpoint"] == "pass" and states["inclusion"] == "fail", states
    detail = page.text_content('#verify li[data-step="inclusion"] .detail') or ""
    assert "tile/0/001.p/24" in detail and detail.startswith("Ubin log"), detail
