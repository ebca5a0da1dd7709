""" "Verify this page" on a unit with more warnings than its page lists inline (issue 11), in
real chromium through a lying proxy: the check reads every page of each kind's complete list
and compares every entry and each shown count with what the verified chain proves. The
genuine page is verified; an entry dropped from or added to page 2 of a list, a changed
count, or an entry listed inline that the complete list does not hold fails at the claims
step with the kind highlighted; a network cut on a list is "could
not be checked"; a unit whose warnings are all listed inline is checked without a fetch."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pakta_support import new_instance
from site_support import UNIT_STEPS, check_unit, served, watched_page
from warning_support import FEW, MANY, add_warned_units

STEPS = UNIT_STEPS
LIST = re.compile(r"/agencies/" + MANY + r"/warnings/late-posting(\?.*)?$")
PAGE_2 = re.compile(r"/agencies/" + MANY + r"/warnings/late-posting\?page=2$")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = new_instance(tmp_path_factory.mktemp("verify-warnings") / "instance")
    add_warned_units(instance)
    with served(instance) as url:
        yield url


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    with watched_page(browser, site, lambda e: "ERR_CONNECTION_RESET" in e) as opened:
        yield opened


def run(page: Any, unit: str = MANY) -> tuple[str, dict[str, str]]:
    return check_unit(page, f"/agencies/{unit}")


def lie(page: Any, url: re.Pattern[str], change: Callable[[str], str]) -> None:
    def handle(route: Any) -> None:
        response = route.fetch()
        route.fulfill(response=response, body=change(response.text()))

    page.route(url, handle)


def test_the_genuine_page_is_verified_reading_every_list(page: Any) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/warnings/" in r.url else None)
    outcome, states = run(page)
    assert outcome == "verified", states
    lists = sorted(re.sub(r"^.*/warnings/", "", u) for u in asked)
    assert lists == [
        "late-posting", "late-posting?page=2", "late-posting?page=3",
        "pact-coverage-low", "pact-coverage-low?page=2",
    ]  # fmt: skip


def test_all_listed_inline_is_checked_without_a_fetch(page: Any) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/warnings/" in r.url else None)
    outcome, states = run(page, FEW)
    assert outcome == "verified", states
    assert asked == []


def _drop_first(html: str) -> str:
    found, n = re.subn(r'(id="warning-entries">\n)<li>.*?</li>\n', r"\g<1>", html, count=1)
    assert n == 1
    return found


def _add_one(html: str) -> str:
    found, n = re.subn(
        r'(id="warning-entries">\n)', r'\g<1><li><a href="/entries/1">#1</a></li>\n', html, count=1
    )
    assert n == 1
    return found


def _count(html: str) -> str:
    found, n = re.subn(
        r'(id="warn-late-posting">.*?data-claim="warning-count">)(\d+)',
        lambda m: m.group(1) + str(int(m.group(2)) - 1),
        html,
        count=1,
        flags=re.S,
    )
    assert n == 1
    return found


def _inline(html: str) -> str:
    found, n = re.subn(
        r'(id="warn-late-posting">.*?<details><summary>.*?</summary><ul>\n'
        r'<li><a href="/entries/)\d+',
        r"\g<1>1",
        html,
        count=1,
        flags=re.S,
    )
    assert n == 1
    return found


UNIT_PAGE = re.compile(r"/agencies/" + MANY + r"$")
LIES: dict[str, tuple[re.Pattern[str], Callable[[str], str], str]] = {
    "an entry dropped from page 2": (PAGE_2, _drop_first, "#warn-late-posting"),
    "an entry added to page 2": (PAGE_2, _add_one, "#warn-late-posting"),
    "a shown count": (UNIT_PAGE, _count, '#warn-late-posting [data-claim="warning-count"]'),
    "an entry listed inline, the complete list genuine": (UNIT_PAGE, _inline, "#warn-late-posting"),
}


@pytest.mark.parametrize("what", sorted(LIES))
def test_a_lie_in_a_list_or_a_count_fails_the_claims_step(page: Any, what: str) -> None:
    url, change, where = LIES[what]
    lie(page, url, change)
    outcome, states = run(page)
    assert outcome == "failed" and states["claims"] == "fail", states
    assert all(states[s] == "pass" for s in STEPS[:-1]), states
    assert page.locator(f"{where}.verify-differs").count() == 1, what
    detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
    assert detail.startswith("Yang ditampilkan halaman ini berbeda")


def test_a_network_cut_on_a_list_could_not_be_checked(page: Any) -> None:
    page.route(LIST, lambda route: route.abort("connectionreset"))
    outcome, states = run(page)
    assert outcome == "unchecked", states
    assert states["claims"] == "unchecked"
    summary = page.text_content("#verify-unit .verify-summary") or ""
    assert summary.startswith("Tidak dapat diperiksa")
