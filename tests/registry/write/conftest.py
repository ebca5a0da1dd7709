"""Fixtures of the write path's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from registry.service import Service, open_service
from registry.write.instance import Instance


@pytest.fixture
def two(instance: Instance) -> Iterator[tuple[Service, Service]]:
    """Two processes' registries on one database (each with its own caches): two writers, as
    two hosts would be."""
    a, b = open_service(instance), open_service(instance)
    yield a, b
    a.close()
    b.close()
