"""The rules as data: web/static/verify/rules.json is what registry/rules/export.py generates
from the Python rules, and the JavaScript interpreter (web/static/verify/rules.js, run in
node) derives exactly what the Python rules derive, on every unit of the demo and on seeded
random sequences of lifecycle changes (valid and invalid)."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from golden_demo import load_fixed_demo

from registry.read.projector import decode_entry
from registry.rules import warnings as warn
from registry.rules.export import interpret, rules_table, statement_changes, table_text
from registry.rules.records import Attestation, Declaration, Record, Warning
from registry.rules.replay import Replayer
from registry.rules.subjects import affected
from web.warning_words import FIGURED

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


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(microseconds=1)


@dataclass
class Demo:
    """The demo replayed by the Python rules: each entry as the browser holds it once
    verified (statement, received_at, verified signatures, a revoker's keys before it), each
    agency's subject chain (entry indexes), and each agency's lifecycle changes."""

    entries: dict[int, dict[str, Any]] = field(default_factory=dict)
    chains: dict[str, list[int]] = field(default_factory=dict)
    changes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Per entry, the Python rules' changes of it (`statement_changes`).
    made: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # The warnings the registry raised, and the entries a compromise voided.
    warnings: list[Warning] = field(default_factory=list)
    voided: set[int] = field(default_factory=set)
    records: list[Record] = field(default_factory=list)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    service = load_fixed_demo(tmp_path_factory.mktemp("demo") / "instance")
    out = Demo()
    try:
        replayer = Replayer(service.instance.registrar_keys)
        for index, text in service.registry.entries():
            _, received, envelope, statement = decode_entry(text)
            when = datetime.fromisoformat(received.replace("Z", "+00:00"))
            before = replayer.head(statement.agency)
            outcome = replayer.step(statement, envelope, index, when, verify=False)
            logged_on = when.astimezone(statement.issued_at.tzinfo).date().isoformat()
            out.made[index] = statement_changes(statement, index, logged_on)
            out.entries[index] = {
                "index": index,
                "statement": json.loads(envelope.payload),
                "hash": statement.hash,
                "received_at": received,
                "signatures": [
                    {"keyid": s.keyid, "owner": s.owner, "at": micros(s.issued_at)}
                    for s in outcome.signatures
                ],
                "keysBefore": {
                    k: {
                        "from": micros(g.valid_from),
                        "revoked": micros(g.revoked_from) if g.revoked_from else None,
                    }
                    for k, g in (before.keys.items() if before else ())
                },
            }
            out.warnings += outcome.warnings
            out.records += outcome.records
            out.voided |= {v.index for v in outcome.invalidated}
            for subject in affected(outcome):
                out.chains.setdefault(subject, []).append(index)
    finally:
        service.close()
    out.changes = {
        agency: [c for effect in effects for c in effect.get("zi", ())]
        for agency, effects in sorted(replayer.effects.items())
    }
    return out


def demo_vectors(demo: Demo) -> list[list[dict[str, Any]]]:
    return list(demo.changes.values())


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
        # The year the award names may differ from its day's (a decree of the next January).
        return {**base, "on": on, "predicate": rnd.choice(["WBK", "WBBM"]), "by": "d",
                "year": rnd.choice([2025, 2026])}  # fmt: skip
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
    assert table["plan"]["overdue_states"] == ["open"]
    assert table["plan"]["overdue_warning"] == "item-overdue"
    assert table["voids"]["key.revoked"]["keyid"] == {"body": ["keyid"]}
    assert table["statements"]["integrity_pact.signed"] == []


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_python_and_javascript_derive_the_same(tmp_path: Path, demo: Demo) -> None:
    rnd = random.Random(20260)
    vectors = demo_vectors(demo)
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


def run_node(tmp: Path, script: str, data: Any) -> Any:
    """Run `script` (its %s: rules.js) in node with rules.json and `data` (JSON) as its two
    arguments; what it prints, parsed."""
    assert NODE is not None
    (tmp / "data.json").write_text(json.dumps(data))
    (tmp / "script.mjs").write_text(script % (VERIFY / "rules.js").as_uri())
    done = subprocess.run(
        [NODE, str(tmp / "script.mjs"), str(VERIFY / "rules.json"), str(tmp / "data.json")],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(done.stdout)


STATEMENTS = """
import { readFileSync } from 'node:fs';
import { awardChains, windowChains, changesOf, unitChanges, interpret, warningsOf } from '%s';
const table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const demo = JSON.parse(readFileSync(process.argv[3], 'utf8'));
function attempt(f) { try { return f(); } catch (e) { return { error: String(e.message) }; } }
const made = {};
Object.keys(demo.entries).forEach(function (i) {
  made[i] = attempt(function () { return changesOf(table, demo.entries[i]); });
});
const units = {}, warned = {};
Object.keys(demo.chains).forEach(function (unit) {
  const chain = demo.chains[unit].map(function (i) { return demo.entries[i]; });
  units[unit] = attempt(function () {
    return interpret(table, unitChanges(table, unit, chain), demo.today);
  });
  warned[unit] = attempt(function () {
    const others = {};
    awardChains(table, unit, chain).concat(windowChains(table, unit, chain)).forEach(function (u) {
      others[u] = (demo.chains[u] || []).map(function (i) { return demo.entries[i]; });
    });
    return warningsOf(table, unit, chain, unitChanges(table, unit, chain), others);
  });
});
process.stdout.write(JSON.stringify({ made: made, units: units, warned: warned }));
"""


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_javascript_derives_the_changes_from_the_statements(tmp_path: Path, demo: Demo) -> None:
    """rules.js, given only the verified entries (no history page), makes of each statement
    the changes the Python rules make, and from each agency's subject chain the lifecycle the
    registry derives for it (quarantines of a compromised key included)."""
    assert NODE is not None
    data = {
        "entries": demo.entries,
        "chains": demo.chains,
        "today": TODAY.isoformat(),
    }
    got = run_node(tmp_path, STATEMENTS, data)
    made = {int(i): c for i, c in got["made"].items()}
    assert made == demo.made
    types = {e["statement"]["type"] for e in demo.entries.values()}
    assert {"zi.declared", "action_plan.revised", "key.revoked", "proposal.submitted"} <= types
    quarantined = [a for a, cs in demo.changes.items() if any(c["op"] == "quarantined" for c in cs)]
    assert quarantined, "the demo has no compromise to test"
    for agency, changes in demo.changes.items():
        assert got["units"][agency] == interpret(changes, TODAY), agency
    checked = set(rules_table()["warnings"]["checked"])
    seen = set()
    for unit in demo.chains:
        want = unit_warnings(demo, unit, checked)
        seen |= {w["code"] for w in want}
        assert got["warned"][unit] == want, unit
    assert seen >= {
        "late-posting",
        "signed-by-revoked-key",
        "unwitnessed",
        "below-thresholds",
        "prerequisites-missing",
        "deadline-missed",
        "over-quota",
    }, "the demo's"


def unit_warnings(demo: Demo, unit: str, checked: set[str]) -> list[dict[str, Any]]:
    """The warnings of `checked` kinds a unit's page lists (registry.read.lifecycle
    `warnings`: its own or about it), as the registry stores them (a voided entry keeps only
    its revoked-key warning) and computes them today (declarations nobody attested); each
    once, as the page lists it (a proposal of two units short of their prerequisites: two)."""
    declared = [(r.index, r.subject) for r in demo.records if isinstance(r, Declaration)]
    hashes = {r.index: r.hash for r in demo.records if isinstance(r, Declaration)}
    attested: dict[int, int] = {}
    for r in demo.records:
        if isinstance(r, Attestation):
            for i, h in hashes.items():
                attested[i] = attested.get(i, 0) + (h == r.declaration)
    today = warn.unwitnessed(declared, attested)  # as registry.read.lifecycle.warnings
    found = [
        w
        for w in [*demo.warnings, *today]
        if w.code in checked
        and unit in (w.agency, w.subject)
        and (w.index not in demo.voided or w.code in ("signed-by-revoked-key", "unwitnessed"))
    ]
    # The proposal and award warnings with their facts (the figures their detail lines say),
    # which the page carries for the check to compare (web/warning_words.py FIGURED).
    return [
        {"code": w.code, "index": w.index}
        | ({"facts": json.loads(json.dumps(dict(w.facts)))} if w.code in FIGURED else {})
        for w in sorted(found, key=lambda w: (w.index, w.code))
    ]


WARNINGS = """
import { readFileSync } from 'node:fs';
import { warningsOf } from '%s';
const table = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const chains = JSON.parse(readFileSync(process.argv[3], 'utf8'));
const out = chains.map(function (c) { return warningsOf(table, 'u', c, []); });
process.stdout.write(JSON.stringify(out));
"""


def random_entry(rnd: random.Random, index: int) -> dict[str, Any]:
    zone = rnd.choice(["Z", "+07:00", "+09:00", "-03:00"])
    issued = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(minutes=rnd.randint(0, 60 * 24 * 40))
    got = issued + timedelta(minutes=rnd.randint(0, 60 * 24 * 35))
    fact = (got.date() - timedelta(days=rnd.randint(0, 45))).isoformat()
    type_ = rnd.choice(["integrity_pact.signed", "work_team.established", "key.added"])
    body: dict[str, Any] = {"signed_on": fact, "established_on": fact}
    staff = rnd.randint(1, 40)
    body.update(staff_total=staff, signatories=rnd.randint(0, staff))
    text = issued.astimezone(datetime.fromisoformat("2026-01-01T00:00:00" + zone).tzinfo)
    issued_text = text.isoformat().replace("+00:00", "Z")
    return {
        "index": index,
        "statement": {"agency": "u", "type": type_, "issued_at": issued_text, "body": body},
        "received_at": got.isoformat().replace("+00:00", "Z"),
    }


def python_warnings(chain: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from types import SimpleNamespace

    found = []
    for e in chain:
        s = e["statement"]
        issued = datetime.fromisoformat(s["issued_at"].replace("Z", "+00:00"))
        st = SimpleNamespace(
            type=s["type"], agency="u", body=s["body"], issued_at=issued,
            issued_at_text=s["issued_at"],
        )  # fmt: skip
        got = datetime.fromisoformat(e["received_at"].replace("Z", "+00:00"))
        ws = warn.late_posting(st, e["index"], got) + warn.backdated_fact(st, e["index"], got)  # type: ignore[arg-type]
        if s["type"] == "integrity_pact.signed":
            ws += warn.pact_coverage(st, e["index"], None)  # type: ignore[arg-type]
        found += [{"code": w.code, "index": w.index} for w in ws]
    return sorted(found, key=lambda w: (w["index"], w["code"]))


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_javascript_raises_the_warnings_the_rules_raise(tmp_path: Path) -> None:
    """On random entries around every threshold (late posting, a back-dated fact, a pact
    signed by under half of the staff), rules.js warningsOf raises what the Python rules do."""
    assert NODE is not None
    rnd = random.Random(7)
    chains = [[random_entry(rnd, i) for i in range(rnd.randint(1, 8))] for _ in range(300)]
    want = [python_warnings(c) for c in chains]
    codes = {w["code"] for ws in want for w in ws}
    assert codes == {"late-posting", "fact-backdated", "pact-coverage-low"}
    assert sum(1 for ws in want if not ws) > 5
    for chain, w, g in zip(chains, want, run_node(tmp_path, WARNINGS, chains), strict=True):
        assert g == w, chain
