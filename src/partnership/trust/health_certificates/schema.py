"""The EU DCC JSON schema, checked on the DCC JSON once its signature is verified.

The schema is the eHealth Network's (eu-dcc-schema release 1.3.0, data/dcc-schema/ with its source and
licence), compiled once by jsonschema-rs (JSON Schema draft 2020-12). One schema serves every `ver`: the
dgc-testdata files of versions 1.0.0 to 1.3.0 all get their expected result from it.

`format` (date, date-time) stays an annotation, as draft 2020-12 has it by default and as the upstream
conformance tests run it: some issuers wrote a full timestamp where a date belongs, which `dcc` reads
leniently, and the expected results come out the same either way.

A DCC decoded from CBOR may hold what JSON has no type for: a date-time (tag 0) or a date (tag 1004),
which are checked as their RFC 3339 text, or bytes and non-text map keys, which fail the check.
"""

from __future__ import annotations

import contextlib
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jsonschema_rs

from .errors import CertificateError, Step

SCHEMA = Path(__file__).with_name("data") / "dcc-schema" / "DCC.combined-schema.json"
CODE = "dcc.schema"
VALIDATE_FORMATS = False
MAX_VALUE = 40  # characters of a failing text value quoted in the message
MAX_REASON = 200

_validator: jsonschema_rs.Validator | None = None


def validator() -> jsonschema_rs.Validator:
    """The compiled schema, built on first use and kept for the process."""
    global _validator
    if _validator is None:
        schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
        _validator = jsonschema_rs.Draft202012Validator(schema, validate_formats=VALIDATE_FORMATS)
    return _validator


def check_schema(dcc: Any) -> None:
    """Raise `CertificateError(STRUCTURE, "dcc.schema")` naming the first field the schema refuses."""
    checker = _validator or validator()
    try:
        if checker.is_valid(dcc):
            return
        error = next(iter(checker.iter_errors(dcc)), None)
    except ValueError:  # what jsonschema-rs cannot read as JSON: dates become text, the rest fails here
        try:
            try:
                dcc = _as_json(dcc)
            except _NotJSON:
                raise _locate(dcc, ()) from None
        except RecursionError:
            raise _refused((), "nested too deeply") from None
        try:
            if checker.is_valid(dcc):
                return
            error = next(iter(checker.iter_errors(dcc)), None)
        except ValueError as refused:  # e.g. jsonschema-rs's own nesting limit
            raise _refused((), str(refused)) from None
    raise CertificateError(Step.STRUCTURE, CODE, describe(error) if error else "(the DCC): not valid")


def describe(error: jsonschema_rs.ValidationError) -> str:
    """'<JSON path>: <why>', the path as slash-separated keys and indexes from the DCC's root."""
    path = [str(part) for part in error.instance_path]
    kind = error.kind
    instance = error.instance
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Required):
        path.append(str(kind.property))
        reason = "is required but missing"
    elif not path and isinstance(instance, dict) and list(error.schema_path) == ["oneOf"]:
        path, reason = _certificate_kind(instance)
    elif isinstance(instance, (dict, list)):  # never repeat a whole object or array in the message
        reason = _structural(error, instance)
    else:
        reason = _shorten(error.message, instance)
    if len(reason) > MAX_REASON:
        reason = reason[: MAX_REASON - 1] + "…"
    return f"{'/'.join(path) or '(the DCC)'}: {reason}"


def _shorten(message: str, instance: Any) -> str:
    # jsonschema-rs quotes the value in full: keep its start, so the reason after it stays readable.
    if isinstance(instance, str) and len(instance) > MAX_VALUE:
        quoted = json.dumps(instance, ensure_ascii=False)
        return message.replace(quoted, json.dumps(instance[:MAX_VALUE] + "…", ensure_ascii=False), 1)
    return message


def _certificate_kind(dcc: dict[Any, Any]) -> tuple[list[str], str]:
    # The root's oneOf: ver, nam and dob with exactly one of the groups v, t and r.
    missing = [key for key in ("ver", "nam", "dob") if key not in dcc]
    groups = [key for key in ("v", "t", "r") if key in dcc]
    if missing:
        return [missing[0]], "is required but missing"
    if not groups:
        return [], "one of v (vaccination), t (test) or r (recovery) is required"
    return [], f"holds {', '.join(groups)}: only one of v, t and r is allowed"


def _structural(error: jsonschema_rs.ValidationError, instance: dict[Any, Any] | list[Any]) -> str:
    kind = error.kind
    count = len(instance)
    what = "an object" if isinstance(instance, dict) else f"an array of {count} item{'s' * (count != 1)}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.Type):
        return f"{what} is not of type {' or '.join(map(str, kind.types))}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MaxItems):
        return f"{what}, more than the maximum of {kind.limit}"
    if isinstance(kind, jsonschema_rs.ValidationErrorKind.MinItems):
        return f"{what}, fewer than the minimum of {kind.limit}"
    keyword = list(error.schema_path)[-1] if list(error.schema_path) else "schema"
    return f"{what} does not satisfy '{keyword}'"


class _NotJSON(Exception):
    """A value `_as_json` cannot convert; `_locate` then finds where it is."""


def _as_json(value: Any) -> Any:
    """`value` with dates and date-times as RFC 3339 text; raises `_NotJSON` for anything else JSON lacks."""
    if isinstance(value, dict):
        converted = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _NotJSON
            converted[key] = item if type(item) is str else _as_json(item)
        return converted
    if isinstance(value, list | tuple):
        return [item if type(item) is str else _as_json(item) for item in value]
    if isinstance(value, datetime | date):  # CBOR tags 0 and 1004
        return value.isoformat()
    if value is None or isinstance(value, str | int | float):
        return value
    raise _NotJSON


def _locate(value: Any, path: tuple[str, ...]) -> CertificateError:
    """The error naming the first value JSON cannot hold (there is one: `_as_json` refused `value`)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return _refused(path, f"the map key {key!r} is not text")
            with contextlib.suppress(_NotJSON):
                _as_json(item)
                continue
            return _locate(item, (*path, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            with contextlib.suppress(_NotJSON):
                _as_json(item)
                continue
            return _locate(item, (*path, str(index)))
    return _refused(path, f"{type(value).__name__} is not a JSON value")


def _refused(path: tuple[str, ...], reason: str) -> CertificateError:
    return CertificateError(Step.STRUCTURE, CODE, f"{'/'.join(path) or '(the DCC)'}: {reason}")
