"""Bench-only: grow a log to a large size quickly, to measure appends and proofs on top of it.

Signing, checking and projecting a million real statements would take most of an hour here,
so this writes synthetic entries straight into the store: `LogEntry` events with contiguous
versions and correct `prev` links, their RFC 9162 stored hashes, and a signed checkpoint. The
read model's position is moved past them (they are not statements). Appends measured after
this go through the full path. Never used outside `make bench`.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import Tracking

from events import canonical_json
from keys.note import sign_note
from registry.service import Service
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint
from registry.write import storage
from registry.write.domain import LogEntry


def grow(service: Service, target: int, batch: int = 5000) -> None:
    registry = service.registry
    size = registry.size()
    last = registry.chain.get_last()
    assert last is not None, "register the agencies first, through the real path"
    prev = merkle.leaf_hash(last.entry.encode()).hex()
    while size < target:
        count = min(batch, target - size)
        with registry.lock.hold(), registry.datastore.transaction(commit=True) as session:
            reader = storage.SessionHashReader(
                session, merkle.stored_hash_count(size), registry._hash_memo
            )
            events: list[Any] = []
            for index in range(size, size + count):
                entry = canonical_json(
                    {
                        "index": index,
                        "prev": prev,
                        "received_at": "2026-01-01T00:00:00.000000Z",
                        "envelope": {"synthetic": True},
                    }
                ).decode()
                leaf = merkle.leaf_hash(entry.encode())
                reader.add(merkle.stored_hashes_for_record(index, leaf, reader))
                events.append(
                    registry.chain.trigger_event(entry=entry, next_originator_version=index + 1)
                )
                prev = leaf.hex()
            registry.save(*events)
            reader.flush()
            size += count
            root = merkle.tree_hash(size, reader)
            note = sign_note(
                Checkpoint(registry.instance.origin, size, root).to_text(), [registry.signer]
            )
            session.execute(
                storage.checkpoints.insert(), {"size": size, "note": note, "cosigners": 0}
            )
            last_id = registry.recorder.max_notification_id() or 0
            service.projector.view._insert_tracking(session, Tracking(registry.name, last_id))
        print(f"    grown to {size}", flush=True)


__all__ = ["LogEntry", "grow"]
