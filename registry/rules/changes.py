"""Typed, pure change records: what an accepted statement changes in an agency's state.

A statement's effect on one agency is either `Advanced` (its own chain moved on: position,
keys, profile, and lifecycle changes) or `Noted` (a statement of another agency changed its
lifecycle: a declaration naming it, an evaluation, an award). Lifecycle changes are one
dataclass each (`Declared`, `Built`, `Awarded` ...), applied by `registry.rules.lifecycle`.

Each record has one JSON form, kept stable because it is what the `Agency` aggregate stores
and what `/agencies.json` publishes for auditors: `to_json` / `effect_from_json` are the only
places that know it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any, ClassVar


def _plain(value: Any) -> Any:
    """JSON form of a field: tuples become lists, mappings dicts, recursively."""
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _frozen(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


@dataclass(frozen=True)
class Change:
    """A lifecycle change; `OP` names it in the stored JSON, `index` is the entry that made it."""

    OP: ClassVar[str] = ""
    index: int

    @classmethod
    def stored(cls, fields: dict[str, Any]) -> dict[str, Any]:
        """The fields of a change as stored, completed where an older form lacks one."""
        return fields

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.OP}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is not None or not f.metadata.get("optional"):
                out[f.name] = _plain(value)
        return out


def _optional() -> Any:
    return field(default=None, metadata={"optional": True})


@dataclass(frozen=True)
class RoleGranted(Change):
    OP = "role"
    role: str
    scope: tuple[str, ...]


@dataclass(frozen=True)
class RoleChanged(Change):
    """The registrar gave a granted role a new scope, or withdrew it (`scope` None)."""

    OP = "role-changed"
    role: str
    scope: tuple[str, ...] | None


@dataclass(frozen=True)
class Declared(Change):
    OP = "declared"
    on: str
    target: str
    by: str
    whole: bool  # the agency declared itself, so it is also designated
    seq: int | None = _optional()  # the declaration's place in its agency's chain
    logged_on: str | None = _optional()  # the day the log received it (`stamp_logged`)


@dataclass(frozen=True)
class Attested(Change):
    """A witness attested the declarer's declaration `seq`, saying it saw it on `on`."""

    OP = "attested"
    seq: int
    on: str
    by: str


@dataclass(frozen=True)
class Designated(Change):
    OP = "designated"
    on: str
    by: str


@dataclass(frozen=True)
class Built(Change):
    """A building step; for action plans, the items added, re-dated, cancelled or done."""

    OP = "building"
    on: str
    add: Mapping[str, str] | None = _optional()  # item -> due
    redate: Mapping[str, str] | None = _optional()
    cancel: tuple[str, ...] | None = _optional()
    done: tuple[str, ...] | None = _optional()


@dataclass(frozen=True)
class Assessed(Change):
    OP = "assessed"
    on: str
    recommendation: str
    target: str
    ref: Mapping[str, Any]


@dataclass(frozen=True)
class WindowAnnounced(Change):
    OP = "window"
    year: int


@dataclass(frozen=True)
class Proposed(Change):
    OP = "proposed"
    on: str
    year: int
    target: str
    by: str


@dataclass(frozen=True)
class Evaluated(Change):
    OP = "evaluated"
    on: str
    stage: str


@dataclass(frozen=True)
class Awarded(Change):
    """A designation `predicate` for the `year` the award statement names, awarded on `on`
    (the decree's day, which may fall in the next year)."""

    OP = "awarded"
    on: str
    predicate: str
    by: str
    year: int

    @classmethod
    def stored(cls, fields: dict[str, Any]) -> dict[str, Any]:
        # Agencies' events stored before the change carried the year lack it: the award day's
        # year is all they say (a rebuilt read model derives the statement's year again).
        return {"year": int(fields["on"][:4])} | fields


@dataclass(frozen=True)
class NotMet(Change):
    OP = "not_met"
    on: str


@dataclass(frozen=True)
class Revoked(Change):
    OP = "revoked"
    on: str


@dataclass(frozen=True)
class SelfEvaluationGranted(Change):
    OP = "self_evaluation"
    on: str
    regulation: str


@dataclass(frozen=True)
class Retracted(Change):
    OP = "retracted"
    seq: int


@dataclass(frozen=True)
class Confirmed(Change):
    """The agency's own declaration (entry `index`) confirms the declaration the registrar
    recorded from a public source at its `seq` (`zi.declared` with `confirms`)."""

    OP = "confirmed"
    seq: int


@dataclass(frozen=True)
class Quarantined(Change):
    """Entries signed with a key later revoked from a moment before them (a compromise): the
    agency's lifecycle is computed again from `kept`, every change it had so far but those of
    the voided entries (`index`, on `on`, is the revocation). Carrying them makes the change
    apply by itself, so no state has to keep a history for the rare revocation."""

    OP = "quarantined"
    on: str
    voided: tuple[int, ...]
    kept: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        out = super().to_json()
        out["kept"] = [c.to_json() for c in self.kept]
        return out


CHANGES: dict[str, type[Change]] = {
    c.OP: c
    for c in (
        RoleGranted,
        RoleChanged,
        Declared,
        Attested,
        Designated,
        Built,
        Assessed,
        WindowAnnounced,
        Proposed,
        Evaluated,
        Awarded,
        NotMet,
        Revoked,
        SelfEvaluationGranted,
        Retracted,
        Confirmed,
        Quarantined,
    )
}


def stamp_logged(change: Change, day: str) -> Change:
    """`change` with the day the log received its statement, where it records one."""
    if any(f.name == "logged_on" for f in fields(change)):
        return replace(change, logged_on=day)  # type: ignore[call-arg]
    return change


def change_from_json(data: Mapping[str, Any]) -> Change:
    cls = CHANGES[data["op"]]
    fields = {k: _frozen(v) for k, v in data.items() if k not in ("op", "kept")}
    if cls is Quarantined:
        fields["kept"] = tuple(change_from_json(c) for c in data["kept"])
    return cls(**cls.stored(fields))


def current_form(effect: Mapping[str, Any]) -> dict[str, Any]:
    """A stored effect as this Pakta writes it: each lifecycle change read back through its
    type's `stored` (an older form completed: an award stored before designations kept their
    year gets the award day's year) and written again. What auditors are served and compare."""
    if not effect.get("zi"):
        return dict(effect)
    try:
        return {**effect, "zi": [change_from_json(c).to_json() for c in effect["zi"]]}
    except (KeyError, TypeError, ValueError, AttributeError):
        return dict(effect)  # not a form this Pakta reads: compared as it is, so it differs


def lifecycle_changes(effects: Iterable[Mapping[str, Any]]) -> list[Change]:
    """The lifecycle changes in an agency's stored effects (`Advanced`/`Noted` JSON), in order."""
    return [change_from_json(c) for e in effects for c in e.get("zi", ())]


@dataclass(frozen=True)
class KeyAdded:
    keyid: str
    public_key: str  # base64, as signed
    role: str
    holder: str
    valid_from: str  # the issued_at of the statement that added it


@dataclass(frozen=True)
class KeyRevoked:
    keyid: str
    effective_from: str


@dataclass(frozen=True)
class Profile:
    agency: str
    name: str
    kind: str
    parent: str | None
    region: Mapping[str, Any] | None


@dataclass(frozen=True)
class Advanced:
    """The agency's own statement moved its chain on (and maybe its keys and lifecycle)."""

    index: int
    seq: int
    hash: str
    issued_at: str
    type: str
    keys_added: tuple[KeyAdded, ...] = ()
    keys_revoked: tuple[KeyRevoked, ...] = ()
    profile: Profile | None = None  # only at registration
    lifecycle: tuple[Change, ...] = ()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "index": self.index,
            "seq": self.seq,
            "hash": self.hash,
            "issued_at": self.issued_at,
            "type": self.type,
            "keys_added": [_plain(k.__dict__) for k in self.keys_added],
            "keys_revoked": [
                {"keyid": r.keyid, "from": r.effective_from} for r in self.keys_revoked
            ],
        }
        if self.profile is not None:
            out["profile"] = _plain(self.profile.__dict__)
        if self.lifecycle:
            out["zi"] = [c.to_json() for c in self.lifecycle]
        return out


@dataclass(frozen=True)
class Noted:
    """A statement of another agency (`note` is its hash) changed this agency's lifecycle."""

    index: int
    note: str
    lifecycle: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "note": self.note, "zi": [c.to_json() for c in self.lifecycle]}


Effect = Advanced | Noted


def advanced_from_json(data: Mapping[str, Any]) -> Advanced:
    profile = data.get("profile")
    return Advanced(
        index=data["index"],
        seq=data["seq"],
        hash=data["hash"],
        issued_at=data["issued_at"],
        type=data["type"],
        keys_added=tuple(KeyAdded(**k) for k in data["keys_added"]),
        keys_revoked=tuple(KeyRevoked(r["keyid"], r["from"]) for r in data["keys_revoked"]),
        profile=Profile(**_frozen(profile)) if profile is not None else None,
        lifecycle=tuple(change_from_json(c) for c in data.get("zi", ())),
    )


def noted_from_json(data: Mapping[str, Any]) -> Noted:
    return Noted(
        index=data["index"],
        note=data["note"],
        lifecycle=tuple(change_from_json(c) for c in data["zi"]),
    )
