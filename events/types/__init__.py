"""The built-in statement types, one module per stage of the Zona Integritas lifecycle.

Importing this package registers them in `events.catalog.CATALOG`, in lifecycle order:
identity and keys, commitment, building, assessment, outcome, then amendments.
"""

from . import (  # noqa: F401
    amendment,
    assessment,
    building,
    commitment,
    historical,  # noqa: F401  (issue 12: records imported by the registrar)
    identity,
    outcome,
)
