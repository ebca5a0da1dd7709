"""Commitment: integrity pacts, declarations (with the units they name) and witnesses."""

from __future__ import annotations

from events import Statement
from registry.rules import guards
from registry.rules import warnings as warn
from registry.rules.changes import (
    Attested,
    Declared,
)
from registry.rules.records import (
    Attestation,
    Declaration,
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
    return [(u, declared) for u in units]


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
        records=lambda e: [
            Declaration(
                e.index,
                e.statement.agency,
                e.statement.hash,
                tuple(e.statement.body.get("witnesses_claimed", ())),
            )
        ],
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
