"""Untrusted input, read once for every entry point: JSON bodies (API, TAXII) and text.

I-JSON (RFC 7493) is the rule for what we accept: no NaN or Infinity (also not as an overflowing
number like `1e999`), no duplicate member names, and no NUL character in any string (PostgreSQL
cannot store U+0000 in text or jsonb, so a NUL that SQLite takes would break the other database and
the peer node). Nesting is bounded, since every later step (validation, canonical JSON, rendering)
walks the value recursively. Django's form fields already refuse NUL (ProhibitNullCharactersValidator);
`check_text` is the same rule for values that do not come through a form.

Below `people` and `ledger`, like `errors`: it imports nothing else of ours.
"""

import datetime
import json
import math
from typing import Any

from django.utils.translation import gettext as _

from partnership.errors import Invalid

#: How deeply arrays and objects may nest in a body we accept (STIX and our API need under 20).
MAX_DEPTH = 64

#: The span of times a user may give (a consultation window, a meeting): from before the partnership
#: began (2022) to the last cycle a cycle may be planned for (2100). Outside it a time is a typo or an
#: attack, and near the ends of Python's range (year 1, year 9999) converting it between time zones
#: overflows.
EARLIEST_TIME = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST_TIME = datetime.datetime(2101, 1, 1, tzinfo=datetime.UTC)


class JsonInputError(Invalid):
    """A body that is not I-JSON; `message` says what and where, in the reader's language."""


def _no_constant(name: str) -> Any:
    raise JsonInputError(_("%(value)s is not a JSON number (I-JSON, RFC 7493).") % {"value": name})


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonInputError(
            _("The number %(value)s is too large to be represented (I-JSON, RFC 7493).")
            % {"value": text[:40]}
        )
    return value


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        seen: set[str] = set()
        for name, _value in pairs:
            if name in seen:
                raise JsonInputError(
                    _("The member %(name)s appears twice in one object (I-JSON, RFC 7493).")
                    % {"name": json.dumps(name[:80], ensure_ascii=False)}
                )
            seen.add(name)
    return result


def load_json(data: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in `data`, refused with `JsonInputError` (an `Invalid`) unless it is I-JSON.

    Refused: bytes that are not UTF-8 or not JSON, NaN/Infinity and numbers that overflow a double,
    duplicate member names, U+0000 or an unpaired surrogate in any string or name, nesting deeper than
    `max_depth`.
    """
    if isinstance(data, bytes | bytearray):
        try:
            text = bytes(data).decode("utf-8")
        except UnicodeDecodeError as error:
            raise JsonInputError(
                _("The body is not UTF-8 (byte %(position)s).") % {"position": error.start}
            ) from None
    else:
        text = data
    try:
        value = json.loads(
            text,
            parse_constant=_no_constant,
            parse_float=_finite_float,
            object_pairs_hook=_unique_members,
        )
    except JsonInputError:
        raise
    except RecursionError:
        raise JsonInputError(_("The body is nested too deeply.")) from None
    except ValueError as error:
        raise JsonInputError(_("The body is not JSON: %(reason)s") % {"reason": error}) from None
    # Strings can only hold U+0000 as the escape \u0000 (a raw NUL is not valid JSON), and an unpaired
    # surrogate only as an escape \ud800-\udfff (raw UTF-8 cannot encode one), so the walk for them is
    # only needed when the text has such an escape; nesting is checked on every value.
    lowered = text.lower()
    check_value(value, max_depth=max_depth, nul="\\u0000" in lowered, surrogates="\\ud" in lowered)
    return value


def _unpaired(text: str) -> bool:
    """Whether `text` holds a surrogate code point not part of a pair (JSON's "\ud800" alone), which
    no UTF-8 text, database or page can hold (I-JSON, RFC 7493 section 2.1)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _at(path: str) -> str:
    return path[:120] or "$"


def check_value(value: Any, *, max_depth: int = MAX_DEPTH, nul: bool = True, surrogates: bool = True) -> None:
    """Refuse (`JsonInputError`) a decoded value nested deeper than `max_depth`, or, if `nul`, holding
    NUL, or, if `surrogates`, holding an unpaired surrogate (named by its place, as `statements[3].puid`)."""
    stack: list[tuple[Any, int, str]] = [(value, 0, "")]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, dict):
            if depth >= max_depth:
                raise JsonInputError(
                    _("The body is nested more than %(limit)s levels deep.") % {"limit": max_depth}
                )
            for name, member in item.items():
                if nul and "\x00" in name:
                    raise JsonInputError(_("A member name holds the NUL character (U+0000)."))
                if surrogates and _unpaired(name):
                    raise JsonInputError(
                        _("A member name in %(place)s is not valid Unicode: it holds an unpaired surrogate.")
                        % {"place": _at(path)}
                    )
                stack.append((member, depth + 1, f"{path}.{name}" if path else name))
        elif isinstance(item, list):
            if depth >= max_depth:
                raise JsonInputError(
                    _("The body is nested more than %(limit)s levels deep.") % {"limit": max_depth}
                )
            stack.extend((member, depth + 1, f"{path}[{index}]") for index, member in enumerate(item))
        elif isinstance(item, str):
            if nul and "\x00" in item:
                raise JsonInputError(
                    _("A text value holds the NUL character (U+0000), which is not allowed.")
                )
            if surrogates and _unpaired(item):
                raise JsonInputError(
                    _("%(place)s is not valid Unicode text: it holds half of a surrogate pair alone.")
                    % {"place": _at(path)},
                    {_at(path): _("not valid Unicode")},
                )


def check_text(value: str, field: str) -> str:
    """`value` unchanged, or `Invalid` naming `field` when it holds NUL (forms refuse it the same way)."""
    if "\x00" in value:
        raise Invalid(
            _("%(field)s holds the NUL character (U+0000), which is not allowed.") % {"field": field},
            {field: _("Null characters are not allowed.")},
        )
    return value


def check_texts(data: dict[str, Any]) -> None:
    """`Invalid` naming the first field of `data` (a form's or a body's fields) whose text, or one of whose
    texts, holds NUL: PostgreSQL stores none, so a lookup with one is a database error, not a refusal."""
    for field, value in data.items():
        for item in value if isinstance(value, list | tuple) else (value,):
            if isinstance(item, str):
                check_text(item, str(field))


def check_time(value: datetime.datetime, field: str) -> datetime.datetime:
    """`value` unchanged, or `Invalid` naming `field` when it lies outside EARLIEST_TIME..LATEST_TIME.

    Compared as aware times without converting `value` (the conversion itself can overflow).
    """
    aware = value if value.tzinfo is not None else value.replace(tzinfo=datetime.UTC)
    if not EARLIEST_TIME <= aware < LATEST_TIME:
        raise Invalid(
            _("%(field)s: give a time between %(earliest)s and %(latest)s.")
            % {"field": field, "earliest": EARLIEST_TIME.year, "latest": LATEST_TIME.year - 1},
            {field: _("out of range")},
        )
    return value


def check_query(path: str, params: Any) -> None:
    """Refuse (`Invalid`, naming the parameter) a NUL in a request's path or in any query parameter.

    `params` is a QueryDict (`request.GET`). A NUL is never meaningful in an address, and PostgreSQL
    refuses it even in a comparison (`WHERE code = 'a\\x00'`), so one filter would answer 500.
    """
    check_text(path, "path")
    for name, values in params.lists():
        check_text(name, "query")
        for value in values:
            check_text(value, name)
