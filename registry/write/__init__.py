"""The write side: the eventsourcing application that appends to the one global log.

`app` (the `Registry`: parse once, the rules under the append lock, one transaction), `batch`
(what the rules read during that transaction, and each entry's text), `batcher` (group commit
at the HTTP edge), `relay` (one process of a host appending for the others), `subjects` (the
subject chains and map of each checkpoint), `domain` (the `Agency` aggregate and the `LogEntry`
events), `storage` (tree hashes, checkpoints, the statement index, the schema version, the
append lock), `submission` (the strict parse and the receipt), `instance` (the instance folder
and its keys), `witnessing` (asking witnesses to cosign).

May import: `keys`, `events`, `registry.tlog`, `registry.rules`, eventsourcing, SQLAlchemy.
Never `registry.read` (it hands the read side what it needs through `app.ReadSide`); the
witness client uses the protocol helpers of `registry.witness.server`.
"""
