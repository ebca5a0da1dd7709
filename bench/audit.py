"""Bench: `pakta audit` of an exported log on every core, against raw libsodium verifies/s
(one core, one signature again and again) times the cores, alternating in rounds.

The log is real signed statements (`bench.audit_cores.build`). Beside the wall-clock ratio
(which a busy machine drags down) it records the CPU per entry of the main process (the
ordered replay) and of the workers, and what those project for an idle machine with these
cores: entries/s is at most 1 / (main CPU per entry) and cores / (all CPU per entry), set
against libsodium verifies per CPU second x cores. `bench.audit_cores` has the longer study
(one core against all) and `bench.audit_parts` the CPU of each stage.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from registry.audit.pool import DEFAULT_VERIFIER, default_jobs

from .audit_cores import audit_rate, build, raw_verifies
from .common import median, ratio


def run(rounds: int, entries: int) -> dict[str, Any]:
    cores = default_jobs()
    runs: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "export"
        anchors = build(folder, entries)
        for _ in range(rounds):
            wall, cpu = raw_verifies(DEFAULT_VERIFIER, seconds=0.5)
            runs.setdefault("raw_verify_per_s_one_core", []).append(wall)
            runs.setdefault("raw_verify_per_cpu_s", []).append(cpu)
            rate, here, workers = audit_rate(folder, anchors, cores)
            runs.setdefault("audit_entries_per_s", []).append(rate)
            runs.setdefault("audit_main_cpu_us_per_entry", []).append(here)
            runs.setdefault("audit_workers_cpu_us_per_entry", []).append(workers)
    figures: dict[str, Any] = {k: round(median(v), 1) for k, v in runs.items()}
    figures["cores"] = cores
    figures["verifier"] = DEFAULT_VERIFIER
    figures["entries"] = entries
    figures["ratio_to_raw_x_cores"] = ratio(
        figures["audit_entries_per_s"], figures["raw_verify_per_s_one_core"] * cores
    )
    main = figures["audit_main_cpu_us_per_entry"]
    total = main + figures["audit_workers_cpu_us_per_entry"]
    idle = min(1e6 / main, cores * 1e6 / total) if main > 0 else 0.0
    figures["projected_idle_entries_per_s"] = round(idle, 1)
    figures["projected_idle_ratio"] = ratio(idle, figures["raw_verify_per_cpu_s"] * cores)
    return figures
