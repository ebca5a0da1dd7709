"""The `pakta` command line: argparse only, `main(argv) -> int`, one clear line on any error.

The instance folder comes from `--instance DIR`, or `PAKTA_INSTANCE`, or `./instance`.
The agency's commands (keys, key requests, templates, signing, posting, registering) are in
`registry/cli_agency.py`; those that talk to a server use `registry.client` or, for `audit
URL`, the auditor's fetcher, with only the standard library's HTTP.
Commands that need the web layer (`serve`) are added by it (`web/__main__.py` passes them to
`main` as `extra`), so this package never imports `web`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from keys.ed25519 import b64
from keys.errors import PaktaError
from registry.audit.command import run_audit
from registry.audit.export import export
from registry.audit.fsck import fsck, repair
from registry.cli_agency import add_commands
from registry.demo.loader import DemoLoader
from registry.migration import migrate
from registry.service import open_service
from registry.tlog.cosignature import CosignatureVerifier
from registry.witness.server import witness_main
from registry.write.instance import DEFAULT_ORIGIN, init_instance, load_instance

# A command added from outside this package: its name, help, and a function that adds its
# arguments to the subparser and returns the handler.
Extra = tuple[str, str, Callable[[argparse.ArgumentParser], Callable[[argparse.Namespace], int]]]


class CommandError(PaktaError):
    """A command could not do what was asked."""


def instance_path(args: argparse.Namespace) -> Path:
    return Path(args.instance or os.environ.get("PAKTA_INSTANCE") or "instance")


def cmd_init(args: argparse.Namespace) -> int:
    instance = init_instance(
        instance_path(args),
        database_url=args.database_url,
        origin=args.origin,
        public_url=args.public_url,
    )
    migrate(instance)  # the schema is created once, here, before any server starts
    print(f"initialised {instance.path}")
    print(f"database: {instance.database_url}")
    for kid, raw in instance.registrar_keys.items():
        print(f"registrar key: {kid} {b64(raw)}")
    print(f"log key: {instance.log_vkey}")
    if instance.public_url is None:
        print("public URL: none (links use the address the server binds to; set public_url)")
    else:
        print(f"public URL: {instance.public_url}")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    done = migrate(load_instance(instance_path(args)))
    print(f"schema {done.schema}")
    if done.read_model_rebuilt:
        print("read model: laid out again and rebuilt from the log")
    if done.chains_recorded:
        print("subject chains: recorded from the log (with the tree hashes and indexes)")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    instance = load_instance(instance_path(args))
    service = open_service(instance)
    try:
        added = DemoLoader(service.registry, instance.path).load()
        print(f"demo: {added} statements added; the log has {service.registry.size()} entries")
    finally:
        service.close()
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    return run_audit(
        args.source,
        log_key=args.log_key,
        registrar_keys=args.registrar_key,
        state_file=args.state,
        report=args.report,
        today=args.today,
        jobs=args.jobs,
    )


def cmd_verify_unit(args: argparse.Namespace) -> int:  # verified views
    from registry.audit.verify_unit import run_verify_unit

    return run_verify_unit(
        args.url,
        args.unit,
        log_key=args.log_key,
        registrar_keys=args.registrar_key,
        witnesses=args.witness or (),
        quorum=args.quorum,
        overdue=args.overdue or (),
        state_file=args.state,
    )


def cmd_rebuild(args: argparse.Namespace) -> int:
    service = open_service(load_instance(instance_path(args)))
    try:
        count = service.projector.rebuild()
        print(f"read model rebuilt from {count} log entries: {service.projector.counts()}")
    finally:
        service.close()
    return 0


def cmd_fsck(args: argparse.Namespace) -> int:
    service = open_service(load_instance(instance_path(args)), check=False)
    try:
        if args.repair:
            count = repair(service)
            print(f"rebuilt the tree hashes, indexes and read model from {count} log entries")
        found = fsck(service)
    finally:
        service.close()
    for finding in found:
        print(f"fsck: {finding}")
    print(f"fsck: {len(found)} problems" if found else "fsck: every stored table matches the log")
    return 1 if found else 0


def cmd_export(args: argparse.Namespace) -> int:
    service = open_service(load_instance(instance_path(args)))
    try:
        size = export(service.registry, Path(args.dir))
        print(f"exported {size} entries to {args.dir}")
    finally:
        service.close()
    return 0


def cmd_witness(args: argparse.Namespace, rest: Sequence[str]) -> int:
    return witness_main(rest)


def cmd_witness_add(args: argparse.Namespace) -> int:
    instance = load_instance(instance_path(args))
    CosignatureVerifier.parse(args.vkey)  # refuse a malformed key before saving it
    instance.witnesses = [w for w in instance.witnesses if w["url"] != args.url]
    instance.witnesses.append({"url": args.url, "vkey": args.vkey})
    if args.quorum is not None:
        if not 0 <= args.quorum <= len(instance.witnesses):
            raise CommandError(f"quorum must be between 0 and {len(instance.witnesses)}")
        instance.witness_quorum = args.quorum
    instance.save()
    print(f"{len(instance.witnesses)} witnesses, quorum {instance.witness_quorum}")
    return 0


def _positive(text: str) -> int:
    if not (text.isascii() and text.isdigit()) or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return int(text)


def parser(extra: Sequence[Extra] = ()) -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="pakta", description="Pakta: a verifiable public registry")
    top.add_argument("--instance", help="instance folder (default: $PAKTA_INSTANCE or ./instance)")
    sub = top.add_subparsers(dest="command", required=True)
    p = sub.add_parser("init", help="create the instance folder, registrar and log keys")
    p.add_argument("--database-url", help="SQLAlchemy URL (default: SQLite in the folder)")
    p.add_argument("--origin", default=DEFAULT_ORIGIN, help="the log's checkpoint origin")
    p.add_argument(
        "--public-url",
        help="where citizens reach the site, e.g. https://pakta.example.go.id (the base of "
        "every link in feeds, QR codes and open data; public_url in config.json)",
    )
    p.set_defaults(func=cmd_init)
    sub.add_parser("migrate", help="create or update the database schema").set_defaults(
        func=cmd_migrate
    )
    for name, help_text, add in extra:
        p = sub.add_parser(name, help=help_text)
        p.set_defaults(func=add(p))
    sub.add_parser("demo", help="load the seed agencies and declarations").set_defaults(
        func=cmd_demo
    )
    add_commands(sub, instance_path)
    p = sub.add_parser("audit", help="verify a whole log from a URL or an export folder")
    p.add_argument("source", help="registry URL or export folder")
    p.add_argument("--log-key", help="the log's verifier key (name+hash+base64) to trust")
    p.add_argument("--registrar-key", action="append", help="registrar public key (base64)")
    p.add_argument(
        "--state",
        help="file keeping the last verified checkpoint (and, next to it, the replay state, "
        "so the next run replays only new entries)",
    )
    p.add_argument(
        "--jobs",
        type=_positive,
        help="worker processes verifying signatures and parsing (default: every core, "
        "for logs of more than a few thousand entries)",
    )
    p.add_argument(
        "--report",
        action="store_true",
        help="print every status, warning and invalidated entry the audit derived, as JSON",
    )
    p.add_argument(
        "--today",
        type=date.fromisoformat,
        help="the date (YYYY-MM-DD) overdue items are counted at (default: today)",
    )
    p.set_defaults(func=cmd_audit)
    # verified views: `pakta verify-unit URL UNIT`
    p = sub.add_parser("verify-unit", help="verify what a registry says about one unit")
    p.add_argument("url", help="registry URL")
    p.add_argument("unit", help="the unit's (agency's) id")
    p.add_argument("--log-key", help="the log's verifier key (name+hash+base64) to trust")
    p.add_argument("--registrar-key", action="append", help="registrar public key (base64)")
    p.add_argument("--witness", action="append", help="a witness verifier key to require")
    p.add_argument("--quorum", type=int, help="how many --witness must cosign (default: all)")
    p.add_argument(
        "--overdue", action="append", help="fail unless this plan item is proven overdue"
    )
    p.add_argument(
        "--state",
        help="keep the last verified checkpoint (and the anchors) in this file: the next run "
        "fails unless the log served then extends it",
    )
    p.set_defaults(func=cmd_verify_unit)
    sub.add_parser("rebuild-read-model", help="rebuild the read model from the log").set_defaults(
        func=cmd_rebuild
    )
    p = sub.add_parser(
        "witness", help="run a C2SP tlog-witness (see 'pakta witness --help')", add_help=False
    )
    p.set_defaults(func=cmd_witness, passthrough=True)
    p = sub.add_parser("witness-add", help="have this registry ask a witness to cosign")
    p.add_argument("url", help="the witness's URL prefix (it serves /add-checkpoint)")
    p.add_argument("vkey", help="the witness's cosignature verifier key")
    p.add_argument("--quorum", type=int, help="cosignatures a published checkpoint needs")
    p.set_defaults(func=cmd_witness_add)
    p = sub.add_parser("fsck", help="check every stored table against the log")
    p.add_argument(
        "--repair",
        action="store_true",
        help="first rebuild what is derived (tree hashes, indexes, read model); entries and "
        "checkpoints are never touched",
    )
    p.set_defaults(func=cmd_fsck)
    p = sub.add_parser(
        "export",
        help="write the log as static files, or bring an earlier export up to date "
        "(only what changed is written)",
    )
    p.add_argument("dir")
    p.set_defaults(func=cmd_export)
    return top


def main(argv: Sequence[str] | None = None, extra: Sequence[Extra] = ()) -> int:
    top = parser(extra)
    args, rest = top.parse_known_args(argv)
    try:
        if getattr(args, "passthrough", False):
            return int(args.func(args, rest))
        if rest:
            top.error(f"unrecognized arguments: {' '.join(rest)}")
        result: int = args.func(args)
        return result
    except PaktaError as e:
        print(f"pakta: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"pakta: error: {e}", file=sys.stderr)
        return 1
