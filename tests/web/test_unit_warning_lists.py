"""A unit's warnings at any number of them (issue 11): its page shows each kind's exact count
and lists the newest few inline, with a link to the kind's complete list, whose pages (stable
URLs, entry order) together hold exactly the warnings the rules derive from the log (the
audit's replay of an export), no repeats, no gaps; every page under the budget and kept in
the page cache; unknown units and kinds are 404, bad page numbers as elsewhere."""

from __future__ import annotations

import contextlib
import io
import json
import re
from collections.abc import Iterator
from datetime import date

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import PAGE_BUDGET, demo_instance
from warning_support import FEW, MANY, PACTS, add_warned_units

from registry.audit.export import export
from registry.cli import main
from registry.read import lifecycle, places, warning_lists
from registry.service import open_service
from registry.write.instance import Instance
from web import warning_words
from web.unit_warnings import INLINE, PER_PAGE

LATE, LOW = "late-posting", "pact-coverage-low"
ENTRY = re.compile(r'<li><a href="/entries/(\d+)">#\1</a>')


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    instance = demo_instance(tmp_path_factory.mktemp("warn-lists") / "instance")
    add_warned_units(instance)
    return instance


@pytest.fixture(scope="module")
def derived(demo: Instance, tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[int]]:
    """code -> the entries of MANY's page the audit's replay of the exported log warns on."""
    folder = tmp_path_factory.mktemp("warn-export") / "export"
    service = open_service(demo)
    try:
        export(service.registry, folder)
    finally:
        service.close()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        today = date.today().isoformat()
        assert main(["audit", str(folder), "--report", "--today", today]) == 0
    text = out.getvalue()
    report = json.loads(text[text.index("\n{") + 1 :])
    found: dict[str, list[int]] = {}
    for w in report["warnings"]:
        if MANY in (w["agency"], w["subject"]):
            found.setdefault(w["code"], []).append(w["idx"])
    return {code: sorted(found[code]) for code in found}


def unit_kind(client: FlaskClient, unit: str, code: str, lang: str = "id") -> str:
    response = client.get(f"/agencies/{unit}?lang={lang}")
    assert response.status_code == 200 and len(response.data) <= PAGE_BUDGET
    found = re.search(rf'<li id="warn-{code}">.*?</details></li>', response.text, re.S)
    assert found, code
    return found.group(0)


def complete(client: FlaskClient, url: str) -> Iterator[tuple[str, str]]:
    """(address, page) of every page of a complete list, following rel="next"."""
    while url:
        response = client.get(url)
        assert response.status_code == 200 and len(response.data) <= PAGE_BUDGET, url
        yield url, response.text
        nxt = re.search(r'<a href="([^"]+)" rel="next">', response.text)
        url = nxt.group(1).replace("&amp;", "&") if nxt else ""


def test_the_unit_page_counts_each_kind_and_lists_the_newest(
    client: FlaskClient, derived: dict[str, list[int]]
) -> None:
    assert len(derived[LATE]) == PACTS + 1 and len(derived[LOW]) == PACTS // 2
    for code in (LATE, LOW):
        for lang in ("id", "en"):
            item = unit_kind(client, MANY, code, lang)
            count = re.search(r'<span data-claim="warning-count">(\d+) ', item)
            assert count and int(count.group(1)) == len(derived[code]), (code, lang)
            shown = [int(i) for i in ENTRY.findall(item)]
            assert shown == sorted(derived[code], reverse=True)[:INLINE], (code, lang)
            link = f'href="/agencies/{MANY}/warnings/{code}"'
            assert f'<a data-claim="warning-list" {link}>' in item
        assert f"Lihat semua {len(derived[code])} entri" in unit_kind(client, MANY, code)
        assert f"Show all {len(derived[code])} entries" in unit_kind(client, MANY, code, "en")
        assert f"<summary>Lihat {INLINE} entri terbaru</summary>" in unit_kind(client, MANY, code)


def test_the_complete_lists_hold_exactly_the_derived_warnings(
    client: FlaskClient, derived: dict[str, list[int]]
) -> None:
    for code in (LATE, LOW):
        pages = list(complete(client, f"/agencies/{MANY}/warnings/{code}"))
        assert len(pages) == -(-len(derived[code]) // PER_PAGE) > 1
        listed = []
        for n, (url, page) in enumerate(pages, start=1):
            entries = [int(i) for i in ENTRY.findall(page)]
            assert len(entries) == min(PER_PAGE, len(derived[code]) - (n - 1) * PER_PAGE)
            assert (n == 1) or url.endswith(f"?page={n}"), url
            assert f"Halaman {n} dari {len(pages)}" in page
            listed += entries
        assert listed == derived[code]  # in entry order: no repeats, no gaps
        # The same words as the unit page, and a page's address keeps meaning the same page.
        first = pages[0][1]
        assert "Terlambat dicatatkan" in first or "Pakta Integritas kurang" in first
        again = client.get(f"/agencies/{MANY}/warnings/{code}?page=2").text
        assert ENTRY.findall(again) == ENTRY.findall(pages[1][1])


def test_a_few_warnings_are_all_listed_inline_without_a_link(client: FlaskClient) -> None:
    item = unit_kind(client, FEW, LATE)
    assert len(ENTRY.findall(item)) == 4 and "<summary>Lihat 4 entri</summary>" in item
    assert 'data-claim="warning-list"' not in item


def test_the_entries_are_worded_as_on_the_unit_page(client: FlaskClient) -> None:
    page = client.get(f"/agencies/{MANY}/warnings/{LATE}?page=3").text
    assert re.search(r"#\d+</a> Penandatanganan Pakta Integritas · bertanggal 1 Juni 2024, ", page)
    english = client.get(f"/agencies/{MANY}/warnings/{LOW}?lang=en").text
    assert "4 of 10 staff" in english and 'rel="next">Next' in english


def test_bad_page_numbers_unknown_units_and_kinds(client: FlaskClient) -> None:
    base = f"/agencies/{MANY}/warnings/{LATE}"
    first = ENTRY.findall(client.get(base).text)
    last = ENTRY.findall(client.get(f"{base}?page=3").text)
    assert ENTRY.findall(client.get(f"{base}?page=abc").text) == first
    assert ENTRY.findall(client.get(f"{base}?page=0").text) == first
    assert ENTRY.findall(client.get(f"{base}?page=99").text) == last
    assert ENTRY.findall(client.get(f"{base}?page=99999999999999999999").text) == first
    for url in (f"/agencies/tidak-ada/warnings/{LATE}", f"/agencies/{MANY}/warnings/bukan-kode"):
        assert client.get(url).status_code == 404
        problem = client.get(url, headers={"Accept": "application/json"})
        assert problem.status_code == 404 and problem.json and problem.json["status"] == 404
    # A kind this unit has none of (today): a page saying so.
    empty = client.get(f"/agencies/{MANY}/warnings/item-overdue")
    assert empty.status_code == 200 and not ENTRY.findall(empty.text)


def test_the_lists_are_kept_in_the_page_cache(app: Flask) -> None:
    client = app.test_client()
    cache = app.extensions["pakta_pages"]
    url = f"/agencies/{MANY}/warnings/{LOW}?page=2"
    client.get(url)
    hits = cache.hits
    assert client.get(url).status_code == 200 and cache.hits == hits + 1


def test_no_reader_of_the_warnings_cuts_them(app: Flask, derived: dict[str, list[int]]) -> None:
    """lifecycle.warnings is complete; the region's counts count every warning once."""
    with app.extensions["pakta"].read() as db:
        everything = lifecycle.warnings(db, agency=MANY, today=date.today())
        assert len(everything) == sum(len(v) for v in derived.values()) > 200
        assert warning_lists.counts(db, MANY, date.today()) == {
            c: len(v) for c, v in derived.items()
        }
        region = places.region_page(db, "33.11", date.today())
    assert region is not None
    units = [a["agency"] for a in region["agencies"]]
    assert MANY in units and FEW in units
    with app.extensions["pakta"].read() as db:
        seen = {
            (w["idx"], w["code"], w["subject"]): w["code"]
            for unit in units
            for w in lifecycle.warnings(db, agency=unit, today=date.today())
        }
        pages = {
            code: sum(
                any(w["code"] == code for w in lifecycle.warnings(db, agency=u, today=date.today()))
                for u in units
            )
            for code in set(seen.values())
        }
    expected: dict[str, int] = {}
    for code in seen.values():
        expected[code] = expected.get(code, 0) + 1
    assert region["warning_counts"] == expected and expected[LATE] > PACTS
    assert region["warning_units"] == pages and pages[LATE] >= 2


def test_each_count_line_begins_with_its_count(app: Flask) -> None:
    """The browser's check reads a kind's count as the first number of its count line."""
    for lang in ("id", "en"):
        with app.test_request_context(f"/?lang={lang}"):
            app.preprocess_request()
            for code in warning_words.ORDER:
                for n in (1, 7, 1234):
                    line = str(warning_words.kind_words(code, n)["headline"])
                    assert re.match(rf"{n}\D", line), (lang, code, line)
