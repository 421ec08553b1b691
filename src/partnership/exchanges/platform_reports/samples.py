"""Statements of reasons for the demo and the benchmark, drawn (seeded) from the schema: valid by
construction, spread over both category sets' dates."""

from __future__ import annotations

import datetime
import random
from typing import Any

from . import schema


def statements(count: int, seed: int = 1, prefix: str = "demo", days: int = 730) -> list[dict[str, Any]]:
    """`count` valid statements with puids `<prefix>-<n>`, decisions over the `days` up to today."""
    chance = random.Random(seed)
    today = datetime.date.today()
    enums = schema.schema()["enums"]

    def pick(name: str) -> str:
        return chance.choice(sorted(enums[name]))

    found = []
    for n in range(count):
        day = today - datetime.timedelta(days=chance.randrange(days))
        found_set = schema.category_set(day)
        ground = pick("DECISION_GROUNDS")
        statement: dict[str, Any] = {
            "puid": f"{prefix}-{n}",
            "decision_visibility": [
                chance.choice(
                    [
                        "DECISION_VISIBILITY_CONTENT_REMOVED",
                        "DECISION_VISIBILITY_CONTENT_DISABLED",
                        "DECISION_VISIBILITY_CONTENT_DEMOTED",
                    ]
                )
            ],
            "decision_ground": ground,
            "content_type": [
                chance.choice(
                    ["CONTENT_TYPE_TEXT", "CONTENT_TYPE_IMAGE", "CONTENT_TYPE_VIDEO", "CONTENT_TYPE_PRODUCT"]
                )
            ],
            "category": chance.choice(sorted(found_set["categories"])),
            "territorial_scope": chance.sample(sorted(enums["TERRITORIAL_SCOPE_CODES"]), 3),
            "content_language": chance.choice(["EN", "DE", "FR", "JA"]),
            "content_date": (day - datetime.timedelta(days=chance.randrange(10))).isoformat(),
            "application_date": day.isoformat(),
            "decision_facts": "The content was reviewed against the rule cited (demo statement).",
            "source_type": pick("SOURCE_TYPES"),
            "automated_detection": chance.choice(["Yes", "No"]),
            "automated_decision": pick("AUTOMATED_DECISIONS"),
        }
        if ground == schema.ILLEGAL:
            statement["illegal_content_legal_ground"] = "National law, art. 1 (demo)"
            statement["illegal_content_explanation"] = "The content is illegal under the law cited (demo)."
        else:
            statement["incompatible_content_ground"] = "Terms of service, section 4 (demo)"
            statement["incompatible_content_explanation"] = "The content breaks the terms cited (demo)."
            statement["incompatible_content_illegal"] = "No"
        found.append(statement)
    return found
