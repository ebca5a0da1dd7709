"""Amendments: a correction or a retraction of an agency's own earlier statement.

Nothing in the log is ever edited in place (DOMAIN.md, catalog: "Any type"): a correction
names the statement it corrects (by seq and hash) and the fields it gets wrong, a retraction
names the statement it withdraws. Both entries stay, and both pages show the link; that the
target is an earlier statement of the same agency needs the log, so it is the registry's check.
"""

from __future__ import annotations

from ..catalog import StatementType, register
from ..errors import StatementError
from ..fragments import LINE, ROLES, TEXT, array, closed
from ..model import Statement


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
