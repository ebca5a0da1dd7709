"""Changing one byte of any stored event makes the audit fail and name the entry.

The test flips one meaningful byte (an ASCII letter or digit inside the stored JSON, so the row
still decodes) in each log event and each agency event, on both backends, and audits a fresh
export each time: the audit must fail and name the index of the entry that was touched.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.utils import get_topic
from pakta_support import Agent, Harness, declaration_body
from sqlalchemy import text

from keys.note import NoteVerifier
from registry.audit.audit import AuditError, audit, source_fetch
from registry.audit.export import export
from registry.service import open_service
from registry.write.domain import LogEntry
from registry.write.instance import Instance
from registry.write.storage import StoreError


def audit_fresh(instance: Instance, folder: Path) -> None:
    service = open_service(instance)  # no cache: reads what is stored
    try:
        export(service.registry, folder)
    finally:
        service.close()
    audit(source_fetch(str(folder)), NoteVerifier.parse(instance.log_vkey), instance.registrar_keys)


def flip(byte: int) -> int:
    return (
        ord("b")
        if byte == ord("a")
        else ord("a")
        if chr(byte).isalpha()
        else (ord("1") if byte == ord("0") else ord("0"))
    )


def positions(state: bytes, marker: bytes) -> list[int]:
    """Three letter/digit positions after `marker`: near its start, middle and end."""
    start = state.index(marker) + len(marker)
    candidates = [i for i in range(start, len(state)) if chr(state[i]).isalnum()]
    return [candidates[0], candidates[len(candidates) // 2], candidates[-1]]


@pytest.mark.slow
def test_one_changed_byte_in_any_stored_event_fails_the_audit(
    instance: Instance, tmp_path: Path
) -> None:
    service = open_service(instance)
    h = Harness(service.registry)
    agents = [Agent("pemkab-x"), Agent("pemkab-y")]
    for agent in agents:
        h.register(agent)
        h.post(agent, "zi.declared", declaration_body())
    engine = service.registry.engine
    service.close()
    audit_fresh(instance, tmp_path / "clean")  # the untouched log passes
    with engine.begin() as conn:
        rows = conn.execute(
            text("SELECT originator_id, originator_version, topic, state FROM pakta_events")
        ).all()
    checked = 0
    for originator_id, version, topic, state in rows:
        state = bytes(state)
        is_log = topic == get_topic(LogEntry)
        marker = b'"entry":' if is_log else b'"effect":'
        expected_index = version - 1 if is_log else None
        for pos in positions(state, marker):
            tampered = state[:pos] + bytes([flip(state[pos])]) + state[pos + 1 :]
            update = text(
                "UPDATE pakta_events SET state = :s "
                "WHERE originator_id = :o AND originator_version = :v"
            )
            with engine.begin() as conn:
                conn.execute(update, {"s": tampered, "o": originator_id, "v": version})
            try:
                with pytest.raises((AuditError, StoreError)) as caught:
                    audit_fresh(instance, tmp_path / f"t{checked}")
                if isinstance(caught.value, StoreError):
                    # The registry itself cannot read the changed event back: it names it.
                    assert not is_log and "cannot be read" in str(caught.value)
                elif expected_index is not None:
                    assert caught.value.index == expected_index, str(caught.value)
                else:
                    assert caught.value.index is not None, str(caught.value)  # type: ignore[union-attr]
            finally:
                with engine.begin() as conn:
                    conn.execute(update, {"s": state, "o": originator_id, "v": version})
            checked += 1
    assert checked == 3 * len(rows) == 3 * 8
    audit_fresh(instance, tmp_path / "restored")
    engine.dispose()
