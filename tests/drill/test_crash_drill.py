"""The crash drill: a real registry server in its own process, concurrent posters over HTTP,
SIGKILL mid-load and a restart, again and again; then every receipt a client was given must be
in the log at its index with the same leaf hash, every checkpoint handed out a prefix of the
final log, and the log must audit clean.

The bounded drill (a few cycles, SQLite, and PostgreSQL when `PAKTA_TEST_POSTGRES` is set) runs
in `make test`. `make drill` sets `PAKTA_DRILL_CYCLES` (100) for the long ones: SQLite, and a
PostgreSQL cluster the test creates itself (initdb/pg_ctl on a free port), whose server
processes it also kills mid-append.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from drill_support import Cluster, run_drill
from pakta_support import new_instance

from registry.write.instance import Instance

LONG = int(os.environ.get("PAKTA_DRILL_CYCLES", "0"))
long_only = pytest.mark.skipif(LONG == 0, reason="set PAKTA_DRILL_CYCLES (make drill)")


@pytest.mark.integration
@pytest.mark.slow
def test_bounded_crash_drill(instance: Instance, tmp_path: Path) -> None:
    figures = run_drill(instance, tmp_path, cycles=3)
    print(f"\ndrill {instance.database_url.split(':')[0]}: {figures.line()}")
    assert figures.entries_lost == 0 and figures.receipts_checked > 0
    assert not any(status >= 500 for status in figures.statuses), figures.statuses


@pytest.mark.drill
@long_only
def test_long_crash_drill_sqlite(tmp_path: Path) -> None:
    instance = new_instance(tmp_path / "instance", f"sqlite:///{tmp_path / 'pakta.sqlite3'}")
    figures = run_drill(instance, tmp_path, cycles=LONG, posters=4, seed=LONG)
    print(f"\ndrill sqlite: {figures.line()}")
    assert figures.entries_lost == 0 and figures.receipts_checked > 0
    assert not any(status >= 500 for status in figures.statuses), figures.statuses


@pytest.mark.drill
@long_only
def test_long_crash_drill_owned_postgres(tmp_path: Path) -> None:
    bindir, why = Cluster.find()
    if bindir is None:
        pytest.skip(f"cannot own a PostgreSQL cluster here: {why}")
    cluster = Cluster(Path(tempfile.mkdtemp(prefix="pakta-drill-pg-")), bindir)
    try:
        cluster.create()
        instance = new_instance(tmp_path / "instance", cluster.url)
        figures = run_drill(instance, tmp_path, cycles=LONG, posters=4, cluster=cluster, seed=LONG)
    finally:
        cluster.stop()
        shutil.rmtree(cluster.folder)
    print(f"\ndrill owned postgres: {figures.line()}")
    assert figures.entries_lost == 0 and figures.database_kills == LONG // 2
    assert not any(status >= 500 for status in figures.statuses), figures.statuses
