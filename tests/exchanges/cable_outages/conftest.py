"""Fixtures of the cable map's tests: TeleGeography's v3 map in ../shared/testdata/cables (licensed for
tests only: read where it lies, never copied), and small maps written for a test."""

import json
import shutil

import pytest

from tests.conftest import shared_dir

TELEGEOGRAPHY_V3 = shared_dir() / "testdata" / "cables" / "telegeography-v3"


@pytest.fixture
def v3_map():
    """The path of TeleGeography's v3 map, or a skip saying why."""
    if not (TELEGEOGRAPHY_V3 / "cable" / "cable-geo.json").is_file():
        pytest.skip(
            f"{TELEGEOGRAPHY_V3} is absent: set PARTNERSHIP_SHARED_DIR to the shared folder to run this test"
        )
    return TELEGEOGRAPHY_V3


@pytest.fixture
def imported_v3(v3_map, members):
    """The v3 map imported by the JP secretariat."""
    from partnership.exchanges.cable_outages import services

    return services.import_map(members["jp_secretariat"], v3_map)


@pytest.fixture
def write_map(tmp_path):
    """write_map(files: {relative path: JSON value or text}) -> a folder holding them."""

    def write(files: dict, name: str = "map"):
        root = tmp_path / name
        if root.exists():
            shutil.rmtree(root)
        for relative, value in files.items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(value if isinstance(value, str) else json.dumps(value), encoding="utf-8")
        return root

    return write


@pytest.fixture
def demo_geojson(tmp_path):
    """The demo's invented map as a GeoJSON file."""
    from partnership.exchanges.cable_outages.demo import demo_map

    path = tmp_path / "demo.geojson"
    path.write_text(json.dumps(demo_map()), encoding="utf-8")
    return path


@pytest.fixture
def operators(members, demo_geojson):
    """The demo map, and operators: two of JP (a filer and a co-owner), one of the EU, one outsider."""
    from partnership.exchanges.cable_outages import services
    from partnership.people.models import Organisation, Party
    from partnership.people.services import create_member

    services.import_map(members["jp_secretariat"], demo_geojson)
    made = {}
    for name, party in (("jp-cable-a", "JP"), ("jp-cable-b", "JP"), ("eu-cable", "EU"), ("jp-cable-c", "JP")):
        org = Organisation.objects.create(
            code=name, party=Party.objects.get(code=party), kind="operator", name_en=name, name_ja=name
        )
        made[name] = create_member(f"{name}-op", "correct-horse-battery-9", org, "operator")
    return made
