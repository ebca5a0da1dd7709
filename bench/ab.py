"""A/B of commits with the harness, in one run: `python -m bench.ab BASE HEAD [MORE ...]`.

Each commit's tree is unpacked under .bench/ab/<commit> (`git archive`, no extra worktree),
with this tree's bench/ in place of its own (the same harness for all), its catalogs compiled,
and `python -m bench --quick --only SECTIONS` run from it (so it imports that commit's code),
in rotation (BASE, HEAD, MORE..., BASE, HEAD, ...) for `--rounds` rounds, so that the machine's
load falls on all alike. Every numeric figure is taken as the median over the rounds; the
printed table gives each commit's figure and its ratio to the one before it and to BASE (so a
chain of commits, one fix each, shows each fix's own effect).

    python -m bench.ab 37dcda9 c22c4cb HEAD [--only plain,http] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

from .common import median

KEYS = (
    "plain.sqlite.pakta_1",
    "plain.sqlite.pakta_100",
    "plain.postgres.pakta_1",
    "plain.postgres.pakta_100",
    "plain.postgres.ratio_1",
    "plain.postgres.ratio_100",
    "plain.sqlite.pakta_1_cpu_us",
    "plain.sqlite.pakta_100_cpu_us",
    "plain.postgres.pakta_1_cpu_us",
    "plain.postgres.pakta_100_cpu_us",
    "http.http_1",
    "http.http_4",
    "http.http_16",
    "http.in_process_group",
    "audit.audit_entries_per_s",
)


def unpack(commit: str, root: Path) -> tuple[str, Path]:
    sha = subprocess.run(
        ["git", "rev-parse", "--short=10", commit], capture_output=True, text=True, check=True
    ).stdout.strip()
    folder = root / sha
    if not (folder / "bench").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile() as archive:
            subprocess.run(["git", "archive", sha], stdout=archive, check=True)
            archive.seek(0)
            with tarfile.open(fileobj=archive) as tar:
                tar.extractall(folder, filter="data")
    # The harness is this tree's, whatever the commit: only the code under test differs.
    shutil.copytree(Path(__file__).parent, folder / "bench", dirs_exist_ok=True)
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "compile", "-d", "web/translations"],
        cwd=folder,
        check=True,
        capture_output=True,
    )
    return sha, folder


def flatten(value: Any, prefix: str = "") -> dict[str, float]:
    out: dict[str, float] = {}
    if isinstance(value, dict):
        for k, v in value.items():
            if k not in ("rounds", "settings", "machine", "seconds"):
                out.update(flatten(v, f"{prefix}{k}."))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out[prefix[:-1]] = float(value)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ab")
    parser.add_argument("commits", nargs="+", help="BASE, then the commits to compare")
    parser.add_argument("--only", default="plain,http")
    parser.add_argument("--rounds", type=int, default=3)
    # full: the full bench's sizes (longer runs, less noise: `python -m bench` with no flag).
    parser.add_argument("--mode", default="quick", choices=["quick", "tiny", "full"])
    parser.add_argument("--out", default=".bench/ab.json")
    args = parser.parse_args(argv)
    root = Path(".bench/ab").resolve()
    sides = [unpack(c, root) for c in args.commits]
    runs: dict[str, list[dict[str, float]]] = {sha: [] for sha, _ in sides}
    for round_ in range(args.rounds):
        for sha, folder in sides:
            out = folder / ".bench" / f"ab-{round_}.json"
            env = dict(os.environ, PYTHONPATH=str(folder))
            mode = [] if args.mode == "full" else [f"--{args.mode}"]
            command = [sys.executable, "-m", "bench", *mode, "--only", args.only]
            subprocess.run([*command, "--out", str(out)], cwd=folder, env=env, check=True)
            result = json.loads(out.read_text())
            # Trees from before bench.ab do not name their source; those after must be theirs.
            assert Path(result.get("source", folder)).resolve() == folder, result["source"]
            runs[sha].append(flatten(result))
            print(f"round {round_ + 1} {sha} done", flush=True)
    medians = {
        sha: {k: median([r[k] for r in rs if k in r]) for k in rs[0]} for sha, rs in runs.items()
    }
    shas = [sha for sha, _ in sides]
    summary: dict[str, Any] = {"commits": shas, "rounds": args.rounds, "figures": {}}
    print("\n| figure | " + " | ".join(shas) + " |\n" + "|---" * (len(shas) + 1) + "|")
    for key in KEYS:
        values = [medians[sha].get(key) for sha in shas]
        if any(v is None for v in values):
            continue
        cells = [f"{values[0]:,.2f}"]
        for i in range(1, len(values)):
            prev, base = values[i - 1] or 0, values[0] or 0
            step = values[i] / prev if prev else 0  # type: ignore[operator]
            total = values[i] / base if base else 0  # type: ignore[operator]
            cells.append(f"{values[i]:,.2f} (x{step:.2f}; x{total:.2f} of base)")
        summary["figures"][key] = dict(zip(shas, values, strict=True))
        print(f"| {key} | " + " | ".join(cells) + " |")
    summary["medians"] = medians
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(summary, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
