"""Every rule of the DSA contract's fields CSV, exercised generically: a valid statement generated from
the shared contract, then one field broken the way each token of its rule text forbids. No field, value
or rule is special-cased here; the cases come from `statement-of-reasons-fields.csv` alone."""

from __future__ import annotations

import copy
import datetime
import re
from typing import Any

import pytest

from partnership.exchanges.platform_reports import schema
from partnership.exchanges.platform_reports.validation import validate

from .conftest import NEW_SET_FROM, conditions, read_contract

BAD_TEXT_CANDIDATES = ["not allowed!", "12345", "abc"]


def _set(statement: dict[str, Any], field: str, value: Any) -> None:
    if "." in field:  # content_id.EAN-13: a member of an object field
        outer, inner = field.split(".", 1)
        statement.setdefault(outer, {})
        statement[outer][inner] = value
    else:
        statement[field] = value


def _delete(statement: dict[str, Any], field: str) -> None:
    statement.pop(field, None)


def _php_regex(token: str) -> re.Pattern:
    body = token.split(":", 1)[1]
    pattern = body[1 : body.rindex("/")]
    return re.compile(pattern.removeprefix("^").removesuffix("$"))


def setting(field: str, value: Any):
    return lambda statement: _set(statement, field, value)


def deleting(*fields: str):
    def delete(statement: dict[str, Any]) -> None:
        for field in fields:
            _delete(statement, field)

    return delete


def breakings(contract, field: str) -> list[tuple[str, Any]]:
    """(token, how to break `field` so that token refuses it) for each token of its rule."""
    found: list[tuple[str, Any]] = []
    is_list = "array" in contract.rules[field] and field != "content_id"
    for token in contract.rules[field]:
        name, _sep, argument = token.partition(":")
        if name == "required" or token.startswith("Rule::requiredIf") or name == "required_if":
            found.append((token, deleting(field)))
        elif name == "required_without_all":
            found.append((token, deleting(field, *argument.split(","))))
        elif name == "max":
            limit = int(argument)
            too_long = "a" * (limit + 1)
            if "url" in contract.rules[field]:
                too_long = "https://example.eu/" + "a" * limit
            found.append((token, setting(field, too_long)))
        elif name == "regex":
            pattern = _php_regex(token)
            found.append(
                (token, setting(field, next(c for c in BAD_TEXT_CANDIDATES if not pattern.fullmatch(c))))
            )
        elif name == "date_format":
            found.append((token, setting(field, "01/02/2025")))
        elif name in ("after_or_equal", "before_or_equal"):
            step = datetime.timedelta(days=-1 if name == "after_or_equal" else 1)
            found.append((token, setting(field, (datetime.date.fromisoformat(argument) + step).isoformat())))
        elif token.startswith("$this->in("):
            found.append((token, setting(field, ["NOT_A_DSA_VALUE"] if is_list else "NOT_A_DSA_VALUE")))
        elif name == "array":
            found.append((token, setting(field, "NOT_A_LIST")))
        elif name == "url":
            found.append((token, setting(field, "not a web address")))
        elif name == "string":
            found.append((token, setting(field, 1234567890123)))
    return found


def every_breaking(contract):
    return [(field, token) for field in contract.rules for token, _how in breakings(contract, field)]


def _cases():
    # Collected from the shared CSV when it is there; one skipped case saying so when it is not.
    found = read_contract()
    if found is None:
        return [pytest.param("", "", marks=pytest.mark.skip(reason="the shared DSA contract is absent"))]
    return [pytest.param(field, token, id=f"{field}:{token[:40]}") for field, token in every_breaking(found)]


def test_generated_statements_are_valid(generate):
    for _n in range(200):
        statement = generate.statement()
        cleaned, errors = validate(statement)
        assert errors == {}, (statement, errors)
        assert cleaned["puid"] == statement["puid"]


@pytest.mark.parametrize(("field", "token"), _cases())
def test_each_rule_of_each_field_refuses_what_it_forbids(contract, generate, field, token):
    statement = generate.keeping(field)
    assert validate(statement)[1] == {}, "the statement before breaking it must be valid"
    how = dict(breakings(contract, field))[token]
    broken = copy.deepcopy(statement)
    how(broken)
    cleaned, errors = validate(broken)
    assert field in errors, (token, errors)
    assert all(isinstance(message, str) and message for message in errors[field])


def test_every_rule_token_is_exercised(contract):
    # A token this test does not know would be a rule left untested: the list of tokens known not to
    # refuse a value (they allow or drop one) is checked by the tests below.
    allowing = ("nullable", "exclude_unless", "Rule::excludeIf")
    for field, tokens in contract.rules.items():
        broken = {token for token, _how in breakings(contract, field)}
        for token in tokens:
            assert token in broken or token.startswith(allowing), (field, token)


def test_a_nullable_field_may_be_null(contract, generate):
    for field, tokens in contract.rules.items():
        if "nullable" in tokens:
            statement = generate.keeping(field)
            _set(statement, field, None)
            assert validate(statement)[1] == {}, field


def test_a_field_excluded_by_its_condition_is_dropped_unread(contract, generate):
    for field, tokens in contract.rules.items():
        if not any(token.startswith(("exclude_unless", "Rule::excludeIf")) for token in tokens):
            continue
        statement = generate.statement(day=generate.day(NEW_SET_FROM))
        for other, value, holds in conditions(contract, field):
            if other == "decision_ground":
                other_ground = next(
                    g for g in contract.values("DECISION_GROUNDS", NEW_SET_FROM) if g != value
                )
                statement = generate.statement(
                    day=generate.day(NEW_SET_FROM),
                    decision_ground=other_ground,
                    **generate._ground(other_ground),
                )
            elif holds:
                current = statement.get(other)
                if isinstance(current, list):
                    statement[other] = [v for v in current if v != value] or [
                        v for v in contract.values(contract.enum_of[other], NEW_SET_FROM) if v != value
                    ][:1]
                elif current == value:
                    statement[other] = next(
                        v for v in contract.values(contract.enum_of[other], NEW_SET_FROM) if v != value
                    )
            else:
                statement[other] = [value] if isinstance(statement.get(other), list) else value
        statement[field] = "x" * 6000
        cleaned, errors = validate(statement)
        assert errors == {}, (field, errors)
        assert field not in cleaned, field


def test_every_value_of_every_enum_is_accepted_on_its_dates(contract, generate):
    for field, enum in contract.enum_of.items():
        for day in (datetime.date(2024, 5, 1), datetime.date(2026, 5, 1)):
            for value in contract.values(enum, day):
                statement = generate.keeping(field)
                statement["application_date"] = day.isoformat()
                statement["content_date"] = day.isoformat()
                for dated in ("category", "category_addition", "category_specification"):
                    # the other category fields follow the day too
                    enum_of_dated = contract.enum_of[dated]
                    pick = contract.values(enum_of_dated, day)[0]
                    statement[dated] = [pick] if isinstance(statement.get(dated), list) else pick
                is_list = isinstance(statement.get(field), list) or "array" in contract.rules[field]
                statement[field] = [value] if is_list else value
                if f"{field}_other" in contract.rules:
                    statement[f"{field}_other"] = "specified"
                if field == "decision_ground":
                    statement.update(generate._ground(value))
                assert validate(statement)[1] == {}, (field, value, validate(statement)[1])


def test_a_category_of_the_other_set_is_refused_on_the_wrong_date(contract, generate):
    before, after = datetime.date(2025, 6, 30), NEW_SET_FROM
    checked = 0
    for field, enum in contract.enum_of.items():
        old, new = set(contract.values(enum, before)), set(contract.values(enum, after))
        for value, day in [*((v, after) for v in old - new), *((v, before) for v in new - old)]:
            statement = generate.statement(day=day)
            is_list = isinstance(statement.get(field), list)
            statement[field] = [value] if is_list else value
            errors = validate(statement)[1]
            assert field in errors, (field, value, day)
            assert "1 July 2025" in errors[field][0] or "30 June 2025" in errors[field][0]
            checked += 1
    assert checked > 0


def test_the_exchange_schema_is_the_contract(contract):
    """The exchange ships the database's enums as data: they must be the contract's, set for set."""
    old_set, new_set = schema.schema()["category_sets"]
    assert old_set["categories"] == contract.old["STATEMENT_CATEGORIES"]
    assert old_set["keywords"] == contract.old["KEYWORDS"]
    assert new_set["categories"] == contract.new["STATEMENT_CATEGORIES"]
    assert new_set["keywords"] == contract.new["KEYWORDS"]
    for name, values in schema.schema()["enums"].items():
        assert values == contract.new[name], name
    assert {rule.name for rule in schema.FIELDS} == {f.split(".")[0] for f in contract.rules}


def test_the_shared_fixtures_are_accepted(contract):
    import json

    from .conftest import contract_dir

    fixtures = contract_dir() / "fixtures"
    one = json.loads((fixtures / "example_statement.json").read_text(encoding="utf-8"))
    many = json.loads((fixtures / "example_multi_statements.json").read_text(encoding="utf-8"))["statements"]
    for statement in [one, *many]:
        cleaned, errors = validate(statement)
        assert errors == {}, errors
        assert "platform_name" not in cleaned and "permalink" not in cleaned


def test_a_statement_that_is_not_an_object_is_refused():
    assert validate(["not", "an", "object"])[1] == {"statement": ["A statement must be a JSON object."]}


def test_a_typed_field_without_nullable_refuses_null(contract, generate):
    """Laravel runs a rule on a field that is present, even null ("" becomes null): `array`, `string`
    and `in` fail on null unless the rule says `nullable`. Only `max:`-only fields take null."""
    typed = ("array", "string", "$this->in(")
    checked = []
    for field, tokens in contract.rules.items():
        if "nullable" in tokens or any(t.startswith("required") for t in tokens):
            continue
        if not any(token.startswith(typed) for token in tokens):
            continue
        for empty in (None, ""):
            statement = generate.keeping(field)
            _set(statement, field, empty)
            errors = validate(statement)[1]
            assert field in errors, (field, empty, errors)
        checked.append(field)
    assert {"category_addition", "incompatible_content_illegal", "content_id.EAN-13"} <= set(checked)
