"""The per-type table of the registry's rules: one `TypeRules` entry per statement type.

A statement type is declared once in `events/` (its schema, titles, signer roles, stateless
checks and example) and once here: its stateful guard, the state changes it makes, the other
agencies it is about, the records the read model keeps, its warning rules, and what it voids.
Nothing else in the registry looks at a type's name. The built-in entries are in
`registry.rules.table`; `register_rules` adds one (docs/adding-a-statement-type.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from events import Statement, get_type
from registry.rules.changes import Change, KeyAdded, KeyRevoked, Profile
from registry.rules.facts import Facts
from registry.rules.guards import Context, Find
from registry.rules.records import Invalidation, Record, Warning


@dataclass(frozen=True)
class Entry:
    """An accepted statement where it landed: its entry `index`, how many signed it, and a
    lookup of earlier statements (for records that point at one)."""

    statement: Statement
    index: int
    signers: int
    find: Find


@dataclass(frozen=True)
class Identity:
    """What an identity statement changes in its agency's profile and keys."""

    profile: Profile | None = None
    keys_added: tuple[KeyAdded, ...] = ()
    keys_revoked: tuple[KeyRevoked, ...] = ()


def _no_guard(st: Statement, ctx: Context) -> None:
    return None


def _no_changes(st: Statement, index: int) -> list[tuple[str, Change]]:
    return []


def _no_agencies(st: Statement) -> list[str]:
    return []


def _no_records(entry: Entry) -> list[Record]:
    return []


Changes = Callable[[Statement, int], Sequence[tuple[str, Change]]]
Records = Callable[[Entry], Sequence[Record]]
WarningRule = Callable[[Statement, int, Facts], list[Warning]]
Voids = Callable[[Statement, int, Facts], list[Invalidation]]


@dataclass(frozen=True)
class TypeRules:
    """How the registry treats statements of type `name` (which `events` must declare)."""

    name: str
    guard: Callable[[Statement, Context], None] = _no_guard
    # The lifecycle changes it makes, to its own agency or to the units it names.
    changes: Changes = _no_changes
    # Other agencies the statement is about: it appears in their timelines and feeds.
    about: Callable[[Statement], Sequence[str]] = _no_agencies
    # Agencies whose keys may countersign it (in the type's cosigner roles).
    cosigning: Callable[[Statement], Sequence[str]] = _no_agencies
    identity: Callable[[Statement], Identity] | None = None
    records: Records = _no_records
    warnings: tuple[WarningRule, ...] = ()
    voids: Voids | None = None
    # An early agency status the statement marks (an integrity pact: "pact_signed").
    milestone: str | None = None


RULES: dict[str, TypeRules] = {}


def register_rules(rules: TypeRules) -> TypeRules:
    """Add a type's entry; the type must already be declared in the `events` catalog."""
    get_type(rules.name)  # raises StatementError("unknown-type") if `events` lacks it
    if rules.name in RULES:
        raise ValueError(f"rules for {rules.name!r} are already registered")
    RULES[rules.name] = rules
    return rules


def rules_for(type_name: str) -> TypeRules:
    """The entry of a type; a type declared in `events` without one gets the plain default
    (accepted into its agency's chain, with no state change of its own)."""
    found = RULES.get(type_name)
    return found if found is not None else TypeRules(type_name)


def milestone(type_name: str) -> str | None:
    return rules_for(type_name).milestone
