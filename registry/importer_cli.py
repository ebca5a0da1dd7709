"""The `pakta import FILE.csv` command: argparse wiring and output (logic in registry/importer)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from keys.ed25519 import Passphrase, load_private_key
from registry.importer import ImportError_, parse_csv, run
from registry.service import open_service
from registry.write.instance import load_instance


def cmd_import(args: argparse.Namespace, instance_dir: Path, passphrase: Passphrase) -> int:
    path = Path(args.csv)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ImportError_(f"{path} is not UTF-8 text") from None
    rows = parse_csv(text)
    instance = load_instance(instance_dir)
    registrar = load_private_key(Path(args.key or instance.registrar_key_path()), passphrase)
    service = open_service(instance)
    try:
        outcome = run(service.registry, rows, registrar)
    finally:
        service.close()
    for agency, index in outcome.registered:
        print(f"agency {agency} recorded without keys as entry {index} (pakta register adds keys)")
    for index in outcome.added:
        print(f"entry {index}")
    print(
        f"import: {len(outcome.added)} recorded, {outcome.skipped} already in the log, "
        f"{outcome.confirmed} already signed by the agency ({len(rows)} rows in {path.name})"
    )
    return 0


def add_import_command(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    instance_path: Callable[[argparse.Namespace], Path],
    passphrase: Callable[[argparse.Namespace], Passphrase],
) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "import", help="record public declarations from a CSV file (registrar; docs/import-csv.md)"
    )
    p.add_argument("csv", help="the CSV file (UTF-8, with a header row)")
    p.add_argument("--key", help="the registrar key (default: the instance's)")
    p.set_defaults(func=lambda args: cmd_import(args, instance_path(args), passphrase(args)))
    return p
