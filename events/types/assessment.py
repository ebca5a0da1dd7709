"""Assessment statements: self-assessment, internal (TPI) and national (TPN) evaluation, the
yearly submission window, and the agency head's proposal (DOMAIN.md, steps 7-10).

Every one names the regulation it was made under; LKE scores are checked against that
regulation's weights here (events/regulations.json), while whether the unit may be proposed
(a TPI "propose", a year after the declaration, no revocation in the last two years) is the
registry's check, which needs the log. Prerequisites and deadlines never refuse a proposal:
they are published as warnings, because the TPN, not the registry, decides.
"""

from __future__ import annotations

from ..catalog import StatementType, register
from ..checks import (
    documents_required,
    not_after_issue,
    refuse_repeats,
    regulation_in_force,
    scores_within_weights,
)
from ..dates import parse_date
from ..errors import StatementError
from ..fragments import (
    AGENCY_ID,
    COUNT,
    DATE,
    LINE,
    LKE_SCORES,
    PERCENT,
    REGULATION,
    STATEMENT_REF,
    SURVEY_INDICES,
    TARGET,
    TEXT,
    YEAR,
    array,
    closed,
)
from ..model import Statement
from ..regulations import BPK_OPINIONS, SAKIP_GRADES

_SCORES_EXAMPLE = {
    "areas": {
        "manajemen_perubahan": "6.80",
        "tata_laksana": "5.90",
        "sdm": "8.10",
        "akuntabilitas": "8.40",
        "pengawasan": "12.30",
        "pelayanan_publik": "8.60",
    },
    "results": {"ipak": "15.90", "kinerja": "4.20", "ipkp": "14.80"},
}
PREREQUISITES = closed(
    {
        "bpk_opinion": {"type": "string", "enum": list(BPK_OPINIONS)},
        "sakip": {"type": "string", "enum": list(SAKIP_GRADES)},
        "spip_level": {"type": "integer", "minimum": 1, "maximum": 5},
        "audit_follow_up_percent": PERCENT,
        "asset_declaration_percent": PERCENT,
    }
)


def _window_ordered(statement: Statement) -> None:
    """The window opens before its deadline, and the deadline is in the window's year."""
    body = statement.body
    opens, deadline = parse_date(body["opens_on"]), parse_date(body["deadline"])
    if opens > deadline:
        raise StatementError(
            "rule:period-reversed",
            f"opens_on {body['opens_on']} is after the deadline {body['deadline']}",
            field="/body/opens_on",
        )
    if deadline.year != body["year"]:
        raise StatementError(
            "rule:deadline-outside-year",
            f"the deadline {body['deadline']} is not in {body['year']}",
            field="/body/deadline",
        )


def _units_once(statement: Statement) -> None:
    """Each unit is proposed once per letter."""
    units = (u["unit"] for u in statement.body["units"])
    refuse_repeats(units, "rule:duplicate-unit", "unit", "/body/units/{i}/unit")


def _scores_for_field(statement: Statement) -> None:
    """The desk and field stages carry the LKE scores; the pre-evaluation may not."""
    body = statement.body
    if body["stage"] in ("desk", "field") and "scores" not in body:
        raise StatementError(
            "rule:scores-required",
            f"the {body['stage']} evaluation records the LKE scores",
            field="/body/scores",
        )


register(
    StatementType(
        name="self_assessment.submitted",
        title={"id": "Penilaian mandiri (LKE)", "en": "Self-assessment submitted"},
        body_schema=closed(
            {
                "regulation": REGULATION,
                "target": TARGET,
                "year": YEAR,
                "assessed_on": DATE,
                "scores": LKE_SCORES,
                "indices": SURVEY_INDICES,
            },
            optional=("indices",),
        ),
        signer_roles=frozenset({"unit_head", "agency_head"}),
        rules=(
            documents_required,
            scores_within_weights(),
            not_after_issue("assessed_on"),
            regulation_in_force("assessed_on"),
        ),
        stage="assessment",
        registry_rules=("the unit (this agency) is designated and declared",),
        example={
            "regulation": "permenpanrb-5-2024",
            "target": "WBK",
            "year": 2025,
            "assessed_on": "2025-06-20",
            "scores": _SCORES_EXAMPLE,
            "indices": {"ipak": "3.63", "ipkp": "3.41"},
        },
    )
)

register(
    StatementType(
        name="internal_evaluation.completed",
        title={"id": "Evaluasi internal (TPI)", "en": "Internal evaluation completed"},
        body_schema=closed(
            {
                "unit": AGENCY_ID,
                "regulation": REGULATION,
                "target": TARGET,
                "year": YEAR,
                "evaluated_on": DATE,
                "scores": LKE_SCORES,
                "indices": SURVEY_INDICES,
                "recommendation": {"type": "string", "enum": ["propose", "not_propose"]},
                "notes": TEXT,
            },
            optional=("indices", "notes"),
        ),
        signer_roles=frozenset({"tpi"}),
        rules=(
            documents_required,
            scores_within_weights(),
            not_after_issue("evaluated_on"),
            regulation_in_force("evaluated_on"),
        ),
        stage="assessment",
        registry_rules=(
            "the signing agency holds the tpi role with the unit's parent (or the unit) in "
            "its scope",
            "the TPI is not the unit under assessment, nor below it",
            "the unit is designated and declared",
        ),
        example={
            "unit": "dpmptsp-sultra",
            "regulation": "permenpanrb-5-2024",
            "target": "WBK",
            "year": 2025,
            "evaluated_on": "2025-07-15",
            "scores": _SCORES_EXAMPLE,
            "indices": {"ipak": "3.63", "ipkp": "3.41"},
            "recommendation": "propose",
            "notes": "Laporan Hasil Evaluasi (LHE) terlampir.",
        },
    )
)

register(
    StatementType(
        name="submission_window.announced",
        title={"id": "Pengumuman masa pengusulan", "en": "Submission window announced"},
        body_schema=closed(
            {
                "year": YEAR,
                "regulation": REGULATION,
                "opens_on": DATE,
                "deadline": DATE,
                "quota_per_agency": COUNT,
                "announced_on": DATE,
            }
        ),
        signer_roles=frozenset({"tpn"}),
        rules=(
            _window_ordered,
            not_after_issue("announced_on"),
            regulation_in_force("announced_on"),
        ),
        stage="assessment",
        registry_rules=("one window per year",),
        example={
            "year": 2025,
            "regulation": "permenpanrb-5-2024",
            "opens_on": "2025-01-15",
            "deadline": "2025-05-31",
            "quota_per_agency": 10,
            "announced_on": "2025-01-10",
        },
    )
)

register(
    StatementType(
        name="proposal.submitted",
        title={"id": "Pengusulan unit kerja", "en": "Units proposed"},
        body_schema=closed(
            {
                "year": YEAR,
                "regulation": REGULATION,
                "submitted_on": DATE,
                "letter": LINE,
                "units": array(
                    closed(
                        {"unit": AGENCY_ID, "target": TARGET, "internal_evaluation": STATEMENT_REF}
                    ),
                    min_items=1,
                    max_items=100,
                ),
                "prerequisites": PREREQUISITES,
            }
        ),
        signer_roles=frozenset({"agency_head"}),
        rules=(
            documents_required,
            _units_once,
            not_after_issue("submitted_on"),
            regulation_in_force("submitted_on"),
        ),
        stage="assessment",
        registry_rules=(
            "each unit is the proposing agency or a unit below it, designated and declared",
            "each unit's latest internal evaluation is the one named, and recommends propose",
            "at least the regulation's months (12) after the unit's declaration",
            "not within the regulation's years (2) of a revocation of the unit",
            "WBBM only for a unit holding a current, unrevoked WBK",
            "warns (deadline-missed, over-quota) against the TPN's window for the year, or "
            "31 May without one",
            "warns (prerequisites-missing) when the prerequisites fall short of the regulation",
        ),
        example={
            "year": 2025,
            "regulation": "permenpanrb-5-2024",
            "submitted_on": "2025-05-26",
            "letter": "Surat Gubernur Sulawesi Tenggara Nomor 700/1234",
            "units": [
                {
                    "unit": "dpmptsp-sultra",
                    "target": "WBK",
                    "internal_evaluation": {
                        "agency": "inspektorat-sultra",
                        "seq": 4,
                        "hash": "sha256:"
                        "d673701949165f58864c998efe3d5831b8bf7d876117f3ce2d30a1b06b131d88",
                    },
                }
            ],
            "prerequisites": {
                "bpk_opinion": "WTP",
                "sakip": "B",
                "spip_level": 3,
                "audit_follow_up_percent": 100,
                "asset_declaration_percent": 100,
            },
        },
    )
)

register(
    StatementType(
        name="national_evaluation.recorded",
        title={"id": "Evaluasi nasional (TPN)", "en": "National evaluation recorded"},
        body_schema=closed(
            {
                "unit": AGENCY_ID,
                "year": YEAR,
                "regulation": REGULATION,
                "stage": {"type": "string", "enum": ["pre_evaluation", "desk", "field"]},
                "evaluated_on": DATE,
                "passed": {"type": "boolean"},
                "scores": LKE_SCORES,
                "indices": SURVEY_INDICES,
                "notes": TEXT,
            },
            optional=("scores", "indices", "notes"),
        ),
        signer_roles=frozenset({"tpn"}),
        rules=(
            _scores_for_field,
            scores_within_weights(),
            not_after_issue("evaluated_on"),
            regulation_in_force("evaluated_on"),
        ),
        stage="assessment",
        registry_rules=(
            "the signing agency holds the tpn role",
            "the unit was proposed and has no outcome yet for this proposal",
        ),
        example={
            "unit": "dpmptsp-sultra",
            "year": 2025,
            "regulation": "permenpanrb-5-2024",
            "stage": "field",
            "evaluated_on": "2025-09-18",
            "passed": True,
            "scores": _SCORES_EXAMPLE,
            "indices": {"ipak": "3.63", "ipkp": "3.41"},
        },
    )
)
