"""The deployment in deploy/ parses and means what the README says: gunicorn accepts its
config and loads the app from it, systemd accepts the units, the sync script runs its three
steps in order, and the PostgreSQL settings are real settings that keep durability on and
put the limits on the role."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from registry.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


def check_config(instance: Path) -> subprocess.CompletedProcess[str]:
    config = str(DEPLOY / "gunicorn.conf.py")
    return subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--check-config", "--config", config],
        env=dict(os.environ, PAKTA_INSTANCE=str(instance)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_gunicorn_accepts_the_config_and_loads_the_app(tmp_path: Path) -> None:
    assert main(["--instance", str(tmp_path / "instance"), "init"]) == 0
    done = check_config(tmp_path / "instance")
    assert done.returncode == 0, done.stderr
    # And it refuses to start on a folder that is not an instance (the app really loads).
    done = check_config(tmp_path / "missing")
    assert done.returncode != 0 and "is not a Pakta instance" in done.stderr


def test_gunicorn_settings_are_the_ones_documented() -> None:
    settings: dict[str, object] = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), settings)
    assert settings["wsgi_app"] == "web:create_app()"
    assert settings["worker_class"] == "gthread" and settings["preload_app"] is False
    assert str(settings["bind"]).startswith("127.0.0.1:")  # only nginx talks to it


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    # The units name the installed paths; point them at this checkout to let systemd check
    # that every command exists, then require no complaint about any of them.
    for unit in (DEPLOY / "systemd").iterdir():
        text = unit.read_text().replace("/opt/pakta/venv/bin", str(VENV_BIN))
        text = text.replace("/usr/local/bin/pakta-mirror-sync", str(DEPLOY / "pakta-mirror-sync"))
        (tmp_path / unit.name).write_text(text)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["pakta-mirror.service", "pakta-mirror.timer", "pakta.service"]
    done = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    complaints = [
        line for line in (done.stdout + done.stderr).splitlines() if "pakta" in line.lower()
    ]
    assert done.returncode == 0 and not complaints, complaints
    service = (DEPLOY / "systemd" / "pakta.service").read_text()
    assert "Type=notify" in service and "PAKTA_INSTANCE=" in service


def test_the_sync_script_copies_the_checkpoint_after_everything_else(tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "rsync").write_text(f'#!/bin/sh\necho "$@" >> {calls}\n')
    (fake / "rsync").chmod(0o755)
    env = dict(os.environ, PATH=f"{fake}:{os.environ['PATH']}", PAKTA_MIRROR_TARGETS="a:/m b:/m")
    subprocess.run([str(DEPLOY / "pakta-mirror-sync"), "/srv/mirror"], env=env, check=True)
    lines = calls.read_text().splitlines()
    assert lines == [
        "-a --exclude=/checkpoint /srv/mirror/ a:/m/",
        "-a /srv/mirror/checkpoint a:/m/checkpoint",
        "-a --delete /srv/mirror/ a:/m/",
        "-a --exclude=/checkpoint /srv/mirror/ b:/m/",
        "-a /srv/mirror/checkpoint b:/m/checkpoint",
        "-a --delete /srv/mirror/ b:/m/",
    ]
    calls.unlink()
    env.pop("PAKTA_MIRROR_TARGETS")
    subprocess.run([str(DEPLOY / "pakta-mirror-sync"), "/srv/mirror"], env=env, check=True)
    assert not calls.exists()  # nothing to sync to: the local nginx serves the folder


def _settings(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, value = (part.strip() for part in line.split("=", 1))
            found[name] = value.strip("'")
    return found


def test_durability_is_never_traded_for_speed() -> None:
    settings = _settings(DEPLOY / "postgresql" / "pakta.conf")
    assert settings["fsync"] == "on" and settings["synchronous_commit"] == "on"
    assert settings["full_page_writes"] == "on"
    for path in (p for p in DEPLOY.rglob("*") if p.is_file()):
        for line in path.read_text().splitlines():
            setting = re.split(r"#|--", line, maxsplit=1)[0]
            assert not re.search(r"(synchronous_commit|fsync)\b\W*'?off", setting), line


@pytest.mark.postgres
def test_the_postgresql_settings_and_role_setup_are_real() -> None:
    server = os.environ.get("PAKTA_TEST_POSTGRES")
    if not server:
        pytest.skip("PAKTA_TEST_POSTGRES is not set")
    import psycopg

    plain = re.sub(r"^postgres(ql)?(\+psycopg)?://", "postgresql://", server)
    settings = _settings(DEPLOY / "postgresql" / "pakta.conf")
    with psycopg.connect(plain, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT name, vartype, enumvals FROM pg_settings WHERE name = ANY(%s)",
            [list(settings)],
        ).fetchall()
        known = {name: (kind, values) for name, kind, values in rows}
        assert sorted(known) == sorted(settings)
        for name, value in settings.items():
            kind, values = known[name]
            if kind == "enum":
                assert value in values, (name, value)
        # setup.sql as the README runs it, with a throwaway role and database.
        suffix = uuid.uuid4().hex[:8]
        role, database = f"pakta_{suffix}", f"pakta_{suffix}"
        script = (DEPLOY / "postgresql" / "setup.sql").read_text()
        script = re.sub(r"\bpakta\b", role, script).replace(":'password'", "'x'")
        script = "\n".join(line for line in script.splitlines() if not line.startswith("--"))
        try:
            for statement in filter(str.strip, script.split(";")):
                conn.execute(statement)
            base = plain.rsplit("/", 1)[0].split("://", 1)[1].split("@")[-1]
            with psycopg.connect(f"postgresql://{role}:x@{base}/{database}") as own:
                shown = {
                    name: own.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                    for name in ("lock_timeout", "statement_timeout", "synchronous_commit")
                }
            assert shown == {
                "lock_timeout": "10s",
                "statement_timeout": "30s",
                "synchronous_commit": "on",
            }
        finally:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            conn.execute(f'DROP ROLE IF EXISTS "{role}"')
