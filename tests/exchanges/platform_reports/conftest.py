"""Statements generated from the shared DSA contract (../shared/testdata/platform-reports), never from
the exchange's own schema, and platform accounts to file them."""

from __future__ import annotations

import csv
import datetime
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import shared_dir

NEW_SET_FROM = datetime.date(2025, 7, 1)


def contract_dir() -> Path:
    return shared_dir() / "testdata" / "platform-reports"


@dataclass
class Contract:
    """The shared contract: every field's raw rule (the database's StatementStoreRequest) and enums."""

    rules: dict[str, list[str]]  # field -> its rule tokens, as the CSV writes them
    enum_of: dict[str, str]  # field -> the enum constant it draws from
    new: dict[str, Any]  # enums of the set in force from 1 July 2025 (and every other enum)
    old: dict[str, Any]  # enums as of before 1 July 2025

    def values(self, enum: str, day: datetime.date) -> list[str]:
        """The values of `enum` accepted for a decision applied on `day` (the category set by date)."""
        source = self.old if day < NEW_SET_FROM and enum in self.old else self.new
        found = source[enum]
        return sorted(found) if isinstance(found, dict) else list(found)


def _tokens(raw: str) -> list[str]:
    """The tokens of a PHP rule array as the CSV writes it: "['required', 'max:500', $this->in(...)]",
    split at the commas outside quotes and parentheses."""
    body, tokens, current, depth, quoted = raw.strip()[1:-1], [], "", 0, False
    for char in body:
        if char == "'" and depth == 0:
            quoted = not quoted
        elif char in "([" and not quoted:
            depth += 1
        elif char in ")]" and not quoted:
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            tokens.append(current)
            current = ""
        else:
            current += char
    tokens.append(current)
    return [token.strip().strip("'") for token in tokens if token.strip()]


def read_contract() -> Contract | None:
    """The shared contract, or None when ../shared is not there."""
    folder = contract_dir()
    if not (folder / "statement-of-reasons-fields.csv").exists():
        return None
    with (folder / "statement-of-reasons-fields.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    enums = json.loads((folder / "statement-of-reasons-enums.json").read_text(encoding="utf-8"))
    return Contract(
        rules={
            row["field"]: _tokens(row[next(k for k in row if k.startswith("validation_rule"))])
            for row in rows
        },
        enum_of={row["field"]: row["enum_constant"] for row in rows if row["enum_constant"]},
        new=enums["HEAD_69e80a0b_2026-06-24"]["enums"],
        old=enums["old_069c67b8_2025-02-14"]["enums"],
    )


@pytest.fixture(scope="session")
def contract() -> Contract:
    found = read_contract()
    if found is None:
        pytest.skip(f"the shared DSA contract is not at {contract_dir()} (set PARTNERSHIP_SHARED_DIR)")
    return found


# What the rule text's closures test (StatementStoreRequest's checkFor... methods): the field and the
# value that makes them true.
CLOSURES = {
    "checkForDecisionVisibilityOther": ("decision_visibility", "DECISION_VISIBILITY_OTHER"),
    "checkForContentTypeOther": ("content_type", "CONTENT_TYPE_OTHER"),
    "checkForSourceVoluntary": ("source_type", "SOURCE_VOLUNTARY"),
}


def conditions(contract: Contract, field: str) -> list[tuple[str, str, bool]]:
    """(field, value, must hold) for `field` to be kept and checked: its required_if/exclude_unless and
    closures, read from its rule text."""
    found = []
    for token in contract.rules[field]:
        match = re.match(r"(required_if|exclude_unless):(\w+),(\w+)", token)
        if match:
            found.append((match.group(2), match.group(3), True))
        match = re.search(r"Rule::(requiredIf|excludeIf)\((!?)\s*\$this->(\w+)\(\)\)", token)
        if match:
            other, value = CLOSURES[match.group(3)]
            negated = match.group(2) == "!"
            found.append((other, value, match.group(1) == "requiredIf" or negated))
    return list(dict.fromkeys(found))


class Generator:
    """Valid statements drawn at random from the contract (seeded), every field filled."""

    def __init__(self, contract: Contract, seed: int = 7) -> None:
        self.contract = contract
        self.random = random.Random(seed)
        self.serial = 0

    def day(self, earliest=datetime.date(2020, 1, 1), latest=datetime.date(2027, 12, 31)) -> datetime.date:
        return earliest + datetime.timedelta(days=self.random.randrange((latest - earliest).days))

    def pick(self, enum: str, day: datetime.date, exclude: tuple[str, ...] = ()) -> str:
        return self.random.choice([v for v in self.contract.values(enum, day) if v not in exclude])

    def some(self, enum: str, day: datetime.date, exclude: tuple[str, ...] = ()) -> list[str]:
        values = [v for v in self.contract.values(enum, day) if v not in exclude]
        return self.random.sample(values, self.random.randint(1, min(3, len(values))))

    def statement(self, day: datetime.date | None = None, **fixed: Any) -> dict[str, Any]:
        self.serial += 1
        day = day or self.day()
        ground = self.pick("DECISION_GROUNDS", day)
        content_day = day - datetime.timedelta(days=self.random.randint(0, 30))
        others = ("DECISION_VISIBILITY_OTHER", "DECISION_MONETARY_OTHER", "CONTENT_TYPE_OTHER")
        statement: dict[str, Any] = {
            "puid": f"gen-{self.random.getrandbits(64):x}-{self.serial}",
            "decision_visibility": self.some("DECISION_VISIBILITIES", day, others),
            "decision_monetary": self.pick("DECISION_MONETARIES", day, others),
            "decision_provision": self.pick("DECISION_PROVISIONS", day),
            "decision_account": self.pick("DECISION_ACCOUNTS", day),
            "account_type": self.pick("ACCOUNT_TYPES", day),
            "decision_ground": ground,
            "decision_ground_reference_url": "https://platform.example/terms",
            "content_type": self.some("CONTENT_TYPES", day, others),
            "category": self.pick("STATEMENT_CATEGORIES", day),
            "category_addition": self.some("STATEMENT_CATEGORIES", day),
            "category_specification": self.some("KEYWORDS", day),
            "category_specification_other": "more keywords",
            "territorial_scope": self.some("TERRITORIAL_SCOPE_CODES", day),
            "content_language": self.pick("CONTENT_LANGUAGE_CODES_ALL", day),
            "content_date": content_day.isoformat(),
            "application_date": day.isoformat(),
            "end_date_visibility_restriction": (day + datetime.timedelta(days=33)).isoformat(),
            "decision_facts": "Facts and circumstances of the decision.",
            "source_type": self.pick("SOURCE_TYPES", day, ("SOURCE_VOLUNTARY",)),
            "source_identity": "A notifier",
            "automated_detection": self.pick("AUTOMATED_DETECTIONS", day),
            "automated_decision": self.pick("AUTOMATED_DECISIONS", day),
            "content_id": {"EAN-13": "".join(self.random.choice("0123456789") for _ in range(13))},
        }
        if ground == "DECISION_GROUND_ILLEGAL_CONTENT":
            statement["illegal_content_legal_ground"] = "Art. 1 of a law"
            statement["illegal_content_explanation"] = "Why it is illegal."
        else:
            statement["incompatible_content_ground"] = "Section 2 of the terms"
            statement["incompatible_content_explanation"] = "Why it breaks the terms."
            statement["incompatible_content_illegal"] = self.pick("INCOMPATIBLE_CONTENT_ILLEGALS", day)
        statement.update(fixed)
        return statement

    def keeping(self, field: str) -> dict[str, Any]:
        """A valid statement in which `field` is present and checked (its conditions hold)."""
        statement = self.statement(day=self.day(NEW_SET_FROM))
        for other, value, holds in conditions(self.contract, field):
            if not holds:
                if statement.get(other) == value:
                    statement[other] = self.pick(self.contract.enum_of[other], NEW_SET_FROM, (value,))
                continue
            if other == "decision_ground" and statement["decision_ground"] != value:
                return self.statement(
                    day=self.day(NEW_SET_FROM), decision_ground=value, **self._ground(value)
                )
            statement[other] = [value] if isinstance(statement.get(other), list) else value
            if field not in statement:
                statement[field] = "specified"
        return statement

    def _ground(self, ground: str) -> dict[str, Any]:
        if ground == "DECISION_GROUND_ILLEGAL_CONTENT":
            return {"illegal_content_legal_ground": "Art. 1", "illegal_content_explanation": "Illegal."}
        return {
            "incompatible_content_ground": "Section 2",
            "incompatible_content_explanation": "Breaks the terms.",
            "incompatible_content_illegal": "No",
        }


@pytest.fixture
def generate(contract) -> Generator:
    return Generator(contract)


@pytest.fixture
def platforms(programme):
    """Two platforms of the EU and one of Japan, each with an account of the platform role."""
    from partnership.people.models import Organisation, Party
    from partnership.people.services import create_member

    made = {}
    for code, party in (("eu-platform", "EU"), ("eu-other-platform", "EU"), ("jp-platform", "JP")):
        organisation = Organisation.objects.create(
            code=code, party=Party.objects.get(code=party), kind="platform", name_en=code, name_ja=code
        )
        made[code] = create_member(code, "a-long-password-1", organisation, "platform")
    return made
