""" "Verify this page" with a witness quorum: the pinned witness's C2SP cosignature on the
checkpoint is checked in the browser; a changed cosignature fails, and a checkpoint without
the required cosignatures fails the quorum."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pakta_support import LiveServer
from site_support import demo_app, demo_instance, witnessed

from web import close_app

UNIT = "rs-jiwa-sultra"
WITNESS = "witness.test/w1"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("witnessed")
    instance = demo_instance(folder / "instance", lifecycle=True)
    with witnessed(instance, folder / "witness-state", WITNESS):
        app = demo_app(instance)
        live = LiveServer(app)
        yield live.url
        live.close()
        close_app(app)


def run(page: Any) -> tuple[str, str]:
    page.goto(f"/agencies/{UNIT}")
    page.click("#verify-unit-button")
    page.wait_for_selector("#verify-unit[data-outcome]", timeout=30000)
    detail = page.text_content('#verify-unit li[data-step="checkpoint"] .detail') or ""
    return page.get_attribute("#verify-unit", "data-outcome"), detail


def serve_changed(page: Any, change: Any) -> None:
    def handle(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        data["checkpoint"] = change(data["checkpoint"])
        route.fulfill(response=response, body=json.dumps(data))

    page.route(f"**/api/v1/subjects/{UNIT}/proof", handle)


def test_the_cosigned_checkpoint_verifies(page: Any) -> None:
    outcome, detail = run(page)
    assert outcome == "verified" and WITNESS in detail, detail


def _cosignature_line(note: str) -> str:
    return next(line for line in note.split("\n") if line.startswith(f"— {WITNESS} "))


def test_a_changed_cosignature_fails(page: Any) -> None:
    def change(note: str) -> str:
        line = _cosignature_line(note)
        sig = line.rsplit(" ", 1)[1]
        bad = sig[:-6] + ("A" if sig[-6] != "A" else "B") + sig[-5:]
        return note.replace(line, line.rsplit(" ", 1)[0] + " " + bad)

    serve_changed(page, change)
    outcome, detail = run(page)
    assert outcome == "failed" and "Tanda tangan saksi tidak sah" in detail, detail


def test_a_checkpoint_without_the_quorum_fails(page: Any) -> None:
    serve_changed(page, lambda note: note.replace(_cosignature_line(note) + "\n", ""))
    outcome, detail = run(page)
    assert outcome == "failed" and "kurang dari yang diwajibkan" in detail, detail


# -- provable silence (docs/provable-silence.md) ------------------------------------------------


def check_silence(page: Any) -> tuple[str, str, str]:
    """Click the proof on the first overdue badge: (its outcome, its text, the item)."""
    page.goto(f"/agencies/{UNIT}")
    row = page.locator('tr[data-claim="item"].overdue').first
    item = row.get_attribute("data-item")
    row.locator("button.silence").click()
    page.wait_for_selector(f'tr[data-item="{item}"][data-silence]', timeout=30000)
    return row.get_attribute("data-silence"), row.locator(".silence-result").text_content(), item


def test_a_genuine_overdue_badge_is_proven_as_of_the_witness_time(page: Any) -> None:
    outcome, text, item = check_silence(page)
    assert outcome == "pass", text
    assert text.startswith("Terbukti: per 20") and f"disaksikan oleh {WITNESS}" in text
    assert f"butir {item} selesai" in text and "UTC" in text


def test_a_dropped_progress_report_is_caught_at_the_chain(page: Any) -> None:
    def handle(route: Any) -> None:
        response = route.fetch()
        data = response.json()
        kept = [e for e in data["entries"] if "action_item.progress_reported" not in _type(e)]
        assert len(kept) < len(data["entries"])
        data["entries"] = kept
        route.fulfill(response=response, body=json.dumps(data))

    page.route(f"**/api/v1/subjects/{UNIT}/proof?size=*", handle)
    outcome, text, _ = check_silence(page)
    assert outcome == "fail", text
    state = page.get_attribute('#verify-unit li[data-step="chain"]', "data-state")
    assert state == "fail" and text.startswith("Bukti keterlambatan tidak berlaku"), text


def _type(entry: dict[str, Any]) -> str:
    payload = json.loads(entry["entry"])["envelope"]["payload"]
    return str(json.loads(base64.b64decode(payload))["type"])


def test_a_shifted_witness_time_is_caught(page: Any) -> None:
    def later(note: str) -> str:
        line = _cosignature_line(note)
        head, sig = line.rsplit(" ", 1)
        raw = bytearray(base64.b64decode(sig))
        raw[4:12] = (int.from_bytes(raw[4:12], "big") + 86400 * 400).to_bytes(8, "big")
        return note.replace(line, head + " " + base64.b64encode(bytes(raw)).decode())

    serve_changed(page, later)
    outcome, text, _ = check_silence(page)
    assert outcome == "fail", text
    state = page.get_attribute('#verify-unit li[data-step="checkpoint"]', "data-state")
    assert state == "fail" and "Tanda tangan saksi tidak sah" in text, text


def test_a_shifted_due_date_is_caught(page: Any) -> None:
    def handle(route: Any) -> None:
        response = route.fetch()
        body = re.sub(
            r'(<tr data-claim="item" data-item="[^"]+" class="overdue">.*?data-claim="due" '
            r'datetime=")(\d{4})(-\d\d-\d\d">\d+ \w+ )(\d{4})',
            lambda m: m[1] + str(int(m[2]) - 1) + m[3] + str(int(m[4]) - 1),
            response.text(),
            count=1,
            flags=re.S,
        )
        route.fulfill(response=response, body=body)

    page.route(f"**/agencies/{UNIT}", handle)
    outcome, text, item = check_silence(page)
    assert outcome == "fail" and f"menyebut butir {item} jatuh tempo" in text, text
