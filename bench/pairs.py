"""Two commits run back to back, in pairs: `python -m bench.pairs BASE HEAD [--pairs 8]`.

Each run takes a tree of its commit unpacked as `bench.ab` does (under .bench/ab/, with this
tree's bench/) and a fresh PostgreSQL database: the in-process group commit of `bench.http`
(16 threads x 60 statements, after a warm-up), then 150 single `submit`s. BASE and HEAD
alternate; each pair's ratios (HEAD / BASE) are printed, then their medians. On a machine
whose speed moves by x2 between minutes, the ratio within a pair run back to back is steadier
than either side's own median.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from registry.service import open_service
from registry.write.batcher import GroupCommit

from .ab import unpack
from .common import Client, fresh_instance, median
from .http import envelopes, in_process

FIGURES = ("group", "single")


def one() -> dict[str, float]:
    """One run in this tree: statements/s of the group commit and of single submits."""
    with fresh_instance("postgres") as instance:
        service = open_service(instance)
        client = Client(service, agencies=64)
        writer = GroupCommit(service.registry)
        try:
            before = service.registry.size()
            in_process(writer, envelopes(client, 16, 10))
            group = in_process(writer, envelopes(client, 16, 60))
            singles = [client.next_for(client.names[i % 64]) for i in range(150)]
            start = time.perf_counter()
            for body in singles:
                service.registry.submit(body)
            single = len(singles) / (time.perf_counter() - start)
            # A refused statement ends its poster thread quietly: count what was appended.
            appended = service.registry.size() - before
            if appended != 16 * 70 + len(singles):
                raise RuntimeError(f"{appended} statements appended of {16 * 70 + 150}")
        finally:
            writer.close()
            service.close()
    return {"group": group, "single": single}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.pairs")
    parser.add_argument("commits", nargs="*", help="BASE and HEAD")
    parser.add_argument("--pairs", type=int, default=8)
    parser.add_argument("--one", action="store_true", help="one run in this tree (JSON)")
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one()))
        return 0
    if len(args.commits) != 2:
        parser.error("name two commits: BASE and HEAD")
    sides = [unpack(c, Path(".bench/ab").resolve()) for c in args.commits]
    ratios: dict[str, list[float]] = {f: [] for f in FIGURES}
    for k in range(args.pairs):
        found = []
        for _, folder in sides:
            env = dict(os.environ, PYTHONPATH=str(folder))
            command = [sys.executable, "-m", "bench.pairs", "--one"]
            done = subprocess.run(
                command, cwd=folder, env=env, check=True, capture_output=True, text=True
            )
            found.append(json.loads(done.stdout.strip().splitlines()[-1]))
        cells = []
        for f in FIGURES:
            ratios[f].append(found[1][f] / found[0][f])
            cells.append(f"{f} {found[0][f]:.0f} -> {found[1][f]:.0f}/s (x{ratios[f][-1]:.2f})")
        print(f"pair {k + 1}: " + "; ".join(cells), flush=True)
    shas = " -> ".join(sha for sha, _ in sides)
    print(f"{shas}, medians of {args.pairs} pairs: ", end="")
    print("; ".join(f"{f} x{median(ratios[f]):.2f}" for f in FIGURES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
