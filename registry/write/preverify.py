"""Submissions parsed and their signatures verified before the append lock.

`KnownKeys` holds the public keys, by key id, that this process knows: the registrar's, and
those granted by the agency heads it has read. `prepare` parses a submission once and
verifies each signature whose key it knows, so the append, under the lock, has only the
rules left to run (`registry.write.batch.Preverified`). A signature with a key it does not
know, or one it refuses, is left to the rules, which verify it again with the keys of the
head they check against: nothing is accepted here that the rules would refuse.
"""

from __future__ import annotations

from collections.abc import Mapping

from keys.dsse import pae, verify_signature
from keys.ed25519 import verify_libsodium
from keys.errors import PaktaError
from registry.write.batch import Prepared, Preverified
from registry.write.domain import Agency
from registry.write.submission import parse_submission

MAX_KEYS = 100_000  # then forget all but the registrar's, and learn again


class KnownKeys:
    """The public keys by key id this process verifies with before the lock."""

    def __init__(self, registrar_keys: Mapping[str, bytes]) -> None:
        self.registrar_keys = dict(registrar_keys)
        self.keys = dict(registrar_keys)

    def learn(self, agency: Agency | None) -> None:
        """Remember the public keys an agency's head grants."""
        if agency is None:
            return
        if len(self.keys) > MAX_KEYS:
            self.keys = dict(self.registrar_keys)
        for grant in agency.head.keys.values():
            self.keys[grant.keyid] = grant.public_key

    def prepare(self, data: bytes) -> Prepared:
        """A submission parsed once (or the error that refused it), and the signatures that
        verify with the keys known for their key ids."""
        try:
            envelope, statement = parse_submission(data)
        except PaktaError as e:
            return e
        pairs = set()
        message = pae(envelope.payload_type, envelope.payload) if verify_libsodium else b""
        for signature in envelope.signatures:
            raw = self.keys.get(signature.keyid)
            if raw is None:
                continue
            # libsodium when installed (the auditor's default); what it refuses, the rules
            # verify again, and refuse too: both apply keys.strict (one verdict for both).
            if verify_libsodium is not None:
                ok = verify_libsodium(raw, message, signature.sig)
            else:
                ok = verify_signature(envelope, signature, raw)
            if ok:
                pairs.add((signature.keyid, raw))
        return envelope, statement, Preverified(frozenset(pairs))
