"""The keys package is pure: it imports only the standard library, cryptography, itself and,
when it is installed, PyNaCl (libsodium's Ed25519 verify, the optional fast path that the
audit and the append's early verify use; `keys.ed25519.verify_libsodium` is None without it)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from keys import ed25519

ALLOWED = set(sys.stdlib_module_names) | {"cryptography", "keys", "nacl"}


def test_keys_imports_only_stdlib_and_cryptography() -> None:
    # Located through a module, not `keys.__file__`: under pytest's rootdir imports the folder
    # tests/keys can shadow the package `keys` as a namespace package.
    package = Path(ed25519.__file__).parent
    modules = sorted(package.glob("*.py"))
    assert {m.name for m in modules} >= {"ed25519.py", "dsse.py", "note.py", "errors.py"}
    for module in modules:
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                assert name.split(".")[0] in ALLOWED, f"{module.name} imports {name}"
