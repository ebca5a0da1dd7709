"""The error hierarchy every Pakta package shares.

`keys` is the lowest layer, so the base error lives here: every other package raises
subclasses of `PaktaError`, and verification failures are a `VerificationError` that carries
what was expected and what was found.
"""

from __future__ import annotations


class PaktaError(Exception):
    """Base of every error Pakta raises on purpose."""


class VerificationError(PaktaError):
    """A signature, hash or proof did not verify."""

    def __init__(self, message: str, *, expected: object = None, found: object = None) -> None:
        super().__init__(message)
        self.expected = expected
        self.found = found


class EncodingError(PaktaError):
    """Text that should be canonical standard base64 (RFC 4648 §4, padded) is not."""


class KeyFileError(PaktaError):
    """Key material is unusable: a key file is missing, unsafe, malformed or of the wrong kind,
    or raw key bytes have the wrong length."""


class EnvelopeError(PaktaError):
    """A DSSE envelope is malformed.

    `code` is a stable machine-readable reason (see `keys.dsse`) and `field` a JSON pointer to
    the offending member (None when the problem is the document as a whole).
    """

    def __init__(self, message: str, *, code: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.field = field


class NoteError(PaktaError):
    """A signed note, or a note signer or verifier key, is malformed or carries no signature
    from a known key (C2SP signed-note)."""


class PassphraseError(KeyFileError):
    """An encrypted private key file cannot be opened: no passphrase, or a wrong one; or a new
    passphrase is too short."""
