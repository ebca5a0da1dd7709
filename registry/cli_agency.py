"""The agency side of the `pakta` command line: keys, key requests, templates, signing,
co-signing, posting, and the registrar's `register`.

`add_commands` adds `keygen`, `key-id`, `key-request`, `new`, `sign`, `cosign`, `post` and
`register` to the parser `registry/cli.py` builds. Every command that reads a private key
reads encrypted PKCS #8 too, its passphrase from `--passphrase-file FILE` (the first line),
`--passphrase-env NAME`, or else a prompt on the terminal. Talking to a registry goes through
`registry.client`, so the command line and agencies' own systems share one implementation;
the log key to verify receipts with is `--log-key`, `$PAKTA_LOG_KEY`, the instance's own (for
the registrar), or else, said out loud, the one the registry serves.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events import CATALOG, StatementError, parse_statement, strict_loads
from events.key_request import make_request, parse_request
from events.template import template
from keys.dsse import Envelope, add_signature, sign, verify_signature
from keys.ed25519 import (
    Passphrase,
    b64,
    generate,
    key_id,
    load_private_key,
    load_public_key,
    parse_public_key,
    public_bytes,
    write_private_key,
    write_public_key,
)
from keys.errors import KeyFileError, PaktaError, PassphraseError
from registry.client import Client, Refused, complete
from registry.importer_cli import add_import_command
from registry.registrar import plan
from registry.write.instance import load_instance

MAX_DRAFT_BYTES = 96 * 1024  # as the registry's envelope limit
Handler = Callable[[argparse.Namespace], int]


class AgencyCommandError(PaktaError):
    """An agency command could not do what was asked."""


# -- passphrases and keys ------------------------------------------------------------------


def _add_passphrase_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--passphrase-file", help="read the key passphrase from the first line of FILE")
    p.add_argument("--passphrase-env", metavar="NAME", help="read it from environment variable")


def _given_passphrase(args: argparse.Namespace) -> str | None:
    if args.passphrase_file and args.passphrase_env:
        raise AgencyCommandError("give --passphrase-file or --passphrase-env, not both")
    if args.passphrase_file:
        try:
            text = Path(args.passphrase_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise AgencyCommandError(f"cannot read {args.passphrase_file}: {e}") from None
        return text.splitlines()[0] if text else ""
    if args.passphrase_env:
        if args.passphrase_env not in os.environ:
            raise AgencyCommandError(f"environment variable {args.passphrase_env} is not set")
        return os.environ[args.passphrase_env]
    return None


def _prompt(question: str) -> str:
    if not sys.stdin.isatty():
        raise PassphraseError(
            f"{question.rstrip(': ')}: no terminal to ask on; use --passphrase-file or "
            "--passphrase-env"
        )
    return getpass.getpass(question)


def read_private_key(args: argparse.Namespace, path: str) -> Ed25519PrivateKey:
    """The private key in `path`, decrypted with the passphrase the options give (or asked)."""
    given = _given_passphrase(args)
    source = given if given is not None else (lambda: _prompt(f"passphrase for {path}: "))
    return load_private_key(Path(path), source)


def _passphrase_source(args: argparse.Namespace) -> Passphrase:
    """The passphrase the options give, else a prompt asked only for an encrypted key."""
    given = _given_passphrase(args)
    return given if given is not None else (lambda: _prompt("passphrase for the key: "))


def _new_passphrase(args: argparse.Namespace, out: Path) -> str | None:
    given = _given_passphrase(args)
    if given is not None or not args.passphrase:
        return given
    first = _prompt(f"new passphrase for {out}: ")
    if _prompt("the same passphrase again: ") != first:
        raise PassphraseError("the two passphrases differ")
    return first


def cmd_keygen(args: argparse.Namespace) -> int:
    out = Path(args.out)
    pub = out.with_suffix(out.suffix + ".pub")
    if pub.exists() or pub.is_symlink():
        raise KeyFileError(f"refusing to overwrite existing file {pub}")
    passphrase = _new_passphrase(args, out)
    key = generate()
    write_private_key(out, key, passphrase)
    try:
        write_public_key(pub, key)
    except KeyFileError:
        out.unlink()  # the key was written just now: never leave one without its .pub
        raise
    print(f"{key_id(public_bytes(key))} {b64(public_bytes(key))}")
    return 0


def _public_key_of(args: argparse.Namespace, given: str) -> bytes:
    """A public key from a private key file, a public key file, or base64 text."""
    path = Path(given)
    if path.is_file():
        with open(path, "rb") as f:
            private = b"PRIVATE KEY-----" in f.readline()
        return public_bytes(read_private_key(args, given)) if private else load_public_key(path)
    return parse_public_key(given, "the key given")


def cmd_key_id(args: argparse.Namespace) -> int:
    print(key_id(_public_key_of(args, args.key)))
    return 0


def cmd_key_request(args: argparse.Namespace) -> int:
    new_agency: dict[str, Any] | None = None
    if args.name or args.kind:
        if not (args.name and args.kind):
            raise AgencyCommandError("a new agency needs both --name and --kind")
        region_parts = (args.kemendagri, args.bps, args.region_name)
        if any(region_parts) and not all(region_parts):
            raise AgencyCommandError("a region needs --kemendagri, --bps and --region-name")
        region = dict(zip(("kemendagri", "bps", "name"), region_parts, strict=True))
        new_agency = {
            "name": args.name,
            "kind": args.kind,
            "parent": args.parent,
            "region": region if all(region_parts) else None,
        }
    elif args.parent or args.kemendagri or args.bps or args.region_name:
        raise AgencyCommandError("--parent and the region describe a new agency: give --name")
    key = read_private_key(args, args.key)
    now = datetime.now(UTC).replace(microsecond=0)
    request = make_request(key, args.agency, args.role, args.holder, now, new_agency)
    print(json.dumps(request, indent=2, ensure_ascii=False))
    return 0


# -- statements ----------------------------------------------------------------------------


def cmd_new(args: argparse.Namespace) -> int:
    if args.type is None:
        for t in CATALOG.values():
            print(f"{t.name:32} {t.title['id']} / {t.title['en']}")
        return 0
    print(json.dumps(template(args.type, args.agency), indent=2, ensure_ascii=False))
    return 0


def _client(url: str, log_key: str | None, fallback: str | None = None) -> Client:
    pinned = log_key or os.environ.get("PAKTA_LOG_KEY") or fallback
    if pinned:
        return Client(url, pinned)
    client = Client.trusting_served_key(url)
    print(f"note: trusting the log key the registry serves: {client.log}", file=sys.stderr)
    return client


def _json_file(path: str) -> Any:
    try:
        return strict_loads(Path(path).read_bytes(), max_bytes=MAX_DRAFT_BYTES)
    except StatementError as e:
        raise AgencyCommandError(f"{path}: {e}") from None


def cmd_sign(args: argparse.Namespace) -> int:
    document = _json_file(args.statement)
    if not isinstance(document, dict):
        raise AgencyCommandError("the statement must be a JSON object")
    keys = [read_private_key(args, k) for k in args.key]
    if args.registry:
        payload = Client(args.registry, None).prepare(document)
    else:
        payload = complete(document, None, chain=False)
    print(json.dumps(sign(payload, keys).to_json(), indent=2))
    return 0


def _read_envelope(path: str) -> Envelope:
    return Envelope.from_json(_json_file(path))


def cmd_cosign(args: argparse.Namespace) -> int:
    envelope = _read_envelope(args.draft)
    statement = parse_statement(envelope.payload)  # still a statement the registry can parse
    known: dict[str, tuple[bytes, str]] = {}
    for given in args.signer_pub or ():
        raw = _public_key_of(args, given)
        known[key_id(raw)] = (raw, given)
    if args.registry:
        client = Client(args.registry, None)
        try:
            head = client.head(statement.agency)
        except Refused as e:
            if e.status != 404:
                raise
        else:
            if statement.seq <= head["head"]["seq"]:
                raise AgencyCommandError(
                    f"the draft is seq {statement.seq} of {statement.agency}, whose head is "
                    f"already seq {head['head']['seq']}: it can no longer be posted; sign a new one"
                )
            for k in head.get("keys", ()):
                known.setdefault(k["keyid"], (parse_public_key(k["public_key"]), k["role"]))
        for kid, raw in client.registrar_keys().items():
            known.setdefault(kid, (raw, "registrar"))
    for sig in envelope.signatures:
        if sig.keyid not in known:
            raise AgencyCommandError(
                f"cannot check the signature by {sig.keyid}: give its public key with "
                "--signer-pub, or the registry that knows it with --registry"
            )
        raw, _ = known[sig.keyid]
        if key_id(raw) != sig.keyid or not verify_signature(envelope, sig, raw):
            raise AgencyCommandError(
                f"the signature by {sig.keyid} does not verify: the draft was changed after "
                "it was signed; refusing to sign it"
            )
    for path in args.key:
        envelope = add_signature(envelope, read_private_key(args, path))
    signers = [f"{s.keyid} ({known[s.keyid][1]})" if s.keyid in known else s.keyid
               for s in envelope.signatures]  # fmt: skip
    kind = CATALOG[statement.type]
    roles = ", ".join(sorted(kind.signer_roles | kind.cosigner_roles))
    print(
        f"{statement.type} of {statement.agency}, seq {statement.seq}: signed by "
        f"{', '.join(signers)}; this type is signed by keys with the roles {roles}",
        file=sys.stderr,
    )
    print(json.dumps(envelope.to_json(), indent=2))
    return 0


def cmd_post(args: argparse.Namespace) -> int:
    envelope = _read_envelope(args.envelope)
    client = _client(args.url, args.log_key)
    try:
        receipt = client.post(envelope)
    except Refused as e:
        print(f"rejected ({e.status} {e.code}): {e.detail}")
        if e.head is not None:
            print(f"current head: {json.dumps(e.head)}")
        return 1
    print(json.dumps(receipt.to_json(), indent=2))
    return 0


def cmd_register(args: argparse.Namespace, instance_dir: Path) -> int:
    requests = []
    for path in args.request:
        try:
            requests.append(parse_request(Path(path).read_bytes()))
        except PaktaError as e:
            raise AgencyCommandError(f"{path}: {e}") from None
    instance = load_instance(instance_dir) if (instance_dir / "config.json").exists() else None
    key_path = args.key or (str(instance.registrar_key_path()) if instance else None)
    if key_path is None:
        raise AgencyCommandError("give the registrar key with --key (or the registry's --instance)")
    registrar = read_private_key(args, key_path)
    client = _client(args.registry, args.log_key, instance.log_vkey if instance else None)
    try:
        head: dict[str, Any] | None = client.head(requests[0].agency)
    except Refused as e:
        if e.status != 404:
            raise
        head = None
    today = datetime.now(UTC).date()  # the day of the issued_at the client gives (UTC)
    statements = plan(requests, head, today=today, basis=args.basis, scope=args.scope)
    receipts: list[dict[str, Any]] = []
    for type_, body in statements:
        try:
            receipt = client.post(
                {"type": type_, "agency": requests[0].agency, "body": body}, [registrar]
            )
        except PaktaError as e:
            if not receipts:
                raise
            done = ", ".join(str(r["index"]) for r in receipts)
            raise AgencyCommandError(f"{type_}: {e} (already in the log: entries {done})") from e
        print(
            f"{type_}: {requests[0].agency} seq {receipt.seq}, entry {receipt.index}",
            file=sys.stderr,
        )
        receipts.append(receipt.to_json())
    print(json.dumps(receipts, indent=2))
    return 0


# -- wiring ---------------------------------------------------------------------------------


def add_commands(
    sub: argparse._SubParsersAction[argparse.ArgumentParser],
    instance_path: Callable[[argparse.Namespace], Path],
) -> None:
    """Add the agency commands to `pakta`'s subparsers."""
    p = sub.add_parser("keygen", help="write a new Ed25519 private key (0600) and OUT.pub")
    p.add_argument("out")
    p.add_argument("--passphrase", action="store_true", help="encrypt it (asks for a passphrase)")
    _add_passphrase_options(p)
    p.set_defaults(func=cmd_keygen)
    p = sub.add_parser("key-id", help="print the key id of a private key, a .pub file or a key")
    p.add_argument("key", help="a private key file, a .pub file, or the base64 public key")
    _add_passphrase_options(p)
    p.set_defaults(func=cmd_key_id)
    p = sub.add_parser("key-request", help="print a signed request to register a key")
    p.add_argument("--key", required=True, help="the private key to register")
    p.add_argument("--agency", required=True, help="the agency id")
    p.add_argument("--role", required=True, help="the key's role (agency_head, operator, ...)")
    p.add_argument("--holder", required=True, help="the office holding the key")
    new = p.add_argument_group("a new agency (agency.registered)")
    new.add_argument("--name", help="the agency's name")
    new.add_argument("--kind", help="its kind (pemerintah_kabupaten, instansi_vertikal, ...)")
    new.add_argument("--parent", help="the parent agency's id")
    new.add_argument("--kemendagri", help="the region's Kemendagri code (PP or PP.KK)")
    new.add_argument("--bps", help="the region's BPS code (PP or PPKK)")
    new.add_argument("--region-name", help="the region's name")
    _add_passphrase_options(p)
    p.set_defaults(func=cmd_key_request)
    p = sub.add_parser("new", help="print a statement template with every field explained")
    p.add_argument("type", nargs="?", help="the statement type (none: list the types)")
    p.add_argument("--agency", help="fill in the agency id")
    p.set_defaults(func=cmd_new)
    p = sub.add_parser("sign", help="sign a statement; prints the DSSE envelope")
    p.add_argument("--key", action="append", required=True, help="private key file (repeatable)")
    p.add_argument("--registry", help="fill seq and prev from this registry's agency head")
    p.add_argument("statement")
    _add_passphrase_options(p)
    p.set_defaults(func=cmd_sign)
    p = sub.add_parser("cosign", help="add a signature to a signed draft; prints the envelope")
    p.add_argument("--key", action="append", required=True, help="private key file (repeatable)")
    p.add_argument("--registry", help="check the draft's signatures with this registry's keys")
    p.add_argument(
        "--signer-pub", action="append", help="a signer's public key (.pub file or base64)"
    )
    p.add_argument("draft")
    _add_passphrase_options(p)
    p.set_defaults(func=cmd_cosign)
    p = sub.add_parser("post", help="submit an envelope; prints the verified receipt")
    p.add_argument("url")
    p.add_argument("envelope")
    p.add_argument("--log-key", help="the log's verifier key to check the receipt against")
    p.set_defaults(func=cmd_post)
    # issue 12: pakta import FILE.csv (registry/importer_cli.py)
    _add_passphrase_options(add_import_command(sub, instance_path, _passphrase_source))
    p = sub.add_parser("register", help="register key requests (registrar); prints receipts")
    p.add_argument("request", nargs="+", help="key request files, all for one agency")
    p.add_argument("--registry", required=True, help="the registry's URL")
    p.add_argument("--key", help="the registrar key (default: the instance's)")
    p.add_argument("--log-key", help="the log's verifier key (default: the instance's)")
    p.add_argument("--basis", help="the decision granting a requested tpn, tpi or witness role")
    p.add_argument("--scope", action="append", default=[], help="agency a TPI assesses")
    _add_passphrase_options(p)
    p.set_defaults(func=lambda args: cmd_register(args, instance_path(args)))
