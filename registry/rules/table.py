"""The rules of the 25 built-in statement types, one `register_rules` entry each, in the order
of the Zona Integritas lifecycle (DOMAIN.md, "Statement types").

Each entry says, for its type: the guard (`registry.rules.guards`, `.assessment`), the
lifecycle changes and identity changes it makes, which other agencies it is about, the
records the read model keeps, and its warning rules (`registry.rules.warnings`).
"""

from __future__ import annotations

from collections.abc import Callable

from events import Statement
from events.fragments import ORG_ROLES
from keys.ed25519 import key_id, unb64
from registry.rules import assessment, guards, signing
from registry.rules import warnings as warn
from registry.rules.changes import (
    Assessed,
    Awarded,
    Built,
    Change,
    Declared,
    Designated,
    Evaluated,
    KeyAdded,
    KeyRevoked,
    NotMet,
    Profile,
    Proposed,
    Retracted,
    Revoked,
    RoleGranted,
    SelfEvaluationGranted,
    WindowAnnounced,
)
from registry.rules.facts import Facts
from registry.rules.records import (
    Attestation,
    Declaration,
    Invalidation,
    Link,
    PlanItemAdded,
    PlanItemChanged,
    Progress,
    ProposalMade,
    Record,
    Score,
    Survey,
    Window,
)
from registry.rules.types import Entry, Identity, TypeRules, register_rules

Changes = list[tuple[str, Change]]


def _unit(st: Statement) -> list[str]:
    return [st.body["unit"]]


# -- identity and keys -----------------------------------------------------------------------


def _grant(grant: dict[str, str], st: Statement) -> KeyAdded:
    kid = key_id(unb64(grant["public_key"]))
    return KeyAdded(kid, grant["public_key"], grant["role"], grant["holder"], st.issued_at_text)


def _registration(st: Statement) -> Identity:
    b = st.body
    profile = Profile(st.agency, b["name"], b["kind"], b.get("parent"), b.get("region"))
    return Identity(profile, tuple(_grant(g, st) for g in b["keys"]))


def _org_roles_of_registration(st: Statement, index: int) -> Changes:
    out: Changes = []
    for grant in st.body["keys"]:
        if grant["role"] in ORG_ROLES:
            parent = st.body["parent"]
            scope = (parent,) if grant["role"] == "tpi" and parent else ()
            out.append((st.agency, RoleGranted(index, grant["role"], scope)))
    return out


def _revocation_voids(st: Statement, index: int, facts: Facts) -> list[Invalidation]:
    keyid, start = st.body["keyid"], st.body["effective_from"]
    return signing.invalidated(st.agency, keyid, start, index, facts.signatures(keyid))


register_rules(
    TypeRules(
        "agency.registered",
        guard=guards.registered,
        identity=_registration,
        changes=_org_roles_of_registration,
    )
)
register_rules(
    TypeRules(
        "key.added",
        guard=guards.key_added,
        identity=lambda st: Identity(keys_added=(_grant(dict(st.body), st),)),
    )
)
register_rules(
    TypeRules(
        "key.revoked",
        guard=guards.key_revoked,
        identity=lambda st: Identity(
            keys_revoked=(KeyRevoked(st.body["keyid"], st.body["effective_from"]),)
        ),
        voids=_revocation_voids,
    )
)
register_rules(
    TypeRules(
        "role.granted",
        guard=guards.role_granted,
        changes=lambda st, i: [
            (st.agency, RoleGranted(i, st.body["role"], tuple(st.body.get("scope", ()))))
        ],
    )
)
register_rules(
    TypeRules(
        "unit.designated",
        guard=guards.designated,
        changes=lambda st, i: [
            (st.body["unit"], Designated(i, st.body["designated_on"], st.agency))
        ],
        about=_unit,
    )
)

# -- commitment ------------------------------------------------------------------------------


def _declaration(st: Statement, index: int) -> Changes:
    body = st.body
    units = guards.declared_units(st) if body["units"] else [st.agency]
    # A whole-agency declaration designates the agency itself as the unit.
    whole = not body["units"]
    return [
        (u, Declared(index, body["declared_on"], body["target"], st.agency, whole)) for u in units
    ]


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
        about=lambda st: [st.body["declaration"]["agency"]],
        records=_witness_records,
    )
)

# -- building --------------------------------------------------------------------------------


_STEP_GUARD = guards.building(lambda st: [], lambda st: [])


def _step(date_field: str) -> Callable[[Statement, int], Changes]:
    """The changes of a building statement that only dates a step of the unit's building."""
    return lambda st, index: [(st.agency, Built(index, st.body[date_field]))]


def _item_added(e: Entry, item: dict[str, str]) -> PlanItemAdded:
    return PlanItemAdded(
        e.index,
        e.statement.agency,
        item["id"],
        item["area"],
        item["output"],
        item["target"],
        item["responsible"],
        item["evidence"],
        item["due"],
    )


def _revision(st: Statement, index: int) -> Changes:
    b = st.body
    add = {i["id"]: i["due"] for i in b["added"]}
    redate = {c["item"]: c["due"] for c in b["redated"]}
    cancel = tuple(c["item"] for c in b["cancelled"])
    return [(st.agency, Built(index, b["revised_on"], add, redate, cancel))]


def _revision_records(e: Entry) -> list[Record]:
    b, unit = e.statement.body, e.statement.agency
    on = b["revised_on"]
    out: list[Record] = [
        PlanItemChanged(e.index, unit, c["item"], on, c["reason"], due=c["due"])
        for c in b["redated"]
    ]
    out += [
        PlanItemChanged(e.index, unit, c["item"], on, c["reason"], cancelled=True)
        for c in b["cancelled"]
    ]
    return out + [_item_added(e, i) for i in b["added"]]


def _progress(st: Statement, index: int) -> Changes:
    done = (st.body["item"],) if st.body["status"] == "done" else None
    return [(st.agency, Built(index, st.body["reported_on"], done=done))]


def _progress_records(e: Entry) -> list[Record]:
    b, st = e.statement.body, e.statement
    evidence = tuple((d.name, d.sha256) for d in st.documents)
    return [
        Progress(
            e.index,
            st.agency,
            b["item"],
            b["reported_on"],
            b["percent"],
            b["status"],
            evidence,
            e.signers,
        )
    ]


def _survey_records(e: Entry) -> list[Record]:
    b = e.statement.body
    return [
        Survey(
            e.index,
            b["unit"],
            e.statement.agency,
            b["survey"],
            b["year"],
            b["index"],
            b["method"],
            b["sample_size"],
        )
    ]


def _score(e: Entry, source: str, unit: str, on: str, **extra: str | None) -> Score:
    b = e.statement.body
    return Score(
        e.index,
        unit,
        source,
        e.statement.agency,
        b["regulation"],
        b.get("target"),
        b["year"],
        on,
        b.get("scores"),
        b.get("indices"),
        **extra,
    )


for name, day in (
    ("work_team.established", "established_on"),
    ("monitoring.reported", "reported_on"),
):
    register_rules(TypeRules(name, guard=_STEP_GUARD, changes=_step(day)))
register_rules(
    TypeRules(
        "action_plan.published",
        guard=guards.building(lambda st: [i["id"] for i in st.body["items"]], lambda st: []),
        changes=lambda st, i: [
            (
                st.agency,
                Built(i, st.body["published_on"], {x["id"]: x["due"] for x in st.body["items"]}),
            )
        ],
        records=lambda e: [_item_added(e, item) for item in e.statement.body["items"]],
    )
)
register_rules(
    TypeRules(
        "action_plan.revised",
        guard=guards.building(
            lambda st: [i["id"] for i in st.body["added"]],
            lambda st: (
                [c["item"] for c in st.body["redated"]] + [c["item"] for c in st.body["cancelled"]]
            ),
        ),
        changes=_revision,
        records=_revision_records,
    )
)
register_rules(
    TypeRules(
        "action_item.progress_reported",
        guard=guards.progress,
        changes=_progress,
        records=_progress_records,
    )
)
register_rules(TypeRules("survey.published", about=_unit, records=_survey_records))

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
        guard=_STEP_GUARD,
        changes=_step("assessed_on"),
        records=lambda e: [_score(e, "self", e.statement.agency, e.statement.body["assessed_on"])],
    )
)
register_rules(
    TypeRules(
        "internal_evaluation.completed",
        guard=assessment.internal_evaluation,
        changes=_internal_evaluation,
        about=_unit,
        records=lambda e: [
            _score(
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
        about=_unit,
        records=lambda e: [
            _score(
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
        about=_unit,
        warnings=(warn.award,),
    )
)
register_rules(
    TypeRules(
        "predicate.not_awarded",
        guard=assessment.awaiting_decision,
        changes=lambda st, i: [(st.body["unit"], NotMet(i, st.body["decided_on"]))],
        about=_unit,
    )
)
register_rules(
    TypeRules(
        "predicate.revoked",
        guard=assessment.revoked,
        changes=lambda st, i: [(st.body["unit"], Revoked(i, st.body["revoked_on"]))],
        about=_unit,
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

# -- amendments ------------------------------------------------------------------------------


def _link(kind: str) -> TypeRules:
    def records(e: Entry) -> list[Record]:
        b = e.statement.body
        target = e.find(b["target"]["hash"])
        assert target is not None  # guards.amendment
        corrections = tuple(b.get("corrections", ()))
        return [
            Link(
                e.index,
                e.statement.agency,
                kind,
                b["target"]["seq"],
                b["target"]["hash"],
                target.index,
                b["reason"],
                corrections,
            )
        ]

    def changes(st: Statement, index: int) -> Changes:
        if kind != "retracted":
            return []
        return [(st.agency, Retracted(index, st.body["target"]["seq"]))]

    return TypeRules(f"statement.{kind}", guard=guards.amendment, changes=changes, records=records)


register_rules(_link("corrected"))
register_rules(_link("retracted"))
