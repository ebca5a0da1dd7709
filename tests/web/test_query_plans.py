"""No page's cost grows with the log: every SQL statement the site runs for each page type,
against a registry of more than 10,000 entries, is planned on an index, never as a full scan
of a table (EXPLAIN QUERY PLAN on SQLite; EXPLAIN with sequential scans disabled on
PostgreSQL, so a "Seq Scan" there means no index can serve the query)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from golden_demo import fixed_key, load_fixed_demo
from pakta_support import BACKENDS, PACT_DOCUMENT, database, pact_body
from site_support import ensure_translations
from sqlalchemy import event

from events import build_statement, sha256_ref
from keys.dsse import sign
from keys.ed25519 import b64, public_bytes
from registry.service import Service
from web import close_app, create_app

AGENCIES = 40
PACTS = 10_000
# Tables whose size does not grow with the log (a row per region or per setting).
BOUNDED = {"rm_regions", "pakta_meta", "pakta_tracking", "rm_windows"}


def grow(svc: Service) -> None:
    """Registrations and 10,000 integrity pacts through the real append path."""
    registrar = fixed_key("registrar")
    import json

    def env(payload: bytes, key: Any) -> bytes:
        return json.dumps(sign(payload, [key]).to_json()).encode()

    heads = {}
    batch = []
    for i in range(AGENCIES):
        agency, key = f"dinas-uji-{i}", fixed_key(f"uji-{i}")
        body = {
            "name": f"Dinas Uji {i} Kabupaten Grobogan",
            "kind": "perangkat_daerah",
            "parent": None,
            "region": {"kemendagri": "33.15", "bps": "3315", "name": "Kabupaten Grobogan"},
            "keys": [
                {"public_key": b64(public_bytes(key)), "role": "agency_head", "holder": "Kepala"}
            ],
        }
        payload = build_statement(
            "agency.registered", agency, 0, None, "2025-01-01T00:00:00Z", body
        )
        batch.append(env(payload, registrar))
        heads[agency] = (key, 0, sha256_ref(payload))
    svc.registry.submit_many(batch)
    done = 0
    while done < PACTS:
        batch = []
        for _ in range(500):
            agency = f"dinas-uji-{done % AGENCIES}"
            key, seq, prev = heads[agency]
            payload = build_statement(
                "integrity_pact.signed", agency, seq + 1, prev, "2025-06-01T00:00:00Z",
                pact_body("2025-06-01"), documents=[PACT_DOCUMENT],
            )  # fmt: skip
            batch.append(env(payload, key))
            heads[agency] = (key, seq + 1, sha256_ref(payload))
            done += 1
        assert not any(isinstance(r, Exception) for r in svc.registry.submit_many(batch))


@pytest.fixture(scope="module", params=BACKENDS)
def big(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("plans") / "instance"
    with database(request.param, tmp_path_factory.mktemp("db")) as url:
        svc = load_fixed_demo(folder, url)
        try:
            grow(svc)
            assert svc.registry.size() > PACTS
        finally:
            svc.close()
        yield folder


def pages(size: int) -> list[str]:
    return [
        "/", "/agencies", "/agencies?q=BPS+Grobogan", "/agencies?q=dinas+uji&page=2",
        "/agencies?province=33", "/agencies?regency=33.15&status=registered",
        "/agencies?kind=perangkat_daerah", "/agencies?year=2025", "/agencies/dinas-uji-7",
        "/agencies/dinas-uji-7?page=3", "/agencies/rsud-bahteramas", f"/entries/{size - 5}",
        "/entries/76", "/regions/74", "/regions/33.15", "/feed.atom",
        "/agencies/dinas-uji-3/feed.atom", "/regions/33/feed.atom", "/about", "/documents",
        f"/documents?sha256={PACT_DOCUMENT['sha256']}", f"/api/v1/entries/{size - 1}",
        "/api/v1/agencies/dinas-uji-1", f"/api/v1/entries/{size - 2}/proof",
        f"/api/v1/verify/entries/{size - 3}", f"/api/v1/documents/{PACT_DOCUMENT['sha256']}",
        "/checkpoint", "/tile/0/000", "/tile/entries/000", "/api/v1/log",
        # the search box's shortcuts and "did you mean" (issue 13)
        "/agencies?q=74", "/agencies?q=grobgan+dinas", "/agencies?regency=3315",
        f"/agencies?q=%23{size - 5}", f"/agencies?q={PACT_DOCUMENT['sha256']}", "/regions/3315",
        "/entries", "/entries?before=5000",
        # the results table: every sort both ways, the new filters, a region's lists (issue 13)
        "/agencies?dir=desc", "/agencies?sort=region", "/agencies?sort=status&dir=desc",
        "/agencies?sort=declared", "/agencies?sort=predicate&dir=desc",
        "/agencies?sort=warnings&dir=desc", "/agencies?sort=overdue&dir=desc",
        "/agencies?sort=overdue&page=2", "/agencies?overdue=1", "/agencies?warnings=1",
        "/agencies?warning=late-posting", "/agencies?warning=item-overdue&province=74",
        "/agencies?warning=unwitnessed&province=74", "/agencies?predicate=revoked",
        "/agencies?predicate=awarded&predicate_year=2022", "/agencies?status=wbk&status=revoked",
        "/agencies?regency=33.15&sort=overdue&dir=desc&warnings=1",
        "/regions/74?sort=overdue&dir=desc", "/regions/33.15?sort=warnings",
        "/agencies/found.json?province=74&sort=overdue&dir=desc&overdue=1",
        "/agencies?province=74&predicate=revoked&overdue=1&match=any&sort=overdue&dir=desc",
        # the yearly "Penerima predikat" lists and their downloads
        "/predikat", "/predikat/2026", "/predikat/2025", "/predikat/2026.csv",
        "/predikat/2022.json",
        # open data per unit, a page of units at a time
        "/open-data/units.csv", "/open-data/units.json",
        # the workbench's list of an agency's own entries (with confirmations of records)
        "/workbench/api/entries/dinas-uji-7", "/workbench/api/entries/bps-kabupaten-grobogan",
        # a unit's complete list of one kind of warning, a page at a time (issue 11): 250 late
        # postings each, a kind true today, one signed by another, one it has none of
        "/agencies/dinas-uji-7/warnings/late-posting",
        "/agencies/dinas-uji-7/warnings/late-posting?page=3",
        "/agencies/rs-jiwa-sultra/warnings/item-overdue",
        "/agencies/rsud-bahteramas/warnings/below-thresholds",
        "/agencies/dinas-uji-7/warnings/unwitnessed",
    ]  # fmt: skip


def leaf_pages(client: Any, size: int) -> list[str]:
    """The search box given an entry's leaf hash (RFC 9162: SHA-256 of 0x00 and the entry)."""
    raw = client.get(f"/api/v1/entries/{size - 7}/raw").data
    leaf = hashlib.sha256(b"\x00" + raw).hexdigest()
    return [f"/agencies?q={leaf}"]


def full_scans(conn: Any, dialect: str, statement: str, params: Any) -> list[str]:
    """The tables a statement would read in full."""
    cursor = conn.connection.cursor()
    try:
        if dialect == "sqlite":
            cursor.execute("EXPLAIN QUERY PLAN " + statement, params)
            details = [row[-1] for row in cursor.fetchall()]
            bounded = " LIMIT " in statement.upper() and not any(
                "TEMP B-TREE" in d for d in details
            )
            found = [m.group(1) for d in details if (m := re.match(r"SCAN (\w+)", d))]
            # Only tables: a subquery's rows (SCAN overdue_units) came from its own plan.
            tables = {r[0] for r in cursor.execute("SELECT name FROM sqlite_master")}
            return [] if bounded else [t for t in found if t in tables]
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN (FORMAT JSON) " + statement, params)
        plan = cursor.fetchone()[0][0]["Plan"]
        cursor.execute("SET enable_seqscan = on")
        return list(_pg_full(plan, limited=False))
    finally:
        cursor.close()


@pytest.mark.slow
def _pg_full(node: dict[str, Any], *, limited: bool) -> Iterator[str]:
    """Tables a PostgreSQL plan reads in full: a sequential scan, or a scan of a whole index
    (no index condition) that no LIMIT above it stops early."""
    kind = node["Node Type"]
    limited = limited or kind == "Limit"
    whole_index = kind in ("Index Scan", "Index Only Scan", "Bitmap Index Scan")
    if kind == "Seq Scan" or (whole_index and "Index Cond" not in node and not limited):
        yield node.get("Relation Name") or node.get("Index Name", "?")
    for child in node.get("Plans", []):
        yield from _pg_full(child, limited=limited)


def test_every_page_is_served_from_indexes(big: Path) -> None:
    ensure_translations()
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(big)})
    try:
        engine = app.extensions["pakta"].registry.engine
        dialect = engine.dialect.name
        seen: list[tuple[str, Any]] = []

        def collect(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
            if statement.lstrip().upper().startswith("SELECT"):
                seen.append((statement, params))

        client = app.test_client()
        size = app.extensions["pakta"].registry.size()
        bad = []
        for url in [*pages(size), *leaf_pages(client, size)]:
            seen.clear()
            event.listen(engine, "before_cursor_execute", collect)
            try:
                assert client.get(url, follow_redirects=True).status_code == 200, url
            finally:
                event.remove(engine, "before_cursor_execute", collect)
            with engine.connect() as conn:
                for statement, params in seen:
                    for table in full_scans(conn, dialect, statement, params):
                        if table not in BOUNDED:
                            bad.append(f"{url}: {table} in {statement[:160]}")
        assert not bad, "\n".join(bad)
    finally:
        close_app(app)
