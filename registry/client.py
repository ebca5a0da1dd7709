"""The Python client for agencies' own systems, and the one the `pakta` command line uses.

`Client(url, log_key)` talks to a registry over HTTP with the standard library only:
`post(statement_or_envelope, signers)` signs (filling `seq`, `prev` and `issued_at` from the
agency's head when they are missing) and submits, `head(agency)` reads an agency's head and
keys, `entry(index)` reads one log entry. Nothing it returns is taken on the registry's word:
a receipt's statement hash must be the hash of what was posted, the entry it names must hold
that envelope and hash to the receipt's leaf, the leaf must be in the tree by the receipt's
RFC 9162 inclusion proof, and the tree head must be a checkpoint signed by the pinned log key
(C2SP signed note) for that log's origin; an entry is checked the same way against the
published checkpoint. A failed check raises `ReceiptError` (a `VerificationError`); a refusal
by the registry raises `Refused` with the RFC 9457 problem's status, code, field and, for a
stale chain, the agency's current head.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from events import Statement, canonical_json, load_statement, parse_statement, sha256_ref
from events.dates import format_datetime
from keys.dsse import PAYLOAD_TYPE, Envelope, add_signature, sign
from keys.ed25519 import key_id, unb64
from keys.errors import PaktaError, VerificationError
from keys.note import NoteVerifier, open_note
from registry.tlog import merkle
from registry.tlog.checkpoint import Checkpoint

__all__ = ["Client", "ClientError", "Entry", "Receipt", "ReceiptError", "Refused"]

MAX_RESPONSE_BYTES = 4 << 20  # an entry, a proof or a head is a few KiB; never read unbounded


class ClientError(PaktaError):
    """The registry could not be reached, or answered something that is not its API."""


class Refused(ClientError):
    """The registry refused the request; the fields are those of its RFC 9457 problem."""

    def __init__(self, status: int, problem: Mapping[str, Any], url: str) -> None:
        self.status = status
        self.problem = dict(problem)
        self.code = str(problem.get("code", ""))
        self.detail = str(problem.get("detail", ""))
        self.field: str | None = problem.get("field")
        head = problem.get("head")
        self.head: dict[str, Any] | None = head if isinstance(head, dict) else None
        code = f" {self.code}" if self.code else ""
        super().__init__(f"{url}: refused ({status}{code}): {self.detail}")


class ReceiptError(VerificationError):
    """A receipt or entry the registry served does not verify against the pinned log key."""


@dataclass(frozen=True)
class Receipt:
    """A verified receipt: where the statement is in the log and the checkpoint proving it."""

    index: int
    agency: str
    seq: int
    statement_hash: str
    entry_hash: str
    leaf_hash: bytes
    entry: bytes
    checkpoint: str
    tree: Checkpoint
    inclusion_proof: tuple[bytes, ...]
    warnings: tuple[dict[str, Any], ...]
    served: Mapping[str, Any] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        """The receipt as the registry served it."""
        return dict(self.served)


@dataclass(frozen=True)
class Entry:
    """A verified log entry: its exact bytes, the envelope in it, and the proving checkpoint."""

    index: int
    text: bytes
    envelope: Envelope
    received_at: str
    checkpoint: str
    tree: Checkpoint

    @property
    def statement(self) -> Statement:
        return load_statement(self.envelope.payload)


def _fail(message: str, **kw: Any) -> ReceiptError:
    return ReceiptError(message, **kw)


def verify_inclusion(
    log: NoteVerifier, leaf: bytes, index: int, proof_b64: object, checkpoint: object
) -> tuple[Checkpoint, tuple[bytes, ...]]:
    """Check that `leaf` (a leaf hash) is entry `index` of the tree of the signed `checkpoint`."""
    if not isinstance(checkpoint, str):
        raise _fail("the checkpoint is missing")
    if not isinstance(proof_b64, list) or not all(isinstance(h, str) for h in proof_b64):
        raise _fail("the inclusion proof is not a list of base64 hashes")
    try:
        note, _ = open_note(checkpoint, [log])
        tree = Checkpoint.parse(note.text)
    except PaktaError as e:
        raise _fail(f"the checkpoint is not signed by the pinned log key {log}: {e}") from None
    if tree.origin != log.name:
        raise _fail("the checkpoint is for another log", expected=log.name, found=tree.origin)
    try:
        proof = tuple(unb64(h) for h in proof_b64)
        merkle.verify_inclusion(leaf, index, tree.size, proof, tree.root_hash)
    except PaktaError as e:
        raise _fail(f"entry {index} is not in the checkpoint's tree: {e}") from None
    return tree, proof


def _entry_envelope(text: bytes, index: int) -> tuple[Envelope, str]:
    """The envelope and `received_at` of log entry `index`, whose exact bytes are `text`."""
    try:
        obj = json.loads(text)
        if not isinstance(obj, dict) or obj.get("index") != index:
            raise ValueError(
                f"it says it is entry {obj.get('index') if isinstance(obj, dict) else None}"
            )
        return Envelope.from_json(obj["envelope"]), str(obj["received_at"])
    except (ValueError, KeyError, PaktaError) as e:
        raise _fail(f"log entry {index} is not a Pakta log entry: {e}") from None


def verify_receipt(
    log: NoteVerifier, served: object, envelope: Envelope, entry: Callable[[int], bytes]
) -> Receipt:
    """Check a served receipt for `envelope` (see the module docstring); `entry(i)` fetches
    the exact bytes of log entry i."""
    if not isinstance(served, dict):
        raise _fail("the receipt is not a JSON object")
    try:
        index, agency, seq = served["index"], served["agency"], served["seq"]
        statement_hash, entry_hash = served["statement_hash"], served["entry_hash"]
        leaf = bytes.fromhex(served["leaf_hash"])
        warnings = tuple(served.get("warnings", ()))
    except (KeyError, TypeError, ValueError) as e:
        raise _fail(f"the receipt is incomplete or malformed: {e}") from None
    if type(index) is not int or index < 0:
        raise _fail("the receipt's index is not an entry number", found=index)
    try:
        statement = load_statement(envelope.payload)
    except (PaktaError, KeyError, TypeError) as e:
        raise ClientError(f"the posted envelope does not carry a statement: {e}") from None
    expected = (sha256_ref(envelope.payload), statement.agency, statement.seq)
    if (statement_hash, agency, seq) != expected:
        raise _fail(
            "the receipt is for another statement",
            expected=expected,
            found=(statement_hash, agency, seq),
        )
    tree, proof = verify_inclusion(
        log, leaf, index, served.get("inclusion_proof"), served.get("checkpoint")
    )
    text = entry(index)
    if merkle.leaf_hash(text) != leaf or sha256_ref(text) != entry_hash:
        raise _fail(f"log entry {index} does not hash to the receipt's leaf and entry hashes")
    if _entry_envelope(text, index)[0] != envelope:
        raise _fail(f"log entry {index} holds another envelope than the one posted")
    return Receipt(
        index=index,
        agency=agency,
        seq=seq,
        statement_hash=statement_hash,
        entry_hash=entry_hash,
        leaf_hash=leaf,
        entry=text,
        checkpoint=served["checkpoint"],
        tree=tree,
        inclusion_proof=proof,
        warnings=warnings,
        served=served,
    )


def complete(
    document: Mapping[str, Any], head: Mapping[str, Any] | None, *, chain: bool = True
) -> bytes:
    """The canonical payload of a statement, with a missing `issued_at` from the clock and,
    with `chain`, a missing `seq` and `prev` from the agency's `head` (the API's head JSON;
    None: not registered, so seq 0); checked as the registry will parse it."""
    obj = dict(document)
    if chain and ("seq" not in obj or "prev" not in obj):
        position: Mapping[str, Any] = head["head"] if head is not None else {}
        obj.setdefault("seq", int(position.get("seq", -1)) + 1)
        obj.setdefault("prev", position.get("hash"))
    obj.setdefault("issued_at", format_datetime(datetime.now(UTC).replace(microsecond=0)))
    payload = canonical_json(obj)
    parse_statement(payload)  # refuse to sign what the registry would reject for its form
    return payload


class Client:
    """A registry at `url`, trusted only as far as `log_key` (its verifier key) vouches.

    Without a log key the client only reads heads and prepares statements: `post`, `submit`
    and `entry`, which return verified results, refuse to run.
    """

    def __init__(
        self, url: str, log_key: str | NoteVerifier | None, *, timeout: float = 30.0
    ) -> None:
        self.url = url.rstrip("/")
        self._log = NoteVerifier.parse(log_key) if isinstance(log_key, str) else log_key
        self.timeout = timeout

    @property
    def log(self) -> NoteVerifier:
        """The pinned log key."""
        if self._log is None:
            raise ClientError("no log key is pinned: the client cannot verify what it returns")
        return self._log

    @classmethod
    def trusting_served_key(cls, url: str, *, timeout: float = 30.0) -> Client:
        """A client that trusts the log key the registry serves now (trust on first use)."""
        text = _http(f"{url.rstrip('/')}/log-key", timeout=timeout)
        return cls(url, text.decode("ascii", "replace").strip(), timeout=timeout)

    def _get(self, path: str) -> bytes:
        return _http(self.url + path, timeout=self.timeout)

    def _get_json(self, path: str) -> Any:
        try:
            return json.loads(self._get(path))
        except ValueError:
            raise ClientError(f"{self.url}{path} did not answer JSON") from None

    def head(self, agency: str) -> dict[str, Any]:
        """The agency's head as the API serves it: profile, `head` (seq, hash, index), keys and
        lifecycle. `Refused` with status 404 if the agency is not registered."""
        found = self._get_json(f"/api/v1/agencies/{urllib.parse.quote(agency, safe='')}")
        if not isinstance(found, dict) or not isinstance(found.get("head"), dict):
            raise ClientError(f"{self.url}: the head of {agency!r} is not an agency head")
        return found

    def registrar_keys(self) -> dict[str, bytes]:
        """The registrar keys the registry serves, by key id (each id checked against its key)."""
        served = self._get_json("/registrar-keys.json")
        if not isinstance(served, dict):
            raise ClientError(f"{self.url}/registrar-keys.json is not an object")
        keys = {kid: unb64(raw) for kid, raw in served.items() if isinstance(raw, str)}
        return {kid: raw for kid, raw in keys.items() if key_id(raw) == kid}

    def prepare(self, statement: Mapping[str, Any]) -> bytes:
        """The payload of `statement`, completed from the agency's current head (`complete`)."""
        head = None
        if "seq" not in statement or "prev" not in statement:
            try:
                head = self.head(str(statement.get("agency", "")))
            except Refused as e:
                if e.status != 404:
                    raise
        return complete(statement, head)

    def post(
        self,
        statement: Envelope | Mapping[str, Any],
        signers: Sequence[Ed25519PrivateKey] = (),
    ) -> Receipt:
        """Sign and submit; return the verified receipt.

        A statement (a JSON object) is completed (`prepare`) and signed by every signer, in
        order; an envelope gets the signers' signatures added to those it has.
        """
        if isinstance(statement, Envelope):
            envelope = statement
            for key in signers:
                envelope = add_signature(envelope, key)
        else:
            if not signers:
                raise ClientError("a statement needs at least one signer")
            envelope = sign(self.prepare(statement), list(signers))
        return self.submit(envelope)

    def submit(self, envelope: Envelope) -> Receipt:
        """Submit a signed envelope as it is; return the verified receipt."""
        log = self.log  # refuse before posting what could not be verified after
        if envelope.payload_type != PAYLOAD_TYPE:
            raise ClientError(f"the envelope's payloadType is not {PAYLOAD_TYPE}")
        body = json.dumps(envelope.to_json()).encode()
        served = _http(
            self.url + "/api/v1/statements",
            data=body,
            content_type="application/json",
            timeout=self.timeout,
        )
        try:
            receipt = json.loads(served)
        except ValueError:
            raise ClientError(f"{self.url}: the receipt is not JSON") from None
        try:
            return verify_receipt(log, receipt, envelope, self._raw_entry)
        except ReceiptError as e:
            raise ReceiptError(
                f"the registry accepted the statement but its receipt does not verify: {e} "
                "(keep the envelope and the receipt; check the log with pakta audit)",
                expected=e.expected,
                found=e.found,
            ) from None

    def _raw_entry(self, index: int) -> bytes:
        return self._get(f"/api/v1/entries/{index}/raw")

    def entry(self, index: int) -> Entry:
        """Log entry `index`, verified against the checkpoint the registry publishes now."""
        proof = self._get_json(f"/api/v1/entries/{index}/proof")
        text = self._raw_entry(index)
        if not isinstance(proof, dict) or proof.get("index") != index:
            raise _fail(f"the registry's proof is not a proof of entry {index}")
        tree, _ = verify_inclusion(
            self.log,
            merkle.leaf_hash(text),
            index,
            proof.get("inclusion_proof"),
            proof.get("checkpoint"),
        )
        envelope, received_at = _entry_envelope(text, index)
        return Entry(index, text, envelope, received_at, proof["checkpoint"], tree)


def _http(
    url: str, *, data: bytes | None = None, content_type: str | None = None, timeout: float
) -> bytes:
    """The body of a 2xx answer; `Refused` for an HTTP error, `ClientError` if unreachable."""
    headers = {"Accept": "application/json"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    request = urllib.request.Request(url, data=data, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body: bytes = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as e:
        try:
            problem = json.loads(e.read(MAX_RESPONSE_BYTES))
        except ValueError:
            problem = None
        if not isinstance(problem, dict):
            problem = {"detail": e.reason}
        raise Refused(e.code, problem, url) from None
    except urllib.error.URLError as e:
        raise ClientError(f"{url}: {e.reason}") from None
    except (OSError, ValueError) as e:
        raise ClientError(f"{url}: {e}") from None
    if len(body) > MAX_RESPONSE_BYTES:
        raise ClientError(f"{url}: the answer is larger than {MAX_RESPONSE_BYTES} bytes")
    return body
