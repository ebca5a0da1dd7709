""" "Verify this page" derives a proposal's deadline and quota warnings from the verified
chain of the year's windows (`window:<year>`, docs/subject-map.md), in real chromium behind a
lying proxy: in the demo BPS Kabupaten Grobogan proposed itself after the 2022 window's
deadline, and the governor of Sulawesi Tenggara proposed two units in 2026, over the window's
quota of one. Each genuine page is verified, having fetched the year's chain; a warning left
out, made up, or an entry dropped from it, or its deadline or quota changed, fails at the
claims step with the warning or the entry highlighted; and a server hiding the year's first
window from the year's chain fails there too, naming the year. Against a checkpoint with a
version 1 map line (no year subjects) a proposer's page could not be checked, in the page's
language."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from site_support import (
    check_unit,
    demo_instance,
    english_words,
    served,
    watched_page,
)
from test_verify_awards import ENTRIES, STEPS, fails_at_claims, listed, run

GROBOGAN = "bps-kabupaten-grobogan"  # deadline-missed (2022)
GOVERNOR = "pemprov-sulawesi-tenggara"  # over-quota (2026)


@pytest.fixture
def page(browser: Any, life: str) -> Iterator[Any]:
    with watched_page(browser, life) as opened:
        yield opened


@pytest.mark.parametrize(("agency", "code", "year"), [
    (GROBOGAN, "deadline-missed", 2022),
    (GOVERNOR, "over-quota", 2026),
])  # fmt: skip
def test_the_genuine_pages_are_verified(page: Any, agency: str, code: str, year: int) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/subjects/" in r.url else None)
    outcome, states = run(page, agency)
    assert outcome == "verified", states
    assert len(listed(page, code)) == 1
    assert any(f"/subjects/window%3A{year}/proof" in url for url in asked), asked


LIES: dict[str, tuple[str, str, str, str]] = {
    "the deadline-missed warning left out": (
        GROBOGAN,
        r'id="warn-deadline-missed"',
        'id="warn-other"',
        "section.status .badge",
    ),
    "the over-quota entry dropped": (
        GOVERNOR,
        ENTRIES.format(code="over-quota") + r"<li[^>]*>.*?</li>",
        r"\g<1>",
        "#warn-over-quota",
    ),
    "a deadline-missed warning made up": (
        GOVERNOR,
        r'(?s)(<li id="warn-over-quota">.*?</li>\n</ul></details></li>)',
        r'\g<1><li id="warn-deadline-missed"><strong><span class="badge warn">X</span></strong>'
        r'<details><summary>1</summary><ul>\n<li><a href="/entries/1">#1</a></li>\n'
        r"</ul></details></li>",
        "#warn-deadline-missed",
    ),
    # The figures of a warning's detail line (the deadline, the quota), as in
    # test_verify_awards: in the facts the page carries and in its words.
    "the deadline changed in the facts and the words": (
        GROBOGAN,
        r'("deadline": "2022-04-)15(".*?batas waktu 2022: )15 April',
        r"\g<1>25\g<2>25 April",
        "#warn-deadline-missed details li",
    ),
    "the deadline's month changed in the words": (
        GROBOGAN,
        r"batas waktu 2022: 15 April 2022",
        "batas waktu 2022: 15 Mei 2022",
        "#warn-deadline-missed details li",
    ),
    "the quota changed in the words": (
        GOVERNOR,
        r"untuk 2026, kuota 1<",
        "untuk 2026, kuota 3<",
        "#warn-over-quota details li",
    ),
}


@pytest.mark.parametrize("what", sorted(LIES))
def test_a_changed_warning_fails_the_claims_step(page: Any, what: str) -> None:
    fails_at_claims(page, LIES[what], what)


@pytest.mark.parametrize("agency", [GROBOGAN, GOVERNOR, "rsud-bahteramas"])
def test_the_english_pages_figures_are_verified(page: Any, agency: str) -> None:
    """The words checked for the figures are the page's language's (its months)."""
    outcome, states = check_unit(page, f"/agencies/{agency}?lang=en")
    assert outcome == "verified", states
    shown = page.text_content("#warn-deadline-missed details li") if agency == GROBOGAN else ""
    assert agency != GROBOGAN or "April 15, 2022" in (shown or ""), shown


def _drop_first_window(route: Any) -> None:
    response = route.fetch()
    data = response.json()

    def kind(e: dict[str, Any]) -> str:
        envelope = json.loads(e["entry"])["envelope"]
        return str(json.loads(base64.b64decode(envelope["payload"]))["type"])

    windows = [e for e in data["entries"] if kind(e) == "submission_window.announced"]
    assert windows, "the year has no window to hide"
    data["entries"] = [e for e in data["entries"] if e is not windows[0]]
    route.fulfill(response=response, body=json.dumps(data))


@pytest.mark.parametrize(("agency", "year"), [(GROBOGAN, 2022), (GOVERNOR, 2026)])
def test_a_server_hiding_the_years_first_window_fails(page: Any, agency: str, year: int) -> None:
    """Without the window the page's warning would look made up (Grobogan's proposal was in
    time for the default deadline) or the quota unknown: only verifying the year's chain
    against the checkpoint's map catches the server."""
    page.route(f"**/api/v1/subjects/window%3A{year}/proof*", _drop_first_window)
    outcome, states = run(page, agency)
    assert outcome == "failed" and states["claims"] == "fail", states
    detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
    assert f"window:{year}" in detail, detail


@pytest.fixture(scope="module")
def old_map(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[str]:
    """The demo with its whole lifecycle as a Pakta of map version 1 left it: every
    checkpoint signed with a version 1 line, whose map has no year subjects (map_support)."""
    from map_support import as_an_older_pakta_left_it

    from registry.service import open_service

    instance = demo_instance(tmp_path_factory.mktemp("v1") / "instance", lifecycle=True)
    service = open_service(instance)
    try:
        as_an_older_pakta_left_it(instance, service)
    finally:
        service.close()
    with served(instance) as url:
        yield url


@pytest.mark.parametrize("agency", [GROBOGAN, GOVERNOR])
def test_a_version_1_map_cannot_check_a_proposals_window(
    browser: Any, old_map: str, agency: str
) -> None:
    """The year's window chain is only in a version 2 map: against a version 1 line the
    proposer's page could not be checked (never failed, no report offered), in Indonesian
    only, and no year's chain is asked for."""
    with watched_page(browser, old_map) as page:
        asked: list[str] = []
        page.on("request", lambda r: asked.append(r.url) if "/subjects/" in r.url else None)
        outcome, states = run(page, agency)
        assert outcome == "unchecked", states
        assert states == {s: "unchecked" if s == "claims" else "pass" for s in STEPS}, states
        assert not any("window%3A" in url for url in asked), asked
        detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
        assert detail == (
            "Titik periksa memakai peta subjek versi lama, sehingga batas waktu dan kuota "
            "usulan belum dapat diperiksa"
        ), detail
        summary = page.locator("#verify-unit .verify-summary")
        assert summary.get_attribute("data-state") == "unchecked"
        assert (summary.text_content() or "").startswith("Tidak dapat diperiksa")
        text = page.inner_text("#verify-unit")
        assert "gagal" not in text.lower(), text
        assert not page.locator("#verify-unit .verify-report").is_visible()
        assert {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)} & english_words() == set()


def test_a_version_1_map_still_verifies_a_page_without_proposals(
    browser: Any, old_map: str
) -> None:
    """Only a proposer's own proposals need the year's chain: a page without them verifies
    against the same version 1 checkpoint."""
    with watched_page(browser, old_map) as page:
        outcome, states = run(page, "rsud-bahteramas")
        assert outcome == "verified", states


def test_a_version_1_map_in_english_says_so_in_english(browser: Any, old_map: str) -> None:
    """The scan above can fail: the English page's detail line is the English words."""
    with watched_page(browser, old_map) as page:
        outcome, _ = check_unit(page, f"/agencies/{GROBOGAN}?lang=en")
        assert outcome == "unchecked"
        detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
        assert {w.lower() for w in re.findall(r"[A-Za-z]{4,}", detail)} & english_words(), detail
