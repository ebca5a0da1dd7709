"""A tiny, deterministic writer of one-page PDF files with plain text, for the demo documents.

PDF is a text format (ISO 32000-1): a header, numbered objects, a cross-reference table giving
each object's byte offset, and a trailer. This writes the five objects a page of text needs
(catalog, page tree, page, content stream, and the standard Helvetica font, which every viewer
has, so nothing is embedded) and nothing that changes between runs (no dates, no /ID), so the
same text gives the same bytes and so the same SHA-256. Text is ASCII; `(`, `)` and `\\` are
escaped as §7.3.4.2 says.
"""

from __future__ import annotations

from collections.abc import Sequence

_WIDTH, _HEIGHT = 595, 842  # A4 in points
_MARGIN = 56


def _text(value: str) -> str:
    if not value.isascii():
        raise ValueError(f"demo PDF text must be ASCII: {value!r}")
    return "(" + value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def _wrap(line: str, width: int = 80) -> list[str]:
    words, out, current = line.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return [*out, current] if current else [""]


def _content(title: str, lines: Sequence[str], stamp: str) -> bytes:
    ops = ["BT", f"/F1 22 Tf {_MARGIN} {_HEIGHT - 80} Td", f"{_text(stamp)} Tj"]
    ops += ["/F1 14 Tf 0 -34 Td", f"{_text(title)} Tj", "/F1 11 Tf 16 TL 0 -12 Td"]
    for line in lines:
        for part in _wrap(line):
            ops.append(f"T* {_text(part)} Tj")
    ops += ["/F1 9 Tf 0 -40 Td", f"{_text(stamp)} Tj", "ET"]
    return ("\n".join(ops) + "\n").encode("ascii")


def one_page(title: str, lines: Sequence[str], stamp: str = "DOKUMEN DEMO") -> bytes:
    """The bytes of a one-page A4 PDF showing `stamp` as its heading and footer, then `title`
    and `lines` (wrapped at 80 characters)."""
    stream = _content(title, lines, stamp)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {_WIDTH} {_HEIGHT}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode("ascii"),
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")  # binary comment: a binary file (§7.5.2)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    # §7.5.4: each entry exactly 20 bytes, "nnnnnnnnnn ggggg n" and a two-byte end of line.
    out += b"xref\n0 %d\n0000000000 65535 f\r\n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n\r\n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
