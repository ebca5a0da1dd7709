"""The demo's real PDF files (registry/demo/files.py): the committed files are what the generator
writes, byte for byte; each is a small well-formed PDF (every cross-reference offset lands on
its object, the stream length is right) that says "DOKUMEN DEMO"; and the demo statements
carry their SHA-256, so the document check finds the statement from the file itself."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from site_support import demo_instance

from registry.demo import files
from registry.demo.pdf import one_page
from registry.read import queries
from registry.service import open_service

PUBLISHED = Path(__file__).resolve().parents[3] / "web" / "static" / "demo"
# Which statement each file belongs to, from the demo stories.
SIGNED_IN = {
    "pakta-integritas.pdf": ["integrity_pact.signed"],
    "piagam-pencanangan.pdf": ["zi.declared"],
    "kepmenpanrb-wbk-2022.pdf": ["predicate.awarded"],
    "kepmenpanrb-wbk-2026.pdf": ["predicate.awarded", "predicate.awarded"],
    "pencabutan.pdf": ["predicate.revoked"],
}


def test_the_committed_files_are_the_generated_ones(tmp_path: Path) -> None:
    written = files.write(tmp_path)
    assert sorted(p.name for p in PUBLISHED.glob("*.pdf")) == sorted(p.name for p in written)
    for path in written:
        assert (PUBLISHED / path.name).read_bytes() == path.read_bytes(), path.name
    assert files.write(tmp_path / "again")[0].read_bytes() == written[0].read_bytes()


@pytest.mark.parametrize("name", sorted(files.TEXTS))
def test_each_file_is_a_small_well_formed_pdf_marked_demo(name: str) -> None:
    data = files.pdf(name)
    assert data.startswith(b"%PDF-1.4\n") and data.endswith(b"%%EOF\n")
    assert 500 < len(data) < 4096
    start = int(re.search(rb"startxref\n(\d+)\n%%EOF\n$", data)[1])  # type: ignore[index]
    assert data[start:].startswith(b"xref\n0 6\n")
    entries = re.findall(rb"(\d{10}) 00000 n\r\n", data[start:])
    assert len(entries) == 5
    for number, offset in enumerate(entries, start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj\n" % number)
    length = int(re.search(rb"<< /Length (\d+) >>\nstream\n", data)[1])  # type: ignore[index]
    body = data.split(b"stream\n", 1)[1]
    assert body[length:].startswith(b"endstream")
    text = body[:length].decode("ascii")
    assert text.startswith("BT\n") and "(DOKUMEN DEMO) Tj" in text
    title = files.TEXTS[name][0]
    assert f"({title}) Tj" in text


def test_text_is_escaped_and_must_be_ascii() -> None:
    page = one_page("A (b) \\ c", ["x"])
    assert b"(A \\(b\\) \\\\ c) Tj" in page
    with pytest.raises(ValueError, match="ASCII"):
        one_page("Rp 1.000 – ≈", [])


def test_the_demo_statements_carry_the_files_hashes(tmp_path: Path) -> None:
    instance = demo_instance(tmp_path / "instance", lifecycle=True)
    service = open_service(instance)
    try:
        with service.read() as db:
            for name, types in SIGNED_IN.items():
                digest = "sha256:" + hashlib.sha256((PUBLISHED / name).read_bytes()).hexdigest()
                found = queries.documents_with_hash(db, digest)
                assert [d["type"] for d in found] == types, name
                assert all(d["name"] == name for d in found)
                assert files.by_hash()[digest] == name
    finally:
        service.close()
