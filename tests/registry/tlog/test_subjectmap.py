"""Tests for registry.tlog.subjectmap: the map against the naive reference at every size of a
generated log, every presence and absence proof at every size, every bit flip of every proof
failing, malformed proofs, the checkpoint extension line, and the known-answer vectors."""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import subjectmap_reference as ref

from keys.errors import VerificationError
from registry.tlog import subjectmap
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.subjectmap import (
    MapProof,
    SubjectMap,
    SubjectState,
    extension_line,
    map_line,
    root_from_extensions,
    subject_key,
    verify_map_proof,
)

VECTORS = Path(__file__).resolve().parents[2] / "vectors" / "subject-map"


def generated_log(n: int, seed: int) -> list[list[str]]:
    rnd = random.Random(seed)
    names = [f"unit-{i}" for i in range(24)]
    log = []
    for i in range(n):
        k = 1 + (rnd.random() < 0.3) + (rnd.random() < 0.1)
        log.append(rnd.sample(names[: 2 + i // 2], min(k, 2 + i // 2)))
    return log


def leaf_of(i: int) -> bytes:
    return hashlib.sha256(b"\x00" + b"entry %d" % i).digest()


def reference_root(states: dict[str, SubjectState]) -> bytes:
    return ref.root(
        {
            subject_key(s): ref.leaf(subject_key(s), st.count, st.head, st.last_index)
            for s, st in states.items()
        }
    )


def flips(proof: MapProof) -> list[MapProof]:
    """Every proof with exactly one bit of one hash or number changed."""
    out = []
    for d, h in enumerate(proof.siblings):
        for b in range(256):
            bad = bytearray(h)
            bad[b // 8] ^= 1 << (b % 8)
            s = list(proof.siblings)
            s[d] = bytes(bad)
            out.append(
                MapProof(proof.subject, proof.state, tuple(s), proof.other_key, proof.other_state)
            )
    for attr in ("state", "other_state"):
        st = getattr(proof, attr)
        if st is None:
            continue
        for b in range(256):
            head = bytearray(st.head)
            head[b // 8] ^= 1 << (b % 8)
            variants = [SubjectState(st.count, bytes(head), st.last_index)]
            if b < 62:
                variants.append(
                    SubjectState(st.count ^ (1 << b) or 1 << 62, st.head, st.last_index)
                )
                variants.append(SubjectState(st.count, st.head, st.last_index ^ (1 << b)))
            for v in variants:
                kw = {"state": proof.state, "other_state": proof.other_state, attr: v}
                out.append(
                    MapProof(
                        proof.subject,
                        kw["state"],
                        proof.siblings,
                        proof.other_key,
                        kw["other_state"],
                    )
                )
    if proof.other_key is not None:
        for b in range(256):
            k = bytearray(proof.other_key)
            k[b // 8] ^= 1 << (b % 8)
            out.append(
                MapProof(proof.subject, proof.state, proof.siblings, bytes(k), proof.other_state)
            )
    return out


def test_every_proof_at_every_size_of_a_generated_log() -> None:
    log = generated_log(60, 7)
    m = SubjectMap()
    states: dict[str, SubjectState] = {}
    everyone = sorted({s for subjects in log for s in subjects}) + ["never-seen", "unit-99"]
    kinds = set()
    for i, subjects in enumerate(log):
        for s in subjects:
            prev = states.get(s)
            states[s] = (
                subjectmap.first_state(i, leaf_of(i))
                if prev is None
                else prev.extend(i, leaf_of(i))
            )
            m.set(s, states[s])
        root = m.root()
        assert root == reference_root(states)
        assert SubjectMap(dict(reversed(list(states.items())))).root() == root  # order-free
        for s in everyone:
            proof = m.prove(s)
            assert verify_map_proof(proof, root) == states.get(s)
            assert verify_map_proof(
                MapProof.from_json(json.loads(json.dumps(proof.to_json()))), root
            ) == states.get(s)
            kinds.add("present" if proof.state else "other" if proof.other_key else "empty")
            # A proof for another subject, or against another size's root, fails.
            if i and s in states:
                with pytest.raises(VerificationError):
                    verify_map_proof(MapProof("never-seen", proof.state, proof.siblings), root)
    assert kinds == {"present", "other", "empty"}


def test_every_bit_flip_of_every_proof_fails() -> None:
    log = generated_log(30, 3)
    m = SubjectMap()
    states: dict[str, SubjectState] = {}
    for i, subjects in enumerate(log):
        for s in subjects:
            states[s] = (
                subjectmap.first_state(i, leaf_of(i))
                if s not in states
                else states[s].extend(i, leaf_of(i))
            )
            m.set(s, states[s])
    root = m.root()
    checked = 0
    for s in [*sorted(states), "never-seen", "unit-23", "x"]:
        proof = m.prove(s)
        for bad in flips(proof):
            with pytest.raises(VerificationError):
                verify_map_proof(bad, root)
            checked += 1
        # A present subject cannot be proven absent, and the reverse.
        with pytest.raises(VerificationError):
            verify_map_proof(
                MapProof(s, None, proof.siblings)
                if proof.state
                else MapProof(s, SubjectState(1, bytes(32), 0), proof.siblings),
                root,
            )
        # Dropping or adding a level fails.
        if proof.siblings:
            with pytest.raises(VerificationError):
                verify_map_proof(
                    MapProof(
                        s, proof.state, proof.siblings[1:], proof.other_key, proof.other_state
                    ),
                    root,
                )
        with pytest.raises(VerificationError):
            verify_map_proof(
                MapProof(
                    s, proof.state, (bytes(32), *proof.siblings), proof.other_key, proof.other_state
                ),
                root,
            )
    assert checked > 10_000


def test_proofs_are_logarithmic() -> None:
    m = SubjectMap({f"unit-{i}": SubjectState(1, bytes(32), i) for i in range(4096)})
    depths = [len(m.prove(f"unit-{i}").siblings) for i in range(0, 4096, 7)]
    assert max(depths) <= 3 * 12 and sum(depths) / len(depths) < 16


def test_empty_map_and_single_subject() -> None:
    assert SubjectMap().root() == bytes(32)
    proof = SubjectMap().prove("a")
    assert proof.siblings == () and verify_map_proof(proof, bytes(32)) is None
    st = SubjectState(1, bytes(32), 0)
    one = SubjectMap({"a": st})
    assert one.root() == subjectmap.map_leaf_hash(subject_key("a"), st)
    assert verify_map_proof(one.prove("a"), one.root()) == st
    other = one.prove("b")
    assert other.other_key == subject_key("a") and verify_map_proof(other, one.root()) is None


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {"subject": "a"},
        {"subject": 1, "state": None, "siblings": []},
        {"subject": "a", "state": None, "siblings": ["AAAA"]},
        {"subject": "a", "state": None, "siblings": [123]},
        {"subject": "a", "state": {"count": 0, "head": "00" * 32, "last_index": 0}, "siblings": []},
        {"subject": "a", "state": {"count": 1, "head": "AA" * 32, "last_index": 0}, "siblings": []},
        {
            "subject": "a",
            "state": {"count": 1, "head": "00" * 32, "last_index": -1},
            "siblings": [],
        },
        {
            "subject": "a",
            "state": {"count": True, "head": "00" * 32, "last_index": 0},
            "siblings": [],
        },
        {"subject": "a", "state": None, "siblings": [], "other": {"key": "00"}},
    ],
)
def test_malformed_proofs_are_verification_errors(bad: object) -> None:
    with pytest.raises(VerificationError):
        MapProof.from_json(bad)


def test_too_long_proof_fails() -> None:
    with pytest.raises(VerificationError, match="too long"):
        verify_map_proof(MapProof("a", None, (bytes(32),) * 257), bytes(32))


def test_chain_link_and_states() -> None:
    leaf = leaf_of(0)
    assert subjectmap.chain_link(bytes(32), 5, leaf) == ref.link(bytes(32), 5, leaf)
    st = subjectmap.chain_states([(2, leaf_of(2)), (5, leaf_of(5))])
    assert st is not None and (st.count, st.last_index) == (2, 5)
    assert st.head == ref.link(ref.link(bytes(32), 2, leaf_of(2)), 5, leaf_of(5))
    assert subjectmap.chain_states([]) is None
    with pytest.raises(ValueError):
        subjectmap.chain_states([(5, leaf), (5, leaf)])


def test_extension_line_in_a_checkpoint() -> None:
    root = hashlib.sha256(b"map").digest()
    cp = Checkpoint("pakta.example/log", 3, bytes(32), (extension_line(root),))
    parsed = Checkpoint.parse(cp.to_text())
    assert root_from_extensions(parsed.extensions) == root
    assert root_from_extensions(()) is None
    assert root_from_extensions(["other-extension x"]) is None
    with pytest.raises(VerificationError):
        root_from_extensions([extension_line(root), extension_line(root)])
    with pytest.raises(VerificationError):
        root_from_extensions(["pakta-subject-map AAAA"])
    # A version 2 line: the same root; one line of each version is two lines.
    assert map_line([extension_line(root, 2)]) == (2, root)
    assert map_line([extension_line(root, 1)]) == (1, root)
    with pytest.raises(VerificationError):
        map_line([extension_line(root, 1), extension_line(root, 2)])


def test_known_answer_vectors() -> None:
    data = json.loads((VECTORS / "vectors.json").read_text())
    m = SubjectMap()
    states: dict[str, SubjectState] = {}
    for i, subjects in enumerate(data["log"]):
        for s in subjects:
            states[s] = (
                subjectmap.first_state(i, leaf_of(i))
                if s not in states
                else states[s].extend(i, leaf_of(i))
            )
            m.set(s, states[s])
        want = data["sizes"][i]
        assert m.root().hex() == want["root"]
        assert m.root(1).hex() == want["root_v1"] == m.versioned(1).root().hex()
        assert {s: st.to_json() for s, st in states.items()} == want["states"]
    root = bytes.fromhex(data["sizes"][-1]["root"])
    for p in data["proofs_at_full_size"]:
        proof = MapProof.from_json(p)
        assert verify_map_proof(proof, root) == states.get(proof.subject)
        assert m.prove(proof.subject).to_json() == p
    lines = data["lines_at_full_size"]
    assert map_line([lines["1"]]) == (1, bytes.fromhex(data["sizes"][-1]["root_v1"]))
    assert map_line([lines["2"]]) == (2, root)
    assert lines["1"].startswith("pakta-subject-map ")
    assert lines["2"].startswith("pakta-subject-map-v2 ")


def test_vectors_are_what_the_generator_makes() -> None:
    script = VECTORS / "generate.py"
    subprocess.run([sys.executable, str(script), "--check"], check=True)
