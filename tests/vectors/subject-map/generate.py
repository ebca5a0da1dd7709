"""Regenerate the subject map known-answer vectors in this folder, deterministically.

    .venv/bin/python tests/vectors/subject-map/generate.py          # write vectors.json
    .venv/bin/python tests/vectors/subject-map/generate.py --check  # exit 1 if it differs

A small generated log: entry i has the leaf hash SHA-256(0x00 || "entry <i>") and affects the
subjects listed in LOG. For every size the vectors give each subject's chain state and the
map root of each version (version 2: every subject; version 1: those without a ':', so not
the years' window subjects), computed by the naive reference in
tests/registry/tlog/subjectmap_reference.py (written from docs/subject-map.md, not from
registry/tlog/subjectmap.py); then, for the full size, the JSON proof of every subject and
of three absent ones, and the checkpoint extension line of each version, produced by
registry/tlog/subjectmap.py and checked against the reference roots before anything is
written.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests" / "registry" / "tlog"))
sys.path.insert(0, str(ROOT))

import subjectmap_reference as ref  # noqa: E402

from registry.tlog import subjectmap  # noqa: E402

# Which subjects each entry affects: a registrar, two agencies, units, a statement about
# several units (a TPN evaluation), and a subject appearing late.
LOG: list[list[str]] = [
    ["registrar"],
    ["registrar", "kemenpan"],
    ["registrar", "bps-grobogan"],
    ["bps-grobogan"],
    ["kemenpan", "bps-grobogan"],
    ["registrar", "pn-semarang"],
    ["pn-semarang"],
    ["kemenpan", "bps-grobogan", "pn-semarang"],
    ["bps-grobogan"],
    ["registrar", "rsud-kudus"],
    ["rsud-kudus", "kemenpan"],
    ["bps-grobogan"],
    ["kemenpan", "window:2026"],  # a national team's window for 2026 (map version 2)
    ["tpn-dua", "window:2026"],  # another team's window for the same year
    ["registrar", "tpn-dua"],
    ["kemenpan", "window:2027"],
]
ABSENT = ["tidak-terdaftar", "bps-kudus", "window:2025"]


def entry_leaf(i: int) -> bytes:
    return hashlib.sha256(b"\x00" + b"entry %d" % i).digest()


def build() -> dict[str, object]:
    states: dict[str, tuple[int, bytes, int]] = {}
    sizes = []
    for i, subjects in enumerate(LOG):
        for s in subjects:
            count, head, _ = states.get(s, (0, bytes(32), 0))
            states[s] = (count + 1, ref.link(head, i, entry_leaf(i)), i)
        roots = {}
        for version in (1, 2):
            leaves = {
                hashlib.sha256(s.encode()).digest(): ref.leaf(
                    hashlib.sha256(s.encode()).digest(), *st
                )
                for s, st in states.items()
                if version == 2 or ":" not in s
            }
            roots[version] = ref.root(leaves).hex()
        sizes.append(
            {
                "size": i + 1,
                "root": roots[2],
                "root_v1": roots[1],
                "states": {
                    s: {"count": c, "head": h.hex(), "last_index": last}
                    for s, (c, h, last) in sorted(states.items())
                },
            }
        )
    final = subjectmap.SubjectMap(
        {s: subjectmap.SubjectState(c, h, last) for s, (c, h, last) in states.items()}
    )
    root = bytes.fromhex(str(sizes[-1]["root"]))
    root_v1 = bytes.fromhex(str(sizes[-1]["root_v1"]))
    if final.root() != root or final.root(1) != root_v1:
        raise SystemExit("registry/tlog/subjectmap.py disagrees with the reference root")
    proofs = []
    for s in [*sorted(states), *ABSENT]:
        proof = final.prove(s)
        subjectmap.verify_map_proof(proof, root)
        proofs.append(proof.to_json())
    return {
        "spec": "docs/subject-map.md",
        "entry_leaf_hash": "SHA-256(0x00 || 'entry <i>')",
        "log": LOG,
        "sizes": sizes,
        "proofs_at_full_size": proofs,
        "lines_at_full_size": {
            "1": subjectmap.extension_line(root_v1, 1),
            "2": subjectmap.extension_line(root, 2),
        },
    }


def main() -> int:
    text = json.dumps(build(), indent=1, sort_keys=True) + "\n"
    path = HERE / "vectors.json"
    if "--check" in sys.argv:
        if path.read_text() != text:
            print(f"{path} differs from what the generator makes", file=sys.stderr)
            return 1
        return 0
    path.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
