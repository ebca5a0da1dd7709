"""Verifying a log without trusting whoever serves it, and writing it out for others to.

`audit` (tiles, checkpoint, then every entry replayed with `registry.rules`), `report` (the
statuses, warnings and invalidations the audit derived), `command` (`pakta audit`), `export`
(the log as static files in the layout the server serves).

May import: `keys`, `events`, `registry.tlog`, `registry.rules`; `export` also the write side.
"""
