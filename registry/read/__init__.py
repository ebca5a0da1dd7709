"""The read model: what the site and API show, fed by each append and rebuilt from the log.

`tables` (every `rm_*` table), `rows` (writing one statement's outcome), `table_columns`
and `table_rows` (the results table's columns and the warning counts it keeps), `projector`
(the registry's read side: facts, rows, tracking, catch-up and rebuild), `facts` (the rules'
facts from these tables),
and the queries: `queries`, `lifecycle`, `search`, `results` (the results table's sorts and
items overdue today), `places`, with the reference data of `regions`. Queries take a
connection and plain values and return dicts.

May import: `keys`, `events`, `registry.rules`, `registry.tlog`, `registry.write`, SQLAlchemy.
"""
