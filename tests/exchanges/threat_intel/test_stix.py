"""The STIX checks: the library's property cleaners called directly agree with `stix2.parse`."""

import copy
import json
import uuid
import warnings
from pathlib import Path

import pytest
import stix2
import stix2.exceptions

from partnership.exchanges.threat_intel.stix import InvalidObject, check
from tests.exchanges.threat_intel.conftest import indicator, stix_object

DATA = Path(__file__).resolve().parents[4] / "shared" / "testdata" / "stix"


def relationship(**extra) -> dict:
    return stix_object(
        "relationship",
        **{
            "relationship_type": "uses",
            "source_ref": f"intrusion-set--{uuid.uuid4()}",
            "target_ref": f"attack-pattern--{uuid.uuid4()}",
            "external_references": [{"source_name": "mitre-attack", "external_id": "T0001"}],
            **extra,
        },
    )


def attack_pattern(**extra) -> dict:
    return stix_object(
        "attack-pattern",
        **{
            "name": "Spearphishing",
            "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "initial-access"}],
            **extra,
        },
    )


def library_accepts(stix_object: dict, allow_custom: bool) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            stix2.parse(copy.deepcopy(stix_object), allow_custom=allow_custom, version="2.1")
    except (stix2.exceptions.STIXError, ValueError, TypeError, KeyError):
        return False
    return True


def we_accept(stix_object: dict, allow_custom: bool) -> bool:
    try:
        check(stix_object, allow_custom)
    except InvalidObject:
        return False
    return True


CASES = [
    relationship(),
    relationship(start_time="2026-02-01T00:00:00Z", stop_time="2026-01-01T00:00:00Z"),  # stop before start
    relationship(relationship_type=""),
    relationship(source_ref="not-a-ref"),
    relationship(target_ref=f"bundle--{uuid.uuid4()}"),  # a type a relationship may not point to
    relationship(external_references=[{"external_id": "T0001"}]),  # no source_name
    relationship(external_references=[{"source_name": "x", "x_extra": 1}]),  # custom in an embedded object
    relationship(external_references="mitre"),
    relationship(confidence=101),
    relationship(x_mitre_version="1.0"),  # custom property
    relationship(**{"1bad": "name"}),
    relationship(revoked="yes"),
    relationship(object_marking_refs=[f"indicator--{uuid.uuid4()}"]),
    {key: value for key, value in relationship().items() if key != "source_ref"},  # missing
    attack_pattern(),
    attack_pattern(kill_chain_phases=[{"kill_chain_name": "mitre-attack"}]),
    attack_pattern(kill_chain_phases=[]),
    attack_pattern(name=["a", "list"]),
    indicator(),
    indicator(pattern="[not a pattern"),
]


@pytest.mark.parametrize("allow_custom", [True, False])
@pytest.mark.parametrize("case", range(len(CASES)))
def test_the_checks_agree_with_stix2_parse(case, allow_custom):
    stix_object = CASES[case]
    assert we_accept(stix_object, allow_custom) == library_accepts(stix_object, allow_custom)


@pytest.mark.skipif(not DATA.is_dir(), reason="no ATT&CK test data")
def test_every_attack_object_is_judged_as_the_library_judges_it():
    judged = 0
    for path in sorted(DATA.glob("*.json")):
        for item in json.loads(path.read_text())["objects"]:
            if item["type"].startswith("x-"):
                continue
            assert we_accept(item, True) == library_accepts(item, True), item["id"]
            judged += 1
    assert judged > 1000  # the four ATT&CK bundles, not an empty folder


def test_check_returns_the_times():
    created, modified = check(relationship(modified="2026-03-01T00:00:00.123Z"), False)
    assert (created.month, modified.month, modified.microsecond) == (1, 3, 123000)
