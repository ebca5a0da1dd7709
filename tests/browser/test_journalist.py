"""A journalist's journey in Debian's chromium (issue 13): in the Indonesian search form, list
the Sulawesi Tenggara units whose predicate was revoked or that have action-plan items overdue,
sort the table by items overdue, download the CSV, and find in it exactly the rows shown, in
the same order; and the wide table scrolls in its own box on a 360 px phone."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser


def _shown(page: Any) -> list[str]:
    links = page.locator(".results-table tbody th a")
    return [
        re.sub(r"^/agencies/", "", links.nth(i).get_attribute("href")) for i in range(links.count())
    ]


@pytest.mark.parametrize("width", [360, 1280])
def test_a_journalist_lists_sorts_and_downloads_exactly_those_rows(
    browser: Any, life: str, width: int
) -> None:
    context = browser.new_context(
        base_url=life,
        locale="id-ID",
        accept_downloads=True,
        viewport={"width": width, "height": 800},
    )
    page = context.new_page()
    try:
        page.goto("/agencies")
        page.get_by_text("Saring menurut wilayah").click()  # the folded filters
        page.get_by_label("Provinsi", exact=True).select_option(label="Provinsi Sulawesi Tenggara")
        page.get_by_label("Ada butir rencana aksi lewat jatuh tempo").check()
        page.get_by_label("Predikat", exact=True).select_option(label="Predikat dicabut")
        page.get_by_label("salah satu saja").check()
        page.get_by_role("button", name="Cari").click()
        page.wait_for_url(re.compile(r".*province=74.*"))
        assert "3 instansi ditemukan" in (page.text_content("p[role=status]") or "")
        unsorted = _shown(page)
        assert set(unsorted) == {"rsud-bahteramas", "rs-jiwa-sultra", "dpmptsp-sultra"}

        page.get_by_role("link", name="Lewat jatuh tempo").click()
        page.wait_for_url(re.compile(r".*sort=overdue&dir=desc.*"))
        header = page.locator("th[aria-sort]")
        assert header.count() == 1 and header.get_attribute("aria-sort") == "descending"
        shown = _shown(page)
        assert sorted(shown) == sorted(unsorted)
        cells = page.locator(".results-table tbody tr td:nth-child(6)")
        counts = [int(cells.nth(i).inner_text()) for i in range(cells.count())]
        assert counts == sorted(counts, reverse=True) and counts[0] > 0

        with page.expect_download() as info:
            page.get_by_role("link", name="CSV", exact=True).click()
        path = info.value.path()
        with open(path, encoding="utf-8") as f:
            table = list(csv.DictReader(io.StringIO(f.read())))
        assert [r["agency"] for r in table] == shown
        assert [int(r["overdue"]) for r in table] == counts
        revoked = {r["agency"] for r in table if r["predicate_state"] == "revoked"}
        assert revoked == {"rsud-bahteramas"}
        assert all(r["region_kemendagri"].startswith("74") for r in table)
        assert all(int(r["overdue"]) > 0 or r["predicate_state"] == "revoked" for r in table)
        assert all(r["url"].endswith("/agencies/" + r["agency"]) for r in table)

        # The page never scrolls sideways: the table scrolls in its own box.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        box = page.locator(".results-table")
        if width == 360:
            assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    finally:
        context.close()
