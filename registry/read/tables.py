"""Every table of the read model (`rm_*`), in one SQLAlchemy `MetaData`.

The read model holds what the public site shows, and only what the log and the rules'
outcomes give: the statements, the agencies and units with the state the rules computed for
them, the records each statement yields (registry/rules/records.py), the rules' warnings and
invalidations, and for every agency the entries about it (`rm_subjects`: its timeline). It is
rebuilt from the log alone, so nothing here depends on today's date. Every index serves a
query in `registry.read`.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, MetaData, String, Table, Text

from registry.read.table_columns import sort_indexes, table_columns

metadata = MetaData()
_ID = String(64)  # agency ids
_HASH = String(71)  # "sha256:" + 64 hex digits
_STAMP = String(40)  # RFC 3339 timestamps as signed


def _bytes_order(length: int) -> String:
    """A string column compared byte by byte on PostgreSQL too (collation "C"), so the prefix
    ranges the queries use (`term >= 'kab' AND term < 'kab' || U+10FFFF`) mean what they say
    and run on the index; SQLite compares bytes already."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")


def _idx(primary_key: bool = False) -> Column[int]:
    return Column("idx", BigInteger, primary_key=primary_key, autoincrement=False, nullable=False)


agencies = Table(
    "rm_agencies",
    metadata,
    Column("agency", _ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(40), nullable=False, index=True),
    Column("parent", _ID, index=True),
    Column("region_kemendagri", _bytes_order(8), index=True),
    Column("region_bps", String(8)),
    Column("region_name", Text),
    Column("registered_index", BigInteger, nullable=False),
    Column("head_seq", Integer, nullable=False),
    Column("head_hash", _HASH, nullable=False),
    Column("head_index", BigInteger, nullable=False),
    Column("status", String(32), nullable=False, index=True),
    Column("target", String(8)),
    Column("declared_on", String(10)),
    Column("statements", Integer, nullable=False),
    Index("rm_agencies_by_name", "name", "agency"),
    *table_columns(),
)
sort_indexes(agencies)

statements = Table(
    "rm_statements",
    metadata,
    _idx(primary_key=True),
    Column("agency", _ID, nullable=False),
    Column("seq", Integer, nullable=False),
    Column("type", String(64), nullable=False),
    Column("hash", _HASH, nullable=False, unique=True),
    Column("issued_at", _bytes_order(40), nullable=False, index=True),
    Column("received_at", _STAMP, nullable=False),
    Column("signers", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("documents", Text, nullable=False),
    Index("rm_statements_agency_seq", "agency", "seq"),
)

# Every entry about an agency, whoever signed it: its own statements and the others'.
subjects = Table(
    "rm_subjects",
    metadata,
    Column("subject", _ID, primary_key=True),
    _idx(primary_key=True),
)

keys = Table(
    "rm_keys",
    metadata,
    Column("keyid", String(48), primary_key=True),
    Column("agency", _ID, nullable=False, index=True),
    Column("role", String(32), nullable=False),
    Column("holder", Text, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("valid_from", _STAMP, nullable=False),
    Column("added_index", BigInteger, nullable=False),
    Column("revoked_from", _STAMP),
    Column("revoked_index", BigInteger),
)

signatures = Table(
    "rm_signatures",
    metadata,
    Column("keyid", String(48), primary_key=True),
    _idx(primary_key=True),
    Column("agency", _ID, nullable=False),
    Column("owner", _ID, nullable=False),
    Column("issued_at", _STAMP, nullable=False),
)

documents = Table(
    "rm_documents",
    metadata,
    Column("sha256", _HASH, primary_key=True),
    _idx(primary_key=True),
    Column("name", Text, nullable=False),
    Column("media_type", String(100), nullable=False),
)

declarations = Table(
    "rm_declarations",
    metadata,
    _idx(primary_key=True),
    Column("agency", _ID, nullable=False, index=True),
    Column("hash", _HASH, nullable=False, unique=True),
    Column("claimed", Text, nullable=False),  # JSON list of the witnesses it names
)

witnesses = Table(
    "rm_witnesses",
    metadata,
    _idx(primary_key=True),
    Column("witness", _ID, nullable=False),
    Column("declaration_hash", _HASH, nullable=False, index=True),
    Column("declared_by", _ID, nullable=False, index=True),
)

units = Table(
    "rm_units",
    metadata,
    Column("unit", _ID, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("target", String(8)),
    Column("predicate", String(8)),
    Column("declared_on", String(10)),
    Column("declared_index", BigInteger),
    Column("declared_by", _ID),
    Column("designated_on", String(10)),
    Column("updated_index", BigInteger, nullable=False),
)

steps = Table(
    "rm_unit_steps",
    metadata,
    Column("unit", _ID, primary_key=True),
    _idx(primary_key=True),
    Column("step", String(16), primary_key=True),
    Column("on_date", String(10), nullable=False),
    Column("detail", Text, nullable=False),
)

plan = Table(
    "rm_plan_items",
    metadata,
    Column("unit", _ID, primary_key=True),
    Column("item", String(12), primary_key=True),
    Column("area", String(32), nullable=False),
    Column("output", Text, nullable=False),
    Column("target", Text, nullable=False),
    Column("responsible", Text, nullable=False),
    Column("evidence_expected", Text, nullable=False),
    Column("due_original", String(10), nullable=False),
    Column("due_current", String(10), nullable=False),
    Column("state", String(12), nullable=False),  # open, done, cancelled (the rules' state)
    Column("percent", Integer, nullable=False),
    Column("reported_on", String(10)),
    Column("plan_index", BigInteger, nullable=False),
    # The open items by due date: which units have items overdue today (registry/read/search.py).
    Index("rm_plan_items_by_due", "state", "due_current", "unit"),
)

plan_changes = Table(
    "rm_plan_changes",
    metadata,
    Column("unit", _ID, primary_key=True),
    Column("item", String(12), primary_key=True),
    _idx(primary_key=True),
    Column("on_date", String(10), nullable=False),
    Column("due", String(10)),
    Column("cancelled", Integer, nullable=False),
    Column("reason", Text, nullable=False),
)

progress = Table(
    "rm_progress",
    metadata,
    _idx(primary_key=True),
    Column("unit", _ID, nullable=False, index=True),
    Column("item", String(12), nullable=False),
    Column("reported_on", String(10), nullable=False),
    Column("percent", Integer, nullable=False),
    Column("state", String(12), nullable=False),
    Column("evidence", Text, nullable=False),  # JSON list of {name, sha256}
    Column("signers", Integer, nullable=False),
)

scores = Table(
    "rm_scores",
    metadata,
    _idx(primary_key=True),
    Column("unit", _ID, nullable=False, index=True),
    Column("source", String(8), nullable=False),  # self, tpi, tpn
    Column("stage", String(16)),
    Column("by", _ID, nullable=False),
    Column("regulation", String(40), nullable=False),
    Column("target", String(8)),
    Column("year", Integer, nullable=False),
    Column("on_date", String(10), nullable=False),
    Column("total", String(8)),
    Column("enablers", String(8)),
    Column("scores", Text),
    Column("indices", Text),
    Column("outcome", String(16)),  # propose / not_propose / passed / failed
)

surveys = Table(
    "rm_surveys",
    metadata,
    _idx(primary_key=True),
    Column("unit", _ID, nullable=False, index=True),
    Column("by", _ID, nullable=False),
    Column("survey", String(8), nullable=False),
    Column("year", Integer, nullable=False),
    Column("value", String(8), nullable=False),
    Column("method", Text, nullable=False),
    Column("sample_size", Integer, nullable=False),
)

windows = Table(
    "rm_windows",
    metadata,
    # Any TPN may announce a year's window; the first announced is the one that counts.
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("idx", BigInteger, primary_key=True, autoincrement=False),
    Column("by", _ID, nullable=False),
    Column("opens_on", String(10), nullable=False),
    Column("deadline", String(10), nullable=False),
    Column("quota", Integer, nullable=False),
    Column("regulation", String(40), nullable=False),
)

proposals = Table(
    "rm_proposals",
    metadata,
    _idx(primary_key=True),
    Column("unit", _ID, primary_key=True),
    Column("by", _ID, nullable=False),
    Column("year", Integer, nullable=False),
    Column("target", String(8), nullable=False),
    Column("submitted_on", String(10), nullable=False),
    Index("rm_proposals_by_year", "by", "year"),
)

warnings = Table(
    "rm_warnings",
    metadata,
    _idx(primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("subject", _ID, primary_key=True),
    Column("agency", _ID, nullable=False),
    Column("message", Text, nullable=False),
    # The same facts as JSON fields, for pages that word them in their own language.
    Column("facts", Text, nullable=False),
    # A unit's page reads a kind at a time in entry order: the warnings it signed, and those
    # about it signed by another (registry/read/warning_lists.py).
    Index("rm_warnings_by_agency", "agency", "code", "idx", "subject"),
    Index("rm_warnings_by_subject", "subject", "code", "idx", "agency"),
)

links = Table(
    "rm_links",
    metadata,
    _idx(primary_key=True),
    Column("kind", String(12), nullable=False),  # corrected, retracted, confirmed
    Column("agency", _ID, nullable=False),
    Column("target_seq", Integer, nullable=False),
    Column("target_hash", _HASH, nullable=False),
    Column("target_idx", BigInteger, nullable=False, index=True),
    Column("reason", Text),  # a correction's or retraction's reason (NULL for a confirmation)
    Column("corrections", Text, nullable=False),
    Column("confirmed_on", String(10)),  # a confirmation's day (NULL for the others)
)

invalidated = Table(
    "rm_invalidated",
    metadata,
    _idx(primary_key=True),
    Column("keyid", String(48), primary_key=True),
    Column("agency", _ID, nullable=False),
    Column("revoked_index", BigInteger, nullable=False),
    Column("effective_from", _STAMP, nullable=False),
)

# How many warnings the log records about each agency, by code (its own, and those about it
# signed by another): the results table's warning column and its "has warnings" filters.
agency_warnings = Table(
    "rm_agency_warnings",
    metadata,
    Column("agency", _ID, primary_key=True),
    Column("code", String(32), primary_key=True),
    Column("n", BigInteger, nullable=False),
    Index("rm_agency_warnings_by_code", "code", "agency"),
)

# Search: every index term of every agency (registry/read/words.py), matched by prefix.
terms = Table(
    "rm_terms",
    metadata,
    Column("term", _bytes_order(64), primary_key=True),
    Column("agency", _ID, primary_key=True),
)

# The years in which each agency issued statements (the search's "year" filter).
agency_years = Table(
    "rm_agency_years",
    metadata,
    Column("year", String(4), primary_key=True),
    Column("agency", _ID, primary_key=True),
)

# Counts the pages show, kept by the projection so no page view scans to count them:
# "agencies", "declarations", "witnessed", "status:<s>", "kind:<k>", "year:<yyyy>".
counts = Table(
    "rm_counts",
    metadata,
    Column("name", _bytes_order(80), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# The region codes agencies registered with, the name they first used, and how many.
regions = Table(
    "rm_regions",
    metadata,
    Column("code", String(8), primary_key=True),
    Column("name", Text, nullable=False),
    Column("agencies", BigInteger, nullable=False),
)

# The designations awarded, one row per award entry, with the decree and its document, and the
# revocation that ended it (registry/read/awards.py): the yearly "Penerima predikat" lists.
awards = Table(
    "rm_awards",
    metadata,
    Column("unit", _ID, primary_key=True),
    _idx(primary_key=True),
    Column("year", Integer, nullable=False),
    Column("predicate", String(8), nullable=False),
    Column("awarded_on", String(10), nullable=False),
    Column("by", _ID, nullable=False),
    Column("route", String(16), nullable=False),
    Column("decree", Text, nullable=False),
    Column("document", _HASH),  # the first document the award names (the decree)
    Column("revoked_on", String(10)),
    Column("revoked_index", BigInteger),
    Index("rm_awards_by_year", "year", "awarded_on", "unit"),
)

# Every entry's RFC 9162 leaf hash (hex), so the search box finds an entry by it.
leaves = Table(
    "rm_leaves",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("idx", BigInteger, nullable=False),
)

TABLES = tuple(metadata.sorted_tables)
