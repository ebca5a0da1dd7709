"""A real server over a demo registry and Debian's chromium driven by Playwright.

Never downloads a browser: it launches /usr/bin/chromium (or PAKTA_CHROMIUM). Without one the
browser tests skip on a developer's machine and fail in CI (CI=true), so CI cannot go green
without having run them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from pakta_support import LiveServer
from site_support import demo_app, demo_instance, watched_page

from web import close_app

CHROMIUM = os.environ.get("PAKTA_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-default-browser-check",
    "--no-first-run",
    "--no-sandbox",  # CI runs as root, where chromium's sandbox cannot start
]


@pytest.fixture(scope="session")
def chromium() -> str:
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    instance = demo_instance(tmp_path_factory.mktemp("browser") / "instance")
    app = demo_app(instance)
    server = LiveServer(app)
    yield server.url
    server.close()
    close_app(app)


@pytest.fixture(scope="session")
def life(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> Iterator[str]:
    """A server over the demo with its whole lifecycle (scores, plans, a revocation)."""
    instance = demo_instance(tmp_path_factory.mktemp("life") / "instance", lifecycle=True)
    app = demo_app(instance)
    server = LiveServer(app)
    yield server.url
    server.close()
    close_app(app)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """For the workbench tests (workbench_support.py): a demo registry of the module's own,
    served, with a folder for key files and downloads (test_workbench_qr.py has a `qr_world`)."""
    folder = tmp_path_factory.mktemp("workbench")
    instance = demo_instance(folder / "instance")
    app = demo_app(instance)
    server = LiveServer(app)
    yield {"url": server.url, "instance": instance.path, "folder": folder}
    server.close()
    close_app(app)


@pytest.fixture(scope="session")
def browser(chromium: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=chromium, headless=True, args=FLAGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any, site: str) -> Iterator[Any]:
    with watched_page(browser, site) as opened:
        yield opened
