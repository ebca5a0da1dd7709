"""Outcome statements: the designation, its refusal and revocation, and self-evaluation grants.

DOMAIN.md steps 11-12. The TPN awards "Menuju WBK" or "Menuju WBBM", records "not met" with
remedial guidance, or revokes after public information; since 5/2024 an agency the TPN granted
self-evaluation authority may award WBK to its own units (never WBBM). Who may take which route,
and whether a WBK stands under a WBBM, needs the log: that is the registry's check. An award
below the regulation's score thresholds is accepted and flagged publicly, because the decision
is the TPN's; the registry's job is to make it visible.
"""

from __future__ import annotations

from ..catalog import StatementType, register
from ..checks import documents_required, not_after_issue, regulation_in_force
from ..errors import StatementError
from ..fragments import (
    AGENCY_ID,
    DATE,
    HTTPS_URL,
    LINE,
    REGULATION,
    TARGET,
    TEXT,
    YEAR,
    array,
    closed,
)
from ..model import Statement
from ..regulations import REGULATIONS


def _self_evaluation_only_wbk(statement: Statement) -> None:
    """The self-evaluation route awards WBK only, under a regulation that has the route."""
    body = statement.body
    if body["route"] != "self_evaluation":
        return
    if body["predicate"] != "WBK":
        raise StatementError(
            "rule:self-evaluation-wbbm",
            "WBBM is awarded by the TPN only; self-evaluation may award WBK",
            field="/body/predicate",
        )
    if not REGULATIONS[body["regulation"]].self_evaluation:
        raise StatementError(
            "rule:no-self-evaluation-route",
            f"{body['regulation']} has no self-evaluation route",
            field="/body/regulation",
        )


def _grant_in_regulation(statement: Statement) -> None:
    """The regulation named provides for self-evaluation (5/2024 onwards)."""
    rid = statement.body["regulation"]
    if not REGULATIONS[rid].self_evaluation:
        raise StatementError(
            "rule:no-self-evaluation-route",
            f"{rid} has no self-evaluation route",
            field="/body/regulation",
        )


register(
    StatementType(
        name="predicate.awarded",
        title={"id": "Penetapan predikat", "en": "Designation awarded"},
        body_schema=closed(
            {
                "unit": AGENCY_ID,
                "predicate": TARGET,
                "year": YEAR,
                "regulation": REGULATION,
                "awarded_on": DATE,
                "decree": LINE,
                "route": {"type": "string", "enum": ["national", "self_evaluation"]},
            }
        ),
        signer_roles=frozenset({"tpn", "agency_head"}),
        rules=(
            documents_required,
            _self_evaluation_only_wbk,
            not_after_issue("awarded_on"),
            regulation_in_force("awarded_on"),
        ),
        stage="outcome",
        registry_rules=(
            "route national: signed by a tpn key of an agency holding the tpn role, for a "
            "proposed unit",
            "route self_evaluation: signed by the agency head of an agency granted "
            "self-evaluation, for the agency itself or a unit below it, after a TPI propose",
            "WBBM only for a unit holding a current, unrevoked WBK",
            "warns (below-thresholds) when the latest TPN (else TPI) scores miss the "
            "regulation's thresholds",
        ),
        example={
            "unit": "dpmptsp-sultra",
            "predicate": "WBK",
            "year": 2025,
            "regulation": "permenpanrb-5-2024",
            "awarded_on": "2025-12-10",
            "decree": "Keputusan Menteri PANRB tentang Penetapan Unit Kerja Berpredikat WBK",
            "route": "national",
        },
    )
)

register(
    StatementType(
        name="predicate.not_awarded",
        title={"id": "Predikat tidak diberikan", "en": "Designation not met"},
        body_schema=closed(
            {
                "unit": AGENCY_ID,
                "target": TARGET,
                "year": YEAR,
                "regulation": REGULATION,
                "decided_on": DATE,
                "guidance": TEXT,
            }
        ),
        signer_roles=frozenset({"tpn"}),
        rules=(
            not_after_issue("decided_on"),
            regulation_in_force("decided_on"),
        ),
        stage="outcome",
        registry_rules=(
            "the signing agency holds the tpn role",
            "the unit was proposed and has no outcome yet for this proposal",
        ),
        example={
            "unit": "rs-jiwa-sultra",
            "target": "WBK",
            "year": 2025,
            "regulation": "permenpanrb-5-2024",
            "decided_on": "2025-12-10",
            "guidance": "Perkuat bukti dukung area Penguatan Pengawasan; ulangi survei IPAK.",
        },
    )
)

register(
    StatementType(
        name="predicate.revoked",
        title={"id": "Pencabutan predikat", "en": "Designation revoked"},
        body_schema=closed(
            {
                "unit": AGENCY_ID,
                "predicate": TARGET,
                "revoked_on": DATE,
                "regulation": REGULATION,
                "reason": TEXT,
                "information": array(HTTPS_URL, max_items=20),
            },
            optional=("information",),
        ),
        signer_roles=frozenset({"tpn"}),
        rules=(
            documents_required,
            not_after_issue("revoked_on"),
            regulation_in_force("revoked_on"),
        ),
        stage="outcome",
        registry_rules=(
            "the signing agency holds the tpn role",
            "the unit holds that designation now",
            "the unit cannot be proposed again for the regulation's years (2)",
        ),
        example={
            "unit": "rsud-bahteramas",
            "predicate": "WBK",
            "revoked_on": "2026-03-02",
            "regulation": "permenpanrb-5-2024",
            "reason": "Temuan pungutan liar pada layanan rekam medis (informasi media).",
            "information": ["https://www.example.org/berita/pungli-layanan"],
        },
    )
)

register(
    StatementType(
        name="self_evaluation.granted",
        title={"id": "Pemberian kewenangan evaluasi mandiri", "en": "Self-evaluation granted"},
        body_schema=closed(
            {
                "agency": AGENCY_ID,
                "regulation": REGULATION,
                "granted_on": DATE,
                "decree": LINE,
            }
        ),
        signer_roles=frozenset({"tpn"}),
        rules=(
            _grant_in_regulation,
            not_after_issue("granted_on"),
            regulation_in_force("granted_on"),
        ),
        stage="outcome",
        registry_rules=(
            "the signing agency holds the tpn role",
            "the grantee is a registered agency",
        ),
        example={
            "agency": "pemprov-sulawesi-tenggara",
            "regulation": "permenpanrb-5-2024",
            "granted_on": "2025-02-03",
            "decree": "Keputusan Menteri PANRB tentang Kewenangan Evaluasi Mandiri ZI",
        },
    )
)
