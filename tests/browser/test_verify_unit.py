""" "Verify this page" on a unit page in real chromium, through a lying proxy (Playwright's
request interception in front of the real server): every lie is reported at the right step
as "failed"; the genuine page is "verified", also with WebCrypto Ed25519 disabled (the
vendored @noble/ed25519 verifies); a network cut mid-check is "could not be checked"."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from site_support import (
    UNIT_STEPS,
    check_unit,
    demo_instance,
    english_words,
    rewrite_page,
    served,
    watched_page,
)

UNIT = "rs-jiwa-sultra"
STEPS = UNIT_STEPS
PROOF = f"**/api/v1/subjects/{UNIT}/proof*"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo with its whole lifecycle (a key revoked from a past moment, TPI results)."""
    instance = demo_instance(tmp_path_factory.mktemp("verify-unit") / "instance", lifecycle=True)
    with served(instance) as url:
        yield url


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    # Script errors fail the test; a request the test itself cut is expected.
    with watched_page(browser, site, lambda e: "ERR_CONNECTION_RESET" in e) as opened:
        yield opened


def run(page: Any, lang: str = "id") -> tuple[str, dict[str, str]]:
    return check_unit(page, f"/agencies/{UNIT}?lang={lang}")


def lie_json(page: Any, pattern: str, change: Callable[[dict[str, Any]], None]) -> None:
    def handle(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        change(data)
        route.fulfill(response=response, body=json.dumps(data))

    page.route(pattern, handle)


def test_the_genuine_page_is_verified(page: Any) -> None:
    outcome, states = run(page)
    assert outcome == "verified", states
    assert states == dict.fromkeys(STEPS, "pass")
    summary = page.text_content("#verify-unit .verify-summary") or ""
    assert summary.startswith("Terverifikasi: rantai lengkap")


def test_every_genuine_agency_page_is_verified(page: Any) -> None:
    """No genuine page fails: every agency of the demo (its warnings compared too)."""
    found: dict[str, str | None] = {}
    for agency in json.loads(page.request.get("/api/v1/agencies").text()):
        page.goto(f"/agencies/{agency['agency']}")
        page.click("#verify-unit-button")
        page.wait_for_selector("#verify-unit[data-outcome]", timeout=30000)
        found[agency["agency"]] = page.get_attribute("#verify-unit", "data-outcome")
    assert len(found) > 10 and set(found.values()) == {"verified"}, found


def test_english(page: Any) -> None:
    outcome, _ = run(page, "en")
    assert outcome == "verified"
    assert (page.text_content("#verify-unit .verify-summary") or "").startswith("Verified:")


def test_without_webcrypto_ed25519_the_vendored_code_verifies(page: Any) -> None:
    page.add_init_script(
        """
        const real = crypto.subtle.importKey.bind(crypto.subtle);
        crypto.subtle.importKey = function (format, key, algorithm, ...rest) {
          const name = typeof algorithm === 'string' ? algorithm : algorithm.name;
          if (name === 'Ed25519') return Promise.reject(new DOMException('no', 'NotSupported'));
          return real(format, key, algorithm, ...rest);
        };
        """
    )
    outcome, states = run(page)
    assert outcome == "verified", states


def _payload_type(entry: dict[str, Any]) -> str:
    envelope = json.loads(entry["entry"])["envelope"]
    return str(json.loads(base64.b64decode(envelope["payload"]))["type"])


def drop(type_name: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["entries"] = [e for e in data["entries"] if _payload_type(e) != type_name]

    return change


def entry_byte(data: dict[str, Any]) -> None:
    e = data["entries"][1]
    e["entry"] = e["entry"].replace('"received_at":"2', '"received_at":"1', 1)


def map_hash(data: dict[str, Any]) -> None:
    s = data["map_proof"]["siblings"]
    s[0] = ("B" if s[0][0] == "A" else "A") + s[0][1:]


def checkpoint_signature(data: dict[str, Any]) -> None:
    head, sig = data["checkpoint"].rsplit(" ", 1)
    data["checkpoint"] = head + " " + ("B" if sig[0] == "A" else "A") + sig[1:]


def signature(data: dict[str, Any]) -> None:
    # Re-wrap one entry with a changed signature: the chain link changes too, so to reach
    # the signature step the lie must also be consistent with the map; it cannot be.
    entry = json.loads(data["entries"][0]["entry"])
    sig = entry["envelope"]["signatures"][0]["sig"]
    entry["envelope"]["signatures"][0]["sig"] = ("B" if sig[0] == "A" else "A") + sig[1:]
    data["entries"][0]["entry"] = json.dumps(entry, separators=(",", ":"), sort_keys=True)


LIES: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "key.revoked dropped": (drop("key.revoked"), "chain"),
    "a TPI result by another agency dropped": (drop("internal_evaluation.completed"), "chain"),
    "a byte of an entry": (entry_byte, "chain"),
    "a signature": (signature, "chain"),
    "a map proof hash": (map_hash, "map"),
    "the checkpoint signature": (checkpoint_signature, "checkpoint"),
}


@pytest.mark.parametrize("what", sorted(LIES))
def test_every_lie_in_the_proof_is_reported_at_its_step(page: Any, what: str) -> None:
    change, step = LIES[what]
    lie_json(page, PROOF, change)
    outcome, states = run(page)
    assert outcome == "failed", states
    assert states[step] == "fail", states
    assert all(v == "pass" for v in list(states.values())[: STEPS.index(step)]), states
    summary = page.text_content("#verify-unit .verify-summary") or ""
    assert summary.startswith("Gagal:")


def test_a_changed_shown_status_fails_the_claims_step(page: Any) -> None:
    def change(route: Any) -> None:
        response = route.fetch()
        body = response.text().replace("badge status-", "badge status-wbbm x-", 1)
        route.fulfill(response=response, body=body)

    page.route(f"**/agencies/{UNIT}?*", change)
    outcome, states = run(page)
    assert outcome == "failed" and states["claims"] == "fail", states
    detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
    assert "berbeda" in detail


def _assessed_to_proposed(data: Any) -> None:
    for fx in data:
        for c in fx.get("zi", []):
            if c.get("op") == "assessed":
                c["op"], c["year"], c["by"] = "proposed", 2026, "x"


def test_a_lying_history_page_cannot_matter(page: Any) -> None:
    """The changes are derived from the verified statements: the check never reads the
    history pages, so one that lies changes nothing."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/histories/" in r.url else None)
    lie_json(page, f"**/histories/{UNIT}/*", _assessed_to_proposed)
    outcome, states = run(page)
    assert outcome == "verified", states
    assert asked == []


def test_a_network_cut_mid_check_could_not_be_checked(page: Any) -> None:
    page.route("**/verify/rules.json", lambda route: route.abort("connectionreset"))
    outcome, states = run(page)
    assert outcome == "unchecked", states
    assert states["claims"] == "unchecked"
    summary = page.text_content("#verify-unit .verify-summary") or ""
    assert summary.startswith("Tidak dapat diperiksa")


def serve_an_older_checkpoint(page: Any) -> tuple[int, int]:
    """Serve the unit's proof for the newest checkpoint older than the log: (size, older)."""
    size = json.loads(page.request.get("/api/v1/log").text())["size"]
    older = next(
        n for n in range(size - 1, 0, -1) if page.request.get(f"/checkpoints/{n}").status == 200
    )
    stale = page.request.get(f"/api/v1/subjects/{UNIT}/proof?size={older}").text()
    page.route(
        f"**/api/v1/subjects/{UNIT}/proof",
        lambda route: route.fulfill(status=200, content_type="application/json", body=stale),
    )
    return size, older


def test_an_older_checkpoint_after_a_newer_one_is_a_rollback(page: Any) -> None:
    assert run(page)[0] == "verified"
    assert run(page)[0] == "verified"  # the same checkpoint again: consistent with itself
    size, older = serve_an_older_checkpoint(page)
    outcome, states = run(page)
    assert outcome == "failed" and states["checkpoint"] == "fail", states
    detail = page.text_content('#verify-unit li[data-step="checkpoint"] .detail') or ""
    assert detail.startswith("Log mundur") and f"{size} → {older}" in detail
    assert "Terakhir diverifikasi" in detail and "Dikirim sekarang" in detail


def test_a_changed_hash_of_the_consistency_proof_is_a_fork(page: Any) -> None:
    """The unit check fetches a consistency proof from the last checkpoint this browser
    verified: one hash of it changed fails at the checkpoint step, both checkpoints shown."""
    serve_an_older_checkpoint(page)
    _, states = run(page)
    assert states["checkpoint"] == "pass", states  # this browser now remembers `older`
    page.unroute(f"**/api/v1/subjects/{UNIT}/proof")

    def change(data: dict[str, Any]) -> None:
        p = data["consistency_proof"]
        p[0] = ("B" if p[0][0] == "A" else "A") + p[0][1:]

    lie_json(page, "**/api/v1/consistency?*", change)
    outcome, states = run(page)
    assert outcome == "failed" and states["checkpoint"] == "fail", states
    detail = page.text_content('#verify-unit li[data-step="checkpoint"] .detail') or ""
    assert "Terakhir diverifikasi" in detail and "Dikirim sekarang" in detail


def lie_page(page: Any, old: str, new: str) -> None:
    """Serve the unit page with the first match of the pattern `old` replaced by `new`."""
    rewrite_page(page, f"**/agencies/{UNIT}?*", old, new)


def test_the_claims_step_compares_plan_items_stages_and_target(page: Any) -> None:
    outcome, states = run(page)
    assert outcome == "verified", states
    detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
    status, items, late, moves = detail.split(" · ")
    rows = page.locator('[data-claim="item"]').count()
    assert int(items) == rows > 0 and int(moves) > 2
    assert int(late) == page.locator('[data-claim="item"] [data-claim="days"]').count()
    assert page.locator(".verify-differs").count() == 0


# A shown value changed in the page (not in the proof): (pattern, replacement, the claim
# element that must be highlighted).
SHOWN: dict[str, tuple[str, str, str]] = {
    "an items count": (
        r'(data-claim="items">)(\d+)',
        r"\g<1>99",
        '[data-claim="items"]',
    ),
    "a done count": (r'(data-claim="done">)(\d+)', r"\g<1>77", '[data-claim="done"]'),
    "a due date": (
        r'(data-claim="due" datetime=")(\d{4})-(\d\d)-(\d\d)(">\d+ \w+ )(\d{4})',
        r"\g<1>2099-\g<3>-\g<4>\g<5>2099",
        '[data-claim="due"]',
    ),
    "a due date's words only": (
        r'(data-claim="due" datetime="\d{4}-\d\d-\d\d">\d+ \w+ )(\d{4})',
        r"\g<1>1999",
        '[data-claim="due"]',
    ),
    "an item's state": (
        r'data-claim="state" data-state="open">[^<]*',
        'data-claim="state" data-state="done">Selesai',
        '[data-claim="state"]',
    ),
    "days late": (r'(data-claim="days">)(\d+)', r"\g<1>1", '[data-claim="days"]'),
    "the target": (r'(data-claim="target">)(WBK|WBBM)', r"\g<1>WBBX", '[data-claim="target"]'),
    "a stage date": (
        r'(data-stage="declared" class="done">[^<]*<a href="[^"]*"><time datetime=")(\d{4})',
        r"\g<1>2001",
        '[data-stage="declared"]',
    ),
    "a stage's entry": (
        r'(data-stage="building" class="done">[^<]*<a href="[^"]*/)(\d+)',
        r"\g<1>1",
        '[data-stage="building"]',
    ),
    "the overdue warning's count": (
        r'(?s)(id="warn-item-overdue">.*?<details><summary>.*?</summary><ul>\n)<li>.*?</li>',
        r"\g<1>",
        "#warn-item-overdue",
    ),
    # The warnings rules.js derives from the chain (late posting, revoked key): an entry
    # dropped from one, an entry added to one, a whole warning left out.
    "a late-posting warning's entry dropped": (
        r'(?s)(id="warn-late-posting">.*?<details><summary>.*?</summary><ul>\n)<li>.*?</li>',
        r"\g<1>",
        "#warn-late-posting",
    ),
    "a revoked-key warning on one more entry": (
        r'(?s)(id="warn-signed-by-revoked-key">.*?</summary><ul>\n)'
        r'(<li><a href="[^"]*/)(\d+)(".*?</li>)',
        r"\g<1>\g<2>0\g<4>\g<2>\g<3>\g<4>",
        "#warn-signed-by-revoked-key",
    ),
    "the revoked-key warning left out": (
        r'id="warn-signed-by-revoked-key"',
        'id="warn-other"',
        "section.status .badge",
    ),
    "the page's date": (
        r'(data-claim="today" datetime=")(\d{4})(-\d\d-\d\d">\d+ \w+ )(\d{4})',
        r"\g<1>2001\g<3>2001",
        '[data-claim="today"]',
    ),
    "an item hidden": (
        r'<tr data-claim="item" data-item="[^"]+"',
        '<tr data-claim="x" data-item="hidden"',
        '[data-claim="plan"]',
    ),
}


@pytest.mark.parametrize("what", sorted(SHOWN))
def test_a_changed_shown_value_is_highlighted_at_its_place(page: Any, what: str) -> None:
    old, new, where = SHOWN[what]
    lie_page(page, old, new)
    outcome, states = run(page)
    assert outcome == "failed" and states["claims"] == "fail", states
    assert all(states[s] == "pass" for s in STEPS[:-1]), states
    assert page.locator(f"{where}.verify-differs").count() >= 1, what
    detail = page.text_content('#verify-unit li[data-step="claims"] .detail') or ""
    assert detail.startswith("Yang ditampilkan halaman ini berbeda")


def test_without_witnesses_an_overdue_proof_says_its_time_is_the_registrys_word(page: Any) -> None:
    page.goto(f"/agencies/{UNIT}")
    row = page.locator('tr[data-claim="item"].overdue').first
    item = row.get_attribute("data-item")
    row.locator("button.silence").click()
    page.wait_for_selector(f'tr[data-item="{item}"][data-silence]', timeout=30000)
    text = row.locator(".silence-result").text_content() or ""
    assert row.get_attribute("data-silence") == "pass", text
    assert text.startswith("Terbukti dari log, tetapi tanpa saksi") and "disaksikan" not in text
    assert "hanya berdasarkan pernyataan registri" in text and f"butir {item}" in text


def test_a_failed_check_offers_a_report_to_lapor_with_what_failed(page: Any) -> None:
    lie_json(page, PROOF, map_hash)
    outcome, states = run(page)
    assert outcome == "failed" and states["map"] == "fail", states
    report = page.locator("#verify-unit .verify-report")
    assert report.is_visible()
    assert report.locator('a[href="https://www.lapor.go.id/"]').count() == 1
    text = report.locator(".report-text").text_content() or ""
    name = page.text_content("h1") or ""
    assert text.startswith(f"Verifikasi halaman Pakta untuk {name} gagal pada langkah")
    assert "Bukti peta subjek di titik periksa" in text and f"/agencies/{UNIT}" in text


def test_a_verified_page_offers_no_report(page: Any) -> None:
    assert run(page)[0] == "verified"
    assert not page.locator("#verify-unit .verify-report").is_visible()


# -- every detail line in the reader's language ---------------------------------------------


def shown_words(page: Any) -> set[str]:
    text = re.sub(r"https?://\S+", "", page.inner_text("#verify-unit"))  # the page's address
    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


LIES_IN_WORDS: dict[str, Callable[[Any], None]] = {
    "a map proof hash": lambda page: lie_json(page, PROOF, map_hash),
    "a byte of an entry": lambda page: lie_json(page, PROOF, entry_byte),
    "the checkpoint signature": lambda page: lie_json(page, PROOF, checkpoint_signature),
    "a dropped key.revoked": lambda page: lie_json(page, PROOF, drop("key.revoked")),
    "shown values": lambda page: lie_page(page, r'(data-claim="items">)(\d+)', r"\g<1>99"),
    "a network cut": lambda page: page.route(
        "**/verify/rules.json", lambda route: route.abort("connectionreset")
    ),
}


@pytest.mark.parametrize("what", sorted(LIES_IN_WORDS))
def test_a_failing_check_in_indonesian_prints_no_english(page: Any, what: str) -> None:
    english = english_words()
    LIES_IN_WORDS[what](page)
    outcome, _ = run(page)
    assert outcome in ("failed", "unchecked")
    assert shown_words(page) & english == set(), what


def test_the_same_check_in_english_uses_those_words(page: Any) -> None:
    """The scan can fail: an English page's failing check prints English words of the list."""
    LIES_IN_WORDS["a map proof hash"](page)
    assert run(page, "en")[0] == "failed"
    assert shown_words(page) & english_words()
