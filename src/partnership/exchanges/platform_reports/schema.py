"""The statement of reasons as the EU's DSA Transparency Database defines it (DSA Art 17 and 24(5)):
its enums, its two category sets, and every field's rule, as data (paras 63-64).

The values are in `data/dsa_schema.json` (the database's `Statement` model, both category sets and
their correspondence); `FIELDS` below is the database's `StatementStoreRequest`, field by field, in
our words. `validation.py` applies them; tests derive their cases from the database's own rule text.
"""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "dsa_schema.json"

#: The day the category set of Implementing Regulation (EU) 2024/2835 took effect in the database.
NEW_CATEGORY_SET_FROM = datetime.date(2025, 7, 1)

ILLEGAL = "DECISION_GROUND_ILLEGAL_CONTENT"
INCOMPATIBLE = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
VOLUNTARY = "SOURCE_VOLUNTARY"
DECISION_FIELDS = ("decision_visibility", "decision_monetary", "decision_provision", "decision_account")


@cache
def schema() -> dict[str, Any]:
    """The schema file, read once."""
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


@cache
def enum_values(name: str) -> frozenset[str]:
    """The accepted values of enum `name` (the keys of a labelled enum, or the items of a list)."""
    values = schema()["enums"][name]
    return frozenset(values)


def category_set(day: datetime.date | None) -> dict[str, Any]:
    """The category set in force for a decision applied on `day` (the newest set when unknown)."""
    old, new = schema()["category_sets"]
    return old if day is not None and day < NEW_CATEGORY_SET_FROM else new


@cache
def set_values(set_index: int, enum: str) -> frozenset[str]:
    """The values of `enum` ("categories" or "keywords") in category set `set_index` (0 old, 1 new)."""
    return frozenset(schema()["category_sets"][set_index][enum])


@cache
def either_set_values(enum: str) -> frozenset[str]:
    """The values of `enum` in either category set."""
    return set_values(0, enum) | set_values(1, enum)


def all_categories() -> frozenset[str]:
    """Every category of either set (reports and filters accept both)."""
    return frozenset(code for found in schema()["category_sets"] for code in found["categories"])


def category_label(code: str) -> str:
    """The database's English label of a category or keyword of either set, else the code."""
    for found in reversed(schema()["category_sets"]):
        label = found["categories"].get(code) or found["keywords"].get(code)
        if label:
            return label
    return code


def current_category(code: str) -> str:
    """`code` in the set in force from 1 July 2025 (the official correspondence); a category the new
    set dropped stays as it is."""
    return schema()["correspondence"]["categories"].get(code) or code


def enum_label(name: str, code: str) -> str:
    """The database's English label of `code` in enum `name`, else the code."""
    values = schema()["enums"].get(name, {})
    return values.get(code, code) if isinstance(values, dict) else code


Condition = Callable[[dict[str, Any]], bool]


def ground_is(ground: str) -> Condition:
    return lambda statement: statement.get("decision_ground") == ground


def chosen(field: str, value: str) -> Condition:
    """`field` (a value or a list of values) holds `value`."""

    def holds(statement: dict[str, Any]) -> bool:
        found = statement.get(field)
        return found == value or (isinstance(found, list) and value in found)

    return holds


def not_voluntary(statement: dict[str, Any]) -> bool:
    return statement.get("source_type") != VOLUNTARY


@dataclass(frozen=True)
class FieldRule:
    """One field of a statement and its rule (the database's `StatementStoreRequest`).

    kind: `text`, `choice` (one value of `enum`), `choices` (a list of them), `date` (Y-m-d), `url`,
    `content_id` (an object holding an `EAN-13`). `enum` "categories" and "keywords" are the category set
    in force on the statement's `application_date`. `required_when` makes it required; a field whose
    `kept_when` does not hold is dropped unread (Laravel's `exclude_unless`/`excludeIf`).
    """

    name: str
    kind: str
    required: bool = False
    max_length: int | None = None
    pattern: str | None = None
    enum: str | None = None
    earliest: datetime.date | None = None
    latest: datetime.date | None = None
    required_when: Condition | None = None
    kept_when: Condition | None = None
    #: False where the rule has neither `nullable` nor only `max:`: given as null (or "", which the
    #: database reads as null), the field is refused there, not taken as left out.
    nullable: bool = True


D = datetime.date
PUID_PATTERN = r"[a-zA-Z0-9\-_]+"
EAN_PATTERN = r"[0-9]{13}"
LATEST = D(2038, 1, 1)

FIELDS: tuple[FieldRule, ...] = (
    FieldRule("decision_visibility", "choices", enum="DECISION_VISIBILITIES"),
    FieldRule(
        "decision_visibility_other",
        "text",
        max_length=500,
        required_when=chosen("decision_visibility", "DECISION_VISIBILITY_OTHER"),
        kept_when=chosen("decision_visibility", "DECISION_VISIBILITY_OTHER"),
    ),
    FieldRule("decision_monetary", "choice", enum="DECISION_MONETARIES"),
    FieldRule(
        "decision_monetary_other",
        "text",
        max_length=500,
        required_when=chosen("decision_monetary", "DECISION_MONETARY_OTHER"),
        kept_when=chosen("decision_monetary", "DECISION_MONETARY_OTHER"),
    ),
    FieldRule("decision_provision", "choice", enum="DECISION_PROVISIONS"),
    FieldRule("decision_account", "choice", enum="DECISION_ACCOUNTS"),
    FieldRule("account_type", "choice", enum="ACCOUNT_TYPES"),
    FieldRule("category_specification", "choices", enum="keywords"),
    FieldRule("category_specification_other", "text", max_length=500),
    FieldRule("decision_ground", "choice", required=True, enum="DECISION_GROUNDS"),
    FieldRule("decision_ground_reference_url", "url", max_length=500),
    FieldRule(
        "illegal_content_legal_ground",
        "text",
        max_length=500,
        required_when=ground_is(ILLEGAL),
        kept_when=ground_is(ILLEGAL),
    ),
    FieldRule(
        "illegal_content_explanation",
        "text",
        max_length=2000,
        required_when=ground_is(ILLEGAL),
        kept_when=ground_is(ILLEGAL),
    ),
    FieldRule(
        "incompatible_content_ground",
        "text",
        max_length=500,
        required_when=ground_is(INCOMPATIBLE),
        kept_when=ground_is(INCOMPATIBLE),
    ),
    FieldRule(
        "incompatible_content_explanation",
        "text",
        max_length=2000,
        required_when=ground_is(INCOMPATIBLE),
        kept_when=ground_is(INCOMPATIBLE),
    ),
    FieldRule(
        "incompatible_content_illegal",
        "choice",
        enum="INCOMPATIBLE_CONTENT_ILLEGALS",
        kept_when=ground_is(INCOMPATIBLE),
        nullable=False,
    ),
    FieldRule("content_type", "choices", required=True, enum="CONTENT_TYPES"),
    FieldRule(
        "content_type_other",
        "text",
        max_length=500,
        required_when=chosen("content_type", "CONTENT_TYPE_OTHER"),
        kept_when=chosen("content_type", "CONTENT_TYPE_OTHER"),
    ),
    FieldRule("category", "choice", required=True, enum="categories"),
    FieldRule("category_addition", "choices", enum="categories", nullable=False),
    FieldRule("territorial_scope", "choices", enum="TERRITORIAL_SCOPE_CODES"),
    FieldRule("content_language", "choice", enum="CONTENT_LANGUAGE_CODES_ALL"),
    FieldRule("content_date", "date", required=True, earliest=D(2000, 1, 1), latest=LATEST),
    FieldRule("application_date", "date", required=True, earliest=D(2020, 1, 1), latest=LATEST),
    FieldRule("end_date_account_restriction", "date", latest=LATEST),
    FieldRule("end_date_monetary_restriction", "date", latest=LATEST),
    FieldRule("end_date_service_restriction", "date", latest=LATEST),
    FieldRule("end_date_visibility_restriction", "date", latest=LATEST),
    FieldRule("decision_facts", "text", required=True, max_length=5000),
    FieldRule("source_type", "choice", required=True, enum="SOURCE_TYPES"),
    FieldRule("source_identity", "text", max_length=500, kept_when=not_voluntary),
    FieldRule("automated_detection", "choice", required=True, enum="AUTOMATED_DETECTIONS"),
    FieldRule("automated_decision", "choice", required=True, enum="AUTOMATED_DECISIONS"),
    FieldRule("puid", "text", required=True, max_length=500, pattern=PUID_PATTERN),
    FieldRule("content_id", "content_id"),
    FieldRule("content_id_ean", "text", pattern=EAN_PATTERN),
)

FIELD_NAMES = frozenset(rule.name for rule in FIELDS)
COMPILED = {rule.name: re.compile(rule.pattern) for rule in FIELDS if rule.pattern}
EAN = re.compile(EAN_PATTERN)
