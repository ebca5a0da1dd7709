"""What the registrar makes of key requests: `agency.registered`, `role.granted`, `key.added`.

`plan(requests, head, ...)` takes checked key requests for one agency (`events.key_request`)
and the agency's head as the API serves it (None when the agency is not registered) and
returns the statements (type and body) to sign with the registrar key, in order:
- not registered: one `agency.registered` with every requested key, from the requests'
  `new_agency` profile (all that carry one must agree); its org-role keys (tpn, tpi, witness)
  make the registration's grant of that role, as the rules say;
- registered: a request's profile, if it carries one, must be the registered one; a key
  already granted is refused; a requested org role the agency does not hold yet is granted
  first by `role.granted` (with the basis, and for a TPI the scope, the registrar gives),
  then each key by `key.added`.
The proof of possession was checked when the requests were parsed. Plain values in and out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from events.fragments import ORG_ROLES
from events.key_request import KeyRequest
from keys.errors import PaktaError
from registry.rules.guards import KIND_ROLES

Planned = tuple[str, dict[str, Any]]


class RegistrationError(PaktaError):
    """Key requests the registrar cannot turn into statements as they are."""


def _profile(requests: Sequence[KeyRequest]) -> dict[str, Any]:
    profiles = [dict(r.new_agency) for r in requests if r.new_agency is not None]
    if not profiles:
        raise RegistrationError(
            f"{requests[0].agency!r} is not registered and no request carries the new "
            "agency's name, kind, parent and region (pakta key-request --new-agency ...)"
        )
    if any(p != profiles[0] for p in profiles[1:]):
        raise RegistrationError(
            f"the requests for {requests[0].agency!r} describe the new agency differently"
        )
    return profiles[0]


def plan(
    requests: Sequence[KeyRequest],
    head: Mapping[str, Any] | None,
    *,
    today: date,
    basis: str | None = None,
    scope: Sequence[str] = (),
) -> list[Planned]:
    """The statements that register `requests` (see the module docstring)."""
    if not requests:
        raise RegistrationError("no key requests")
    agency = requests[0].agency
    if any(r.agency != agency for r in requests):
        raise RegistrationError("the key requests are for different agencies: register each")
    keyids = [r.keyid for r in requests]
    if len(set(keyids)) != len(keyids):
        raise RegistrationError("the same key is requested twice")
    if head is None:
        if basis is not None or scope:
            raise RegistrationError(
                f"{agency!r} is new: its registration grants the roles of its keys (a TPI's "
                "scope is its parent), so --basis and --scope are not used"
            )
        body = {**_profile(requests), "keys": [r.grant() for r in requests]}
        return [("agency.registered", body)]
    for r in requests:
        if r.new_agency is not None:
            registered = {k: head.get(k) for k in ("name", "kind", "parent")}
            asked = {k: r.new_agency.get(k) for k in ("name", "kind", "parent")}
            if asked != registered:
                raise RegistrationError(
                    f"{agency!r} is already registered as {registered}, but the request for "
                    f"{r.keyid} describes it as {asked}"
                )
    granted = {k.get("keyid") for k in head.get("keys", ())}
    for kid in keyids:
        if kid in granted:
            raise RegistrationError(f"key {kid} is already granted to {agency!r}")
    held = set(head.get("lifecycle", {}).get("roles", {})) | KIND_ROLES.get(
        str(head.get("kind")), frozenset()
    )
    out: list[Planned] = []
    missing = sorted({r.role for r in requests} & ORG_ROLES - held)
    if (basis is not None or scope) and not missing:
        raise RegistrationError(
            f"{agency!r} already holds the roles requested: --basis and --scope are not used"
        )
    if scope and "tpi" not in missing:
        raise RegistrationError("only a TPI grant has a scope: --scope is not used")
    for role in missing:
        if basis is None:
            raise RegistrationError(
                f"{agency!r} does not hold the {role} role yet: give the decision that grants "
                "it with --basis (and, for a TPI, the agencies it assesses with --scope)"
            )
        grant: dict[str, Any] = {"role": role, "granted_on": today.isoformat(), "basis": basis}
        if role == "tpi":
            if not scope:
                raise RegistrationError("a TPI grant names the agencies it assesses: --scope")
            grant["scope"] = list(scope)
        out.append(("role.granted", grant))
    out.extend(("key.added", r.grant()) for r in requests)
    return out
