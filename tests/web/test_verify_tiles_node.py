"""The entry check's tile code (web/static/verify/tiles.js, run in node) against the Python
log: on one log read at many sizes (1..300, around 256 * 8 and around 256**2), the inclusion
proof the JS computes from real tiles (written in the export's layout by
`registry.tlog.tiles`) is `registry.tlog.merkle`'s, for many (index, size) pairs; it plans
and fetches exactly the tiles the audit plans (`registry.audit.fetching.plan_tiles`), each
once; its stored-hash index math is merkle's; and a tile with one byte changed (full or
partial), cut short or missing is refused, naming it, while a deleted partial tile is cut
from its full tile."""

from __future__ import annotations

import base64
import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from registry.audit.fetching import Recorder, plan_tiles
from registry.tlog import merkle, tiles

ROOT = Path(__file__).resolve().parents[2]
TILES_JS = ROOT / "web" / "static" / "verify" / "tiles.js"
COMMON_JS = TILES_JS.with_name("common.js")
NODE = shutil.which("node")
SIZES = [*range(1, 301), 2047, 2048, 2049, 2048 + 300, 65535, 65536, 65537, 65536 + 2 * 256 + 7]
RUNNER = """
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as t from '%s';
import { Unchecked } from '%s';
const job = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const b64 = (u8) => Buffer.from(u8).toString('base64');
function reader(dir, seen) {
  return async function (path) {
    seen.push(path);
    if ((job.cut || []).includes(join(dir, path))) throw new Unchecked('cut');
    try {
      return new Uint8Array(readFileSync(join(dir, path)));
    } catch (e) {
      throw Object.assign(new Error('absent ' + path), { status: 404 });
    }
  };
}
async function prove(c) {
  const seen = [];
  const root = new Uint8Array(Buffer.from(c.root, 'base64'));
  const prover = t.tileProver(c.size, root, t.tileFetcher(reader(c.dir, seen)));
  try {
    const paths = await prover.proofs(c.indexes);
    return { proofs: paths.map((p) => p.map(b64)), seen: seen, requests: prover.requests() };
  } catch (e) {
    return { error: e.message, tiles: e.tiles || null, seen: seen };
  }
}
const out = {
  stored: job.stored.map((s) => t.storedHashIndex(s[0], s[1])),
  split: job.split.map((x) => t.splitStoredHashIndex(x)),
  paths: job.paths.map((p) => t.tilePath({ level: p[0], index: p[1], width: p[2] })),
  plans: job.plans.map((p) => t.planTiles(p[0], t.proofIndexes([p[1]], p[0])).map(t.tilePath)),
  cases: [],
};
for (const c of job.cases) out.cases.push(await prove(c));
process.stdout.write(JSON.stringify(out));
"""


def run_node(tmp: Path, job: dict[str, Any]) -> Any:
    assert NODE is not None
    (tmp / "job.json").write_text(json.dumps(job))
    (tmp / "run.mjs").write_text(RUNNER % (TILES_JS.as_uri(), COMMON_JS.as_uri()))
    done = subprocess.run(
        [NODE, str(tmp / "run.mjs"), str(tmp / "job.json")],
        check=True,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(done.stdout)


def a_log(size: int) -> merkle.ListHashReader:
    leaves = [merkle.leaf_hash(b"entry %d" % i) for i in range(size)]
    return merkle.ListHashReader(merkle.build_stored_hashes(leaves))


def write_tiles(folder: Path, reader: merkle.ListHashReader, sizes: list[int]) -> None:
    """Every hash tile of every size, as `pakta export` keeps them (partial ones included)."""
    for size in sizes:
        for tile in tiles.tiles_for_size(size):
            path = folder / tile.path()
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(tiles.read_tile_data(tile, reader))


def root(reader: merkle.ListHashReader, size: int) -> str:
    return base64.b64encode(merkle.tree_hash(size, reader)).decode()


def planned(size: int, indexes: list[int]) -> list[str]:
    """The tiles the audit plans for these entries' inclusion proofs."""
    recorder = Recorder()
    for i in indexes:
        merkle.inclusion_proof(i, size, recorder)
    return sorted(t.path() for t in plan_tiles(size, recorder.indexes))


def indexes_of(size: int, rng: random.Random) -> list[int]:
    if size <= 40:
        return list(range(size))
    some = {0, 1, size // 2, size - 2, size - 1, 255, 256, 2047, 2048, 65535}
    some |= {rng.randrange(size) for _ in range(4)}
    return sorted(i for i in some if i < size)


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_browser_proves_from_tiles_what_merkle_proves(tmp_path: Path) -> None:
    rng = random.Random(11)
    reader = a_log(max(SIZES))
    write_tiles(tmp_path / "log", reader, SIZES)
    cases = [
        {
            "dir": str(tmp_path / "log"),
            "size": s,
            "root": root(reader, s),
            "indexes": indexes_of(s, rng),
        }
        for s in SIZES
    ]
    levels_n = [(lv, n) for lv in range(0, 24) for n in (0, 1, 2, 3, 7, 100, 255, 256, 1000)]
    split = [*range(0, 3000), *(rng.randrange(2**44) for _ in range(300))]
    paths = [(0, 0, 256), (0, 1, 17), (1, 1234067, 256), (2, 999, 5), (0, 1000, 255), (3, 0, 1)]
    plans = [(c["size"], i) for c in cases for i in c["indexes"][:3]]
    found = run_node(
        tmp_path,
        {"cases": cases, "stored": levels_n, "split": split, "paths": paths, "plans": plans},
    )

    assert found["stored"] == [merkle.stored_hash_index(lv, n) for lv, n in levels_n]
    assert found["split"] == [list(merkle.split_stored_hash_index(x)) for x in split]
    assert found["paths"] == [tiles.Tile(lv, n, w).path() for lv, n, w in paths]
    for (size, i), plan in zip(plans, found["plans"], strict=True):
        assert sorted(plan) == planned(size, [i]), (size, i)
        levels = {t.level for t in tiles.tiles_for_size(size)}
        assert len(plan) == len(set(plan)) <= 2 * len(levels)  # O(log n) tiles per entry
    pairs = 0
    for case, js in zip(cases, found["cases"], strict=True):
        size = case["size"]
        assert "error" not in js, (size, js)
        want = merkle.inclusion_proofs(case["indexes"], size, reader)
        assert js["proofs"] == [[base64.b64encode(h).decode() for h in p] for p in want], size
        # Each tile the proofs need fetched once, and no other.
        assert sorted(js["seen"]) == planned(size, case["indexes"]), size
        assert js["requests"] == len(js["seen"])
        pairs += len(want)
    assert pairs > 2000


def one_byte_changed(path: Path, at: int = 40) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 1
    path.write_bytes(bytes(data))


SIZE = 600  # tiles 0/000 and 0/001 full, 0/002.p/88, 1/000.p/2


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_tile_that_is_not_the_logs_is_refused_naming_it(tmp_path: Path) -> None:
    reader = a_log(3 * 256)
    lies: dict[str, Any] = {
        "full tile byte": lambda d: one_byte_changed(d / "tile/0/000"),
        "partial tile byte": lambda d: one_byte_changed(d / "tile/0/002.p/88", 32 * 87 + 5),
        "level 1 tile byte": lambda d: one_byte_changed(d / "tile/1/000.p/2", 3),
        "short tile": lambda d: (d / "tile/0/001").write_bytes(
            (d / "tile/0/001").read_bytes()[:-1]
        ),
        "missing full tile": lambda d: (d / "tile/0/000").unlink(),
        "deleted partial tile": lambda d: (d / "tile/0/002.p/88").unlink(),  # 0/002 is there
        "deleted partial and full": lambda d: [
            (d / p).unlink() for p in ("tile/0/002.p/88", "tile/0/002")
        ],
        "none": lambda d: None,
        "cut full tile": lambda d: None,  # the network fails on tile/0/000 (CUT)
        "cut and partial byte": lambda d: one_byte_changed(d / "tile/0/002.p/88", 32 * 87 + 5),
    }
    cases = []
    for what, lie in lies.items():
        folder = tmp_path / what.replace(" ", "-")
        write_tiles(folder, reader, [SIZE, 3 * 256])
        lie(folder)
        for index in (5, 300, 599):
            cases.append(
                {"dir": str(folder), "size": SIZE, "root": root(reader, SIZE), "indexes": [index]}
            )
    cut = [
        str(tmp_path / name / "tile/0/000") for name in ("cut-full-tile", "cut-and-partial-byte")
    ]
    job = {"cases": cases, "stored": [], "split": [], "paths": [], "plans": [], "cut": cut}
    found = run_node(tmp_path, job)
    outcome = {
        (Path(c["dir"]).name, c["indexes"][0]): (js.get("error"), js.get("tiles"))
        for c, js in zip(cases, found["cases"], strict=True)
    }
    edge = ["tile/1/000.p/2", "tile/0/002.p/88"]
    ok = (None, None)
    expected = {(what.replace(" ", "-"), i): ok for what in lies for i in (5, 300, 599)}
    expected[("full-tile-byte", 5)] = ("tile-bad", ["tile/0/000"])  # 300, 599 need no 0/000
    for i in (5, 300, 599):  # the right edge vouches for every proof
        expected[("partial-tile-byte", i)] = ("tile-edge-bad", edge)
        expected[("level-1-tile-byte", i)] = ("tile-edge-bad", edge)
    expected[("short-tile", 300)] = ("tile-size", ["tile/0/001"])
    expected[("missing-full-tile", 5)] = ("tile-missing", ["tile/0/000"])
    expected[("cut-full-tile", 5)] = ("cut", None)  # Unchecked, passed on as it is
    for i in (5, 300, 599):
        expected[("deleted-partial-and-full", i)] = ("tile-missing", ["tile/0/002.p/88"])
    for i in (5, 300, 599):  # a tile proven wrong outweighs one that could not be had
        expected[("cut-and-partial-byte", i)] = ("tile-edge-bad", edge)
    assert outcome == expected
    for c, js in zip(cases, found["cases"], strict=True):
        if "proofs" in js:  # what was proven is merkle's proof
            want = merkle.inclusion_proof(c["indexes"][0], SIZE, reader)
            assert js["proofs"] == [[base64.b64encode(h).decode() for h in want]]
    fallback = found["cases"][3 * list(lies).index("deleted partial tile")]
    assert "tile/0/002.p/88" in fallback["seen"] and "tile/0/002" in fallback["seen"]
