"""Stateless rules several statement types share: functions of one statement alone.

Each raises `StatementError("rule:<name>")` with the JSON Pointer of the offending field: a
document hash required, a date not after the day of `issued_at`, values listed once, no
personal ID numbers where an office is meant, no public key that speaks for no one, LKE scores
within their regulation's weights.
Rules that need the log (who holds which key, what came before) are the registry's
(`registry/rules/`), not these.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from decimal import Decimal

from keys.ed25519 import unb64
from keys.strict import public_key_refusal

from .dates import parse_date
from .errors import StatementError
from .model import Statement
from .regulations import REGULATIONS

Rule = Callable[[Statement], None]


def documents_required(statement: Statement) -> None:
    """The statement must carry the hash of at least one signed document."""
    if not statement.documents:
        raise StatementError(
            "rule:document-required",
            f"{statement.type} must list the signed document's SHA-256 in documents",
            field="/documents",
        )


class NotAfterIssue:
    """A rule: the body's date `field` is not later than the day (at its offset) of
    issued_at. The field is the one dating the fact the statement records
    (`StatementType.fact_date`)."""

    def __init__(self, field: str) -> None:
        self.field = field
        # The catalog documents rules by their name and first docstring line.
        self.__name__ = f"not_after_issue_{field}"
        self.__doc__ = f"{field} is not later than the day of issued_at (at its offset)."

    def __call__(self, statement: Statement) -> None:
        day = parse_date(statement.body[self.field], field=f"/body/{self.field}")
        if day > statement.issued_at.date():
            raise StatementError(
                "rule:date-after-issue",
                f"{self.field} {day} is later than issued_at {statement.issued_at_text}: "
                "a statement records what has happened",
                field=f"/body/{self.field}",
            )


def not_after_issue(name: str) -> Rule:
    """The rule that the body's date `name` is not later than the day of issued_at."""
    return NotAfterIssue(name)


# A run of 16 or more digits (perhaps grouped by spaces, dots or dashes) is what a NIK (16)
# or NIP (18) looks like; a key holder is named by office, never by a person's ID number.
_ID_NUMBER = re.compile(r"[0-9](?:[ .-]?[0-9]){15,}")


def refuse_repeats(values: Iterable[str], code: str, what: str, field: str) -> None:
    """Refuse the second occurrence of any value: `field` is a JSON Pointer with `{i}` for its
    position, `what` names the value in the message ("unit", "item", ...)."""
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise StatementError(code, f"{what} {value!r} is listed twice", field=field.format(i=i))
        seen.add(value)


def refuse_id_number(text: str, field: str) -> None:
    """Refuse text that looks like a NIK or NIP: offices are named, never persons' ID numbers."""
    if _ID_NUMBER.search(text):
        raise StatementError(
            "rule:personal-id-number",
            "looks like a personal ID number (NIK/NIP); name the office, not the person",
            field=field,
        )


def refuse_weak_key(public_key: str, field: str) -> None:
    """Refuse a public key (base64, as the schema checked it) that is not a canonical
    encoding or is of small order (`keys.strict`): anyone can make signatures that verify
    with a key of small order, and verifiers disagree about them."""
    refusal = public_key_refusal(unb64(public_key))
    if refusal is not None:
        raise StatementError(
            "rule:weak-public-key", f"{refusal}: it cannot be granted", field=field
        )


def regulation_in_force(date_field: str) -> Rule:
    """A rule: the regulation the body names was in force on the body's date `date_field`
    (a 2026 proposal cannot be made under rules that 5/2024 replaced in 2024)."""

    def rule(statement: Statement) -> None:
        rid = statement.body["regulation"]
        day = parse_date(statement.body[date_field], field=f"/body/{date_field}")
        reg = REGULATIONS[rid]
        if not reg.in_force_on(day):
            until = f" until {reg.in_force_until}" if reg.in_force_until else ""
            raise StatementError(
                "rule:regulation-not-in-force",
                f"{rid} was not in force on {date_field} {day}: it applies from "
                f"{reg.in_force_from}{until}",
                field="/body/regulation",
            )

    rule.__name__ = f"regulation_in_force_{date_field}"
    rule.__doc__ = f"The named regulation was in force on {date_field}."
    return rule


def scores_within_weights(where: str = "scores") -> Rule:
    """A rule: each LKE component in `body[where]` is at most its weight in the named
    regulation (events/regulations.json)."""

    def rule(statement: Statement) -> None:
        body = statement.body
        if where not in body:
            return
        reg = REGULATIONS[body["regulation"]]
        for group, weights in (("areas", reg.areas), ("results", reg.results)):
            for name, weight in weights.items():
                value = Decimal(body[where][group][name])
                if value > weight:
                    raise StatementError(
                        "rule:score-exceeds-weight",
                        f"{name} scores {value}, more than its weight {weight} under {reg.id}",
                        field=f"/body/{where}/{group}/{name}",
                    )

    rule.__name__ = f"scores_within_weights_{where}"
    return rule
