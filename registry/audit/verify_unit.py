"""`pakta verify-unit URL UNIT`: what the browser's "Verify this page" checks, from the
command line, trusting only the anchors given (or, said out loud, those the server serves).

1. The unit's complete chain at the published checkpoint: its subject map proof, and every
   entry (`registry.audit.subjects`).
2. The chains of every agency that signed or co-signed an entry of it, at the same
   checkpoint, so that each key's history is itself verified and complete.
3. Every signature of every entry of those chains against the key history the chains imply
   (the rules' `check_signatures`, in log order, keys valid at each statement's time).
4. The unit's state recomputed with the registry's rules (`registry.rules.replay`) from those
   entries, compared with what the server says (`/api/v1/agencies/<unit>`): status, stages,
   target, plan, predicate, keys. Every difference is named.
5. Every warning the unit's page lists, recomputed with the same rules from those chains and
   the chains the rules judge the unit's own awards and proposals by (the awarded units',
   `window:<year>`), compared with every entry of the server's lists
   (`registry.audit.unit_warnings`): kinds, counts, entries, messages and facts.
6. Provable silence (docs/provable-silence.md): for each item the verified lifecycle shows
   open after its due date, as of the time a quorum of the pinned witnesses (`--witness`,
   `--quorum`) cosigned the checkpoint (`registry.audit.silence`), a line saying so; with no
   witnesses required, that the time is only the registry's word. `--overdue ITEM` fails
   unless that item's lateness is so proven.

With a state file (`--state`, `registry.audit.last_seen`), the checkpoint must also extend the
last one verified, as the browser checks against the one it remembers.

The outcome is one of three: verified (exit 0), failed (exit 1, with what does not match), or
could not be checked (exit 2: the server could not be reached or answered no proof, or its
lists are of another log size than its checkpoint, or of another day).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from keys.dsse import Envelope
from keys.ed25519 import b64
from keys.errors import PaktaError
from keys.note import NoteVerifier
from registry.audit import unit_warnings as warned
from registry.audit.command import anchors
from registry.audit.errors import FetchError
from registry.audit.fetching import Fetch, HttpFetch
from registry.audit.last_seen import LastSeen, NoProof, Rollback
from registry.audit.report import listed
from registry.audit.silence import AsOf, silent_items, witnessed_time
from registry.audit.subjects import SubjectCheckError, VerifiedChain, verify_subject_bundle
from registry.read.projector import decode_entry
from registry.rules.records import Invalidation, Record, Warning
from registry.rules.replay import Replayer
from registry.rules.signing import check_signatures
from registry.rules.state import head_json
from registry.rules.types import rules_for
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureVerifier
from registry.tlog.subjectmap import map_line

VERIFIED, FAILED, UNCHECKED = 0, 1, 2
COMPARED = ("status", "declared", "designated", "target", "plan", "predicate", "revoked_on")


class Unchecked(PaktaError):
    """The check could not be done (network, missing proofs): nothing is known to be wrong."""


class Failed(PaktaError):
    """Something the server serves does not match what its log proves."""


def _get(fetch: Fetch, path: str) -> Any:
    try:
        return json.loads(fetch(path))
    except FetchError as e:
        raise Unchecked(f"{path}: {e}") from None
    except ValueError:
        raise Failed(f"{path} is not JSON") from None


def _bundle(fetch: Fetch, subject: str, size: int | None) -> Any:
    return _get(fetch, f"api/v1/subjects/{subject}/proof" + (f"?size={size}" if size else ""))


@dataclass(frozen=True)
class Witnessing:
    """The witnesses to require on the checkpoint, and how many of them."""

    keys: tuple[CosignatureVerifier, ...] = ()
    quorum: int = 0


def _chain(
    fetch: Fetch,
    subject: str,
    size: int | None,
    log_key: NoteVerifier,
    witnessing: Witnessing = Witnessing(),
) -> tuple[VerifiedChain, AsOf]:
    bundle = _bundle(fetch, subject, size)
    try:
        chain = verify_subject_bundle(
            bundle, log_key, subject=subject, witnesses=witnessing.keys, quorum=witnessing.quorum
        )
        return chain, witnessed_time(bundle["checkpoint"], witnessing.keys, witnessing.quorum)
    except SubjectCheckError as e:
        raise Failed(f"{e.step}: {e}") from None
    except PaktaError as e:
        raise Failed(f"witnesses: {e}") from None


def _other_chain(
    fetch: Fetch, subject: str, own: VerifiedChain, log_key: NoteVerifier
) -> dict[int, tuple[int, str, Envelope, Any]]:
    """Another subject's complete chain at the unit's checkpoint, its entries decoded."""
    chain, _ = _chain(fetch, subject, own.checkpoint.size, log_key)
    if chain.checkpoint != own.checkpoint:
        raise Failed(f"the chain of {subject!r} is from another checkpoint")
    return {i: decode_entry(text) for i, text in chain.entries}


def cosigning(statement: Any) -> list[str]:
    return list(rules_for(statement.type).cosigning(statement))


def verify_unit(
    fetch: Fetch,
    unit: str,
    log_key: NoteVerifier,
    registrar_keys: dict[str, bytes],
    witnessing: Witnessing = Witnessing(),
    overdue: Sequence[str] = (),
    kept: Kept | None = None,
) -> list[str]:
    """The lines of a verified report; raises `Failed` or `Unchecked`. `kept` checks the
    checkpoint against the last one verified and keeps it (`registry.audit.last_seen`)."""
    lines = []
    own, as_of = _chain(fetch, unit, None, log_key, witnessing)
    if kept is not None and (said := kept(own.checkpoint, own.note)):
        lines.append(said)
    if own.state is None:
        raise Failed(f"the log has no entry about {unit!r}")
    size = own.checkpoint.size
    lines.append(
        f"ok: {unit}: complete chain of {own.state.count} entries in the checkpoint of size "
        f"{size} (subject map proof verified)"
    )
    mine = {i: decode_entry(text) for i, text in own.entries}
    decoded = dict(mine)
    signers = {st.agency for _, _, _, st in mine.values()}
    signers |= {a for _, _, _, st in mine.values() for a in rules_for(st.type).cosigning(st)}
    signers.discard(unit)
    for agency in sorted(signers):
        # A signer's own statements are what grant and revoke its keys.
        for i, entry in _other_chain(fetch, agency, own, log_key).items():
            if entry[3].agency == agency:
                decoded[i] = entry
    if signers:
        lines.append(f"ok: complete chains of the {len(signers)} other signers: {sorted(signers)}")
    # The chains the unit's own awards and proposals are judged by (unit_warnings.needed).
    units, years = warned.needed(unit, [st for _, _, _, st in mine.values()])
    line = map_line(own.checkpoint.extensions)
    if years and (line is None or line[0] < 2):
        raise Unchecked(
            "the checkpoint's subject map is version 1, which does not prove the submission "
            f"windows of {', '.join(map(str, years))} that the unit's proposals are judged by"
        )
    facts_from: dict[int, tuple[int, str, Envelope, Any]] = {}
    for subject in [*units, *warned.window_subjects(years)]:
        facts_from |= _other_chain(fetch, subject, own, log_key)
    if units or years:
        lines.append(
            "ok: complete chains of what the unit's awards and proposals are judged by: "
            f"{[*units, *warned.window_subjects(years)]}"
        )
    replayer = Replayer(registrar_keys)
    signatures = 0
    voided: list[Invalidation] = []
    raised: list[Warning] = []
    records: list[Record] = []
    for index in sorted(decoded.keys() | facts_from.keys()):
        if index not in decoded:
            _, _, envelope, statement = facts_from[index]
            replayer.facts.add(warned.facts_of(statement, envelope, index, replayer.find))
            continue
        _, received, envelope, statement = decoded[index]
        when = datetime.fromisoformat(received.replace("Z", "+00:00"))
        try:
            if index in mine:
                found, _ = check_signatures(
                    statement,
                    envelope,
                    replayer.head(statement.agency),
                    registrar_keys,
                    [h for h in map(replayer.head, cosigning(statement)) if h is not None],
                    index,
                )
                signatures += len(found)
            outcome = replayer.step(statement, envelope, index, when, verify=False)
            voided += [v for v in outcome.invalidated if v.agency == unit]
            raised += outcome.warnings
            records += outcome.records
        except PaktaError as e:
            raise Failed(f"entry {index} ({statement.type} of {statement.agency}): {e}") from None
    lines.append(
        f"ok: {signatures} signatures of the unit's entries verified against the key histories "
        "in those chains"
    )
    head = replayer.head(unit)
    if head is None:
        raise Failed(f"the chain of {unit!r} does not register it")
    listing = _get(fetch, f"api/v1/agencies/{unit}/warnings")
    try:
        day = warned.check_state(listing, size, date.today())
    except warned.ServedState as e:
        raise Unchecked(str(e)) from None
    served = _get(fetch, f"api/v1/agencies/{unit}")
    derived = head_json(head)
    differences = [
        f"{part}: the server says {json.dumps(served.get('lifecycle', {}).get(part))}, the log "
        f"gives {json.dumps(derived['lifecycle'].get(part))}"
        for part in COMPARED
        if served.get("lifecycle", {}).get(part) != derived["lifecycle"].get(part)
    ]
    if served.get("keys") != derived["keys"]:
        differences.append("keys: the server's key list is not the one the log grants")
    proven = warned.of_unit(unit, listed(replayer.heads, records, raised, day))
    found_differences, kinds = warned.compare(
        lambda path: _get(fetch, path), unit, listing.get("counts") or {}, proven
    )
    differences += found_differences
    if differences:
        raise Failed("what the server says differs from the log:\n  " + "\n  ".join(differences))
    for v in voided:
        lines.append(
            f"warning: entry {v.index} was signed by {v.keyid}, revoked from "
            f"{v.effective_from} by entry {v.revoked_index}: it does not count"
        )
    status = derived["lifecycle"].get("status") or "-"
    lines.append(f"ok: status {status}, stages, plan and keys recomputed and equal to the server's")
    counted = ", ".join(f"{code} {n}" for code, n in kinds.items()) or "none"
    lines.append(
        f"ok: warnings as of {day} recomputed and equal to every entry of the server's lists: "
        f"{counted}"
    )
    silent = silent_items(head.lifecycle, as_of.day(date.today()))
    for s in silent:
        lines.append(
            f"ok: silence: {as_of.words()}: the complete chain of {unit} at checkpoint {size} "
            f"holds no report that item {s.item} is done; it was due {s.due} ({s.days} days late)"
        )
    missing = sorted(set(overdue) - {s.item for s in silent})
    if missing:
        raise Failed(f"not proven overdue {as_of.words()}: {', '.join(missing)}")
    return lines


Kept = Callable[[Checkpoint, str], str | None]


def _keeping(seen: LastSeen, fetch: Fetch, pins: dict[str, Any]) -> Kept:
    def kept(checkpoint: Checkpoint, note: str) -> str | None:
        try:
            return seen.check_and_keep(checkpoint, note, fetch, pins)
        except Rollback as e:
            raise Failed(f"checkpoint: {e}") from None
        except NoProof as e:
            raise Unchecked(str(e)) from None
        except OSError as e:
            raise Unchecked(f"the state file: {e}") from None

    return kept


def run_verify_unit(
    url: str,
    unit: str,
    *,
    log_key: str | None = None,
    registrar_keys: Sequence[str] | None = None,
    witnesses: Sequence[str] = (),
    quorum: int | None = None,
    overdue: Sequence[str] = (),
    state_file: str | None = None,
    fetch: Fetch | None = None,
) -> int:
    fetch = fetch or HttpFetch(url)
    try:
        try:
            seen = LastSeen.load(state_file) if state_file else None
        except ValueError as e:
            raise Unchecked(str(e)) from None
        try:
            verifier, registrar, notes = anchors(
                fetch, log_key, registrar_keys, seen.state if seen else {}
            )
        except (FetchError, ValueError) as e:
            raise Unchecked(f"the anchors: {e}") from None
        for line in notes:
            print(f"note: {line} (a check against anchors from the same server proves less)")
        try:
            keys = tuple(CosignatureVerifier.parse(w) for w in witnesses)
        except PaktaError as e:
            raise Failed(f"a --witness key: {e}") from None
        witnessing = Witnessing(keys, len(keys) if quorum is None else quorum)
        pins = {"log_key": str(verifier), "registrar_keys": [b64(v) for v in registrar.values()]}
        kept = None if seen is None else _keeping(seen, fetch, pins)
        for line in verify_unit(fetch, unit, verifier, registrar, witnessing, overdue, kept):
            print(line)
        print(f"verified: {unit}")
        return VERIFIED
    except Failed as e:
        print(f"failed: {unit}: {e}")
        print("report it: keep this output; the server serves something its log does not prove")
        return FAILED
    except Unchecked as e:
        print(f"could not be checked: {unit}: {e}; try again (nothing is known to be wrong)")
        return UNCHECKED
    finally:
        if isinstance(fetch, HttpFetch):
            fetch.close()
