"""`pakta verify-unit URL UNIT` against the real demo server, honest and through a lying
fetcher in front of it: every lie (a changed status or plan date, a dropped key.revoked or any
other entry, a changed byte of an entry, a map proof hash, the checkpoint signature, the key
list) gives "failed", naming what differs; a cut network gives "could not be checked"; the
honest server is always "verified"."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from golden_demo import load_fixed_demo
from pakta_support import LiveServer, served

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
    honest = HttpFetch(server.url)

    def fetch(path: str) -> bytes:
        return lie(path, honest(path))

    return fetch


def edit_json(match: str, change: Callable[[dict[str, Any]], None]) -> Lie:
    def lie(path: str, body: bytes) -> bytes:
        if not path.startswith(match):
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
