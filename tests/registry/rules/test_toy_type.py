"""A statement type added in one place: this module declares a toy type (its `events`
declaration and its `registry.rules` entry, nothing else), and the registry accepts it,
refuses what its guard forbids, projects it onto the timeline of the unit it is about, stores
its warning, audits it, and lists it in the catalog. docs/adding-a-statement-type.md is the
recipe this follows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pakta_support import Agent, Harness

from events import CATALOG, Statement, StatementType, catalog_json, register
from events.fragments import AGENCY_ID, DATE, LINE, closed
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.audit.report import derived
from registry.read import lifecycle, queries
from registry.rules.errors import RuleError
from registry.rules.facts import Facts
from registry.rules.guards import Context, unit_head
from registry.rules.records import Warning
from registry.rules.types import RULES, TypeRules, register_rules
from registry.service import Service

TOY = "toy.noted"


def _guard(st: Statement, ctx: Context) -> None:
    unit_head(st.body["unit"], ctx.heads)
    if st.body["note"] == "forbidden":
        raise RuleError("toy-forbidden", "the toy type refuses this note")


def _loud(st: Statement, index: int, facts: Facts) -> list[Warning]:
    if not st.body["note"].endswith("!"):
        return []
    unit = st.body["unit"]
    return [Warning(index, "toy-loud", st.agency, unit, f"{unit} was noted loudly")]


@pytest.fixture
def toy() -> Iterator[str]:
    register(
        StatementType(
            name=TOY,
            title={"id": "Catatan uji", "en": "Toy note"},
            body_schema=closed({"unit": AGENCY_ID, "noted_on": DATE, "note": LINE}),
            signer_roles=frozenset({"agency_head"}),
            stage="building",
            example={"unit": "dinas-a", "noted_on": "2024-06-01", "note": "Contoh"},
        )
    )
    register_rules(
        TypeRules(TOY, guard=_guard, about=lambda st: [st.body["unit"]], warnings=(_loud,))
    )
    yield TOY
    CATALOG.pop(TOY)
    RULES.pop(TOY)


def test_a_toy_type_is_accepted_projected_audited_and_listed(
    toy: str, sqlite_service: Service, tmp_path: Path
) -> None:
    svc = sqlite_service
    h = Harness(svc.registry)
    prov, unit = Agent("pemprov-uji"), Agent("dinas-a")
    h.register(prov)
    h.register(unit, parent="pemprov-uji")
    body = {"unit": "dinas-a", "noted_on": "2024-06-01", "note": "Dicatat!"}
    receipt = h.post(prov, toy, body)
    assert "toy-loud" in [w["code"] for w in receipt.warnings]
    with pytest.raises(RuleError) as refused:
        h.post(prov, toy, dict(body, note="forbidden"))
    assert refused.value.code == "toy-forbidden"

    with svc.read() as db:
        timeline = queries.timeline(db, "dinas-a")["rows"]
        warnings = lifecycle.warnings(db, agency="dinas-a", today=prov.clock.date())
    assert timeline[-1]["idx"] == receipt.index and timeline[-1]["type"] == toy
    assert ("toy-loud", "dinas-a") in {(w["code"], w["subject"]) for w in warnings}

    export(svc.registry, tmp_path / "export")
    report = audit(
        source_fetch(str(tmp_path / "export")),
        NoteVerifier.parse(svc.instance.log_vkey),
        svc.instance.registrar_keys,
    )
    assert report.size == 3 and report.replay is not None
    found = derived(report.replay, prov.clock.date())
    assert {"idx": receipt.index, "code": "toy-loud"}.items() <= next(
        w for w in found["warnings"] if w["code"] == "toy-loud"
    ).items()

    described = {t["name"]: t for t in catalog_json()["types"]}
    assert described[toy]["title"] == {"id": "Catatan uji", "en": "Toy note"}
    live = svc.projector.dump()
    svc.projector.rebuild()
    assert svc.projector.dump() == live
