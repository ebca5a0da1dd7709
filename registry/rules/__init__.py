"""Everything the registry and the auditor must agree on, pure: the single source of every
derived fact.

`state` (an agency's head: profile, chain position, keys, lifecycle), `changes` (typed change
records and their stored JSON), `lifecycle` (the one state machine applying them), `signing`,
`guards` and `assessment` (what is refused), `warnings` (what is flagged), `records` and
`facts` (what statements record, and what the warning rules may ask), `signers` (who must
sign each type, as data the workbench reads too), `types` and `table`
(one entry per statement type), and `replay` (statement + state -> outcome). The write side,
the read model's rebuild and the audit all call these functions.

May import: the standard library, `keys`, `events`. No SQL, eventsourcing, Flask or network.
"""
