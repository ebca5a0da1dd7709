"""A log written before the subject map (checkpoints without the map line, no chains
recorded): appending refuses to sign a map it cannot vouch for, and says to run
`pakta fsck --repair`; after the repair the chains are recorded, appends go on with the map
line, and fsck finds nothing wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from audit_support import grow, register
from pakta_support import Agent, new_instance
from sqlalchemy import delete, select, update

from keys.errors import PaktaError
from keys.note import parse_note, sign_note
from registry.audit.fsck import fsck, repair
from registry.service import open_service
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.subjectmap import root_from_extensions
from registry.write import storage, subjects


def test_an_older_log_is_upgraded_by_fsck_repair(tmp_path: Path) -> None:
    instance = new_instance(tmp_path / "instance")
    agents = [Agent(f"pemkab-{i}") for i in range(3)]
    service = open_service(instance)
    try:
        register(service, agents)
        grow(service, agents, 4, batch=2)
        # What an older Pakta left: no chains, checkpoints without the map line.
        signer = instance.log_signer()
        with service.registry.engine.begin() as conn:
            conn.execute(delete(subjects.links))
            for row in conn.execute(select(storage.checkpoints)).all():
                old = Checkpoint.parse(parse_note(row.note).text)
                body = Checkpoint(old.origin, old.size, old.root_hash).to_text()
                note = sign_note(body, [signer])
                conn.execute(
                    update(storage.checkpoints)
                    .where(storage.checkpoints.c.size == row.size)
                    .values(note=note)
                )
    finally:
        service.close()
    service = open_service(instance)
    try:
        with pytest.raises(PaktaError, match="fsck --repair"):
            register(service, [Agent("pemkab-baru")])
        repair(service)
        grow(service, agents, 2, batch=1)
        newest = Checkpoint.parse(parse_note(service.registry.checkpoint() or "").text)
        assert root_from_extensions(newest.extensions) is not None
        assert fsck(service) == []
    finally:
        service.close()
