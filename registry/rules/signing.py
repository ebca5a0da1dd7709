"""Who signed a statement, whether they were allowed to, and what a later revocation voids.

A statement is signed by keys of its own agency (valid at its `issued_at`), or by a registrar
key (a trust anchor published outside the log); keys of other agencies count only as
co-signers, from an agency the statement names, in a role its type lists in
`cosigner_roles` (docs/design-decisions.md). `invalidated` is the one rule for what a key
revoked from a past moment makes untrustworthy: the registry, the read model and the auditor
all call it. `check_signatures` may be told which signatures were already verified (the
auditor verifies them on every core first): a `Verified` triple (entry index, key id, public
key) stands for "this entry's signature by this key id verifies with this public key", and
is consulted only after the rules chose that key.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import datetime

from events import Statement, get_type
from keys.dsse import Envelope, verify_signature
from keys.strict import signature_refusal
from registry.rules.errors import RuleError
from registry.rules.records import Invalidation, Signature
from registry.rules.state import AgencyHead, KeyGrant

REGISTRAR = "registrar"
# (entry index, key id, raw public key) of signatures already verified over the entry's PAE.
Verified = Container[tuple[int, str, bytes]]


def check_signatures(
    statement: Statement,
    envelope: Envelope,
    head: AgencyHead | None,
    registrar_keys: Mapping[str, bytes],
    named: Sequence[AgencyHead],
    index: int,
    verified: Verified = (),
) -> tuple[tuple[Signature, ...], frozenset[str]]:
    """Raise `RuleError` unless every signature verifies with a key allowed to sign; return
    the signatures and the roles of the statement's own agency (or registrar) that signed.
    `named` are the heads of the agencies whose keys may countersign."""
    statement_type = get_type(statement.type)
    allowed_roles = statement_type.signer_roles
    known: dict[str, tuple[bytes, str]] = {k: (raw, REGISTRAR) for k, raw in registrar_keys.items()}
    agency_keys = head.keys if head is not None else {}
    for grant in agency_keys.values():
        known.setdefault(grant.keyid, (grant.public_key, grant.role))
    cosigners = _cosigner_keys(named) if statement_type.cosigner_roles else {}
    authorised = False
    withdrawn: set[str] = set()  # organisation roles its keys hold that the agency no longer does
    gone = head.lifecycle.withdrawn if head is not None else ()
    roles: set[str] = set()
    out: list[Signature] = []
    for signature in envelope.signatures:
        kid = signature.keyid
        if kid not in known and kid in cosigners:
            owner, grant = cosigners[kid]
            _check_cosigner(statement, grant, statement_type.cosigner_roles)
            raw = grant.public_key
        elif kid not in known:
            raise RuleError("unknown-key", f"key {kid} is not known to the log")
        else:
            raw, role = known[kid]
            held = agency_keys.get(kid)
            if role != REGISTRAR and held is not None and not held.valid_at(statement.issued_at):
                raise RuleError(
                    "key-not-valid",
                    f"key {kid} was not valid for {statement.agency!r} at "
                    f"{statement.issued_at_text}",
                )
            owner = statement.agency if role != REGISTRAR else REGISTRAR
            if role in gone:
                withdrawn.add(role)
            else:
                roles.add(role)
                authorised = authorised or role in allowed_roles
        if (index, kid, raw) not in verified and not verify_signature(envelope, signature, raw):
            why = signature_refusal(raw, signature.sig)  # an edge case both verifiers refuse
            raise RuleError(
                "bad-signature", f"signature by {kid} does not verify" + (f": {why}" if why else "")
            )
        out.append(Signature(index, statement.agency, kid, owner, statement.issued_at))
    if not authorised and withdrawn & allowed_roles:
        raise RuleError(
            "role-withdrawn",
            f"{statement.agency!r} no longer holds the {', '.join(sorted(withdrawn))} role "
            "its key was granted for",
        )
    if not authorised:
        raise RuleError(
            "signer-not-allowed",
            f"{statement.type} must be signed by one of: {', '.join(sorted(allowed_roles))}",
        )
    return tuple(out), frozenset(roles)


def attribute(
    statement: Statement,
    envelope: Envelope,
    head: AgencyHead | None,
    registrar_keys: Mapping[str, bytes],
    named: Sequence[AgencyHead],
    index: int,
) -> tuple[Signature, ...]:
    """Whose key made each signature, for a statement already checked when it was appended
    (rebuilding the read model from the log): the same attribution, without the checks."""
    agency_keys = head.keys if head is not None else {}
    cosigners = _cosigner_keys(named)
    out = []
    for signature in envelope.signatures:
        kid = signature.keyid
        if kid in registrar_keys:
            owner = REGISTRAR
        elif kid in agency_keys:
            owner = statement.agency
        else:
            owner = cosigners[kid][0] if kid in cosigners else ""
        out.append(Signature(index, statement.agency, kid, owner, statement.issued_at))
    return tuple(out)


def _cosigner_keys(named: Sequence[AgencyHead]) -> dict[str, tuple[str, KeyGrant]]:
    found: dict[str, tuple[str, KeyGrant]] = {}
    for other in named:
        for grant in other.keys.values():
            found.setdefault(grant.keyid, (other.agency, grant))
    return found


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


def invalidated(
    owner: str,
    keyid: str,
    effective_from: str,
    revoked_index: int,
    signatures: Iterable[Signature],
) -> list[Invalidation]:
    """The entries before `revoked_index` that `owner`'s key `keyid` signed at or after
    `effective_from`: a key revoked from a past moment (a compromise) voids what it signed
    since then. They stay in the log and are shown as invalidated."""
    start = datetime.fromisoformat(effective_from)
    return [
        Invalidation(s.index, keyid, s.agency, revoked_index, effective_from)
        for s in signatures
        if s.keyid == keyid
        and s.owner == owner
        and s.index < revoked_index
        and s.issued_at >= start
    ]
