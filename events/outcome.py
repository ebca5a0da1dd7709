"""Outcome statements: the designation, its refusal and revocation, and self-evaluation grants.

DOMAIN.md steps 11-12. The TPN awards "Menuju WBK" or "Menuju WBBM", records "not met" with
remedial guidance, or revokes after public information; since 5/2024 an agency the TPN granted
self-evaluation authority may award WBK to its own units (never WBBM). Who may take which route,
and whether a WBK stands under a WBBM, needs the log: that is the registry's check. An award
below the regulation's score thresholds is accepted and flagged publicly, because the decision
is the TPN's; the registry's job is to make it visible.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .catalog import (
    AGENCY_ID,
    DATE,
    HTTPS_URL,
    LINE,
    REGULATION,
    ROLES,
    TARGET,
    TEXT,
    YEAR,
    StatementType,
    array,
    closed,
    documents_required,
    not_after_issue,
    register,
)
from .errors import StatementError
from .regulations import REGULATIONS

if TYPE_CHECKING:
    from .statement import Statement


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
        rules=(documents_required, _self_evaluation_only_wbk, not_after_issue("awarded_on")),
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
        rules=(not_after_issue("decided_on"),),
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
        rules=(documents_required, not_after_issue("revoked_on")),
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
        rules=(_grant_in_regulation, not_after_issue("granted_on")),
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


def _not_self(statement: Statement) -> None:
    """A statement does not correct itself (it cannot know its own hash)."""
    if statement.body["target"]["seq"] >= statement.seq:
        raise StatementError(
            "rule:target-not-earlier",
            f"the target seq {statement.body['target']['seq']} is not earlier than this "
            f"statement's seq {statement.seq}",
            field="/body/target/seq",
        )


_TARGET = closed(
    {
        "seq": {"type": "integer", "minimum": 0},
        "hash": {"type": "string", "format": "sha256-ref"},
    }
)

register(
    StatementType(
        name="statement.corrected",
        title={"id": "Ralat", "en": "Correction"},
        body_schema=closed(
            {
                "target": _TARGET,
                "reason": TEXT,
                "corrections": array(
                    closed(
                        {
                            "field": {
                                "type": "string",
                                "pattern": "^(/[^/]+)+$",
                                "maxLength": 200,
                                "description": "a JSON Pointer into the corrected statement",
                            },
                            "correct_value": LINE,
                        }
                    ),
                    min_items=1,
                    max_items=50,
                ),
            }
        ),
        signer_roles=ROLES,
        rules=(_not_self,),
        stage="amendment",
        registry_rules=(
            "the target is an earlier statement of the same agency, by seq and hash",
            "the target is not retracted; nothing is edited in place: both entries show the link",
        ),
        example={
            "target": {
                "seq": 0,
                "hash": "sha256:e16b3c04e1e17a89b33d0b16b75138d3ef2b210a52214847b6dbe477f6e8e193",
            },
            "reason": "Salah ketik jumlah penandatangan.",
            "corrections": [{"field": "/body/signatories", "correct_value": "38"}],
        },
    )
)

register(
    StatementType(
        name="statement.retracted",
        title={"id": "Penarikan", "en": "Retraction"},
        body_schema=closed({"target": _TARGET, "reason": TEXT}),
        signer_roles=ROLES,
        rules=(_not_self,),
        stage="amendment",
        registry_rules=(
            "the target is an earlier statement of the same agency, by seq and hash",
            "a statement is retracted once; the retracted entry stays in the log, marked",
            "a retraction does not undo a lifecycle step: an award is ended by revocation",
        ),
        example={
            "target": {
                "seq": 0,
                "hash": "sha256:e16b3c04e1e17a89b33d0b16b75138d3ef2b210a52214847b6dbe477f6e8e193",
            },
            "reason": "Diunggah ke instansi yang salah.",
        },
    )
)
