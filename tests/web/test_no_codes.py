"""No internal codes on any page: every page type in Indonesian, and the 404, 405 and 500
pages, scanned for the codes and English fallbacks a citizen must never read (issue 13).

Only the text a reader sees in running text is scanned: the signed JSON shown as it is (`pre`)
and hashes and key ids (`code`) are data, not wording, and are left out, as are attributes.
"""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_app, demo_instance

from registry.write.instance import Instance
from web import close_app

# Codes of statuses, roles, kinds, warnings and regulations, and Flask's English error words.
TOKENS = re.compile(
    r"\b(done|open|cancelled|in_progress|agency_head|unit_head|late-posting|item-overdue|"
    r"below-thresholds|prerequisites-missing|unwitnessed|signed-by-revoked-key|"
    r"permenpanrb-[0-9]+-[0-9]{4}|not_met|pact_signed|Not Found|Method Not Allowed|"
    r"Internal Server Error|requested URL|seq [0-9]+|null|true|false)\b"
    r"|\b[a-z]+_[a-z_]+\b"  # any snake_case code (pemerintah_kabupaten, manajemen_perubahan)
    r"|\b[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9:]+)?"  # ISO dates and timestamps
)
SKIP = {"pre", "code", "script", "style", "textarea"}


class VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIP:
            self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP and self.depth:
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.depth:
            self.parts.append(data)


def leaks(page: str) -> list[str]:
    parser = VisibleText()
    parser.feed(page)
    text = " ".join(parser.parts)
    return sorted({m[0] for m in TOKENS.finditer(text)})


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("demo"), lifecycle=True)


@pytest.fixture(scope="module")
def app(demo: Instance) -> Flask:
    app = demo_app(demo)
    app.config["TODAY"] = date(2026, 11, 1)
    yield app  # type: ignore[misc]
    close_app(app)


def page_paths(app: Flask) -> list[str]:
    """One of every page type, every agency page and every entry page of the demo."""
    registry = app.extensions["pakta"].registry
    with app.extensions["pakta"].read() as db:
        from registry.read import tables

        agencies = [
            r[0]
            for r in db.execute(
                tables.agencies.select().with_only_columns(tables.agencies.c.agency)
            )
        ]
        document = db.execute(tables.documents.select().limit(1)).first()
    return [
        "/",
        "/agencies",
        "/agencies?q=grobogan",
        "/agencies?province=74",
        "/agencies?q=zzzz",
        "/regions/74",
        "/regions/33",
        "/regions/33.15",
        "/regions/14.09",
        "/documents",
        f"/documents?sha256={document.sha256 if document else ''}",
        "/documents?sha256=" + "0" * 64,
        "/documents?sha256=bukan-hash",
        "/about",
        "/open-data",
        "/entries",
        "/entries?before=30",
        "/glossary",
        "/predikat/2022",
        "/predikat/2026",
        "/predikat/2025",
        "/agencies?q=74",
        "/agencies?q=grobogn",
        *[f"/agencies/{a}" for a in agencies],
        # a unit's complete list of one kind of warning (issue 11)
        "/agencies/bps-kabupaten-grobogan/warnings/late-posting",
        "/agencies/rs-jiwa-sultra/warnings/item-overdue",
        "/agencies/rs-jiwa-sultra/warnings/signed-by-revoked-key",
        "/agencies/rsud-bahteramas/warnings/below-thresholds",
        *[f"/entries/{i}" for i in range(registry.size())],
    ]


def test_no_page_shows_internal_codes(app: Flask, client: FlaskClient) -> None:
    found = {}
    for path in page_paths(app):
        response = client.get(path)
        assert response.status_code == 200, path
        bad = leaks(response.data.decode())
        if bad:
            found[path] = bad
    assert found == {}


ERRORS = [
    ("/no-such-page", 404),
    ("/entries/9999", 404),
    ("/agencies/no-such-agency", 404),
    ("/regions/99", 404),
    ("/regions/3315x", 404),
    ("/agencies/rs-jiwa-sultra/warnings/no-such-kind", 404),
    ("/agencies/no-such-agency/warnings/late-posting", 404),
]


@pytest.mark.parametrize(("path", "status"), ERRORS)
def test_error_pages_are_in_indonesian(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path)
    page = response.data.decode()
    assert response.status_code == status
    assert leaks(page) == [], path
    assert "Halaman tidak ditemukan" in page or "Tidak ada" in page


def test_405_and_500_pages_are_in_indonesian(demo: Instance, tmp_path: Path) -> None:
    app = demo_app(demo)
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    def boom() -> str:
        raise RuntimeError("an internal failure with English words in it")

    app.add_url_rule("/boom", "boom", boom)
    try:
        client = app.test_client()
        gone = client.post("/about")
        assert gone.status_code == 405 and leaks(gone.data.decode()) == []
        assert "Cara membuka halaman ini tidak diizinkan" in gone.data.decode()
        failed = client.get("/boom")
        page = failed.data.decode()
        assert failed.status_code == 500 and leaks(page) == []
        assert "Terjadi kesalahan di server" in page and "English words" not in page
        english = client.get("/no-such-page?lang=en").data.decode()
        assert "Page not found" in english
    finally:
        close_app(app)
