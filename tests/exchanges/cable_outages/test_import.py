"""Importing the map: TeleGeography's v3 and v2 layouts and GeoJSON, idempotence, what a second
snapshot changed, and bad input refused naming the file and field with nothing stored."""

import copy
import json

import pytest
from django.core.management import call_command
from django.test import override_settings

from partnership.errors import Invalid, PermissionDenied
from partnership.exchanges.cable_outages import services
from partnership.exchanges.cable_outages.models import Cable, LandingPoint, MapImport

pytestmark = pytest.mark.django_db

POINT = {
    "type": "Feature",
    "properties": {"id": "a", "name": "A, Japan"},
    "geometry": {"type": "Point", "coordinates": [1, 2]},
}


def v3_folder(write_map, cables, points, name="map"):
    """A folder in the v3 layout: cables {slug: (name, [(point slug, country)], line)}, points
    {slug: (lon, lat)}."""
    files = {
        "cable/cable-geo.json": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": slug, "name": name_},
                    "geometry": {"type": "MultiLineString", "coordinates": [line]},
                }
                for slug, (name_, _landings, line) in cables.items()
            ],
        },
        "landing-point/landing-point-geo.json": {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "properties": {"id": slug, "name": slug},
                    "geometry": {"type": "Point", "coordinates": list(position)},
                }
                for slug, position in points.items()
            ],
        },
    }
    for slug, (name_, landings, _line) in cables.items():
        files[f"cable/{slug}.json"] = {
            "id": slug,
            "name": name_,
            "length": "1,000 km",
            "owners": "KDDI, Orange",
            "suppliers": "NEC",
            "rfs": "2001 May",
            "rfs_year": 2001,
            "is_planned": False,
            "url": None,
            "notes": None,
            "landing_points": [
                {"id": point, "name": point, "country": country} for point, country in landings
            ],
        }
    return write_map(files, name)


SMALL = {
    "alpha": ("Alpha", [("tokyo", "Japan"), ("marseille", "France")], [[139.7, 35.6], [5.4, 43.3]]),
    "beta": ("Beta", [("tokyo", "Japan"), ("singapore", "Singapore")], [[139.7, 35.6], [103.9, 1.3]]),
}
POINTS = {"tokyo": (139.7, 35.6), "marseille": (5.4, 43.3), "singapore": (103.9, 1.3)}


def test_the_v3_map_imports_with_every_cable_and_landing_point(imported_v3):
    assert imported_v3.stored
    record = imported_v3.record
    assert (record.layout, record.cables, record.landing_points) == ("v3", 521, 1414)
    assert Cable.objects.count() == 521 and LandingPoint.objects.count() == 1414
    smw3 = Cable.objects.get(slug="seamewe-3")
    assert (smw3.rfs_year, smw3.length_km, smw3.is_planned) == (1999, 39000.0, False)
    assert {"KDDI", "Orange", "Softbank Corp"} <= set(smw3.owners.values_list("name", flat=True))
    assert "ASN" in set(smw3.suppliers.values_list("name", flat=True))
    assert "red-sea-suez" in smw3.corridors
    marseille = LandingPoint.objects.get(slug="marseille-france")
    assert (marseille.country_code, round(marseille.latitude, 1)) == ("FR", 43.3)
    # TeleGeography's spellings map to ISO codes: every landing point of the real map has one.
    assert not LandingPoint.objects.filter(country_code="").exists()
    assert LandingPoint.objects.get(slug="philipsburg-sint-maarten").country_code == "SX"


def test_importing_the_same_snapshot_again_stores_nothing(imported_v3, v3_map, members):
    again = services.import_map(members["jp_secretariat"], v3_map)
    assert not again.stored and again.record == imported_v3.record
    assert MapImport.objects.count() == 1


def test_a_second_snapshot_reports_new_retired_and_rerouted_cables(members, write_map):
    user = members["jp_secretariat"]
    services.import_map(user, v3_folder(write_map, SMALL, POINTS, "one"))
    changed = copy.deepcopy(SMALL)
    del changed["beta"]
    changed["alpha"] = ("Alpha", SMALL["alpha"][1], [[139.7, 35.6], [80.0, 5.0], [5.4, 43.3]])
    changed["gamma"] = (
        "Gamma",
        [("singapore", "Singapore"), ("marseille", "France")],
        [[103.9, 1.3], [5.4, 43.3]],
    )
    second = services.import_map(user, v3_folder(write_map, changed, POINTS, "two"))
    assert second.changes == {"new": ["gamma"], "retired": ["beta"], "rerouted": ["alpha"]}
    assert Cable.objects.get(slug="beta").retired_by == second.record
    assert MapImport.objects.get(pk=second.record.pk).changes["retired"] == ["beta"]
    # The retired cable comes back in a third snapshot: new again, no longer retired.
    third = services.import_map(user, v3_folder(write_map, SMALL, POINTS, "three"))
    assert "beta" in third.changes["new"] and Cable.objects.get(slug="beta").retired_by is None


def test_the_v2_layout_reads_latlon_numeric_ids_and_the_country_from_the_name(members, write_map):
    """v2 (published until 2021): numeric landing point ids, `latlon`, no country, no rfs_year."""
    root = write_map(
        {
            "cable/cable-geo.json": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"cable_id": 1346, "name": "SeaMeWe-3"},
                        "geometry": {
                            "type": "MultiLineString",
                            "coordinates": [[[127.7, 26.2], [5.4, 43.3]]],
                        },
                    }
                ],
            },
            "landing-point/landing-point-geo.json": {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"id": 3225, "name": "Okinawa, Japan"},
                        "geometry": {"type": "Point", "coordinates": [127.7, 26.2]},
                    }
                ],
            },
            "cable/seamewe-3.json": {
                "cable_id": 1346,
                "id": "seamewe-3",
                "name": "SeaMeWe-3",
                "length": "39,000 km",
                "rfs": "1999 September",
                "owners": "KDDI, Orange",
                "landing_points": [
                    {"landing_point_id": 3225, "id": 3225, "name": "Okinawa, Japan"},
                    {
                        "landing_point_id": 4210,
                        "id": 4210,
                        "name": "Marseille, France",
                        "latlon": "43.296,5.381",
                    },
                    {
                        "landing_point_id": 4211,
                        "id": 4211,
                        "name": "Nice, Provence, France",
                        "latlon": [43.7, 7.27],
                    },
                    {"landing_point_id": 4212, "id": 4212, "name": "Catania, Italy"},
                ],
            },
            # A position kept only in the landing point's own file.
            "landing-point/4212.json": {"id": 4212, "name": "Catania, Italy", "latlon": "37.5,15.09"},
        },
        "copy/api/v2",
    )
    result = services.import_map(members["jp_secretariat"], root.parent.parent)  # found below PATH
    assert result.record.layout == "v2" and result.record.warnings == []
    cable = Cable.objects.get(slug="seamewe-3")
    assert cable.segments.count() == 1  # the route found by v2's numeric cable_id
    assert (cable.rfs_year, cable.is_planned) == (1999, False)
    points = {point.slug: point for point in LandingPoint.objects.all()}
    assert {slug: point.country_code for slug, point in points.items()} == {
        "okinawa-japan": "JP",
        "marseille-france": "FR",
        "nice-provence-france": "FR",
        "catania-italy": "IT",
    }
    assert (
        round(points["marseille-france"].latitude, 3),
        round(points["marseille-france"].longitude, 3),
    ) == (43.296, 5.381)
    assert round(points["okinawa-japan"].longitude, 1) == 127.7  # from landing-point-geo.json by number


def test_plain_geojson_imports(members, demo_geojson):
    result = services.import_map(members["eu_secretariat"], demo_geojson)
    assert (result.record.layout, result.record.cables) == ("geojson", 6)
    assert Cable.objects.get(slug="demo-space-link").kind == "space"


@pytest.mark.parametrize(
    "mangle, named",
    [
        (lambda files: files.__setitem__("cable/alpha.json", "{not json"), "cable/alpha.json"),
        (
            lambda files: files["cable/alpha.json"].__setitem__("landing_points", []),
            "cable/alpha.json: landing_points",
        ),
        (
            lambda files: files["landing-point/landing-point-geo.json"]["features"].pop(0),
            "cable/alpha.json: landing_points[0]",
        ),
        (
            lambda files: files["cable/alpha.json"].__setitem__("rfs_year", "soon"),
            "cable/alpha.json: rfs_year",
        ),
        (
            lambda files: files["cable/cable-geo.json"]["features"][0]["geometry"].__setitem__(
                "type", "Point"
            ),
            "cable/cable-geo.json",
        ),
        (
            lambda files: files["cable/alpha.json"]["landing_points"][0].__setitem__(
                "name", 7.5j if False else ["x"]
            ),
            "landing_points[0].name",
        ),
    ],
    ids=[
        "malformed file",
        "no landings",
        "landing point without position",
        "bad year",
        "bad geometry",
        "bad name",
    ],
)
def test_bad_input_is_refused_naming_file_and_field_and_nothing_is_stored(members, write_map, mangle, named):
    good = v3_folder(write_map, SMALL, POINTS, "good")
    files = {str(path.relative_to(good)): json.loads(path.read_text()) for path in good.rglob("*.json")}
    mangle(files)
    root = write_map(files, "bad")
    with pytest.raises(Invalid) as refused:
        services.import_map(members["jp_secretariat"], root)
    assert named in refused.value.message
    assert not MapImport.objects.exists() and not Cable.objects.exists() and not LandingPoint.objects.exists()


def test_a_folder_that_is_no_map_is_refused(members, tmp_path):
    with pytest.raises(Invalid, match="cable-geo.json"):
        services.import_map(members["jp_secretariat"], tmp_path)
    (tmp_path / "map.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": [POINT]}))
    with pytest.raises(Invalid, match="no cable"):
        services.import_map(members["jp_secretariat"], tmp_path / "map.geojson")


def test_who_imports_the_map(members, demo_geojson):
    """A secretariat, on its own party's node; no other role, nobody signed out."""
    from django.contrib.auth.models import AnonymousUser

    for name in ("jp_lead", "eu_lead", "jp_stakeholder", "eu_member_state"):
        with pytest.raises(PermissionDenied):
            services.import_map(members[name], demo_geojson)
    with pytest.raises(PermissionDenied):
        services.import_map(AnonymousUser(), demo_geojson)
    with override_settings(NODE_PARTY="JP"), pytest.raises(PermissionDenied):
        services.import_map(members["eu_secretariat"], demo_geojson)
    assert not MapImport.objects.exists()
    with override_settings(NODE_PARTY="JP"):
        assert services.import_map(members["jp_secretariat"], demo_geojson).stored


def test_the_import_command_reports_the_changes(members, demo_geojson, capsys):
    call_command("cables", "import", str(demo_geojson), "--user", "jp-secretariat")
    assert "Imported 6 cables" in capsys.readouterr().out
    call_command("cables", "import", str(demo_geojson), "--user", "jp-secretariat")
    assert "Unchanged" in capsys.readouterr().out
