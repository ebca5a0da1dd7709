"""strict_loads refuses what parsers disagree on; canonical_json writes RFC 8785 bytes."""

from __future__ import annotations

import copy
import enum
import hashlib
import json
import json.scanner

import pytest
from events_samples import json_values
from hypothesis import given, settings
from hypothesis import strategies as st

from events import (
    MAX_SAFE_INTEGER,
    MAX_STATEMENT_BYTES,
    StatementError,
    canonical,
    canonical_json,
    parse_sha256_ref,
    sha256_ref,
    strict_loads,
)


def refused(data: bytes, **kwargs: int) -> StatementError:
    with pytest.raises(StatementError) as info:
        strict_loads(data, **kwargs)
    return info.value


# --- strict_loads ------------------------------------------------------------------------


def test_plain_document_loads() -> None:
    data = '{"a": [1, -2, true, false, null, "é"], "b": {"c": ""}}'.encode()
    assert strict_loads(data) == {"a": [1, -2, True, False, None, "é"], "b": {"c": ""}}


def test_too_large() -> None:
    data = b'"' + b"x" * (MAX_STATEMENT_BYTES - 2) + b'"'
    assert strict_loads(data) == "x" * (MAX_STATEMENT_BYTES - 2)  # exactly the limit is fine
    e = refused(data + b" ")
    assert (e.code, e.field) == ("too-large", None)
    assert str(MAX_STATEMENT_BYTES + 1) in e.message


def test_max_bytes_is_a_parameter() -> None:
    assert refused(b"[1, 2]", max_bytes=5).code == "too-large"
    assert strict_loads(b"[1,2]", max_bytes=5) == [1, 2]


@pytest.mark.parametrize(
    "data",
    [b'"\xff"', b'"\xc3"', b'"\xed\xa0\x80"', b'"\xc0\xaf"', b"\xef\xbb\xbf{}"],
    ids=["invalid-byte", "truncated", "encoded-surrogate", "overlong", "bom"],
)
def test_not_utf8(data: bytes) -> None:
    e = refused(data)
    assert (e.code, e.field) == ("not-utf8", None)


def test_unpaired_surrogate_escape_is_not_text() -> None:
    e = refused(b'{"a": ["ok", "\\ud800"]}')
    assert (e.code, e.field) == ("not-utf8", "/a/1")
    assert "U+D800" in e.message
    assert refused(b'{"\\udfff": 1}').field == "/\udfff"
    assert strict_loads(b'"\\ud83d\\ude00"') == "\U0001f600"  # a pair is fine


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b'{"a": 1,}', "line 1 column 9"),
        (b'{\n  "a": 1\n  "b": 2\n}', "line 3 column 3"),
        (b"", "line 1 column 1"),
        (b"{} {}", "line 1 column 4"),
        (b"{'a': 1}", "line 1 column 2"),
        (b'"a\nb"', "line 1 column 3"),  # a raw control character in a string
    ],
)
def test_bad_json_names_line_and_column(data: bytes, where: str) -> None:
    e = refused(data)
    assert (e.code, e.field) == ("bad-json", None)
    assert where in e.message


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    e = refused(f'{{"x": [{constant}]}}'.encode())
    assert (e.code, e.field) == ("bad-json", "/x/0")


@pytest.mark.parametrize(
    ("data", "field", "key"),
    [
        (b'{"a": 1, "a": 1}', "/a", "a"),
        (b'{"b": {"c": {"d": 1, "e": 2, "d": 3}}}', "/b/c/d", "d"),
        (b'[0, {"x": 1}, {"y/z": 1, "y/z": 2}]', "/2/y~1z", "y/z"),
    ],
)
def test_duplicate_key_at_any_depth(data: bytes, field: str, key: str) -> None:
    e = refused(data)
    assert (e.code, e.field) == ("duplicate-key", field)
    assert repr(key) in e.message


@pytest.mark.parametrize("number", ["1.0", "1e3", "1E+3", "-0.5", "0.1e-2", "2.5"])
def test_floats_are_refused(number: str) -> None:
    e = refused(f'{{"body": {{"n": {number}}}}}'.encode())
    assert (e.code, e.field) == ("float-not-allowed", "/body/n")
    assert number in e.message


@pytest.mark.parametrize(
    "number", [str(MAX_SAFE_INTEGER + 1), str(-MAX_SAFE_INTEGER - 1), "1" * 5000]
)
def test_unsafe_integers_are_refused(number: str) -> None:
    e = refused(f"[{number}]".encode())
    assert (e.code, e.field) == ("bad-value", "/0")


@pytest.mark.parametrize("text", ["[\u0663]", "[1\u0663]", '{"n": \uff13}', "[\u00b2]"])
def test_non_ascii_digits_are_refused_by_either_json_scanner(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python's C scanner reads ASCII digits only; its pure-Python fallback (used where the C
    # accelerator is missing) matches any Unicode digit, and int() would read "\u0663" as 3.
    assert refused(text.encode()).code == "bad-json"
    pure = copy.copy(canonical._DECODER)
    pure.scan_once = json.scanner.py_make_scanner(pure)
    monkeypatch.setattr(canonical, "_DECODER", pure)
    assert refused(text.encode()).code == "bad-json"
    assert strict_loads(b"[13]") == [13]  # the fallback still reads ASCII integers


@pytest.mark.parametrize("text", ["-0", "[-0]", '{"n": -0}'])
def test_negative_zero_is_refused(text: str) -> None:
    # JavaScript reads -0 as negative zero, most parsers as 0: refused, so one value, one text.
    assert refused(text.encode()).code == "bad-value"
    assert strict_loads(b"[0, -1]") == [0, -1]


def test_safe_integer_bounds_load() -> None:
    assert strict_loads(f"[{MAX_SAFE_INTEGER}, -{MAX_SAFE_INTEGER}]".encode()) == [
        MAX_SAFE_INTEGER,
        -MAX_SAFE_INTEGER,
    ]


def test_first_problem_in_document_order_wins() -> None:
    e = refused(b'{"a": {"b": 1.5}, "c": NaN}')
    assert (e.code, e.field) == ("float-not-allowed", "/a/b")


@pytest.mark.parametrize("depth", [33, 5000])
def test_deep_nesting_is_refused(depth: int) -> None:
    e = refused(b"[" * depth + b"]" * depth)
    assert e.code == "too-large"
    assert strict_loads(b"[" * 32 + b"]" * 32) is not None


# --- canonical_json ----------------------------------------------------------------------


def test_rfc8785_key_order_is_utf16() -> None:
    # RFC 8785 §3.2.3's sorting example: the emoji (UTF-16 D83D DE00) sorts before U+FB33,
    # although its code point is larger; sort_keys=True would put it last.
    obj = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(canonical_json(obj)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_canonical_bytes() -> None:
    obj = {"b": [1, True, None, "x"], "a": {"z": '\u00e9\n\u2028\x7f\x1f"\\'}, "": -0}
    assert canonical_json(obj) == (
        '{"":0,"a":{"z":"\u00e9\\n\u2028\x7f\\u001f\\"\\\\"},"b":[1,true,null,"x"]}'.encode()
    )


class Colour(enum.IntEnum):
    RED = 1


@pytest.mark.parametrize(
    ("obj", "code", "field"),
    [
        ({"a": [1.5]}, "float-not-allowed", "/a/0"),
        ({"a": 1.0}, "float-not-allowed", "/a"),
        ({"a": (1, 2)}, "wrong-type", "/a"),
        ({"a": {1: "x"}}, "wrong-type", "/a"),
        ({"a": b"bytes"}, "wrong-type", "/a"),
        ({"a": Colour.RED}, "wrong-type", "/a"),
        ({"a": 2**53}, "bad-value", "/a"),
        ({"a": "\udc00"}, "not-utf8", "/a"),
        (json.loads("[" * 33 + "]" * 33), "too-large", None),
    ],
)
def test_canonical_json_refuses_non_plain(obj: object, code: str, field: str | None) -> None:
    with pytest.raises(StatementError) as info:
        canonical_json(obj)
    assert info.value.code == code
    if field is not None:
        assert info.value.field == field


scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER)
    | st.text(max_size=12)
)


def plain_docs(depth: int = 4) -> st.SearchStrategy[object]:
    if depth == 0:
        return scalars
    inner = plain_docs(depth - 1)
    return (
        scalars
        | st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    )


@settings(database=None, max_examples=300)
@given(plain_docs())
def test_canonical_round_trip(doc: object) -> None:
    once = canonical_json(doc)
    assert strict_loads(once) == doc
    assert canonical_json(strict_loads(once)) == once
    assert json.loads(once) == doc


@settings(database=None, max_examples=200)
@given(st.dictionaries(st.text(alphabet=st.characters(max_codepoint=0xD7FF)), st.integers(0, 9)))
def test_equals_sort_keys_below_the_surrogate_range(doc: dict[str, int]) -> None:
    # Where UTF-16 and code-point order agree, the result is the plain json.dumps recipe.
    recipe = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(doc) == recipe.encode()


# --- sha256 references -------------------------------------------------------------------


def test_sha256_ref() -> None:
    ref = sha256_ref(b"abc")
    assert ref == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert parse_sha256_ref(ref) == hashlib.sha256(b"abc").digest()


@pytest.mark.parametrize(
    "text",
    [
        "sha256:" + "A" * 64,
        "sha256:" + "a" * 63,
        "sha256:" + "a" * 65,
        "sha256:" + "a" * 64 + "\n",
        "SHA256:" + "a" * 64,
        "sha512:" + "a" * 64,
        "a" * 64,
        " sha256:" + "a" * 64,
        "sha256:" + "\uff10" * 64,  # full-width digits
    ],
)
def test_parse_sha256_ref_is_strict(text: str) -> None:
    with pytest.raises(StatementError) as info:
        parse_sha256_ref(text, field="/prev")
    assert (info.value.code, info.value.field) == ("bad-hash", "/prev")


# --- the walk after decoding, skipped when it would find nothing ---------------------------


def _walked(data: bytes) -> object:
    """What `strict_loads` answers when it always walks the document afterwards."""
    try:
        obj = canonical._DECODER.decode(data.decode("utf-8"))
        canonical._check(obj, (), 0)
    except StatementError as e:
        return (e.code, e.field)
    return obj


def _answer(data: bytes) -> object:
    try:
        return strict_loads(data)
    except StatementError as e:
        return (e.code, e.field)


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 1, "a": 2}',
        b'{"x": [1.5]}',
        b'{"x": -0}',
        b'{"x": 9007199254740992}',
        b'{"x": "\\ud800"}',
        b'{"\\udc00": 1}',
        b'{"x": "\\\\ud800"}',  # an escaped backslash, then text: fine
        b"[" * 33 + b"]" * 33,
        b"[" * 32 + b"]" * 32,
        b'{"a": {"b": {"c": [NaN]}}}',
        b'{"ok": ["\\u00e9", 1, true, null]}',
    ],
)
def test_the_skipped_walk_changes_no_answer(data: bytes) -> None:
    assert _answer(data) == _walked(data)


_DOCS = json_values(max_leaves=40, width=4)


@settings(max_examples=300, deadline=None)
@given(_DOCS, st.booleans())
def test_the_skipped_walk_agrees_on_any_document(doc: object, ascii_only: bool) -> None:
    data = json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        data = json.dumps(doc).encode()  # a lone surrogate: written as a \u escape
    assert _answer(data) == _walked(data)


def test_a_refusal_in_one_thread_is_not_lost_or_lent_to_another() -> None:
    import threading

    good, bad = b'{"a": [1, 2, {"b": "c"}]}', b'{"a": [1, 2, {"b": 1, "b": 2}]}'
    wrong: list[object] = []

    def parse(data: bytes, want: object) -> None:
        for _ in range(2000):
            got = _answer(data)
            if got != want:
                wrong.append(got)

    threads = [
        threading.Thread(target=parse, args=(good, {"a": [1, 2, {"b": "c"}]})),
        threading.Thread(target=parse, args=(bad, ("duplicate-key", "/a/2/b"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []
