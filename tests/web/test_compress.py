"""gzip where the client accepts it: pages, JSON, the streamed CSV; never for small bodies or
clients that did not ask."""

from __future__ import annotations

import gzip

import pytest
from flask.testing import FlaskClient
from site_support import demo_instance

from registry.write.instance import Instance

GZIP = {"Accept-Encoding": "gzip, deflate"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("gzip") / "instance")


def test_pages_json_and_streams_are_gzipped_when_accepted(client: FlaskClient) -> None:
    for url in ("/", "/api/v1/catalog", "/open-data/statements.csv", "/feed.atom"):
        plain = client.get(url)
        packed = client.get(url, headers=GZIP)
        assert "Content-Encoding" not in plain.headers, url
        assert packed.headers["Content-Encoding"] == "gzip", url
        assert "Accept-Encoding" in packed.headers["Vary"], url
        assert gzip.decompress(packed.data) == plain.data, url
        assert len(packed.data) < len(plain.data), url


def test_small_bodies_and_binary_tiles_are_left_alone(client: FlaskClient) -> None:
    small = client.get("/log-key", headers=GZIP)
    assert "Content-Encoding" not in small.headers
    tile = client.get("/tile/0/000.p/1", headers=GZIP)
    assert tile.status_code == 200 and "Content-Encoding" not in tile.headers
