"""Commitment: integrity pacts, declarations (with the units they name and the recorded
declaration they confirm) and witnesses."""

from __future__ import annotations

from registry.rules import guards
from registry.rules import warnings as warn
from registry.rules.derive import AGENCY, SEQ, ChangeRule, body, derive, item
from registry.rules.records import (
    Attestation,
    Declaration,
    Link,
    Record,
)
from registry.rules.types import Entry, TypeRules, register_rules

# -- commitment ------------------------------------------------------------------------------


# Each registered unit it names (`guards.declared_units`) is declared; a whole-agency
# declaration (no units) declares, and designates, the agency itself. A declaration that
# confirms the one the registrar recorded from a public source says so to its own agency.
_DECLARATION = derive(
    ChangeRule(
        "declared",
        item(),
        {
            "on": body("declared_on"),
            "target": body("target"),
            "by": AGENCY,
            "whole": {"not": {"not_empty": body("units")}},
            "seq": SEQ,
        },
        each={
            "if": {"not_empty": body("units")},
            "then": {"pluck": body("units"), "path": ["agency"], "skip_empty": True},
            "else": {"list": [AGENCY]},
        },
    ),
    ChangeRule(
        "confirmed",
        AGENCY,
        {"seq": body("confirms", "seq")},
        when={"not_empty": body("confirms", default=None)},
    ),
)
_ATTESTATION = derive(
    ChangeRule(
        "attested",
        body("declaration", "agency"),
        {"seq": body("declaration", "seq"), "on": body("witnessed_on"), "by": AGENCY},
    )
)


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
            Link(
                e.index,
                st.agency,
                "confirmed",
                ref["seq"],
                ref["hash"],
                recorded.index,
                reason=None,
                confirmed_on=day,
            )
        )
    return out


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
        changes=_DECLARATION,
        about=guards.declared_units,
        cosigning=guards.declared_units,
        records=_declaration_records,
    )
)
register_rules(
    TypeRules(
        "zi.witnessed",
        guard=guards.witnessed,
        changes=_ATTESTATION,
        about=lambda st: [st.body["declaration"]["agency"]],
        records=_witness_records,
    )
)
