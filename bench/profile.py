"""Where one append's time goes: the in-process write path under cProfile, by component.

    python -m bench.profile [--backend sqlite|postgres] [--per-save 1|100] [--statements 2000]

Appends real signed statements (`Registry.submit_many`, `per-save` at a time) and reports, for
each part of the path, its cumulative CPU time per statement in this process (the profiler's
clock is `time.process_time`, so a shared machine's waits and the database server's own work
are left out; parts nest: `transaction` holds the rest but `prepare`). Then the top functions
by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from typing import Any

from .common import Client, fresh_service

# (label, file suffix, function name): cumulative time of these functions.
PARTS = [
    ("prepare: strict parse + schema + stateless rules", "write/submission.py", "parse_submission"),
    ("prepare: signature verify (before the lock)", "keys/dsse.py", "verify_signature"),
    ("transaction (everything under the lock)", "write/app.py", "_append"),
    ("  rules: check (keys, chain, guards)", "rules/replay.py", "check"),
    ("  rules: replay (changes, warnings)", "rules/replay.py", "replay"),
    ("  read model: rows from memory", "read/rows.py", "add"),
    ("  read model: write rows + tracking", "read/projector.py", "commit"),
    ("  eventsourcing save (aggregates + entries)", "eventsourcing/application.py", "save"),
    ("  tree hashes: write", "write/storage.py", "flush"),
    ("  statement + key index", "write/storage.py", "index_statements"),
    ("  checkpoint: sign", "keys/note.py", "sign_note"),
    ("  inclusion proofs", "tlog/merkle.py", "inclusion_proof"),
    ("  last entry + read-model position", "write/app.py", "_last_entry"),
    ("  append lock (advisory lock on PostgreSQL)", "write/storage.py", "in_transaction"),
    ("SQL: cursor execute (all statements)", "sqlalchemy/engine/default.py", "do_execute"),
    ("SQL: executemany (all)", "sqlalchemy/engine/default.py", "do_executemany"),
    ("SQL: commit", "sqlalchemy/engine/default.py", "do_commit"),
]


def profile(backend: str, per_save: int, statements: int) -> dict[str, Any]:
    with fresh_service(backend) as service:
        client = Client(service, agencies=100)
        client.submit(client.many(200))
        batches = [client.many(per_save) for _ in range(max(1, statements // per_save))]
        count = per_save * len(batches)
        profiler = cProfile.Profile(time.process_time)  # CPU, not a busy machine's waits
        start, cpu = time.perf_counter(), time.process_time()
        profiler.enable()
        for batch in batches:
            client.submit(batch)
        profiler.disable()
        wall = (time.perf_counter() - start) * 1e6 / count
        cpu_us = (time.process_time() - cpu) * 1e6 / count
    stats = pstats.Stats(profiler)
    table: dict[tuple[str, int, str], Any] = stats.stats  # type: ignore[attr-defined]
    parts: dict[str, float] = {}
    for label, suffix, name in PARTS:
        total = sum(
            v[3] for (file, _line, fn), v in table.items() if fn == name and file.endswith(suffix)
        )
        parts[label] = round(total * 1e6 / count, 1)
    own = sorted(table.items(), key=lambda kv: kv[1][2], reverse=True)[:15]
    top = [
        (f"{file.split('site-packages/')[-1].split('/wt/bench/')[-1]}:{fn}", v[2] * 1e6 / count)
        for (file, _line, fn), v in own
    ]
    return {
        "backend": backend,
        "per_save": per_save,
        "statements": count,
        "profiled_wall_us": round(wall, 1),
        "profiled_cpu_us": round(cpu_us, 1),
        "parts_us": parts,
        "top_own_us": [(n, round(t, 1)) for n, t in top],
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile")
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    parser.add_argument("--per-save", type=int, default=100)
    parser.add_argument("--statements", type=int, default=2000)
    args = parser.parse_args()
    r = profile(args.backend, args.per_save, args.statements)
    print(
        f"{r['backend']}, {r['per_save']} a save, {r['statements']} statements: "
        f"{r['profiled_wall_us']} us wall, {r['profiled_cpu_us']} us CPU per statement "
        "(under cProfile)"
    )
    print("\n| part | us per statement |\n|---|---|")
    for label, us in r["parts_us"].items():
        print(f"| {label} | {us} |")
    print("\n| function (own time) | us per statement |\n|---|---|")
    for name, us in r["top_own_us"]:
        print(f"| {name} | {us} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
