"""Building statements: the action plan, its revisions, progress, monitoring and surveys.

These record DOMAIN.md steps 4-6. An action plan's items are never deleted: a revision re-dates
or cancels an item with a reason (the original due date stays in the log and in the read model)
or adds new ones. Progress reports name one item, carry the evidence as `documents` hashes, and
a "done" report needs the unit head's signature (an operator may draft and report progress;
the head countersigns completion in the same envelope). Whether an item exists in the unit's
current plan needs the log: that is the registry's check.
"""

from __future__ import annotations

from ..catalog import StatementType, register
from ..checks import not_after_issue, refuse_id_number, refuse_repeats
from ..dates import parse_date
from ..errors import StatementError
from ..fragments import (
    AGENCY_ID,
    AREA,
    COUNT,
    DATE,
    INDEX,
    ITEM_ID,
    LINE,
    PERCENT,
    TEXT,
    YEAR,
    array,
    closed,
)
from ..model import Statement

PLAN_ITEM = closed(
    {
        "id": ITEM_ID,
        "area": AREA,
        "output": LINE,
        "target": LINE,
        "due": DATE,
        "responsible": LINE,
        "evidence": LINE,
    }
)
PERIOD = closed({"from": DATE, "to": DATE})


def _items_once(statement: Statement) -> None:
    """Item ids are unique within the statement; the person responsible is an office."""
    items = statement.body.get("items", []) + statement.body.get("added", [])
    refuse_repeats((item["id"] for item in items), "rule:duplicate-item", "item", "/body/items/{i}")
    for i, item in enumerate(items):
        refuse_id_number(item["responsible"], f"/body/items/{i}/responsible")


def _revision_changes_something(statement: Statement) -> None:
    """A revision re-dates, cancels or adds at least one item, each item at most once."""
    body = statement.body
    if not (body["redated"] or body["cancelled"] or body["added"]):
        raise StatementError(
            "rule:empty-revision", "a revision re-dates, cancels or adds an item", field="/body"
        )
    touched = [c["item"] for c in body["redated"]] + [c["item"] for c in body["cancelled"]]
    for item in touched:
        if touched.count(item) > 1:
            raise StatementError(
                "rule:item-changed-twice",
                f"item {item} is changed twice in one revision",
                field="/body",
            )


def _done_is_complete(statement: Statement) -> None:
    """A "done" report is at 100 % and carries its evidence."""
    body = statement.body
    if body["status"] == "done":
        if body["percent"] != 100:
            raise StatementError(
                "rule:done-not-complete",
                f"status done needs percent 100, not {body['percent']}",
                field="/body/percent",
            )
        if not statement.documents:
            raise StatementError(
                "rule:evidence-required",
                "a completed item lists its evidence's SHA-256 in documents",
                field="/documents",
            )


def _period_ordered(statement: Statement) -> None:
    """The period starts no later than it ends."""
    period = statement.body["period"]
    if parse_date(period["from"]) > parse_date(period["to"]):
        raise StatementError(
            "rule:period-reversed",
            f"period from {period['from']} is after to {period['to']}",
            field="/body/period/from",
        )


register(
    StatementType(
        name="action_plan.published",
        title={"id": "Penerbitan rencana aksi", "en": "Action plan published"},
        body_schema=closed(
            {
                "year": YEAR,
                "published_on": DATE,
                "items": array(PLAN_ITEM, min_items=1, max_items=200),
            }
        ),
        signer_roles=frozenset({"unit_head", "agency_head"}),
        rules=(_items_once, not_after_issue("published_on")),
        stage="building",
        registry_rules=(
            "the unit (this agency) is designated and declared",
            "no item id is already in the unit's plan",
            "warns (overdue) on the public page for items past due and not done",
        ),
        example={
            "year": 2025,
            "published_on": "2025-01-10",
            "items": [
                {
                    "id": "MP-01",
                    "area": "manajemen_perubahan",
                    "output": "Agen perubahan ditetapkan",
                    "target": "SK agen perubahan",
                    "due": "2025-03-31",
                    "responsible": "Sekretaris DPMPTSP",
                    "evidence": "SK Kepala Dinas",
                },
                {
                    "id": "PP-01",
                    "area": "pelayanan_publik",
                    "output": "Standar pelayanan dipublikasikan",
                    "target": "12 jenis layanan",
                    "due": "2025-06-30",
                    "responsible": "Kepala Bidang Pelayanan",
                    "evidence": "Tautan situs dan foto papan standar",
                },
            ],
        },
    )
)

register(
    StatementType(
        name="action_plan.revised",
        title={"id": "Revisi rencana aksi", "en": "Action plan revised"},
        body_schema=closed(
            {
                "revised_on": DATE,
                "redated": array(
                    closed({"item": ITEM_ID, "due": DATE, "reason": LINE}), max_items=200
                ),
                "cancelled": array(closed({"item": ITEM_ID, "reason": LINE}), max_items=200),
                "added": array(PLAN_ITEM, max_items=200),
            }
        ),
        signer_roles=frozenset({"unit_head", "agency_head"}),
        rules=(_revision_changes_something, _items_once, not_after_issue("revised_on")),
        stage="building",
        registry_rules=(
            "re-dated and cancelled items are in the unit's plan and not cancelled",
            "added items are not already in the plan",
            "the original due date is kept: the read model shows both",
        ),
        example={
            "revised_on": "2025-04-02",
            "redated": [
                {"item": "MP-01", "due": "2025-05-31", "reason": "Menunggu pelantikan pejabat"}
            ],
            "cancelled": [],
            "added": [],
        },
    )
)

register(
    StatementType(
        name="action_item.progress_reported",
        title={"id": "Laporan kemajuan rencana aksi", "en": "Action item progress reported"},
        body_schema=closed(
            {
                "item": ITEM_ID,
                "reported_on": DATE,
                "percent": PERCENT,
                "status": {"type": "string", "enum": ["in_progress", "done"]},
                "note": TEXT,
            },
            optional=("note",),
        ),
        signer_roles=frozenset({"operator", "unit_head", "agency_head"}),
        rules=(_done_is_complete, not_after_issue("reported_on")),
        stage="building",
        registry_rules=(
            "the item is in the unit's current plan and not cancelled",
            "status done is signed by the unit's head (unit_head, or agency_head for a whole "
            "agency): an operator's report is countersigned in the same envelope",
        ),
        example={
            "item": "MP-01",
            "reported_on": "2025-05-20",
            "percent": 100,
            "status": "done",
            "note": "SK agen perubahan ditandatangani",
        },
    )
)

register(
    StatementType(
        name="monitoring.reported",
        title={"id": "Laporan pemantauan", "en": "Monitoring report"},
        body_schema=closed(
            {
                "period": PERIOD,
                "reported_on": DATE,
                "summary": TEXT,
                "items_on_track": {"type": "integer", "minimum": 0},
                "items_late": {"type": "integer", "minimum": 0},
            }
        ),
        signer_roles=frozenset({"unit_head", "operator", "agency_head"}),
        rules=(_period_ordered, not_after_issue("reported_on")),
        stage="building",
        registry_rules=("the unit (this agency) is designated and declared",),
        example={
            "period": {"from": "2025-01-01", "to": "2025-03-31"},
            "reported_on": "2025-04-05",
            "summary": "Triwulan I: 8 dari 10 rencana aksi sesuai jadwal.",
            "items_on_track": 8,
            "items_late": 2,
        },
    )
)

register(
    StatementType(
        name="survey.published",
        title={"id": "Publikasi hasil survei", "en": "Survey published"},
        body_schema=closed(
            {
                "unit": AGENCY_ID,
                "survey": {"type": "string", "enum": ["IPAK", "IPKP"]},
                "year": YEAR,
                "index": INDEX,
                "method": LINE,
                "sample_size": COUNT,
                "period": PERIOD,
                "published_on": DATE,
            }
        ),
        signer_roles=frozenset({"surveyor"}),
        rules=(_period_ordered, not_after_issue("published_on")),
        stage="building",
        registry_rules=("the surveyed unit is a registered agency",),
        example={
            "unit": "dpmptsp-sultra",
            "survey": "IPKP",
            "year": 2025,
            "index": "3.41",
            "method": "Kuesioner tatap muka dan daring, skala 1-4",
            "sample_size": 384,
            "period": {"from": "2025-02-01", "to": "2025-03-15"},
            "published_on": "2025-04-01",
        },
    )
)
