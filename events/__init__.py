"""Pakta's statements: strict JSON, canonical bytes, the catalog of types and their checks.

This package is pure (stdlib, jsonschema and `keys` only; never flask, sqlalchemy or
eventsourcing, which a test enforces) so that the registry, the auditor and any independent
verifier reach the same verdict on the same bytes. Importing it registers the built-in
statement types (`events/types/`) in `CATALOG`, in the order of the Zona Integritas lifecycle.
"""

from . import types as _types  # noqa: F401  (registers the built-in types)
from .canonical import (
    MAX_SAFE_INTEGER,
    MAX_STATEMENT_BYTES,
    canonical_json,
    parse_sha256_ref,
    sha256_ref,
    strict_loads,
)
from .catalog import CATALOG, StatementType, catalog_json, get_type, register
from .dates import format_datetime, parse_date, parse_datetime
from .errors import StatementError
from .fragments import ROLES
from .model import Document, Statement
from .statement import build_statement, load_statement, parse_statement

__all__ = [
    "CATALOG",
    "MAX_SAFE_INTEGER",
    "MAX_STATEMENT_BYTES",
    "ROLES",
    "Document",
    "Statement",
    "StatementError",
    "StatementType",
    "build_statement",
    "canonical_json",
    "catalog_json",
    "format_datetime",
    "get_type",
    "load_statement",
    "parse_date",
    "parse_datetime",
    "parse_sha256_ref",
    "parse_statement",
    "register",
    "sha256_ref",
    "strict_loads",
]
