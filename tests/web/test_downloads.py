"""A search's rows download as CSV and JSON: exactly the agencies the list shows, on every
page of it, with the list's columns, each row's unit page and the log size it was read at."""

from __future__ import annotations

import csv
import io

import pytest
from flask.testing import FlaskClient
from site_support import demo_instance, result_rows

from registry.write.instance import Instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("downloads"), lifecycle=True)


def _listed(client: FlaskClient, query: str) -> list[str]:
    """The agencies `/agencies?query` lists, following its pages."""
    return [agency for agency, _ in result_rows(client, query)]


QUERIES = (
    "province=74", "q=grobogan", "kind=perangkat_daerah", "status=wbk", "",
    "province=74&sort=overdue&dir=desc", "overdue=1&sort=warnings&dir=desc",
    "status=wbk&status=revoked&sort=predicate", "province=74&predicate=revoked&overdue=1&match=any",
    "warning=late-posting&sort=declared&dir=desc", "predicate=awarded&predicate_year=2022",
)  # fmt: skip


def test_the_downloads_have_the_tables_columns(client: FlaskClient) -> None:
    """Each row's overdue items, warnings, declaration year and predicate are the ones the
    list shows; the region comes with both codes and its official names."""
    for query in QUERIES[5:]:
        shown = dict(result_rows(client, query))
        assert shown, query
        text = client.get(f"/agencies/found.csv?{query}").get_data(as_text=True)
        for r in csv.DictReader(io.StringIO(text)):
            _, _, declared, predicate, overdue, warnings = shown[r["agency"]]
            assert r["overdue"] == overdue and warnings.startswith(r["warnings"]), query
            assert declared == (r["declared_on"][:4] or "—")
            if r["predicate_state"] == "awarded":
                assert predicate == f"{r['predicate']} ({r['predicate_year']})"
            elif r["predicate_state"] == "revoked":
                assert predicate == f"Predikat dicabut ({r['predicate_year']})"
            else:
                assert predicate == "—" and not r["predicate_year"]
            assert r["overdue_on"] and len(r["warning_kinds"].split()) <= int(r["warnings"])
    sultra = client.get("/agencies/found.json?province=74").get_json()["agencies"]
    bahteramas = next(a for a in sultra if a["agency"] == "rsud-bahteramas")
    assert bahteramas["province_official"] == "Provinsi Sulawesi Tenggara"
    assert (bahteramas["predicate_state"], bahteramas["predicate_year"]) == ("revoked", 2026)
    assert bahteramas["overdue"] > 0 and "below-thresholds" in bahteramas["warning_kinds"]
    grobogan = client.get("/agencies/found.json?regency=3315").get_json()["agencies"]
    assert {(a["region_kemendagri"], a["region_bps"], a["regency_official"]) for a in grobogan} == {
        ("33.15", "3315", "Kabupaten Grobogan")
    }


def test_the_downloads_hold_exactly_the_rows_listed(client: FlaskClient) -> None:
    for query in QUERIES:
        listed = _listed(client, query)
        page = client.get(f"/agencies?{query}").get_data(as_text=True)
        assert ("found.csv" in page) == bool(listed), query
        response = client.get(f"/agencies/found.csv?{query}")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert "attachment" in response.headers["Content-Disposition"]
        table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        assert [r["agency"] for r in table] == listed, query
        data = client.get(f"/agencies/found.json?{query}").get_json()
        assert [a["agency"] for a in data["agencies"]] == listed, query
        size = data["log_size"]
        assert size > 0 and all(int(r["log_size"]) == size for r in table)
        assert all(a["url"].endswith(f"/agencies/{a['agency']}") for a in data["agencies"])
        assert all(a["status"] and a["name"] for a in data["agencies"])


def test_a_control_character_is_refused_like_everywhere_else(client: FlaskClient) -> None:
    for path in ("/agencies/found.csv?q=a%00b", "/agencies/found.json?q=a%00b"):
        response = client.get(path)
        assert response.status_code == 400, path
