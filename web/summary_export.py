"""The summary sentences as data for the browser: web/static/verify/summaries.json.

`summaries_table()` writes, for each language of the site, every type's rule from
web/summary_table.py with its message translated by the site's own catalogs, each parameter's
spec (the words of a stage or an outcome translated too), the role names, and how dates and
decimals are written (month names from the same Babel locale `web.dates.day` formats with,
and the "long" form of a day the warnings' detail lines use, which the unit page's check reads).
web/static/verify/summary.js renders an entry's sentence from its verified bytes with it.

Why one static file and not a rule inlined in the entry page: the page is what the check
distrusts (a lying server could change a rule it sends along with the sentence), while this
file, like rules.json, is fingerprinted (README, /about; `web.subjects.VERIFY_FILES`), so one
can compare what the browser checks against. Regenerate it after changing a sentence or its
translation (a test compares):
`.venv/bin/python -m web.summary_export`.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask, g
from flask_babel import Babel, force_locale, format_date

from events import ROLES
from web.dates import DECIMAL_PATTERN, decimal
from web.summary_specs import Flag, Items, Part, Spec, Word
from web.summary_table import DEFAULT, RULES
from web.wording import _, role_name

FORMAT = "pakta-summaries/1"
LANGUAGES = ("id", "en")
FILE = Path(__file__).resolve().parent / "static" / "verify" / "summaries.json"


def _spec(spec: Spec) -> dict[str, Any]:
    """A parameter's spec as JSON: its kind and fields, message ids translated."""
    out: dict[str, Any] = {"kind": spec.kind}
    for f in dataclasses.fields(spec):
        value = getattr(spec, f.name)
        if value is None:
            continue
        if isinstance(spec, Items) and f.name == "item":
            value = _spec(value)
        elif isinstance(spec, Word) and f.name == "words":
            value = {code: _(msgid) for code, msgid in value}
        elif isinstance(spec, Flag) and f.name in ("yes", "no"):
            value = _(value)
        out[f.name] = value
    return out


def _part(part: Part) -> dict[str, Any]:
    out: dict[str, Any] = {
        # The translated message, as Python formats it: %(name)s and %% for "%".
        "message": _(part.msgid),
        "params": {name: _spec(s) for name, s in sorted(part.params.items())},
    }
    if part.when is not None:
        out["when"] = {"path": part.when.path, "is": part.when.is_}
        if part.when.value is not None:
            out["when"]["value"] = part.when.value
    return out


# A day no part of which is another's digits: {day} 22, {month} November, {year} 2000.
_PROBE = date(2000, 11, 22)


def long_date() -> str:
    """How the current language writes a day in Babel's "long" form (web.warning_words
    `readable_date`, the warnings' detail lines), as a template: "{day} {month} {year}"."""
    text = str(format_date(_PROBE, "long"))
    month = str(format_date(_PROBE, "MMMM"))
    return text.replace(month, "{month}").replace("2000", "{year}").replace("22", "{day}")


def language_table() -> dict[str, Any]:
    """Every rule and the words it needs in the current request's language."""
    return {
        "months": [format_date(date(2000, m, 1), "MMMM") for m in range(1, 13)],
        "long_date": long_date(),
        "decimal": {"pattern": DECIMAL_PATTERN, "point": decimal("0.5")[1]},
        "roles": {r: role_name(r) for r in sorted(ROLES)},
        "default": [_part(p) for p in DEFAULT],
        "types": {t: [_part(p) for p in rule] for t, rule in sorted(RULES.items())},
    }


def summaries_table() -> dict[str, Any]:
    """The whole file: each language's table (computed in a request in that language)."""
    app = Flask("web")  # its root is the web package: translations/ is the site's catalogs
    Babel(app)
    out: dict[str, Any] = {"format": FORMAT, "languages": {}}
    for lang in LANGUAGES:
        with app.test_request_context(f"/?lang={lang}"), force_locale(lang):
            g.lang = lang
            out["languages"][lang] = language_table()
    return out


def table_text() -> str:
    return json.dumps(summaries_table(), ensure_ascii=False, indent=1, sort_keys=True) + "\n"


if __name__ == "__main__":
    FILE.write_text(table_text())
