"""Assessment and outcome: self-assessment, internal and national evaluation, windows,
proposals, awards, non-awards, revocations and self-evaluation grants."""

from __future__ import annotations

from events import Statement
from registry.rules import assessment
from registry.rules import warnings as warn
from registry.rules.changes import (
    Assessed,
    Awarded,
    Evaluated,
    NotMet,
    Proposed,
    Revoked,
    SelfEvaluationGranted,
    WindowAnnounced,
)
from registry.rules.records import (
    ProposalMade,
    Record,
    Window,
)
from registry.rules.table.shared import STEP_GUARD, Changes, about_unit, score, step
from registry.rules.types import Entry, TypeRules, register_rules

# -- assessment ------------------------------------------------------------------------------


def _internal_evaluation(st: Statement, index: int) -> Changes:
    b = st.body
    ref = {"agency": st.agency, "seq": st.seq, "hash": st.hash}
    return [(b["unit"], Assessed(index, b["evaluated_on"], b["recommendation"], b["target"], ref))]


def _proposal(st: Statement, index: int) -> Changes:
    b = st.body
    return [
        (u["unit"], Proposed(index, b["submitted_on"], b["year"], u["target"], st.agency))
        for u in b["units"]
    ]


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
        changes=step("assessed_on"),
        records=lambda e: [score(e, "self", e.statement.agency, e.statement.body["assessed_on"])],
    )
)
register_rules(
    TypeRules(
        "internal_evaluation.completed",
        guard=assessment.internal_evaluation,
        changes=_internal_evaluation,
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
        changes=lambda st, i: [(st.agency, WindowAnnounced(i, st.body["year"]))],
        records=_window_records,
    )
)
register_rules(
    TypeRules(
        "proposal.submitted",
        guard=assessment.proposal,
        changes=_proposal,
        about=lambda st: [u["unit"] for u in st.body["units"]],
        records=_proposal_records,
        warnings=(warn.proposal,),
    )
)
register_rules(
    TypeRules(
        "national_evaluation.recorded",
        guard=assessment.awaiting_decision,
        changes=lambda st, i: [
            (st.body["unit"], Evaluated(i, st.body["evaluated_on"], st.body["stage"]))
        ],
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
        changes=lambda st, i: [
            (
                st.body["unit"],
                Awarded(i, st.body["awarded_on"], st.body["predicate"], st.agency),
            )
        ],
        about=about_unit,
        warnings=(warn.award,),
    )
)
register_rules(
    TypeRules(
        "predicate.not_awarded",
        guard=assessment.awaiting_decision,
        changes=lambda st, i: [(st.body["unit"], NotMet(i, st.body["decided_on"]))],
        about=about_unit,
    )
)
register_rules(
    TypeRules(
        "predicate.revoked",
        guard=assessment.revoked,
        changes=lambda st, i: [(st.body["unit"], Revoked(i, st.body["revoked_on"]))],
        about=about_unit,
    )
)
register_rules(
    TypeRules(
        "self_evaluation.granted",
        guard=assessment.self_evaluation,
        changes=lambda st, i: [
            (
                st.body["agency"],
                SelfEvaluationGranted(i, st.body["granted_on"], st.body["regulation"]),
            )
        ],
        about=lambda st: [st.body["agency"]],
    )
)
