"""Tests for registry.tlog.checkpoint: the spec's example, round trips, and every rejection."""

from __future__ import annotations

import base64

import pytest

from registry.tlog.checkpoint import (
    MAX_CHECKPOINT_BYTES,
    MAX_TREE_SIZE,
    Checkpoint,
    CheckpointError,
)
from registry.tlog.merkle import leaf_hash
from registry.tlog.subjectmap import extension_line, map_line

# The body of the example in c2sp.org/tlog-checkpoint.
SPEC = "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
# Go's sumdb tlog TestParseTree: the root is RecordHash("hello world").
GO = "go.sum database tree\n123456789012\nTszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=\n"
ROOT = base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")


def test_spec_example() -> None:
    cp = Checkpoint.parse(SPEC)
    assert cp == Checkpoint("example.com/behind-the-sofa", 20852163, ROOT)
    assert cp.to_text() == SPEC
    assert Checkpoint.parse(SPEC.encode()) == cp


def test_go_example() -> None:
    cp = Checkpoint.parse(GO)
    assert (cp.origin, cp.size, cp.root_hash) == (
        "go.sum database tree",
        123456789012,
        leaf_hash(b"hello world"),
    )


@pytest.mark.parametrize(
    "cp",
    [
        Checkpoint("pakta.example.id/log", 0, bytes(32)),
        Checkpoint("a", MAX_TREE_SIZE, b"\xff" * 32),
        Checkpoint("pakta.example.id/log", 7, ROOT, ("ext one", "— ext two ü")),
        Checkpoint("origin with spaces+plus", 1, ROOT),
    ],
)
def test_round_trip(cp: Checkpoint) -> None:
    text = cp.to_text()
    assert text.endswith("\n") and text.count("\n") == 3 + len(cp.extensions)
    assert Checkpoint.parse(text) == cp
    assert Checkpoint.parse(text.encode("utf-8")) == cp


# The subject map lines of both versions (docs/subject-map.md), as the spec spells them.
MAP_LINES = {
    2: "pakta-subject-map-v2 " + SPEC[-45:-1],
    1: "pakta-subject-map " + SPEC[-45:-1],
}


@pytest.mark.parametrize("version", sorted(MAP_LINES))
@pytest.mark.parametrize("others", [(), ("ext one",)])
def test_a_map_line_of_either_version_round_trips(version: int, others: tuple[str, ...]) -> None:
    """Each version's line is what the spec says (`extension_line` writes it), a plain
    extension line of the checkpoint (its text and parse keep it as it is), and reads back as
    its own version and root (`map_line`), never the other's, beside any other line."""
    line = extension_line(ROOT, version)
    assert line == MAP_LINES[version]
    cp = Checkpoint("pakta.example.id/log", 7, ROOT, (*others, line))
    text = cp.to_text()
    assert text.endswith(f"\n{line}\n") and text.count("\n") == 4 + len(others)
    parsed = Checkpoint.parse(text)
    assert parsed == cp and Checkpoint.parse(text.encode("utf-8")) == cp
    assert map_line(parsed.extensions) == (version, ROOT)
    assert map_line(others) is None


def _body(
    origin: str = "o", size: str = "5", root: str = SPEC.split("\n")[2], rest: str = ""
) -> str:
    return f"{origin}\n{size}\n{root}\n{rest}"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "\n\n\n",
        SPEC[:-1],
        SPEC + "\n",
        SPEC.replace("\n", "\r\n"),
        "o\n5\n",
        _body(origin=""),
        _body(rest="\n"),
        _body(rest="ext\n\n"),
        _body(rest="ext"),
        _body(origin="o\r"),
        _body(origin="o\tx"),
        _body(origin="\x00"),
        _body(origin="\x7f"),
        _body(origin="a\x85b"),
        _body(rest="bell\x07\n"),
        _body(origin="\ud800"),
        # Sizes: canonical decimal only, at most 2**63 - 1.
        _body(size=""),
        _body(size="01"),
        _body(size="00"),
        _body(size="+1"),
        _body(size="-1"),
        _body(size=" 1"),
        _body(size="1 "),
        _body(size="0x1f"),
        _body(size="1_000"),
        _body(size="1e3"),
        _body(size="\uff11"),
        _body(size="\u0661"),
        _body(size=str(2**63)),
        _body(size="9" * 30),
        # Roots: standard, padded, canonical base64 of exactly 32 bytes.
        _body(root=""),
        _body(root=base64.b64encode(bytes(31)).decode()),
        _body(root=base64.b64encode(bytes(33)).decode()),
        _body(root=base64.b64encode(ROOT).decode().rstrip("=")),
        _body(root="CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J="),  # nonzero pad bits
        _body(root=base64.urlsafe_b64encode(b"\xfb\xff" * 16).decode()),
        _body(root=" " + base64.b64encode(ROOT).decode()[1:]),
        _body(root="CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=="),
        _body(root="CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2\uff29="),
        # Size limit.
        _body(origin="o" * MAX_CHECKPOINT_BYTES),
        _body(rest="e\n" * 600),
    ],
)
def test_rejections(text: str) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.parse(text)


def test_rejects_bad_bytes() -> None:
    for data in [b"o\xff\n1\n" + ROOT, SPEC.encode() + b"x" * MAX_CHECKPOINT_BYTES]:
        with pytest.raises(CheckpointError):
            Checkpoint.parse(data)


def test_size_limit_is_exact() -> None:
    fixed = len(_body(origin=""))
    at_limit = _body(origin="o" * (MAX_CHECKPOINT_BYTES - fixed))
    assert len(at_limit.encode()) == MAX_CHECKPOINT_BYTES
    assert Checkpoint.parse(at_limit).origin == "o" * (MAX_CHECKPOINT_BYTES - fixed)
    with pytest.raises(CheckpointError):
        Checkpoint.parse(_body(origin="o" * (MAX_CHECKPOINT_BYTES - fixed + 1)))
    with pytest.raises(CheckpointError):  # the limit counts UTF-8 bytes, not characters
        Checkpoint.parse(_body(origin="ü" * (MAX_CHECKPOINT_BYTES - fixed)))


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("a\nb", 1, ROOT, ()),
        ("o", -1, ROOT, ()),
        ("o", MAX_TREE_SIZE + 1, ROOT, ()),
        ("o", True, ROOT, ()),
        ("o", 1, ROOT[:31], ()),
        ("o", 1, ROOT + b"\x00", ()),
        ("o", 1, bytearray(ROOT), ()),
        ("o", 1, ROOT, ("",)),
        ("o", 1, ROOT, ("a\nb",)),
        ("o", 1, ROOT, ["list"]),
        ("x" * 2000, 1, ROOT, ()),
    ],
)
def test_constructor_rejections(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint(origin, size, root, extensions)
