"""A/B of the audit across commits, in one run: `python -m bench.audit_ab BASE HEAD [MORE ...]`.

One export folder (built once by `bench.audit_cores.build`, or `--folder`) is audited by each
commit's tree (unpacked as `bench.ab` does) in rotation, BASE, HEAD, ..., BASE, HEAD, ..., each
run in a fresh interpreter importing that tree's code, next to one core's raw libsodium
verifies (this tree's PyNaCl, one 600-byte message) in the same round. Per commit it prints
the medians of entries/s on the wall clock, the CPU per entry of the main process (the ordered
replay) and of the workers, the wall-clock ratio to raw verifies x cores, and the ratio an idle
machine would give from CPU alone (as `bench.audit` projects it).

    python -m bench.audit_ab main HEAD [--entries 16384] [--rounds 3] [--jobs N] [--folder DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .ab import unpack
from .audit_cores import build, raw_verifies
from .common import median

_RUN = """
import base64, json, sys
from pathlib import Path
from bench.audit_cores import audit_rate
folder = Path(sys.argv[1])
anchors = {
    "log_key": (folder / "log-key").read_text().strip(),
    "registrar": {k: base64.b64decode(v)
                  for k, v in json.loads((folder / "registrar-keys.json").read_text()).items()},
}
print(json.dumps(audit_rate(folder, anchors, int(sys.argv[2]))))
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_ab")
    parser.add_argument("commits", nargs="+")
    parser.add_argument("--entries", type=int, default=16384)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=len(os.sched_getaffinity(0)))
    parser.add_argument("--folder", help="an export folder to audit (else one is built)")
    args = parser.parse_args(argv)
    sides = [unpack(c, Path(".bench/ab").resolve()) for c in args.commits]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.folder) if args.folder else Path(tmp) / "export"
        if not args.folder:
            build(folder, args.entries)  # the export writes log-key and registrar-keys.json
        runs: dict[str, list[tuple[float, ...]]] = {sha: [] for sha, _ in sides}
        for round_ in range(args.rounds):
            for sha, tree in sides:
                raw, raw_cpu = raw_verifies("pynacl", seconds=0.5)
                out = subprocess.run(
                    [sys.executable, "-c", _RUN, str(folder), str(args.jobs)],
                    cwd=tree,
                    env=dict(os.environ, PYTHONPATH=str(tree)),
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                rate, here, workers = json.loads(out.splitlines()[-1])
                total = here + workers
                idle = min(1e6 / here, args.jobs * 1e6 / total)
                ratios = (rate / (raw * args.jobs), idle / (raw_cpu * args.jobs))
                runs[sha].append((rate, here, workers, *ratios))
                print(f"round {round_ + 1} {sha}: {rate:.0f} entries/s, main {here:.0f} us, "
                      f"workers {workers:.0f} us, raw {raw:.0f}/s", flush=True)  # fmt: skip
    print(f"\n--jobs {args.jobs}, medians of {args.rounds} rounds\n")
    print("| commit | entries/s | main CPU us/entry | workers CPU us/entry | ratio | idle ratio |")
    print("|---|---|---|---|---|---|")
    for sha, rs in runs.items():
        cells = [median([r[i] for r in rs]) for i in range(5)]
        print(f"| {sha} | {cells[0]:,.0f} | {cells[1]:.1f} | {cells[2]:.1f} | "
              f"{cells[3]:.2f} | {cells[4]:.2f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
