"""`pakta key-request` and `pakta register`: the registrar turns key requests into
`agency.registered`, `key.added` and `role.granted` through a real server, checking the
proof of possession; a request whose proof is wrong changes nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pakta_support import LiveServer, served

from registry.cli import main
from registry.client import Client, Refused
from registry.write.instance import Instance

YOGYA = ["--kemendagri", "34.71", "--bps", "3471", "--region-name", "Kota Yogyakarta"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def live(instance: Instance, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("KEY_PASSPHRASE", "kunci kantor imigrasi yogyakarta")
    with served(instance.path) as server:
        yield server


def request(capsys: pytest.CaptureFixture[str], folder: Path, name: str, *argv: str) -> Path:
    """A new key `name` (encrypted) and its key request with `argv`, as files in `folder`."""
    key = folder / f"{name}.key"
    code, _, err = run(capsys, "keygen", str(key), "--passphrase-env", "KEY_PASSPHRASE")
    assert code == 0, err
    code, out, err = run(
        capsys, "key-request", "--key", str(key), "--passphrase-env", "KEY_PASSPHRASE", *argv
    )
    assert code == 0, err
    path = folder / f"{name}.request.json"
    path.write_text(out)
    return path


def register(
    capsys: pytest.CaptureFixture[str], instance: Instance, live: LiveServer, *argv: str
) -> tuple[int, Any, str]:
    code, out, err = run(
        capsys, "--instance", str(instance.path), "register", "--registry", live.url, *argv
    )
    return code, json.loads(out) if code == 0 else out, err


def test_register_a_new_agency_then_its_operator_key(
    instance: Instance, live: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    head = request(
        capsys, tmp_path, "head", "--agency", "kanim-yogyakarta", "--role", "agency_head",
        "--holder", "Kepala Kantor Imigrasi Kelas I TPI Yogyakarta",
        "--name", "Kantor Imigrasi Kelas I TPI Yogyakarta", "--kind", "instansi_vertikal", *YOGYA,
    )  # fmt: skip
    code, receipts, err = register(capsys, instance, live, str(head))
    assert code == 0, err
    assert [r["seq"] for r in receipts] == [0] and "agency.registered" in err
    operator = request(
        capsys, tmp_path, "operator", "--agency", "kanim-yogyakarta", "--role", "operator",
        "--holder", "Operator Kantor Imigrasi",
    )  # fmt: skip
    code, receipts, err = register(capsys, instance, live, str(operator))
    assert code == 0 and [r["seq"] for r in receipts] == [1] and "key.added" in err
    agency = Client(live.url, instance.log_vkey).head("kanim-yogyakarta")
    assert agency["name"] == "Kantor Imigrasi Kelas I TPI Yogyakarta"
    assert sorted(k["role"] for k in agency["keys"]) == ["agency_head", "operator"]
    code, _, err = register(capsys, instance, live, str(operator))
    assert code == 1 and "is already granted to 'kanim-yogyakarta'" in err


def test_a_request_without_proof_of_possession_changes_nothing(
    instance: Instance, live: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = request(
        capsys, tmp_path, "head", "--agency", "kanim-yogyakarta", "--role", "agency_head",
        "--holder", "Kepala Kantor", "--name", "Kantor Imigrasi", "--kind", "instansi_vertikal",
    )  # fmt: skip
    forged = json.loads(path.read_text())
    forged["agency"] = "kanim-jakarta"  # signed for another agency
    path.write_text(json.dumps(forged))
    code, out, err = register(capsys, instance, live, str(path))
    assert (code, out) == (1, "")
    assert "does not prove that the requester holds the private key" in err
    assert err.count("\n") == 1
    with pytest.raises(Refused, match=r"refused \(404"):
        Client(live.url, instance.log_vkey).head("kanim-jakarta")


def test_an_org_role_is_granted_with_its_basis_before_the_key(
    instance: Instance, live: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for agency, name in (("kanim-yogyakarta", "Kantor Imigrasi"), ("itjen-x", "Inspektorat")):
        path = request(
            capsys, tmp_path, agency, "--agency", agency, "--role", "agency_head",
            "--holder", f"Kepala {name}", "--name", name, "--kind", "kementerian_lembaga",
        )  # fmt: skip
        assert register(capsys, instance, live, str(path))[0] == 0
    tpi = request(
        capsys, tmp_path, "tpi", "--agency", "itjen-x", "--role", "tpi", "--holder", "Ketua TPI"
    )
    code, _, err = register(capsys, instance, live, str(tpi))
    assert code == 1 and "does not hold the tpi role yet: give the decision" in err
    code, _, err = register(capsys, instance, live, str(tpi), "--basis", "Keputusan Irjen")
    assert code == 1 and "a TPI grant names the agencies it assesses" in err
    code, receipts, err = register(
        capsys, instance, live, str(tpi), "--basis", "Keputusan Irjen", "--scope",
        "kanim-yogyakarta",
    )  # fmt: skip
    assert code == 0, err
    assert [r["seq"] for r in receipts] == [1, 2]
    assert err.index("role.granted") < err.index("key.added")
    agency = Client(live.url, instance.log_vkey).head("itjen-x")
    assert agency["lifecycle"]["roles"]["tpi"]["scope"] == ["kanim-yogyakarta"]
    assert "tpi" in [k["role"] for k in agency["keys"]]


def test_register_refuses_what_it_cannot_do(
    instance: Instance, live: LiveServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bare = request(
        capsys, tmp_path, "bare", "--agency", "kanim-baru", "--role", "agency_head",
        "--holder", "Kepala",
    )  # fmt: skip
    code, _, err = register(capsys, instance, live, str(bare))
    assert code == 1 and "is not registered and no request carries the new agency" in err
    described = request(
        capsys, tmp_path, "described", "--agency", "kanim-baru", "--role", "agency_head",
        "--holder", "Kepala", "--name", "Kantor Baru", "--kind", "instansi_vertikal",
    )  # fmt: skip
    code, _, err = register(capsys, instance, live, str(described), "--basis", "SK")
    assert code == 1 and "is new: its registration grants the roles" in err
    assert register(capsys, instance, live, str(described))[0] == 0
    other = request(
        capsys, tmp_path, "other", "--agency", "kanim-baru", "--role", "operator",
        "--holder", "Operator", "--name", "Kantor Lain", "--kind", "instansi_vertikal",
    )  # fmt: skip
    code, _, err = register(capsys, instance, live, str(other))
    assert code == 1 and "is already registered as" in err
