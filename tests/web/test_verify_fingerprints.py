"""The checking scripts' SHA-256 fingerprints are published, equal, in the README and on
/about (so a change to a script must update the README, and anyone can compare)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from flask import Flask
from site_support import demo_instance

from registry.write.instance import Instance
from web.subjects import VERIFY_FILES

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_and_about_publish_every_scripts_hash(app: Flask) -> None:
    readme = (ROOT / "README.md").read_text()
    about = app.test_client().get("/about?lang=id").get_data(as_text=True)
    english = app.test_client().get("/about?lang=en").get_data(as_text=True)
    assert "Fingerprints of the checking scripts" in english
    for name in VERIFY_FILES:
        digest = hashlib.sha256((ROOT / "web" / "static" / name).read_bytes()).hexdigest()
        assert f"| `web/static/{name}` | `{digest}` |" in readme, f"update README for {name}"
        assert f"<code>/static/{name}</code> <code>{digest}</code>" in about


def test_the_rules_table_is_among_them() -> None:
    assert "verify/rules.json" in VERIFY_FILES and "verify/unit.js" in VERIFY_FILES
    assert "verify/summary.js" in VERIFY_FILES and "verify/summaries.json" in VERIFY_FILES


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return demo_instance(tmp_path_factory.mktemp("fingerprints") / "instance")
