"""Who may sign what, and when: the pure rules that decide whether a statement joins the log.

The registry (at append time) and the auditor (replaying the log offline) both call these
functions, so the two can never disagree. State is an `AgencyHead` per agency: its chain head
and the keys the log itself granted it. A head only changes through an *effect*, a small JSON
document derived from an accepted statement; the `Agency` aggregate stores effects as events
and the auditor recomputes them from the log. No SQL, no Flask, no eventsourcing here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from events import Statement, get_type
from keys.dsse import Envelope, verify_signature
from keys.ed25519 import b64, key_id, unb64
from registry.rules import lifecycle
from registry.rules.errors import ConflictError as ConflictError
from registry.rules.errors import RuleError as RuleError

REGISTRAR = "registrar"


@dataclass(frozen=True)
class KeyGrant:
    """A public key the log granted to an agency for one role, from one moment."""

    keyid: str
    public_key: bytes
    role: str
    holder: str
    valid_from: datetime
    revoked_from: datetime | None = None

    def valid_at(self, moment: datetime) -> bool:
        return self.valid_from <= moment and (
            self.revoked_from is None or moment < self.revoked_from
        )


@dataclass(frozen=True)
class AgencyHead:
    """An agency's state as the log defines it: profile, chain head and keys."""

    agency: str
    name: str
    kind: str
    parent: str | None
    region: Mapping[str, Any] | None
    seq: int
    hash: str
    issued_at: datetime
    index: int
    keys: Mapping[str, KeyGrant] = field(default_factory=dict)
    # The Zona Integritas lifecycle state of this agency as a unit (and the organisation
    # roles it holds): a JSON document that only `lifecycle.apply_ops` changes.
    zi: Mapping[str, Any] = field(default_factory=dict)


# A statement hash -> (agency, seq, type) lookup, for statements that point at others.
Lookup = Callable[[str], "tuple[str, int, str] | None"]
# An agency id -> its current head (None if not registered), for rules across agencies.
Heads = Callable[[str], "AgencyHead | None"]


def check(
    statement: Statement,
    envelope: Envelope,
    head: AgencyHead | None,
    received_at: datetime,
    registrar_keys: Mapping[str, bytes],
    lookup: Lookup,
    heads: Heads | None = None,
) -> tuple[str, ...]:
    """Raise `RuleError` unless `statement` may extend `head`; return the verified key ids.

    `heads` gives the current head of any other agency (the units a statement names, a
    witness's parents); without it only `statement.agency` is known, and every rule that
    needs another agency refuses.
    """
    if heads is None:

        def heads(agency: str) -> AgencyHead | None:
            return head if agency == statement.agency else None

    if statement.type == "agency.registered":
        if head is not None:
            raise ConflictError(
                "agency-exists", f"agency {statement.agency!r} is already registered", head
            )
    elif head is None:
        raise RuleError("unknown-agency", f"agency {statement.agency!r} is not registered")
    else:
        _check_chain(statement, head)
    if statement.issued_at > received_at:
        raise RuleError(
            "issued-in-future",
            f"issued_at {statement.issued_at_text} is later than the time received "
            f"{received_at.isoformat()}",
        )
    signers, roles = _check_signatures(statement, envelope, head, registrar_keys, heads)
    _check_references(statement, head, lookup)
    lifecycle.check(statement, head, heads, roles, lookup)
    return signers


def _check_chain(statement: Statement, head: AgencyHead) -> None:
    expected = head.seq + 1
    if statement.seq != expected:
        raise ConflictError(
            "stale-seq",
            f"seq {statement.seq} does not extend agency {head.agency!r}: expected {expected}",
            head,
        )
    if statement.prev != head.hash:
        raise ConflictError(
            "stale-prev",
            f"prev {statement.prev} is not the hash of agency {head.agency!r}'s head {head.hash}",
            head,
        )
    if statement.issued_at < head.issued_at:
        raise RuleError(
            "not-chronological",
            f"issued_at {statement.issued_at_text} is earlier than the agency's previous "
            f"statement ({head.issued_at.isoformat()})",
        )


def _check_signatures(
    statement: Statement,
    envelope: Envelope,
    head: AgencyHead | None,
    registrar_keys: Mapping[str, bytes],
    heads: Heads,
) -> tuple[tuple[str, ...], frozenset[str]]:
    """The verified key ids, and the roles of the statement's own agency (or registrar) that
    signed. Keys of other agencies count only as co-signers: from an agency the statement
    names, in a role the type lists in `cosigner_roles` (docs/design-decisions.md)."""
    statement_type = get_type(statement.type)
    allowed_roles = statement_type.signer_roles
    known: dict[str, tuple[bytes, str]] = {k: (raw, REGISTRAR) for k, raw in registrar_keys.items()}
    agency_keys = head.keys if head is not None else {}
    for grant in agency_keys.values():
        known.setdefault(grant.keyid, (grant.public_key, grant.role))
    cosigners: dict[str, KeyGrant] = {}
    if statement_type.cosigner_roles:
        for other in lifecycle.named_agencies(statement):
            found = heads(other)
            for grant in found.keys.values() if found is not None else ():
                cosigners.setdefault(grant.keyid, grant)
    authorised = False
    roles: set[str] = set()
    verified: list[str] = []
    for signature in envelope.signatures:
        if signature.keyid not in known and signature.keyid in cosigners:
            _check_cosigner(statement, cosigners[signature.keyid], statement_type.cosigner_roles)
            if not verify_signature(envelope, signature, cosigners[signature.keyid].public_key):
                raise RuleError("bad-signature", f"signature by {signature.keyid} does not verify")
            verified.append(signature.keyid)
            continue
        if signature.keyid not in known:
            raise RuleError("unknown-key", f"key {signature.keyid} is not known to the log")
        raw, role = known[signature.keyid]
        held = agency_keys.get(signature.keyid)
        if role != REGISTRAR and held is not None and not held.valid_at(statement.issued_at):
            raise RuleError(
                "key-not-valid",
                f"key {signature.keyid} was not valid for {statement.agency!r} at "
                f"{statement.issued_at_text}",
            )
        if not verify_signature(envelope, signature, raw):
            raise RuleError("bad-signature", f"signature by {signature.keyid} does not verify")
        verified.append(signature.keyid)
        roles.add(role)
        authorised = authorised or role in allowed_roles
    if not authorised:
        raise RuleError(
            "signer-not-allowed",
            f"{statement.type} must be signed by one of: {', '.join(sorted(allowed_roles))}",
        )
    return tuple(verified), frozenset(roles)


def _check_cosigner(statement: Statement, grant: KeyGrant, allowed: frozenset[str]) -> None:
    if grant.role not in allowed:
        raise RuleError(
            "cosigner-not-allowed",
            f"key {grant.keyid} ({grant.role}) may not countersign {statement.type}: "
            f"co-signers are {', '.join(sorted(allowed))} of the agencies it names",
        )
    if not grant.valid_at(statement.issued_at):
        raise RuleError(
            "key-not-valid",
            f"co-signing key {grant.keyid} was not valid at {statement.issued_at_text}",
        )


def _check_references(statement: Statement, head: AgencyHead | None, lookup: Lookup) -> None:
    body = statement.body
    if statement.type in ("key.added", "agency.registered"):
        new = body["keys"] if statement.type == "agency.registered" else [body]
        for grant in new:
            kid = key_id(unb64(grant["public_key"]))
            if head is not None and kid in head.keys:
                raise RuleError("key-exists", f"key {kid} is already granted to this agency")
    elif statement.type == "key.revoked":
        assert head is not None
        grant_ = head.keys.get(body["keyid"])
        if grant_ is None:
            raise RuleError("unknown-key", f"key {body['keyid']} is not a key of this agency")
        if grant_.revoked_from is not None:
            raise RuleError("key-revoked", f"key {body['keyid']} is already revoked")
    elif statement.type == "zi.witnessed":
        ref = body["declaration"]
        found = lookup(ref["hash"])
        if found is None or found != (ref["agency"], ref["seq"], "zi.declared"):
            raise RuleError(
                "unknown-declaration",
                f"no zi.declared statement {ref['hash']} at seq {ref['seq']} of {ref['agency']!r}",
            )


def effect(statement: Statement, index: int) -> dict[str, Any]:
    """The JSON-able change an accepted statement makes to its agency's head."""
    body = statement.body
    out: dict[str, Any] = {
        "index": index,
        "seq": statement.seq,
        "hash": statement.hash,
        "issued_at": statement.issued_at_text,
        "type": statement.type,
        "keys_added": [],
        "keys_revoked": [],
    }
    if statement.type == "agency.registered":
        out["profile"] = {
            "agency": statement.agency,
            "name": body["name"],
            "kind": body["kind"],
            "parent": body.get("parent"),
            "region": body.get("region"),
        }
        out["keys_added"] = [_grant_json(g, statement) for g in body["keys"]]
    elif statement.type == "key.added":
        out["keys_added"] = [_grant_json(body, statement)]
    elif statement.type == "key.revoked":
        out["keys_revoked"] = [{"keyid": body["keyid"], "from": body["effective_from"]}]
    own = lifecycle.ops_for(statement, index).get(statement.agency)
    if own:
        out["zi"] = own
    return out


def notes(statement: Statement, index: int) -> dict[str, dict[str, Any]]:
    """The changes an accepted statement makes to *other* agencies' heads (the units it names:
    declared, assessed, proposed, awarded ...), as effects `apply_effect` takes: they change
    the lifecycle state only, never the other agency's chain position or keys."""
    return {
        agency: {"index": index, "note": statement.hash, "zi": ops}
        for agency, ops in lifecycle.ops_for(statement, index).items()
        if agency != statement.agency
    }


def _grant_json(grant: Mapping[str, Any], statement: Statement) -> dict[str, Any]:
    return {
        "keyid": key_id(unb64(grant["public_key"])),
        "public_key": grant["public_key"],
        "role": grant["role"],
        "holder": grant["holder"],
        "valid_from": statement.issued_at_text,
    }


def apply_effect(head: AgencyHead | None, change: Mapping[str, Any]) -> AgencyHead:
    """The head after `change` (an `effect` or one of `notes`); `head` is None only for the
    registering effect."""
    if "note" in change:
        if head is None:
            raise ValueError("a note changes an existing agency only")
        return replace(head, zi=lifecycle.apply_ops(head.zi, change["zi"]))
    keys = dict(head.keys) if head is not None else {}
    for g in change["keys_added"]:
        keys[g["keyid"]] = KeyGrant(
            keyid=g["keyid"],
            public_key=unb64(g["public_key"]),
            role=g["role"],
            holder=g["holder"],
            valid_from=datetime.fromisoformat(g["valid_from"]),
        )
    for r in change["keys_revoked"]:
        keys[r["keyid"]] = replace(keys[r["keyid"]], revoked_from=datetime.fromisoformat(r["from"]))
    common = {
        "seq": change["seq"],
        "hash": change["hash"],
        "issued_at": datetime.fromisoformat(change["issued_at"]),
        "index": change["index"],
        "keys": keys,
        "zi": lifecycle.apply_ops(head.zi if head is not None else {}, change.get("zi", [])),
    }
    if head is None:
        return AgencyHead(**change["profile"], **common)
    return replace(head, **common)


def head_json(head: AgencyHead) -> dict[str, Any]:
    """The public JSON of a head, as the API serves it to clients building their next statement."""
    return {
        "agency": head.agency,
        "name": head.name,
        "kind": head.kind,
        "parent": head.parent,
        "region": head.region,
        "head": {"seq": head.seq, "hash": head.hash, "index": head.index},
        "keys": [
            {
                "keyid": g.keyid,
                "public_key": b64(g.public_key),
                "role": g.role,
                "holder": g.holder,
                "valid_from": g.valid_from.isoformat(),
                "revoked_from": g.revoked_from.isoformat() if g.revoked_from else None,
            }
            for g in head.keys.values()
        ],
        "lifecycle": dict(head.zi),
    }
