"""Reading a cable map from files (no database): TeleGeography's public API layout, version 3 (2022) and
the older version 2 (published until 2021), and plain GeoJSON. Everything is read and checked before
anything is stored; a problem is an `Invalid` naming the file and the field.

The layouts, as far as this reader relies on them:

- **v3**: `cable/cable-geo.json` (GeoJSON, a MultiLineString per feature, `properties.id` the cable's
  slug, several features may share one id), `cable/<slug>.json` (`id`, `name`, `length` "39,000 km",
  `landing_points` [{`id`, `name`, `country`}], `owners` and `suppliers` as comma-separated text, `rfs`,
  `rfs_year`, `is_planned`, `url`, `notes`), `landing-point/landing-point-geo.json` (Points,
  `properties.id` the landing point's slug). `cable/all.json` (a list) is an index and is skipped.
- **v2**: the same folders, but a landing point carries a numeric id (`id` or `landing_point_id`), a
  `latlon` ("lat,lon", or a [lat, lon] pair) and no country: the country is the last part of its name
  ("Marseille, France"); a cable may lack `rfs_year` and `is_planned` (read from `rfs`, "2019 Q4").
- **GeoJSON**: one FeatureCollection file. Point features are landing points (`id`, `name`, and
  `country` or `country_code`); (Multi)LineString features are cables or segments (`id`, `name`,
  `landing_points` [ids], and the v3 members; `kind` "space" for a space link).

Positions in GeoJSON are [longitude, latitude]; a `latlon` is latitude first, as its name says.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from partnership.errors import Invalid
from partnership.inputs import load_json

from .countries import country_name, iso_code

#: A map file larger than this is refused before it is read (TeleGeography's largest is under 1 MB).
MAX_FILE_BYTES = 64 * 1024 * 1024
#: More cable or landing-point files than this in one folder is not a cable map.
MAX_FILES = 20_000
LAYOUTS = ("v3", "v2", "geojson")
KINDS = ("submarine", "space")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")


@dataclass
class LandingPointData:
    """A landing point (or a ground station, for a space link) as read from the files."""

    slug: str
    name: str
    country_code: str
    country: str
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class CableData:
    """A cable (or a space link) as read from the files."""

    slug: str
    name: str
    kind: str = "submarine"
    length_km: float | None = None
    length_text: str = ""
    rfs_text: str = ""
    rfs_year: int | None = None
    is_planned: bool = False
    url: str = ""
    notes: str = ""
    owners: tuple[str, ...] = ()
    suppliers: tuple[str, ...] = ()
    landings: tuple[str, ...] = ()  # landing point slugs, in the file's order, without repeats
    segments: list[list[list[float]]] = field(default_factory=list)  # lines of [lon, lat]

    def route_digest(self) -> str:
        """A digest of the route (its lines and landings): a change means the cable was re-routed."""
        data = json.dumps([sorted(self.landings), self.segments], separators=(",", ":"))
        return hashlib.sha256(data.encode()).hexdigest()


@dataclass
class MapSnapshot:
    """A whole map as read: what `services.import_map` stores."""

    layout: str
    cables: dict[str, CableData]
    landing_points: dict[str, LandingPointData]
    warnings: list[str] = field(default_factory=list)

    def digest(self) -> str:
        """A digest of everything stored: the same digest means the same map (an idempotent import)."""
        data = json.dumps(
            [
                [vars(point) for _slug, point in sorted(self.landing_points.items())],
                [vars(cable) for _slug, cable in sorted(self.cables.items())],
            ],
            separators=(",", ":"),
            sort_keys=True,
            default=list,
        )
        return hashlib.sha256(data.encode()).hexdigest()


def _fail(where: str, message: str, field_name: str = "") -> Invalid:
    name = f"{where}: {field_name}" if field_name else where
    return Invalid(f"{name}: {message}", {name: message})


def _read_json(path: Path, root: Path) -> Any:
    where = _where(path, root)
    try:
        size = path.stat().st_size
    except OSError:
        raise _fail(where, _("the file cannot be read.")) from None
    if size > MAX_FILE_BYTES:
        raise _fail(where, _("the file is larger than %(limit)s bytes.") % {"limit": MAX_FILE_BYTES})
    try:
        return load_json(path.read_bytes())
    except Invalid as error:
        raise _fail(where, error.message) from None
    except OSError:
        raise _fail(where, _("the file cannot be read.")) from None


def _where(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent if root.is_file() else root))
    except ValueError:
        return path.name


def _text(value: Any, where: str, field_name: str, required: bool = False, limit: int = 2000) -> str:
    if value is None:
        value = ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _fail(where, _("is not a text."), field_name)
    value = " ".join(value.split())
    if required and not value:
        raise _fail(where, _("is missing."), field_name)
    if len(value) > limit:
        raise _fail(where, _("is longer than %(limit)s characters.") % {"limit": limit}, field_name)
    return value


def slugify(value: str) -> str:
    """TeleGeography's kind of id from a name: "Marseille, France" -> "marseille-france"."""
    slug = re.sub(r"[^a-z0-9]+", "-", value.casefold()).strip("-")
    return slug[:200]


def _slug(value: Any, where: str, field_name: str, name: str = "") -> str:
    if isinstance(value, str) and SLUG.match(value):
        return value
    if isinstance(value, str) and value.strip():
        slug = slugify(value)
    elif name:
        slug = slugify(name)
    else:
        slug = ""
    if not slug:
        raise _fail(where, _("is not an id."), field_name)
    return slug


def _names(value: Any, where: str, field_name: str) -> tuple[str, ...]:
    """Owners or suppliers: comma-separated text (TeleGeography) or a list."""
    if value is None:
        return ()
    if isinstance(value, str):
        items = value.split(",")
    elif isinstance(value, list):
        items = value
    else:
        raise _fail(where, _("is not a list of names."), field_name)
    names: list[str] = []
    for item in items:
        name = _text(item, where, field_name, limit=200)
        if name and name not in names:
            names.append(name)
    return tuple(names)


def _length(value: Any, where: str) -> tuple[float | None, str]:
    if value is None or value == "":
        return None, ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (float(value), f"{value:,} km") if value >= 0 else (None, "")
    text = _text(value, where, "length", limit=100)
    found = re.match(r"^\s*([0-9][0-9,.]*)\s*(km)?", text)
    if not found:
        return None, text
    try:
        return float(found.group(1).replace(",", "")), text
    except ValueError:
        return None, text


def _year(value: Any, rfs: str, where: str) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        year = value
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value)
    elif value in (None, ""):
        found = re.search(r"\b(18|19|20|21)\d\d\b", rfs)
        return int(found.group(0)) if found else None
    else:
        raise _fail(where, _("is not a year."), "rfs_year")
    if not 1850 <= year <= 2100:
        raise _fail(where, _("is not a year between 1850 and 2100."), "rfs_year")
    return year


def _position(value: Any, where: str, field_name: str, latitude_first: bool) -> tuple[float, float]:
    """(latitude, longitude) from a pair or a "lat,lon" text; `Invalid` naming the field otherwise."""
    if isinstance(value, str):
        parts = value.split(",")
        try:
            pair = [float(part) for part in parts]
        except ValueError:
            raise _fail(where, _("is not a position."), field_name) from None
    elif isinstance(value, list):
        pair = value
    else:
        raise _fail(where, _("is not a position."), field_name)
    if len(pair) < 2 or not all(isinstance(x, int | float) and not isinstance(x, bool) for x in pair[:2]):
        raise _fail(where, _("is not a position."), field_name)
    latitude, longitude = (pair[0], pair[1]) if latitude_first else (pair[1], pair[0])
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _fail(where, _("is not on Earth (latitude, longitude out of range)."), field_name)
    return float(latitude), float(longitude)


def _lines(geometry: Any, where: str) -> list[list[list[float]]]:
    if not isinstance(geometry, dict):
        raise _fail(where, _("is not a geometry."), "geometry")
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    lines: Any
    if kind == "LineString":
        lines = [coordinates]
    elif kind == "MultiLineString":
        lines = coordinates
    else:
        raise _fail(where, _("is not a LineString or MultiLineString."), "geometry.type")
    if not isinstance(lines, list):
        raise _fail(where, _("is not a list of lines."), "geometry.coordinates")
    result: list[list[list[float]]] = []
    for number, line in enumerate(lines):
        if not isinstance(line, list):
            raise _fail(where, _("is not a line."), f"geometry.coordinates[{number}]")
        points = []
        for point in line:
            latitude, longitude = _position(point, where, f"geometry.coordinates[{number}]", False)
            points.append([round(longitude, 5), round(latitude, 5)])
        if len(points) >= 2:
            result.append(points)
    return result


def _features(data: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise _fail(where, _("is not a GeoJSON FeatureCollection."), "type")
    features = data.get("features")
    if not isinstance(features, list):
        raise _fail(where, _("is not a list."), "features")
    for number, feature in enumerate(features):
        if not isinstance(feature, dict) or not isinstance(feature.get("properties") or {}, dict):
            raise _fail(where, _("is not a GeoJSON feature."), f"features[{number}]")
    return features


def read_map(path: str | Path) -> MapSnapshot:
    """The map at `path`: a folder in TeleGeography's API layout (v3 or v2, told apart by its landing
    points) or a GeoJSON file. `Invalid` naming the file and field for anything malformed."""
    root = Path(path)
    if root.is_file():
        return _read_geojson(root)
    if not root.is_dir():
        raise _fail(str(path), _("there is no such file or folder."))
    if (root / "cable-geo.json").is_file() and root.name == "cable":
        root = root.parent  # the cable folder itself was given
    if not (root / "cable" / "cable-geo.json").is_file():
        # A copy of the API kept under its URL's folders (api/v3/cable/...): the one layout below PATH.
        found = sorted(
            {
                hit.parent.parent
                for pattern in ("*/cable/cable-geo.json", "*/*/cable/cable-geo.json")
                for hit in root.glob(pattern)
            }
        )
        if len(found) == 1:
            root = found[0]
    if not (root / "cable" / "cable-geo.json").is_file():
        raise _fail(
            str(path),
            _("not a cable map: no cable/cable-geo.json (TeleGeography's layout) and not a GeoJSON file."),
        )
    return _read_api_layout(root)


def _cable_files(root: Path) -> list[Path]:
    files = sorted(
        file
        for file in (root / "cable").glob("*.json")
        if file.name not in ("cable-geo.json", "all.json", "search.json")
    )
    if len(files) > MAX_FILES:
        raise _fail("cable/", _("more than %(limit)s files.") % {"limit": MAX_FILES})
    if not files:
        raise _fail("cable/", _("no cable files (cable/<id>.json) beside cable-geo.json."))
    return files


def _point_positions(root: Path) -> tuple[dict[str, tuple[float, float]], dict[str, str]]:
    """Positions by landing point id (as text: slug or number) from landing-point-geo.json, and names."""
    file = root / "landing-point" / "landing-point-geo.json"
    positions: dict[str, tuple[float, float]] = {}
    names: dict[str, str] = {}
    if not file.is_file():
        return positions, names
    where = _where(file, root)
    for number, feature in enumerate(_features(_read_json(file, root), where)):
        properties = feature.get("properties") or {}
        given = [properties.get(key) for key in ("id", "landing_point_id", "slug")]
        ids = [str(value) for value in given if isinstance(value, str | int) and not isinstance(value, bool)]
        if not ids:
            raise _fail(where, _("has no id."), f"features[{number}].properties.id")
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") != "Point":
            raise _fail(where, _("is not a Point."), f"features[{number}].geometry")
        position = _position(geometry.get("coordinates"), where, f"features[{number}].geometry", False)
        for key in ids:
            positions[key] = position
            if isinstance(properties.get("name"), str):
                names[key] = properties["name"]
    return positions, names


def _routes(root: Path) -> tuple[dict[str, list[list[list[float]]]], dict[str, str]]:
    """The lines of cable-geo.json by cable id (several features may share one), and the other ids a
    feature gives (v2's numeric `cable_id` beside the slug) pointing to that id."""
    where = "cable/cable-geo.json"
    segments: dict[str, list[list[list[float]]]] = {}
    aliases: dict[str, str] = {}
    for number, feature in enumerate(_features(_read_json(root / "cable" / "cable-geo.json", root), where)):
        properties = feature.get("properties") or {}
        given = [properties.get(name) for name in ("id", "slug", "cable_id")]
        keys = [str(key) for key in given if isinstance(key, str | int) and not isinstance(key, bool)]
        if not keys:
            raise _fail(where, _("has no id."), f"features[{number}].properties.id")
        for other in keys[1:]:
            aliases.setdefault(other, keys[0])
        segments.setdefault(keys[0], []).extend(
            _lines(feature.get("geometry"), f"{where}: features[{number}]")
        )
    return segments, aliases


def _layout_of(landings: list[Any], where: str) -> str:
    """v2 or v3, told by the landing points: v2's carry a latlon or a numeric id, and no country."""
    layout = ""
    for number, landing in enumerate(landings):
        if not isinstance(landing, dict):
            raise _fail(where, _("is not a landing point."), f"landing_points[{number}]")
        looks = "v2" if ("latlon" in landing or isinstance(landing.get("id"), int)) else "v3"
        if "country" not in landing:
            looks = "v2"
        layout = layout or looks
    return layout


def _point_from_file(root: Path, *keys: Any) -> tuple[float, float] | None:
    """A landing point's own file (landing-point/<id>.json), where some layouts keep its position."""
    for key in keys:
        if not isinstance(key, str | int) or isinstance(key, bool) or not SLUG.match(str(key)):
            continue  # an id is never a path: no "../"
        file = root / "landing-point" / f"{key}.json"
        if not file.is_file():
            continue
        data = _read_json(file, root)
        where_file = _where(file, root)
        if isinstance(data, dict) and data.get("latlon") not in (None, ""):
            return _position(data["latlon"], where_file, "latlon", True)
        if isinstance(data, dict) and "latitude" in data:
            return _position([data.get("latitude"), data.get("longitude")], where_file, "latitude", True)
    return None


def _read_api_layout(root: Path) -> MapSnapshot:
    files = _cable_files(root)
    positions, _names_by_id = _point_positions(root)
    segments, aliases = _routes(root)

    point_file = partial(_point_from_file, root)

    cables: dict[str, CableData] = {}
    points: dict[str, LandingPointData] = {}
    layout = ""
    warnings: list[str] = []
    for file in files:
        where = _where(file, root)
        data = _read_json(file, root)
        if not isinstance(data, dict):
            raise _fail(where, _("is not a cable (a JSON object)."))
        landings = data.get("landing_points")
        if not isinstance(landings, list):
            raise _fail(where, _("is missing or not a list."), "landing_points")
        if not landings:
            raise _fail(where, _("a cable needs at least one landing point."), "landing_points")
        looks = _layout_of(landings, where)  # every file's landing points are checked to be objects
        layout = layout or looks
        cable = _cable(data, where, layout)
        if cable.slug in cables:
            raise _fail(where, _("the cable %(id)s appears twice.") % {"id": cable.slug}, "id")
        cable.segments = []
        for key in (cable.slug, data.get("cable_id"), data.get("id")):
            key = aliases.get(str(key), str(key))
            if key in segments:
                cable.segments = segments.pop(key)
                break
        if not cable.segments:
            warnings.append(_("%(file)s: no route in cable-geo.json.") % {"file": where})
        slugs: list[str] = []
        for number, landing in enumerate(landings):
            point = _landing(landing, where, number, layout, positions, point_file)
            held = points.get(point.slug)
            if held is None:
                points[point.slug] = point
            if point.slug not in slugs:
                slugs.append(point.slug)
        cable.landings = tuple(slugs)
        cables[cable.slug] = cable
    for key in sorted(segments):
        warnings.append(_("cable/cable-geo.json: the route %(id)s has no cable file.") % {"id": key})
    for point in points.values():
        if not point.country_code:
            warnings.append(
                _("%(point)s: the country %(country)s is not an ISO 3166 country; it joins no party.")
                % {"point": point.slug, "country": point.country or "?"}
            )
    return MapSnapshot(layout=layout or "v3", cables=cables, landing_points=points, warnings=warnings)


def _cable(data: dict[str, Any], where: str, layout: str) -> CableData:
    name = _text(data.get("name"), where, "name", required=True, limit=300)
    slug = _slug(data.get("id"), where, "id", name)
    length_km, length_text = _length(data.get("length"), where)
    rfs = _text(data.get("rfs"), where, "rfs", limit=100)
    year = _year(data.get("rfs_year"), rfs, where)
    planned = data.get("is_planned")
    if planned is None:
        # v2 had no flag: a cable whose ready-for-service year is still to come is planned.
        planned = year is not None and year > datetime.date.today().year
    if not isinstance(planned, bool):
        raise _fail(where, _("is not true or false."), "is_planned")
    kind = data.get("kind", "submarine") or "submarine"
    if kind not in KINDS:
        raise _fail(where, _("is not submarine or space."), "kind")
    return CableData(
        slug=slug,
        name=name,
        kind=kind,
        length_km=length_km,
        length_text=length_text,
        rfs_text=rfs,
        rfs_year=year,
        is_planned=planned,
        url=_text(data.get("url"), where, "url", limit=500),
        notes=_text(data.get("notes"), where, "notes", limit=4000),
        owners=_names(data.get("owners"), where, "owners"),
        suppliers=_names(data.get("suppliers"), where, "suppliers"),
    )


def _landing(
    landing: dict[str, Any],
    where: str,
    number: int,
    layout: str,
    positions: dict[str, tuple[float, float]],
    point_file: Any = None,
) -> LandingPointData:
    field_name = f"landing_points[{number}]"
    name = _text(landing.get("name"), where, f"{field_name}.name", required=True, limit=300)
    raw = landing.get("id")
    numeric = landing.get("landing_point_id")
    slug = _slug(raw if isinstance(raw, str) else "", where, f"{field_name}.id", name)
    country = _text(landing.get("country"), where, f"{field_name}.country", limit=200)
    if not country:
        # v2: the country is the last part of the name ("Perth, WA, Australia").
        country = name.rsplit(",", 1)[-1].strip()
    code = iso_code(country)
    position = None
    for key in (raw, numeric, slug):
        if isinstance(key, str | int) and not isinstance(key, bool) and str(key) in positions:
            position = positions[str(key)]
            break
    if "latlon" in landing and landing["latlon"] not in (None, ""):
        position = _position(landing["latlon"], where, f"{field_name}.latlon", True)
    elif position is None and "latitude" in landing:
        position = _position([landing.get("latitude"), landing.get("longitude")], where, field_name, True)
    if position is None and point_file is not None:
        position = point_file(raw, numeric, slug)
    if position is None:
        raise _fail(
            where,
            _("the landing point %(id)s has no position (no latlon, not in landing-point-geo.json).")
            % {"id": slug},
            f"{field_name}.latlon" if layout == "v2" else f"{field_name}.id",
        )
    return LandingPointData(
        slug=slug,
        name=name,
        country_code=code,
        country=country_name(code) or country,
        latitude=position[0],
        longitude=position[1],
    )


def _read_geojson(file: Path) -> MapSnapshot:
    """A plain GeoJSON map: Points are landing points, lines are cables (see the module's docstring)."""
    where = file.name
    features = _features(_read_json(file, file), where)
    points: dict[str, LandingPointData] = {}
    lines: list[tuple[int, dict[str, Any], Any]] = []
    for number, feature in enumerate(features):
        properties = feature.get("properties") or {}
        geometry = feature.get("geometry")
        kind = geometry.get("type") if isinstance(geometry, dict) else None
        field_name = f"features[{number}]"
        if kind == "Point":
            name = _text(properties.get("name"), where, f"{field_name}.properties.name", required=True)
            slug = _slug(properties.get("id"), where, f"{field_name}.properties.id", name)
            code = _text(properties.get("country_code"), where, f"{field_name}.properties.country_code")
            country = _text(properties.get("country"), where, f"{field_name}.properties.country")
            if code:
                code = code.upper() if country_name(code.upper()) else ""
            if not country and not code:
                country = name.rsplit(",", 1)[-1].strip()
            code = code or iso_code(country)
            assert isinstance(geometry, dict)  # a Point, as `kind` says
            latitude, longitude = _position(
                geometry.get("coordinates"), where, f"{field_name}.geometry", False
            )
            points[slug] = LandingPointData(
                slug, name, code, country_name(code) or country, latitude, longitude
            )
        elif kind in ("LineString", "MultiLineString"):
            lines.append((number, properties, geometry))
        elif geometry is None:
            raise _fail(where, _("has no position."), f"{field_name}.geometry")
        else:
            raise _fail(where, _("is not a Point, LineString or MultiLineString."), f"{field_name}.geometry")
    cables: dict[str, CableData] = {}
    for number, properties, geometry in lines:
        field_name = f"features[{number}]"
        slug = _slug(
            properties.get("id"), where, f"{field_name}.properties.id", str(properties.get("name", ""))
        )
        held = cables.get(slug)
        if held is not None:  # another segment of the same cable
            held.segments.extend(_lines(geometry, f"{where}: {field_name}"))
            continue
        cable = _cable({**properties, "id": slug}, f"{where}: {field_name}.properties", "geojson")
        landings = properties.get("landing_points")
        if not isinstance(landings, list) or not landings:
            raise _fail(
                where,
                _("a cable needs at least one landing point."),
                f"{field_name}.properties.landing_points",
            )
        slugs: list[str] = []
        for index, landing in enumerate(landings):
            key = landing.get("id") if isinstance(landing, dict) else landing
            if not isinstance(key, str) or key not in points:
                raise _fail(
                    where,
                    _("%(id)s is not a landing point (a Point feature) of this file.")
                    % {"id": str(key)[:100]},
                    f"{field_name}.properties.landing_points[{index}]",
                )
            if key not in slugs:
                slugs.append(key)
        cable.landings = tuple(slugs)
        cable.segments = _lines(geometry, f"{where}: {field_name}")
        cables[slug] = cable
    if not cables:
        raise _fail(where, _("no cable (a LineString or MultiLineString feature)."), "features")
    used = {slug for cable in cables.values() for slug in cable.landings}
    return MapSnapshot(
        layout="geojson",
        cables=cables,
        landing_points={slug: point for slug, point in points.items() if slug in used},
    )
