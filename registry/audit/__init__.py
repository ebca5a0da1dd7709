"""Verifying a log without trusting whoever serves it, and writing it out for others to.

`audit` (checkpoint, tiles, then every entry replayed with `registry.rules`), `replay` (that
ordered replay and its state), `subjects` (a subject's chain and map proof), `fsck` (every
stored table against the log), `verify_unit` (`pakta verify-unit`), `fetching`
(planned tile fetches from a URL or a folder), `pool` and `worker` (parsing and signature
checks on every core), `snapshot` (the replay state kept between runs), `report` (the
statuses, warnings and invalidations the audit derived), `command` (`pakta audit`), `export`
(the log as static files, incrementally) and `histories` (agency histories in pages).

May import: `keys`, `events`, `registry.tlog`, `registry.rules`; `export` also the write side.
"""
