"""Hostile input: oversized questions, odd ids, markup in a map's names, numbers JSON cannot hold."""

import json

import pytest
from django.test import Client

from partnership.errors import Invalid
from partnership.exchanges.cable_outages import services
from partnership.exchanges.cable_outages.demo import demo_map
from partnership.exchanges.cable_outages.models import Cable, MapImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(members, demo_geojson):
    services.import_map(members["jp_secretariat"], demo_geojson)


def test_questions_too_big_or_odd_are_refused_with_422(members, demo, token_for):
    client = Client()
    header = {"HTTP_AUTHORIZATION": token_for(members["eu_stakeholder"])}
    many = "&".join(f"cable=c{n}" for n in range(300))
    assert client.get(f"/api/v1/cables/cut?{many}", **header).status_code == 422
    assert client.get("/api/v1/cables/routes?from=JP%27%3B--&to=EU", **header).status_code == 422
    assert client.get("/api/v1/cables/routes?from=JP&to=JP", **header).status_code == 422
    assert client.get("/api/v1/cables/cut?corridor=../../etc/passwd", **header).status_code == 422
    assert client.get("/api/v1/cables/cables/..%2F..%2Fetc", **header).status_code == 404
    assert client.get("/api/v1/cables/cables?page_size=100000", **header).status_code == 422
    client.force_login(members["eu_stakeholder"])
    page = client.get("/en/cables/routes/?from=%3Cscript%3E&cut=nope")
    assert page.status_code == 200 and b"<script>" not in page.content.split(b"<main", 1)[1]


def test_markup_in_a_maps_names_is_escaped_on_the_map(members, tmp_path):
    data = demo_map()
    data["features"][-1]["properties"]["name"] = '<script>alert(1)</script>"><b>'
    path = tmp_path / "evil.geojson"
    path.write_text(json.dumps(data), encoding="utf-8")
    services.import_map(members["jp_secretariat"], path)
    client = Client()
    client.force_login(members["jp_secretariat"])
    html = client.get("/en/cables/?view=world").content
    assert b"<script>alert" not in html and b"&lt;script&gt;alert(1)" in html


@pytest.mark.parametrize(
    "text, named",
    [
        ('{"type": "FeatureCollection", "features": [], "x": 1e400}', "too large"),
        ('{"type": "FeatureCollection", "type": "x", "features": []}', "twice"),
        ("[" * 5000 + "]" * 5000, "nested"),
        (
            '{"type": "FeatureCollection", "features": [{"type": "Feature", '
            '"properties": {"id": "a", "name": "A"}, '
            '"geometry": {"type": "Point", "coordinates": [200, 95]}}]}',
            "not on Earth",
        ),
    ],
    ids=["overflow", "duplicate member", "deep nesting", "off the Earth"],
)
def test_a_file_json_cannot_hold_safely_is_refused(members, tmp_path, text, named):
    path = tmp_path / "bad.geojson"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Invalid, match=named):
        services.import_map(members["jp_secretariat"], path)
    assert not MapImport.objects.exists() and not Cable.objects.exists()
