"""Bench: `pakta audit` on one core and on every core, against raw Ed25519 verifies/s.

Builds a log of real signed statements with the bench `Client` (or takes an export folder),
exports it, then measures in interleaved rounds, so that a busy machine slows every figure
alike: one process verifying one signature over and over with `cryptography` and with PyNaCl
(libsodium), the audit with `--jobs 1`, and the audit on every core. It prints the medians
and the issue's target ratio: audit entries/s on every core over (libsodium verifies/s per
core x cores), to reach 0.5. Each audit entry here carries one signature. On a machine that
others share, wall-clock rates move with their load; so it also counts CPU seconds (this
process, and the worker processes once they have exited) per entry and per verify, and
projects what an idle machine with as many cores would do: the replay in this process is one
ordered pass, so entries/s is at most 1 / (its CPU per entry) and cores / (all CPU per entry).

    python -m bench.audit_cores [--entries 4096] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from keys.ed25519 import generate, public_bytes
from keys.note import NoteVerifier
from registry.audit.audit import audit, source_fetch
from registry.audit.export import export
from registry.audit.pool import VERIFIERS, default_jobs

from .common import Client, fresh_service


def build(folder: Path, entries: int) -> dict[str, Any]:
    with fresh_service("sqlite") as service:
        client = Client(service, agencies=100)
        while service.registry.size() < entries:
            left = entries - service.registry.size()
            client.submit([client.next() for _ in range(min(500, left))])
        export(service.registry, folder)
        return {
            "log_key": service.instance.log_vkey,
            "registrar": dict(service.instance.registrar_keys),
        }


def raw_verifies(name: str, seconds: float = 1.0) -> tuple[float, float]:
    """One core verifying one 600-byte message's signature again and again: per second of
    wall clock, and per CPU second."""
    key = generate()
    message = b"x" * 600
    signature = key.sign(message)
    public = public_bytes(key)
    verify = VERIFIERS[name]
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        for _ in range(200):
            verify(public, message, signature)
        count += 200
    return count / (time.perf_counter() - start), count / (time.process_time() - cpu)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def audit_rate(folder: Path, anchors: dict[str, Any], jobs: int) -> tuple[float, float, float]:
    """Entries per second of wall clock, and CPU microseconds per entry here and in workers."""
    start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    report = audit(
        source_fetch(str(folder)),
        NoteVerifier.parse(anchors["log_key"]),
        anchors["registrar"],
        jobs=jobs,
    )
    wall = time.perf_counter() - start
    here = (time.process_time() - cpu) * 1e6 / report.size
    workers = (_children_cpu() - children) * 1e6 / report.size
    return report.size / wall, here, workers


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.audit_cores")
    parser.add_argument("--entries", type=int, default=4096)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", default=".bench/audit-cores.json")
    args = parser.parse_args()
    cores = default_jobs()
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        anchors = build(folder, args.entries)
        for round_ in range(args.rounds):
            for name in ("cryptography", "pynacl"):
                wall, cpu = raw_verifies(name)
                runs.setdefault(f"verify_{name}_per_s", []).append(wall)
                runs.setdefault(f"verify_{name}_per_cpu_s", []).append(cpu)
            for jobs in (1, cores):
                wall, here, workers = audit_rate(folder, anchors, jobs)
                runs.setdefault(f"audit_jobs{jobs}_entries_per_s", []).append(wall)
                runs.setdefault(f"audit_jobs{jobs}_main_cpu_us_per_entry", []).append(here)
                runs.setdefault(f"audit_jobs{jobs}_workers_cpu_us_per_entry", []).append(workers)
            print(f"round {round_ + 1}: " + ", ".join(f"{k} {v[-1]:.0f}" for k, v in runs.items()))
    result: dict[str, Any] = {k: round(statistics.median(v)) for k, v in runs.items()}
    result["entries"] = args.entries
    result["cores"] = cores
    target = result["verify_pynacl_per_s"] * cores
    result["ratio_all_cores_to_libsodium_x_cores"] = round(
        result[f"audit_jobs{cores}_entries_per_s"] / target, 2
    )
    result["ratio_jobs1_to_libsodium_one_core"] = round(
        result["audit_jobs1_entries_per_s"] / result["verify_pynacl_per_s"], 2
    )
    # What an idle machine with these cores would do, from CPU time alone.
    main = result[f"audit_jobs{cores}_main_cpu_us_per_entry"]
    total = main + result[f"audit_jobs{cores}_workers_cpu_us_per_entry"]
    idle = min(1e6 / main, cores * 1e6 / total)
    result[f"projected_idle_audit_jobs{cores}_entries_per_s"] = round(idle)
    result["projected_idle_audit_jobs1_entries_per_s"] = round(
        1e6 / result["audit_jobs1_main_cpu_us_per_entry"]
    )
    result["projected_idle_ratio_to_libsodium_x_cores"] = round(
        idle / (result["verify_pynacl_per_cpu_s"] * cores), 2
    )
    print(json.dumps(result, indent=2))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
