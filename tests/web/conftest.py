"""Fixtures of the site's tests: each module defines `demo` (its instance); these serve it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from site_support import demo_app

from registry.write.instance import Instance
from web import close_app


@pytest.fixture(scope="module")
def app(demo: Instance) -> Iterator[Flask]:
    app = demo_app(demo)
    yield app
    close_app(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
