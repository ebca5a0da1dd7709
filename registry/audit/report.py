"""What an audit derives besides "the log verifies": every unit's status, the warnings, the
entries a revoked key invalidated, the recorded declarations their agencies confirmed, as the
site shows them.

`derived(replay, today)` collects the outcomes of the auditor's replay of the whole log (the
same `registry.rules` functions the registry ran when it appended each entry) and the warnings
true on `today` (items overdue, declarations nobody attested). `pakta audit --report` prints
it, and a test requires it to equal what the read model serves, so the site can be checked
without trusting it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from registry.audit.audit import Replay
from registry.rules import warnings as rules
from registry.rules.records import Attestation, Declaration, Link, PlanItemAdded, Record, Warning
from registry.rules.state import AgencyHead, agency_status
from registry.rules.warnings import REVOKED_KEY_WARNING


def listed(
    heads: Mapping[str, AgencyHead],
    records: Iterable[Record],
    raised: Iterable[Warning],
    today: date,
) -> list[Warning]:
    """Every warning the site lists, from a replay's heads, records and the warnings its
    entries raised: those raised (but by an entry a compromise revocation voided, except the
    mark that it was), each action-plan item overdue on `today`, and each declaration no
    attestation in `records` names. A record about an agency `heads` lacks is left out (a
    client replays only the chains it needs: `registry.audit.unit_warnings`)."""
    records = list(records)
    plan_records = {(r.subject, r.item): r for r in records if isinstance(r, PlanItemAdded)}
    items = []
    for (unit, item), added in sorted(plan_records.items()):
        head = heads.get(unit)
        state = None if head is None else head.lifecycle.plan.get(item)
        if state is None:
            continue  # added by an entry a compromise revocation voided
        items.append(
            rules.OpenItem(unit, item, added.output, state.state, state.due, added.due, added.index)
        )
    declarations = [(r.index, r.subject) for r in records if isinstance(r, Declaration)]
    hashes = {r.hash: r.index for r in records if isinstance(r, Declaration)}
    attested: dict[int, int] = {}
    for r in records:
        if isinstance(r, Attestation) and r.declaration in hashes:
            attested[hashes[r.declaration]] = attested.get(hashes[r.declaration], 0) + 1
    # Warnings raised by entries a compromise revocation voided no longer count.
    void = {i for head in heads.values() for i in head.lifecycle.voided}
    found = [w for w in raised if w.index not in void or w.code == REVOKED_KEY_WARNING]
    found += rules.overdue_items(items, today)
    return found + rules.unwitnessed(declarations, attested)


def derived(replay: Replay, today: date) -> dict[str, Any]:
    """Statuses, stage dates, open items, warnings and invalidations, as plain JSON."""
    heads = replay.heads
    warnings = listed(heads, replay.records, replay.warnings, today)
    return {
        "today": today.isoformat(),
        "statuses": {a: agency_status(h) for a, h in sorted(heads.items())},
        "steps": [
            {"unit": t.unit, "idx": t.index, "step": t.step, "on": t.on} for t in replay.transitions
        ],
        "warnings": sorted(
            (
                {
                    "idx": w.index,
                    "code": w.code,
                    "agency": w.agency,
                    "subject": w.subject,
                    "message": w.message,
                }
                for w in warnings
            ),
            key=lambda w: (w["idx"], w["code"], w["subject"]),
        ),
        "invalidated": [
            {"idx": v.index, "keyid": v.keyid, "revoked_by": v.revoked_index}
            for v in replay.invalidated
        ],
        "confirmed": [
            {"idx": r.target_index, "by": r.index, "on": r.confirmed_on}
            for r in replay.records
            if isinstance(r, Link) and r.kind == "confirmed"
        ],
    }
