"""The warning rules (DOMAIN.md, "warn"): accept the statement, and flag it publicly.

Each rule is a pure function of a statement, its entry and the `Facts` so far, returning
`Warning`s with an English message (for auditors and feeds) and the same facts as fields
(for pages, which word them in their own language: `web/wording.py`). The registry, the read
model's rebuild and the auditor call the same rules. Two warnings depend on today's date and
are therefore never stored: items overdue and declarations nobody has attested
(`overdue_items`, `unwitnessed`); the read queries and `pakta audit --report` call those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from events import Statement, get_type
from events.dates import parse_date
from events.regulations import REGULATIONS, missing_prerequisites, shortfalls
from registry.rules.facts import Facts
from registry.rules.records import Invalidation, Warning

LATE_POSTING = timedelta(days=30)


def late_posting(st: Statement, index: int, received: datetime) -> list[Warning]:
    """Posted more than 30 days after the date it carries."""
    if received - st.issued_at <= LATE_POSTING:
        return []
    days = (received - st.issued_at).days
    message = f"issued_at {st.issued_at_text} is {days} days before the registry received it"
    facts = {"issued_at": st.issued_at_text, "days": days}
    return [Warning(index, "late-posting", st.agency, st.agency, message, facts)]


def backdated_fact(st: Statement, index: int, received: datetime) -> list[Warning]:
    """The fact it records is dated more than 30 days before the registry received it, though
    its `issued_at` is recent (a late `issued_at` is `late_posting`'s warning already)."""
    name = get_type(st.type).fact_date
    if name is None or name not in st.body or received - st.issued_at > LATE_POSTING:
        return []
    day = parse_date(st.body[name])
    got = received.astimezone(st.issued_at.tzinfo).date()
    if got - day <= LATE_POSTING:
        return []
    days = (got - day).days
    message = f"{name} {day} is {days} days before the registry received it"
    facts = {"field": name, "date": day.isoformat(), "days": days}
    return [Warning(index, "fact-backdated", st.agency, st.agency, message, facts)]


def pact_coverage(st: Statement, index: int, facts: Facts) -> list[Warning]:
    """An integrity pact signed by under half of the staff."""
    body = st.body
    if body["signatories"] * 2 >= body["staff_total"]:
        return []
    message = f"{body['signatories']} of {body['staff_total']} staff signed the pact (under half)"
    numbers = {"signatories": body["signatories"], "staff_total": body["staff_total"]}
    return [Warning(index, "pact-coverage-low", st.agency, st.agency, message, numbers)]


def proposal(st: Statement, index: int, facts: Facts) -> list[Warning]:
    """A proposal after the year's deadline, over the year's quota, or with prerequisites
    missing (by the figures the proposer itself declares)."""
    body = st.body
    year = body["year"]
    window = facts.window(year)
    reg = REGULATIONS[body["regulation"]]
    deadline = window.deadline if window else f"{year}-{reg.default_deadline}"
    out = []
    if parse_date(body["submitted_on"]) > parse_date(deadline):
        source = "the TPN's window" if window else f"{reg.id}'s default"
        message = (
            f"proposed on {body['submitted_on']}, after the {year} deadline {deadline} ({source})"
        )
        numbers = {"submitted_on": body["submitted_on"], "year": year, "deadline": deadline}
        out.append(Warning(index, "deadline-missed", st.agency, st.agency, message, numbers))
    if window is not None:
        count = facts.proposals(st.agency, year) + len(body["units"])
        if count > window.quota:
            message = f"{count} units proposed for {year}, over the quota of {window.quota}"
            numbers = {"count": count, "year": year, "quota": window.quota}
            out.append(Warning(index, "over-quota", st.agency, st.agency, message, numbers))
    for unit in body["units"]:
        missing = missing_prerequisites(reg.id, unit["target"], body["prerequisites"])
        if missing:
            message = f"{unit['unit']} ({unit['target']}): " + "; ".join(map(str, missing))
            numbers = {
                "unit": unit["unit"],
                "target": unit["target"],
                "gaps": [list(gap[:3]) for gap in missing],
            }
            out.append(
                Warning(index, "prerequisites-missing", st.agency, unit["unit"], message, numbers)
            )
    return out


def award(st: Statement, index: int, facts: Facts) -> list[Warning]:
    """A designation awarded below the regulation's thresholds by the latest scores in the
    log (the TPN's, else the TPI's), or with no scores at all."""
    body = st.body
    unit, predicate = body["unit"], body["predicate"]
    latest = facts.latest_scores(unit)
    if latest is None or latest.scores is None:
        message = f"{predicate} awarded to {unit} with no TPN or TPI scores in the log"
        numbers = {"predicate": predicate, "unit": unit}
        return [Warning(index, "below-thresholds", st.agency, unit, message, numbers)]
    short = shortfalls(body["regulation"], predicate, latest.scores, latest.indices)
    if not short:
        return []
    message = (
        f"{predicate} awarded to {unit} below the {body['regulation']} thresholds "
        f"({latest.source.upper()} scores of entry {latest.index}): " + "; ".join(map(str, short))
    )
    numbers = {
        "predicate": predicate,
        "unit": unit,
        "regulation": body["regulation"],
        "source": latest.source,
        "scored_in": latest.index,
        "gaps": [list(gap[:3]) for gap in short],
    }
    return [Warning(index, "below-thresholds", st.agency, unit, message, numbers)]


# The warning that marks an entry a compromise voided: it stays when the entry's own go.
REVOKED_KEY_WARNING = "signed-by-revoked-key"


def signed_by_revoked_key(voided: Iterable[Invalidation]) -> list[Warning]:
    """One warning on each entry a key revoked from a past moment had signed."""
    return [
        Warning(
            v.index,
            REVOKED_KEY_WARNING,
            v.agency,
            v.keyid,
            f"signed by {v.keyid} after {v.effective_from}, the moment from which entry "
            f"{v.revoked_index} revoked it",
            {"keyid": v.keyid, "effective_from": v.effective_from, "revoked_by": v.revoked_index},
        )
        for v in voided
    ]


# -- warnings true today (never stored) ---------------------------------------------------------


# The warning each action-plan item overdue today raises.
OVERDUE_CODE = "item-overdue"


def is_overdue(state: str, due: str, today: date) -> bool:
    """An action-plan item is overdue when it is still open after its current due date."""
    return state == "open" and parse_date(due) < today


def days_overdue(due: str, today: date) -> int:
    return (today - parse_date(due)).days


@dataclass(frozen=True)
class OpenItem:
    """An action-plan item as the read model or a replay holds it."""

    unit: str
    item: str
    output: str
    state: str
    due_current: str
    due_original: str
    plan_index: int


def overdue_items(items: Iterable[OpenItem], today: date) -> list[Warning]:
    """A warning for each item overdue on `today`."""
    out = []
    for i in items:
        if not is_overdue(i.state, i.due_current, today):
            continue
        originally = f" (originally {i.due_original})" if i.due_original != i.due_current else ""
        out.append(
            Warning(
                i.plan_index,
                OVERDUE_CODE,
                i.unit,
                i.item,
                f"{i.unit} {i.item} ({i.output}) was due {i.due_current}{originally}",
                {
                    "item": i.item,
                    "output": i.output,
                    "due_current": i.due_current,
                    "due_original": i.due_original,
                },
            )
        )
    return out


def unwitnessed(
    declarations: Iterable[tuple[int, str]], attested: Mapping[int, int]
) -> list[Warning]:
    """A warning for each declaration (entry, agency) that no witness has attested in the log;
    `attested` counts the attestations of each declaration entry."""
    return [
        Warning(
            index,
            "unwitnessed",
            agency,
            agency,
            f"the declaration of {agency} (entry {index}) has no witness attestation in the log",
        )
        for index, agency in declarations
        if not attested.get(index)
    ]
