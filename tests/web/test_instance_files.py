"""An instance as an operator gets it from `pakta init` and starts it with `pakta serve`: the
folder 0700 and its files 0600 (the SQLite database too), a server that refuses to start when
others can read a private key or the database, and no debugger from the environment
(PAKTA_DEBUG, FLASK_DEBUG): a failing request gets a plain 500 without a traceback."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pakta_support import new_instance

from registry.write.instance import InstanceError, load_instance
from web import close_app, create_app
from web.__main__ import main


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def wide_umask() -> Iterator[None]:
    """The loosest umask an operator's shell could have: nothing masked."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_init_makes_the_folder_and_every_file_private(tmp_path: Path, wide_umask: None) -> None:
    folder = tmp_path / "instance"
    assert main(["--instance", str(folder), "init"]) == 0
    assert mode(folder) == 0o700 and mode(folder / "keys") == 0o700
    for name in ("config.json", "keys/registrar.key", "keys/log.key", "pakta.sqlite3"):
        assert mode(folder / name) == 0o600, name
    # Saving the config again (as witness-add does) keeps it private.
    instance = load_instance(folder)
    instance.witness_quorum = 0
    instance.save()
    assert mode(folder / "config.json") == 0o600
    close_app(create_app({"PAKTA_INSTANCE": str(folder)}))


def test_init_makes_a_named_sqlite_file_private_too(tmp_path: Path, wide_umask: None) -> None:
    database = tmp_path / "elsewhere" / "registry.db"
    url = f"sqlite:///{database}"
    assert main(["--instance", str(tmp_path / "i"), "init", "--database-url", url]) == 0
    assert mode(database) == 0o600
    assert not (tmp_path / "i" / "pakta.sqlite3").exists()


@pytest.mark.parametrize("name", ["pakta.sqlite3", "keys/log.key", "keys/registrar.key"])
def test_a_server_refuses_files_others_can_read(
    tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "instance"
    new_instance(folder, f"sqlite:///{folder / 'pakta.sqlite3'}")
    (folder / name).chmod(0o644)
    with pytest.raises(InstanceError, match=f"readable by others.*chmod 600 .*{name}"):
        create_app({"PAKTA_INSTANCE": str(folder)})
    # `pakta serve` says the same in one line and exits 1, before it listens (were it to
    # get as far as listening, the host no resolver knows would fail differently).
    assert main(["--instance", str(folder), "serve", "--bind", "nowhere.invalid:1"]) == 1
    assert "readable by others" in capsys.readouterr().err
    (folder / name).chmod(0o600)
    close_app(create_app({"PAKTA_INSTANCE": str(folder)}))


def test_the_environment_never_turns_debug_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PAKTA_DEBUG", "FLASK_DEBUG", "PAKTA_TESTING", "PAKTA_PROPAGATE_EXCEPTIONS"):
        monkeypatch.setenv(name, "1")
    app = create_app({"PAKTA_INSTANCE": str(new_instance(tmp_path / "instance").path)})
    try:
        assert not app.debug and not app.testing and not app.config["PROPAGATE_EXCEPTIONS"]
    finally:
        close_app(app)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _fetch(url: str, accept: str = "text/html") -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


@pytest.mark.integration
def test_pakta_serve_with_debug_in_the_environment_shows_no_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "instance"
    new_instance(folder, f"sqlite:///{folder / 'pakta.sqlite3'}")
    port = _free_port()
    env = {**os.environ, "PAKTA_DEBUG": "1", "FLASK_DEBUG": "1", "WERKZEUG_DEBUG_PIN": "off"}
    (tmp_path / ".env").write_text("FLASK_DEBUG=1\n")  # app.run would load it by default
    server = subprocess.Popen(
        [sys.executable, "-m", "web", "--instance", str(folder), "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                assert _fetch(base + "/api/v1/log")[0] == 200
                break
            except (urllib.error.URLError, ConnectionError):
                assert server.poll() is None and time.monotonic() < deadline, "did not start"
                time.sleep(0.2)
        # Break the read model under the running server: every search now fails inside.
        with sqlite3.connect(folder / "pakta.sqlite3") as conn:
            conn.execute("DROP TABLE rm_agencies")
        status, content_type, page = _fetch(base + "/agencies")
        # A missing table reads as a database that cannot answer: 503, never a traceback.
        assert status == 503 and content_type.startswith("text/html")
        status, content_type, body = _fetch(base + "/api/v1/agencies", "application/json")
        assert status == 503 and content_type == "application/problem+json"
        assert json.loads(body)["status"] == 503
        for text in (page, body):
            for leak in ("Traceback", "rm_agencies", "sqlite3", "__debugger__", "Werkzeug"):
                assert leak not in text, leak
        # The debugger's console and resources are not there either.
        _, content_type, _ = _fetch(base + "/?__debugger__=yes&cmd=resource&f=debugger.js")
        assert "javascript" not in content_type
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    assert "Debugger is active" not in stderr and "Restarting with" not in stderr
    assert "no such table: rm_agencies" in stderr  # the operator's log has the cause
