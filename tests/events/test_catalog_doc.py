"""docs/catalog.md is the generator's output, so the catalog page never drifts from the schemas."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from events import CATALOG, catalog_json

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_committed_catalog_equals_the_generated_one() -> None:
    spec = importlib.util.spec_from_file_location("generate_catalog", DOCS / "generate_catalog.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert (DOCS / "catalog.md").read_text(encoding="utf-8") == module.render(), (
        "run: python docs/generate_catalog.py"
    )


def test_catalog_json_has_every_type_once_with_its_example() -> None:
    data = catalog_json()
    names = [t["name"] for t in data["types"]]
    assert sorted(names) == sorted(CATALOG) and len(names) == 27
    assert all(t["example"] == CATALOG[t["name"]].example for t in data["types"])
    json.dumps(data)  # JSON-able as served
    assert {"permenpanrb-90-2021", "permenpanrb-5-2024"} <= set(data["regulations"])
