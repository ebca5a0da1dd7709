"""Demo honesty: while demo statements are loaded every page, feed and the open-data page says
"DATA DEMO"; a registry without them says nothing of the kind; and the demo's seed statements
say only what their articles say (issue 13)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pakta_support import new_instance
from site_support import demo_app, demo_instance

from events import load_statement
from events.model import Statement
from keys.dsse import Envelope
from registry.demo.common import SEED_FILES, SEEDS
from registry.write.instance import Instance
from web import close_app

ATOM = "{http://www.w3.org/2005/Atom}"
SEED_DIR = Path("/work/shared/seeds")
PAGES = [
    "/",
    "/agencies",
    "/agencies?q=grobogan",
    "/agencies/bps-kabupaten-grobogan",
    "/agencies/rsud-bahteramas",
    "/regions/74",
    "/regions/33.15",
    "/entries/0",
    "/documents",
    "/open-data",
    "/entries",
    "/about",
    "/no-such-page",
    "/agencies/no-such-agency",
]
FEEDS = ["/feed.atom", "/agencies/rsud-bahteramas/feed.atom", "/regions/74/feed.atom"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("demo"), lifecycle=True)


def _statements(app: Flask) -> Iterator[tuple[int, Statement]]:
    registry = app.extensions["pakta"].registry
    for index in range(registry.size()):
        entry = json.loads(registry.entry(index))
        yield index, load_statement(Envelope.from_json(entry["envelope"]).payload)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_every_page_and_feed_says_demo(client: FlaskClient, lang: str) -> None:
    banner = "DATA DEMO" if lang == "id" else "DEMO DATA"
    for path in PAGES:
        sep = "&" if "?" in path else "?"
        page = client.get(f"{path}{sep}lang={lang}").data.decode()
        assert '<aside class="demo-banner"' in page and banner in page, path
    for path in FEEDS:
        root = ET.fromstring(client.get(f"{path}?lang={lang}").data)
        assert (root.findtext(ATOM + "title") or "").startswith(f"[{banner}]"), path
        assert banner in (root.findtext(ATOM + "subtitle") or ""), path


def test_a_registry_without_demo_data_has_no_banner(tmp_path: Path) -> None:
    app: Flask = demo_app(new_instance(tmp_path / "plain"))
    try:
        client = app.test_client()
        for path in ("/", "/agencies", "/open-data", "/about", "/no-such-page"):
            page = client.get(path).data.decode()
            assert "demo-banner" not in page and "DATA DEMO" not in page, path
        root = ET.fromstring(client.get("/feed.atom").data)
        assert root.findtext(ATOM + "title") == "Pakta"
        assert root.find(ATOM + "subtitle") is None
    finally:
        close_app(app)


def test_seed_statements_say_only_what_their_articles_say(app: Flask) -> None:
    declarations: dict[str, Statement] = {}
    for index, st in _statements(app):
        if st.type == "agency.registered":
            assert st.demo, f"registration #{index} is the demo's own"
        if st.type == "zi.declared":
            declarations[st.agency] = st
    kuansing = declarations["pemkab-kuantan-singingi"]
    assert kuansing.body["target"] == "WBK"  # the article: "menuju WBK dan WBBM"
    assert not any("Mursini" in w for w in kuansing.body.get("witnesses_claimed", []))
    sulteng = declarations["pemprov-sulawesi-tengah"]
    assert not any("Mamun" in w for w in sulteng.body.get("witnesses_claimed", []))
    assert [u["agency"] for u in sulteng.body["units"]][0] == "setda-sulawesi-tengah"
    assert len(sulteng.body["units"]) == 3 and sulteng.demo
    assert kuansing.source == SEEDS["kuansing"]
    assert kuansing.source.startswith("Nusaperdana.com: ")
    assert sulteng.source is not None and sulteng.source.startswith("TribunPalu.com: ")


@pytest.mark.skipif(not SEED_DIR.exists(), reason="the seed articles are not on this machine")
def test_cited_titles_are_the_articles_own() -> None:
    for story in ("sultra", "sulteng", "kuansing"):
        outlet, title = SEEDS[story].split(": ", 1)
        text = (SEED_DIR / SEED_FILES[story]).read_text()
        assert title in text and outlet.lower() in text.lower(), story


def test_entry_page_shows_the_cited_article(app: Flask, client: FlaskClient) -> None:
    for index, st in _statements(app):
        if st.type == "zi.declared" and st.agency == "pemkab-kuantan-singingi":
            page = client.get(f"/entries/{index}").data.decode()
            assert "Nusaperdana.com: Bupati Kuansing Lakukan Pencanangan" in page
            assert ".txt" not in page
            return
    raise AssertionError("no declaration of Kuantan Singingi")
