"""`make bench` (`python -m bench [--quick|--tiny] ...`): issue 9's benchmarks in one run.

Sections, in order (each interleaves what it compares, so ratios come from the same run):
1. plain eventsourcing vs Pakta `submit` / `submit_many(100)`, SQLite and PostgreSQL
   (bench/plain.py);
2. HTTP POSTs from 1, 4 and 16 clients against `pakta serve` on PostgreSQL, and the in-process
   group-commit rate (bench/http.py);
3. the audit on every core vs raw libsodium verifies/s x cores (bench/audit.py);
4. per-append cost and page latency p50/p99 at fixed offered rates at two log sizes
   (bench/scale.py; the large log is cached under .bench/).
Results go to .bench/results.json (`--out`) and a table is printed with the issue's targets.
PostgreSQL comes from PAKTA_TEST_POSTGRES; without it only the SQLite figures and the audit run.
`--quick` finishes in about two minutes (once its 10k log is cached); `--tiny` is the test's.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import registry

from . import audit, common, http, plain, scale
from .report import table

MODES: dict[str, dict[str, Any]] = {
    "full": {
        "plain": {"rounds": 5, "singles": 200, "groups": 5},
        "http": {"rounds": 3, "per_client": 100},
        "audit": {"rounds": 3, "entries": 16384},
        "scale": {
            "sizes": [1000, 100_000],
            "rounds": 3,
            "appends": 50,
            "rates": [200.0, 50.0],
            "seconds": 10.0,
        },
    },
    "quick": {
        "plain": {"rounds": 2, "singles": 50, "groups": 2},
        "http": {"rounds": 1, "per_client": 25},
        "audit": {"rounds": 1, "entries": 1024},
        "scale": {
            "sizes": [1000, 10_000],
            "rounds": 1,
            "appends": 20,
            "rates": [200.0, 50.0],
            "seconds": 2.0,
        },
    },
    "tiny": {
        "plain": {"rounds": 1, "singles": 10, "groups": 1},
        "http": {"rounds": 1, "per_client": 4},
        "audit": {"rounds": 1, "entries": 200},
        "scale": {
            "sizes": [100, 200],
            "rounds": 1,
            "appends": 5,
            "rates": [200.0, 50.0],
            "seconds": 0.3,
            "one_at_a_time": 5,
        },
    },
}
SECTIONS = ("plain", "http", "audit", "scale")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_true", help="about two minutes, for smoke use")
    group.add_argument("--tiny", action="store_true", help="the smallest run (the harness test)")
    parser.add_argument("--only", default=",".join(SECTIONS), help="sections, comma-separated")
    parser.add_argument("--sizes", help="log sizes for the scale section, e.g. 1000,100000")
    parser.add_argument("--rates", help="offered read rates per second, e.g. 200,50")
    parser.add_argument("--seconds", type=float, help="seconds per read point")
    parser.add_argument("--out", default=".bench/results.json")
    parser.add_argument("--cache", default=".bench", help="where the built logs are kept")
    args = parser.parse_args(argv)
    mode = "tiny" if args.tiny else "quick" if args.quick else "full"
    settings = json.loads(json.dumps(MODES[mode]))
    if args.sizes:
        settings["scale"]["sizes"] = [int(s) for s in args.sizes.split(",")]
    if args.rates:
        settings["scale"]["rates"] = [float(s) for s in args.rates.split(",")]
    if args.seconds:
        settings["scale"]["seconds"] = args.seconds
    common.CACHE = Path(args.cache)
    wanted = [s for s in args.only.split(",") if s]
    unknown = set(wanted) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections: {', '.join(sorted(unknown))}")
    postgres = bool(os.environ.get("PAKTA_TEST_POSTGRES"))
    results: dict[str, Any] = {
        "mode": mode,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "settings": settings,
        # The code measured (bench/ab.py runs other commits' trees).
        "source": str(Path(registry.__file__).resolve().parent.parent),
        "skipped": [],
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    for section in wanted:
        if section in ("http", "scale") and not postgres:
            results["skipped"].append(f"{section}: needs PostgreSQL (PAKTA_TEST_POSTGRES)")
            continue
        print(f"{section}:", flush=True)
        start = time.perf_counter()
        if section == "plain":
            backends = ["sqlite", "postgres"] if postgres else ["sqlite"]
            results["plain"] = plain.run(backends, **settings["plain"])
        elif section == "http":
            results["http"] = http.run(**settings["http"])
        elif section == "audit":
            results["audit"] = audit.run(**settings["audit"])
        else:
            results["scale"] = scale.run(**settings["scale"])
        results.setdefault("seconds", {})[section] = round(time.perf_counter() - start, 1)
        out.write_text(json.dumps(results, indent=2) + "\n")  # what is done so far survives
    results.setdefault("seconds", {})["total"] = round(time.perf_counter() - began, 1)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
