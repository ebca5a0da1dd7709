"""An imported declaration's mark is cleared when the agency confirms it: a `zi.declared`
naming the registrar's `zi.declaration_recorded` in `confirms` is checked by the rules (it
must exist, be a recorded declaration of the same agency, not yet confirmed), and from then on
the entry page, the unit timeline, the feeds, the open data and the workbench's entry list
show the record as confirmed by the agency on that day, with the confirming entry; the audit
report derives the same confirmation from the raw log."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from babel.dates import format_date
from pakta_support import sqlalchemy_url
from site_support import demo_app, demo_instance
from sqlalchemy import create_engine, text, update

from events import build_statement
from events.types.historical import CONFIRMED_TITLE
from keys.dsse import sign
from keys.ed25519 import b64, generate, load_private_key, public_bytes
from registry.audit.export import export
from registry.cli import main
from registry.read import tables
from registry.read.layout import READ_MODEL
from registry.rules.errors import RuleError
from registry.service import open_service
from registry.write import storage
from registry.write.instance import Instance, InstanceError
from web import close_app

AGENCY = "dinas-kominfo-palu"
MARK = "dicatat dari sumber publik, belum ditandatangani instansi"
CSV = (
    "agency,declared_on,target,source_url,source_date,source_title,agency_name,agency_kind,"
    "region_kemendagri\n"
    f"{AGENCY},2023-05-02,WBK,https://example.org/kominfo,2023-05-03,Kominfo Palu ZI,"
    "Dinas Kominfo Kota Palu,perangkat_daerah,72.71\n"
    "rsud-bahteramas,2021-03-10,WBK,https://example.org/bahteramas,2021-03-11,RSUD ZI,,,\n"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return confirmed_world(tmp_path_factory.mktemp("confirm"))


def confirmed_world(folder: Path) -> dict[str, Any]:
    """A demo instance where the registrar imported two records (one for a new agency that
    then got its head's key) and that agency confirmed its record."""
    instance = demo_instance(folder / "instance")
    path = folder / "records.csv"
    path.write_text(CSV, encoding="utf-8")
    assert main(["--instance", str(instance.path), "import", str(path)]) == 0
    service = open_service(instance)
    head_key = generate()
    try:
        registry = service.registry
        registrar = load_private_key(instance.registrar_key_path())
        now = datetime.now(UTC).replace(microsecond=0)
        grant = {"public_key": b64(public_bytes(head_key)), "role": "agency_head",
                 "holder": "Kepala Dinas Kominfo Kota Palu"}  # fmt: skip
        submit(registry, "key.added", grant, registrar, now)
        with service.read() as db:
            from registry.read import queries

            rows = queries.timeline(db, AGENCY)["rows"]
            other = queries.timeline(db, "rsud-bahteramas")["rows"]
        record = next(r for r in rows if r["type"] == "zi.declaration_recorded")
        foreign = next(r for r in other if r["type"] == "zi.declaration_recorded")
        registered = next(r for r in rows if r["type"] == "agency.registered")
        size = registry.size()
        refusals = {}
        for name, ref in (
            ("not a record", {"seq": registered["seq"], "hash": registered["hash"]}),
            ("another agency's", {"seq": foreign["seq"], "hash": foreign["hash"]}),
            ("wrong seq", {"seq": registered["seq"], "hash": record["hash"]}),
        ):
            with pytest.raises(RuleError) as refused:
                submit(registry, "zi.declared", declaration(ref), head_key, now)
            refusals[name] = refused.value.code
        assert registry.size() == size  # nothing stored
        ref = {"seq": record["seq"], "hash": record["hash"]}
        confirming = submit(registry, "zi.declared", declaration(ref), head_key, now)
        with pytest.raises(RuleError) as again:
            submit(registry, "zi.declared", declaration(ref), head_key, now)
        assert registry.size() == size + 1
        export(registry, folder / "export")
    finally:
        service.close()
    return {
        "instance": instance,
        "record": record["idx"],
        "foreign": foreign["idx"],
        "confirming": confirming,
        "refusals": refusals,
        "again": again.value.code,
        "day": now.date().isoformat(),
        "export": folder / "export",
    }


def in_words(day: str, lang: str = "id") -> str:
    """A day as the pages write it ("1 Desember 2026")."""
    return str(format_date(date.fromisoformat(day), "d MMMM y", locale=lang))


def declaration(ref: dict[str, Any]) -> dict[str, Any]:
    return {"declared_on": "2023-05-02", "target": "WBK", "units": [], "place": "Palu",
            "confirms": ref}  # fmt: skip


def submit(registry: Any, type_: str, body: dict[str, Any], key: Any, now: datetime) -> int:
    head = registry.head(AGENCY)
    payload = build_statement(type_, AGENCY, head.seq + 1, head.hash, now, body)
    return int(registry.submit(json.dumps(sign(payload, [key]).to_json()).encode()).index)


def test_the_rules_refuse_a_confirmation_of_anything_else(world: dict[str, Any]) -> None:
    assert world["refusals"] == {
        "not a record": "unknown-record",
        "another agency's": "unknown-record",
        "wrong seq": "unknown-record",
    }
    assert world["again"] == "already-confirmed"


def test_every_page_shows_the_record_as_confirmed(world: dict[str, Any]) -> None:
    record, confirming, foreign = world["record"], world["confirming"], world["foreign"]
    app = demo_app(world["instance"])
    try:
        client = app.test_client()
        page = client.get(f"/entries/{record}").get_data(as_text=True)
        assert CONFIRMED_TITLE["id"] in page and MARK not in page
        assert f"Dikonfirmasi oleh instansi pada {in_words(world['day'])}," in page
        assert f'href="/entries/{confirming}"' in page
        # The other agency's record is not confirmed: it keeps its mark.
        assert MARK in client.get(f"/entries/{foreign}").get_data(as_text=True)
        # The confirming entry points back at the record, by its confirmed title.
        back = client.get(f"/entries/{confirming}").get_data(as_text=True)
        assert f'href="/entries/{record}"' in back and CONFIRMED_TITLE["id"] in back
        timeline = client.get(f"/agencies/{AGENCY}").get_data(as_text=True)
        assert CONFIRMED_TITLE["id"] in timeline and MARK not in timeline
        assert f"Dikonfirmasi oleh instansi pada {in_words(world['day'])}," in timeline
        feed = client.get(f"/agencies/{AGENCY}/feed.atom").get_data(as_text=True)
        assert CONFIRMED_TITLE["id"] in feed and MARK not in feed
        assert MARK in client.get("/agencies/rsud-bahteramas/feed.atom").get_data(as_text=True)
        table = client.get("/open-data/statements.csv").get_data(as_text=True)
        rows = {int(r["index"]): r for r in csv.DictReader(io.StringIO(table))}
        assert rows[record]["confirmed_by"] == str(confirming)
        assert rows[foreign]["confirmed_by"] == ""
        lines = client.get("/open-data/statements.jsonl").get_data(as_text=True).splitlines()
        by_index = {json.loads(line)["index"]: json.loads(line) for line in lines}
        assert by_index[record]["confirmed_by"] == confirming
        assert by_index[confirming]["confirmed_by"] is None
        # The workbench lists the record as confirmed, so its form no longer offers it.
        mine = client.get(f"/workbench/api/entries/{AGENCY}").get_json()
        assert {e["index"]: e["confirmed_by"] for e in mine}[record] == confirming
        assert {e["index"]: e["title"] for e in mine}[record] == CONFIRMED_TITLE["id"]
        head = client.get(f"/api/v1/agencies/{AGENCY}").get_json()
        assert head["lifecycle"]["confirmed"] == [1]
        english = client.get(f"/entries/{record}?lang=en").get_data(as_text=True)
        assert CONFIRMED_TITLE["en"] in english
        assert f"Confirmed by the agency on {in_words(world['day'], 'en')}," in english
    finally:
        close_app(app)


def test_the_audit_report_derives_the_same_confirmation(
    world: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    export_dir: Path = world["export"]
    assert main(["audit", str(export_dir), "--report"]) == 0
    out = capsys.readouterr().out
    report = json.loads(out[out.index("\n{") + 1 :])
    assert report["confirmed"] == [
        {"idx": world["record"], "by": world["confirming"], "on": world["day"]}
    ]


def test_an_instance_without_confirmations_reports_none(tmp_path: Path) -> None:
    instance: Instance = demo_instance(tmp_path / "instance")
    app = demo_app(instance)
    try:
        table = app.test_client().get("/open-data/statements.csv").get_data(as_text=True)
        assert all(r["confirmed_by"] == "" for r in csv.DictReader(io.StringIO(table)))
    finally:
        close_app(app)


def test_an_instance_laid_out_before_the_day_had_its_column_migrates(tmp_path: Path) -> None:
    """An older Pakta kept a confirmation's day in `rm_links.reason`: `pakta migrate`
    rebuilds the read model, after which the day is in `confirmed_on`, the reason is empty and
    the pages show the day."""
    found = confirmed_world(tmp_path)
    instance: Instance = found["instance"]
    links = tables.links.name
    engine = create_engine(sqlalchemy_url(instance.database_url))
    with engine.begin() as conn:
        conn.execute(text(f"ALTER TABLE {links} DROP COLUMN confirmed_on"))
        conn.execute(text(f"UPDATE {links} SET reason = :day WHERE kind = 'confirmed'"),
                     {"day": found["day"]})  # fmt: skip
        conn.execute(
            update(storage.meta).where(storage.meta.c.name == READ_MODEL).values(value="old")
        )
    engine.dispose()
    with pytest.raises(InstanceError, match="pakta migrate"):
        open_service(instance)
    assert main(["--instance", str(instance.path), "migrate"]) == 0
    service = open_service(instance)
    try:
        with service.read() as db:
            stored = db.execute(text(f"SELECT kind, reason, confirmed_on FROM {links}")).all()
    finally:
        service.close()
    assert [tuple(r) for r in stored] == [("confirmed", None, found["day"])]
    app = demo_app(instance)
    try:
        page = app.test_client().get(f"/entries/{found['record']}").get_data(as_text=True)
        assert f"Dikonfirmasi oleh instansi pada {in_words(found['day'])}," in page
    finally:
        close_app(app)
