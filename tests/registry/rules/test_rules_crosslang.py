"""The rules as data: web/static/verify/rules.json is what registry/rules/export.py generates
from the Python rules, and the JavaScript interpreter (web/static/verify/rules.js, run in
node) derives exactly what the Python rules derive, on every unit of the demo and on seeded
random sequences of lifecycle changes (valid and invalid)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from golden_demo import load_fixed_demo

from registry.read.projector import decode_entry
from registry.rules.export import interpret, rules_table, table_text
from registry.rules.replay import Replayer

ROOT = Path(__file__).resolve().parents[3]
VERIFY = ROOT / "web" / "static" / "verify"
NODE = shutil.which("node")
RUNNER = """
import { readFileSync } from 'node:fs';
import { interpret } from '%s';
const table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const vectors = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const out = vectors.map(function (changes) {
  try { return interpret(table, changes, process.argv[4]); } catch (e) { return { error: true }; }
});
process.stdout.write(JSON.stringify(out));
"""


TODAY = date(2026, 7, 1)  # inside the random sequences' year: some items late, some not


def python_side(changes: list[dict[str, Any]]) -> dict[str, Any]:
    try:
        return interpret(changes, TODAY)
    except (KeyError, TypeError, ValueError):
        return {"error": True}


def node_side(vectors: list[list[dict[str, Any]]], tmp: Path) -> list[dict[str, Any]]:
    assert NODE is not None
    (tmp / "vectors.json").write_text(json.dumps(vectors))
    script = tmp / "run.mjs"
    script.write_text(RUNNER % (VERIFY / "rules.js").as_uri())
    done = subprocess.run(
        [
            NODE,
            str(script),
            str(VERIFY / "rules.json"),
            str(tmp / "vectors.json"),
            TODAY.isoformat(),
        ],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    found: list[dict[str, Any]] = json.loads(done.stdout)
    return found


def demo_vectors(tmp: Path) -> list[list[dict[str, Any]]]:
    service = load_fixed_demo(tmp / "instance")
    try:
        replayer = Replayer(service.instance.registrar_keys)
        for index, text in service.registry.entries():
            _, received, envelope, statement = decode_entry(text)
            when = datetime.fromisoformat(received.replace("Z", "+00:00"))
            replayer.step(statement, envelope, index, when, verify=False)
    finally:
        service.close()
    return [
        [c for effect in effects for c in effect.get("zi", ())]
        for _, effects in sorted(replayer.effects.items())
    ]


OPS_ON = ("declared", "building", "assessed", "proposed", "evaluated", "awarded", "not_met",
          "revoked", "designated", "window", "self_evaluation", "retracted", "role")  # fmt: skip


def random_change(rnd: random.Random, index: int) -> dict[str, Any]:
    op = rnd.choice(OPS_ON)
    on = f"2026-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
    items = ["PP-01", "PP-02", "PP-03"]
    base: dict[str, Any] = {"op": op, "index": index}
    if op == "declared":
        return {**base, "on": on, "target": rnd.choice(["WBK", "WBBM"]), "by": "a",
                "whole": rnd.random() < 0.5}  # fmt: skip
    if op == "designated":
        return {**base, "on": on, "by": "b"}
    if op == "building":
        c: dict[str, Any] = {**base, "on": on}
        for part in ("add", "redate"):
            if rnd.random() < 0.5:
                c[part] = {i: on for i in rnd.sample(items, rnd.randint(1, 2))}
        for part in ("cancel", "done"):
            if rnd.random() < 0.3:
                c[part] = rnd.sample(items, 1)
        return c
    if op == "assessed":
        return {**base, "on": on, "recommendation": "ya", "target": "WBK",
                "ref": {"agency": "x", "seq": 1, "hash": "h"}}  # fmt: skip
    if op == "proposed":
        return {**base, "on": on, "year": 2026, "target": "WBK", "by": "c"}
    if op == "evaluated":
        return {**base, "on": on, "stage": "desk"}
    if op == "awarded":
        return {**base, "on": on, "predicate": rnd.choice(["WBK", "WBBM"]), "by": "d"}
    if op in ("not_met", "revoked"):
        return {**base, "on": on}
    if op == "window":
        return {**base, "year": 2026}
    if op == "self_evaluation":
        return {**base, "on": on, "regulation": "r"}
    if op == "retracted":
        return {**base, "seq": rnd.randint(1, 5)}
    return {**base, "role": "tpi", "scope": ["a"]}


def test_the_table_is_generated_from_the_rules() -> None:
    assert (VERIFY / "rules.json").read_text() == table_text(), (
        "regenerate: .venv/bin/python -c 'from registry.rules.export import table_text; "
        'open("web/static/verify/rules.json", "w").write(table_text())\''
    )
    table = rules_table()
    assert table["ops"]["awarded"]["step_from"] == "predicate"
    assert table["ops"]["revoked"]["clears"] == ["predicate", "proposal", "tpi"]
    assert table["next_status"]["assessed"]["building"] == "assessed"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_python_and_javascript_derive_the_same(tmp_path: Path) -> None:
    rnd = random.Random(20260)
    vectors = demo_vectors(tmp_path)
    assert sum(1 for v in vectors if v) >= 5
    for _ in range(400):
        vectors.append([random_change(rnd, i) for i in range(rnd.randint(1, 25))])
    want = [python_side(v) for v in vectors]
    assert any("error" in w for w in want) and sum("error" not in w for w in want) > 200
    assert {w.get("status") for w in want} >= {"declared", "building", "wbk", "revoked"}
    states = {i["state"] for w in want for i in w.get("items", {}).values()}
    assert states == {"open", "done", "cancelled"}
    late = [w["overdue"] for w in want if w.get("overdue")]
    assert len(late) > 10 and any(o["days"] > 100 for w in late for o in w)
    assert any(w.get("items") and not w["overdue"] for w in want)  # open but not yet due
    got = node_side(vectors, tmp_path)
    for changes, w, g in zip(vectors, want, got, strict=True):
        assert g == w, changes
