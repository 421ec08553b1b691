"""Checking one statement of reasons against every rule of `schema.FIELDS`, as the EU's DSA
Transparency Database checks it: every error of every field, the field named as the DSA names it,
the message in the reader's language. Nothing here touches the database.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from . import schema
from .schema import FieldRule

Errors = dict[str, list[str]]
DATE_FORMAT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_url = URLValidator()


#: What the database's TrimStrings middleware strips from both ends of every string of a request
#: (PCRE's \s without Unicode properties, and the three invisible marks Laravel adds) before any rule
#: reads it; a string left empty is then null (ConvertEmptyStringsToNull). So "   " is no text at all:
#: a required field given only blanks is missing, and " abc " is stored as "abc".
BLANKS = " \t\n\v\f\r\ufeff\u200b\u180e"


def trimmed(value: Any) -> Any:
    """`value` as the database reads it: every string, also inside lists and objects, trimmed."""
    if isinstance(value, str):
        return value.strip(BLANKS)
    if isinstance(value, list):
        return [trimmed(item) for item in value]
    if isinstance(value, dict):
        return {key: trimmed(item) for key, item in value.items()}
    return value


def _absent(value: Any) -> bool:
    # Laravel's `required` fails on null, an empty string and an empty list; an optional field given so
    # is taken as not given (`nullable`).
    return value is None or value == "" or value == []


def parse_date(value: Any) -> datetime.date | None:
    """`value` as a date if it is exactly Y-m-d and a real day, else None."""
    if not isinstance(value, str) or not DATE_FORMAT.fullmatch(value):
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _allowed(rule: FieldRule, application_day: datetime.date | None, day_known: bool) -> frozenset[str]:
    if rule.enum in ("categories", "keywords"):
        if not day_known:
            # application_date is itself wrong and named: do not also refuse the category for it.
            return schema.either_set_values(rule.enum)
        assert application_day is not None
        return schema.set_values(0 if application_day < schema.NEW_CATEGORY_SET_FROM else 1, rule.enum)
    return schema.enum_values(str(rule.enum))


def _wrong_set_message(rule: FieldRule, value: str, day: datetime.date) -> str | None:
    """Why `value` is refused when it belongs to the other category set than `day`'s."""
    for found in schema.schema()["category_sets"]:
        if value in found[rule.enum]:
            if day < schema.NEW_CATEGORY_SET_FROM:
                return _(
                    "%(value)s belongs to the category set in force from 1 July 2025; the decision applies "
                    "on %(day)s (application_date), under the earlier set."
                ) % {"value": value, "day": day.isoformat()}
            return _(
                "%(value)s belongs to the category set in force until 30 June 2025; the decision applies "
                "on %(day)s (application_date), under the set in force from 1 July 2025."
            ) % {"value": value, "day": day.isoformat()}
    return None


def _check_choice(
    rule: FieldRule, value: Any, allowed: frozenset[str], day: datetime.date | None
) -> list[str]:
    if not isinstance(value, str) or value not in allowed:
        if isinstance(value, str) and day is not None and rule.enum in ("categories", "keywords"):
            wrong_set = _wrong_set_message(rule, value, day)
            if wrong_set:
                return [wrong_set]
        shown = value if isinstance(value, str) else repr(value)
        return [_("%(value)s is not a value of %(field)s.") % {"value": shown[:100], "field": rule.name}]
    return []


def _too_long(rule: FieldRule, value: str) -> list[str]:
    if rule.max_length is not None and len(value) > rule.max_length:
        return [
            _("%(field)s must be at most %(max)s characters long (it has %(length)s).")
            % {"field": rule.name, "max": rule.max_length, "length": len(value)}
        ]
    return []


def _check_text(rule: FieldRule, value: Any, statement: dict[str, Any]) -> list[str]:
    if not isinstance(value, str):
        return [_("%(field)s must be text.") % {"field": rule.name}]
    found = _too_long(rule, value)
    if rule.name in schema.COMPILED and not schema.COMPILED[rule.name].fullmatch(value):
        found.append(
            _("%(field)s must be 13 digits.") % {"field": rule.name}
            if rule.pattern == schema.EAN_PATTERN
            else _("%(field)s may hold only letters a-z and A-Z, digits, hyphens and underscores.")
            % {"field": rule.name}
        )
    return found


def _check_url(rule: FieldRule, value: Any, statement: dict[str, Any]) -> list[str]:
    if not isinstance(value, str):
        return [_("%(field)s must be text.") % {"field": rule.name}]
    found = []
    try:
        _url(value)
    except ValidationError:
        found.append(_("%(field)s must be a web address (URL).") % {"field": rule.name})
    return found + _too_long(rule, value)


def _check_date(rule: FieldRule, value: Any, statement: dict[str, Any]) -> list[str]:
    parsed = parse_date(value)
    if parsed is None:
        return [_("%(field)s must be a date written YYYY-MM-DD.") % {"field": rule.name}]
    if rule.earliest is not None and parsed < rule.earliest:
        return [
            _("%(field)s must be on or after %(day)s.")
            % {"field": rule.name, "day": rule.earliest.isoformat()}
        ]
    if rule.latest is not None and parsed > rule.latest:
        return [
            _("%(field)s must be on or before %(day)s.")
            % {"field": rule.name, "day": rule.latest.isoformat()}
        ]
    return []


def _check_one_choice(rule: FieldRule, value: Any, statement: dict[str, Any]) -> list[str]:
    day = parse_date(statement.get("application_date"))
    return _check_choice(rule, value, _allowed(rule, day, day is not None), day)


def _check_choices(rule: FieldRule, value: Any, statement: dict[str, Any]) -> list[str]:
    if not isinstance(value, list):
        return [_("%(field)s must be a list.") % {"field": rule.name}]
    day = parse_date(statement.get("application_date"))
    allowed = _allowed(rule, day, day is not None)
    found: list[str] = []
    for item in value:
        for message in _check_choice(rule, item, allowed, day):
            if message not in found:
                found.append(message)
    return found


def _check_content_id(rule: FieldRule, value: Any, statement: dict[str, Any]) -> list[str]:
    if not isinstance(value, dict):
        return [_("%(field)s must be an object.") % {"field": rule.name}]
    ean = value.get("EAN-13")
    if "EAN-13" in value and not (isinstance(ean, str) and schema.EAN.fullmatch(ean)):
        return [_("%(field)s must be 13 digits.") % {"field": "content_id.EAN-13"}]
    return []


CHECKS = {
    "text": _check_text,
    "url": _check_url,
    "date": _check_date,
    "choice": _check_one_choice,
    "choices": _check_choices,
    "content_id": _check_content_id,
}


def validate(statement: Any) -> tuple[dict[str, Any], Errors]:
    """The statement as stored (only the fields the DSA defines and keeps) and its errors by field.

    Fields the database does not know (`platform_name`, `permalink` of a statement read back) are
    ignored, as there; a conditional field whose condition does not hold is dropped, as there; every
    string is read and kept trimmed, as there (`trimmed`).
    """
    if not isinstance(statement, dict):
        return {}, {"statement": [_("A statement must be a JSON object.")]}
    statement = trimmed(statement)
    errors: Errors = {}
    cleaned: dict[str, Any] = {}
    for rule in schema.FIELDS:
        if rule.kept_when is not None and not rule.kept_when(statement):
            continue
        value = statement.get(rule.name)
        if not rule.nullable and rule.name in statement and (value is None or value == ""):
            errors[rule.name] = [_("%(field)s cannot be null or empty: leave it out.") % {"field": rule.name}]
            continue
        if _absent(value):
            required = rule.required or (rule.required_when is not None and rule.required_when(statement))
            if required:
                errors[rule.name] = [_("%(field)s is required.") % {"field": rule.name}]
            continue
        found = CHECKS[rule.kind](rule, value, statement)
        if found:
            # A member of an object field is named with a dot, as the database names it.
            key = (
                f"{rule.name}.EAN-13" if rule.kind == "content_id" and isinstance(value, dict) else rule.name
            )
            errors[key] = found
        else:
            cleaned[rule.name] = value
    if all(_absent(statement.get(name)) for name in schema.DECISION_FIELDS):
        message = _("At least one of %(fields)s is required.") % {"fields": ", ".join(schema.DECISION_FIELDS)}
        for name in schema.DECISION_FIELDS:
            errors.setdefault(name, []).append(message)
    # As the database does: content_id's EAN-13 is kept as content_id_ean.
    ean = cleaned.pop("content_id", {}).get("EAN-13") if "content_id" in cleaned else None
    if ean and "content_id_ean" not in cleaned:
        cleaned["content_id_ean"] = ean
    return cleaned, errors
