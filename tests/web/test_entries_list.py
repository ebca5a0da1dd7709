"""`/entries`: the log newest first, in pages with stable addresses, naming the checkpoint each
page was read from and how many witnesses cosigned it (issue 13)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.write.instance import Instance


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("demo"), lifecycle=True)


def listed(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li><a href="/entries/(\d+)">#\1</a>', page)]


def test_newest_first_with_the_checkpoint_and_its_witnesses(
    app: Flask, client: FlaskClient
) -> None:
    size = app.extensions["pakta"].registry.size()
    page = client.get("/entries").data.decode()
    assert listed(page) == list(range(size - 1, size - 51, -1))
    assert f"titik periksa bertanda tangan untuk {size} entri" in page
    assert f'href="/checkpoints/{size}"' in page
    assert "<strong>0 saksi independen</strong>" in page  # the demo has no witnesses
    assert f'<a href="/entries?before={size}">Tautan tetap halaman ini</a>' in page
    assert "Predikat Menuju WBK" in page  # plain sentences, not type codes
    english = client.get("/entries?lang=en").data.decode()
    assert "<strong>0 independent witnesses</strong>" in english


def test_pages_are_stable_and_cover_the_whole_log(app: Flask, client: FlaskClient) -> None:
    size = app.extensions["pakta"].registry.size()
    seen: list[int] = []
    url: str | None = "/entries"
    while url:
        page = client.get(url).data.decode()
        seen += listed(page)
        older = re.search(r'<a href="(/entries\?before=\d+)" rel="next">', page)
        url = older.group(1) if older else None
    assert seen == list(range(size - 1, -1, -1))
    again = client.get("/entries?before=30").data.decode()
    assert listed(again) == list(range(29, -1, -1))
    assert 'href="/entries?before=78" rel="prev"' in client.get("/entries?before=28").data.decode()


@pytest.mark.parametrize("before", ["-1", "abc", "99999999999999999999", "0"])
def test_odd_addresses_are_not_errors(client: FlaskClient, before: str) -> None:
    response = client.get(f"/entries?before={before}")
    assert response.status_code == 200
