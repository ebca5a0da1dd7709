"""Assessment and outcome: self-assessment, internal and national evaluation, windows,
proposals, awards, non-awards, revocations and self-evaluation grants."""

from __future__ import annotations

from registry.rules import assessment
from registry.rules import warnings as warn
from registry.rules.derive import (
    AGENCY,
    HASH,
    SEQ,
    ChangeRule,
    about,
    body,
    day_step,
    derive,
    item,
)
from registry.rules.records import (
    ProposalMade,
    Record,
    Window,
)
from registry.rules.table.shared import STEP_GUARD, about_unit, score
from registry.rules.types import Entry, TypeRules, register_rules

# -- assessment ------------------------------------------------------------------------------


_INTERNAL_EVALUATION = about(
    "assessed",
    on=body("evaluated_on"),
    recommendation=body("recommendation"),
    target=body("target"),
    ref={"object": {"agency": AGENCY, "seq": SEQ, "hash": HASH}},
)
_PROPOSAL = derive(
    ChangeRule(
        "proposed",
        item("unit"),
        {"on": body("submitted_on"), "year": body("year"), "target": item("target"), "by": AGENCY},
        each=body("units"),
    )
)


def _proposal_records(e: Entry) -> list[Record]:
    b = e.statement.body
    return [
        ProposalMade(
            e.index, u["unit"], e.statement.agency, b["year"], u["target"], b["submitted_on"]
        )
        for u in b["units"]
    ]


def _window_records(e: Entry) -> list[Record]:
    b = e.statement.body
    return [
        Window(
            e.index,
            e.statement.agency,
            b["year"],
            b["opens_on"],
            b["deadline"],
            b["quota_per_agency"],
            b["regulation"],
        )
    ]


register_rules(
    TypeRules(
        "self_assessment.submitted",
        guard=STEP_GUARD,
        changes=day_step("assessed_on"),
        records=lambda e: [score(e, "self", e.statement.agency, e.statement.body["assessed_on"])],
    )
)
register_rules(
    TypeRules(
        "internal_evaluation.completed",
        guard=assessment.internal_evaluation,
        changes=_INTERNAL_EVALUATION,
        about=about_unit,
        records=lambda e: [
            score(
                e,
                "tpi",
                e.statement.body["unit"],
                e.statement.body["evaluated_on"],
                outcome=e.statement.body["recommendation"],
            )
        ],
    )
)
register_rules(
    TypeRules(
        "submission_window.announced",
        guard=assessment.window,
        changes=derive(ChangeRule("window", AGENCY, {"year": body("year")})),
        records=_window_records,
    )
)
register_rules(
    TypeRules(
        "proposal.submitted",
        guard=assessment.proposal,
        changes=_PROPOSAL,
        about=lambda st: [u["unit"] for u in st.body["units"]],
        records=_proposal_records,
        warnings=(warn.proposal,),
    )
)
register_rules(
    TypeRules(
        "national_evaluation.recorded",
        guard=assessment.awaiting_decision,
        changes=about("evaluated", on=body("evaluated_on"), stage=body("stage")),
        about=about_unit,
        records=lambda e: [
            score(
                e,
                "tpn",
                e.statement.body["unit"],
                e.statement.body["evaluated_on"],
                stage=e.statement.body["stage"],
                outcome="passed" if e.statement.body["passed"] else "failed",
            )
        ],
    )
)

# -- outcome ---------------------------------------------------------------------------------

register_rules(
    TypeRules(
        "predicate.awarded",
        guard=assessment.awarded,
        changes=about(
            "awarded",
            on=body("awarded_on"),
            predicate=body("predicate"),
            by=AGENCY,
            year=body("year"),
        ),
        about=about_unit,
        warnings=(warn.award,),
    )
)
register_rules(
    TypeRules(
        "predicate.not_awarded",
        guard=assessment.awaiting_decision,
        changes=about("not_met", on=body("decided_on")),
        about=about_unit,
    )
)
register_rules(
    TypeRules(
        "predicate.revoked",
        guard=assessment.revoked,
        changes=about("revoked", on=body("revoked_on")),
        about=about_unit,
    )
)
register_rules(
    TypeRules(
        "self_evaluation.granted",
        guard=assessment.self_evaluation,
        changes=derive(
            ChangeRule(
                "self_evaluation",
                body("agency"),
                {"on": body("granted_on"), "regulation": body("regulation")},
            )
        ),
        about=lambda st: [st.body["agency"]],
    )
)
