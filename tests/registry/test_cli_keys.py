"""`pakta keygen --passphrase`, `key-id`, reading encrypted keys in every command, `key-request`
and `new`, run in-process (registry.cli.main) with real key files."""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from events import CATALOG
from events.key_request import parse_request
from events.template import template
from keys.ed25519 import b64, is_encrypted, key_id, load_public_key
from registry.cli import main

PASSPHRASE = "kunci rahasia kantor imigrasi"
CHAIN = {"seq": 3, "prev": "sha256:" + "ab" * 32, "issued_at": "2030-01-02T09:00:00+07:00"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEAD_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("WRONG_PASSPHRASE", PASSPHRASE + " salah")


@pytest.fixture
def encrypted(tmp_path: Path, env: None, capsys: pytest.CaptureFixture[str]) -> Path:
    key = tmp_path / "head.key"
    code, _, err = run(capsys, "keygen", str(key), "--passphrase-env", "HEAD_PASSPHRASE")
    assert code == 0, err
    return key


def test_keygen_encrypts_and_every_key_reader_decrypts(
    encrypted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert is_encrypted(encrypted) and stat.S_IMODE(encrypted.stat().st_mode) == 0o600
    pub = Path(str(encrypted) + ".pub")
    raw = load_public_key(pub)
    assert pub.read_text() == f"{b64(raw)} {key_id(raw)}\n"
    passfile = tmp_path / "pass.txt"
    passfile.write_text(PASSPHRASE + "\n")
    for source in (["--passphrase-env", "HEAD_PASSPHRASE"], ["--passphrase-file", str(passfile)]):
        code, out, err = run(capsys, "key-id", str(encrypted), *source)
        assert (code, out) == (0, key_id(raw) + "\n"), err
    statement = tmp_path / "s.json"
    statement.write_text(json.dumps({**template_filled("integrity_pact.signed"), **CHAIN}))
    code, out, err = run(capsys, "sign", "--key", str(encrypted), "--passphrase-file",
                         str(passfile), str(statement))  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["signatures"][0]["keyid"] == key_id(raw)


def test_a_wrong_passphrase_is_one_clear_line_and_exit_1(
    encrypted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    statement = tmp_path / "s.json"
    statement.write_text(json.dumps({**template_filled("integrity_pact.signed"), **CHAIN}))
    for argv in (
        ["key-id", str(encrypted)],
        ["sign", "--key", str(encrypted), str(statement)],
        ["key-request", "--key", str(encrypted), "--agency", "a", "--role", "operator",
         "--holder", "Operator"],
    ):  # fmt: skip
        code, out, err = run(capsys, *argv, "--passphrase-env", "WRONG_PASSPHRASE")
        assert (code, out) == (1, "")
        assert err == f"pakta: error: wrong passphrase for {encrypted} (or the file is damaged)\n"
    # No passphrase and no terminal to ask on (pytest's stdin is not one): said, not hung.
    code, _, err = run(capsys, "key-id", str(encrypted))
    assert code == 1 and "no terminal to ask on; use --passphrase-file" in err
    code, _, err = run(capsys, "key-id", str(encrypted), "--passphrase-env", "NOT_SET_ANYWHERE")
    assert code == 1 and "NOT_SET_ANYWHERE is not set" in err


def test_the_passphrase_is_asked_on_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSPHRASE] * 4 + ["kunci lain yang berbeda"])
    asked: list[str] = []

    def getpass(prompt: str) -> str:
        asked.append(prompt)
        return next(answers)

    monkeypatch.setattr("getpass.getpass", getpass)
    monkeypatch.setattr("sys.stdin", Terminal())
    key = tmp_path / "head.key"
    code, out, err = run(capsys, "keygen", "--passphrase", str(key))
    assert code == 0 and is_encrypted(key), err
    assert asked == [f"new passphrase for {key}: ", "the same passphrase again: "]
    code, out, _ = run(capsys, "key-id", str(key))
    assert code == 0 and out.strip() == out.split()[0] and asked[-1] == f"passphrase for {key}: "
    code, _, err = run(capsys, "keygen", "--passphrase", str(tmp_path / "other.key"))
    assert code == 1 and "the two passphrases differ" in err  # PASSPHRASE, then another
    assert not (tmp_path / "other.key").exists()


def test_keygen_refuses_a_short_passphrase_and_an_existing_pub(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SHORT", "rahasia")
    code, _, err = run(capsys, "keygen", str(tmp_path / "k.key"), "--passphrase-env", "SHORT")
    assert code == 1 and "at least 12 characters" in err and not (tmp_path / "k.key").exists()
    (tmp_path / "old.key.pub").write_text("someone else's key\n")
    code, _, err = run(capsys, "keygen", str(tmp_path / "old.key"))
    assert code == 1 and "refusing to overwrite" in err and not (tmp_path / "old.key").exists()


def test_key_id_of_a_pub_file_a_plain_key_and_a_base64_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = tmp_path / "k.key"
    code, out, _ = run(capsys, "keygen", str(key))
    kid, raw64 = out.split()
    for given in (str(key), str(key) + ".pub", raw64, f"{raw64} {kid}"):
        assert run(capsys, "key-id", given)[:2] == (0, kid + "\n")
    code, _, err = run(capsys, "key-id", "not-a-key")
    assert code == 1 and "neither base64 of a raw key nor PEM" in err


def test_key_request_for_a_new_agency_proves_possession(
    encrypted: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(
        capsys, "key-request", "--key", str(encrypted), "--passphrase-env", "HEAD_PASSPHRASE",
        "--agency", "kanim-yogyakarta", "--role", "agency_head",
        "--holder", "Kepala Kantor Imigrasi Kelas I TPI Yogyakarta",
        "--name", "Kantor Imigrasi Kelas I TPI Yogyakarta", "--kind", "instansi_vertikal",
        "--kemendagri", "34.71", "--bps", "3471", "--region-name", "Kota Yogyakarta",
    )  # fmt: skip
    assert code == 0, err
    request = parse_request(out.encode())
    assert request.keyid == key_id(load_public_key(Path(str(encrypted) + ".pub")))
    assert request.new_agency == {
        "name": "Kantor Imigrasi Kelas I TPI Yogyakarta",
        "kind": "instansi_vertikal",
        "parent": None,
        "region": {"kemendagri": "34.71", "bps": "3471", "name": "Kota Yogyakarta"},
    }
    code, _, err = run(
        capsys, "key-request", "--key", str(encrypted), "--passphrase-env", "HEAD_PASSPHRASE",
        "--agency", "kanim-yogyakarta", "--role", "agency_head", "--holder", "Kepala",
        "--name", "Kantor", "--kind", "instansi_vertikal", "--bps", "3471",
    )  # fmt: skip
    assert code == 1 and "a region needs --kemendagri, --bps and --region-name" in err
    code, _, err = run(
        capsys, "key-request", "--key", str(encrypted), "--passphrase-env", "HEAD_PASSPHRASE",
        "--agency", "kanim-yogyakarta", "--role", "registrar", "--holder", "Kepala",
    )  # fmt: skip
    assert code == 1 and "/role" in err


def fill(skeleton: Any, example: Any) -> Any:
    """The template's nulls filled from its example (fields it lacks are left out)."""
    if skeleton is None:
        return example
    if isinstance(skeleton, dict):
        return {k: fill(v, example[k]) for k, v in skeleton.items() if k in example}
    if isinstance(skeleton, list):
        return [fill(skeleton[0], item) for item in example]
    return skeleton


def template_filled(name: str) -> dict[str, Any]:
    found = template(name, "kanim-yogyakarta")
    filled: dict[str, Any] = fill(found["statement"], found["example"])
    return filled


@pytest.mark.parametrize("name", sorted(CATALOG))
def test_new_prints_a_template_that_filled_from_its_example_signs(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "new", name, "--agency", "kanim-yogyakarta")
    assert code == 0, err
    printed = json.loads(out)
    assert printed == template(name, "kanim-yogyakarta")
    statement = tmp_path / "s.json"
    statement.write_text(json.dumps(printed["statement"]))
    key = tmp_path / "k.key"
    run(capsys, "keygen", str(key))
    code, _, err = run(capsys, "sign", "--key", str(key), str(statement))
    assert code == 1 and "pakta: error: /" in err  # unfilled: refused at a field
    statement.write_text(json.dumps({**fill(printed["statement"], printed["example"]), **CHAIN}))
    code, out, err = run(capsys, "sign", "--key", str(key), str(statement))
    assert code == 0, err


def test_new_lists_the_types_and_refuses_an_unknown_one(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "new")
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == list(CATALOG)
    code, _, err = run(capsys, "new", "no.such.type")
    assert code == 1 and "unknown statement type" in err
