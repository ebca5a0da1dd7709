"""`pakta import FILE.csv`: public declarations from before Pakta, recorded by the registrar.

Reads the CSV of docs/import-csv.md (UTF-8, RFC 4180, a header row naming the columns
`agency`, `declared_on`, `target`, `place`, `source_url`, `source_date`, `source_title`, and
for agencies not yet in Pakta `agency_name`, `agency_kind`, `parent`, `region_kemendagri`,
`region_bps`, `region_name`), checks every row before anything is written (each row becomes a
`zi.declaration_recorded` statement, checked by the registry's parser), then appends the rows
in file order, each signed by the registrar key. An agency not yet registered is first
recorded by an `agency.registered` without keys, citing the row's source (it signs nothing
until `pakta register` adds its first key); its parent must be registered or recorded by an
earlier line. Idempotent: a row whose agency already has a record with the same `source_url`
and `declared_on` is skipped, so running the same file again adds nothing; so is a row whose
agency signed its own `zi.declared` of that day (the agency has confirmed it: nothing is left
to record). Errors name the line; with any error nothing is appended.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select

from events import build_statement
from events.errors import StatementError
from events.types.historical import TYPE
from keys.dsse import sign
from keys.errors import PaktaError
from registry.read import regions
from registry.read.tables import statements
from registry.write.app import Registry

RECORD = ("agency", "declared_on", "target", "place", "source_url", "source_date", "source_title")
PROFILE = (
    "agency_name",
    "agency_kind",
    "parent",
    "region_kemendagri",
    "region_bps",
    "region_name",
)
COLUMNS = RECORD + PROFILE
REQUIRED = ("agency", "declared_on", "source_url", "source_date", "source_title")
MAX_ROWS = 100_000


class ImportError_(PaktaError):
    """A CSV file `pakta import` cannot record as it is (the message names the line)."""


@dataclass(frozen=True)
class Row:
    line: int
    agency: str
    body: dict[str, str]
    profile: dict[str, str] = field(default_factory=dict)  # the registration cells given

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.agency, self.body["source_url"], self.body["declared_on"])


def parse_csv(text: str) -> list[Row]:
    """The rows of an import file, or `ImportError_` naming the first bad line."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header = reader.fieldnames or []
    unknown = [c for c in header if c not in COLUMNS]
    absent = [c for c in REQUIRED if c not in header]
    if unknown or absent:
        raise ImportError_(
            f"line 1: the header must name the columns {', '.join(COLUMNS)} "
            f"(unknown: {', '.join(unknown) or 'none'}; missing: {', '.join(absent) or 'none'})"
        )
    rows: list[Row] = []
    try:
        for record in reader:
            line = reader.line_num
            if len(rows) >= MAX_ROWS:
                raise ImportError_(f"line {line}: more than {MAX_ROWS} rows; split the file")
            if None in record:
                raise ImportError_(f"line {line}: more cells than columns in the header")
            values = {k: (v or "").strip() for k, v in record.items() if k is not None}
            for name in REQUIRED:
                if not values.get(name):
                    raise ImportError_(f"line {line}: {name} is empty")
            body = {k: v for k, v in values.items() if k in RECORD[1:] and v}
            profile = {k: v for k, v in values.items() if k in PROFILE and v}
            rows.append(Row(line=line, agency=values["agency"], body=body, profile=profile))
    except csv.Error as e:
        raise ImportError_(f"line {reader.line_num}: not valid CSV ({e})") from None
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        if row.key in seen:
            raise ImportError_(f"line {row.line}: the same record as line {seen[row.key]}")
        seen[row.key] = row.line
    return rows


def _bodies(registry: Registry, type_: str, agencies: Iterable[str]) -> list[tuple[str, Any]]:
    query = select(statements.c.agency, statements.c.body).where(
        statements.c.type == type_, statements.c.agency.in_(sorted(set(agencies)))
    )
    with registry.engine.connect() as conn:
        return [(a, json.loads(b)) for a, b in conn.execute(query).all()]


def recorded(registry: Registry, agencies: Iterable[str]) -> set[tuple[str, str, str]]:
    """(agency, source_url, declared_on) of every record the log already holds for them."""
    found = _bodies(registry, TYPE, agencies)
    return {(a, b["source_url"], b["declared_on"]) for a, b in found}


def confirmed(registry: Registry, agencies: Iterable[str]) -> set[tuple[str, str]]:
    """(agency, declared_on) of every declaration the agencies signed themselves."""
    return {(a, b["declared_on"]) for a, b in _bodies(registry, "zi.declared", agencies)}


def registration(row: Row) -> dict[str, Any]:
    """The `agency.registered` body (without keys) the row's registration cells describe."""
    p = row.profile
    if not p.get("agency_name") or not p.get("agency_kind"):
        raise ImportError_(
            f"line {row.line}: agency {row.agency!r} is not registered in Pakta; give "
            "agency_name and agency_kind (and region_kemendagri, parent if any) to record it, "
            "or register it first (pakta register)"
        )
    region = None
    code = p.get("region_kemendagri")
    if code:
        known = regions.region(code) or {}
        bps, name = (
            p.get("region_bps") or known.get("bps"),
            p.get("region_name") or known.get("name"),
        )
        if not bps or not name:
            raise ImportError_(
                f"line {row.line}: region {code} is not in Pakta's region list: give its "
                "region_bps and region_name too"
            )
        region = {"kemendagri": code, "bps": bps, "name": name}
    elif p.get("region_bps") or p.get("region_name"):
        raise ImportError_(f"line {row.line}: region_kemendagri is empty")
    return {
        "name": p["agency_name"],
        "kind": p["agency_kind"],
        "parent": p.get("parent"),
        "region": region,
        "keys": [],
    }


def _check(line: int, *args: Any, **kw: Any) -> bytes:
    """`build_statement(*args, **kw)`, its refusal as an error naming the line."""
    try:
        return build_statement(*args, **kw)
    except StatementError as e:
        where = e.field.removeprefix("/body/") if e.field else "row"
        raise ImportError_(f"line {line}: {where}: {e.message}") from None


@dataclass(frozen=True)
class Outcome:
    added: list[int]
    skipped: int  # already recorded
    confirmed: int  # already signed by the agency itself
    registered: list[tuple[str, int]] = field(default_factory=list)  # (agency, entry)


def plan_registrations(
    registry: Registry, rows: Sequence[Row], now: datetime
) -> dict[str, tuple[Row, dict[str, Any]]]:
    """The agencies the file records first (not registered yet), each with its first row and
    registration body; every row is checked against them (see the module docstring)."""
    new: dict[str, tuple[Row, dict[str, Any]]] = {}
    for row in rows:
        head = registry.head(row.agency)
        if head is not None:
            given = {k: row.profile.get(f"agency_{k}") for k in ("name", "kind")}
            found = {"name": head.name, "kind": head.kind}
            if any(v is not None and v != found[k] for k, v in given.items()):
                raise ImportError_(
                    f"line {row.line}: agency {row.agency!r} is registered as {head.name!r} "
                    f"({head.kind}), not as the line describes it"
                )
            continue
        if row.agency in new:
            first, body = new[row.agency]
            if row.profile and registration(row) != body:
                raise ImportError_(
                    f"line {row.line}: agency {row.agency!r} is described differently on "
                    f"line {first.line}"
                )
            continue
        body = registration(row)
        parent = body["parent"]
        if parent and registry.head(parent) is None and parent not in new:
            raise ImportError_(
                f"line {row.line}: parent {parent!r} is not registered in Pakta, nor recorded "
                "by an earlier line"
            )
        source = row.body["source_url"]
        _check(row.line, "agency.registered", row.agency, 0, None, now, body, source=source)
        new[row.agency] = (row, body)
    return new


def run(
    registry: Registry,
    rows: Sequence[Row],
    registrar: Ed25519PrivateKey,
    now: datetime | None = None,
) -> Outcome:
    """Check every row, then append the ones the log does not hold yet (see the docstring)."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    done = recorded(registry, (r.agency for r in rows))
    signed = confirmed(registry, (r.agency for r in rows))
    own = [r for r in rows if (r.agency, r.body["declared_on"]) in signed]
    todo = [r for r in rows if r.key not in done and r not in own]
    new = plan_registrations(registry, rows, now)
    for row in rows:  # every row is checked (even one to skip) before the first is appended
        head = registry.head(row.agency)
        seq, prev = (head.seq + 1, head.hash) if head is not None else (1, "sha256:" + "0" * 64)
        _check(row.line, TYPE, row.agency, seq, prev, now, row.body)

    def append(payload: bytes) -> int:
        return registry.submit(json.dumps(sign(payload, [registrar]).to_json()).encode()).index

    added: list[int] = []
    registered: list[tuple[str, int]] = []
    for row in todo:
        if row.agency in new and registry.head(row.agency) is None:
            first, body = new[row.agency]
            source = first.body["source_url"]
            payload = build_statement(
                "agency.registered", row.agency, 0, None, now, body, source=source
            )
            registered.append((row.agency, append(payload)))
        head = registry.head(row.agency)
        assert head is not None
        added.append(
            append(build_statement(TYPE, row.agency, head.seq + 1, head.hash, now, row.body))
        )
    skipped = len(rows) - len(todo) - len(own)
    return Outcome(added, skipped, len(own), registered)
