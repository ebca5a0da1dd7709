"""`pakta audit URL|DIR`: verify a whole log without trusting whoever serves it.

From the tiles alone: the checkpoint's signature (log key), every hash tile against the root,
every entry bundle against the hashes above it. Then, replaying the entries with the same
`registry.rules` the registry uses: each entry's index and `prev` link, each statement's
signatures and the validity of each key at its time, each agency's `seq`/`prev` chain, and
each agency's stored history against what the log implies. Parsing and signature checks run
on every core (`registry.audit.pool`); the replay itself is one ordered pass here. Given the
last verified checkpoint (`Saved`), the new tree is first proven consistent with it (a smaller
or different tree is printed as evidence of a rollback or fork), and with the replay state
saved after it only the new entries are fetched and replayed. The replay also rebuilds every
subject chain (docs/subject-map.md); each checkpoint's subject map line must be their root at
its size, or the audit fails naming the subject when the source can say which.
"""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from keys.errors import PaktaError, VerificationError
from keys.note import NoteVerifier, open_note
from registry.audit.errors import AuditError, FetchError
from registry.audit.fetching import (
    Fetch,
    FolderFetch,
    HttpFetch,
    Recorder,
    TileCache,
    plan_tiles,
    source_fetch,
)
from registry.audit.pool import (
    DEFAULT_VERIFIER,
    Checked,
    Pool,
    Task,
    bad_entry,
    check_inline,
    default_jobs,
)
from registry.audit.replay import Replay
from registry.audit.subjects import SubjectCheckError, check_map_root
from registry.tlog import merkle, tiles
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.subjectmap import MapProof, SubjectState, first_version, map_line

__all__ = ["AuditError", "Fetch", "Replay", "Report", "Saved", "audit", "source_fetch"]
AUTO_POOL_MIN = 32 * tiles.TILE_WIDTH  # below this many new entries, starting workers costs more


@dataclass
class Saved:
    """The last verified checkpoint, and the replay state after it if it can be used."""

    size: int
    root: bytes
    checkpoint: str
    replay: Replay | None = None


@dataclass
class Report:
    size: int = 0
    root: bytes = b""
    checkpoint: str = ""
    agencies: int = 0
    signatures: int = 0
    replay: Replay | None = None
    resumed_from: int = 0  # entries replayed by an earlier run
    histories: int = 0  # agencies whose stored history was compared

    @property
    def invalidated(self) -> list[tuple[int, str]]:
        """Entries signed with a key a later revocation made invalid at their time."""
        found = self.replay.invalidated if self.replay else []
        return [(v.index, v.keyid) for v in found]


def verify_checkpoint(note: bytes, verifier: NoteVerifier) -> Checkpoint:
    try:
        signed, _ = open_note(note, [verifier])
    except PaktaError as e:
        raise AuditError(f"checkpoint signature: {e}") from None
    checkpoint = Checkpoint.parse(signed.text)
    if checkpoint.origin != verifier.name:
        raise AuditError(f"checkpoint origin {checkpoint.origin!r} is not {verifier.name!r}")
    return checkpoint


def audit(
    fetch: Fetch,
    verifier: NoteVerifier,
    registrar_keys: dict[str, bytes],
    *,
    jobs: int | None = None,
    since: Saved | None = None,
    signature_verifier: str = DEFAULT_VERIFIER,
) -> Report:
    """Verify everything the source serves; raise `AuditError` at the first problem.

    `jobs`: worker processes (None: every core when there is enough to do)."""
    note = fetch("checkpoint")
    checkpoint = verify_checkpoint(note, verifier)
    size, root = checkpoint.size, checkpoint.root_hash
    cache = TileCache(fetch)
    try:
        reader = tiles.TileHashReader(size, root, cache)
        if since is not None:
            _prove_consistent(since, size, root, note.decode(), reader, cache)
        replay = since.replay if since is not None and since.replay is not None else None
        replay = replay or Replay(registrar_keys)
        start = replay.size
        kept = _kept_checkpoints(fetch)
        replay.roots_at = None if kept is None else {*kept, size}
        _replay_entries(replay, reader, cache, fetch, size, jobs, signature_verifier)
        if replay.leaves.root() != root:
            raise AuditError("the entries do not hash to the checkpoint's root")
        _check_subject_maps(replay, checkpoint, fetch, start, verifier)
        compared = replay.compare_histories(fetch, size)
    finally:
        cache.close()
        if isinstance(fetch, HttpFetch):
            fetch.close()  # its kept-alive connections; it reconnects if used again
    heads, signed = len(replay.heads), replay.signatures
    return Report(size, root, note.decode(), heads, signed, replay, start, compared)


def _prove_consistent(
    saved: Saved, size: int, root: bytes, note: str, reader: tiles.TileHashReader, cache: TileCache
) -> None:
    """The new tree must extend the last verified one; a rollback or fork is evidence."""
    evidence = f"\n--- last verified checkpoint ---\n{saved.checkpoint}" + (
        f"--- checkpoint served now ---\n{note}"
    )
    if saved.size > size:
        raise AuditError(f"rollback: the log shrank from {saved.size} to {size} entries{evidence}")
    plan = Recorder()
    merkle.consistency_proof(saved.size, size, plan)
    cache.prefetch(plan_tiles(size, plan.indexes))
    try:
        proof = merkle.consistency_proof(saved.size, size, reader)
        merkle.verify_consistency(saved.size, size, saved.root, root, proof)
    except PaktaError as e:
        raise AuditError(
            f"fork: the log is not consistent with the last one ({e}){evidence}"
        ) from None


def _replay_entries(
    replay: Replay,
    reader: tiles.TileHashReader,
    cache: TileCache,
    fetch: Fetch,
    size: int,
    jobs: int | None,
    signature_verifier: str,
) -> None:
    start = replay.size
    bundles = tiles.entry_tiles_for_size(size, since=start)
    full = [t for t in bundles if not t.is_partial]
    edge = [t for t in bundles if t.is_partial]
    # A full bundle is checked against its subtree's hash in the level-1 tile (one hash per
    # 256 entries); the right-edge bundle against its leaf hashes.
    roots = [merkle.stored_hash_index(tiles.TILE_HEIGHT, t.index) for t in full]
    leaves = [_leaf_index(t, i) for t in edge for i in range(t.width)]
    cache.prefetch(plan_tiles(size, roots + leaves))
    subtree = dict(zip(full, reader.read_hashes(roots), strict=True))
    workers = _jobs(jobs, size - start, len(bundles))

    def tasks() -> Iterator[Task]:
        for tile, data in zip(bundles, cache.stream(bundles, ahead=2 * workers + 2), strict=True):
            first = tile.index * tiles.TILE_WIDTH
            if tile.is_partial:
                hashes = reader.read_hashes([_leaf_index(tile, i) for i in range(tile.width)])
                yield Task(tile.path(), first, tile.width, data, start, leaves=tuple(hashes))
            else:
                yield Task(tile.path(), first, tile.width, data, start, root=subtree[tile])

    pool = Pool(replay.rules.registrar_keys, workers, signature_verifier) if workers > 1 else None
    # The replay's state only grows, and every full collection would walk all of it again
    # (with the bundles in flight, ~19 % of the replay's CPU here): after each bundle what
    # exists is frozen, so the collector walks only what the next bundle makes, and it is
    # all handed back at the end. Not when the process froze objects of its own. Between two
    # freezes a bundle makes fewer than 50,000 containers, so the young collections (which
    # found nothing: ~8 us an entry) wait for the end too.
    freeze = gc.isenabled() and gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    if freeze:
        gc.set_threshold(max(threshold[0], 50_000), *threshold[1:])
    try:
        checked: Iterable[Checked] = (
            pool.check(tasks())
            if pool is not None
            else check_inline(tasks(), replay.rules.registrar_keys, signature_verifier)
        )
        for bundle in checked:
            if bundle.bundle_error is not None:
                _bundle_failed(bundle, reader, fetch)
            for offset, parsed in enumerate(bundle.entries):
                index = bundle.start + offset
                if index >= start:
                    replay.checked(index, parsed)
            if freeze:
                gc.freeze()
    finally:
        if freeze:
            gc.set_threshold(*threshold)
            gc.unfreeze()
        if pool is not None:
            pool.close()


def _check_subject_maps(
    replay: Replay, checkpoint: Checkpoint, fetch: Fetch, start: int, verifier: NoteVerifier
) -> None:
    """Every checkpoint's subject map line must be the root of the subject chains the log
    implies at its size (docs/subject-map.md): the served one, and each stored
    `checkpoints/<n>` of the sizes this run replayed when the source keeps them."""
    try:
        served_version = check_map_root(
            replay.chains.map, checkpoint, _served_state(fetch, checkpoint.size)
        )
    except SubjectCheckError as e:
        raise AuditError(str(e)) from None
    kept = replay.roots_at
    newest = 0  # the highest map version of the checkpoints so far: a log never goes back
    for n in range(max(start, 1), checkpoint.size):
        if kept is not None and n not in kept:
            continue  # the folder does not keep this one: no need to ask for it
        try:
            note = fetch(f"checkpoints/{n}")
        except FetchError:
            continue  # a source need not keep every checkpoint
        older = verify_checkpoint(note, verifier)
        try:
            line = map_line(older.extensions)
        except PaktaError as e:
            raise AuditError(f"checkpoints/{n}: {e}") from None
        if older.size != n:
            continue  # not what it says
        version = 0 if line is None else line[0]  # 0: signed before the subject map
        if version < newest:
            raise AuditError(
                f"the checkpoint of size {n} has a version {version} subject map line after "
                f"a version {newest} one: a log's map never goes back to an older version"
            )
        newest = version
        roots = replay.map_roots[n]
        if line is None or roots is None:
            continue
        if line[1] != roots[version - 1]:
            raise AuditError(
                f"the checkpoint of size {n} commits to a subject map not the log's"
                f" ({_first_subject_differing(replay, n, fetch, version)})"
            )
    if served_version < newest:
        raise AuditError(
            f"the checkpoint of size {checkpoint.size} has a version {served_version} subject "
            f"map line after a version {newest} one: a log's map never goes back"
        )


def _kept_checkpoints(fetch: Fetch) -> set[int] | None:
    """The sizes of the checkpoints an export folder keeps (None: the source cannot say, so
    every size is asked for, and the map root after every entry is kept to compare)."""
    names = fetch.names("checkpoints") if isinstance(fetch, FolderFetch) else None
    if names is None:
        return None
    return {int(n) for n in names if n.isascii() and n.isdigit()}


def _served_state(fetch: Fetch, size: int) -> Callable[[str], SubjectState | None]:
    def served(subject: str) -> SubjectState | None:
        path = f"api/v1/subjects/{subject}/proof?size={size}"
        try:
            return MapProof.from_json(json.loads(fetch(path))["map_proof"]).state
        except (ValueError, KeyError, TypeError):
            raise FetchError(f"{path}: not a subject proof") from None

    return served


def _first_subject_differing(replay: Replay, size: int, fetch: Fetch, version: int) -> str:
    """Name a subject whose chain the registry serves differently at `size`, if it can."""
    served = _served_state(fetch, size)
    for subject in sorted(replay.chains.chains):
        if first_version(subject) > version:
            continue
        try:
            theirs = served(subject)
        except PaktaError:
            return "the source serves no subject proofs to name the subject"
        count = sum(1 for i in replay.chains.chains[subject] if i < size)
        if (theirs.count if theirs else 0) != count:
            return f"subject {subject!r}: the log gives {count} entries, the registry " + (
                f"{theirs.count if theirs else 0}"
            )
    return "the roots differ"


def _leaf_index(bundle: tiles.Tile, offset: int) -> int:
    return merkle.stored_hash_index(0, bundle.index * tiles.TILE_WIDTH + offset)


def _jobs(jobs: int | None, entries: int, bundles: int) -> int:
    if os.name != "posix":
        return 1  # the workers are started with inherited pipes (pass_fds): POSIX only
    if jobs is None:
        return default_jobs() if entries >= AUTO_POOL_MIN else 1
    return max(1, min(jobs, bundles))


def _bundle_failed(bundle: Checked, reader: tiles.TileHashReader, fetch: Fetch) -> None:
    message, index = bundle.bundle_error or ("", bundle.start)
    if message == "root":
        # The bundle does not hash to its subtree: read its leaf hashes to name the entry.
        tile = tiles.Tile.parse_path(bundle.path)
        try:
            tiles.verify_entry_bundle(tile, fetch(tile.path()), reader)
        except VerificationError as e:
            raise AuditError(f"{e} (bundle {tile.path()})", bad_entry(e, index)) from None
        message = "the bundle does not hash to its subtree in the tiles"
    raise AuditError(f"{message} (bundle {bundle.path})", index)
