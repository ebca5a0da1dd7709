"""The lifecycle read model on SQLite and PostgreSQL: statuses with step dates, the action plan
with original due dates and today's overdue flag, scores side by side, warnings, links both
ways, invalidated entries; and a rebuild from the log gives the same rows."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from zi_world import SCORES_LOW, WIB, World

from keys.ed25519 import key_id, public_bytes
from registry.read import awards, lifecycle, queries, tables
from registry.service import Service, open_service
from registry.write.instance import Instance


@pytest.fixture
def service(instance: Instance) -> Iterator[Service]:
    svc = open_service(instance)
    yield svc
    svc.close()


def test_the_lifecycle_read_model_and_its_rebuild(service: Service) -> None:
    w = World(service.registry)
    # dinas-a: to WBK with a re-dated item; dinas-b: awarded below thresholds, then revoked.
    w.on("2024-01-10").declare(["dinas-a", "dinas-b"])
    w.designate("dinas-a")
    w.designate("dinas-b")
    w.plan("dinas-a", {"PP-01": "2024-06-30", "MP-01": "2024-03-31", "SD-01": "2099-01-01"})
    w.on("2024-03-20").post(
        "dinas-a",
        "action_plan.revised",
        {
            "revised_on": w.today,
            "redated": [{"item": "MP-01", "due": "2024-05-31", "reason": "Pelantikan"}],
            "cancelled": [],
            "added": [],
        },
    )
    operator = w.key("dinas-a", "operator")
    w.on("2024-05-01").progress("dinas-a", "MP-01", 100, operator, w.agents["dinas-a"].key)
    w.plan("dinas-b", {"PP-01": "2024-06-30"})
    w.on("2025-02-01")
    ev_a = w.tpi("dinas-a")
    ev_b = w.tpi("dinas-b", scores=SCORES_LOW)
    window = {
        "year": 2025,
        "regulation": "permenpanrb-5-2024",
        "opens_on": "2025-01-15",
        "deadline": "2025-02-28",
        "quota_per_agency": 1,
        "announced_on": w.today,
    }
    w.post("tpn", "submission_window.announced", window, w.key("tpn", "tpn"))
    w.on("2025-03-01").propose(["dinas-a"], ev_a)
    bad = {
        "bpk_opinion": "WDP",
        "sakip": "B",
        "spip_level": 2,
        "audit_follow_up_percent": 90,
        "asset_declaration_percent": 100,
    }
    w.propose(["dinas-b"], ev_b, prerequisites=bad)
    w.on("2025-09-01").national("dinas-a")
    w.on("2025-12-01").award("dinas-a")
    w.award("dinas-b")
    w.on("2026-02-01").revoke("dinas-b")
    # A pact signed by few, a correction, and a key compromised from a past moment.
    pact = {"signed_on": w.today, "signatories": 10, "staff_total": 40, "scope": "Dinas A"}
    pact_doc = {"name": "p.pdf", "sha256": "sha256:" + "7" * 64, "media_type": "application/pdf"}
    signed = w.post("dinas-a", "integrity_pact.signed", pact, documents=[pact_doc])
    w.post(
        "dinas-a",
        "statement.corrected",
        {
            "target": {"seq": signed.seq, "hash": signed.statement_hash},
            "reason": "Jumlah pegawai",
            "corrections": [{"field": "/body/staff_total", "correct_value": "20"}],
        },
    )
    compromised_from = datetime(2024, 4, 1, tzinfo=WIB)
    w.post(
        "dinas-a",
        "key.revoked",
        {
            "keyid": key_id(public_bytes(operator)),
            "effective_from": compromised_from.isoformat(),
            "reason": "compromised",
        },
    )

    with service.read() as db:
        check_the_views(db, operator, signed.index)
        check_the_table_columns(db)
    live = service.projector.dump()
    service.projector.rebuild()
    assert service.projector.dump() == live
    with service.read() as db:
        check_the_table_columns(db)


def check_the_table_columns(db: Any) -> None:
    """The results table's columns (issue 13) agree with what each agency's page lists: its
    predicate from the unit's status, its warnings and their codes from the warnings feed
    (those the log records; the two true today are counted at query time)."""
    found = {r.agency: r for r in db.execute(select(tables.agencies))}
    a, b = found["dinas-a"], found["dinas-b"]
    assert (a.predicate, a.predicate_state, a.predicate_year) == ("WBK", "awarded", 2025)
    assert (b.predicate, b.predicate_state) == (None, "revoked") and b.predicate_year >= 2025
    assert found["prov"].predicate_state is None and found["prov"].predicate_year is None
    assert b.status_rank > a.status_rank > found["prov"].status_rank
    kinds = {(r.agency, r.code): r.n for r in db.execute(select(tables.agency_warnings))}
    for agency, row in found.items():
        listed = [w for w in lifecycle.warnings(db, agency=agency, today=date(2000, 1, 1))
                  if not w["computed"]]  # fmt: skip
        codes = sorted({w["code"] for w in listed})
        assert row.warnings == len(listed), agency
        assert row.warning_kinds == " ".join(codes), agency
        assert {c: n for (who, c), n in kinds.items() if who == agency} == {
            c: sum(w["code"] == c for w in listed) for c in codes
        }, agency
    assert "deadline-missed" in found["prov"].warning_kinds.split()
    assert "below-thresholds" in b.warning_kinds.split()


def check_the_views(db: Any, operator: Any, signed: int) -> None:
    a = lifecycle.unit_status(db, "dinas-a")
    assert a is not None and a["status"] == "wbk" and a["predicate"] == "WBK"
    assert [(s["step"], s["on_date"]) for s in a["steps"]] == [
        ("declared", "2024-01-10"),
        ("building", "2024-01-10"),
        ("assessed", "2025-02-01"),
        ("proposed", "2025-03-01"),
        ("evaluated", "2025-09-01"),
        ("wbk", "2025-12-01"),
    ]
    b = lifecycle.unit_status(db, "dinas-b")
    assert b is not None and b["status"] == "revoked" and b["predicate"] is None
    assert queries.agency(db, "dinas-b")["status"] == "revoked"  # type: ignore[index]
    # The yearly list keeps both awards of 2025, the revoked one marked with its revocation.
    assert awards.years(db) == [2025]
    listed = {r["unit"]: r for r in awards.of_year(db, 2025)}
    assert sorted(listed) == ["dinas-a", "dinas-b"] and awards.of_year(db, 2026) == []
    assert listed["dinas-a"]["revoked_on"] is None and listed["dinas-a"]["decree"] == "KepmenPANRB"
    assert listed["dinas-b"]["revoked_on"] == "2026-02-01"
    revocation = queries.statement(db, listed["dinas-b"]["revoked_index"])
    assert revocation is not None and revocation["type"] == "predicate.revoked"
    award = queries.statement(db, listed["dinas-a"]["idx"])
    assert award is not None and award["type"] == "predicate.awarded"
    assert listed["dinas-a"]["document"] == award["documents"][0]["sha256"]

    plan = lifecycle.action_plan(db, "dinas-a", date(2025, 1, 1))
    items = {i["item"]: i for area in plan["areas"] for i in area["items"]}
    assert items["MP-01"]["due_original"] == "2024-03-31"
    assert items["MP-01"]["due_current"] == "2024-05-31" and items["MP-01"]["redated"]
    assert items["MP-01"]["state"] == "done" and not items["MP-01"]["overdue"]
    assert items["MP-01"]["reports"][0]["evidence"][0]["sha256"].startswith("sha256:")
    assert items["PP-01"]["overdue"] and items["PP-01"]["days_overdue"] == 185
    assert not items["SD-01"]["overdue"]
    assert plan["summary"] == {"items": 3, "done": 1, "cancelled": 0, "overdue": 1, "redated": 1}

    side = lifecycle.scores_side_by_side(db, "dinas-a")
    assert side["sources"] == ["tpi", "tpn"] and side["thresholds"]["total"] == "75"
    assert side["totals"]["tpi"] == "85.00" and side["meets"]["tpi"]
    area = next(c for c in side["components"] if c["component"] == "pengawasan")
    assert area["weight"] == "15" and area["minimum"] == "9" and area["tpn"] == "12.30"

    feed = lifecycle.warnings(db, today=date(2025, 1, 1))
    codes = {(x["code"], x["subject"]) for x in feed}
    assert ("deadline-missed", "prov") in codes
    assert ("over-quota", "prov") in codes
    assert ("prerequisites-missing", "dinas-b") in codes
    assert ("below-thresholds", "dinas-b") in codes
    assert ("below-thresholds", "dinas-a") not in codes
    assert ("pact-coverage-low", "dinas-a") in codes
    assert ("item-overdue", "PP-01") in codes
    assert ("unwitnessed", "prov") in codes
    assert ("signed-by-revoked-key", key_id(public_bytes(operator))) in codes
    below = next(x for x in feed if x["code"] == "below-thresholds")
    assert "total 61.00 < 75" in below["message"]

    links = queries.links_of(db, signed)
    assert links["corrected_by"][0]["corrections"][0]["correct_value"] == "20"
    assert queries.links_of(db, links["corrected_by"][0]["idx"])["corrects"]["target_idx"] == signed
    bad_entries = {r.idx for r in db.execute(select(tables.invalidated))}
    assert bad_entries  # the operator's reports after the compromise
    progress_idx = items["MP-01"]["reports"][0]["idx"]
    assert progress_idx in bad_entries
