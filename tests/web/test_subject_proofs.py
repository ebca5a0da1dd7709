"""Subject chains end to end on the deterministic demo: the proof route for every subject at
every checkpoint size, checked by the client-side verifier against chains recomputed here
from the entries with the rules; lies in a bundle (a dropped, added, reordered or changed
entry, a changed proof hash, another checkpoint) are refused at the right step; the route's
4xx answers; and `pakta audit` against a registry that leaves a statement out of a unit's
chain fails naming the unit."""

from __future__ import annotations

import copy
import json
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from golden_demo import load_fixed_demo
from pakta_support import served

from keys.note import NoteVerifier
from registry.audit.audit import AuditError, audit, source_fetch
from registry.audit.export import export
from registry.audit.subjects import SubjectCheckError, verify_subject_bundle
from registry.read.projector import decode_entry
from registry.rules.replay import Replayer
from registry.rules.subjects import SubjectChains
from registry.tlog import merkle
from registry.write import subjects as write_subjects
from registry.write.instance import Instance, load_instance
from web import close_app, create_app


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    folder = tmp_path_factory.mktemp("subjects") / "instance"
    load_fixed_demo(folder).close()
    return load_instance(folder)


@pytest.fixture(scope="module")
def app(demo: Instance) -> Iterator[Flask]:
    app = create_app({"TESTING": True, "PAKTA_INSTANCE": str(demo.path)})
    yield app
    close_app(app)


def expected_chains(
    client: FlaskClient, registrar_keys: dict[str, bytes]
) -> tuple[SubjectChains, list[dict[str, list[int]]]]:
    """The chains recomputed from the served entries with the rules (no registry tables)."""
    size = client.get("/api/v1/log").get_json()["size"]

    replayer = Replayer(registrar_keys)
    chains = SubjectChains()
    at_size: list[dict[str, list[int]]] = [{}]
    for index in range(size):
        text = client.get(f"/api/v1/entries/{index}/raw").get_data(as_text=True)
        _, received, envelope, statement = decode_entry(text)
        when = datetime.fromisoformat(received.replace("Z", "+00:00"))
        outcome = replayer.step(statement, envelope, index, when, verify=False)
        chains.add_outcome(outcome, merkle.leaf_hash(text.encode()))
        at_size.append({s: list(ix) for s, ix in chains.chains.items()})
    return chains, at_size


def test_every_subject_at_every_size(app: Flask, demo: Instance) -> None:
    client = app.test_client()
    chains, at_size = expected_chains(client, dict(demo.registrar_keys))
    log_key = NoteVerifier.parse(demo.log_vkey)
    subjects = sorted(chains.chains) + ["tidak-ada"]
    assert len(subjects) > 10
    checked = 0
    sizes = [n for n in range(1, len(at_size)) if client.get(f"/checkpoints/{n}").status_code < 300]
    assert len(sizes) > 10
    for size in sizes:
        for subject in subjects:
            r = client.get(f"/api/v1/subjects/{subject}/proof?size={size}")
            assert r.status_code == 200, r.get_data(as_text=True)
            verified = verify_subject_bundle(r.get_json(), log_key, subject=subject)
            want = at_size[size].get(subject, [])
            assert [i for i, _ in verified.entries] == want
            assert (verified.state.count if verified.state else 0) == len(want)
            checked += 1
    assert checked == len(sizes) * len(subjects)
    # Without ?size=, the published checkpoint.
    newest = client.get("/api/v1/subjects/rs-jiwa-sultra/proof").get_json()
    assert newest["size"] == len(at_size) - 1
    # Statements by others about a unit are in its chain (not only its own).
    own = {
        json.loads(e["entry"])["index"]
        for e in newest["entries"]
        if decode_entry(e["entry"])[3].agency == "rs-jiwa-sultra"
    }
    assert own and len(own) < len(newest["entries"])


def lies(bundle: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(what, the step that must refuse it, the lying bundle)."""
    entries = bundle["entries"]
    b = copy.deepcopy(bundle)
    del b["entries"][0]
    yield "first entry dropped", "chain", b
    b = copy.deepcopy(bundle)
    del b["entries"][-1]
    yield "last entry dropped", "chain", b
    b = copy.deepcopy(bundle)
    b["entries"][0], b["entries"][1] = b["entries"][1], b["entries"][0]
    yield "two entries swapped", "chain", b
    b = copy.deepcopy(bundle)
    b["entries"].append(copy.deepcopy(entries[-1]))
    yield "an entry repeated", "chain", b
    b = copy.deepcopy(bundle)
    text = b["entries"][1]["entry"]
    b["entries"][1]["entry"] = text.replace('"received_at":"', '"received_at":"1', 1)
    yield "a byte of an entry changed", "chain", b
    b = copy.deepcopy(bundle)
    sib = b["map_proof"]["siblings"][0]
    b["map_proof"]["siblings"][0] = ("B" if sib[0] == "A" else "A") + sib[1:]
    yield "a map proof hash changed", "map", b
    b = copy.deepcopy(bundle)
    b["map_proof"]["state"]["count"] -= 1
    del b["entries"][-1]
    yield "the state and the chain both shortened", "map", b
    b = copy.deepcopy(bundle)
    b["checkpoint"] = b["checkpoint"].replace("\n\n", "\nx\n\n", 1)
    yield "the checkpoint changed", "checkpoint", b
    b = copy.deepcopy(bundle)
    b["map_proof"]["subject"] = "tidak-ada"
    yield "a proof for another subject", "map", b


def test_lies_in_a_bundle_are_refused_at_the_right_step(app: Flask, demo: Instance) -> None:
    client = app.test_client()
    log_key = NoteVerifier.parse(demo.log_vkey)
    bundle = client.get("/api/v1/subjects/rs-jiwa-sultra/proof").get_json()
    assert len(bundle["entries"]) >= 3
    verify_subject_bundle(bundle, log_key)
    last = bundle["entries"][-1]["index"]
    size = next(n for n in range(last, 0, -1) if client.get(f"/checkpoints/{n}").status_code == 200)
    older = client.get(f"/api/v1/subjects/rs-jiwa-sultra/proof?size={size}").get_json()
    mixed = {**bundle, "checkpoint": older["checkpoint"]}
    for what, step, lie in [*lies(bundle), ("an older checkpoint", "map", mixed)]:
        with pytest.raises(SubjectCheckError) as found:
            verify_subject_bundle(lie, log_key)
        assert found.value.step == step, what


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/subjects/Bukan%20Id/proof", 404),
        ("/api/v1/subjects/rs-jiwa-sultra/proof?size=0", 404),
        ("/api/v1/subjects/rs-jiwa-sultra/proof?size=100000", 404),
        ("/api/v1/subjects/rs-jiwa-sultra/proof?size=9223372036854775807", 404),
        ("/api/v1/subjects/rs-jiwa-sultra/proof?size=-1", 400),
        ("/api/v1/subjects/rs-jiwa-sultra/proof?size=satu", 400),
        ("/api/v1/subjects/" + "a" * 65 + "/proof", 404),
        ("/api/v1/subjects/window:02026/proof", 404),
        ("/api/v1/subjects/window:2026x/proof", 404),
        ("/api/v1/subjects/windows:2026/proof", 404),
        ("/api/v1/subjects/window:/proof", 404),
        ("/api/v1/subjects/window:-1/proof", 404),
    ],
)
def test_bad_requests_are_problems(app: Flask, path: str, status: int) -> None:
    r = app.test_client().get(path)
    assert r.status_code == status
    assert r.mimetype == "application/problem+json"


def test_a_years_windows_are_proven_present_or_absent(app: Flask, demo: Instance) -> None:
    """`window:<year>` (map version 2): the demo's 2026 window is its chain; 1999 has none."""
    client = app.test_client()
    log_key = NoteVerifier.parse(demo.log_vkey)
    present = verify_subject_bundle(
        client.get("/api/v1/subjects/window:2026/proof").get_json(), log_key
    )
    kinds = [json.loads(text)["index"] for _, text in present.entries]
    assert present.state is not None and len(kinds) == 1
    absent = verify_subject_bundle(
        client.get("/api/v1/subjects/window:1999/proof").get_json(), log_key
    )
    assert absent.state is None and absent.entries == ()


@pytest.mark.parametrize("migrated", [False, True])
def test_against_version_1_lines_a_year_is_absent_and_agencies_are_proven(
    app: Flask, tmp_path: Path, migrated: bool
) -> None:
    """The same demo as an older Pakta signed it, with version 1 lines (map_support), before
    and after `pakta migrate` recorded the years' chains: the route proves every subject in
    the map the line names, so `window:2026` is absent there (no entries, though the log has
    its window), and an agency's chain is the one version 2 proves."""
    from map_support import as_an_older_pakta_left_it

    from registry.migration import migrate

    service = load_fixed_demo(tmp_path / "instance")
    instance = load_instance(tmp_path / "instance")
    try:
        as_an_older_pakta_left_it(instance, service)
    finally:
        service.close()
    if migrated:
        assert migrate(instance).chains_recorded
    log_key = NoteVerifier.parse(instance.log_vkey)
    old = create_app({"TESTING": True, "PAKTA_INSTANCE": str(instance.path)})
    try:
        client = old.test_client()
        size = client.get("/api/v1/log").get_json()["size"]
        sizes = [n for n in range(1, size + 1) if client.get(f"/checkpoints/{n}").status_code < 300]
        for n in [sizes[0], sizes[len(sizes) // 2], sizes[-1]]:
            r = client.get(f"/api/v1/subjects/window:2026/proof?size={n}")
            assert r.status_code == 200, r.get_data(as_text=True)
            assert "\npakta-subject-map " in r.get_json()["checkpoint"]
            year = verify_subject_bundle(r.get_json(), log_key, subject="window:2026")
            assert year.state is None and year.entries == ()
        unit = client.get("/api/v1/subjects/rs-jiwa-sultra/proof").get_json()
    finally:
        close_app(old)
    assert verify_subject_bundle(unit, log_key).entries
    v2 = app.test_client().get("/api/v1/subjects/rs-jiwa-sultra/proof").get_json()
    assert "\npakta-subject-map-v2 " in v2["checkpoint"]
    assert unit["entries"] == v2["entries"]


def test_the_audit_checks_every_checkpoints_map(demo: Instance, tmp_path: Path) -> None:
    from registry.service import open_service

    svc = open_service(demo)
    try:
        export(svc.registry, tmp_path / "export")
    finally:
        svc.close()
    report = audit(
        source_fetch(str(tmp_path / "export")),
        NoteVerifier.parse(demo.log_vkey),
        demo.registrar_keys,
        jobs=1,
    )
    assert report.replay is not None and len(report.replay.map_roots) == report.size + 1


def test_a_registry_that_leaves_a_statement_out_of_a_chain_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The lying registry: statements by others about a unit never reach the unit's chain.
    honest = write_subjects.affected
    monkeypatch.setattr(write_subjects, "affected", lambda outcome: honest(outcome)[:1])
    load_fixed_demo(tmp_path / "instance").close()
    monkeypatch.setattr(write_subjects, "affected", honest)
    instance = load_instance(tmp_path / "instance")
    with served(instance.path) as server:
        with pytest.raises(AuditError, match=r"subject '[a-z0-9.-]+': .*the log gives"):
            audit(
                source_fetch(server.url),
                NoteVerifier.parse(instance.log_vkey),
                instance.registrar_keys,
                jobs=1,
            )
        # A client checking one unit's chain cannot tell (the registry signed its own map),
        # which is why the audit recomputes every chain.
        with urllib.request.urlopen(server.url + "/api/v1/subjects/rs-jiwa-sultra/proof") as r:
            verify_subject_bundle(json.load(r), NoteVerifier.parse(instance.log_vkey))
