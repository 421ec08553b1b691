"""Acceptance rules per party, as data (data/rules.json), and `evaluate`: does a certificate meet them?

A rule names a kind of event and its conditions:
- vaccination: `products` (our vocabulary's ids), `full_course` (the dose that completes the primary
  course: dose n of n, or as many doses of the product as its course needs), `booster` (a dose beyond
  the course), `min_days_after` / `max_days_after` the completing dose;
- test: `test_types` ("naat", "rat"), `result`, `max_hours_before` the check;
- recovery: `min_days_after` / `max_days_after` the first positive test.
The first rule a certificate meets accepts it; `Decision.rule` names it, or `reasons` say why each failed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from . import vocabulary
from .model import Certificate, Recovery, Test, Vaccination

RULES = Path(__file__).with_name("data") / "rules.json"


@dataclass
class Decision:
    accepted: bool
    rule: str | None  # the rule that accepted the certificate
    reasons: dict[str, str] = field(default_factory=dict)  # rule id -> why it did not accept

    def as_json(self) -> dict[str, Any]:
        return {"accepted": self.accepted, "rule": self.rule, "reasons": self.reasons}


class RulesError(ValueError):
    """A rules file that cannot be used: the message names the rule and the field."""


def load_rules(path: Path = RULES) -> dict[str, list[dict[str, Any]]]:
    value = json.loads(path.read_text(encoding="utf-8"))
    rules = {party: items for party, items in value.items() if not party.startswith("_")}
    for party, items in rules.items():
        for number, rule in enumerate(items, 1):
            if rule.get("kind") not in ("vaccination", "test", "recovery") or not rule.get("id"):
                raise RulesError(f"{path}: {party} rule {number}: needs an id and a kind")
            for product in rule.get("products", []):
                if product not in vocabulary.products():
                    raise RulesError(f"{path}: rule {rule['id']}: unknown product {product!r}")
    return rules


def evaluate(certificate: Certificate, rules: list[dict[str, Any]], at: datetime) -> Decision:
    reasons: dict[str, str] = {}
    for rule in rules:
        reason = _check(certificate, rule, at)
        if reason is None:
            return Decision(True, rule["id"], reasons)
        reasons[rule["id"]] = reason
    return Decision(False, None, reasons)


def _check(certificate: Certificate, rule: dict[str, Any], at: datetime) -> str | None:
    kind = rule["kind"]
    if kind == "vaccination":
        return _vaccination(certificate, rule, at)
    if kind == "test":
        return _test(certificate, rule, at)
    return _recovery(certificate, rule, at)


def _days(rule: dict[str, Any], since: datetime, at: datetime, what: str) -> str | None:
    low, high = rule.get("min_days_after"), rule.get("max_days_after")
    if low is not None and at < since + timedelta(days=low):
        return f"{what} on {since.date()} is less than {low} days before {at.date()}"
    if high is not None and at > since + timedelta(days=high):
        return f"{what} on {since.date()} is more than {high} days before {at.date()}"
    return None


def _vaccination(certificate: Certificate, rule: dict[str, Any], at: datetime) -> str | None:
    approved = set(rule.get("products", [])) or set(vocabulary.products())
    doses = [e for e in certificate.events if isinstance(e, Vaccination)]
    if not doses:
        return "the certificate records no vaccination"
    usable = sorted((e for e in doses if e.product in approved), key=lambda e: e.date)
    if not usable:
        return (
            "no vaccination with an approved product (" + ", ".join(sorted({e.product for e in doses})) + ")"
        )
    completing = _completing_dose(usable)
    if completing is None:
        return "the primary course is not complete"
    if rule.get("booster"):
        later = [e for e in usable if e.date > completing.date]
        if not later:
            return "no dose after the primary course"
        return None
    moment = datetime.combine(completing.date, datetime.min.time(), tzinfo=at.tzinfo)
    return _days(rule, moment, at, "the course completed")


def _completing_dose(doses: list[Vaccination]) -> Vaccination | None:
    """The dose that completes the primary course: n of n, or the k-th dose of a k-dose product."""
    for index, dose in enumerate(doses, 1):
        if dose.dose is not None and dose.doses is not None and dose.dose >= dose.doses:
            return dose
        needed = vocabulary.primary_course_doses(dose.product)
        if dose.dose is None and needed is not None and index >= needed:
            return dose
    return None


def _test(certificate: Certificate, rule: dict[str, Any], at: datetime) -> str | None:
    tests = [e for e in certificate.events if isinstance(e, Test)]
    if not tests:
        return "the certificate records no test"
    for test in sorted(tests, key=lambda e: e.sampled_at, reverse=True):
        if rule.get("test_types") and test.test_type not in rule["test_types"]:
            continue
        if rule.get("result") and test.result != rule["result"]:
            return f"the test result is {test.result}"
        hours = rule.get("max_hours_before")
        if hours is not None and not (at - timedelta(hours=hours) <= test.sampled_at <= at):
            return (
                f"the sample of {test.sampled_at:%Y-%m-%d %H:%M} is not within {hours} hours before the check"
            )
        return None
    return "no test of an accepted type (" + ", ".join(rule.get("test_types", [])) + ")"


def _recovery(certificate: Certificate, rule: dict[str, Any], at: datetime) -> str | None:
    recoveries = [e for e in certificate.events if isinstance(e, Recovery)]
    if not recoveries:
        return "the certificate records no recovery"
    latest = max(recoveries, key=lambda e: e.first_positive)
    moment = datetime.combine(latest.first_positive, datetime.min.time(), tzinfo=at.tzinfo)
    return _days(rule, moment, at, "the first positive test")
