"""A server process hides what it built at start-up from the cyclic collector
(`web.freeze_startup`): gunicorn runs it in every worker (`pakta serve` and
deploy/gunicorn.conf.py), `pakta writer` once its writer is open. Without it a full collection
walked every module, schema and cache of the worker, ~80 ms with all its request threads
waiting, on a 100k log. The writer's call is not tested here: nothing outside its process
can see its collector."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pakta_support import new_instance

import web
import web.serve
from web.__main__ import main

ROOT = Path(__file__).resolve().parents[2]

MEASURE = """
import gc, json, sys
import web
app = web.create_app({"PAKTA_INSTANCE": sys.argv[1]})
app.test_client().get("/")
gc.collect()
before = len(gc.get_objects())
web.freeze_startup(object())  # as gunicorn calls it: with the worker
print(json.dumps({"before": before, "after": len(gc.get_objects()),
                  "frozen": gc.get_freeze_count()}))
"""


def test_a_built_app_leaves_the_collector_almost_nothing_to_walk(tmp_path: Path) -> None:
    new_instance(tmp_path / "instance", f"sqlite:///{tmp_path / 'pakta.sqlite3'}")
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(tmp_path / "instance")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    counts = json.loads(done.stdout.splitlines()[-1])
    assert counts["before"] > 50_000  # Flask, SQLAlchemy, eventsourcing, the schemas
    assert counts["frozen"] >= counts["before"]
    assert counts["after"] < counts["before"] // 100


def test_pakta_serve_runs_it_in_every_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_instance(tmp_path / "instance", f"sqlite:///{tmp_path / 'pakta.sqlite3'}")
    ran: list[dict[str, Any]] = []
    # gunicorn's arbiter itself is not started: only the settings it would be given are read.
    monkeypatch.setattr(web.serve.Server, "run", lambda self: ran.append(self.options))
    folder = str(tmp_path / "instance")
    assert main(["--instance", folder, "serve", "--no-writer-process"]) == 0
    assert ran and ran[0]["post_worker_init"] is web.freeze_startup
    assert ran[0]["worker_class"] == "gthread"


def test_the_deploy_config_runs_it_in_every_worker() -> None:
    settings: dict[str, object] = {}
    config = (ROOT / "deploy" / "gunicorn.conf.py").read_text()
    exec(compile(config, "gunicorn.conf.py", "exec"), settings)
    assert settings["post_worker_init"] is web.freeze_startup
