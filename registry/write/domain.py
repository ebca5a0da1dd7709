"""The event-sourced domain: `Agency` aggregates and the global log's entries.

An `Agency` holds that agency's `AgencyHead` (registry/rules/state.py). Its events are past
tense: `Registered`, `Accepted` (its own statement moved its chain on) and `Noted` (another
agency's statement changed its lifecycle); each carries the JSON of one typed effect
(registry/rules/changes.py) and is applied by the rules' one pure function, `apply_effect`.
The global chain is an `EventSourcedLog` of `LogEntry` events whose `entry` is the exact
canonical text of the public log entry; its stream version minus one is the entry's index.
Ids are `uuid5` of natural ids, so any process finds the same aggregate. Topics are fixed
strings, so moving this module never orphans a stored event.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, DomainEvent, event
from eventsourcing.utils import register_topic

from registry.rules.changes import Change, advanced_from_json, noted_from_json
from registry.rules.lifecycle import apply_effect
from registry.rules.state import AgencyHead
from registry.rules.types import milestone

NAMESPACE = UUID("6b1f3c1e-2a4d-5c8e-9f10-70616b746131")
LOG_ID = uuid5(NAMESPACE, "log")


def agency_uuid(agency: str) -> UUID:
    return uuid5(NAMESPACE, "agency:" + agency)


class Agency(Aggregate):
    """One agency's chain of accepted statements, as far as the rules need it."""

    TOPIC = "pakta:Agency"

    class Created(Aggregate.Created):
        TOPIC = "pakta:Agency.Created"

    class Event(Aggregate.Event):
        TOPIC = "pakta:Agency.Event"

    class Registered(Created):
        TOPIC = "pakta:Agency.Registered"
        agency: str
        effect: dict[str, Any]

    class Accepted(Event):
        TOPIC = "pakta:Agency.Accepted"
        effect: dict[str, Any]

    class Noted(Event):
        TOPIC = "pakta:Agency.Noted"
        effect: dict[str, Any]

    @staticmethod
    def create_id(agency: str, effect: dict[str, Any]) -> UUID:
        return agency_uuid(agency)

    @event(Registered)
    def __init__(self, agency: str, effect: dict[str, Any]) -> None:
        advanced = advanced_from_json(effect)
        self.head: AgencyHead = apply_effect(None, advanced, milestone)[0]
        # Every lifecycle change so far, in order (a compromise revocation recomputes from it).
        self.changes: list[Change] = list(advanced.lifecycle)

    @event(Accepted)
    def accept(self, effect: dict[str, Any]) -> None:
        advanced = advanced_from_json(effect)
        self.head = apply_effect(self.head, advanced, milestone)[0]
        self.changes.extend(advanced.lifecycle)

    @event(Noted)
    def note(self, effect: dict[str, Any]) -> None:
        noted = noted_from_json(effect)
        self.head = apply_effect(self.head, noted, milestone)[0]
        self.changes.extend(noted.lifecycle)


class LogEntry(DomainEvent):
    """One entry of the public log: `entry` is its exact canonical JSON text."""

    TOPIC = "pakta:LogEntry"
    entry: str


register_topic(LogEntry.TOPIC, LogEntry)
