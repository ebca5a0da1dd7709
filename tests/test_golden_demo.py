"""The log does not change under a refactor: the deterministic demo's export equals the golden one.

tests/vectors/demo-export/ was written by tests/golden_demo.py before registry/ was split into
subpackages. Loading the same demo with the same fixed keys and clock must give the same log,
byte for byte, on SQLite and on PostgreSQL, and the read model rebuilt from that log must equal
the one projected while it was appended.
"""

from __future__ import annotations

from pathlib import Path

from golden_demo import GOLDEN, export_files, load_fixed_demo

from registry.audit.export import export


def test_the_demo_export_is_byte_identical_to_the_golden_one(
    tmp_path: Path, database_url: str
) -> None:
    service = load_fixed_demo(tmp_path / "instance", database_url)
    try:
        export(service.registry, tmp_path / "export")
        live = service.projector.dump()
        service.projector.rebuild()
        assert service.projector.dump() == live
    finally:
        service.close()
    got = dict(export_files(tmp_path / "export"))
    want = dict(export_files(GOLDEN))
    assert sorted(got) == sorted(want)
    for name in want:
        assert got[name] == want[name], f"{name} differs from the golden export"


def test_the_provable_silence_example_shows_the_golden_checkpoint() -> None:
    """docs/provable-silence.md's worked example is checkpoint 80 of this demo, as the code
    signs it today (its version 2 map line and the log's signature; the witness's line
    differs in every run)."""
    doc = (Path(__file__).resolve().parent.parent / "docs" / "provable-silence.md").read_text()
    golden = (GOLDEN / "checkpoints" / "80").read_text()
    assert "\npakta-subject-map-v2 " in golden
    shown = [line.strip() for line in golden.splitlines()]
    start = doc.index("       golden.pakta/log\n")
    quoted = [line.strip() for line in doc[start:].splitlines()[: len(shown)]]
    assert quoted == shown
