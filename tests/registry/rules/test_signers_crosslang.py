"""Who still must sign, from one source: the workbench's reader of the rules' signer table
(web/static/workbench/signers.js, run in node) answers exactly what the Python rule
(`registry.rules.signers.still_needed`) answers, on drafts of every catalog type signed by
every combination of roles, and the table is what the registry itself enforces."""

from __future__ import annotations

import itertools
import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from events import CATALOG, ROLES
from registry.rules.signers import signer_table, still_needed, unmet

ROOT = Path(__file__).resolve().parents[3]
SIGNERS_JS = ROOT / "web" / "static" / "workbench" / "signers.js"
NODE = shutil.which("node")
RUNNER = """
import { readFileSync } from 'node:fs';
import { stillNeeded } from '%s';
const table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const drafts = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const out = drafts.map((d) => stillNeeded(table, d.type, d.body, d.roles, d.cosigned));
process.stdout.write(JSON.stringify(out));
"""


def drafts() -> list[dict[str, Any]]:
    rng = random.Random(12)
    roles = sorted(ROLES)
    out: list[dict[str, Any]] = []
    for name in sorted(CATALOG):
        example = dict(CATALOG[name].example or {})
        bodies = [example]
        if "status" in example:  # a progress report: done and not done
            bodies = [{**example, "status": s} for s in ("done", "in_progress")]
        if name == "zi.declared":
            units = [
                {"name": "Dinas A", "agency": "dinas-a"},
                {"name": "Bagian B", "agency": None},
                {"name": "Dinas C", "agency": "dinas-c"},
            ]
            bodies = [{**example, "units": units}, {**example, "units": []}]
        for body in bodies:
            for n in range(3):
                for signed in itertools.combinations(roles, n):
                    named = [u["agency"] for u in body.get("units") or [] if u.get("agency")]
                    cosigned = [a for a in named if rng.random() < 0.5]
                    out.append(
                        {"type": name, "body": body, "roles": list(signed), "cosigned": cosigned}
                    )
    return out


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_workbench_answers_what_the_rules_answer(tmp_path: Path) -> None:
    assert NODE is not None
    cases = drafts()
    (tmp_path / "table.json").write_text(json.dumps(signer_table()))
    (tmp_path / "drafts.json").write_text(json.dumps(cases))
    script = tmp_path / "run.mjs"
    script.write_text(RUNNER % SIGNERS_JS.as_uri())
    done = subprocess.run(
        [NODE, str(script), str(tmp_path / "table.json"), str(tmp_path / "drafts.json")],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found = json.loads(done.stdout)
    expected = [still_needed(d["type"], d["body"], d["roles"], d["cosigned"]) for d in cases]
    assert len(found) == len(expected) > 1000
    for case, js, py in zip(cases, found, expected, strict=True):
        assert js == py, case
    # The cases reach every kind of answer: nothing left, a signer missing, a condition, a
    # co-signer.
    kinds = {(bool(p), any(i["optional"] for i in p)) for p in expected}
    assert kinds == {(False, False), (True, False), (True, True)}


def test_the_table_is_what_the_rules_enforce() -> None:
    table = signer_table()["types"]
    assert set(table) == set(CATALOG)
    for name, entry in table.items():
        assert entry["signers"] == sorted(CATALOG[name].signer_roles)
    done = {"item": "MP-01", "status": "done", "percent": 100}
    assert [c.code for c in unmet("action_item.progress_reported", done, {"operator"})] == [
        "completion-needs-head"
    ]
    assert unmet("action_item.progress_reported", done, {"operator", "unit_head"}) == []
    assert still_needed("action_item.progress_reported", done, {"operator"}) == [
        {"roles": ["agency_head", "unit_head"], "optional": False}
    ]
