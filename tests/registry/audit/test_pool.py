"""The audit on every core says exactly what the audit on one core says, and the signatures the
workers verified are still accepted only where the rules themselves would accept them."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from audit_support import entries_of, forge, grow, register, with_entry
from pakta_support import Agent

import registry.rules.signing as signing
from keys.ed25519 import b64, generate, public_bytes, unb64
from keys.note import NoteVerifier
from registry.audit.audit import AuditError, Report, audit, source_fetch
from registry.audit.export import export
from registry.audit.pool import VERIFIERS, Task, check_bundle
from registry.audit.report import derived
from registry.service import Service, open_service
from registry.tlog import merkle, tiles

ENTRIES = 5 * 256 + 17  # five full bundles and a partial one


@pytest.fixture(scope="module")
def log(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, Path]]:
    from pakta_support import new_instance

    folder = tmp_path_factory.mktemp("pool")
    service = open_service(new_instance(folder / "instance", f"sqlite:///{folder / 'db'}"))
    agents = [Agent(f"pemkab-{i}") for i in range(12)]
    register(service, agents)
    grow(service, agents, ENTRIES - len(agents))
    export(service.registry, folder / "export")
    yield service, folder / "export"
    service.close()


def run(service: Service, folder: Path, jobs: int) -> Report:
    instance = service.instance
    verifier = NoteVerifier.parse(instance.log_vkey)
    return audit(source_fetch(str(folder)), verifier, instance.registrar_keys, jobs=jobs)


def test_two_workers_find_what_one_process_finds(
    log: tuple[Service, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    service, folder = log
    verified_here: list[str] = []
    real = signing.verify_signature

    def counting(envelope: object, signature: object, key: bytes) -> bool:
        verified_here.append(getattr(signature, "keyid", ""))
        return real(envelope, signature, key)  # type: ignore[arg-type]

    monkeypatch.setattr(signing, "verify_signature", counting)
    one = run(service, folder, jobs=1)
    in_one = len(verified_here)
    verified_here.clear()
    two = run(service, folder, jobs=2)
    assert (two.size, two.root, two.signatures, two.agencies) == (
        one.size, one.root, one.signatures, one.agencies
    )  # fmt: skip
    assert one.size == ENTRIES and one.signatures == ENTRIES
    today = date(2026, 1, 1)
    assert one.replay is not None and two.replay is not None
    assert derived(two.replay, today) == derived(one.replay, today)
    # Both passes pre-verify: only what no worker could (keys learned while bundles were in
    # flight) is left to the rules' own verify, and the rules verify it.
    assert 0 < len(verified_here) < ENTRIES // 2
    assert in_one < ENTRIES // 4


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_bad_signature_deep_in_the_log_is_named(
    log: tuple[Service, Path], tmp_path: Path, jobs: int
) -> None:
    service, folder = log
    entries = entries_of(folder)
    bad = 4 * 256 + 3

    def flip(entry: dict[str, object]) -> None:
        envelope = entry["envelope"]
        assert isinstance(envelope, dict)
        sig = bytearray(unb64(envelope["signatures"][0]["sig"]))
        sig[5] ^= 1
        envelope["signatures"][0]["sig"] = b64(bytes(sig))

    entries[bad] = with_entry(entries, bad, flip)
    forge(folder, tmp_path / "forged", entries, service.instance)
    with pytest.raises(AuditError) as caught:
        run(service, tmp_path / "forged", jobs)
    assert caught.value.index == bad and "does not verify" in str(caught.value)


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_entry_that_does_not_parse_is_named_in_log_order(
    log: tuple[Service, Path], tmp_path: Path, jobs: int
) -> None:
    service, folder = log
    entries = entries_of(folder)
    entries[2 * 256 + 9] = b"not json"
    entries[3 * 256] = with_entry(entries, 3 * 256, lambda e: e.update(index=7))
    forge(folder, tmp_path / "forged", entries, service.instance)
    with pytest.raises(AuditError) as caught:
        run(service, tmp_path / "forged", jobs)
    assert caught.value.index == 2 * 256 + 9


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_changed_byte_in_a_full_bundle_names_its_entry(
    log: tuple[Service, Path], tmp_path: Path, jobs: int
) -> None:
    service, folder = log
    target = tmp_path / "changed"
    shutil.copytree(folder, target)
    bundle = target / "tile/entries/003"
    data = bytearray(bundle.read_bytes())
    data[len(data) // 2] ^= 0x01
    bundle.write_bytes(bytes(data))
    with pytest.raises(AuditError) as caught:
        run(service, target, jobs)
    assert caught.value.index is not None and 3 * 256 <= caught.value.index < 4 * 256
    assert "does not match its leaf hash" in str(caught.value)


def test_a_preverified_signature_counts_only_for_the_key_the_rules_chose(
    log: tuple[Service, Path],
) -> None:
    """The hook trusts (index, key id, public key) triples; one naming another key, or
    another entry, leaves the rules to verify, and a forged signature fails."""
    service, folder = log
    entries = entries_of(folder)
    raw = json.loads(entries[20])
    from events import parse_statement
    from keys.dsse import Envelope

    envelope = Envelope.from_json(raw["envelope"])
    statement = parse_statement(envelope.payload)
    head = service.registry.head(statement.agency)
    assert head is not None
    keyid = envelope.signatures[0].keyid
    public = head.keys[keyid].public_key
    forged = Envelope(
        envelope.payload_type,
        envelope.payload,
        (type(envelope.signatures[0])(keyid, bytes(64)),),
    )
    rules = (statement, forged, head, service.instance.registrar_keys, [], 20)
    for wrong in [(20, keyid, bytes(32)), (21, keyid, public), (20, "ed25519:" + "0" * 32, public)]:
        with pytest.raises(signing.RuleError, match="does not verify"):
            signing.check_signatures(*rules, verified={wrong})
    signatures, _ = signing.check_signatures(*rules, verified={(20, keyid, public)})
    assert [s.keyid for s in signatures] == [keyid]


@pytest.mark.skipif("pynacl" not in VERIFIERS, reason="PyNaCl not installed")
def test_libsodium_and_cryptography_agree_on_good_and_bad_signatures() -> None:
    key = generate()
    message = b"DSSEv1 5 hello 2 hi"
    good = key.sign(message)
    cases = [(public_bytes(key), message, good)]
    cases += [(public_bytes(key), message + b"!", good), (public_bytes(key), message, good[:-1])]
    cases += [(bytes(32), message, good), (public_bytes(key)[:31], message, good)]
    flipped = bytearray(good)
    flipped[40] ^= 0x80
    cases.append((public_bytes(key), message, bytes(flipped)))
    for public, msg, sig in cases:
        assert VERIFIERS["pynacl"](public, msg, sig) == VERIFIERS["cryptography"](public, msg, sig)


@pytest.mark.parametrize("name", sorted(VERIFIERS))
def test_a_worker_learns_keys_from_its_own_bundle(log: tuple[Service, Path], name: str) -> None:
    """Bundle 0 registers the agencies and then has them sign: with only the registrar's
    key to start from, every signature in it is pre-verified."""
    service, folder = log
    data = (folder / "tile/entries/000").read_bytes()
    leaves = tuple(merkle.leaf_hash(e) for e in tiles.decode_entry_bundle(data))
    keys = dict(service.instance.registrar_keys)
    checked = check_bundle(
        Task("tile/entries/000", 0, 256, data, 0, root=merkle.root_from_leaf_hashes(leaves)),
        keys,
        name,
    )
    assert checked.bundle_error is None and len(checked.entries) == 256
    assert all(len(p.verified) == 1 for p in checked.entries)
    assert len(checked.learned) == 12 and len(keys) == 13


def test_a_worker_sends_each_statement_with_its_hash(log: tuple[Service, Path]) -> None:
    """What a worker sends back reads back equal, each statement with its hash already
    computed (the replay in the main process reads it and hashes no payload)."""
    import pickle

    service, folder = log
    data = (folder / "tile/entries/001").read_bytes()
    leaves = tuple(merkle.leaf_hash(e) for e in tiles.decode_entry_bundle(data))
    task = Task("tile/entries/001", 256, 256, data, 0, leaves=leaves)
    checked = check_bundle(task, dict(service.instance.registrar_keys))
    assert checked.entries and all(p.statement is not None for p in checked.entries)
    back = pickle.loads(pickle.dumps(checked, protocol=pickle.HIGHEST_PROTOCOL))
    assert back == checked
    assert all("hash" in vars(p.statement) for p in back.entries if p.statement)


def test_the_audit_hands_back_what_it_froze_for_the_collector(
    log: tuple[Service, Path],
) -> None:
    """The replay freezes its state after each bundle (`gc.freeze`) and raises the young
    generation's threshold, and puts both back at the end, also when it fails; a process
    that froze objects itself is left as it was."""
    import gc

    service, folder = log
    assert gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    assert run(service, folder, 1).size == ENTRIES
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    broken = folder.parent / "broken-gc"
    shutil.copytree(folder, broken)
    data = bytearray((broken / "tile/entries/002").read_bytes())
    data[len(data) // 2] ^= 0x01
    (broken / "tile/entries/002").write_bytes(bytes(data))
    with pytest.raises(AuditError):
        run(service, broken, 1)
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        run(service, folder, 1)
        # Left frozen, nothing more frozen (frozen objects freed meanwhile leave the count).
        assert 0 < gc.get_freeze_count() <= frozen
    finally:
        gc.unfreeze()


def test_a_folder_is_asked_only_for_the_checkpoints_it_keeps(
    log: tuple[Service, Path], tmp_path: Path
) -> None:
    import os

    from registry.audit.fetching import FolderFetch

    service, folder = log
    copy = tmp_path / "export"
    shutil.copytree(folder, copy)
    stored = sorted(int(n) for n in os.listdir(copy / "checkpoints"))
    assert len(stored) > 10
    for n in stored[1:-1:2]:
        (copy / "checkpoints" / str(n)).unlink()
    kept = sorted(int(n) for n in os.listdir(copy / "checkpoints"))
    asked: list[int] = []

    class Watching(FolderFetch):
        def __call__(self, path: str) -> bytes:
            if path.startswith("checkpoints/"):
                asked.append(int(path.split("/")[1]))
            return super().__call__(path)

    verifier = NoteVerifier.parse(service.instance.log_vkey)
    report = audit(Watching(str(copy)), verifier, service.instance.registrar_keys, jobs=1)
    assert asked == [n for n in kept if 1 <= n < report.size]
    # A checkpoint the folder keeps is still checked, listed or asked for one by one.
    victim = kept[len(kept) // 2]
    (copy / "checkpoints" / str(victim)).write_bytes(b"not a signed note\n")
    for fetch in (FolderFetch(str(copy)), lambda path: FolderFetch(str(copy))(path)):
        with pytest.raises(AuditError, match="checkpoint signature"):
            audit(fetch, verifier, service.instance.registrar_keys, jobs=1)


def _members(group: int) -> list[str]:
    """The live (not zombie) processes of a process group."""
    import os

    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                state, _parent, pgid = f.read().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if int(pgid) == group and state != "Z":
            found.append(pid)
    return found


def _alive(group: int) -> bool:
    import time

    for _ in range(50):  # a killed process takes a moment to go
        if not _members(group):
            return False
        time.sleep(0.1)
    return True


def test_the_workers_come_from_one_import_and_all_stop(log: tuple[Service, Path]) -> None:
    from registry.audit.pool import Pool

    service, folder = log
    keys = dict(service.instance.registrar_keys)
    bundles = tiles.entry_tiles_for_size(ENTRIES)

    def tasks() -> Iterator[Task]:
        for tile in bundles:
            data = (folder / tile.path()).read_bytes()
            start = tile.index * tiles.TILE_WIDTH
            raws = tiles.decode_entry_bundle(data, tile.width)
            leaves = tuple(merkle.leaf_hash(r) for r in raws)
            yield Task(tile.path(), start, tile.width, data, 0, leaves=leaves)

    # Three workers: one interpreter, two forks of it, one process group.
    pool = Pool(keys, 3)
    group = pool.process.pid
    found = list(pool.check(tasks()))
    assert [c.start for c in found] == [t.index * tiles.TILE_WIDTH for t in bundles]
    assert all(c.bundle_error is None for c in found)
    assert len(_members(group)) == 3
    pool.close()
    assert not _alive(group)
    # Stopped with work in flight (the audit met a failure): every worker is killed at once.
    pool = Pool(keys, 3)
    group = pool.process.pid
    next(iter(pool.check(tasks())))
    assert pool.pending > 0
    pool.close()
    assert not _alive(group)
