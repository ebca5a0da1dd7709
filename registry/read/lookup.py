"""The one search box's shortcuts and its "did you mean": what a query names directly.

Like crt.sh, the box takes more than names: an entry number ("#75" or "75"), a statement hash,
an entry's leaf hash (RFC 9162, as a receipt or a charter's QR code gives it), a document
hash, a key id ("ed25519:…") or a region code (Kemendagri "33.15" or BPS "3315") each name
one thing, which `candidates` finds with primary-key lookups only. `suggest` offers a
spelling for a query that found nothing, from the index terms sharing each word's first two
letters (a range of the terms' primary key, so it works alike on SQLite and PostgreSQL).
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from sqlalchemy import Connection, select

from registry.read import queries
from registry.read import regions as region_data
from registry.read.tables import leaves, terms
from registry.read.words import ABBREVIATIONS, words

_ENTRY = re.compile(r"#\s*([0-9]{1,18})|([0-9]{1,18})")
_HASH = re.compile(r"(?:sha256:)?([0-9a-f]{64})")
_KEY = re.compile(r"ed25519:[0-9a-f]{32}")
_REGION = re.compile(r"[0-9]{2}(?:\.[0-9]{2})?|[0-9]{4}")
_NEAR = 200  # terms compared per word, at most


def candidates(db: Connection, query: str, size: int) -> list[dict[str, Any]]:
    """What `query` names: entries, statements, documents, keys or regions, best first."""
    q = query.strip().lower()
    found: list[dict[str, Any]] = []
    entry = _ENTRY.fullmatch(q)
    if entry and int(entry[1] or entry[2]) < size:
        found.append({"kind": "entry", "index": int(entry[1] or entry[2])})
    if not q.startswith("#") and _REGION.fullmatch(q):
        code = region_data.kemendagri_of(q)
        if code is not None:
            place = region_data.region(code) or {}
            found.append({"kind": "region", "code": code, "name": place.get("name", code)})
    digest = _HASH.fullmatch(q)
    if digest:
        ref = "sha256:" + digest[1]
        statement = queries.statement_by_hash(db, ref)
        if statement is not None:
            found.append({"kind": "statement", "index": statement["idx"]})
        leaf = entry_of_leaf(db, digest[1])
        if leaf is not None and leaf < size:
            found.append({"kind": "leaf", "index": leaf})
        if queries.documents_with_hash(db, ref):
            found.append({"kind": "document", "sha256": ref})
    if _KEY.fullmatch(q):
        holder = queries.key_holders(db, [q]).get(q)
        if holder is not None:
            found.append({"kind": "key", "agency": holder["agency"], "holder": holder["holder"]})
    return found


def entry_of_leaf(db: Connection, leaf_hash: str) -> int | None:
    """The index of the entry whose leaf hash is `leaf_hash` (64 hex digits), by primary key."""
    found = db.execute(select(leaves.c.idx).where(leaves.c.hash == leaf_hash)).scalar()
    return None if found is None else int(found)


def suggest(db: Connection, query: str) -> str | None:
    """A respelling of `query` whose every word is an index term, or None if there is none
    or the query is already spelt so."""
    out, changed = [], False
    for word in words(query)[:8]:
        if word in ABBREVIATIONS or len(word) < 3 or _has_prefix(db, word):
            out.append(word)
            continue
        near = _nearest(db, word)
        if near is None:
            return None
        out.append(near)
        changed = True
    return " ".join(out) if changed else None


def _has_prefix(db: Connection, word: str) -> bool:
    query = select(terms.c.term).where(terms.c.term >= word, terms.c.term < word + "\uffff")
    return db.execute(query.limit(1)).first() is not None


def _nearest(db: Connection, word: str) -> str | None:
    start = word[:2]
    query = (
        select(terms.c.term)
        .where(terms.c.term >= start, terms.c.term < start + "\uffff")
        .order_by(terms.c.term)
        .limit(_NEAR)
    )
    known = list(dict.fromkeys(r.term for r in db.execute(query)))
    best = difflib.get_close_matches(word, known, n=1, cutoff=0.75)
    return best[0] if best else None
