"""The journalist's results table (issue 13) over the whole demo lifecycle: each column says
what the agency's own page says, each header link sorts by its column both ways (stable URLs,
aria-sort), each filter lists exactly the agencies it names, bad values are ignored, and every
count on a region page links to a table that lists exactly the agencies counted."""

from __future__ import annotations

import html
import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_instance, result_rows

from registry.read import lifecycle, queries
from registry.write.instance import Instance

TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("table"), lifecycle=True)


@pytest.fixture(scope="module")
def truth(app: Flask) -> dict[str, dict[str, Any]]:
    """What each agency's own page shows, from the queries the agency page runs."""
    app.config["TODAY"] = TODAY
    out: dict[str, dict[str, Any]] = {}
    with app.extensions["pakta"].read() as db:
        for a in queries.find_agencies(db):
            agency = a["agency"]
            listed = lifecycle.warnings(db, agency=agency, today=TODAY)
            unit = lifecycle.unit_status(db, agency)
            plan = lifecycle.action_plan(db, agency, TODAY)
            out[agency] = {
                "name": a["name"],
                "status": a["status"],
                "overdue": plan["summary"]["overdue"],
                "stored": [w for w in listed if not w["computed"]],
                "codes": {w["code"] for w in listed},
                "unit": unit,
                "region": a["region_kemendagri"] or "",
                "declared": a["declared_on"],
            }
    return out


def listed(client: FlaskClient, query: str) -> list[str]:
    return [agency for agency, _ in result_rows(client, query)]


def test_each_column_says_what_the_agency_page_says(
    client: FlaskClient, truth: dict[str, dict[str, Any]]
) -> None:
    table = dict(result_rows(client, ""))
    assert set(table) == set(truth)
    for agency, (region, _status, declared, predicate, overdue, warnings) in table.items():
        t = truth[agency]
        assert bool(region) == bool(t["region"]), agency
        assert overdue == str(t["overdue"]), agency
        assert warnings.split(" ")[0] == str(len(t["stored"])), agency
        assert declared == (t["declared"][:4] if t["declared"] else "—"), agency
        held = t["unit"]["predicate"] if t["unit"] else None
        if held:
            assert predicate.startswith(held + " ("), agency
        elif t["status"] == "revoked":
            assert predicate.startswith("Predikat dicabut ("), agency
        else:
            assert predicate == "—", agency
    assert table["rsud-bahteramas"][3] == "Predikat dicabut (2026)"
    assert table["bps-kabupaten-grobogan"][3] == "WBK (2022)"
    assert sum(t["overdue"] for t in truth.values()) > 0  # the demo has overdue items


def _value(t: dict[str, Any], sort: str) -> Any:
    if sort == "overdue":
        return t["overdue"]
    if sort == "warnings":
        return len(t["stored"])
    if sort == "declared":
        return t["declared"]
    if sort == "region":
        return t["region"] or None
    raise AssertionError(sort)


@pytest.mark.parametrize("sort", ["overdue", "warnings", "declared", "region"])
@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_each_sort_orders_by_its_column_then_by_name(
    client: FlaskClient, truth: dict[str, dict[str, Any]], sort: str, direction: str
) -> None:
    got = listed(client, f"sort={sort}&dir={direction}")
    by_name = sorted(truth, key=lambda a: (truth[a]["name"], a))
    present = [a for a in by_name if _value(truth[a], sort) is not None]
    missing = [a for a in by_name if _value(truth[a], sort) is None]
    desc = direction == "desc"
    present.sort(key=lambda a: _value(truth[a], sort), reverse=desc)  # stable: names stay
    assert got == (present + missing if desc else missing + present)
    # Paged the same way: 20 rows, then the rest.
    assert listed(client, f"sort={sort}&dir={direction}") == got


def test_sorting_by_overdue_pages_through_both_parts(client: FlaskClient) -> None:
    """Sorting by items overdue reads the units that have some, then those that have none:
    a page boundary inside either part loses and repeats nobody."""
    from registry.read.search import Filters, search

    app = client.application
    with app.extensions["pakta"].read() as db:
        whole = search(db, Filters(sort="overdue", dir="desc"), 1, per_page=100, today=TODAY)
        for size in (1, 2, 3, 7):
            paged: list[str] = []
            for page in range(1, whole["pages"] * 100 // size + 2):
                part = search(db, Filters(sort="overdue", dir="desc"), page, size, today=TODAY)
                if page > part["pages"]:
                    break
                paged += [r["agency"] for r in part["rows"]]
            assert paged == [r["agency"] for r in whole["rows"]], size


def test_header_links_sort_both_ways_with_aria_sort(client: FlaskClient) -> None:
    page = client.get("/agencies?province=74&overdue=1").get_data(as_text=True)
    head = page[page.index("<thead>") : page.index("</thead>")]
    assert head.count('<th scope="col"') == 7
    name = '<th scope="col" aria-sort="ascending"><a href="/agencies?province=74&amp;overdue=1'
    assert name + '&amp;dir=desc">Nama' in head
    assert 'href="/agencies?province=74&amp;overdue=1&amp;sort=overdue&amp;dir=desc"' in head
    sorted_page = client.get("/agencies?province=74&overdue=1&sort=overdue&dir=desc")
    head = sorted_page.get_data(as_text=True)
    flip = 'aria-sort="descending"><a href="/agencies?province=74&amp;overdue=1&amp;sort=overdue">'
    assert flip in head
    assert head.count("aria-sort=") == 1


def test_each_filter_lists_exactly_the_agencies_it_names(
    client: FlaskClient, truth: dict[str, dict[str, Any]]
) -> None:
    def names(test: Any) -> set[str]:
        return {a for a, t in truth.items() if test(t)}

    assert set(listed(client, "overdue=1")) == names(lambda t: t["overdue"] > 0)
    assert set(listed(client, "warnings=1")) == names(lambda t: t["stored"])
    for code in ("late-posting", "below-thresholds", "prerequisites-missing", "item-overdue"):
        having = {a for a, t in truth.items() if code in t["codes"]}
        assert set(listed(client, f"warning={code}")) == having, code
    revoked = set(listed(client, "predicate=revoked"))
    assert revoked == names(lambda t: t["status"] == "revoked") == {"rsud-bahteramas"}
    awarded = set(listed(client, "predicate=awarded"))
    assert awarded == names(lambda t: bool(t["unit"] and t["unit"]["predicate"]))
    in_2022 = set(listed(client, "predicate=awarded&predicate_year=2022"))
    assert in_2022 == {"bps-kabupaten-grobogan"}
    both = set(listed(client, "status=wbk&status=revoked"))
    assert both == names(lambda t: t["status"] in ("wbk", "revoked")) and len(both) >= 2
    sultra = set(listed(client, "province=74&predicate=revoked")) | set(
        listed(client, "province=74&overdue=1")
    )
    assert "rsud-bahteramas" in sultra and all(truth[a]["region"].startswith("74") for a in sultra)
    either = set(listed(client, "province=74&predicate=revoked&overdue=1&match=any"))
    assert either == sultra and len(either) == 3
    assert listed(client, "province=74&predicate=revoked&overdue=1") == ["rsud-bahteramas"]


@pytest.mark.parametrize(
    "query",
    [
        "sort=drop+table&dir=sideways",
        "status=&status=zz&status=" + "x" * 300,
        "predicate=maybe&predicate_year=20x6",
        "overdue=perhaps&warnings=&warning=%3Cscript%3E",
        "predicate_year=99999&sort=overdue&dir=desc&page=-4",
        "&".join(f"status=s{i}" for i in range(200)),
    ],
)
def test_bad_values_are_ignored_never_a_500(client: FlaskClient, query: str) -> None:
    for path in ("/agencies", "/agencies/found.csv", "/agencies/found.json", "/regions/74"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 200, (path, query)
    assert "<script>" not in client.get(f"/agencies?{query}").get_data(as_text=True)


def _count_links(page: str) -> list[tuple[str, int]]:
    """(link, the number of agencies the region page says it lists) for each count."""
    out = []
    start = page.index('<ul class="counts">')
    statuses = page[start : page.index("</ul>", start)]
    status = r'<a href="([^"]+)"><span class="badge[^>]*>[^<]*</span> (\d+) instansi</a>'
    warned = r'<a href="(/agencies\?warning=[^"]+)">[^<]*</a> <span class="muted">'
    warned += r"\((\d+) instansi\)"
    for url, n in re.findall(status, statuses) + re.findall(warned, page):
        out.append((html.unescape(url), int(n)))
    return out


@pytest.mark.parametrize("region", ["74", "33.15", "72", "33"])
def test_every_region_count_links_to_a_table_of_exactly_those_agencies(
    client: FlaskClient, region: str
) -> None:
    page = client.get(f"/regions/{region}").get_data(as_text=True)
    links = _count_links(page)
    assert links, region
    assert any("warning=" in u for u, _ in links) and any("status=" in u for u, _ in links)
    on_page = set(re.findall(r'<th scope="row"><a href="/agencies/([a-z0-9-]+)">', page))
    for url, n in links:
        response = client.get(url)
        assert response.status_code == 200, url
        got = listed(client, url.split("?", 1)[1])
        assert len(got) == n, (url, got)
        assert set(got) <= on_page, url
    if region == "74":
        overdue = next(u for u, _ in links if "warning=item-overdue" in u)
        assert "butir rencana aksi melewati jatuh tempo" in page
        assert set(listed(client, overdue.split("?", 1)[1])) == set(
            listed(client, "province=74&overdue=1")
        )


def test_region_lists_sort_and_download_the_same_rows(client: FlaskClient) -> None:
    page = client.get("/regions/74?sort=overdue&dir=desc").get_data(as_text=True)
    shown = re.findall(r'<th scope="row"><a href="/agencies/([a-z0-9-]+)">', page)
    first_list = page[: page.index("Instansi lain yang berlokasi")]
    government = shown[: first_list.count('<th scope="row">')]
    cell = r"<td>(?:<strong>)?(\d+)(?:</strong>)?</td>\n<td>\d+"
    overdue = [int(c) for c in re.findall(cell, page)]
    assert overdue[: len(government)] == sorted(overdue[: len(government)], reverse=True)
    found = re.search(r'<a href="(/agencies/found\.csv\?[^"]+)" download>', page)
    assert found
    csv_link = html.unescape(found[1])
    assert "province=74" in csv_link and "sort=overdue" in csv_link and "dir=desc" in csv_link
    data = client.get(csv_link.replace("found.csv", "found.json")).get_json()
    assert sorted(a["agency"] for a in data["agencies"]) == sorted(shown)
    assert [a["agency"] for a in data["agencies"] if a["agency"] in government] == government
