"""The C2SP tlog-checkpoint note body (c2sp.org/tlog-checkpoint) for the Pakta log: the
`Checkpoint` value (origin, tree size, root hash, extension lines), its one canonical text
form, and a strict parser in the spirit of Go's sumdb `tlog.ParseTree` that accepts only that
form. Signing and the signed-note envelope live in `keys`; this module owns the body only.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from keys.errors import PaktaError

MAX_TREE_SIZE = 2**63 - 1  # sizes are int64 in Go's tlog and most tlog tooling
# A body is an origin, at most 19 digits, 44 base64 characters and rare extension lines;
# 1 KiB of UTF-8 leaves room for a long origin and still bounds what a parser will read.
MAX_CHECKPOINT_BYTES = 1024
_ROOT_BASE64_LEN = 44
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
_BAD_CHAR = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class CheckpointError(PaktaError):
    """A checkpoint body that is not in the one canonical tlog-checkpoint form."""


def _check_line(what: str, line: str) -> None:
    # tlog-checkpoint: "a sequence of at least three non-empty lines, separated by newlines".
    if not line:
        raise CheckpointError(f"empty {what}")
    # Control characters (C0, DEL, C1; including CR and TAB: Unicode's category Cc) have no
    # place in a note, nor unpaired surrogates. One regex pass finds the first of either.
    found = _BAD_CHAR.search(line)
    if found is not None:
        ch = found.group()
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise CheckpointError(f"unpaired surrogate in {what}")
        raise CheckpointError(f"control character U+{ord(ch):04X} in {what}")


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: `size` leaves whose RFC 9162 Merkle Tree Hash is `root_hash`."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # tlog-checkpoint: "The origin MUST be non-empty".
        _check_line("origin", self.origin)
        if type(self.size) is not int or not 0 <= self.size <= MAX_TREE_SIZE:
            raise CheckpointError(f"tree size {self.size!r} outside 0..{MAX_TREE_SIZE}")
        if type(self.root_hash) is not bytes or len(self.root_hash) != 32:
            raise CheckpointError("root hash must be 32 bytes of SHA-256")
        if type(self.extensions) is not tuple:
            raise CheckpointError("extensions must be a tuple of lines")
        for ext in self.extensions:
            # tlog-checkpoint: "Extension lines, if any, MUST be non-empty".
            _check_line("extension line", ext)
        if len(self.to_text().encode()) > MAX_CHECKPOINT_BYTES:
            raise CheckpointError(f"checkpoint longer than {MAX_CHECKPOINT_BYTES} bytes")

    def to_text(self) -> str:
        """The note body: origin, decimal size, base64 root, extension lines, each + "\\n"."""
        lines = [self.origin, str(self.size), base64.b64encode(self.root_hash).decode()]
        return "".join(line + "\n" for line in [*lines, *self.extensions])

    @classmethod
    def parse(cls, text: str | bytes) -> Checkpoint:
        """The checkpoint whose canonical body is exactly `text` (bytes must be UTF-8)."""
        if isinstance(text, bytes):
            if len(text) > MAX_CHECKPOINT_BYTES:
                raise CheckpointError(f"checkpoint longer than {MAX_CHECKPOINT_BYTES} bytes")
            try:
                text = text.decode("utf-8")
            except UnicodeDecodeError:
                raise CheckpointError("checkpoint is not valid UTF-8") from None
        if len(text) > MAX_CHECKPOINT_BYTES:
            raise CheckpointError(f"checkpoint longer than {MAX_CHECKPOINT_BYTES} bytes")
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint needs origin, size and root hash lines")
        origin, size_line, root_line, *extensions = lines
        for what, line in [
            ("origin", origin),
            ("size line", size_line),
            ("root hash line", root_line),
        ]:
            _check_line(what, line)
        # tlog-checkpoint: "the ASCII decimal representation of the number of leaves in the
        # tree, with no leading zeroes (unless the tree is empty ...)".
        if not _DECIMAL.fullmatch(size_line) or len(size_line) > 19:
            raise CheckpointError(f"tree size {size_line!r} is not a canonical decimal")
        # tlog-checkpoint: "the base64 encoding of the root" (RFC 4648 §4, with padding);
        # only the one encoding that re-encodes to itself is accepted.
        root = _decode_root(root_line)
        checkpoint = cls(origin, int(size_line), root, tuple(extensions))
        if checkpoint.to_text() != text:
            raise CheckpointError("checkpoint is not in canonical form")
        return checkpoint


def _decode_root(line: str) -> bytes:
    if len(line) != _ROOT_BASE64_LEN or not line.isascii():
        raise CheckpointError("root hash must be 44 characters of base64 (32 bytes)")
    try:
        root = base64.b64decode(line, validate=True)
    except binascii.Error:
        raise CheckpointError("root hash is not valid base64") from None
    if len(root) != 32 or base64.b64encode(root).decode() != line:
        raise CheckpointError("root hash is not the canonical base64 of 32 bytes")
    return root
