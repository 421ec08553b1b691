"""What `make demo` creates for the cable map: a small invented map, marked as demonstration data.

TeleGeography's map is licensed for non-commercial use and is never shipped with the product, so the
demo cannot hold real cables: these six links (five cables and a space link) are made up, with the
rough shape of the real routes between Japan and the EU (Suez and Malacca, the Pacific and the Atlantic
through the United States). A secretariat imports the real map with `partnership cables import PATH`.
"""

import json
import tempfile
from pathlib import Path

from django.contrib.auth.models import User

from partnership.programme.exchanges import DemoContext

POINTS = {
    "demo-chiba-japan": ("Chiba (demo), Japan", "JP", 35.6, 140.1),
    "demo-okinawa-japan": ("Okinawa (demo), Japan", "JP", 26.3, 127.8),
    "demo-singapore": ("Singapore (demo)", "SG", 1.3, 103.9),
    "demo-mumbai-india": ("Mumbai (demo), India", "IN", 19.0, 72.8),
    "demo-suez-egypt": ("Suez (demo), Egypt", "EG", 29.9, 32.5),
    "demo-marseille-france": ("Marseille (demo), France", "FR", 43.3, 5.4),
    "demo-catania-italy": ("Catania (demo), Italy", "IT", 37.5, 15.1),
    "demo-oregon-united-states": ("Oregon (demo), United States", "US", 45.5, -123.9),
    "demo-virginia-united-states": ("Virginia (demo), United States", "US", 36.8, -76.0),
    "demo-bilbao-spain": ("Bilbao (demo), Spain", "ES", 43.3, -2.9),
    "demo-usingen-germany": ("Usingen ground station (demo), Germany", "DE", 50.3, 8.5),
}

LINKS = [
    (
        "demo-asia-europe-1",
        "Demo Asia–Europe 1",
        "submarine",
        2001,
        False,
        [
            "demo-okinawa-japan",
            "demo-singapore",
            "demo-mumbai-india",
            "demo-suez-egypt",
            "demo-marseille-france",
        ],
        [
            [127.8, 26.3],
            [120.5, 20.5],
            [110.0, 8.0],
            [103.9, 1.3],
            [98.0, 5.5],
            [80.0, 6.0],
            [72.8, 19.0],
            [58.0, 15.0],
            [43.4, 12.6],
            [38.0, 20.0],
            [32.5, 29.9],
            [32.3, 31.3],
            [20.0, 34.0],
            [5.4, 43.3],
        ],
    ),
    (
        "demo-asia-loop",
        "Demo Asia Loop",
        "submarine",
        2010,
        False,
        ["demo-chiba-japan", "demo-singapore"],
        [[140.1, 35.6], [135.0, 30.0], [122.0, 21.0], [112.0, 10.0], [103.9, 1.3]],
    ),
    (
        "demo-gulf-europe",
        "Demo Gulf–Europe",
        "submarine",
        2016,
        False,
        ["demo-mumbai-india", "demo-suez-egypt", "demo-catania-italy"],
        [[72.8, 19.0], [58.0, 15.0], [43.4, 12.6], [38.0, 20.0], [32.5, 29.9], [32.3, 31.3], [15.1, 37.5]],
    ),
    (
        "demo-pacific",
        "Demo Pacific",
        "submarine",
        2018,
        False,
        ["demo-chiba-japan", "demo-oregon-united-states"],
        [[140.1, 35.6], [160.0, 42.0], [180.0, 46.0]],
    ),
    (
        "demo-atlantic",
        "Demo Atlantic",
        "submarine",
        2017,
        False,
        ["demo-virginia-united-states", "demo-bilbao-spain"],
        [[-76.0, 36.8], [-40.0, 42.0], [-2.9, 43.3]],
    ),
    (
        "demo-space-link",
        "Demo space link",
        "space",
        2025,
        True,
        ["demo-chiba-japan", "demo-usingen-germany"],
        [[140.1, 35.6], [8.5, 50.3]],
    ),
]


def demo_map() -> dict:
    """The invented map as GeoJSON (the layout `partnership cables import` reads)."""
    features = [
        {
            "type": "Feature",
            "properties": {"id": slug, "name": name, "country_code": code},
            "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        }
        for slug, (name, code, latitude, longitude) in POINTS.items()
    ]
    for slug, name, kind, year, planned, landings, line in LINKS:
        lines = [line] if slug != "demo-pacific" else [line, [[-180.0, 46.0], [-150.0, 47.0], [-123.9, 45.5]]]
        features.append(
            {
                "type": "Feature",
                "properties": {
                    "id": slug,
                    "name": name,
                    "kind": kind,
                    "rfs_year": year,
                    "is_planned": planned,
                    "owners": "Demo Telecom, Example Networks",
                    "suppliers": "Demo Cable Works",
                    "notes": "Demonstration data: an invented link, not a real one.",
                    "landing_points": landings,
                },
                "geometry": {"type": "MultiLineString", "coordinates": lines},
            }
        )
    return {"type": "FeatureCollection", "features": features}


def seed_map(context: DemoContext) -> str:
    """Import the invented map as the first secretariat of a party on this node, unless a map is here."""
    from . import services
    from .models import MapImport

    if MapImport.objects.exists():
        return "cable map kept as it was"
    party = next((code for code in ("JP", "EU") if context.on_this_node(code)), None)
    if party is None:
        return "no cable map seeded (no party of this node)"
    author = User.objects.get(username=f"{party.lower()}-secretariat")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo-cable-map.geojson"
        path.write_text(json.dumps(demo_map()), encoding="utf-8")
        result = services.import_map(author, path, is_demo=True)
    return f"demonstration cable map seeded ({result.record.cables} invented links)"
