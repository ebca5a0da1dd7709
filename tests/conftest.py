"""Shared fixtures: a fresh instance per test on SQLite, and on PostgreSQL when configured.

`PAKTA_TEST_POSTGRES` holds a server URL; each PostgreSQL test creates and drops its own
database. When the variable is set and the server is unreachable the test fails, never skips.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pakta_support import BACKENDS, database, new_instance

from registry.service import Service, open_service
from registry.write.instance import Instance


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def instance(tmp_path: Path, database_url: str) -> Instance:
    return new_instance(tmp_path / "instance", database_url)


@pytest.fixture
def sqlite_service(tmp_path: Path) -> Iterator[Service]:
    """A running registry on a fresh SQLite file (for tests that need speed over backends)."""
    instance = new_instance(tmp_path / "instance", f"sqlite:///{tmp_path / 'pakta.sqlite3'}")
    service = open_service(instance)
    yield service
    service.close()
