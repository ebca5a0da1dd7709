"""The rules of the 25 built-in statement types: one `register_rules` entry each, one module
per stage of the Zona Integritas lifecycle, as `events/types/` declares them (DOMAIN.md,
"Statement types"). Importing this package registers them all.

Each entry says, for its type: the guard (`registry.rules.guards`, `.assessment`), the
lifecycle changes and identity changes it makes, which other agencies it is about, the
records the read model keeps, and its warning rules (`registry.rules.warnings`).
"""

from registry.rules.table import amendment, assessment, building, commitment, identity  # noqa: F401
