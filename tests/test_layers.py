"""The import rules of the layout (README "What is where"), read from the source with `ast`, so
an import inside a function counts as much as one at the top of a module.

- `keys`, `events`, `registry.tlog` and `registry.rules` are pure: no Flask, SQL,
  eventsourcing or network code;
- `registry` never imports `web`, not even lazily;
- no two modules import each other, directly or through others.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("keys", "events", "registry", "web")
PURE = ("keys", "events", "registry.tlog", "registry.rules")
IMPURE = {
    "flask", "flask_babel", "werkzeug", "jinja2", "sqlalchemy", "eventsourcing",
    "eventsourcing_sqlalchemy", "psycopg", "gunicorn",
}  # fmt: skip
# Network code (urllib.parse only splits strings, so it is not on the list).
NETWORK = (
    "socket", "ssl", "http", "urllib.request", "urllib.error", "requests", "httpx", "urllib3",
    "smtplib", "ftplib", "asyncio",
)  # fmt: skip


def impure(module: str) -> bool:
    return top(module) in IMPURE or any(module == n or module.startswith(n + ".") for n in NETWORK)


def modules() -> dict[str, Path]:
    """Every module of the four packages, by dotted name, from the tree on disk."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = modules()


def imports(name: str, path: Path) -> set[str]:
    """What the module imports, anywhere in its source, as dotted names (a `from X import y`
    of a submodule y counts as importing X.y)."""
    tree = ast.parse(path.read_text(), str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            for alias in node.names:
                child = f"{base}.{alias.name}"
                out.add(child if child in MODULES else base)
    return out


GRAPH = {name: imports(name, path) for name, path in MODULES.items()}


def top(name: str) -> str:
    return name.split(".")[0]


def test_the_tree_is_read() -> None:
    assert {"registry.rules.replay", "registry.tlog.merkle", "web.api"} <= set(MODULES)
    assert "eventsourcing.application" in GRAPH["registry.write.app"]  # the reader works


@pytest.mark.parametrize("layer", PURE)
def test_the_pure_core_imports_no_flask_sql_eventsourcing_or_network(layer: str) -> None:
    for name, found in GRAPH.items():
        if name == layer or name.startswith(layer + "."):
            banned = sorted(m for m in found if impure(m))
            assert not banned, f"{name} imports {banned}"
            upward = sorted(m for m in found if top(m) in ("registry", "web") and not any(
                m == p or m.startswith(p + ".") for p in ("registry.tlog", "registry.rules")
            ))  # fmt: skip
            assert not upward, f"{name} imports {upward}"


def test_keys_and_events_stay_below_the_registry() -> None:
    for name, found in GRAPH.items():
        if top(name) == "keys":
            assert {top(m) for m in found} & {"events", "registry", "web"} == set(), name
        if top(name) == "events":
            assert {top(m) for m in found} & {"registry", "web"} == set(), name


def test_the_registry_never_imports_web() -> None:
    for name, found in GRAPH.items():
        if top(name) == "registry":
            assert not [m for m in found if top(m) == "web"], name


def test_the_write_side_does_not_import_the_read_side() -> None:
    for name, found in GRAPH.items():
        if name.startswith("registry.write"):
            assert not [m for m in found if m.startswith("registry.read")], name


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """A cycle in `graph` (module -> modules it imports), or None."""
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_there_is_no_import_cycle() -> None:
    internal = {n: {m for m in deps if m in MODULES and m != n} for n, deps in GRAPH.items()}
    sys.setrecursionlimit(10_000)
    cycle = find_cycle(internal)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_a_cycle_through_a_function_level_import_would_be_found(tmp_path: Path) -> None:
    a = tmp_path / "a.py"
    a.write_text("def f():\n    from registry.rules import guards\n")
    assert imports("registry.rules.x", a) == {"registry.rules.guards"}
    assert find_cycle({"x": {"y"}, "y": {"z"}, "z": {"x"}}) == ["x", "y", "z", "x"]
    assert find_cycle({"x": {"y"}, "y": set()}) is None
