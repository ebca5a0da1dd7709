"""`events` and `keys` stay pure: importing them loads no flask, sqlalchemy or eventsourcing.

Run in a fresh interpreter, because this test process has long since imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import importlib, json, pkgutil, sys
import events, keys
failed = {}
for package in (events, keys):
    for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        try:
            importlib.import_module(info.name)
        except Exception as e:  # a module another engineer is still writing
            failed[info.name] = repr(e)
forbidden = ("flask", "sqlalchemy", "eventsourcing", "eventsourcing_sqlalchemy", "psycopg")
loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
events_modules = sorted(m for m in sys.modules if m == "events" or m.startswith("events."))
print(json.dumps({"loaded": loaded, "failed": failed, "events": events_modules}))
"""


def test_events_and_keys_import_nothing_impure() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True
    )
    report = json.loads(out.stdout)
    assert report["loaded"] == []
    assert not any(name.startswith("events.") for name in report["failed"]), report["failed"]
    assert {"events.canonical", "events.catalog", "events.statement"} <= set(report["events"])
