"""The corridors shipped as data (`data/corridors.geojson`: the Red Sea and Suez, the Strait of Malacca,
the Luzon Strait), and which of them a cable's route crosses (shapely: the route intersects the polygon).
Computed when a map is imported and kept on the cable, so a "cut the corridor" question reads no
geometry."""

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from shapely.geometry import MultiLineString, shape
from shapely.geometry.base import BaseGeometry
from shapely.prepared import PreparedGeometry, prep

DATA = Path(__file__).resolve().parent / "data" / "corridors.geojson"


@dataclass(frozen=True)
class Corridor:
    """A chokepoint: its id (`red-sea-suez`), names in both languages and its polygon."""

    id: str
    name_en: str
    name_ja: str
    polygon: BaseGeometry

    def name(self, language: str) -> str:
        """The corridor's name in `language` (ja or else English)."""
        return self.name_ja if language == "ja" else self.name_en


@lru_cache(maxsize=1)
def corridors() -> dict[str, Corridor]:
    """The shipped corridors by id, in the file's order."""
    data = json.loads(DATA.read_text(encoding="utf-8"))
    found: dict[str, Corridor] = {}
    for feature in data["features"]:
        properties = feature["properties"]
        found[properties["id"]] = Corridor(
            properties["id"], properties["name_en"], properties["name_ja"], shape(feature["geometry"])
        )
    return found


@lru_cache(maxsize=1)
def _prepared() -> tuple[tuple[str, PreparedGeometry], ...]:
    return tuple((key, prep(corridor.polygon)) for key, corridor in corridors().items())


def crossed_by(segments: list[list[list[float]]]) -> list[str]:
    """The ids of the corridors the route (lines of [lon, lat]) intersects."""
    lines = [line for line in segments if len(line) >= 2]
    if not lines:
        return []
    route = MultiLineString(lines)
    return [key for key, polygon in _prepared() if polygon.intersects(route)]
