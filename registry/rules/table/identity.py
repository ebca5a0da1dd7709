"""Keys and identity: registration, keys added and revoked, organisation roles, unit designation."""

from __future__ import annotations

from events import Statement
from events.fragments import ORG_ROLES
from keys.ed25519 import key_id, unb64
from registry.rules import guards
from registry.rules.changes import (
    KeyAdded,
    KeyRevoked,
    Profile,
)
from registry.rules.derive import AGENCY, ChangeRule, Voiding, about, body, const, derive, item
from registry.rules.table.shared import about_unit
from registry.rules.types import Identity, TypeRules, register_rules

# -- identity and keys -----------------------------------------------------------------------


def _grant(grant: dict[str, str], st: Statement) -> KeyAdded:
    kid = key_id(unb64(grant["public_key"]))
    return KeyAdded(kid, grant["public_key"], grant["role"], grant["holder"], st.issued_at_text)


def _registration(st: Statement) -> Identity:
    b = st.body
    profile = Profile(st.agency, b["name"], b["kind"], b.get("parent"), b.get("region"))
    return Identity(profile, tuple(_grant(g, st) for g in b["keys"]))


# Each key granted in an organisation role grants the role; a TPI's scope is its parent.
_ORG_ROLES_OF_REGISTRATION = derive(
    ChangeRule(
        "role",
        AGENCY,
        {
            "role": item("role"),
            "scope": {
                "if": {"and": [{"eq": [item("role"), const("tpi")]}, body("parent", default=None)]},
                "then": {"list": [body("parent")]},
                "else": const([]),
            },
        },
        each=body("keys"),
        when={"in": [item("role"), const(sorted(ORG_ROLES))]},
    )
)


register_rules(
    TypeRules(
        "agency.registered",
        guard=guards.registered,
        identity=_registration,
        changes=_ORG_ROLES_OF_REGISTRATION,
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
        voids=Voiding(body("keyid"), body("effective_from")),
    )
)
register_rules(
    TypeRules(
        "role.granted",
        guard=guards.role_granted,
        changes=derive(
            ChangeRule("role", AGENCY, {"role": body("role"), "scope": body("scope", default=[])})
        ),
    )
)
register_rules(
    TypeRules(
        "role.changed",
        guard=guards.role_changed,
        changes=derive(
            ChangeRule(
                "role-changed",
                AGENCY,
                {
                    "role": body("role"),
                    "scope": {
                        "if": {"eq": [body("change"), const("scope")]},
                        "then": body("scope"),
                        "else": const(None),
                    },
                },
            )
        ),
    )
)
register_rules(
    TypeRules(
        "unit.designated",
        guard=guards.designated,
        changes=about("designated", on=body("designated_on"), by=AGENCY),
        about=about_unit,
    )
)
