"""Checking one subject's complete chain as a client: the core of `pakta verify-unit` and of
the audit's subject map check.

`verify_subject_bundle` takes what `GET /api/v1/subjects/<s>/proof` serves and trusts only the
log key (and, when given, witness keys and a quorum): the checkpoint's signature, its
`pakta-subject-map` root, the map proof for the subject, and every entry of the chain, whose
leaf hashes and indexes must rebuild exactly the proven (count, head, last index). A dropped,
added, reordered or altered entry fails naming the subject. The signatures inside the entries
and the derived claims are the rules' business (`replay_chain`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from keys.errors import PaktaError, VerificationError
from keys.note import NoteVerifier, open_note
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureVerifier, check_policy
from registry.tlog.subjectmap import (
    MapProof,
    SubjectMap,
    SubjectState,
    chain_states,
    first_version,
    map_line,
    root_from_extensions,
    verify_map_proof,
)


class SubjectCheckError(PaktaError):
    """A subject's chain or proof does not verify; `step` names the check that failed."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


@dataclass(frozen=True)
class VerifiedChain:
    subject: str
    checkpoint: Checkpoint
    state: SubjectState | None
    entries: tuple[tuple[int, str], ...]  # (index, exact entry text), in chain order
    note: str = ""  # the checkpoint's signed note, as served


def verify_subject_bundle(
    bundle: Any,
    log_key: NoteVerifier,
    *,
    subject: str | None = None,
    witnesses: Sequence[CosignatureVerifier] = (),
    quorum: int = 0,
) -> VerifiedChain:
    """Verify a subject proof bundle; raise `SubjectCheckError` at the first failing step."""
    if not isinstance(bundle, dict):
        raise SubjectCheckError("format", "the subject proof is not a JSON object")
    name = bundle.get("subject")
    if not isinstance(name, str) or (subject is not None and name != subject):
        raise SubjectCheckError("format", f"the proof is for {name!r}, not {subject!r}")
    note = bundle.get("checkpoint")
    if not isinstance(note, str):
        raise SubjectCheckError("checkpoint", "the proof carries no checkpoint")
    try:
        signed, _ = open_note(note.encode(), [log_key])
        checkpoint = Checkpoint.parse(signed.text)
    except PaktaError as e:
        raise SubjectCheckError("checkpoint", f"checkpoint signature: {e}") from None
    if checkpoint.origin != log_key.name:
        raise SubjectCheckError("checkpoint", f"checkpoint of {checkpoint.origin!r}")
    if quorum:
        try:
            check_policy(note, log_key, witnesses, quorum)
        except PaktaError as e:
            raise SubjectCheckError("witnesses", f"witness cosignatures: {e}") from None
    try:
        root = root_from_extensions(checkpoint.extensions)
    except VerificationError as e:
        raise SubjectCheckError("map", str(e)) from None
    if root is None:
        raise SubjectCheckError("map", "the checkpoint commits to no subject map")
    try:
        proof = MapProof.from_json(bundle.get("map_proof"))
        if proof.subject != name:
            raise VerificationError(f"the map proof is for {proof.subject!r}")
        state = verify_map_proof(proof, root)
    except VerificationError as e:
        raise SubjectCheckError("map", f"subject {name!r}: {e}") from None
    entries = _entries(name, bundle.get("entries"), checkpoint.size)
    try:
        rebuilt = chain_states((index, merkle.leaf_hash(text.encode())) for index, text in entries)
    except ValueError as e:
        raise SubjectCheckError("chain", f"subject {name!r}: {e}") from None
    if rebuilt != state:
        raise SubjectCheckError(
            "chain",
            f"subject {name!r}: the {len(entries)} entries served do not rebuild the chain the "
            f"checkpoint commits to ({_describe(state)}); an entry was dropped, added or changed",
        )
    return VerifiedChain(name, checkpoint, state, tuple(entries), note)


def _describe(state: SubjectState | None) -> str:
    if state is None:
        return "no entries"
    return f"{state.count} entries, the last at {state.last_index}"


def _entries(subject: str, data: Any, size: int) -> list[tuple[int, str]]:
    if not isinstance(data, list):
        raise SubjectCheckError("format", "the proof carries no list of entries")
    out = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(item.get("entry"), str):
            raise SubjectCheckError("format", f"subject {subject!r}: a malformed entry")
        text = item["entry"]
        try:
            index = json.loads(text)["index"]
        except (ValueError, KeyError, TypeError):
            raise SubjectCheckError("chain", f"subject {subject!r}: an entry is not JSON") from None
        if type(index) is not int or index != item.get("index") or not 0 <= index < size:
            raise SubjectCheckError("chain", f"subject {subject!r}: entry {index!r} misplaced")
        out.append((index, text))
    return out


def check_map_root(
    chains: SubjectMap,
    checkpoint: Checkpoint,
    served: Callable[[str], SubjectState | None] | None = None,
) -> int:
    """The checkpoint's map line must be the root of the chains the log implies (the audit),
    by the rule of the version the line names; returns that version (0: no line).

    When it is not, `served` (a subject's state as the registry proves it, if the source can
    say) names the first subject whose served chain differs from the log's."""
    try:
        line = map_line(checkpoint.extensions)
    except VerificationError as e:
        raise SubjectCheckError("map", str(e)) from None
    if line is None:
        return 0
    version, found = line
    if found == chains.root(version):
        return version
    where = (
        f"the checkpoint of size {checkpoint.size} commits to a version {version} subject map "
        "not the log's"
    )
    if served is not None:
        for subject in sorted(chains.states):
            if first_version(subject) > version:
                continue
            try:
                theirs = served(subject)
            except PaktaError:
                break
            if theirs != chains.states[subject]:
                raise SubjectCheckError(
                    "map",
                    f"subject {subject!r}: {where}: the log gives "
                    f"{_describe(chains.states[subject])}, the registry {_describe(theirs)}",
                )
    raise SubjectCheckError("map", where)
