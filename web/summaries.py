"""Every statement type in one plain sentence, naming the unit and what happened, for the entry
page, the home page's latest list and the feeds: "Predikat WBK RSUD Bahteramas dicabut pada
2 Maret 2026. Alasan: …" instead of a type title and raw JSON.

The sentences are data (web/summary_table.py); `summary` interprets them, as
web/static/verify/summary.js does in the browser. It returns escaped HTML (`Markup`) in which
agencies are links to their pages, or plain text for a feed (`links=False`). Agency names come
from `names` (id -> name, the caller looks them up once for a whole list with `mentioned`); an
id not in it is shown as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from flask import url_for
from markupsafe import Markup, escape

from web.dates import day, decimal
from web.summary_specs import (
    Agency,
    Count,
    Day,
    Decimal,
    Flag,
    Items,
    Number,
    Role,
    Signer,
    Single,
    Spec,
    Text,
    Word,
    value_at,
)
from web.summary_table import rule_for
from web.wording import _, role_name


def mentioned(rows: Iterable[Mapping[str, Any]]) -> set[str]:
    """The agency ids the summaries of these statement rows name (for one name lookup)."""
    found: set[str] = set()
    for row in rows:
        body = row.get("body") or {}
        found.add(str(row.get("agency", "")))
        for key in ("unit", "agency"):
            if isinstance(body.get(key), str):
                found.add(body[key])
        declaration = body.get("declaration")
        if isinstance(declaration, dict):
            found.add(str(declaration.get("agency", "")))
        for unit in body.get("units") or []:
            if isinstance(unit, dict):
                found.update(str(u) for u in (unit.get("agency"), unit.get("unit")) if u)
        found.update(s for s in body.get("scope") or [] if isinstance(s, str))
    return found - {""}


class _Writer:
    """Writes one statement's parameters: agencies as links (or names), values escaped."""

    def __init__(self, agency: str, names: Mapping[str, str], links: bool) -> None:
        self.agency, self.names, self.links = agency, names, links

    def text(self, value: Any) -> str:
        shown = "" if value is None else str(value)
        return str(escape(shown)) if self.links else shown

    def who(self, agency_id: Any) -> str:
        if not agency_id:
            return ""
        name = self.names.get(str(agency_id), str(agency_id))
        if not self.links:
            return name
        href = url_for("pages.agency", agency=str(agency_id))
        return str(Markup('<a href="{}">{}</a>').format(href, name))

    def one(self, spec: Single, at: Any) -> str:
        if isinstance(spec, Signer):
            return self.who(self.agency)
        found = value_at(at, spec.path)
        if isinstance(spec, Agency):
            if not found and spec.otherwise is not None:
                return self.text(value_at(at, spec.otherwise))
            return self.who(found)
        if isinstance(spec, Day):
            return self.text(day(found))
        if isinstance(spec, Text | Number):
            return self.text(found)
        if isinstance(spec, Count):
            return str(len(found)) if isinstance(found, list) else "0"
        if isinstance(spec, Decimal):
            return self.text(decimal(found))
        if isinstance(spec, Role):
            return self.text(role_name(found) if isinstance(found, str) else found)
        if isinstance(spec, Word):
            words = dict(spec.words)
            known = isinstance(found, str) and found in words
            return self.text(_(words[found]) if known else found)
        if isinstance(spec, Flag):
            return self.text(_(spec.yes) if found else _(spec.no))
        raise TypeError(spec)

    def value(self, spec: Spec, body: Mapping[str, Any]) -> str:
        if not isinstance(spec, Items):
            return self.one(spec, body)
        found = value_at(body, spec.path)
        items = found if isinstance(found, list) else []
        if spec.needs is not None:
            items = [i for i in items if isinstance(i, Mapping) and spec.needs in i]
        return ", ".join(self.one(spec.item, i) for i in items) if items else spec.empty


def summary(
    type_: str,
    body: Mapping[str, Any],
    agency: str,
    names: Mapping[str, str],
    *,
    links: bool = True,
) -> Markup | str:
    """The statement in one or two plain sentences in the page's language."""
    writer = _Writer(agency, names, links)
    said = [
        _(part.msgid, **{k: writer.value(s, body) for k, s in part.params.items()})
        for part in rule_for(type_)
        if part.when is None or part.when.holds(body)
    ]
    found = " ".join(said)
    return Markup(found) if links else found


_ID_FIELD = re.compile(r'(&#34;|&quot;)(agency|unit)\1: \1([a-z0-9][a-z0-9-]{0,63})\1')


def linked_body(pretty: str, names: Mapping[str, str]) -> Markup:
    """A statement body's pretty JSON, escaped, with the registered agencies its `agency` and
    `unit` fields name as links to their pages."""

    def link(found: re.Match[str]) -> str:
        q, field, agency_id = found[1], found[2], found[3]
        if agency_id not in names:
            return found[0]
        href = escape(url_for("pages.agency", agency=agency_id))
        return f'{q}{field}{q}: <a href="{href}">{q}{agency_id}{q}</a>'

    return Markup(_ID_FIELD.sub(link, str(escape(pretty))))
