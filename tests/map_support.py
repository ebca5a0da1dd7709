"""Test helper: a log as a Pakta of subject map version 1 left it (docs/subject-map.md,
"Upgrading a log written with map version 1"), made from a log this Pakta wrote: every
checkpoint re-signed by the log key with the version 1 line of its size, and the recorded
chains of the reserved subjects (`window:<year>`) gone, since version 1 had none."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, delete, select, update

from keys.note import NoteSigner, parse_note, sign_note
from registry.service import Service
from registry.tlog.checkpoint import Checkpoint
from registry.tlog.subjectmap import extension_line
from registry.write import storage
from registry.write import subjects as write_subjects
from registry.write.instance import Instance


def as_an_older_pakta_left_it(instance: Instance, service: Service) -> None:
    """Every checkpoint re-signed with the version 1 line of its size, the window rows gone.
    The service must be closed and opened again before it reads the checkpoints."""
    signer = instance.log_signer()
    with service.registry.engine.begin() as conn:
        for row in conn.execute(select(storage.checkpoints)).all():
            resign_with_v1_line(conn, signer, row)
        conn.execute(
            delete(write_subjects.links).where(write_subjects.links.c.subject.like("window:%"))
        )


def resign_with_v1_line(conn: Connection, signer: NoteSigner, row: Any) -> None:
    """The stored checkpoint `row` signed again with the version 1 line of its size."""
    old = Checkpoint.parse(parse_note(row.note).text)
    v1 = write_subjects.map_at(conn, old.size, 1).root()
    body = Checkpoint(old.origin, old.size, old.root_hash, (extension_line(v1, 1),))
    conn.execute(
        update(storage.checkpoints)
        .where(storage.checkpoints.c.size == row.size)
        .values(note=sign_note(body.to_text(), [signer]))
    )
