"""`pakta verify-unit URL UNIT` against the real demo server, honest and through a lying
fetcher in front of it: every lie (a changed status or plan date, a dropped key.revoked or any
other entry, a changed byte of an entry, a map proof hash, the checkpoint signature, the key
list) gives "failed", naming what differs; a cut network gives "could not be checked"; the
honest server is always "verified"."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from golden_demo import load_fixed_demo
from pakta_support import LiveServer, served
from site_support import witnessed

from registry.audit.errors import FetchError
from registry.audit.fetching import HttpFetch
from registry.audit.verify_unit import FAILED, UNCHECKED, VERIFIED, run_verify_unit
from registry.cli import main
from registry.write.instance import Instance, load_instance

UNIT = "rs-jiwa-sultra"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Instance:
    folder = tmp_path_factory.mktemp("verify-unit") / "instance"
    load_fixed_demo(folder).close()
    return load_instance(folder)


@pytest.fixture(scope="module")
def server(demo: Instance) -> Iterator[LiveServer]:
    with served(demo.path) as live:
        yield live


Lie = Callable[[str, bytes], bytes]


def lying(server: LiveServer, lie: Lie) -> Callable[[str], bytes]:
    return lying_url(server.url, lie)


def edit_json(match: str, change: Callable[[dict[str, Any]], None]) -> Lie:
    def lie(path: str, body: bytes) -> bytes:
        if path.split("?", 1)[0] != match:
            return body
        data = json.loads(body)
        change(data)
        return json.dumps(data).encode()

    return lie


def drop_type(type_name: str) -> Callable[[dict[str, Any]], None]:
    def change(data: dict[str, Any]) -> None:
        before = len(data["entries"])
        data["entries"] = [e for e in data["entries"] if f'"{type_name}"' not in _payload(e)]
        assert len(data["entries"]) < before

    return change


def _payload(entry: dict[str, Any]) -> str:
    import base64

    return base64.b64decode(json.loads(entry["entry"])["envelope"]["payload"]).decode()


def set_status(data: dict[str, Any]) -> None:
    data["lifecycle"]["status"] = "wbbm"


def move_due(data: dict[str, Any]) -> None:
    item = next(iter(data["lifecycle"]["plan"].values()))
    item["due"] = "2099-01-01"


def unrevoke(data: dict[str, Any]) -> None:
    for k in data["keys"]:
        k["revoked_from"] = None


def entry_byte(data: dict[str, Any]) -> None:
    e = data["entries"][2]
    e["entry"] = e["entry"].replace('"received_at":"2', '"received_at":"1', 1)


def proof_hash(data: dict[str, Any]) -> None:
    s = data["map_proof"]["siblings"]
    s[-1] = ("B" if s[-1][0] == "A" else "A") + s[-1][1:]


def checkpoint_signature(data: dict[str, Any]) -> None:
    note = data["checkpoint"]
    head, sig = note.rsplit(" ", 1)
    data["checkpoint"] = head + " " + ("B" if sig[0] == "A" else "A") + sig[1:]


PROOF = f"api/v1/subjects/{UNIT}/proof"
LIES: dict[str, tuple[Lie, str]] = {
    "the shown status": (edit_json(f"api/v1/agencies/{UNIT}", set_status), "status:"),
    "a plan date": (edit_json(f"api/v1/agencies/{UNIT}", move_due), "plan:"),
    "a revoked key shown valid": (edit_json(f"api/v1/agencies/{UNIT}", unrevoke), "keys:"),
    "key.revoked dropped": (edit_json(PROOF, drop_type("key.revoked")), "chain:"),
    "a TPI result dropped": (
        edit_json(PROOF, drop_type("internal_evaluation.completed")),
        "chain:",
    ),
    "a byte of an entry": (edit_json(PROOF, entry_byte), "chain:"),
    "a map proof hash": (edit_json(PROOF, proof_hash), "map:"),
    "the checkpoint signature": (edit_json(PROOF, checkpoint_signature), "checkpoint:"),
}


def test_the_honest_server_is_verified(
    server: LiveServer, demo: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_verify_unit(server.url, UNIT, log_key=demo.log_vkey) == VERIFIED
    out = capsys.readouterr().out
    assert f"verified: {UNIT}" in out and "warning: entry" in out  # the revoked key's entries
    assert main(["verify-unit", server.url, "bps-kabupaten-grobogan"]) == VERIFIED
    out = capsys.readouterr().out
    assert "note: trusting the log key the source serves" in out


@pytest.mark.parametrize("what", sorted(LIES))
def test_every_lie_fails_naming_it(
    server: LiveServer, demo: Instance, what: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lie, named = LIES[what]
    fetch = lying(server, lie)
    assert run_verify_unit(server.url, UNIT, log_key=demo.log_vkey, fetch=fetch) == FAILED
    out = capsys.readouterr().out
    assert f"failed: {UNIT}" in out and named in out, out


def test_a_cut_network_could_not_be_checked(
    server: LiveServer, demo: Instance, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    def cut(path: str, body: bytes) -> bytes:
        if path.startswith("api/v1/agencies/"):
            raise FetchError("connection reset")
        return body

    fetch = lying(server, cut)
    assert run_verify_unit(server.url, UNIT, log_key=demo.log_vkey, fetch=fetch) == UNCHECKED
    assert "could not be checked" in capsys.readouterr().out
    assert run_verify_unit("http://127.0.0.1:9", UNIT, log_key=demo.log_vkey) == UNCHECKED


# -- provable silence (docs/provable-silence.md) ------------------------------------------------


def silence_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("ok: silence: ")]


def test_without_witnesses_silence_is_only_the_registrys_word(
    server: LiveServer, demo: Instance, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_verify_unit(server.url, UNIT, log_key=demo.log_vkey) == VERIFIED
    lines = silence_lines(capsys.readouterr().out)
    assert lines and all("only the registry's word" in line for line in lines)
    item = lines[0].split("item ", 1)[1].split(" ", 1)[0]
    args = ["verify-unit", server.url, UNIT, "--log-key", demo.log_vkey, "--overdue", item]
    assert main(args) == VERIFIED
    assert main([*args[:-1], "PP-99"]) == FAILED
    assert "not proven overdue" in capsys.readouterr().out


@pytest.fixture(scope="module")
def witnessed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, str]]:
    folder = tmp_path_factory.mktemp("witnessed") / "instance"
    load_fixed_demo(folder).close()
    instance = load_instance(folder)
    with witnessed(instance, folder.parent / "witness-state") as key, served(folder) as live:
        yield live.url, instance.log_vkey, key


def test_with_a_witness_silence_is_as_of_its_cosignature(
    witnessed_server: tuple[str, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    url, log_key, witness = witnessed_server
    code = run_verify_unit(url, UNIT, log_key=log_key, witnesses=[witness])
    out = capsys.readouterr().out
    assert code == VERIFIED, out
    lines = silence_lines(out)
    assert lines and all(", witnessed by witness.test/w1:" in line for line in lines)
    assert all(line.startswith("ok: silence: as of 20") for line in lines)

    def later(path: str, body: bytes) -> bytes:  # the witness's time moved a day on
        if not path.startswith(PROOF):
            return body
        data = json.loads(body)
        line = next(x for x in data["checkpoint"].split("\n") if x.startswith("— witness"))
        head, sig = line.rsplit(" ", 1)
        raw = bytearray(base64.b64decode(sig))
        raw[4:12] = (int.from_bytes(raw[4:12], "big") + 86400).to_bytes(8, "big")
        changed = head + " " + base64.b64encode(bytes(raw)).decode()
        data["checkpoint"] = data["checkpoint"].replace(line, changed)
        return json.dumps(data).encode()

    fetch = lying_url(url, later)
    assert run_verify_unit(url, UNIT, log_key=log_key, witnesses=[witness], fetch=fetch) == FAILED
    assert "witness" in capsys.readouterr().out


def recording(url: str) -> tuple[Callable[[str], bytes], list[str]]:
    """An honest fetch of `url`, and the paths it was asked for."""
    asked: list[str] = []
    honest = HttpFetch(url)

    def fetch(path: str) -> bytes:
        asked.append(path)
        return honest(path)

    return fetch, asked


def lying_url(url: str, lie: Lie) -> Callable[[str], bytes]:
    honest = HttpFetch(url)
    return lambda path: lie(path, honest(path))
