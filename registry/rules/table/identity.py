"""Keys and identity: registration, keys added and revoked, organisation roles, unit designation."""

from __future__ import annotations

from events import Statement
from events.fragments import ORG_ROLES
from keys.ed25519 import key_id, unb64
from registry.rules import guards, signing
from registry.rules.changes import (
    Designated,
    KeyAdded,
    KeyRevoked,
    Profile,
    RoleChanged,
    RoleGranted,
)
from registry.rules.facts import Facts
from registry.rules.records import (
    Invalidation,
)
from registry.rules.table.shared import Changes, about_unit
from registry.rules.types import Identity, TypeRules, register_rules

# -- identity and keys -----------------------------------------------------------------------


def _grant(grant: dict[str, str], st: Statement) -> KeyAdded:
    kid = key_id(unb64(grant["public_key"]))
    return KeyAdded(kid, grant["public_key"], grant["role"], grant["holder"], st.issued_at_text)


def _registration(st: Statement) -> Identity:
    b = st.body
    profile = Profile(st.agency, b["name"], b["kind"], b.get("parent"), b.get("region"))
    return Identity(profile, tuple(_grant(g, st) for g in b["keys"]))


def _org_roles_of_registration(st: Statement, index: int) -> Changes:
    out: Changes = []
    for grant in st.body["keys"]:
        if grant["role"] in ORG_ROLES:
            parent = st.body["parent"]
            scope = (parent,) if grant["role"] == "tpi" and parent else ()
            out.append((st.agency, RoleGranted(index, grant["role"], scope)))
    return out


def _revocation_voids(st: Statement, index: int, facts: Facts) -> list[Invalidation]:
    keyid, start = st.body["keyid"], st.body["effective_from"]
    return signing.invalidated(st.agency, keyid, start, index, facts.signatures(keyid))


register_rules(
    TypeRules(
        "agency.registered",
        guard=guards.registered,
        identity=_registration,
        changes=_org_roles_of_registration,
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
        voids=_revocation_voids,
    )
)
register_rules(
    TypeRules(
        "role.granted",
        guard=guards.role_granted,
        changes=lambda st, i: [
            (st.agency, RoleGranted(i, st.body["role"], tuple(st.body.get("scope", ()))))
        ],
    )
)
register_rules(
    TypeRules(
        "role.changed",
        guard=guards.role_changed,
        changes=lambda st, i: [
            (
                st.agency,
                RoleChanged(
                    i,
                    st.body["role"],
                    tuple(st.body["scope"]) if st.body["change"] == "scope" else None,
                ),
            )
        ],
    )
)
register_rules(
    TypeRules(
        "unit.designated",
        guard=guards.designated,
        changes=lambda st, i: [
            (st.body["unit"], Designated(i, st.body["designated_on"], st.agency))
        ],
        about=about_unit,
    )
)
