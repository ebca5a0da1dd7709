"""Commitment statements: the integrity pact, the public ZI declaration, and its witnesses.

These record the first public steps of the Zona Integritas lifecycle (DOMAIN.md, steps 1-2):
counts and the signed document's hash for a pact (never staff's personal data), the declared
target and units for a declaration, and a witness organisation's attestation that it saw one.
Whether the declaration a witness names exists, and whether the witness sits below the declaring
agency, needs the log and is the registry's check; here only what one statement shows.
"""

from __future__ import annotations

from ..catalog import StatementType, register
from ..checks import documents_required, not_after_issue, refuse_repeats
from ..errors import StatementError
from ..fragments import (
    AGENCY_ID,
    COUNT,
    DATE,
    HTTPS_URL,
    LINE,
    SEQ,
    SHA256_REF,
    TEXT,
    array,
    closed,
)
from ..model import Statement


def _signatories_within_staff(statement: Statement) -> None:
    """No more signatories than staff."""
    body = statement.body
    if body["signatories"] > body["staff_total"]:
        raise StatementError(
            "rule:signatories-exceed-staff",
            f"{body['signatories']} signatories is more than the {body['staff_total']} staff",
            field="/body/signatories",
        )


def _units_once(statement: Statement) -> None:
    """Each unit is listed once."""
    units = statement.body["units"]
    refuse_repeats(
        (u["agency"] or u["name"] for u in units), "rule:duplicate-unit", "unit", "/body/units/{i}"
    )


def _witness_not_declarer(statement: Statement) -> None:
    """An agency does not witness its own declaration."""
    if statement.body["declaration"]["agency"] == statement.agency:
        raise StatementError(
            "rule:self-witness",
            "an agency cannot witness its own declaration",
            field="/body/declaration/agency",
        )


register(
    StatementType(
        name="integrity_pact.signed",
        title={"id": "Penandatanganan Pakta Integritas", "en": "Integrity pact signed"},
        body_schema=closed(
            {"signed_on": DATE, "signatories": COUNT, "staff_total": COUNT, "scope": LINE}
        ),
        signer_roles=frozenset({"agency_head", "unit_head"}),
        rules=(documents_required, _signatories_within_staff, not_after_issue("signed_on")),
        stage="commitment",
        registry_rules=("warns (pact-coverage-low) when fewer than half of the staff signed",),
        example={
            "signed_on": "2024-01-15",
            "signatories": 412,
            "staff_total": 430,
            "scope": "Seluruh pegawai Dinas Penanaman Modal dan PTSP",
        },
    )
)

register(
    StatementType(
        name="zi.declared",
        title={"id": "Pencanangan Zona Integritas", "en": "Integrity Zone declaration"},
        body_schema=closed(
            {
                "declared_on": DATE,
                "target": {"type": "string", "enum": ["WBK", "WBBM"]},
                # An empty list means the whole agency.
                "units": array(
                    closed({"name": LINE, "agency": {**AGENCY_ID, "type": ["string", "null"]}}),
                    max_items=200,
                ),
                "place": LINE,
                "announcements": array(HTTPS_URL, max_items=20),
                "witnesses_claimed": array(LINE, max_items=50),
                # The declaration the registrar recorded from a public source (pakta import)
                # that this signed one confirms: an earlier entry of the same agency's chain.
                "confirms": closed({"seq": SEQ, "hash": SHA256_REF}),
            },
            optional=("announcements", "witnesses_claimed", "confirms"),
        ),
        signer_roles=frozenset({"agency_head"}),
        # The head of each named unit (its unit_head key, or the agency_head key of a unit that
        # is an agency of its own) signs the joint commitment in the same envelope.
        cosigner_roles=frozenset({"unit_head", "agency_head"}),
        rules=(not_after_issue("declared_on"), _units_once),
        stage="commitment",
        registry_rules=(
            "every unit given by agency id is a registered agency whose parent is the "
            "declaring agency; an empty list declares the agency itself",
            "unit heads of the named units may countersign in the same envelope (joint commitment)",
            "warns (unwitnessed) while no witness has attested the declaration",
            "confirms, if given, names a zi.declaration_recorded of the same agency not yet "
            "confirmed: every page then shows that record as confirmed by the agency",
        ),
        example={
            "declared_on": "2024-06-01",
            "target": "WBK",
            "units": [{"name": "Badan Perencanaan Pembangunan Daerah", "agency": None}],
            "place": "Palu",
            "announcements": ["https://www.example.org/berita/pencanangan-zona-integritas"],
            "witnesses_claimed": ["Perwakilan Ombudsman RI Sulawesi Tengah"],
        },
    )
)

register(
    StatementType(
        name="zi.witnessed",
        title={"id": "Kesaksian pencanangan", "en": "Declaration witnessed"},
        body_schema=closed(
            {
                "declaration": closed({"agency": AGENCY_ID, "seq": SEQ, "hash": SHA256_REF}),
                "witnessed_on": DATE,
                "capacity": LINE,
            }
        ),
        signer_roles=frozenset({"witness"}),
        rules=(_witness_not_declarer, not_after_issue("witnessed_on")),
        stage="commitment",
        registry_rules=(
            "the declaration exists at that agency and seq with that hash",
            "the witness is not the declaring agency nor below it (by parent)",
            "the witnessing agency holds the witness role",
        ),
        example={
            "declaration": {
                "agency": "pemprov-sulteng",
                "seq": 3,
                "hash": "sha256:e16b3c04e1e17a89b33d0b16b75138d3ef2b210a52214847b6dbe477f6e8e193",
            },
            "witnessed_on": "2024-06-01",
            "capacity": "Perwakilan Ombudsman RI Sulawesi Tengah",
        },
    )
)

register(
    StatementType(
        name="work_team.established",
        title={"id": "Pembentukan Tim Kerja", "en": "Working team established"},
        body_schema=closed(
            {
                "established_on": DATE,
                "decree": LINE,
                "members": COUNT,
                "chair": LINE,
                "note": TEXT,
            },
            optional=("note",),
        ),
        signer_roles=frozenset({"unit_head", "agency_head"}),
        rules=(documents_required, not_after_issue("established_on")),
        stage="commitment",
        registry_rules=("the unit (this agency) is designated and declared",),
        example={
            "established_on": "2024-12-16",
            "decree": "SK Kepala DPMPTSP tentang Tim Kerja Pembangunan Zona Integritas",
            "members": 15,
            "chair": "Sekretaris DPMPTSP",
        },
    )
)
