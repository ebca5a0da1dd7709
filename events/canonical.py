"""Strict JSON in, canonical JSON out, and the `sha256:<hex>` references that name bytes.

Signed statements are "plain" JSON: strings, integers within ±(2^53-1), booleans, null, arrays
and objects, and nothing else (PITFALLS.md, "Canonical bytes and signatures"). `strict_loads`
refuses anything a second parser might read differently: oversize input, bytes that are not
UTF-8 (or start with a BOM), duplicate keys, NaN, fractions and exponents, unsafe integers,
negative zero, non-ASCII digits and unpaired surrogates. `canonical_json` writes a plain
document as RFC 8785 (JCS) bytes, which is what the registry hashes whenever it encodes
something itself; it never re-encodes a payload.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading

from .errors import StatementError, pointer, show

MAX_STATEMENT_BYTES = 64 * 1024
MAX_SAFE_INTEGER = 2**53 - 1  # RFC 8785 §3.2.2.3 / I-JSON (RFC 7493 §2.2): exact in IEEE 754
MAX_DEPTH = 32  # statements nest about 5 deep; this bounds recursion, not expressiveness

_BOM = b"\xef\xbb\xbf"
_SHA256_REF = re.compile(r"sha256:[0-9a-f]{64}")
_INTEGER = re.compile(r"-?(?:0|[1-9][0-9]*)")

Path = tuple[str | int, ...]


class _Refused:
    """What the decoder hooks leave in place of a refused value.

    The hooks cannot know where in the document they are, so they leave this marker and
    `_check` raises once it has walked to it and knows the JSON Pointer. `key` names the
    member (for a duplicate key) below the marker's own position.
    """

    __slots__ = ("code", "message", "key")

    def __init__(self, code: str, message: str, key: str | None = None) -> None:
        self.code = code
        self.message = message
        self.key = key
        _decoding.refused = True


# Whether a decoder hook left a `_Refused` during this thread's current `strict_loads`.
_decoding = threading.local()


def _object(pairs: list[tuple[str, object]]) -> dict[str, object] | _Refused:
    obj: dict[str, object] = {}
    for key, value in pairs:
        if key in obj:
            # json's default keeps the last duplicate silently; another parser may keep the
            # first, so the signer and a verifier could "see" different statements.
            return _Refused("duplicate-key", f"key {show(key)} appears more than once", key)
        obj[key] = value
    return obj


def _float(text: str) -> _Refused:
    return _Refused(
        "float-not-allowed",
        f"number {show(text)} has a fraction or exponent; signed statements carry only "
        "integers (write decimals as strings)",
    )


def _int(text: str) -> int | _Refused:
    # json's C scanner hands over ASCII digits only, its pure-Python fallback any Unicode
    # digit (its pattern uses \d), which int() would read ("٣" is 3): accept ASCII only.
    if _INTEGER.fullmatch(text) is None:
        return _Refused("bad-json", f"{show(text)} is not an ASCII JSON integer")
    if text == "-0":
        # Most parsers read -0 as 0, JavaScript as negative zero, which RFC 8785 writes "0":
        # one number, one spelling.
        return _Refused("bad-value", "-0 is not an integer a signed statement may carry; write 0")
    # Count digits before converting: int() of a huge literal is itself a denial of service.
    if len(text.lstrip("-")) <= 16:
        value = int(text)
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return value
    return _Refused("bad-value", f"integer {show(text)} is outside ±(2^53-1)")


def _constant(text: str) -> _Refused:
    return _Refused("bad-json", f"{text} is not JSON (RFC 8259 has no NaN or Infinity)")


_DECODER = json.JSONDecoder(
    object_pairs_hook=_object, parse_float=_float, parse_int=_int, parse_constant=_constant
)


def strict_loads(data: bytes, *, max_bytes: int = MAX_STATEMENT_BYTES) -> object:
    """Parse `data` as plain JSON, or raise `StatementError` naming the first problem."""
    if len(data) > max_bytes:
        raise StatementError("too-large", f"{len(data)} bytes is more than the {max_bytes} allowed")
    if data.startswith(_BOM):
        raise StatementError("not-utf8", "starts with a byte order mark (RFC 8259 §8.1)")
    try:
        text = bytes(data).decode("utf-8")
    except UnicodeDecodeError as e:
        raise StatementError("not-utf8", f"not UTF-8: {e.reason} at byte {e.start}") from None
    _decoding.refused = False
    try:
        obj: object = _DECODER.decode(text)
    except json.JSONDecodeError as e:
        raise StatementError(
            "bad-json", f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}"
        ) from None
    except RecursionError:
        raise StatementError("too-large", f"nested deeper than {MAX_DEPTH} levels") from None
    if _decoding.refused or "\\u" in text or text.count("[") + text.count("{") >= MAX_DEPTH:
        _check(obj, (), 0)
    # Else the walk would find nothing: the hooks refused no value (so every number is a safe
    # integer, every object free of duplicate keys), the decoder makes only plain types, a
    # lone surrogate needs a `\u` escape (the text is valid UTF-8) and fewer than MAX_DEPTH
    # brackets cannot nest MAX_DEPTH deep.
    return obj


def canonical_json(obj: object) -> bytes:
    """The RFC 8785 bytes of a plain document; `StatementError` if `obj` is not plain.

    `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` already writes
    RFC 8785 strings and integers; the one difference is key order, which RFC 8785 §3.2.3
    defines on UTF-16 code units, so keys are ordered here and `sort_keys` is not used.
    """
    _check(obj, (), 0)
    text = json.dumps(_jcs_ordered(obj), ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8")


def sha256_ref(data: bytes) -> str:
    """`sha256:<64 lowercase hex>` of `data`: how statements name payloads and documents."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def parse_sha256_ref(text: str, *, field: str | None = None) -> bytes:
    """The 32-byte digest in a `sha256:<hex>` reference, refusing any other spelling."""
    if not isinstance(text, str):
        raise StatementError("wrong-type", f"expected a string, found {show(text)}", field=field)
    if _SHA256_REF.fullmatch(text) is None:
        raise StatementError(
            "bad-hash",
            f"expected 'sha256:' and 64 lowercase hex digits, found {show(text)}",
            field=field,
        )
    return bytes.fromhex(text[7:])


def _check(value: object, path: Path, depth: int) -> None:
    """Raise at the first value (in document order) that is not plain JSON."""
    # Exact types: a subclass (an IntEnum, a str subclass) may serialise differently.
    if value is None or type(value) is bool:
        return
    if type(value) is str:
        _check_text(value, path)
    elif type(value) is int:
        if not -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            raise StatementError(
                "bad-value", f"integer {value} is outside ±(2^53-1)", field=pointer(path)
            )
    elif type(value) is dict or type(value) is list:
        if depth >= MAX_DEPTH:
            raise StatementError(
                "too-large", f"nested deeper than {MAX_DEPTH} levels", field=pointer(path)
            )
        if isinstance(value, dict):
            for key, item in value.items():
                if type(key) is not str:
                    raise StatementError(
                        "wrong-type", f"object key {show(key)} is not a string", field=pointer(path)
                    )
                _check_text(key, (*path, key))
                _check(item, (*path, key), depth + 1)
        else:
            for i, item in enumerate(value):
                _check(item, (*path, i), depth + 1)
    elif isinstance(value, _Refused):
        where = path if value.key is None else (*path, value.key)
        raise StatementError(value.code, value.message, field=pointer(where))
    elif type(value) is float:
        raise StatementError("float-not-allowed", _float(repr(value)).message, field=pointer(path))
    else:
        raise StatementError(
            "wrong-type",
            f"{type(value).__name__} is not plain JSON (only str, int, bool, None, list, dict)",
            field=pointer(path),
        )


def _check_text(text: str, path: Path) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        # A "\ud800" escape parses to a lone surrogate, which is not Unicode text:
        # RFC 7493 §2.1 (I-JSON) forbids it and UTF-8 cannot encode it.
        raise StatementError(
            "not-utf8",
            f"contains an unpaired surrogate U+{ord(text[e.start]):04X}",
            field=pointer(path),
        ) from None


def _jcs_ordered(value: object) -> object:
    """A copy of a checked plain document with every object's keys in RFC 8785 order."""
    if isinstance(value, dict):
        # RFC 8785 §3.2.3: sort on the UTF-16 code units of the keys; big-endian UTF-16 bytes
        # compare in the same order, while Python's str order (code points) differs above U+FFFF.
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return {k: _jcs_ordered(value[k]) for k in keys}
    if isinstance(value, list):
        return [_jcs_ordered(item) for item in value]
    return value
