""" "Verify this page" compares the proposal and award warnings a page lists with those the
browser derives from verified chains (web/static/verify/awards.js), in real chromium behind
a lying proxy: the demo's RSUD Bahteramas was awarded WBK below the thresholds and proposed
with a prerequisite short, by a governor who proposed two such units in one letter, and the
national team (TPN) that awarded it lists the award too. Each genuine page is verified; an
entry dropped from one of these warnings, one added, a warning left out or made up, or a figure of
its detail line changed (in the facts the page carries or in its words), fails at the claims
step with the warning or the entry highlighted; and the awarding team's page is judged by
the awarded unit's own verified chain, so a lie in that chain fails too."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest
from site_support import UNIT_STEPS, check_unit, rewrite_page, watched_page

UNIT = "rsud-bahteramas"
GOVERNOR = "pemprov-sulawesi-tenggara"
TPN = "kemenpanrb-tpn"
OTHER = "dpmptsp-sultra"  # awarded WBK above the thresholds
STEPS = UNIT_STEPS
ENTRIES = r'(?s)(id="warn-{code}">.*?<details><summary>.*?</summary><ul>\n)'


@pytest.fixture
def page(browser: Any, life: str) -> Iterator[Any]:
    with watched_page(browser, life) as opened:
        yield opened


def run(page: Any, agency: str) -> tuple[str, dict[str, str]]:
    return check_unit(page, f"/agencies/{agency}?lang=id")


def listed(page: Any, code: str) -> list[str]:
    return page.locator(f"#warn-{code} details li a").all_text_contents()  # type: ignore[no-any-return]


@pytest.mark.parametrize("agency", [UNIT, GOVERNOR, TPN, OTHER])
def test_the_genuine_pages_are_verified(page: Any, agency: str) -> None:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/subjects/" in r.url else None)
    outcome, states = run(page, agency)
    assert outcome == "verified", states
    if agency == UNIT:
        assert len(listed(page, "below-thresholds")) == len(listed(page, "prerequisites-missing"))
        assert listed(page, "below-thresholds") != []
    if agency == GOVERNOR:  # one letter, two units short: the same entry twice
        shown = listed(page, "prerequisites-missing")
        assert len(shown) == 2 and shown[0] == shown[1]
    if agency == TPN:  # the awarded units' chains were fetched (and verified) too
        assert any(f"/subjects/{UNIT}/proof" in url for url in asked), asked
        assert listed(page, "below-thresholds") != []


# A page's lie (the agency, the pattern, its replacement, the element highlighted).
LIES: dict[str, tuple[str, str, str, str]] = {
    "a below-thresholds entry dropped": (
        UNIT,
        ENTRIES.format(code="below-thresholds") + r"<li[^>]*>.*?</li>",
        r"\g<1>",
        "#warn-below-thresholds",
    ),
    "a prerequisites-missing entry added": (
        UNIT,
        ENTRIES.format(code="prerequisites-missing")
        + r'(<li[^>]*><a href="[^"]*/)(\d+)(".*?</li>)',
        r"\g<1>\g<2>1\g<4>\g<2>\g<3>\g<4>",
        "#warn-prerequisites-missing",
    ),
    "the below-thresholds warning left out": (
        UNIT,
        r'id="warn-below-thresholds"',
        'id="warn-other"',
        "section.status .badge",
    ),
    "one of the governor's two units dropped": (
        GOVERNOR,
        ENTRIES.format(code="prerequisites-missing") + r"<li[^>]*>.*?</li>",
        r"\g<1>",
        "#warn-prerequisites-missing",
    ),
    "the TPN's below-thresholds entry dropped": (
        TPN,
        ENTRIES.format(code="below-thresholds") + r"<li[^>]*>.*?</li>",
        r"\g<1>",
        "#warn-below-thresholds",
    ),
    "a below-thresholds warning made up": (
        OTHER,
        r'(?s)(<li id="warn-prerequisites-missing">.*?</li>\n</ul></details></li>)',
        r'\g<1><li id="warn-below-thresholds"><strong><span class="badge warn">X</span></strong>'
        r'<details><summary>1</summary><ul>\n<li><a href="/entries/75">#75</a></li>\n'
        r"</ul></details></li>",
        "#warn-below-thresholds",
    ),
    # The figures of a warning's detail line: the page's facts (data-facts) must be those
    # the chain proves, and its words must show them; either lie fails on the entry.
    "a gap figure changed in the words": (
        UNIT,
        r"Total 65\.70 ",
        "Total 75.70 ",
        "#warn-below-thresholds details li",
    ),
    "a gap figure changed in the facts and the words": (
        UNIT,
        r'("total", ")65\.70(".*?Total )65\.70',
        r"\g<1>75.70\g<2>75.70",
        "#warn-below-thresholds details li",
    ),
    "a gap figure changed in the facts, the words genuine": (
        UNIT,
        r'"total", "65\.70"',
        '"total", "75.70"',
        "#warn-below-thresholds details li",
    ),
    "a requirement changed on the awarding team's page": (
        TPN,
        r'("ipak", "3\.50", ")3\.60(".*?Indeks IPAK 3\.50 \(minimum )3\.60',
        r"\g<1>3.40\g<2>3.40",
        "#warn-below-thresholds details li",
    ),
    "a prerequisite's figure changed in the words": (
        GOVERNOR,
        r"dpmptsp-sultra, target WBK: tindak lanjut temuan audit 95%",
        "dpmptsp-sultra, target WBK: tindak lanjut temuan audit 99%",
        "#warn-prerequisites-missing details li",
    ),
}


def fails_at_claims(page: Any, lie: tuple[str, str, str, str], what: str) -> None:
    """The agency's page rewritten (`old` to `new`) fails at the claims step alone, with
    `where` highlighted, in Indonesian."""
    agency, old, new, where = lie
    rewrite_page(page, f"**/agencies/{agency}?*", old, new)
    outcome, states = run(page, agency)
    assert outcome == "failed" and states["claims"] == "fail", states
    assert all(states[s] == "pass" for s in STEPS[:-1]), states
    assert page.locator(f"{where}.verify-differs").count() >= 1, what
    detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
    assert detail.startswith("Yang ditampilkan halaman ini berbeda"), detail


@pytest.mark.parametrize("what", sorted(LIES))
def test_a_changed_warning_fails_the_claims_step(page: Any, what: str) -> None:
    fails_at_claims(page, LIES[what], what)


def _drop_national_evaluation(route: Any) -> None:
    response = route.fetch()
    data = response.json()

    def kind(e: dict[str, Any]) -> str:
        envelope = json.loads(e["entry"])["envelope"]
        return str(json.loads(base64.b64decode(envelope["payload"]))["type"])

    data["entries"] = [e for e in data["entries"] if kind(e) != "national_evaluation.recorded"]
    route.fulfill(response=response, body=json.dumps(data))


def test_the_awarded_units_chain_is_verified_for_the_awarding_page(page: Any) -> None:
    """The TPN's page judges its award by the unit's scores: a proof of the unit's chain with
    its national evaluations left out fails (by the TPI's scores alone the award is still
    below the thresholds: only verifying that chain against the checkpoint catches it)."""
    page.route(f"**/api/v1/subjects/{UNIT}/proof*", _drop_national_evaluation)
    outcome, states = run(page, TPN)
    assert outcome == "failed" and states["claims"] == "fail", states
    detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
    assert UNIT in detail, detail
