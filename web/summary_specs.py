"""The pieces the summary sentences are made of, as data (the table is web/summary_table.py).

A type's rule is a tuple of `Part`s: a gettext message id (Indonesian; `N_` marks it for
extraction) with named parameters, and an optional condition (`When`) on the body that picks
it; the sentence is the parts whose condition holds, joined by a space. Each parameter is a
small typed spec saying where its value is in the body (a dotted path) and how it is written.
Two interpreters read these records and nothing else: `web.summaries.summary` (Python, the
pages and feeds) and web/static/verify/summary.js (the browser's check of an entry page, from
the records exported by web/summary_export.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal


def N_(text: str) -> str:
    """A message id for pybabel to extract (its default keywords include N_), kept as it is."""
    return text


def value_at(body: Any, path: str) -> Any:
    """The value at a dotted path ("period.from") of a body; "" is the body itself; None when
    a step is missing or not an object."""
    found = body
    for key in path.split(".") if path else ():
        if not isinstance(found, Mapping):
            return None
        found = found.get(key)
    return found


@dataclass(frozen=True)
class Signer:
    """The agency whose statement it is, as a link to its page."""

    kind: ClassVar[str] = "signer"


@dataclass(frozen=True)
class Agency:
    """An agency named by id at `path`, as a link; with `otherwise`, the plain text at that
    path when there is no id (a declared unit not registered in Pakta)."""

    path: str
    otherwise: str | None = None
    kind: ClassVar[str] = "agency"


@dataclass(frozen=True)
class Day:
    """A date (or a timestamp's date) in words, as `web.dates.day` writes it."""

    path: str
    kind: ClassVar[str] = "day"


@dataclass(frozen=True)
class Text:
    """A value as it is (a name, a place, a reason, a target such as WBK)."""

    path: str
    kind: ClassVar[str] = "text"


@dataclass(frozen=True)
class Number:
    """A whole number as it is (a year, a count the body states)."""

    path: str
    kind: ClassVar[str] = "number"


@dataclass(frozen=True)
class Count:
    """How many items the list at `path` has (0 without one)."""

    path: str
    kind: ClassVar[str] = "count"


@dataclass(frozen=True)
class Decimal:
    """A decimal as `web.dates.decimal` writes it ("88,30" in Indonesian)."""

    path: str
    kind: ClassVar[str] = "decimal"


@dataclass(frozen=True)
class Role:
    """A key role's name (`web.wording.role_name`)."""

    path: str
    kind: ClassVar[str] = "role"


@dataclass(frozen=True)
class Word:
    """One of a few codes in words (message ids); an unknown code is shown as it is."""

    path: str
    words: tuple[tuple[str, str], ...]
    kind: ClassVar[str] = "word"


@dataclass(frozen=True)
class Flag:
    """`yes` when the value is true, else `no` (message ids)."""

    path: str
    yes: str
    no: str
    kind: ClassVar[str] = "flag"


Single = Signer | Agency | Day | Text | Number | Count | Decimal | Role | Word | Flag


@dataclass(frozen=True)
class Items:
    """Each item of the list at `path` written with `item` (its paths relative to the item),
    joined by ", "; with `needs`, only the items that are objects with that field; `empty`
    when none is left."""

    path: str
    item: Single
    needs: str | None = None
    empty: str = ""
    kind: ClassVar[str] = "items"


Spec = Single | Items


@dataclass(frozen=True)
class When:
    """A part's condition on the body: the value at `path` is true / false, or (`is_` "eq",
    "ne") equal / not equal to `value`, or ("has") a list with an object having field `value`."""

    path: str
    is_: Literal["truthy", "falsy", "eq", "ne", "has"]
    value: str | None = None

    def holds(self, body: Mapping[str, Any]) -> bool:
        found = value_at(body, self.path)
        if self.is_ == "has":
            items = found if isinstance(found, list) else []
            return any(isinstance(i, Mapping) and self.value in i for i in items)
        if self.is_ == "truthy":
            return bool(found)
        if self.is_ == "falsy":
            return not found
        return bool(found == self.value) == (self.is_ == "eq")


@dataclass(frozen=True)
class Part:
    """One sentence: its message id, its parameters, and when it is said (always if None)."""

    msgid: str
    params: Mapping[str, Spec] = field(default_factory=dict)
    when: When | None = None


Rule = tuple[Part, ...]
