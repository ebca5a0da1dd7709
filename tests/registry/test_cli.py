"""The `pakta` command line, run in-process against real instances and a real HTTP server."""

from __future__ import annotations

import json
import shutil
import stat
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pakta_support import PACT_DOCUMENT, LiveServer, pact_body, served

from registry.cli import main
from registry.write.instance import Instance, load_instance


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def demo(instance: Instance, capsys: pytest.CaptureFixture[str]) -> Instance:
    code, out, _ = run(capsys, "--instance", str(instance.path), "demo")
    assert code == 0 and "statements added" in out
    return instance


@pytest.fixture
def server(demo: Instance) -> Iterator[LiveServer]:
    with served(demo.path) as live:
        yield live


def test_init_prints_the_anchors_and_refuses_to_run_twice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = str(tmp_path / "inst")
    code, out, _ = run(capsys, "--instance", folder, "init", "--origin", "cli.test/log")
    assert code == 0 and "registrar key: ed25519:" in out and "log key: cli.test/log+" in out
    mode = stat.S_IMODE((tmp_path / "inst" / "keys" / "log.key").stat().st_mode)
    assert mode == 0o600
    code, _, err = run(capsys, "--instance", folder, "init")
    assert code == 1 and "already initialised" in err


def test_keygen_writes_a_private_key_0600_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "head.key"
    code, out, _ = run(capsys, "keygen", str(key))
    assert code == 0 and out.startswith("ed25519:")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (tmp_path / "head.key.pub").exists()
    code, _, err = run(capsys, "keygen", str(key))
    assert code == 1 and "pakta: error:" in err


def test_sign_post_audit_round_trip(
    server: LiveServer, demo: Instance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = tmp_path / "pact.json"
    statement.write_text(
        json.dumps(
            {
                "type": "integrity_pact.signed",
                "agency": "pemkab-kuantan-singingi",
                "body": pact_body("2025-01-02"),
                "documents": [PACT_DOCUMENT],
            }
        )
    )
    key = str(demo.path / "demo-keys" / "pemkab-kuantan-singingi.key")
    code, out, err = run(capsys, "sign", "--key", key, "--registry", server.url, str(statement))
    assert code == 0, err
    envelope = tmp_path / "envelope.json"
    envelope.write_text(out)
    code, out, _ = run(capsys, "post", server.url, str(envelope))
    receipt = json.loads(out)
    assert code == 0 and receipt["agency"] == "pemkab-kuantan-singingi" and receipt["seq"] == 2
    # The same envelope again: refused, with the reason and the current head.
    code, out, _ = run(capsys, "post", server.url, str(envelope))
    assert code == 1 and "rejected (409 duplicate)" in out and "current head" in out
    with urllib.request.urlopen(f"{server.url}/entries/{receipt['index']}") as page:
        assert "Pemerintah Kabupaten Kuantan Singingi" in page.read().decode()
    state = tmp_path / "state.json"
    code, out, err = run(capsys, "audit", server.url, "--state", str(state))
    assert code == 0, err
    assert f"ok: {receipt['index'] + 1} entries" in out
    assert json.loads(state.read_text())["size"] == receipt["index"] + 1


def test_sign_refuses_a_statement_the_registry_would_refuse(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "k.key"
    run(capsys, "keygen", str(key))
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "no.such.type", "agency": "a", "seq": 0, "prev": null, "body": {}}')
    code, _, err = run(capsys, "sign", "--key", str(key), str(bad))
    assert code == 1 and "no.such.type" in err


def test_export_audit_dir_rebuild_and_rollback_refused(
    demo: Instance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inst = ["--instance", str(demo.path)]
    code, out, _ = run(capsys, *inst, "export", str(tmp_path / "export"))
    assert code == 0
    state = tmp_path / "state.json"
    code, out, err = run(capsys, "audit", str(tmp_path / "export"), "--state", str(state))
    # The demo has one entry signed by a key later revoked from before it: a warning line.
    assert code == 0 and any(line.startswith("ok: ") for line in out.splitlines()), err
    code, out, _ = run(capsys, *inst, "rebuild-read-model")
    assert code == 0 and "rebuilt from" in out
    # A state file from a larger tree: the log now looks rolled back.
    saved = json.loads(state.read_text())
    saved.update(size=saved["size"] + 5)
    state.write_text(json.dumps(saved))
    code, _, err = run(capsys, "audit", str(tmp_path / "export"), "--state", str(state))
    assert code == 1 and "rollback" in err and "last verified checkpoint" in err


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # forks by file copy
def test_audit_refuses_a_fork_sharing_the_log_key(
    demo: Instance, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two registries with one log key, same first entries, then different ones."""
    twin_path = tmp_path / "twin"
    shutil.copytree(demo.path, twin_path)
    twin = load_instance(twin_path)
    shutil.copy(demo.database_url.removeprefix("sqlite:///"), twin_path / "twin.sqlite3")
    twin.database_url = f"sqlite:///{twin_path / 'twin.sqlite3'}"
    twin.save()
    for folder, agency in ((demo.path, "pemkab-kuantan-singingi"), (twin_path, "pemkab-sukoharjo")):
        statement = tmp_path / f"{agency}.json"
        statement.write_text(
            json.dumps(
                {
                    "type": "integrity_pact.signed",
                    "agency": agency,
                    "body": pact_body("2025-06-02"),
                    "documents": [PACT_DOCUMENT],
                }
            )
        )
        with served(folder) as live:
            key = str(folder / "demo-keys" / f"{agency}.key")
            code, out, err = run(
                capsys, "sign", "--key", key, "--registry", live.url, str(statement)
            )
            assert code == 0, err
            (tmp_path / "env.json").write_text(out)
            posted = run(capsys, "post", live.url, str(tmp_path / "env.json"))
            assert posted[0] == 0, posted
        assert run(capsys, "--instance", str(folder), "export", str(folder / "export"))[0] == 0
    state = tmp_path / "state.json"
    assert run(capsys, "audit", str(demo.path / "export"), "--state", str(state))[0] == 0
    code, _, err = run(capsys, "audit", str(twin_path / "export"), "--state", str(state))
    assert code == 1 and "fork" in err and "checkpoint served now" in err
