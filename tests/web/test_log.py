"""The log over real HTTP: tlog-tiles, checkpoints, proofs and tlog-proof files, witnesses."""

from __future__ import annotations

import base64
import json
import shutil
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pakta_support import Agent, Harness, LiveServer, envelope_bytes, registration, served

from keys.ed25519 import generate, load_private_key, write_private_key
from keys.note import NoteVerifier, open_note
from registry.cli import main
from registry.tlog import merkle, tiles
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureSigner, check_policy
from registry.tlog.proof import verify_proof
from registry.witness.server import Witness, logs_from_vkeys, serve
from registry.write.instance import Instance, load_instance


def get(url: str) -> tuple[bytes, dict[str, str]]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.read(), dict(response.headers)


@pytest.fixture
def live(instance: Instance) -> Iterator[LiveServer]:
    with served(instance.path) as server:
        yield server


def fill(instance: Instance, count: int) -> None:
    """Register `count` agencies in one group commit through the live registry's database."""
    from registry.service import open_service

    service = open_service(instance)
    try:
        registrar = load_private_key(instance.registrar_key_path())
        items = [
            envelope_bytes(registration(Agent(f"pemkab-{i}")), registrar) for i in range(count)
        ]
        assert all(not isinstance(r, Exception) for r in service.registry.submit_many(items))
    finally:
        service.close()


@pytest.mark.integration
def test_tiles_checkpoint_and_proofs_verify_from_http_alone(
    instance: Instance, live: LiveServer
) -> None:
    fill(instance, 300)
    note_bytes, headers = get(f"{live.url}/checkpoint")
    assert headers["Cache-Control"] == "no-cache"
    log = NoteVerifier.parse(get(f"{live.url}/log-key")[0].decode().strip())
    assert str(log) == instance.log_vkey
    note, _ = open_note(note_bytes, [log])
    checkpoint = Checkpoint.parse(note.text)
    assert checkpoint.size == 300

    def fetch(path: str) -> bytes:
        return get(f"{live.url}/{path}")[0]

    full = tiles.Tile(0, 0)
    assert get(f"{live.url}/{full.path()}")[1]["Cache-Control"].endswith("immutable")
    partial = tiles.Tile(0, 1, 300 - 256)
    assert get(f"{live.url}/{partial.path()}")[1]["Cache-Control"] == "no-cache"
    reader = tiles.TileHashReader(checkpoint.size, checkpoint.root_hash, fetch)
    entries = []
    for bundle in tiles.entry_tiles_for_size(checkpoint.size):
        entries += tiles.verify_entry_bundle(bundle, fetch(bundle.path()), reader)
    assert merkle.root_from_leaves(entries) == checkpoint.root_hash
    # Beyond the tree: 404, and a malformed path too.
    for path in ("tile/0/002", "tile/entries/001.p/45", "tile/0/x001", "tile/0/1"):
        with pytest.raises(urllib.error.HTTPError) as missing:
            get(f"{live.url}/{path}")
        assert missing.value.code == 404
        missing.value.close()
    for index in (0, 255, 299):
        proof = json.loads(get(f"{live.url}/api/v1/entries/{index}/proof")[0])
        path = [base64.b64decode(h) for h in proof["inclusion_proof"]]
        merkle.verify_inclusion(
            merkle.leaf_hash(entries[index]), index, 300, path, checkpoint.root_hash
        )
        text, headers = get(f"{live.url}/api/v1/entries/{index}/proof.tlog-proof")
        assert "attachment" in headers["Content-Disposition"]
        assert verify_proof(text.decode(), entries[index], log).size == 300
    fill_more = json.loads(get(f"{live.url}/api/v1/consistency?from=300&to=300")[0])
    assert fill_more["consistency_proof"] == []


@pytest.mark.integration
def test_consistency_between_two_published_sizes(instance: Instance, live: LiveServer) -> None:
    fill(instance, 5)
    service_note = get(f"{live.url}/checkpoint")[0]
    registrar = load_private_key(instance.registrar_key_path())
    posted = urllib.request.Request(
        f"{live.url}/api/v1/statements",
        data=envelope_bytes(registration(Agent("pemkab-late")), registrar),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(posted) as response:
        receipt = json.loads(response.read())
    assert receipt["index"] == 5 and receipt["checkpoint"] != service_note.decode()
    body = json.loads(get(f"{live.url}/api/v1/consistency?from=5&to=6")[0])
    old = Checkpoint.parse(body["from_checkpoint"].split("\n\n")[0] + "\n")
    new = Checkpoint.parse(body["to_checkpoint"].split("\n\n")[0] + "\n")
    proof = [base64.b64decode(h) for h in body["consistency_proof"]]
    merkle.verify_consistency(5, 6, old.root_hash, new.root_hash, proof)
    with pytest.raises(urllib.error.HTTPError) as bad:
        get(f"{live.url}/api/v1/consistency?from=x")
    assert bad.value.code == 400
    bad.value.close()


@pytest.mark.integration
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # forks by file copy
def test_a_witness_cosigns_the_log_and_refuses_its_fork(
    instance: Instance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = generate()
    write_private_key(tmp_path / "witness.key", key)
    signer = CosignatureSigner("witness.test/w1", key)
    witness = Witness(signer, tmp_path / "witness-state", logs_from_vkeys([instance.log_vkey]))
    server = serve(witness, "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        # A fork: the same log key and first entry, then different entries.
        twin_path = tmp_path / "twin"
        fill(instance, 1)
        shutil.copytree(instance.path, twin_path)
        shutil.copy(instance.database_url.removeprefix("sqlite:///"), twin_path / "twin.sqlite3")
        twin = load_instance(twin_path)
        twin.database_url = f"sqlite:///{twin_path / 'twin.sqlite3'}"
        twin.save()
        for folder in (instance.path, twin_path):
            argv = ["--instance", str(folder), "witness-add", url, signer.verifier_key()]
            assert main([*argv, "--quorum", "1"]) == 0
        from registry.service import open_service

        served = {}
        for folder, agency in ((instance.path, "pemkab-main"), (twin_path, "pemkab-fork")):
            service = open_service(load_instance(folder))
            try:
                Harness(service.registry).register(Agent(agency))
                service.witnessing.collect()  # what the background thread does after an append
                served[folder] = service.published_checkpoint()
                refusals = service.witnessing.refusals
            finally:
                service.close()
        main_note = served[instance.path]
        assert main_note is not None
        check_policy(main_note, NoteVerifier.parse(instance.log_vkey), [signer.verifier()], 1)
        # The witness refused the fork (same size, other root: tlog-witness says 422): no
        # cosigned checkpoint of size 2.
        assert refusals and "422" in refusals[-1][2]
        fork_note = served[twin_path]
        assert fork_note is None or Checkpoint.parse(fork_note.split("\n\n")[0] + "\n").size == 1
        assert witness.state(Checkpoint.parse(main_note.split("\n\n")[0] + "\n").origin).size == 2  # type: ignore[union-attr]
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
    capsys.readouterr()
