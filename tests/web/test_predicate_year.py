"""The year a designation is for is the year its award statement names (`year`), not the year
of the decree's day: a WBK for 2026 decreed on 15 January 2027 is a 2026 designation on the
results table, in the units file, on the unit's page and on the 2026 "Penerima predikat" page,
all from the rules' designation record (`Predicate.year`). A plain WBK of the demo-like world
(decreed in its own year) is the control."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from pakta_support import new_instance, sqlalchemy_url
from site_support import demo_app, result_rows
from sqlalchemy import create_engine, text, update
from zi_world import World

from registry.audit.fsck import fsck
from registry.cli import main
from registry.read import tables
from registry.read.layout import READ_MODEL
from registry.service import open_service
from registry.write import storage
from registry.write.instance import Instance
from web import close_app

LATE, PLAIN = "dinas-a", "dinas-b"  # decreed the next January; decreed in its year


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return late_award(tmp_path_factory.mktemp("predicate-year"))


def late_award(folder: Path) -> Instance:
    """An instance where PLAIN got WBK on 1 December 2025 for 2025 and LATE got WBK on 15
    January 2027 for 2026."""
    instance = new_instance(folder / "instance", f"sqlite:///{folder}/pakta.sqlite3")
    service = open_service(instance)
    try:
        w = World(service.registry)
        w.on("2024-01-10").declare([PLAIN, LATE])
        for unit in (PLAIN, LATE):
            w.designate(unit)
            w.plan(unit, {"PP-01": "2024-06-30"})
        w.on("2025-02-01")
        evaluations = {}
        for unit in (PLAIN, LATE):
            w.progress(unit, "PP-01")
            evaluations[unit] = w.tpi(unit)
        w.on("2025-03-01").propose([PLAIN], evaluations[PLAIN])
        w.on("2025-09-01").national(PLAIN)
        w.on("2025-12-01").award(PLAIN)  # for 2025
        w.on("2026-03-01").propose([LATE], evaluations[LATE])
        w.on("2026-09-01").national(LATE)
        w.on("2027-01-15").award(LATE, year=2026)
    finally:
        service.close()
    return instance


def test_the_results_table_says_the_year_the_award_names(client: FlaskClient) -> None:
    table = dict(result_rows(client, ""))
    assert table[LATE][3] == "WBK (2026)"
    assert table[PLAIN][3] == "WBK (2025)"
    # The year filter and the year sort use the same column.
    assert [a for a, _ in result_rows(client, "predicate_year=2026")] == [LATE]
    assert [a for a, _ in result_rows(client, "predicate_year=2027")] == []


def test_the_units_file_says_the_year_the_award_names(client: FlaskClient) -> None:
    text = client.get("/open-data/units.csv").get_data(as_text=True)
    rows = {r["unit"]: r for r in csv.DictReader(io.StringIO(text))}
    assert rows[LATE]["predicate"] == "WBK" and rows[LATE]["predicate_year"] == "2026"
    assert rows[PLAIN]["predicate_year"] == "2025"
    units = {u["unit"]: u for u in client.get("/open-data/units.json").get_json()["units"]}
    assert (units[LATE]["predicate"], units[LATE]["predicate_year"]) == ("WBK", 2026)
    assert units[PLAIN]["predicate_year"] == 2025


def test_the_unit_page_and_the_yearly_list_say_the_year_the_award_names(
    client: FlaskClient,
) -> None:
    page = client.get(f"/agencies/{LATE}").get_data(as_text=True)
    assert "Berpredikat Menuju WBK (2026)" in page
    assert '<a href="/predikat/2026">Penerima predikat 2026</a>' in page
    assert "2027" not in page.split("Berpredikat Menuju WBK", 1)[1].split("</p>", 1)[0]
    listed = client.get("/predikat/2026").get_data(as_text=True)
    assert f'<a href="/agencies/{LATE}"><strong>' in listed
    assert "15 Januari 2027" in listed  # the decree's own day is still shown as its day
    assert f'<a href="/agencies/{LATE}"><strong>' not in client.get("/predikat/2027").get_data(
        as_text=True
    )
    assert client.get("/predikat").headers["Location"] == "/predikat/2026"


def test_an_older_instance_migrates_to_the_year_the_award_names(tmp_path: Path) -> None:
    """What an older Pakta left: award changes stored in the agencies' events without the
    year, and a read model saying the decree's year. The events still load (the award day's
    year is all they say); `pakta migrate` rebuilds the read model from the log, so every
    page says the year the award statement names."""
    instance = late_award(tmp_path)
    engine = create_engine(sqlalchemy_url(instance.database_url))
    with engine.begin() as conn:
        stored = conn.execute(text("SELECT id, state FROM pakta_events")).all()
        older = 0
        for row in stored:
            state = json.loads(row.state)
            awards = [c for c in state.get("effect", {}).get("zi", ()) if c["op"] == "awarded"]
            for change in awards:
                del change["year"]
                older += 1
            if awards:
                conn.execute(
                    text("UPDATE pakta_events SET state = :s WHERE id = :id"),
                    {"s": json.dumps(state, separators=(",", ":")).encode(), "id": row.id},
                )
        assert older == 2
        a = tables.agencies.c
        conn.execute(update(tables.agencies).where(a.agency == LATE).values(predicate_year=2027))
        conn.execute(update(tables.awards).where(tables.awards.c.unit == LATE).values(year=2027))
        meta = storage.meta.c
        conn.execute(update(storage.meta).where(meta.name == READ_MODEL).values(value="old"))
    engine.dispose()
    assert main(["--instance", str(instance.path), "migrate"]) == 0
    service = open_service(instance)
    try:
        held = service.registry.head(LATE)
        assert held is not None and held.lifecycle.predicate is not None
        assert held.lifecycle.predicate.year == 2027  # loaded from the older event
        # The older event of an award decreed in its own year is read as this Pakta writes
        # it, so fsck finds nothing to say of it; only the award decreed the next January,
        # whose stored record never said the year it is for, differs from the log.
        found = {(f.table, f.row) for f in fsck(service)}
        assert found == {("pakta_events", f"agency {LATE}")}, found
    finally:
        service.close()
    app = demo_app(instance)
    try:
        client = app.test_client()
        assert dict(result_rows(client, ""))[LATE][3] == "WBK (2026)"
        listed = client.get("/predikat/2026").get_data(as_text=True)
        assert f'<a href="/agencies/{LATE}"><strong>' in listed
        units = {u["unit"]: u for u in client.get("/open-data/units.json").get_json()["units"]}
        assert units[LATE]["predicate_year"] == 2026
    finally:
        close_app(app)
