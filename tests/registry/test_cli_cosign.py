"""`pakta sign`, `pakta cosign` and `pakta post` of a two-signer statement: an operator's
"done" report, signed on one machine with an encrypted key, countersigned by the unit head
later, lands in the log (on SQLite and PostgreSQL, through a real HTTP server)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pakta_support import LiveServer, served
from zi_world import World, doc

from keys.ed25519 import write_private_key, write_public_key
from registry.cli import main
from registry.client import Client
from registry.service import open_service
from registry.write.instance import Instance

OPERATOR_PASSPHRASE = "operator dinas a punya kunci"
HEAD_PASSPHRASE = "kepala dinas a punya kunci"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@dataclass
class Unit:
    """dinas-a with an action plan, its head's and operator's key files, and a live server."""

    live: LiveServer
    log_key: str
    operator: Path
    head: Path
    head_pass: Path
    folder: Path

    def draft(
        self, capsys: pytest.CaptureFixture[str], status: str = "done", name: str = "draft.json"
    ) -> Path:
        today = datetime.now(UTC).date().isoformat()
        statement = {
            "type": "action_item.progress_reported",
            "agency": "dinas-a",
            "body": {"item": "PP-01", "reported_on": today, "percent": 100, "status": status},
            "documents": [doc("dinas-a-PP-01.pdf")],
        }
        path = self.folder / "progress.json"
        path.write_text(json.dumps(statement))
        code, out, err = run(
            capsys, "sign", "--key", str(self.operator), "--passphrase-env", "OPERATOR_PASSPHRASE",
            "--registry", self.live.url, str(path),
        )  # fmt: skip
        assert code == 0, err
        draft = self.folder / name
        draft.write_text(out)
        return draft

    def cosign(self, capsys: pytest.CaptureFixture[str], draft: Path, *extra: str) -> Any:
        return run(
            capsys, "cosign", "--key", str(self.head), "--passphrase-file", str(self.head_pass),
            *extra, str(draft),
        )  # fmt: skip


@pytest.fixture
def unit(instance: Instance, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Unit]:
    service = open_service(instance)
    try:
        world = World(service.registry)
        world.on("2024-01-10").declare(["dinas-a"])
        world.designate("dinas-a")
        world.plan("dinas-a", {"PP-01": "2030-06-30"})
        operator = world.key("dinas-a", "operator")
        head = world.agents["dinas-a"].key
    finally:
        service.close()
    write_private_key(tmp_path / "operator.key", operator, OPERATOR_PASSPHRASE)
    write_public_key(tmp_path / "operator.key.pub", operator)
    write_private_key(tmp_path / "head.key", head, HEAD_PASSPHRASE)
    (tmp_path / "head.pass").write_text(HEAD_PASSPHRASE + "\n")
    monkeypatch.setenv("OPERATOR_PASSPHRASE", OPERATOR_PASSPHRASE)
    with served(instance.path) as live:
        yield Unit(
            live,
            instance.log_vkey,
            tmp_path / "operator.key",
            tmp_path / "head.key",
            tmp_path / "head.pass",
            tmp_path,
        )


def test_the_head_countersigns_the_operators_done_report_and_it_is_posted(
    unit: Unit, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = unit.draft(capsys)
    # Signed by the operator alone, the registry refuses it: it needs the head.
    code, out, _ = run(capsys, "post", unit.live.url, str(draft), "--log-key", unit.log_key)
    assert code == 1 and "completion-needs-head" in out
    code, out, err = unit.cosign(capsys, draft, "--registry", unit.live.url)
    assert code == 0, err
    assert "(operator)" in err and "(agency_head)" in err
    envelope = unit.folder / "envelope.json"
    envelope.write_text(out)
    before, after = json.loads(draft.read_text()), json.loads(out)
    assert after["payload"] == before["payload"]  # the payload is never changed
    assert after["signatures"][0] == before["signatures"][0] and len(after["signatures"]) == 2
    code, out, err = run(capsys, "post", unit.live.url, str(envelope), "--log-key", unit.log_key)
    assert code == 0, (out, err)
    receipt = json.loads(out)
    client = Client(unit.live.url, unit.log_key)
    entry = client.entry(receipt["index"])
    assert len(entry.envelope.signatures) == 2 and entry.statement.type == draft_type(draft)
    assert client.head("dinas-a")["lifecycle"]["plan"]["PP-01"]["done"] is True


def draft_type(draft: Path) -> str:
    payload = json.loads(base64.b64decode(json.loads(draft.read_text())["payload"]))
    return str(payload["type"])


def test_cosign_checks_offline_with_the_signers_public_key(
    unit: Unit, capsys: pytest.CaptureFixture[str]
) -> None:
    draft = unit.draft(capsys)
    code, _, err = unit.cosign(capsys, draft)
    assert code == 1 and "cannot check the signature by ed25519:" in err
    code, out, err = unit.cosign(capsys, draft, "--signer-pub", str(unit.operator) + ".pub")
    assert code == 0 and len(json.loads(out)["signatures"]) == 2, err
    twice = unit.folder / "twice.json"
    twice.write_text(out)
    code, _, err = unit.cosign(capsys, twice, "--registry", unit.live.url)
    assert code == 1 and "has already signed this envelope" in err


def test_cosign_refuses_a_changed_draft(unit: Unit, capsys: pytest.CaptureFixture[str]) -> None:
    draft = unit.draft(capsys)
    envelope = json.loads(draft.read_text())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    statement["body"]["percent"] = 99
    statement["body"]["status"] = "in_progress"
    changed = json.dumps(statement, separators=(",", ":"), sort_keys=True).encode()
    envelope["payload"] = base64.b64encode(changed).decode()
    draft.write_text(json.dumps(envelope))
    code, out, err = unit.cosign(capsys, draft, "--registry", unit.live.url)
    assert (code, out) == (1, "")
    assert "does not verify: the draft was changed after it was signed" in err


def test_cosign_refuses_a_draft_the_chain_has_moved_past(
    unit: Unit, capsys: pytest.CaptureFixture[str]
) -> None:
    done = unit.draft(capsys, name="done.json")
    in_progress = unit.draft(capsys, status="in_progress", name="in-progress.json")  # same seq
    code, out, _ = run(capsys, "post", unit.live.url, str(in_progress), "--log-key", unit.log_key)
    assert code == 0, out
    code, _, err = unit.cosign(capsys, done, "--registry", unit.live.url)
    assert code == 1 and "it can no longer be posted; sign a new one" in err
