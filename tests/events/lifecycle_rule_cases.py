"""The rule cases of the catalog's lifecycle types (DOMAIN.md catalog), one passing and one
failing edit per rule, for test_catalog_rules.py (which adds the first types' cases and runs them).

A uniquely named module (not a test module) so the table imports unambiguously.
"""

from __future__ import annotations

from typing import Any

# (rule code, statement type, edits that still pass, edits that break the rule, field)
RuleCase = tuple[str, str, list[tuple[str, Any]], list[tuple[str, Any]], str]

LIFECYCLE_RULES: list[RuleCase] = [
    (
        "rule:tpi-needs-scope",
        "role.granted",
        [("/body/scope", ["pemprov-a", "pemprov-b"])],
        [("/body/scope", ...)],
        "/body/scope",
    ),
    (
        "rule:scope-only-for-tpi",
        "role.granted",
        [("/body/role", "witness"), ("/body/scope", ...)],
        [("/body/role", "witness")],
        "/body/scope",
    ),
    (
        "rule:date-after-issue",
        "unit.designated",
        [("/body/designated_on", "2024-12-11")],
        [("/body/designated_on", "2030-01-01")],
        "/body/designated_on",
    ),
    (
        "rule:duplicate-unit",
        "zi.declared",
        [("/body/units/-", {"name": "Bappeda", "agency": "bappeda-x"})],
        [
            ("/body/units/0/agency", "bappeda-x"),
            ("/body/units/-", {"name": "Bappeda", "agency": "bappeda-x"}),
        ],
        "/body/units/1",
    ),
    (
        "rule:document-required",
        "work_team.established",
        [],
        [("/documents", ...)],
        "/documents",
    ),
    (
        "rule:duplicate-item",
        "action_plan.published",
        [("/body/items/1/id", "PP-02")],
        [("/body/items/1/id", "MP-01")],
        "/body/items/1",
    ),
    (
        "rule:personal-id-number",
        "action_plan.published",
        [("/body/items/0/responsible", "Kepala Seksi 2")],
        [("/body/items/0/responsible", "NIP 198507112010011003")],
        "/body/items/0/responsible",
    ),
    (
        "rule:empty-revision",
        "action_plan.revised",
        [("/body/redated", []), ("/body/cancelled", [{"item": "MP-01", "reason": "Batal"}])],
        [("/body/redated", [])],
        "/body",
    ),
    (
        "rule:item-changed-twice",
        "action_plan.revised",
        [("/body/cancelled", [{"item": "MP-02", "reason": "Batal"}])],
        [("/body/cancelled", [{"item": "MP-01", "reason": "Batal"}])],
        "/body",
    ),
    (
        "rule:done-not-complete",
        "action_item.progress_reported",
        [("/body/status", "in_progress"), ("/body/percent", 60)],
        [("/body/percent", 60)],
        "/body/percent",
    ),
    (
        "rule:evidence-required",
        "action_item.progress_reported",
        [("/body/status", "in_progress"), ("/documents", ...)],
        [("/documents", ...)],
        "/documents",
    ),
    (
        "rule:period-reversed",
        "monitoring.reported",
        [("/body/period/to", "2025-01-01")],
        [("/body/period/to", "2024-12-31")],
        "/body/period/from",
    ),
    (
        "rule:date-after-issue",
        "survey.published",
        [("/body/published_on", "2025-04-02")],
        [("/body/published_on", "2030-01-01")],
        "/body/published_on",
    ),
    (
        "rule:score-exceeds-weight",
        "self_assessment.submitted",
        [("/body/scores/areas/pengawasan", "15")],
        [("/body/scores/areas/pengawasan", "15.01")],
        "/body/scores/areas/pengawasan",
    ),
    (
        "rule:score-exceeds-weight",
        "internal_evaluation.completed",
        [("/body/scores/results/kinerja", "5.00")],
        [("/body/scores/results/kinerja", "5.5")],
        "/body/scores/results/kinerja",
    ),
    (
        "rule:period-reversed",
        "submission_window.announced",
        [("/body/opens_on", "2025-05-31")],
        [("/body/opens_on", "2025-06-01"), ("/body/deadline", "2025-05-31")],
        "/body/opens_on",
    ),
    (
        "rule:deadline-outside-year",
        "submission_window.announced",
        [("/body/deadline", "2025-12-31")],
        [("/body/deadline", "2026-01-02")],
        "/body/deadline",
    ),
    (
        "rule:duplicate-unit",
        "proposal.submitted",
        [],
        [
            (
                "/body/units/-",
                {
                    "unit": "dpmptsp-sultra",
                    "target": "WBK",
                    "internal_evaluation": {"agency": "i", "seq": 1, "hash": "sha256:" + "1" * 64},
                },
            )
        ],
        "/body/units/1/unit",
    ),
    (
        "rule:scores-required",
        "national_evaluation.recorded",
        [("/body/stage", "pre_evaluation"), ("/body/scores", ...)],
        [("/body/stage", "desk"), ("/body/scores", ...)],
        "/body/scores",
    ),
    (
        "rule:self-evaluation-wbbm",
        "predicate.awarded",
        [("/body/route", "self_evaluation")],
        [("/body/route", "self_evaluation"), ("/body/predicate", "WBBM")],
        "/body/predicate",
    ),
    (
        "rule:no-self-evaluation-route",
        "predicate.awarded",
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/awarded_on", "2023-12-08")],
        [
            ("/body/regulation", "permenpanrb-90-2021"),
            ("/body/awarded_on", "2023-12-08"),
            ("/body/route", "self_evaluation"),
        ],
        "/body/regulation",
    ),
    (
        "rule:scope-on-withdrawal",
        "role.changed",
        [("/body/change", "withdrawn"), ("/body/scope", ...)],
        [("/body/change", "withdrawn")],
        "/body/scope",
    ),
    (
        "rule:scope-only-for-tpi",
        "role.changed",
        [("/body/role", "witness"), ("/body/change", "withdrawn"), ("/body/scope", ...)],
        [("/body/role", "witness")],
        "/body/role",
    ),
    (
        "rule:tpi-needs-scope",
        "role.changed",
        [],
        [("/body/scope", ...)],
        "/body/scope",
    ),
    (
        "rule:regulation-not-in-force",
        "proposal.submitted",
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/submitted_on", "2024-02-29")],
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/submitted_on", "2024-03-01")],
        "/body/regulation",
    ),
    (
        "rule:regulation-not-in-force",
        "national_evaluation.recorded",
        [],
        [("/body/regulation", "permenpanrb-5-2024"), ("/body/evaluated_on", "2024-02-29")],
        "/body/regulation",
    ),
    (
        "rule:date-after-issue",
        "predicate.not_awarded",
        [("/body/decided_on", "2025-12-11")],
        [("/body/decided_on", "2030-01-01")],
        "/body/decided_on",
    ),
    (
        "rule:document-required",
        "predicate.revoked",
        [],
        [("/documents", ...)],
        "/documents",
    ),
    (
        "rule:no-self-evaluation-route",
        "self_evaluation.granted",
        [],
        [("/body/regulation", "permenpanrb-90-2021"), ("/body/granted_on", "2023-02-03")],
        "/body/regulation",
    ),
    (
        "rule:target-not-earlier",
        "statement.corrected",
        [("/body/target/seq", 0)],
        [("/body/target/seq", 1)],
        "/body/target/seq",
    ),
    (
        "rule:target-not-earlier",
        "statement.retracted",
        [("/seq", 5), ("/body/target/seq", 4)],
        [("/seq", 5), ("/body/target/seq", 5)],
        "/body/target/seq",
    ),
]
