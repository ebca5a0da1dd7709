"""The summary sentences from one source: web/static/verify/summaries.json is what
web/summary_export.py exports from web/summary_table.py, and the browser's interpreter
(web/static/verify/summary.js, run in node) writes from it, for every lifecycle demo entry and
every catalog example variant (tests/vectors/summaries.json), in Indonesian and English,
exactly the text Python's `summary(..., links=False)` writes."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask, g
from pakta_support import new_instance
from summary_cases import LANGUAGES

from registry.write.instance import Instance
from web.summaries import summary
from web.summary_export import FILE, table_text

ROOT = Path(__file__).resolve().parents[2]
SUMMARY_JS = ROOT / "web" / "static" / "verify" / "summary.js"
GOLDEN = json.loads((ROOT / "tests" / "vectors" / "summaries.json").read_text())
NODE = shutil.which("node")
RUNNER = """
import { readFileSync } from 'node:fs';
import { sentence, plain } from '%s';
const table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const data = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const out = data.cases.map((c) => plain(sentence(table, c.lang, c), (id) =>
  Object.prototype.hasOwnProperty.call(data.names, id) ? data.names[id] : id));
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    return new_instance(tmp_path_factory.mktemp("summaries-js") / "instance")


def test_the_file_is_what_the_table_exports() -> None:
    assert FILE.read_text() == table_text(), (
        "regenerate web/static/verify/summaries.json: .venv/bin/python -m web.summary_export"
    )


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_browser_writes_what_python_writes(app: Flask, tmp_path: Path) -> None:
    assert NODE is not None
    names = GOLDEN["names"]
    cases = [
        {"lang": lang, "type": c["type"], "agency": c["agency"], "body": c["body"]}
        for lang in LANGUAGES
        for c in GOLDEN["cases"]
    ]
    expected = []
    for case in cases:
        with app.test_request_context(f"/?lang={case['lang']}"):
            g.lang = case["lang"]
            expected.append(summary(case["type"], case["body"], case["agency"], names, links=False))
    (tmp_path / "data.json").write_text(json.dumps({"names": names, "cases": cases}))
    script = tmp_path / "run.mjs"
    script.write_text(RUNNER % SUMMARY_JS.as_uri())
    done = subprocess.run(
        [NODE, str(script), str(FILE), str(tmp_path / "data.json")],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = json.loads(done.stdout)
    assert len(found) == len(expected) > 200
    for case, js, py in zip(cases, found, expected, strict=True):
        assert js == py, case
