"""Shared fixtures: a fresh instance per test on SQLite, and on PostgreSQL when configured.

`PAKTA_TEST_POSTGRES` holds a server URL; each PostgreSQL test creates and drops its own
database. When the variable is set and the server is unreachable the test fails, never skips.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pakta_support import new_instance

from registry.service import Service, open_service
from registry.write.instance import Instance

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def postgres_server_url() -> str | None:
    return os.environ.get("PAKTA_TEST_POSTGRES") or None


def sqlalchemy_url(url: str) -> str:
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    backend = request.param
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'pakta.sqlite3'}"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip("PAKTA_TEST_POSTGRES is not set")
    import psycopg

    name = f"pakta_test_{uuid.uuid4().hex[:12]}"
    plain = sqlalchemy_url(server).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = sqlalchemy_url(server).rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
