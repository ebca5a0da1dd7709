"""Bench: `pakta audit` of an exported log on every core, against raw libsodium verifies/s
(one core, one signature again and again) times the cores, alternating in rounds.

The log is real signed statements (`bench.audit_cores.build`); `bench.audit_cores` has the
longer study (one core against all, CPU per entry, the idle-machine projection).
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
            wall, _cpu = raw_verifies(DEFAULT_VERIFIER, seconds=0.5)
            runs.setdefault("raw_verify_per_s_one_core", []).append(wall)
            rate, _here, _workers = audit_rate(folder, anchors, cores)
            runs.setdefault("audit_entries_per_s", []).append(rate)
    figures: dict[str, Any] = {k: round(median(v), 1) for k, v in runs.items()}
    figures["cores"] = cores
    figures["verifier"] = DEFAULT_VERIFIER
    figures["entries"] = entries
    figures["ratio_to_raw_x_cores"] = ratio(
        figures["audit_entries_per_s"], figures["raw_verify_per_s_one_core"] * cores
    )
    return figures
