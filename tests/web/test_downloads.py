"""A search's rows download as CSV and JSON: exactly the agencies the list shows, on every
page of it, with the list's columns, each row's unit page and the log size it was read at."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.write.instance import Instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("downloads"), lifecycle=True)


def _listed(client: FlaskClient, query: str) -> list[str]:
    """The agencies `/agencies?query` lists, following its pages."""
    found: list[str] = []
    page = 1
    while True:
        html = client.get(f"/agencies?{query}&page={page}").get_data(as_text=True)
        found += re.findall(r'<th scope="row"><a href="/agencies/([a-z0-9-]+)"><strong>', html)
        if 'rel="next"' not in html:
            return found
        page += 1


def test_the_downloads_hold_exactly_the_rows_listed(client: FlaskClient) -> None:
    for query in ("province=74", "q=grobogan", "kind=perangkat_daerah", "status=wbk", ""):
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
