"""Tests for registry.witness.server's `Witness`: the tlog-witness status codes, consistency, forks,
rollbacks, persistence and races between requests (the HTTP server is test_witness_http)."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from witness_support import ORIGIN, TS, VECTORS, Log, accept, assert_state, leaves

from keys.ed25519 import generate
from keys.note import NoteSigner, sign_note
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.cosignature import CosignatureSigner, add_cosignatures, check_policy
from registry.tlog.merkle import tree_hash
from registry.witness.server import (
    SIZE_CONTENT_TYPE,
    Witness,
    format_add_checkpoint,
    parse_add_checkpoint,
)


def test_first_checkpoint_is_cosigned(
    witness: Witness, log: Log, signer: CosignatureSigner
) -> None:
    assert witness.state(ORIGIN) is None
    line = accept(witness, log.request(0, 10))
    cosigned = add_cosignatures(log.checkpoint(10), [line])
    check_policy(cosigned, log.signer.verifier(), [signer.verifier()], 1)
    assert line == signer.cosign(Checkpoint(ORIGIN, 10, tree_hash(10, log.reader)).to_text(), TS)
    assert_state(witness, log, 10)


def test_next_checkpoints_need_a_valid_proof(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 10))
    accept(witness, log.request(10, 20))
    accept(witness, log.request(20, 20))  # the same tree head again is fine
    accept(witness, log.request(20, 64))
    assert_state(witness, log, 64)


def test_empty_tree(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 0))
    accept(witness, log.request(0, 3))


def test_wrong_old_size_is_409_with_the_stored_size(witness: Witness, log: Log) -> None:
    assert witness.add_checkpoint(log.request(5, 10)) == (409, b"0\n", SIZE_CONTENT_TYPE)
    accept(witness, log.request(0, 10))
    for old in (0, 5, 11):
        assert witness.add_checkpoint(log.request(old, 20)) == (409, b"10\n", SIZE_CONTENT_TYPE)
    assert_state(witness, log, 10)


def test_bad_proofs_are_422(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 10))
    good = log.proof(10, 20)
    bad_proofs = [[], good[:-1], [*good, good[0]], [bytes(32)] * len(good)]
    for i in range(len(good)):
        for byte in range(32):
            flipped = list(good)
            flipped[i] = flipped[i][:byte] + bytes([flipped[i][byte] ^ 1]) + flipped[i][byte + 1 :]
            bad_proofs.append(flipped)
    for proof in bad_proofs:
        assert witness.add_checkpoint(log.request(10, 20, proof))[0] == 422
    assert witness.add_checkpoint(log.request(10, 20, [good[0][:31], *good[1:]]))[0] == 400
    # Equal sizes need an empty proof, as does a first checkpoint (old size 0).
    assert witness.add_checkpoint(log.request(10, 10, [bytes(32)]))[0] == 422
    assert_state(witness, log, 10)
    other = Log(log.signer, leaves(b"a", 64), origin=ORIGIN)
    fresh = Witness(witness.signer, witness.state_dir / "fresh", {ORIGIN: log.signer.verifier()})
    assert fresh.add_checkpoint(other.request(0, 10, [bytes(32)]))[0] == 422
    assert fresh.state(ORIGIN) is None


def test_unknown_origin_is_404(witness: Witness) -> None:
    other = Log(NoteSigner("other.example/log", generate()), leaves(b"a", 8), "other.example/log")
    assert witness.add_checkpoint(other.request(0, 4))[0] == 404


def test_bad_log_signatures_are_403(witness: Witness, log: Log) -> None:
    impostor = Log(NoteSigner(ORIGIN, generate()), leaves(b"a", 64))
    status, body, _ = witness.add_checkpoint(impostor.request(0, 10))
    assert status == 403 and b"not signed by the log" in body
    # The known key's signature, but over other bytes.
    text, sigs = log.checkpoint(10).split("\n\n")
    forged = Checkpoint.parse(text + "\n").to_text().replace("10", "11", 1) + "\n" + sigs
    assert witness.add_checkpoint(format_add_checkpoint(0, [], forged))[0] == 403
    assert witness.state(ORIGIN) is None


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"old 0\n",
        b"old 01\n\n",
        b"old -1\n\n",
        b"new 0\n\n",
        b"old 0 \n\n",
        b"old 9223372036854775808\n\n",
        b"old 0\nnot-base64\n\n",
        b"old 0\n" + base64.b64encode(bytes(31)) + b"\n\n",
        b"old 0\n" + (base64.b64encode(bytes(32)) + b"\n") * 64 + b"\n",
        b"old 0\n\n\xff\n",
        b"old 0\n\nno signatures\n",
    ],
)
def test_malformed_requests_are_400(witness: Witness, log: Log, body: bytes) -> None:
    if body.endswith(b"\n\n"):
        body += log.checkpoint(10).encode()
    assert witness.add_checkpoint(body)[0] == 400
    assert witness.state(ORIGIN) is None


def test_non_canonical_checkpoint_and_larger_old_size_are_400(witness: Witness, log: Log) -> None:
    text = "test.pakta/log\n010\n" + base64.b64encode(bytes(32)).decode() + "\n"
    note = sign_note(text, [log.signer])
    assert witness.add_checkpoint(format_add_checkpoint(0, [], note))[0] == 400
    accept(witness, log.request(0, 20))
    # tlog-witness: old size larger than the checkpoint size is a 400, whatever is stored.
    assert witness.add_checkpoint(log.request(0, 10).replace(b"old 0", b"old 20"))[0] == 400


def test_rollback_is_refused(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 20))
    assert witness.add_checkpoint(log.request(10, 10))[:2] == (409, b"20\n")
    assert witness.add_checkpoint(format_add_checkpoint(20, [], log.checkpoint(10)))[0] == 400
    assert witness.add_checkpoint(log.request(0, 10))[:2] == (409, b"20\n")
    assert_state(witness, log, 20)


def test_a_fork_is_never_cosigned(witness: Witness, log_key: NoteSigner) -> None:
    common = leaves(b"common", 16)
    a = Log(log_key, common + leaves(b"a", 16))
    b = Log(log_key, common + leaves(b"b", 16))
    accept(witness, a.request(0, 16))
    assert a.checkpoint(16) == b.checkpoint(16)  # one history so far
    accept(witness, a.request(16, 24))
    # B's view of the log: same size, other root; a proof from B's 24; an old size.
    # tlog-witness: same size, other root hash is "422 Unprocessable Entity" (a 409 body is
    # reserved for the witness's size).
    assert witness.add_checkpoint(b.request(24, 24)) == (
        422,
        b"a different root hash was cosigned for this size\n",
        "text/plain; charset=utf-8",
    )
    assert witness.add_checkpoint(b.request(24, 30))[0] == 422
    assert witness.add_checkpoint(b.request(16, 30))[:2] == (409, b"24\n")
    assert_state(witness, a, 24)
    evidence = list((witness.state_dir / "evidence").iterdir())
    assert {p.read_bytes() for p in evidence} == {b.request(24, 24), b.request(24, 30)}


def test_first_view_wins_for_a_size(witness: Witness, log_key: NoteSigner) -> None:
    common = leaves(b"common", 16)
    a = Log(log_key, common + leaves(b"a", 16))
    b = Log(log_key, common + leaves(b"b", 16))
    accept(witness, a.request(0, 16))
    accept(witness, b.request(16, 20))
    assert witness.add_checkpoint(a.request(20, 20))[0] == 422
    assert witness.add_checkpoint(a.request(20, 24))[0] == 422
    assert witness.add_checkpoint(a.request(16, 20))[:2] == (409, b"20\n")
    assert_state(witness, b, 20)


def test_state_survives_a_restart(
    tmp_path: Path, witness: Witness, log: Log, signer: CosignatureSigner
) -> None:
    accept(witness, log.request(0, 20))
    again = Witness(signer, tmp_path / "state", {ORIGIN: [log.signer.verifier()]})
    assert_state(again, log, 20)
    assert again.add_checkpoint(log.request(0, 30))[:2] == (409, b"20\n")
    accept(again, log.request(20, 30))
    files = sorted(p.name for p in (tmp_path / "state").iterdir())
    assert len(files) == 2 and files[0].endswith(".json") and files[1].endswith(".lock")
    data = json.loads((tmp_path / "state" / files[0]).read_text(encoding="utf-8"))
    assert data["origin"] == ORIGIN and data["size"] == 30
    assert data["checkpoint"] == log.checkpoint(30)


def test_corrupt_state_is_a_500(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 10))
    (state_file,) = witness.state_dir.glob("*.json")
    state_file.write_text("{", encoding="utf-8")
    assert witness.add_checkpoint(log.request(10, 20))[0] == 500
    state_file.write_text(json.dumps({"origin": "x", "size": 1, "root_hash": "", "checkpoint": ""}))
    assert witness.add_checkpoint(log.request(10, 20))[0] == 500


def test_concurrent_requests_never_both_advance(
    witness: Witness, log: Log, monkeypatch: pytest.MonkeyPatch
) -> None:
    accept(witness, log.request(0, 8))
    store = witness._store

    def slow_store(state: Any) -> None:
        time.sleep(0.02)  # widen the window between the check and the write
        store(state)

    monkeypatch.setattr(witness, "_store", slow_store)
    sizes = list(range(9, 41))
    barrier = threading.Barrier(len(sizes))
    results: dict[int, int] = {}

    def submit(size: int) -> None:
        body = log.request(8, size)
        barrier.wait()
        results[size] = witness.add_checkpoint(body)[0]

    threads = [threading.Thread(target=submit, args=(n,)) for n in sizes]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [n for n, status in results.items() if status == 200]
    assert len(winners) == 1 and sorted(results.values()) == [200] + [409] * (len(sizes) - 1)
    assert_state(witness, log, winners[0])


def test_spec_example_request_parses() -> None:
    ex = VECTORS["tlog_witness_example"]
    old, proof, note = parse_add_checkpoint(ex["request"].encode())
    assert old == ex["old_size"]
    assert [base64.b64encode(h).decode() for h in proof] == ex["proof"]
    assert note == ex["signed_checkpoint"]
    assert format_add_checkpoint(old, proof, note) == ex["request"].encode()


def test_an_empty_tree_must_have_the_empty_root(witness: Witness, log: Log) -> None:
    # tlog-witness: "A checkpoint of size zero MUST have the root hash of the empty tree";
    # otherwise 422, whatever the witness holds.
    bad = sign_note(Checkpoint(ORIGIN, 0, bytes(32)).to_text(), [log.signer])
    assert witness.add_checkpoint(format_add_checkpoint(0, [], bad))[0] == 422
    assert witness.state(ORIGIN) is None
    accept(witness, log.request(0, 0))
    assert witness.add_checkpoint(format_add_checkpoint(0, [], bad))[0] == 422
    assert_state(witness, log, 0)


def test_a_failing_signature_by_a_trusted_key_is_403(
    tmp_path: Path, log: Log, signer: CosignatureSigner
) -> None:
    # tlog-witness: 403 also when "a signature line's key name and ID match a trusted key but
    # the signature itself fails to verify", even if another trusted key's signature is good.
    second = NoteSigner(ORIGIN, generate())
    both = Witness(signer, tmp_path / "two", {ORIGIN: [log.signer.verifier(), second.verifier()]})
    text = Checkpoint(ORIGIN, 10, tree_hash(10, log.reader)).to_text()
    note = sign_note(text, [log.signer, second])
    good_line, bad_line = note.split("\n\n")[1].split("\n")[:2]
    raw = base64.b64decode(bad_line.split(" ")[2])
    flipped = base64.b64encode(raw[:-1] + bytes([raw[-1] ^ 1])).decode()
    tampered = f"{text}\n{good_line}\n{bad_line.rsplit(' ', 1)[0]} {flipped}\n"
    assert both.add_checkpoint(format_add_checkpoint(0, [], tampered))[0] == 403
    assert both.add_checkpoint(format_add_checkpoint(0, [], note))[0] == 200


def test_the_cosignature_timestamp_is_never_zero(tmp_path: Path, log: Log) -> None:
    # tlog-witness: "The cosignature MUST NOT omit the timestamp, i.e. the timestamp MUST NOT
    # be zero": a witness whose clock reads 0 refuses to cosign (a 500, and nothing stored).
    stopped = Witness(
        CosignatureSigner("w.test/0", generate()),
        tmp_path / "s",
        {ORIGIN: log.signer.verifier()},
        clock=lambda: 0.5,
    )
    assert stopped.add_checkpoint(log.request(0, 4))[0] == 500
    assert stopped.state(ORIGIN) is None


def test_the_cosigned_checkpoint_is_kept_for_monitors(
    witness: Witness, log: Log, signer: CosignatureSigner
) -> None:
    origin_hash = hashlib.sha256(ORIGIN.encode()).hexdigest()
    assert witness.latest(origin_hash) is None
    # A signature by a key the witness does not know is left out of what it serves.
    stranger = NoteSigner("someone.else/key", generate())
    text = Checkpoint(ORIGIN, 10, tree_hash(10, log.reader)).to_text()
    note = sign_note(text, [stranger, log.signer])
    line = accept(witness, format_add_checkpoint(0, [], note))
    served = witness.latest(origin_hash)
    assert served == log.checkpoint(10) + line
    check_policy(served, log.signer.verifier(), [signer.verifier()], 1)
    assert witness.latest(origin_hash.upper()) is None
    assert witness.latest(hashlib.sha256(b"other").hexdigest()) is None


def test_state_from_before_the_monitoring_api_still_reads(witness: Witness, log: Log) -> None:
    accept(witness, log.request(0, 10))
    (state_file,) = witness.state_dir.glob("*.json")
    data = json.loads(state_file.read_text(encoding="utf-8"))
    del data["cosigned"]
    state_file.write_text(json.dumps(data), encoding="utf-8")
    assert witness.latest(state_file.stem) is None
    accept(witness, log.request(10, 20))
    assert witness.latest(state_file.stem) is not None
    for bad in ({"checkpoint": 5}, {"cosigned": []}, {"size": -1}, {"size": True}):
        state_file.write_text(json.dumps({**data, **bad}), encoding="utf-8")
        assert witness.add_checkpoint(log.request(20, 30))[0] == 500
