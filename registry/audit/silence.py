"""Provable silence for `pakta verify-unit` (docs/provable-silence.md): the time a witness
quorum vouches for, and the items a unit's verified lifecycle shows overdue at that time.

`witnessed_time` reads the cosignature/v1 timestamps of the pinned witnesses on a checkpoint
(each verified) and gives the moment by which a quorum of them had cosigned it: the
quorum-th earliest. `silent_items` asks the rules (`registry.rules.warnings.overdue_items`)
which plan items of the lifecycle are still open after their due date on that day. Together
with a verified complete chain (the subject map proof at the checkpoint) that is the claim
"as of T, witnessed by W, the unit's chain holds no report that item X is done, due D".
The browser's check is web/static/verify/silence.js.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from keys.errors import VerificationError
from keys.note import parse_note
from registry.rules.state import Lifecycle
from registry.rules.warnings import OpenItem, days_overdue, overdue_items
from registry.tlog.cosignature import CosignatureVerifier


@dataclass(frozen=True)
class AsOf:
    """When a quorum of witnesses had cosigned a checkpoint (`time`: Unix seconds), and who;
    `time` None when no witness is required (then only the registry says when)."""

    time: int | None
    witnesses: tuple[str, ...] = ()

    def day(self, fallback: date) -> date:
        if self.time is None:
            return fallback
        return datetime.fromtimestamp(self.time, UTC).date()

    def words(self) -> str:
        if self.time is None:
            return "no witness is required, so the time is only the registry's word"
        moment = datetime.fromtimestamp(self.time, UTC).strftime("%Y-%m-%d %H:%M UTC")
        return f"as of {moment}, witnessed by {', '.join(self.witnesses)}"


def witnessed_time(note: str, witnesses: Sequence[CosignatureVerifier], quorum: int) -> AsOf:
    """The quorum-th earliest verified cosignature time on `note` by a pinned witness."""
    if quorum <= 0:
        return AsOf(None)
    signed = parse_note(note)
    seen: dict[str, int] = {}
    for sig in signed.signatures:
        for v in witnesses:
            if v.name == sig.name and v.key_hash == sig.key_hash and v.name not in seen:
                time = v.verify(signed.text, sig.sig)
                if time is not None:
                    seen[v.name] = time
    by = sorted(seen.items(), key=lambda kv: kv[1])[:quorum]
    if len(by) < quorum:
        raise VerificationError(f"the checkpoint has {len(by)} of the {quorum} cosignatures")
    return AsOf(by[-1][1], tuple(name for name, _ in by))


@dataclass(frozen=True)
class Silent:
    """An item open after its due date on `day`: no report in the chain says it is done."""

    item: str
    due: str
    days: int


def silent_items(lc: Lifecycle, day: date) -> list[Silent]:
    items = [OpenItem("", i, "", p.state, p.due, p.due, 0) for i, p in sorted(lc.plan.items())]
    return [
        Silent(w.subject, w.facts["due_current"], days_overdue(w.facts["due_current"], day))
        for w in overdue_items(items, day)
    ]
