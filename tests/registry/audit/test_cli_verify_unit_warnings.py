"""`pakta verify-unit` recomputes a unit's warnings from verified chains and compares them with
every entry of the server's lists (`/api/v1/agencies/<unit>/warnings[/<code>]`), on the real
demo server: every agency of the demo verifies, the awarding and proposing ones having fetched
the chains their warnings are judged by (the awarded units', `window:<year>`); a warning left
out, made up, counted wrong or with a changed figure fails, naming the kind and the entry; a
unit whose list runs over several pages is read page by page; lists of another log size or
another day could not be checked."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from golden_demo import load_fixed_demo
from map_support import as_an_older_pakta_left_it
from pakta_support import LiveServer, new_instance, served
from test_cli_verify_unit import demo, edit_json, lying, recording, server
from warning_support import MANY, PACTS, add_warned_units
from zi_world import SCORES_LOW, World

from registry.audit.fetching import HttpFetch
from registry.audit.verify_unit import FAILED, UNCHECKED, VERIFIED, run_verify_unit
from registry.service import open_service
from registry.write.instance import Instance, load_instance

__all__ = ["demo", "server"]  # the module's fixtures, shared
GROBOGAN = "bps-kabupaten-grobogan"  # proposed itself after the 2022 deadline
GOVERNOR = "pemprov-sulawesi-tenggara"  # proposed two units in 2026, over the quota of one
TPN = "kemenpanrb-tpn"  # awarded WBK below the thresholds
REVOKED = "rs-jiwa-sultra"  # late postings, overdue items, an entry signed by a revoked key


def check(server: LiveServer, demo: Instance, unit: str, fetch: Any = None) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run_verify_unit(server.url, unit, log_key=demo.log_vkey, fetch=fetch)
    return code, out.getvalue()


def test_every_agency_of_the_demo_is_verified_with_its_warnings(
    server: LiveServer, demo: Instance
) -> None:
    agencies = [a["agency"] for a in json.loads(HttpFetch(server.url)("api/v1/agencies"))]
    assert len(agencies) >= 15
    kinds: set[str] = set()
    for agency in agencies:
        code, out = check(server, demo, agency)
        assert code == VERIFIED, out
        line = next(x for x in out.splitlines() if x.startswith("ok: warnings as of "))
        kinds |= {part.rsplit(" ", 1)[0] for part in line.split(": ", 2)[2].split(", ")}
    # The demo's warnings of every kind the rules store or compute today were compared.
    assert {"below-thresholds", "deadline-missed", "over-quota", "item-overdue"} <= kinds, kinds
    assert {"late-posting", "signed-by-revoked-key", "unwitnessed"} <= kinds, kinds


@pytest.mark.parametrize(("unit", "chains"), [
    (GROBOGAN, "['window:2022']"),
    (GOVERNOR, "window:2026"),
    (TPN, "rsud-bahteramas"),
])  # fmt: skip
def test_the_chains_warnings_are_judged_by_are_fetched(
    server: LiveServer, demo: Instance, unit: str, chains: str
) -> None:
    code, out = check(server, demo, unit)
    assert code == VERIFIED, out
    lines = out.splitlines()
    assert any(x.startswith("ok: complete chains of what") and chains in x for x in lines), out


def _rows(change: Callable[[list[dict[str, Any]]], None]) -> Callable[[dict[str, Any]], None]:
    return lambda data: change(data["rows"])


def _first_facts(key: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["rows"][0]["facts"][key] = value

    return change


def _gap(data: dict[str, Any]) -> None:
    row = next(r for r in data["rows"] if r["facts"].get("gaps"))
    row["facts"]["gaps"][0][1] = "99.99"


def _counts(code: str, by: int) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        data["counts"][code] = data["counts"].get(code, 0) + by
        if not data["counts"][code]:
            del data["counts"][code]

    return change


def _made_up(data: dict[str, Any]) -> None:
    row = dict(data["rows"][0], idx=data["rows"][0]["idx"] + 1)
    data["rows"].append(row)
    data["rows"].pop(0)


def _page(unit: str, code: str) -> str:
    return f"api/v1/agencies/{unit}/warnings/{code}"


LIES: dict[str, tuple[str, str, Callable[[dict[str, Any]], None], str]] = {
    "a deadline-missed warning left out": (
        GROBOGAN, f"api/v1/agencies/{GROBOGAN}/warnings", _counts("deadline-missed", -1),
        "deadline-missed: the server counts 0, the log gives 1",
    ),
    "a warning made up": (
        GROBOGAN, f"api/v1/agencies/{GROBOGAN}/warnings", _counts("pact-coverage-low", 1),
        "pact-coverage-low: the server counts 1, the log gives 0",
    ),
    "an overdue item fewer": (
        REVOKED, f"api/v1/agencies/{REVOKED}/warnings", _counts("item-overdue", -1),
        "item-overdue: the server counts 5, the log gives 6",
    ),
    "the over-quota count changed": (
        GOVERNOR, _page(GOVERNOR, "over-quota"), _first_facts("count", 1),
        "over-quota: the server lists entry",
    ),
    "the deadline moved": (
        GROBOGAN, _page(GROBOGAN, "deadline-missed"), _first_facts("deadline", "2022-12-31"),
        "deadline-missed: the server lists entry",
    ),
    "a gap figure of an award changed": (
        TPN, _page(TPN, "below-thresholds"), _gap, "below-thresholds: the server lists entry",
    ),
    "a late posting's days changed": (
        REVOKED, _page(REVOKED, "late-posting"), _first_facts("days", 1),
        "late-posting: the server lists entry",
    ),
    "a listed entry replaced by another": (
        REVOKED, _page(REVOKED, "late-posting"), _made_up, "late-posting: the log gives entry",
    ),
    "a page shorter than its count": (
        REVOKED, _page(REVOKED, "item-overdue"), _rows(lambda rows: rows.pop()),
        "item-overdue: its 1 pages list 5, the count says 6",
    ),
}  # fmt: skip


@pytest.mark.parametrize("what", sorted(LIES))
def test_every_warning_lie_fails_naming_it(server: LiveServer, demo: Instance, what: str) -> None:
    unit, path, change, named = LIES[what]
    code, out = check(server, demo, unit, lying(server, edit_json(path, change)))
    assert code == FAILED, out
    assert f"failed: {unit}" in out and "warnings: " + named in out, out


@pytest.mark.parametrize(("what", "change", "said"), [
    ("a newer log", lambda d: d.update(size=d["size"] + 1), "of a log of size"),
    ("another day", lambda d: d.update(today="2001-01-01"), "counts its warnings on 2001-01-01"),
])  # fmt: skip
def test_lists_of_another_state_could_not_be_checked(
    server: LiveServer, demo: Instance, what: str, change: Any, said: str
) -> None:
    lie = edit_json(f"api/v1/agencies/{REVOKED}/warnings", change)
    code, out = check(server, demo, REVOKED, lying(server, lie))
    assert code == UNCHECKED, out
    assert "could not be checked" in out and said in out, out


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Instance]]:
    folder = tmp_path_factory.mktemp("many-warnings") / "instance"
    load_fixed_demo(folder).close()
    instance = load_instance(folder)
    add_warned_units(instance)
    with served(folder) as live:
        yield live, instance


def test_a_list_of_several_pages_is_read_page_by_page(many: tuple[LiveServer, Instance]) -> None:
    live, instance = many
    fetch, asked = recording(live.url)

    code, out = check(live, instance, MANY, fetch)
    assert code == VERIFIED, out
    assert f"late-posting {PACTS + 1}" in out and f"pact-coverage-low {PACTS // 2}" in out
    assert f"{_page(MANY, 'late-posting')}?page=3" in asked

    def drop_on_page_two(data: dict[str, Any]) -> None:
        if data["page"] == 2:
            data["rows"].pop(50)

    code, out = check(live, instance, MANY, lying(live, edit_json(_page(MANY, "late-posting"),
                                                                 drop_on_page_two)))  # fmt: skip
    assert code == FAILED, out
    assert f"late-posting: its 3 pages list {PACTS}, the count says {PACTS + 1}" in out, out


@pytest.fixture(scope="module")
def scored_by_tpi(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    """The TPN awards WBK to a unit only its inspectorate (TPI) has scored, below the
    thresholds: the award's warning is judged by scores in the unit's chain, not the TPN's."""
    folder = tmp_path_factory.mktemp("scored-by-tpi")
    instance = new_instance(folder / "instance", f"sqlite:///{folder}/pakta.sqlite3")
    service = open_service(instance)
    try:
        w = World(service.registry)
        w.on("2024-01-10").declare(["dinas-a"])
        w.designate("dinas-a")
        evaluation = w.on("2025-02-01").tpi("dinas-a", scores=SCORES_LOW)
        w.on("2025-03-01").propose(["dinas-a"], evaluation)
        w.on("2025-12-01").award("dinas-a")
    finally:
        service.close()
    with served(instance.path) as live:
        yield live, load_instance(instance.path).log_vkey


def test_an_award_is_judged_by_the_awarded_units_chain(
    scored_by_tpi: tuple[LiveServer, str],
) -> None:
    live, log_key = scored_by_tpi
    listed = json.loads(HttpFetch(live.url)(_page("tpn", "below-thresholds")))["rows"]
    assert [r["facts"]["source"] for r in listed] == ["tpi"]  # not "no scores in the log"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = run_verify_unit(live.url, "tpn", log_key=log_key)
    assert code == VERIFIED, out.getvalue()
    assert "judged by: ['dinas-a']" in out.getvalue() and "below-thresholds 1" in out.getvalue()


@pytest.fixture(scope="module")
def old_map(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Instance]]:
    """The demo as a Pakta of subject map version 1 left it (no year subjects)."""
    folder = tmp_path_factory.mktemp("v1-map") / "instance"
    service = load_fixed_demo(folder)
    try:
        as_an_older_pakta_left_it(load_instance(folder), service)
    finally:
        service.close()
    with served(folder) as live:
        yield live, load_instance(folder)


@pytest.mark.parametrize(("unit", "code"), [(GROBOGAN, UNCHECKED), (TPN, VERIFIED)])
def test_a_version_1_map_cannot_prove_a_proposals_window(
    old_map: tuple[LiveServer, Instance], unit: str, code: int
) -> None:
    """A proposer's warnings need the year's window chain, which only a version 2 map proves:
    could not be checked (not failed); a unit with no proposals of its own still verifies."""
    live, instance = old_map
    fetch, asked = recording(live.url)
    found, out = check(live, instance, unit, fetch)
    assert found == code, out
    assert not [p for p in asked if "window" in p], asked
    if code == UNCHECKED:
        assert "subject map is version 1" in out and "windows of 2022" in out, out
