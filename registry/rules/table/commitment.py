"""Commitment: integrity pacts, declarations (with the units they name and the recorded
declaration they confirm) and witnesses."""

from __future__ import annotations

from events import Statement
from registry.rules import guards
from registry.rules import warnings as warn
from registry.rules.changes import (
    Attested,
    Confirmed,
    Declared,
)
from registry.rules.records import (
    Attestation,
    Declaration,
    Link,
    Record,
)
from registry.rules.table.shared import Changes
from registry.rules.types import Entry, TypeRules, register_rules

# -- commitment ------------------------------------------------------------------------------


def _declaration(st: Statement, index: int) -> Changes:
    body = st.body
    units = guards.declared_units(st) if body["units"] else [st.agency]
    # A whole-agency declaration designates the agency itself as the unit.
    whole = not body["units"]
    declared = Declared(index, body["declared_on"], body["target"], st.agency, whole, st.seq)
    out: Changes = [(u, declared) for u in units]
    if "confirms" in body:
        out.append((st.agency, Confirmed(index, body["confirms"]["seq"])))
    return out


def _declaration_records(e: Entry) -> list[Record]:
    st = e.statement
    out: list[Record] = [
        Declaration(e.index, st.agency, st.hash, tuple(st.body.get("witnesses_claimed", ())))
    ]
    ref = st.body.get("confirms")
    if ref is not None:
        recorded = e.find(ref["hash"])
        assert recorded is not None  # guards.declared
        # A link like a correction's: the recorded entry is shown as confirmed on this day.
        day = st.issued_at_text[:10]
        out.append(
            Link(e.index, st.agency, "confirmed", ref["seq"], ref["hash"], recorded.index, day)
        )
    return out


def _attestation(st: Statement, index: int) -> Changes:
    ref = st.body["declaration"]
    return [(ref["agency"], Attested(index, ref["seq"], st.body["witnessed_on"], st.agency))]


def _witness_records(e: Entry) -> list[Record]:
    ref = e.statement.body["declaration"]
    return [Attestation(e.index, ref["agency"], e.statement.agency, ref["hash"])]


register_rules(
    TypeRules("integrity_pact.signed", warnings=(warn.pact_coverage,), milestone="pact_signed")
)
register_rules(
    TypeRules(
        "zi.declared",
        guard=guards.declared,
        changes=_declaration,
        about=guards.declared_units,
        cosigning=guards.declared_units,
        records=_declaration_records,
    )
)
register_rules(
    TypeRules(
        "zi.witnessed",
        guard=guards.witnessed,
        changes=_attestation,
        about=lambda st: [st.body["declaration"]["agency"]],
        records=_witness_records,
    )
)
