"""The summary sentences as the site writes them, kept: tests/vectors/summaries.json holds
every entry of the lifecycle demo (loaded with fixed keys, tests/golden_demo.py) and every
catalog example variant (tests/summary_cases.py), the names they mention, and each one's
sentence in Indonesian and English, as text and as HTML. It was first written by the
hand-written `summary` that web/summary_table.py replaced, so the table says what the pages
said; tests/web/test_summaries.py renders the stored cases again and compares, and
tests/web/test_summaries_crosslang.py has the browser's interpreter write them too. After a
deliberate change of wording or of the demo:

    .venv/bin/python tests/summaries_golden.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
for path in (HERE.parent, HERE):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from flask import Flask  # noqa: E402
from golden_demo import load_fixed_demo  # noqa: E402
from site_support import demo_app  # noqa: E402
from summary_cases import LANGUAGES, demo_cases, example_cases, names_of, written  # noqa: E402

from web import close_app  # noqa: E402

GOLDEN = HERE / "vectors" / "summaries.json"


def golden(app: Flask) -> dict[str, Any]:
    cases = demo_cases(app.test_client()) + example_cases()
    said = {lang: written(app, cases, lang) for lang in LANGUAGES}
    for i, case in enumerate(cases):
        case.update({lang: said[lang][i] for lang in LANGUAGES})
    return {"names": dict(sorted(names_of(app, cases).items())), "cases": cases}


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        service = load_fixed_demo(Path(tmp) / "instance")  # fixed keys: the same file each time
        service.close()
        app = demo_app(service.instance)
        try:
            found = golden(app)
        finally:
            close_app(app)
    GOLDEN.write_text(json.dumps(found, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"wrote {GOLDEN} ({len(found['cases'])} sentences)")
