"""A static mirror audits clean over HTTP: the export folder served by a plain `http.server`
(as nginx or a bucket would serve it), audited by URL, kept in sync by incremental exports,
and audited again from the saved state; the live registry's own pages of histories are the
same bytes as the mirror's."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest
from audit_support import grow, register, static_server
from pakta_support import Agent, new_instance, served

from registry.audit.export import export
from registry.cli import main
from registry.service import open_service


@pytest.mark.integration
def test_the_static_mirror_audits_clean_over_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    instance = new_instance(tmp_path / "i", f"sqlite:///{tmp_path / 'db'}")
    service = open_service(instance)
    try:
        agents = [Agent(f"pemkab-{i}") for i in range(3)]
        register(service, agents)
        grow(service, agents, 400)
        mirror, state = tmp_path / "mirror", tmp_path / "state.json"
        export(service.registry, mirror)
        with static_server(mirror) as url:
            assert main(["audit", url, "--state", str(state), "--jobs", "2"]) == 0
            assert "ok: 403 entries" in capsys.readouterr().out
            grow(service, agents, 300)
            export(service.registry, mirror)  # what the mirror's timer runs
            assert main(["audit", url, "--state", str(state)]) == 0
            out = capsys.readouterr().out
            assert "ok: 703 entries" in out and "replayed entries 403..702 only" in out
        with static_server(mirror, gzipped=True) as url:
            assert main(["audit", url, "--jobs", "2"]) == 0
            assert "ok: 703 entries" in capsys.readouterr().out
    finally:
        service.close()
    # The registry serves the same history pages (and tiles) as the mirror holds.
    with served(instance.path) as live:
        for page in sorted((mirror / "histories").rglob("*.json"))[:4]:
            path = page.relative_to(mirror).as_posix()
            with urllib.request.urlopen(f"{live.url}/{path}") as response:
                assert response.read() == page.read_bytes(), path
                immutable = "immutable" in response.headers["Cache-Control"]
                assert immutable == (".p." not in page.name)
        assert main(["audit", live.url]) == 0
