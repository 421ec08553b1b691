"""An outside reviewer's check of the statement-of-reasons API against the shared contract alone.

Nothing here reads the exchange's schema, its generator in conftest.py or its fixtures: the rules are
parsed from `statement-of-reasons-fields.csv` (the EU database's StatementStoreRequest, rule text as
written) and the values from `statement-of-reasons-enums.json`. A seeded generator draws valid
statements over the whole space (every value of every enum, both category sets on the dates each is
in force, boundary dates, lengths at their maximum, every conditional field present and absent,
Japanese, emoji and combining marks in the texts); they are filed through the real API as a platform
account made as `make demo` makes it. Then every rule of the CSV is broken, once each, in one
statement of a batch: the answer must be 422 naming that statement and that field, nothing stored.
Last, the DSA template of a random set of statements must count exactly what was filed.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from .conftest import contract_dir

pytestmark = pytest.mark.django_db

API = "/api/v1/platform-reports"
NEW_SET_FROM = datetime.date(2025, 7, 1)
HEAD, OLD = "HEAD_69e80a0b_2026-06-24", "old_069c67b8_2025-02-14"
DATED = ("STATEMENT_CATEGORIES", "KEYWORDS")
# The checkFor... closures of StatementStoreRequest, as MAPPING-AND-FACTS.md describes them.
CLOSURES = {
    "checkForDecisionVisibilityOther": ("decision_visibility", "DECISION_VISIBILITY_OTHER"),
    "checkForContentTypeOther": ("content_type", "CONTENT_TYPE_OTHER"),
    "checkForSourceVoluntary": ("source_type", "SOURCE_VOLUNTARY"),
}
# The official correspondence for reports, as MAPPING-AND-FACTS.md states it (renamed codes).
RENAMED = {
    "STATEMENT_CATEGORY_SCOPE_OF_PLATFORM_SERVICE": "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
    "STATEMENT_CATEGORY_UNSAFE_AND_ILLEGAL_PRODUCTS": "STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS",
}

# Text drawn from several scripts: ASCII, Japanese, emoji outside the BMP, combining marks (each a code
# point of its own: the database counts code points, as mb_strlen does).
ALPHABET = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:!?'\"()-/&<>%#"
    "日本語の文字列ひらがなカタカナ漢字表現の自由プラットフォーム"
    "😀🚀🇪🇺👩‍💻🧪"
    "é\u0301\u0308\u0323ñÅ"
)
PUID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"


# --- the contract, parsed -----------------------------------------------------------------------------


@dataclass
class Rule:
    """One field's rule, read from its raw rule text."""

    name: str
    raw: str
    required: bool = False
    nullable: bool = False
    array: bool = False
    string: bool = False
    url: bool = False
    max: int | None = None
    regex: re.Pattern | None = None
    date: bool = False
    after: datetime.date | None = None
    before: datetime.date | None = None
    enum: str | None = None
    required_if: tuple[str, str] | None = None  # required when (field, value)
    kept_if: tuple[str, str] | None = None  # dropped unread unless (field, value)
    dropped_if: tuple[str, str] | None = None  # dropped unread when (field, value)
    required_without_all: tuple[str, ...] = ()
    tokens: list[str] = field(default_factory=list)


def _parse(name: str, raw: str, enum: str) -> Rule:
    rule = Rule(name, raw, enum=enum or None)
    # Quoted tokens: 'required', 'max:500', 'regex:/.../D'; unquoted ones are $this->in(...) / Rule::...
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", raw)
    for token in quoted:
        kind, _sep, argument = token.partition(":")
        rule.tokens.append(kind)
        if kind == "required":
            rule.required = True
        elif kind == "nullable":
            rule.nullable = True
        elif kind == "array":
            rule.array = True
        elif kind == "string":
            rule.string = True
        elif kind == "url":
            rule.url = True
        elif kind == "max":
            rule.max = int(argument)
        elif kind == "regex":
            body = argument[1 : argument.rindex("/")]
            # PHP's ^...$ with /D: the whole string, no trailing newline allowed.
            rule.regex = re.compile(body.removeprefix("^").removesuffix("$"))
        elif kind == "date_format":
            assert argument == "Y-m-d", argument
            rule.date = True
        elif kind == "after_or_equal":
            rule.after = datetime.date.fromisoformat(argument)
        elif kind == "before_or_equal":
            rule.before = datetime.date.fromisoformat(argument)
        elif kind == "required_if":
            other, value = argument.split(",")
            rule.required_if = (other, value)
        elif kind == "exclude_unless":
            other, value = argument.split(",")
            rule.kept_if = (other, value)
        elif kind == "required_without_all":
            rule.required_without_all = tuple(argument.split(","))
        else:
            raise AssertionError(f"a rule token this check does not know: {name}: {token}")
    if "$this->in(" in raw:
        rule.tokens.append("in")
    for kind, negated, closure in re.findall(
        r"Rule::(requiredIf|excludeIf)\((!?)\s*\$this->(\w+)\(\)\)", raw
    ):
        other = CLOSURES[closure]
        rule.tokens.append(kind)
        if kind == "requiredIf":
            rule.required_if = other
        elif negated:
            rule.kept_if = other
        else:
            rule.dropped_if = other
    return rule


@dataclass
class Contract:
    rules: dict[str, Rule]
    head: dict[str, Any]
    old: dict[str, Any]

    def values(self, enum: str, day: datetime.date) -> list[str]:
        """The values of `enum` for a decision applied on `day` (the category set by date)."""
        source = self.old if enum in DATED and day < NEW_SET_FROM else self.head
        found = source[enum]
        return sorted(found) if isinstance(found, dict) else list(found)


@pytest.fixture(scope="module")
def spec() -> Contract:
    folder = contract_dir()
    fields_csv = folder / "statement-of-reasons-fields.csv"
    if not fields_csv.exists():
        pytest.skip(f"the shared DSA contract is not at {folder} (set PARTNERSHIP_SHARED_DIR)")
    with fields_csv.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    enums = json.loads((folder / "statement-of-reasons-enums.json").read_text(encoding="utf-8"))
    rules = {row[0]: _parse(row[0], row[1], row[2]) for row in rows[1:]}
    return Contract(rules, enums[HEAD]["enums"], enums[OLD]["enums"])


# --- the generator --------------------------------------------------------------------------------


class Cycle:
    """Every value of a list before any repeats (reshuffled each round), so that a few hundred draws
    cover every value of every enum."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pending: dict[tuple[str, bool], list[str]] = {}

    def next(self, key: tuple[str, bool], values: list[str], exclude: tuple[str, ...] = ()) -> str:
        allowed = [v for v in values if v not in exclude]
        queue = self.pending.get(key) or []
        queue = [v for v in queue if v in allowed]
        if not queue:
            queue = list(allowed)
            self.rng.shuffle(queue)
        value = queue.pop()
        self.pending[key] = queue
        return value


class Generator:
    """Valid statements over the whole space the contract allows, seeded."""

    BOUNDARY_DAYS = ("2020-01-01", "2025-06-30", "2025-07-01", "2038-01-01")

    #: Across generators: puids stay unique when several generators file for one platform.
    serials = iter(range(1, 10**9))

    def __init__(self, spec: Contract, seed: int) -> None:
        self.spec = spec
        self.rng = random.Random(seed)
        self.cycle = Cycle(self.rng)
        self.seen: Counter[tuple[str, str]] = Counter()  # (field, value) filed

    # values
    def text(self, limit: int) -> str:
        """Text of 1 to `limit` code points (sometimes exactly `limit`), never blank at its ends."""
        length = self.rng.choice([1, limit, limit, self.rng.randint(1, min(limit, 300))])
        body = "".join(self.rng.choice(ALPHABET) for _n in range(length))
        return ("x" + body[1:-1] + "y")[:length] if length > 1 else "z"

    def puid(self) -> str:
        # The draws do not depend on the serial: the same seed gives the same statement.
        length = self.rng.choice([1, 500, self.rng.randint(1, 80)])
        body = "".join(self.rng.choice(PUID_CHARS) for _n in range(length))
        tail = f"-{next(Generator.serials)}"
        return body[: max(1, length - len(tail))] + tail

    def day(self, rule: Rule, around: datetime.date | None = None) -> str:
        earliest = rule.after or datetime.date(1990, 1, 1)
        latest = rule.before or datetime.date(2040, 1, 1)
        roll = self.rng.random()
        if roll < 0.15:
            return earliest.isoformat()
        if roll < 0.3:
            return latest.isoformat()
        if around is not None and roll < 0.7:
            found = around + datetime.timedelta(days=self.rng.randint(-60, 60))
            return min(max(found, earliest), latest).isoformat()
        return (
            earliest + datetime.timedelta(days=self.rng.randrange((latest - earliest).days + 1))
        ).isoformat()

    def url(self) -> str:
        base = self.rng.choice(
            [
                "https://platform.example/terms",
                "http://example.eu/t?c=1#s2",
                "https://例え.jp/規約/第2条",
                "https://sub.example.co.uk:8443/a/b/c",
            ]
        )
        if self.rng.random() < 0.3:
            base = (base + "/" + "p" * 500)[:500]  # exactly the maximum length
        return base

    def choice(self, name: str, day: datetime.date, exclude: tuple[str, ...] = ()) -> str:
        enum = self.spec.rules[name].enum
        assert enum
        dated = enum in DATED
        value = self.cycle.next(
            (f"{name}", dated and day < NEW_SET_FROM), self.spec.values(enum, day), exclude
        )
        self.seen[(name, value)] += 1
        return value

    def choices(self, name: str, day: datetime.date, exclude: tuple[str, ...] = ()) -> list[str]:
        picked = [self.choice(name, day, exclude) for _n in range(self.rng.randint(1, 3))]
        if self.rng.random() < 0.1:
            picked.append(picked[0])  # a repeated value: the database accepts it
        return picked

    def junk(self) -> Any:
        """A value no rule would take: for fields dropped unread, which must not be checked."""
        return self.rng.choice(["x" * 6000, 12345, ["a", "list"], {"an": "object"}])

    def statement(self, application_day: datetime.date | None = None) -> dict[str, Any]:
        rules, rng = self.spec.rules, self.rng
        if application_day is None:
            text = self.day(rules["application_date"])
            application_day = datetime.date.fromisoformat(text)
        day = application_day
        s: dict[str, Any] = {
            "puid": self.puid(),
            "application_date": day.isoformat(),
            # No order between the two dates is required (the database's own samples have content
            # dated after the decision).
            "content_date": self.day(rules["content_date"], around=day),
            "decision_facts": self.text(rules["decision_facts"].max or 100),
            "category": self.choice("category", day),
            "content_type": self.choices("content_type", day),
            "decision_ground": self.choice("decision_ground", day),
            "source_type": self.choice("source_type", day),
            "automated_detection": self.choice("automated_detection", day),
            "automated_decision": self.choice("automated_decision", day),
        }
        # At least one decision; each of the four present or not.
        decisions = ["decision_visibility", "decision_monetary", "decision_provision", "decision_account"]
        present = [name for name in decisions if rng.random() < 0.5] or [rng.choice(decisions)]
        for name in decisions:
            if name in present:
                s[name] = self.choices(name, day) if rules[name].array else self.choice(name, day)
            elif rng.random() < 0.3:
                s[name] = None if rng.random() < 0.5 else ([] if rules[name].array else "")
        # Optional fields: present, null or absent.
        for name in ("account_type", "content_language"):
            if rng.random() < 0.7:
                s[name] = self.choice(name, day)
        for name in ("category_addition", "category_specification", "territorial_scope"):
            if rng.random() < 0.7:
                s[name] = self.choices(name, day)
            elif rules[name].nullable and rng.random() < 0.5:
                s[name] = None
        if rng.random() < 0.5:
            s["category_specification_other"] = self.text(rules["category_specification_other"].max or 10)
        if rng.random() < 0.6:
            s["decision_ground_reference_url"] = self.url()
        for name in rules:
            if name.startswith("end_date_") and rng.random() < 0.5:
                s[name] = self.day(rules[name], around=day) if rng.random() < 0.8 else None
        roll = rng.random()
        if roll < 0.3:
            s["content_id"] = {"EAN-13": "".join(rng.choice("0123456789") for _n in range(13))}
        elif roll < 0.5:
            s["content_id_ean"] = "".join(rng.choice("0123456789") for _n in range(13))
        elif roll < 0.6:
            s["content_id"] = None
        if rng.random() < 0.05:
            s["platform_name"] = "ignored, as by the database"
        # Conditional fields: required when their condition holds, dropped unread otherwise.
        for name, rule in rules.items():
            if "." in name or name in s:
                continue
            condition = rule.required_if or rule.kept_if
            dropped = rule.dropped_if
            if condition is not None:
                holds = _holds(s, condition)
                if holds and (rule.required_if is not None or rng.random() < 0.7):
                    s[name] = self.choice(name, day) if rule.enum else self.text(rule.max or 100)
                elif not holds and rng.random() < 0.3:
                    s[name] = self.junk()
            elif dropped is not None:
                if _holds(s, dropped):
                    if rng.random() < 0.3:
                        s[name] = self.junk()
                elif rng.random() < 0.7:
                    s[name] = self.text(rule.max or 100)
        return s

    def batch(self, size: int, day: datetime.date | None = None) -> list[dict[str, Any]]:
        return [self.statement(day) for _n in range(size)]


def _holds(statement: dict[str, Any], condition: tuple[str, str]) -> bool:
    other, value = condition
    found = statement.get(other)
    return found == value or (isinstance(found, list) and value in found)


# --- posting ------------------------------------------------------------------------------------------


def post(token: str, body: Any, path: str = "statements"):
    data = body if isinstance(body, bytes | str) else json.dumps(body, ensure_ascii=False)
    return Client().post(f"{API}/{path}", data, content_type="application/json", HTTP_AUTHORIZATION=token)


def stored() -> int:
    from partnership.exchanges.platform_reports.models import Statement, StatementPuid

    return Statement.objects.count() + StatementPuid.objects.count()


@pytest.fixture
def demo_platforms(programme):
    """The platform organisations and accounts exactly as `make demo` creates them (its own code,
    with the demo password), without the demo's statements."""
    from partnership.demo import create_demo_accounts

    password = "demo-password-for-tests-1"
    create_demo_accounts(password)
    return password


@pytest.fixture
def eu_token(demo_platforms, token_for):
    from django.contrib.auth.models import User

    return token_for(User.objects.get(username="eu-platform"))


# --- valid statements ------------------------------------------------------------------------------


def test_the_demo_platform_accounts_sign_in_with_the_demo_password(demo_platforms):
    from partnership.people.models import Membership

    for username in ("eu-platform", "jp-platform"):
        client = Client()
        response = client.post("/en/login/", {"username": username, "password": demo_platforms})
        assert response.status_code == 302, username
        assert client.get("/en/dashboard/").context["user"].username == username
        membership = Membership.objects.get(user__username=username)
        assert (membership.role, membership.organisation.kind) == ("platform", "platform")


def test_every_valid_statement_of_the_whole_space_is_accepted(spec, eu_token):
    generate = Generator(spec, seed=20261207)
    # Every day boundary, both sides of the category switch, and random days.
    days = [datetime.date.fromisoformat(day) for day in Generator.BOUNDARY_DAYS]
    batches = [generate.batch(100, day) for day in days] + [generate.batch(100) for _n in range(4)]
    filed = 0
    for batch in batches:
        response = post(eu_token, {"statements": batch})
        assert response.status_code == 201, (response.status_code, response.content[:2000])
        answered = response.json()["statements"]
        assert [item["puid"] for item in answered] == [s["puid"] for s in batch]
        assert all(re.fullmatch(r"[0-9a-f-]{36}", item["uuid"]) for item in answered)
        filed += len(batch)
    # Every value of every enum was filed at least once, the category sets each on their own dates.
    for name, rule in spec.rules.items():
        if rule.enum is None:
            continue
        wanted = set(spec.values(rule.enum, datetime.date(2026, 1, 1)))
        if rule.enum in DATED:
            wanted |= set(spec.values(rule.enum, datetime.date(2025, 1, 1)))
        filed_values = {value for (field_name, value) in generate.seen if field_name == name}
        if name in ("content_id", "content_id_ean"):
            continue
        assert wanted <= filed_values, (name, sorted(wanted - filed_values)[:5])
    from partnership.exchanges.platform_reports.models import Statement

    assert Statement.objects.count() == filed


def test_a_statement_read_back_is_the_one_filed(spec, eu_token):
    generate = Generator(spec, seed=11)
    batch = generate.batch(30)
    response = post(eu_token, {"statements": batch})
    assert response.status_code == 201, response.content[:2000]
    for sent, item in zip(batch, response.json()["statements"], strict=True):
        read = Client().get(f"{API}/statement/{item['uuid']}").json()
        for name in ("puid", "category", "decision_facts", "application_date", "content_type"):
            assert read[name] == sent[name], name
        found = Client().get(f"{API}/statement/existing-puid/{sent['puid']}", HTTP_AUTHORIZATION=eu_token)
        assert found.status_code == 200


def test_hundred_accepted_hundred_and_one_refused(spec, eu_token):
    generate = Generator(spec, seed=3)
    batch = generate.batch(101)
    before = stored()
    refused = post(eu_token, {"statements": batch})
    assert refused.status_code == 422
    assert stored() == before
    accepted = post(eu_token, {"statements": batch[:100]})
    assert accepted.status_code == 201
    assert len(accepted.json()["statements"]) == 100
    again = post(eu_token, {"statements": [batch[100], batch[5]]})  # batch[5]'s puid is taken now
    assert again.status_code == 422
    assert list(again.json()["errors"]) == ["statement_1"]
    assert "puid" in again.json()["errors"]["statement_1"]
    repeated = post(eu_token, {"statements": [batch[100], dict(batch[100])]})
    assert repeated.status_code == 422 and "statement_1" in repeated.json()["errors"]


# --- every rule broken, one at a time ---------------------------------------------------------------


def _where_kept(generate: Generator, spec: Contract, name: str) -> dict[str, Any]:
    """A valid statement in which `name` is present and checked (its conditions made to hold)."""
    rule = spec.rules[name.split(".")[0]] if "." in name else spec.rules[name]
    day = datetime.date(2026, 3, 1)
    for _attempt in range(200):
        s = generate.statement(day)
        condition = rule.required_if or rule.kept_if
        if condition is not None and not _holds(s, condition):
            continue
        if rule.dropped_if is not None and _holds(s, rule.dropped_if):
            continue
        return s
    raise AssertionError(f"no statement keeps {name}")


def breakings(spec: Contract, name: str) -> list[tuple[str, Any]]:
    """(what is broken, how) for each rule token of field `name`: each a function changing a statement
    so that exactly that rule refuses it."""
    rule = spec.rules[name]
    found: list[tuple[str, Any]] = []

    def setting(value):
        def apply(s):
            if "." in name:
                outer, inner = name.split(".", 1)
                s[outer] = {inner: value}
            else:
                s[name] = value

        return apply

    def removing(*names):
        def apply(s):
            for other in names:
                s.pop(other, None)

        return apply

    if rule.required:
        found += [("required: absent", removing(name)), ("required: null", setting(None))]
        found.append(("required: empty", setting([] if rule.array else "")))
        if not rule.array and rule.enum is None:
            # The database trims strings (TrimStrings) and then takes "" as null.
            found.append(("required: blank", setting("   \t ")))
    if rule.required_if is not None:
        found.append(("required_if: absent", removing(name)))
        if rule.enum is None:
            found.append(("required_if: blank", setting("  ")))
    if rule.required_without_all:
        found.append(("required_without_all", removing(name, *rule.required_without_all)))
    if rule.max is not None:
        # One code point over, in emoji: a count in bytes or UTF-16 units would refuse the maximum.
        found.append((f"max:{rule.max}", setting("😀" * (rule.max + 1))))
        if rule.url:
            found[-1] = (f"max:{rule.max}", setting("https://example.eu/" + "a" * rule.max))
    if rule.regex is not None:
        for bad in ("has space", "ümlaut", "new\nline", "semi;colon", "１２３４５６７８９０１２３"):
            if not rule.regex.fullmatch(bad):
                found.append((f"regex {bad!r}", setting(bad)))
        if name.endswith("EAN-13") or name == "content_id_ean":
            found += [("regex 12 digits", setting("1" * 12)), ("regex 14 digits", setting("1" * 14))]
    if rule.string:
        found.append(("string", setting(1234567890123)))
    if rule.date:
        for bad in ("2025-7-1", "01/07/2025", "2025-02-30", "2025-07-01 10:00:00", "20250701", 20250701):
            found.append((f"date_format {bad!r}", setting(bad)))
    if rule.after is not None:
        found.append(("after_or_equal", setting((rule.after - datetime.timedelta(days=1)).isoformat())))
    if rule.before is not None:
        found.append(("before_or_equal", setting((rule.before + datetime.timedelta(days=1)).isoformat())))
    if rule.enum is not None:
        bad_value = "NOT_A_DSA_VALUE"
        lower = spec.values(rule.enum, datetime.date(2026, 1, 1))[0].lower()
        for wrong in (bad_value, lower, 1):
            found.append((f"in {wrong!r}", setting([wrong] if rule.array else wrong)))
    if rule.array and name != "content_id":
        found.append(("array", setting("NOT_A_LIST")))
    if name == "content_id":
        found.append(("array", setting("0123456789012")))
    if rule.url:
        for bad in ("not a web address", "https://", "javascript:alert(1)"):
            found.append((f"url {bad!r}", setting(bad)))
    return found


def _cases() -> list[Any]:
    fields_csv = contract_dir() / "statement-of-reasons-fields.csv"
    if not fields_csv.exists():
        return [pytest.param("", marks=pytest.mark.skip(reason="the shared DSA contract is absent"))]
    with fields_csv.open(encoding="utf-8") as handle:
        return [pytest.param(row["field"], id=row["field"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize("name", _cases())
def test_each_rule_refuses_the_batch_naming_the_statement_and_the_field(spec, eu_token, name):
    generate = Generator(spec, seed=sum(map(ord, name)))
    cases = breakings(spec, name)
    rule = spec.rules[name]
    refusing = {"required", "required_if", "required_without_all", "max", "regex", "string", "date_format"}
    refusing |= {"after_or_equal", "before_or_equal", "in", "array", "url", "requiredIf"}
    untested = [t for t in rule.tokens if t in refusing and not any(c[0].startswith(t) for c in cases)]
    untested = [t for t in untested if not (t == "requiredIf" and rule.required_if)]
    assert not untested, f"a rule of {name} left unbroken: {untested}"
    outer = name.split(".")[0]
    for what, how in cases:
        batch = [generate.statement() for _n in range(4)]
        index = generate.rng.randrange(len(batch))
        batch[index] = _where_kept(generate, spec, outer)
        if name == "content_id.EAN-13":
            batch[index].pop("content_id_ean", None)
        how(batch[index])
        before = stored()
        response = post(eu_token, {"statements": batch})
        assert response.status_code == 422, (name, what, response.status_code, response.content[:500])
        errors = response.json()["errors"]
        assert list(errors) == [f"statement_{index}"], (name, what, errors)
        assert name in errors[f"statement_{index}"], (name, what, errors)
        assert all(isinstance(m, str) and m for m in errors[f"statement_{index}"][name])
        assert stored() == before, (name, what)


def test_a_category_of_the_other_set_on_the_wrong_date_is_refused(spec, eu_token):
    generate = Generator(spec, seed=5)
    checked = 0
    for name, rule in spec.rules.items():
        if rule.enum not in DATED:
            continue
        old = set(spec.values(rule.enum, datetime.date(2025, 6, 30)))
        new = set(spec.values(rule.enum, NEW_SET_FROM))
        for value, day in [
            (sorted(old - new)[0], NEW_SET_FROM),
            (sorted(new - old)[0], datetime.date(2025, 6, 30)),
        ]:
            s = generate.statement(day)
            s[name] = [value] if rule.array else value
            response = post(eu_token, {"statements": [generate.statement(), s]})
            assert response.status_code == 422, (name, value)
            assert name in response.json()["errors"]["statement_1"]
            checked += 1
    assert checked >= 6


def test_fields_dropped_by_their_condition_are_not_checked(spec, eu_token):
    """exclude_unless / excludeIf: a field whose condition does not hold is dropped unread, whatever
    it holds."""
    generate = Generator(spec, seed=9)
    for name, rule in spec.rules.items():
        condition = rule.kept_if or rule.dropped_if
        if condition is None:
            continue
        for _attempt in range(100):
            s = generate.statement()
            if rule.kept_if is not None and not _holds(s, rule.kept_if):
                break
            if rule.dropped_if is not None and _holds(s, rule.dropped_if):
                break
        else:
            raise AssertionError(name)
        s[name] = "x" * 9000
        response = post(eu_token, {"statements": [s]})
        assert response.status_code == 201, (name, response.content[:500])
        read = Client().get(f"{API}/statement/{response.json()['statements'][0]['uuid']}").json()
        assert name not in read or read[name] in (None, ""), name


# --- the DSA template counts what was filed --------------------------------------------------------


def _expected(statements: list[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """(row, measure) -> count, computed from the statements as filed (categories in the new set)."""
    cells: Counter[tuple[str, str]] = Counter()
    for s in statements:
        category = RENAMED.get(s["category"], s["category"])
        source, illegal = s["source_type"], s["decision_ground"] == "DECISION_GROUND_ILLEGAL_CONTENT"
        keys = ["statements"]
        if source == "SOURCE_TYPE_OTHER_NOTIFICATION":
            keys.append("other")
        elif source in ("SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER"):
            keys.append("notice_law" if illegal else "notice_tc")
            if source == "SOURCE_TRUSTED_FLAGGER":
                keys.append("notice_law_tf" if illegal else "notice_tc_tf")
        else:
            keys.append("own_illegal" if illegal else "own_tc")
            if s["automated_detection"] == "Yes":
                keys.append(("own_illegal" if illegal else "own_tc") + "_auto")
        keys.append("detected" if s["automated_detection"] == "Yes" else "not_detected")
        keys.append(s["automated_decision"])
        for key in keys:
            cells[("TOTAL", key)] += 1
            cells[(category, key)] += 1
    return cells


# The template's cells, by (sheet, column) -> measure of `_expected`.
MEASURES = {
    ("03_A151A_MSO", "Actions following other notifications (including orders)"): "other",
    ("04_A151B_Notices", "Number of actions taken on the basis of the law"): "notice_law",
    (
        "04_A151B_Notices",
        "Number of actions taken on the basis of the law (trusted flaggers)",
    ): "notice_law_tf",
    ("04_A151B_Notices", "Number of actions taken on the basis of the terms and conditions"): "notice_tc",
    (
        "04_A151B_Notices",
        "Number of actions taken on the basis of the terms and conditions (trusted flaggers)",
    ): "notice_tc_tf",
    ("05_A151C_Own_Illegal", "Number of own-initiative actions"): "own_illegal",
    ("05_A151C_Own_Illegal", "of which detected by automated means"): "own_illegal_auto",
    ("06_A151D_241AB_Own_TC", "Number of own-initiative actions"): "own_tc",
    ("06_A151D_241AB_Own_TC", "of which detected by automated means"): "own_tc_auto",
    ("08_A151BCE_422C_Auto", "Actions on content detected by automated means"): "detected",
    ("08_A151BCE_422C_Auto", "Actions on content not detected by automated means"): "not_detected",
    ("08_A151BCE_422C_Auto", "Fully automated decisions"): "AUTOMATED_DECISION_FULLY",
    ("08_A151BCE_422C_Auto", "Partially automated decisions"): "AUTOMATED_DECISION_PARTIALLY",
    ("08_A151BCE_422C_Auto", "Decisions not automated"): "AUTOMATED_DECISION_NOT_AUTOMATED",
    ("01_ID", "Statements of reasons counted"): "statements",
}


def _csv_cells(content: bytes) -> dict[tuple[str, str, str], str]:
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    return {(row["sheet"], row["row"], row["column"]): row["value"] for row in rows}


def _xlsx_cells(content: bytes) -> dict[tuple[str, str, str], Any]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    cells = {}
    for sheet in book.worksheets:
        lines = list(sheet.iter_rows(values_only=True))
        header = lines[1]
        for line in lines[2:]:
            for column, value in zip(header[1:], line[1:], strict=False):
                cells[(sheet.title, str(line[0]), str(column))] = value
    return cells


def test_the_dsa_template_counts_what_was_filed(spec, eu_token):
    generate = Generator(spec, seed=424242)
    start, end = datetime.date(2025, 4, 1), datetime.date(2025, 9, 30)  # across the category switch
    inside: list[dict[str, Any]] = []
    for _n in range(3):
        batch = []
        for _m in range(100):
            roll = generate.rng.random()
            if roll < 0.1:  # outside the period, on either side, at its edge
                day = generate.rng.choice(
                    [start - datetime.timedelta(days=1), end + datetime.timedelta(days=1)]
                )
            elif roll < 0.2:
                day = generate.rng.choice([start, end])
            else:
                day = start + datetime.timedelta(days=generate.rng.randrange((end - start).days + 1))
            s = generate.statement(day)
            batch.append(s)
            if start <= day <= end:
                inside.append(s)
        assert post(eu_token, {"statements": batch}).status_code == 201
    expected = _expected(inside)
    query = f"start={start}&end={end}"
    as_json = Client().get(f"{API}/platforms/eu-platform/dsa-template?{query}").json()
    assert as_json["statements"] == len(inside)
    by_csv = _csv_cells(Client().get(f"{API}/platforms/eu-platform/dsa-template?{query}&format=csv").content)
    by_xlsx = _xlsx_cells(
        Client().get(f"{API}/platforms/eu-platform/dsa-template?{query}&format=xlsx").content
    )
    categories = {key[0] for key in expected} | {
        row for (_sheet, row, _column) in by_csv if row.startswith("STATEMENT_CATEGORY_")
    }
    checked = 0
    for (sheet, column), measure in MEASURES.items():
        rows = ["TOTAL"] if sheet in ("01_ID", "08_A151BCE_422C_Auto") else sorted(categories)
        for row in rows:
            key = (sheet, "statements" if sheet == "01_ID" else row, column)
            want = expected.get((row, measure), 0)
            assert int(by_csv.get(key, 0) or 0) == want, (key, by_csv.get(key), want)
            assert int(by_xlsx.get(key, 0) or 0) == want, (key, by_xlsx.get(key), want)
            checked += 1
    assert checked > 100
    # Each section adds up: every statement is counted once among notices, orders and own initiative.
    total = sum(expected[("TOTAL", k)] for k in ("notice_law", "notice_tc", "other", "own_illegal", "own_tc"))
    assert total == len(inside)


# --- what the database does to text before its rules read it -----------------------------------------


def test_strings_are_trimmed_before_the_rules_as_by_the_database(spec, eu_token):
    """The database's TrimStrings middleware trims every string before validation: a puid with blanks
    around it is the puid without them (and so taken once), and a text of blanks only is no text."""
    generate = Generator(spec, seed=17)
    s = generate.statement()
    s["puid"] = "  trimmed-puid-1\t"
    s["decision_facts"] = "\u200b  Facts of the decision.  \n"
    response = post(eu_token, {"statements": [s]})
    assert response.status_code == 201, response.content[:500]
    uuid = response.json()["statements"][0]["uuid"]
    read = Client().get(f"{API}/statement/{uuid}").json()
    assert (read["puid"], read["decision_facts"]) == ("trimmed-puid-1", "Facts of the decision.")
    again = generate.statement()
    again["puid"] = "trimmed-puid-1"
    refused = post(eu_token, {"statements": [again]})
    assert refused.status_code == 422 and "puid" in refused.json()["errors"]["statement_0"]


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "x\\udc00y"])
def test_a_text_with_an_unpaired_surrogate_is_refused_naming_where(spec, eu_token, escape):
    """JSON can write half of a surrogate pair ("\\ud800") that no UTF-8 text holds: stored, it made
    every read of the statement (its page, `GET statement/{uuid}`, the platform's list) fail with 500.
    The EU database cannot decode such a body at all; here it is refused, naming the place, and
    nothing is stored."""
    generate = Generator(spec, seed=23)
    batch = generate.batch(3)
    body = json.dumps({"statements": batch}, ensure_ascii=True)
    marker = json.dumps(batch[2]["decision_facts"], ensure_ascii=True)
    body = body.replace(marker, marker[:-1] + escape + '"', 1)
    before = stored()
    response = post(eu_token, body)
    assert response.status_code == 422, response.content[:300]
    assert "statements[2].decision_facts" in response.json()["error"]["message"]
    assert stored() == before
    # A pair written as escapes is a character like any other.
    batch[2]["decision_facts"] = "pair: 😀"
    assert post(eu_token, json.dumps({"statements": batch}, ensure_ascii=True)).status_code == 201


# --- any Unicode text ------------------------------------------------------------------------------

BLANKS = " \t\n\v\f\r\ufeff\u200b\u180e"  # what the database's TrimStrings strips


def _kept(rule: Rule, statement: dict[str, Any]) -> bool:
    condition = rule.kept_if or rule.required_if
    if condition is not None and not _holds(statement, condition):
        return False
    return rule.dropped_if is None or not _holds(statement, rule.dropped_if)


def _any_text(rng: random.Random, limit: int) -> str:
    """1 to `limit` code points from all of Unicode (every plane, unassigned ones too) except
    surrogates and NUL (both refused whole: no UTF-8 text holds the one, PostgreSQL not the other)."""
    length = rng.choice([1, limit, rng.randint(1, min(limit, 300))])
    points = []
    while len(points) < length:
        point = rng.choice(
            [rng.randrange(1, 0x80), rng.randrange(0x80, 0x10000), rng.randrange(0x10000, 0x110000)]
        )
        if not 0xD800 <= point <= 0xDFFF:
            points.append(chr(point))
    text = "".join(points)
    return text if text.strip(BLANKS) else "x" + text[1:]


def test_any_unicode_text_within_its_length_is_accepted_and_read_back(spec, eu_token):
    generate = Generator(spec, seed=65536)
    free = [
        name
        for name, rule in spec.rules.items()
        if rule.max and rule.enum is None and rule.regex is None and not rule.url
    ]
    for _round in range(3):
        batch = generate.batch(100)
        for s in batch:
            for name in free:
                if isinstance(s.get(name), str) and _kept(spec.rules[name], s):
                    s[name] = _any_text(generate.rng, spec.rules[name].max or 1)
        response = post(eu_token, {"statements": batch})
        assert response.status_code == 201, response.content[:500]
        for s, item in list(zip(batch, response.json()["statements"], strict=True))[:20]:
            read = Client().get(f"{API}/statement/{item['uuid']}").json()
            for name in free:
                if isinstance(s.get(name), str) and _kept(spec.rules[name], s):
                    assert read[name] == s[name].strip(BLANKS), name


def test_a_demo_platform_gets_its_token_from_the_command_the_docs_and_demo_name(spec, demo_platforms):
    """`make demo` prints, and docs/platform-reports.md says: `partnership token create eu-platform`
    prints a bearer token; that token files statements as eu-platform."""
    from django.core.management import call_command

    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "eu-platform", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert token and "eu-platform" in err.getvalue()
    response = post(f"Bearer {token}", {"statements": Generator(spec, seed=31).batch(2)})
    assert response.status_code == 201
    listed = Client().get(f"{API}/platforms").json()
    assert {"eu-platform": 2}.items() <= {p["code"]: p["statements"] for p in listed}.items()


def test_a_demo_platform_signs_in_with_its_password_and_makes_its_own_token(spec, demo_platforms):
    """As in the EU database, where a platform makes its token in its profile: `jp-platform` signs in with
    the demo password, makes a token on its own page, and files 100 statements with it."""
    import re

    browser = Client()
    signed = browser.post("/en/login/", {"username": "jp-platform", "password": demo_platforms})
    assert signed.status_code == 302
    page = browser.post("/en/people/me/tokens/", {"name": "filing"}).content.decode()
    token = re.search(r'<code class="token" id="new-token">([^<]+)</code>', page)[1]
    response = post(f"Bearer {token}", {"statements": Generator(spec, seed=47).batch(100)})
    assert response.status_code == 201 and len(response.json()["statements"]) == 100
    listed = Client().get(f"{API}/platforms").json()
    assert {"jp-platform": 100}.items() <= {p["code"]: p["statements"] for p in listed}.items()
