"""Key and identity statements: who an agency is, and which keys speak for it when.

`agency.registered` is the registrar's statement that starts an agency's chain with its profile
and first keys (or, recorded from a public source by `pakta import`, with none yet);
`key.added` and `key.revoked` change the keys later. Which key was valid at a
given `issued_at` is decided by the registry from these statements in the log; the rules here
only look at one statement.
"""

from __future__ import annotations

from ..catalog import StatementType, register
from ..checks import not_after_issue, refuse_id_number, refuse_repeats, refuse_weak_key
from ..errors import StatementError
from ..fragments import (
    AGENCY_ID,
    DATE,
    DATE_TIME,
    KEY_ID,
    KEY_ROLE,
    LINE,
    ORG_ROLES,
    PUBLIC_KEY,
    TARGET,
    TEXT,
    array,
    closed,
)
from ..model import Statement

AGENCY_KINDS = (
    "pemerintah_provinsi",
    "pemerintah_kabupaten",
    "pemerintah_kota",
    "perangkat_daerah",
    "instansi_vertikal",
    "kementerian_lembaga",
    "unit_kerja",
    "lembaga_pengawas",
    "masyarakat_sipil",
    "tim_penilai",
)
# Both codes as strings (DOMAIN.md, Regions): they differ below province level.
REGION = closed(
    {
        "kemendagri": {
            "type": "string",
            "pattern": r"^[0-9]{2}(\.[0-9]{2})?$",
            "description": "a Kemendagri code: province 'PP' or regency/city 'PP.KK'",
        },
        "bps": {
            "type": "string",
            "pattern": r"^[0-9]{2}([0-9]{2})?$",
            "description": "a BPS code: province 'PP' or regency/city 'PPKK'",
        },
        "name": LINE,
    }
)
REGION["type"] = ["object", "null"]
# `holder` is an office ("Bupati Sukoharjo"), not a person: see refuse_id_number.
KEY_GRANT = closed({"public_key": PUBLIC_KEY, "role": KEY_ROLE, "holder": LINE})
EXAMPLE_KEY = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="  # RFC 8032 §7.1 test 1 public key


def _agency_profile(statement: Statement) -> None:
    """Not its own parent; each public key once, none of small order; holders named by office.

    A key of small order (or not canonically encoded) speaks for no one: `refuse_weak_key`."""
    body = statement.body
    if body["parent"] == statement.agency:
        raise StatementError(
            "rule:own-parent", "an agency cannot be its own parent", field="/body/parent"
        )
    keys = body["keys"]
    if not keys and statement.source is None:
        raise StatementError(
            "rule:keys-or-source",
            "an agency is registered with its first keys, or recorded without keys from the "
            "public source named in source (pakta import)",
            field="/body/keys",
        )
    grants = (g["public_key"] for g in keys)
    refuse_repeats(grants, "rule:duplicate-public-key", "public key", "/body/keys/{i}/public_key")
    for i, grant in enumerate(keys):
        refuse_weak_key(grant["public_key"], f"/body/keys/{i}/public_key")
        refuse_id_number(grant["holder"], f"/body/keys/{i}/holder")


def _grant(statement: Statement) -> None:
    """The key is not of small order; its holder is named by office, not by an ID number."""
    refuse_weak_key(statement.body["public_key"], "/body/public_key")
    refuse_id_number(statement.body["holder"], "/body/holder")


register(
    StatementType(
        name="agency.registered",
        title={"id": "Pendaftaran instansi", "en": "Agency registration"},
        body_schema=closed(
            {
                "name": LINE,
                "kind": {"type": "string", "enum": list(AGENCY_KINDS)},
                "parent": {**AGENCY_ID, "type": ["string", "null"]},
                "region": REGION,
                "keys": array(KEY_GRANT, min_items=0, max_items=20),
            }
        ),
        signer_roles=frozenset({"registrar"}),
        rules=(_agency_profile,),
        registry_rules=(
            "the agency id is not yet registered",
            "the parent, if given, is a registered agency (a unit belongs to one parent)",
            "a key role tpn, tpi or witness in keys makes the registrar's grant of that role",
            "without keys only when recorded from a public source (source; pakta import): "
            "the agency signs nothing until the registrar adds its first key (key.added)",
        ),
        example={
            "name": "Pemerintah Kabupaten Sukoharjo",
            "kind": "pemerintah_kabupaten",
            "parent": None,
            "region": {"kemendagri": "33.11", "bps": "3311", "name": "Kabupaten Sukoharjo"},
            "keys": [
                {"public_key": EXAMPLE_KEY, "role": "agency_head", "holder": "Bupati Sukoharjo"}
            ],
        },
    )
)

register(
    StatementType(
        name="key.added",
        title={"id": "Penambahan kunci", "en": "Key added"},
        body_schema=KEY_GRANT,
        signer_roles=frozenset({"agency_head", "registrar"}),
        rules=(_grant,),
        registry_rules=(
            "the key is not already granted to this agency",
            "roles tpn, tpi and witness need the registrar: signed by the registrar, or the "
            "agency holds that role (role.granted, its registration, or its kind)",
        ),
        example={
            "public_key": EXAMPLE_KEY,
            "role": "unit_head",
            "holder": "Kepala Dinas Penanaman Modal dan PTSP",
        },
    )
)

register(
    StatementType(
        name="key.revoked",
        title={"id": "Pencabutan kunci", "en": "Key revoked"},
        # effective_from may be in the past: a compromised key is revoked from the moment it
        # was lost, which voids what it signed after that (DOMAIN.md, catalog).
        body_schema=closed(
            {
                "keyid": KEY_ID,
                "effective_from": DATE_TIME,
                "reason": {
                    "type": "string",
                    "enum": ["compromised", "superseded", "holder_left", "other"],
                },
                "note": TEXT,
            },
            optional=("note",),
        ),
        signer_roles=frozenset({"agency_head", "registrar"}),
        registry_rules=(
            "the key is one of this agency's and not already revoked",
            "statements it signed at or after effective_from are shown as invalidated",
        ),
        example={
            "keyid": "ed25519:0f1e2d3c4b5a69788796a5b4c3d2e1f0",
            "effective_from": "2024-05-01T00:00:00+07:00",
            "reason": "holder_left",
            "note": "Pergantian pejabat.",
        },
    )
)


def _role_scope(statement: Statement) -> None:
    """Only a TPI grant has a scope (the agencies whose units it assesses)."""
    body = statement.body
    if body["role"] != "tpi" and body.get("scope"):
        raise StatementError(
            "rule:scope-only-for-tpi",
            f"a {body['role']} grant has no scope: it applies everywhere",
            field="/body/scope",
        )
    if body["role"] == "tpi" and not body.get("scope"):
        raise StatementError(
            "rule:tpi-needs-scope",
            "a TPI grant names the agencies whose units it assesses",
            field="/body/scope",
        )


register(
    StatementType(
        name="role.granted",
        title={"id": "Pemberian peran", "en": "Role granted"},
        # In the grantee's own chain, signed by the registrar (as agency.registered is).
        body_schema=closed(
            {
                "role": {"type": "string", "enum": sorted(ORG_ROLES)},
                "granted_on": DATE,
                "scope": array(AGENCY_ID, max_items=50),
                "basis": LINE,
            },
            optional=("scope",),
        ),
        signer_roles=frozenset({"registrar"}),
        rules=(_role_scope, not_after_issue("granted_on")),
        registry_rules=(
            "the role is not already granted to this agency",
            "every agency in scope is registered",
        ),
        example={
            "role": "tpi",
            "granted_on": "2024-11-01",
            "scope": ["pemprov-sulawesi-tenggara"],
            "basis": "Keputusan Gubernur tentang Tim Penilai Internal Zona Integritas",
        },
    )
)


def _role_change(statement: Statement) -> None:
    """A withdrawal names no scope; a new scope is a TPI's, checked as a grant's is."""
    body = statement.body
    if body["change"] == "withdrawn":
        if body.get("scope"):
            raise StatementError(
                "rule:scope-on-withdrawal", "a withdrawn role has no scope", field="/body/scope"
            )
        return
    if body["role"] != "tpi":
        raise StatementError(
            "rule:scope-only-for-tpi",
            f"a {body['role']} role has no scope to change: it can only be withdrawn",
            field="/body/role",
        )
    _role_scope(statement)


register(
    StatementType(
        name="role.changed",
        title={"id": "Perubahan peran", "en": "Role changed"},
        # In the holder's own chain, signed by the registrar, like the grant it changes.
        body_schema=closed(
            {
                "role": {"type": "string", "enum": sorted(ORG_ROLES)},
                "changed_on": DATE,
                "change": {"type": "string", "enum": ["scope", "withdrawn"]},
                "scope": array(AGENCY_ID, max_items=50),
                "basis": LINE,
            },
            optional=("scope",),
        ),
        signer_roles=frozenset({"registrar"}),
        rules=(_role_change, not_after_issue("changed_on")),
        registry_rules=(
            "the agency holds the role by a grant (a role its kind implies is not withdrawn)",
            "every agency in a new scope is registered",
            "a TPI's new scope replaces the old one; a withdrawn role's keys no longer sign "
            "in that role",
        ),
        example={
            "role": "tpi",
            "changed_on": "2025-01-15",
            "change": "scope",
            "scope": ["pemprov-sulawesi-tenggara"],
            "basis": "Keputusan Gubernur tentang perubahan Tim Penilai Internal",
        },
    )
)

register(
    StatementType(
        name="unit.designated",
        title={"id": "Penetapan unit kerja", "en": "Work unit designated"},
        body_schema=closed(
            {
                "unit": AGENCY_ID,
                "designated_on": DATE,
                "target": TARGET,
                "decree": LINE,
            }
        ),
        signer_roles=frozenset({"agency_head"}),
        rules=(not_after_issue("designated_on"),),
        registry_rules=(
            "the unit is a registered agency whose parent is the signing agency, or the "
            "signing agency itself",
            "a unit is designated once",
        ),
        example={
            "unit": "dpmptsp-sultra",
            "designated_on": "2024-12-10",
            "target": "WBK",
            "decree": "Keputusan Gubernur Sulawesi Tenggara tentang Unit Kerja Zona Integritas",
        },
    )
)
