"""The built-in statement types, one module per stage of the Zona Integritas lifecycle.

Importing this package registers them in `events.catalog.CATALOG`, in lifecycle order:
identity and keys, commitment, building, assessment, outcome, then amendments.
"""

from . import amendment, assessment, building, commitment, identity, outcome  # noqa: F401
