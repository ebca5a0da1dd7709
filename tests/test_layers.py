"""The import rule of ARCHITECTURE.md: keys and events stay pure; registry never imports Flask."""

from __future__ import annotations

import subprocess
import sys

import pytest

FORBIDDEN = {
    "keys": ("flask", "sqlalchemy", "eventsourcing"),
    "events": ("flask", "sqlalchemy", "eventsourcing"),
    "registry.tlog.merkle": ("flask", "sqlalchemy", "eventsourcing"),
    "registry.tlog.tiles": ("flask", "sqlalchemy", "eventsourcing"),
    "registry.tlog.checkpoint": ("flask", "sqlalchemy", "eventsourcing"),
    "registry.rules.policy": ("flask", "sqlalchemy", "eventsourcing"),
    "registry.cli": ("flask",),
    "registry.service": ("flask",),
    "registry.audit.audit": ("flask", "sqlalchemy", "eventsourcing"),
}


@pytest.mark.parametrize(("module", "banned"), sorted(FORBIDDEN.items()))
def test_a_module_imports_nothing_it_must_not(module: str, banned: tuple[str, ...]) -> None:
    code = (
        f"import sys, importlib; importlib.import_module({module!r}); "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(banned)!r}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{module} imports {out.stdout.strip()}"
