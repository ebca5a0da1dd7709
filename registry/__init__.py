"""The registry: checks signed statements, appends them to one transparency log, keeps the read
model citizens browse, and verifies the whole thing again as an auditor would.

One subpackage per concern, imports going one way: `tlog` (what a third-party verifier needs)
and `rules` (what the registry and the auditor must agree on) are pure; `write` (the
eventsourcing application) and `read` (the read model) build on them; `audit`, `witness` and
`demo` use them; `service` wires a running registry and `cli` is the command line. Nothing
here imports `web` (tests/test_layers.py).
"""
