"""The event-sourced domain: `Agency` aggregates and the global log's entries.

An `Agency` holds that agency's chain head and keys (an `AgencyHead` from `policy`), changed
only by `Accepted` events whose payload is a policy effect. The global chain is an
`EventSourcedLog` of `LogEntry` events whose `entry` is the exact canonical text of the public
log entry; its stream version minus one is the entry's public index. Ids are `uuid5` of
natural ids, so any process finds the same aggregate.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, DomainEvent, event

from registry.rules.policy import AgencyHead, apply_effect

NAMESPACE = UUID("6b1f3c1e-2a4d-5c8e-9f10-70616b746131")
LOG_ID = uuid5(NAMESPACE, "log")


def agency_uuid(agency: str) -> UUID:
    return uuid5(NAMESPACE, "agency:" + agency)


class Agency(Aggregate):
    """One agency's chain of accepted statements, as far as the rules need it."""

    @staticmethod
    def create_id(agency: str, effect: dict[str, Any]) -> UUID:
        return agency_uuid(agency)

    @event("Registered")
    def __init__(self, agency: str, effect: dict[str, Any]) -> None:
        self.head: AgencyHead = apply_effect(None, effect)

    @event("Accepted")
    def accept(self, effect: dict[str, Any]) -> None:
        self.head = apply_effect(self.head, effect)


class LogEntry(DomainEvent):
    """One entry of the public log: `entry` is its exact canonical JSON text."""

    entry: str
