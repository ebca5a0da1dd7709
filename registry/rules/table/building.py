"""Building: work teams, action plans and their revisions, progress, monitoring, surveys."""

from __future__ import annotations

from registry.rules import guards
from registry.rules.derive import AGENCY, ChangeRule, Expr, body, const, day_step, derive
from registry.rules.records import (
    PlanItemAdded,
    PlanItemChanged,
    Progress,
    Record,
    Survey,
)
from registry.rules.table.shared import STEP_GUARD, about_unit
from registry.rules.types import Entry, TypeRules, register_rules

# -- building --------------------------------------------------------------------------------


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


def _dues(items: str, key: str) -> Expr:
    """The body's list `items` as a mapping: each one's `key` -> its due date."""
    return {"map": body(items), "key": [key], "value": ["due"]}


_REVISION = derive(
    ChangeRule(
        "building",
        AGENCY,
        {
            "on": body("revised_on"),
            "add": _dues("added", "id"),
            "redate": _dues("redated", "item"),
            "cancel": {"pluck": body("cancelled"), "path": ["item"]},
        },
    )
)


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


_PROGRESS = derive(
    ChangeRule(
        "building",
        AGENCY,
        {
            "on": body("reported_on"),
            "done": {
                "if": {"eq": [body("status"), const("done")]},
                "then": {"list": [body("item")]},
                "else": const(None),
            },
        },
    )
)


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


for name, day in (
    ("work_team.established", "established_on"),
    ("monitoring.reported", "reported_on"),
):
    register_rules(TypeRules(name, guard=STEP_GUARD, changes=day_step(day)))
register_rules(
    TypeRules(
        "action_plan.published",
        guard=guards.building(lambda st: [i["id"] for i in st.body["items"]], lambda st: []),
        changes=derive(
            ChangeRule(
                "building",
                AGENCY,
                {
                    "on": body("published_on"),
                    "add": _dues("items", "id"),
                },
            )
        ),
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
        changes=_REVISION,
        records=_revision_records,
    )
)
register_rules(
    TypeRules(
        "action_item.progress_reported",
        guard=guards.progress,
        changes=_PROGRESS,
        records=_progress_records,
    )
)
register_rules(TypeRules("survey.published", about=about_unit, records=_survey_records))
