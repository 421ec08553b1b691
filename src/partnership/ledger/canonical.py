"""Canonical JSON: RFC 8785, the JSON Canonicalization Scheme (JCS).

What a party signs is the JCS form of a record, so any implementation that reads the same JSON value
writes the same bytes and checks the same signature. The serialisation is Trail of Bits' maintained
`rfc8785` package; this module only narrows its input to what JCS can represent and words the refusal.

JCS (I-JSON, RFC 7493) cannot represent: NaN and the infinities, integers beyond the IEEE-754 safe range
(|n| > 2**53 - 1), object keys that are not strings, strings that are not valid Unicode (lone
surrogates), and any Python type other than None, bool, int, float, str, list, tuple and dict.
"""

from __future__ import annotations

import json
import math
from typing import Any

import rfc8785

__all__ = ["CanonicalError", "canonical_json", "MAX_SAFE_INTEGER"]

MAX_SAFE_INTEGER = 2**53 - 1


class CanonicalError(ValueError):
    """A value JCS (RFC 8785) cannot represent; the message names where in the value it is."""


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 canonical JSON of `value`, as UTF-8 bytes.

    Raises `CanonicalError` for a value JCS cannot represent, naming the place (e.g. `$.content.ratio`).
    """
    fast = _plain_json(value)
    if fast is not None:
        return fast
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeError, TypeError, ValueError, RecursionError) as exc:
        raise CanonicalError(_explain(value, exc)) from exc


def _plain_json(value: Any) -> bytes | None:
    """The JCS bytes by Python's own (C) serialiser, for the values where the two agree; else None.

    They agree on values without floats (JCS writes numbers as ECMAScript does; integers within the safe
    range are written alike), whose keys are strings without characters beyond U+FFFF (JCS orders keys
    by UTF-16 code units, Python by code points: the orders differ only there); both escape only quotes,
    backslashes and control characters, in the same short and lower-case `u00xx` forms. Records are
    such values, and rfc8785's pure-Python writer takes about four times as long, as long as checking a
    signature (bench/certificates.py prints both); tests/ledger/test_canonical.py holds the two writers
    to the same bytes.
    """
    if not _plain(value):
        return None
    try:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")
    except (UnicodeEncodeError, ValueError, TypeError, RecursionError):
        return None  # e.g. a lone surrogate: rfc8785 words the refusal


def _plain(value: Any) -> bool:
    """Whether `value` holds only strings, bools, None, safe integers, lists, tuples and dicts whose keys
    are strings within U+FFFF, nested at most 100 deep (a value that contains itself is not plain).

    A loop over a stack of containers, leaves checked inline, rather than a recursion through every
    value: half the time, and this runs on every record signed or checked."""
    kind = type(value)
    if kind is not dict and kind is not list and kind is not tuple:
        return _plain_leaf(value)
    stack: list[tuple[Any, int]] = [(value, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        container, depth = pop()
        if depth > 100:
            return False
        if type(container) is dict:
            for key in container:
                if type(key) is not str or not (key.isascii() or max(key) <= "\uffff"):
                    return False
            members = container.values()
        else:
            members = container
        for member in members:
            kind = type(member)
            if kind is str or kind is bool or member is None:
                continue
            if kind is int:
                if -MAX_SAFE_INTEGER <= member <= MAX_SAFE_INTEGER:
                    continue
                return False
            if kind is dict or kind is list or kind is tuple:
                push((member, depth + 1))
                continue
            return False
    return True


def _plain_leaf(value: Any) -> bool:
    kind = type(value)
    if kind is int:
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    return kind is str or kind is bool or value is None


def _explain(value: Any, exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "cannot canonicalise: the value is nested too deeply or contains itself"
    found = _first_problem(value, "$", set())
    if found is None:  # pragma: no cover - the library refused something our walk accepts
        return f"cannot canonicalise: {exc}"
    return f"cannot canonicalise {found[0]}: {found[1]}"


def _first_problem(value: Any, path: str, seen: set[int]) -> tuple[str, str] | None:
    """The path and reason of the first part of `value` that JCS cannot represent, or None."""
    if isinstance(value, (list, tuple, dict)):
        if id(value) in seen:
            return path, "the value contains itself"
        seen = seen | {id(value)}
        if isinstance(value, dict):
            return _member_problem(value, path, seen)
        for index, item in enumerate(value):
            found = _first_problem(item, f"{path}[{index}]", seen)
            if found:
                return found
        return None
    return _scalar_problem(value, path)


def _scalar_problem(value: Any, path: str) -> tuple[str, str] | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        if -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER:
            return None
        return path, f"integer {value} is outside the IEEE-754 safe range ±(2**53 - 1); send it as a string"
    if isinstance(value, float):
        if math.isfinite(value):
            return None
        return path, f"{value!r} is not a JSON number (NaN and Infinity cannot be represented)"
    if isinstance(value, str):
        return _string_problem(value, path)
    return path, f"a {type(value).__name__} is not a JSON value (use str, int, float, bool, None, list, dict)"


def _member_problem(value: dict, path: str, seen: set[int]) -> tuple[str, str] | None:
    for key, item in value.items():
        if not isinstance(key, str):
            return path, f"object key {key!r} is a {type(key).__name__}; JSON object keys are strings"
        found = _string_problem(key, f"{path} (key {key!r})") or _first_problem(item, f"{path}.{key}", seen)
        if found:
            return found
    return None


def _string_problem(text: str, path: str) -> tuple[str, str] | None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return path, "the string is not valid Unicode (it contains a lone surrogate)"
    return None
