"""Who must sign a statement, as data: the one source of "who still must sign" for the
registry's guards and for the workbench's drafts (web/static/workbench/signers.js reads
`signer_table()`; a test runs both on the same drafts).

A statement is signed by one key of its own agency in one of its type's `signer_roles`
(`signing.check_signatures`), and, under a `Condition` on a body field, by one more role set
too (an item reported done is signed by the unit or agency head, `guards.progress`). Types
with `cosigner_roles` may carry the signatures of the agencies their body names at the path
`COSIGNER_PATHS` gives (a declaration's units, each by one of its heads): optional, shown to
the signers but never required.

May import: the standard library, `events`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from events import CATALOG, get_type

HEADS = frozenset({"unit_head", "agency_head"})


@dataclass(frozen=True)
class Condition:
    """When body field `field` equals `value`, one of `roles` must have signed too."""

    field: str
    value: str
    roles: frozenset[str]
    code: str  # the rule's refusal code, and its message
    message: str


CONDITIONS: dict[str, tuple[Condition, ...]] = {
    "action_item.progress_reported": (
        Condition(
            "status",
            "done",
            HEADS,
            "completion-needs-head",
            "a report that an item is done is signed by the unit head (an operator's report "
            "is countersigned in the same envelope)",
        ),
    ),
}
# Where a type's body names the agencies whose keys may countersign: a list field, and the
# field of each row that holds the agency id (rows without one are not registered agencies).
COSIGNER_PATHS: dict[str, tuple[str, str]] = {"zi.declared": ("units", "agency")}


def named(type_name: str, body: Mapping[str, Any]) -> list[str]:
    """The agencies the body names as possible co-signers, in order."""
    path = COSIGNER_PATHS.get(type_name)
    if path is None:
        return []
    rows = body.get(path[0]) or []
    return [r[path[1]] for r in rows if isinstance(r, Mapping) and r.get(path[1])]


def unmet(type_name: str, body: Mapping[str, Any], roles: Collection[str]) -> list[Condition]:
    """The conditions on this body that no signature by its own agency's `roles` meets."""
    return [
        c
        for c in CONDITIONS.get(type_name, ())
        if body.get(c.field) == c.value and not c.roles & set(roles)
    ]


def still_needed(
    type_name: str,
    body: Mapping[str, Any],
    roles: Collection[str],
    cosigned: Collection[str] = (),
) -> list[dict[str, Any]]:
    """What a draft still lacks: `roles` are the roles of its own agency's keys that signed,
    `cosigned` the named agencies one of whose keys (in a co-signer role) signed. Each item is
    `{"roles": [...], "optional": bool}` (with `"agency"` for a co-signer)."""
    kind = get_type(type_name)
    out: list[dict[str, Any]] = []
    if not kind.signer_roles & set(roles):
        out.append({"roles": sorted(kind.signer_roles), "optional": False})
    out += [{"roles": sorted(c.roles), "optional": False} for c in unmet(type_name, body, roles)]
    for agency in named(type_name, body):
        if agency not in cosigned:
            out.append({"roles": sorted(kind.cosigner_roles), "optional": True, "agency": agency})
    return out


def signer_table(types: Sequence[str] | None = None) -> dict[str, Any]:
    """The data `still_needed` works from, for every catalog type (for the browser)."""
    names = list(types) if types is not None else sorted(CATALOG)
    out: dict[str, Any] = {}
    for name in names:
        kind = get_type(name)
        entry: dict[str, Any] = {
            "signers": sorted(kind.signer_roles),
            "cosigners": sorted(kind.cosigner_roles),
            "conditions": [
                {"field": c.field, "value": c.value, "roles": sorted(c.roles)}
                for c in CONDITIONS.get(name, ())
            ],
        }
        if name in COSIGNER_PATHS:
            entry["named"] = list(COSIGNER_PATHS[name])
        out[name] = entry
    return {"format": "pakta-signers/1", "types": out}
