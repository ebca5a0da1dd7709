"""The audit's replay state between runs, so `pakta audit --state` goes on where it stopped.

What the replay knew after the last verified checkpoint (every agency head, statement
reference, fact, effect, warning and the right edge of the tree) is written as tagged JSON,
gzipped, next to the state file; the state file records its SHA-256, the size it is for and a
fingerprint of the rules and catalog that computed it. The next run uses it only if all of
these still hold and, before that, only once the new checkpoint is proven consistent with the
saved one; anything else replays from entry 0, saying why. Decoding builds nothing but plain
values and the dataclasses of `registry.rules` (an allowlist), never arbitrary objects.
"""

from __future__ import annotations

import base64
import dataclasses
import gzip
import hashlib
import json
import os
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import events
import registry.rules
from registry.rules import changes, facts, lifecycle, records, replay, state
from registry.tlog.merkle import CompactRange

FORMAT = "pakta-audit-replay/1"
_MODULES: tuple[ModuleType, ...] = (changes, facts, lifecycle, records, replay, state)
_CLASSES: dict[str, type] = {
    f"{m.__name__}:{c.__qualname__}": c
    for m in _MODULES
    for c in vars(m).values()
    if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == m.__name__
}


class SnapshotError(ValueError):
    """A saved replay state that cannot be used."""


def rules_fingerprint() -> str:
    """SHA-256 over the source of the rules and the catalog (code and data files): a state
    saved by other rules is not this audit's to continue."""
    digest = hashlib.sha256()
    for package in (registry.rules, events):
        root = Path(package.__file__ or "").parent
        for path in sorted(p for p in root.rglob("*") if p.suffix in (".py", ".json")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def encode(value: Any) -> Any:
    """`value` as JSON in which every object is a tagged node (so no data is mistaken for one)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, tuple):
        return {"t": "tuple", "v": [encode(v) for v in value]}
    if isinstance(value, frozenset):
        return {"t": "frozenset", "v": [encode(v) for v in value]}
    if isinstance(value, bytes):
        return {"t": "bytes", "v": base64.b64encode(value).decode()}
    if isinstance(value, datetime):
        return {"t": "datetime", "v": value.isoformat()}
    if isinstance(value, dict):
        return {"t": "dict", "v": [[encode(k), encode(v)] for k, v in value.items()]}
    if isinstance(value, CompactRange):
        return {"t": "range", "v": [value.size, [encode(h) for h in value._edge]]}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = f"{type(value).__module__}:{type(value).__qualname__}"
        if name not in _CLASSES:
            raise SnapshotError(f"{name} is not a rules type")
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"t": "object", "c": name, "v": fields}
    raise SnapshotError(f"cannot save a {type(value).__name__}")


def decode(node: Any) -> Any:
    if node is None or isinstance(node, bool | int | float | str):
        return node
    if isinstance(node, list):
        return [decode(v) for v in node]
    if not isinstance(node, dict) or not isinstance(node.get("t"), str):
        raise SnapshotError("not a saved replay state")
    tag, v = node["t"], node["v"]
    if tag == "tuple":
        return tuple(decode(x) for x in v)
    if tag == "frozenset":
        return frozenset(decode(x) for x in v)
    if tag == "bytes":
        return base64.b64decode(v, validate=True)
    if tag == "datetime":
        return datetime.fromisoformat(v)
    if tag == "dict":
        return {decode(k): decode(x) for k, x in v}
    if tag == "range":
        edge = CompactRange()
        edge.size, edge._edge = int(v[0]), [decode(h) for h in v[1]]
        return edge
    if tag == "object":
        cls = _CLASSES.get(node.get("c", ""))
        if cls is None:
            raise SnapshotError(f"{node.get('c')!r} is not a rules type")
        names = {f.name for f in dataclasses.fields(cls)}
        if set(v) != names:
            raise SnapshotError(f"fields of {cls.__qualname__} differ")
        return cls(**{k: decode(x) for k, x in v.items()})
    raise SnapshotError(f"unknown tag {tag!r}")


def save(path: Path, size: int, fields: dict[str, Any]) -> dict[str, Any]:
    """Write the replay state for `size` atomically; return what the state file records."""
    document = {"format": FORMAT, "size": size, "rules": rules_fingerprint(), "replay": fields}
    data = gzip.compress(json.dumps(encode(document), separators=(",", ":")).encode(), 6)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return {"file": path.name, "sha256": hashlib.sha256(data).hexdigest(), "size": size}


def load(path: Path, recorded: Any, size: int) -> dict[str, Any]:
    """The replay fields saved for `size`, or `SnapshotError` saying why they cannot be used."""
    if not isinstance(recorded, dict) or recorded.get("size") != size:
        raise SnapshotError("the state file records no replay state for its checkpoint")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise SnapshotError(f"{path}: {e.strerror}") from None
    if hashlib.sha256(data).hexdigest() != recorded.get("sha256"):
        raise SnapshotError(f"{path} is not the file the state file recorded")
    try:
        document = decode(json.loads(gzip.decompress(data)))
    except (OSError, ValueError, TypeError, KeyError, IndexError, EOFError) as e:
        raise SnapshotError(f"{path} cannot be read: {e}") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise SnapshotError(f"{path} is not a {FORMAT} file")
    if document.get("size") != size:
        raise SnapshotError(f"{path} is for size {document.get('size')}, not {size}")
    if document.get("rules") != rules_fingerprint():
        raise SnapshotError("it was saved by another version of the rules")
    fields: dict[str, Any] = document["replay"]
    return fields
