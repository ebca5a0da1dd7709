"""Statement templates: one catalog type as a fill-in skeleton with every field explained.

`template(name)` is what `pakta new TYPE` prints, for those who write statements with scripts.
Its `statement` has the type's fields with `null` where a value goes (one element in each
list), so a statement left unfilled is refused rather than signed; `fields` explains each
field by JSON Pointer (the pointers the registry's errors use), from the type's JSON Schema:
its description, type, enumeration, format and limits, whether it is required, and the value
the catalog's example gives; `example` is that example as a whole statement, the starting
point. `seq`, `prev` and `issued_at` are left out: `pakta sign --registry` fills them. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .canonical import sha256_ref
from .catalog import get_type
from .checks import documents_required
from .fragments import AGENCY_ID, DATE_TIME, LINE, SEQ, SHA256_REF
from .statement import DOCUMENTS_SCHEMA

__all__ = ["EXAMPLE_AGENCY", "EXAMPLE_DOCUMENT", "template"]

EXAMPLE_AGENCY = "kanim-yogyakarta"
EXAMPLE_DOCUMENT = {
    "name": "dokumen.pdf",
    "sha256": sha256_ref(b"dokumen.pdf"),
    "media_type": "application/pdf",
}
_FORMATS = {
    "date": "a date, YYYY-MM-DD",
    "date-time": "a moment in RFC 3339 with its offset, e.g. 2025-01-02T09:00:00+07:00",
    "sha256-ref": "'sha256:' and 64 lower-case hex digits",
    "uri": "a URL",
}
_KEEP = (
    "type", "enum", "format", "pattern", "minimum", "maximum",
    "minLength", "maxLength", "minItems", "maxItems",
)  # fmt: skip
_MISSING = object()


def _types(schema: Mapping[str, Any]) -> list[str]:
    found = schema.get("type", [])
    return [found] if isinstance(found, str) else list(found)


def _words(schema: Mapping[str, Any]) -> str:
    """The schema of one field in a sentence."""
    types = _types(schema)
    if "description" in schema:
        text = str(schema["description"])
    elif "enum" in schema:
        text = "one of: " + ", ".join(str(v) for v in schema["enum"])
    elif "format" in schema:
        text = _FORMATS.get(schema["format"], schema["format"])
    elif "object" in types:
        text = "an object with the fields below"
    elif "array" in types:
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        text = f"a list of {low} to {high} items" if high is not None else "a list"
        text += " (repeat the element for each one)"
    elif "integer" in types:
        low, high = schema.get("minimum"), schema.get("maximum")
        text = "a whole number"
        if low is not None and high is not None:
            text += f" from {low} to {high}"
        elif low is not None:
            text += f" of at least {low}"
    elif "boolean" in types:
        text = "true or false"
    else:
        text = "text"
    if "null" in types:
        text += "; or null"
    return text


def _explain(
    schema: Mapping[str, Any],
    where: str,
    required: bool,
    example: object,
    fields: dict[str, dict[str, Any]],
) -> object:
    """The skeleton of `schema`, recording the explanation of it and its parts in `fields`."""
    entry: dict[str, Any] = {"help": _words(schema), "required": required}
    entry.update({k: schema[k] for k in _KEEP if k in schema})
    if example is not _MISSING and not isinstance(example, dict | list):
        entry["example"] = example
    if not required:
        entry["help"] += " (optional: delete the field if it does not apply)"
    fields[where] = entry
    types = _types(schema)
    if "object" in types:
        needed = set(schema.get("required", ()))
        given = example if isinstance(example, dict) else {}
        return {
            name: _explain(
                sub, f"{where}/{name}", name in needed, given.get(name, _MISSING), fields
            )
            for name, sub in schema["properties"].items()
        }
    if "array" in types:
        first = example[0] if isinstance(example, list) and example else _MISSING
        return [_explain(schema["items"], f"{where}/0", True, first, fields)]
    return None


def template(name: str, agency: str | None = None) -> dict[str, Any]:
    """The template of statement type `name` (see the module docstring)."""
    t = get_type(name)
    fields: dict[str, dict[str, Any]] = {
        "/type": {"help": f"the statement type: {name}", "required": True, "example": name},
    }
    agency_help = "your agency's id, as the registrar registered it"
    _explain({**AGENCY_ID, "description": agency_help}, "/agency", True, _MISSING, fields)
    for field, schema, words in (
        ("seq", SEQ, "your agency's next number: the head's seq + 1 (0 at registration)"),
        ("prev", SHA256_REF, "the hash of your agency's previous statement (null at seq 0)"),
        ("issued_at", DATE_TIME, "when you sign it, RFC 3339 with offset"),
    ):
        _explain(schema, f"/{field}", True, _MISSING, fields)
        fields[f"/{field}"]["help"] = words + "; left out here: pakta sign --registry fills it"
    body = _explain(t.body_schema, "/body", True, t.example or _MISSING, fields)
    needs_documents = documents_required in t.rules
    documents = _explain(
        DOCUMENTS_SCHEMA, "/documents", needs_documents, [EXAMPLE_DOCUMENT], fields
    )
    fields["/documents"]["help"] = (
        "the SHA-256 of each signed document (the PDF, a decree, evidence photos): hash the "
        "file on your own computer (sha256sum); the file itself is not sent"
        + ("" if needs_documents else " (optional: delete the field if there are none)")
    )
    source = {**LINE, "description": "where the facts come from (an article, a decree)"}
    _explain(source, "/source", False, _MISSING, fields)
    statement: dict[str, Any] = {"type": name, "agency": agency, "body": body}
    statement["documents"] = documents
    statement["source"] = None
    example: dict[str, Any] = {
        "type": name,
        "agency": agency or EXAMPLE_AGENCY,
        "body": dict(t.example or {}),
        "documents": [EXAMPLE_DOCUMENT],
    }
    return {
        "type": name,
        "title": dict(t.title),
        "signed_by": sorted(t.signer_roles),
        "cosigned_by": sorted(t.cosigner_roles),
        "checks": [(r.__doc__ or r.__name__).strip().splitlines()[0] for r in t.rules],
        "registry_checks": list(t.registry_rules),
        "how_to": [
            "replace every null in 'statement' (see 'fields'; 'example' shows one filled in)",
            "delete the optional fields you do not use",
            "save 'statement' alone, e.g. with: jq .statement",
            "sign it: pakta sign --key KEY --registry URL statement.json > envelope.json",
            "post it: pakta post URL envelope.json",
        ],
        "statement": statement,
        "fields": fields,
        "example": example,
    }
