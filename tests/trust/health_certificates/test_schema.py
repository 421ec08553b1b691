"""The EU DCC JSON schema check: valid DCCs of each kind pass, each kind of violation names its path."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from partnership.trust.health_certificates import schema
from partnership.trust.health_certificates.errors import CertificateError, Step

from .dcc_vectors import RECOVERY, TEST, VACCINATION

# The shared RECOVERY vector has no transliterated name (fnt), which the schema requires.
RECOVERY_WITH_FNT = {**RECOVERY, "nam": {**RECOVERY["nam"], "fnt": "DUPONT", "gnt": "MARIE"}}


def changed(base: dict[str, Any], change: Callable[[dict[str, Any]], Any]) -> dict[str, Any]:
    dcc = copy.deepcopy(base)
    change(dcc)
    return dcc


def refused(dcc: Any) -> str:
    with pytest.raises(CertificateError) as caught:
        schema.check_schema(dcc)
    assert caught.value.step == Step.STRUCTURE
    assert caught.value.code == "dcc.schema"
    return caught.value.message


@pytest.mark.parametrize(
    "dcc", [VACCINATION, TEST, RECOVERY_WITH_FNT], ids=["vaccination", "test", "recovery"]
)
def test_valid_certificates_pass(dcc: dict[str, Any]) -> None:
    schema.check_schema(copy.deepcopy(dcc))


def test_the_validator_is_compiled_once() -> None:
    assert schema.validator() is schema.validator()


@pytest.mark.parametrize(
    ("base", "change", "message"),
    [
        # a required field missing: in an entry, at the root, in the name
        (VACCINATION, lambda d: d["v"][0].pop("ci"), "v/0/ci: is required but missing"),
        (TEST, lambda d: d["t"][0].pop("tt"), "t/0/tt: is required but missing"),
        (VACCINATION, lambda d: d.pop("nam"), "nam: is required but missing"),
        (VACCINATION, lambda d: d.pop("dob"), "dob: is required but missing"),
        (TEST, lambda d: d["nam"].pop("fnt"), "nam/fnt: is required but missing"),
        # a wrong type
        (VACCINATION, lambda d: d["v"][0].update(dn="2"), 'v/0/dn: "2" is not of type "integer"'),
        (VACCINATION, lambda d: d["v"][0].update(dn=True), 'v/0/dn: true is not of type "integer"'),
        (VACCINATION, lambda d: d.update(nam=["X"]), "nam: an array of 1 item is not of type object"),
        (TEST, lambda d: d.update(t={"tg": "840539006"}), "t: an object is not of type array"),
        # a bad date (of birth: a pattern, 1900-2099, YYYY[-MM[-DD]])
        (
            VACCINATION,
            lambda d: d.update(dob="1998-2-26"),
            'dob: "1998-2-26" does not match "^((19|20)\\d\\d(-\\d\\d){0,2}){0,1}$"',
        ),
        (
            VACCINATION,
            lambda d: d.update(dob="2101-01-01"),
            'dob: "2101-01-01" does not match "^((19|20)\\d\\d(-\\d\\d){0,2}){0,1}$"',
        ),
        # a value out of range
        (VACCINATION, lambda d: d["v"][0].update(dn=-1), "v/0/dn: -1 is less than the minimum of 1"),
        (VACCINATION, lambda d: d["v"][0].update(sd=0), "v/0/sd: 0 is less than the minimum of 1"),
        (
            RECOVERY_WITH_FNT,
            lambda d: d["r"][0].update(**{"is": "M" * 81}),
            'r/0/is: "' + "M" * 40 + '…" is longer than 80 characters',
        ),
        (TEST, lambda d: d["nam"].update(fnt="Yamada"), 'nam/fnt: "Yamada" does not match "^[A-Z<]*$"'),
        # one certificate, of one kind
        (
            VACCINATION,
            lambda d: d.pop("v"),
            "(the DCC): one of v (vaccination), t (test) or r (recovery) is required",
        ),
        (
            VACCINATION,
            lambda d: d.update(t=TEST["t"]),
            "(the DCC): holds v, t: only one of v, t and r is allowed",
        ),
        (
            VACCINATION,
            lambda d: d["v"].append(d["v"][0]),
            "v: an array of 2 items, more than the maximum of 1",
        ),
        (VACCINATION, lambda d: d.update(v=[]), "v: an array of 0 items, fewer than the minimum of 1"),
        # what JSON cannot hold (a CBOR decoding may give it)
        (VACCINATION, lambda d: d["v"][0].update(ci=b"URN:UVCI"), "v/0/ci: bytes is not a JSON value"),
        (VACCINATION, lambda d: d["v"][0].update({4: "x"}), "v/0: the map key 4 is not text"),
    ],
)
def test_violations_name_the_path(
    base: dict[str, Any], change: Callable[[dict[str, Any]], Any], message: str
) -> None:
    assert refused(changed(base, change)) == message


def test_not_an_object() -> None:
    assert refused("HC1:") == '(the DCC): "HC1:" is not of type "object"'
    assert refused([VACCINATION]) == "(the DCC): an array of 1 item is not of type object"


def test_unknown_properties_are_allowed() -> None:
    # The schema has no additionalProperties: false; issuers' extensions do not make a DCC invalid.
    schema.check_schema(changed(VACCINATION, lambda d: d.update(x="extension")))
    schema.check_schema(changed(VACCINATION, lambda d: d["v"][0].update(x=1)))


def test_formats_are_annotations() -> None:
    # format (date, date-time) is not checked: some issuers wrote a timestamp where a date belongs.
    schema.check_schema(changed(VACCINATION, lambda d: d["v"][0].update(dt="2021-06-11T00:00:00")))
    schema.check_schema(changed(TEST, lambda d: d["t"][0].update(sc="yesterday")))


def test_cbor_dates_and_date_times_are_checked_as_text() -> None:
    schema.check_schema(changed(TEST, lambda d: d["t"][0].update(sc=datetime(2026, 4, 1, 10, tzinfo=UTC))))
    schema.check_schema(changed(VACCINATION, lambda d: d["v"][0].update(dt=date(2021, 6, 11))))
    # converted only to be checked: the dates still fail where the schema wants something else
    assert (
        refused(changed(VACCINATION, lambda d: d["v"][0].update(dt=date(2021, 6, 11), dn=0)))
        == "v/0/dn: 0 is less than the minimum of 1"
    )


def test_deep_nesting_is_refused() -> None:
    nested: list[Any] = []
    inner = nested
    for _ in range(100_000):
        inner.append([])
        inner = inner[0]
    inner.append(b"\x00")
    assert refused({"v": nested}) == "(the DCC): nested too deeply"
