"""Outage reports (para 61): checking a report, where its fault lies against the cable's route, and the
signed record each stage shares with the other party. The writes are `services.report_outage` and
`services.file_stage`; the rules of who may are in `people.permissions`.

Record type `cable_outages.outage`, one record per stage filed (`party` and `organisation` the filer's):
content `{"uid", "revision", "tlp", ...}`; for TLP:CLEAR `report` (as `report_content` gives it), otherwise
`sealed`: each peer party's code to `{"report": ...}` sealed to that party's node
(`ledger.services.seal_for`),
`{}` when no peer is configured. Operational detail is never public: the log shows members a CLEAR report
and the envelope of a sealed one.
"""

from __future__ import annotations

import datetime
import math
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from shapely import STRtree
from shapely.geometry import LineString, MultiLineString, Point, Polygon
from shapely.ops import nearest_points

from partnership.errors import Invalid
from partnership.ledger import services as ledger_services
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_organisation,
    author_party,
    content_of,
    held_by_peer,
    integer_of,
    record_time,
    tlp_content,
    tlp_payload,
    uid_of,
)
from partnership.people.models import Organisation
from partnership.people.tlp import Tlp

from . import profiles, svgmap
from .models import Cable, Cause, LinkKind, Outage, OutageStage, Stage

OUTAGE = "cable_outages.outage"
#: How far a reported fault position may lie from the cable's route as the map draws it. TeleGeography's
#: routes are schematic (a line every few hundred km, not the surveyed route), so 50 km.
FAULT_TOLERANCE_KM = 50.0
EARTH_RADIUS_KM = 6371.0088
MAX_TEXT = 2000
#: A clock a little ahead of the node's: a time "in the future" by less than this is accepted.
CLOCK_SKEW = datetime.timedelta(minutes=5)

TIME_FIELDS = ("started_at", "detected_at", "plan_received_at", "expected_repair_at", "repaired_at")


#: The span an outage's times must lie in (UTC): a time outside it is a typing error (a year 0, 2200), and
#: it keeps every time within what the databases and Python's datetime hold.
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2101, 1, 1, tzinfo=datetime.UTC)  # exclusive: up to 2100-12-31


def _time(data: dict[str, Any], name: str, required: bool) -> datetime.datetime | None:
    """`data[name]` as an aware UTC datetime from 2000-01-01 to 2100-12-31, `Invalid` naming the field for
    anything else (an hour 25, a year 0, no zone)."""
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise Invalid(_("%(field)s: give a date and time.") % {"field": name}, {name: _("required")})
        return None
    moment: datetime.datetime | None
    if isinstance(value, datetime.datetime):
        moment = value
    else:
        try:
            # parse_datetime raises ValueError for a well-formed time that is none (hour 25, year 0).
            moment = parse_datetime(value[:40]) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise Invalid(
                _("%(field)s: is not a date and time (YYYY-MM-DDTHH:MM with a zone).") % {"field": name},
                {name: _("not a date and time")},
            )
    if moment.tzinfo is None:
        raise Invalid(_("%(field)s: give the time zone (Z for UTC).") % {"field": name}, {name: _("no zone")})
    try:
        moment = moment.astimezone(datetime.UTC)
    except (OverflowError, ValueError):  # year 1 or 9999 moved past the calendar's ends by the zone
        moment = None
    if moment is None or not EARLIEST <= moment < LATEST:
        raise Invalid(
            _("%(field)s: give a time from 2000-01-01 to 2100-12-31.") % {"field": name},
            {name: _("out of range")},
        )
    return moment


def clean_times(data: dict[str, Any], now: datetime.datetime) -> dict[str, datetime.datetime | None]:
    """The report's times (`TIME_FIELDS`), each checked and in order (`Invalid` naming the field)."""
    times = {name: _time(data, name, name in ("started_at", "detected_at")) for name in TIME_FIELDS}
    check_times(times, now)
    return times


def _number(data: dict[str, Any], name: str, low: float, high: float, *, whole: bool = False) -> float | None:
    value = data.get(name)
    if value in (None, ""):
        return None
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number) or not low <= number <= high or (whole and number != int(number)):
        raise Invalid(
            _("%(field)s: give a number from %(low)s to %(high)s.")
            % {"field": name, "low": low, "high": high},
            {name: _("out of range")},
        )
    return number


def _text(data: dict[str, Any], name: str, limit: int = 200) -> str:
    value = data.get(name) or ""
    if not isinstance(value, str) or len(value) > limit or "\x00" in value:
        raise Invalid(
            _("%(field)s: give text of at most %(limit)s characters.") % {"field": name, "limit": limit},
            {name: _("not text")},
        )
    return value.strip()


def check_times(times: dict[str, datetime.datetime | None], now: datetime.datetime) -> None:
    """Times that go backwards, or that have not happened yet, are refused naming the field."""
    started, detected = times["started_at"], times["detected_at"]
    later = (
        ("detected_at", detected, started),
        ("plan_received_at", times["plan_received_at"], detected),
        ("expected_repair_at", times["expected_repair_at"], started),
        ("repaired_at", times["repaired_at"], started),
    )
    for name, moment, floor in later:
        if moment is not None and floor is not None and moment < floor:
            raise Invalid(
                _("%(field)s: is earlier than the outage's start or detection.") % {"field": name},
                {name: _("goes backwards")},
            )
    for name in ("started_at", "detected_at", "plan_received_at", "repaired_at"):
        moment = times[name]
        if moment is not None and moment > now + CLOCK_SKEW:
            raise Invalid(_("%(field)s: is in the future.") % {"field": name}, {name: _("in the future")})


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def distance_from_route(cable: Cable, latitude: float, longitude: float, segment: int | None) -> float | None:
    """How far (km) the position lies from the cable's drawn route (or the one segment), None when the map
    has no route for it: the nearest point in degrees (shapely), then the great-circle distance to it."""
    lines = [
        LineString(seg.coordinates)
        for seg in cable.segments.all()
        if (segment is None or seg.number == segment) and len(seg.coordinates) >= 2
    ]
    if not lines:
        return None
    fault = Point(longitude, latitude)
    near = nearest_points(MultiLineString(lines), fault)[0]
    return _km((near.x, near.y), (longitude, latitude))


#: How far inland a fault may be reported: GSHHS's crude shoreline is accurate to about 25 km, and a cable
#: reaches its landing station a few km inland; a position deeper in the land is no submarine fault.
INLAND_TOLERANCE_KM = 30.0


@lru_cache(maxsize=1)
def _land() -> STRtree | None:
    """The land polygons of the map's coastlines (GSHHS crude, `svgmap.coastlines`) in a spatial index, or
    None when the data package is absent (the check is then skipped, as the map draws no land)."""
    polygons = [Polygon(points) for points in svgmap.coastlines()]
    polygons = [polygon if polygon.is_valid else polygon.buffer(0) for polygon in polygons]
    return STRtree(polygons) if polygons else None


def inland_km(latitude: float, longitude: float) -> float:
    """How far (km, roughly) the position lies inside land, 0 at sea. GSHHS runs from 0 to 360 degrees
    east in places, so the position is tried at each of its longitudes."""
    tree = _land()
    if tree is None:
        return 0.0
    # A degree of longitude is shortest at the position's latitude: measured in it, the distance is a
    # lower bound, so a fault near the shore is never refused by the conversion.
    km_per_degree = 111.2 * max(math.cos(math.radians(latitude)), 0.05)
    for shift in (0.0, 360.0, -360.0):
        point = Point(longitude + shift, latitude)
        for polygon in tree.geometries.take(tree.query(point, predicate="within")):
            return polygon.exterior.distance(point) * km_per_degree
    return 0.0


def clean_report(data: dict[str, Any], cable: Cable, now: datetime.datetime) -> dict[str, Any]:
    """The report in `data`, checked against the cable (`Invalid` naming the field; nothing stored)."""
    if not isinstance(data, dict):
        raise Invalid(_("The report is not an object."))
    times = clean_times(data, now)
    segment = _number(data, "segment", 0, 10_000, whole=True)
    if segment is not None and not any(seg.number == int(segment) for seg in cable.segments.all()):
        raise Invalid(
            _("segment: the cable has no segment %(n)s.") % {"n": int(segment)}, {"segment": "unknown"}
        )
    cause = data.get("cause") or ""
    if cause not in Cause.values:
        raise Invalid(
            _("cause: give one of %(causes)s.") % {"causes": ", ".join(Cause.values)}, {"cause": _("unknown")}
        )
    latitude = _number(data, "fault_latitude", -90, 90)
    longitude = _number(data, "fault_longitude", -180, 180)
    landing = _text(data, "fault_landing")
    distance = _number(data, "fault_distance_km", 0, 40_000)
    if (latitude is None) != (longitude is None):
        raise Invalid(_("fault_longitude: give both latitude and longitude."), {"fault_longitude": "missing"})
    if latitude is not None and longitude is not None:
        if landing:
            raise Invalid(
                _("fault_landing: give a position or a landing, not both."), {"fault_landing": "both"}
            )
        off = distance_from_route(cable, latitude, longitude, int(segment) if segment is not None else None)
        if off is not None and off > FAULT_TOLERANCE_KM:
            raise Invalid(
                _("fault_latitude: the position is %(km)s km from the cable's route (at most %(max)s).")
                % {"km": round(off), "max": round(FAULT_TOLERANCE_KM)},
                {"fault_latitude": _("far from the cable")},
            )
        # A space link's fault may lie anywhere (a ground station); a submarine cable's lies at sea.
        inland = inland_km(latitude, longitude) if cable.kind == LinkKind.SUBMARINE else 0.0
        if inland > INLAND_TOLERANCE_KM:
            raise Invalid(
                _("fault_latitude: the position is on land, about %(km)s km from the shore.")
                % {"km": round(inland)},
                {"fault_latitude": _("on land")},
            )
    elif landing or distance is not None:
        slugs = {point.slug for point in cable.landing_points.all()}
        if landing not in slugs:
            raise Invalid(
                _("fault_landing: %(slug)s is not one of the cable's landing points.")
                % {"slug": landing[:60]},
                {"fault_landing": _("not a landing of the cable")},
            )
        if distance is None:
            raise Invalid(
                _("fault_distance_km: give the distance from the landing."), {"fault_distance_km": "missing"}
            )
        if cable.length_km and distance > cable.length_km:
            raise Invalid(
                _("fault_distance_km: the cable is %(km)s km long.") % {"km": round(cable.length_km)},
                {"fault_distance_km": _("longer than the cable")},
            )
    fibre_pairs = _number(data, "fibre_pairs_lost", 0, 1000, whole=True)
    capacity = _number(data, "capacity_lost_gbps", 0, 10_000_000)
    tlp = data.get("tlp") or Tlp.AMBER
    if tlp not in Tlp.values:
        raise Invalid(_("tlp: give a TLP 2.0 level."), {"tlp": _("unknown")})
    return {
        **{name: moment for name, moment in times.items()},
        "segment": int(segment) if segment is not None else None,
        "cause": cause,
        "fault_latitude": latitude,
        "fault_longitude": longitude,
        "fault_landing": landing if latitude is None else "",
        "fault_distance_km": distance if latitude is None else None,
        "fibre_pairs_lost": int(fibre_pairs or 0),
        "capacity_lost_gbps": capacity or 0.0,
        "rerouted": data.get("rerouted") in (True, "true", "on", "1", 1),
        "repair_ship": _text(data, "repair_ship"),
        "tlp": tlp,
    }


REPORT_FIELDS = (
    "segment",
    "cause",
    "fault_latitude",
    "fault_longitude",
    "fault_landing",
    "fault_distance_km",
    "fibre_pairs_lost",
    "capacity_lost_gbps",
    "rerouted",
    "repair_ship",
    "tlp",
    *TIME_FIELDS,
)


def report_content(outage: Outage) -> dict[str, Any]:
    """The report as a record carries it (times as `format_time` writes them)."""
    content: dict[str, Any] = {
        "cable": outage.cable_slug,
        "cable_name": outage.cable_name,
        "profile": outage.profile,
        "profile_stages": outage.profile_stages,
        "recipients": sorted(org.code for org in outage.recipients.all()),
        "stages": [
            {"stage": item.stage, "filed_at": format_time(item.filed_at), "summary": item.summary}
            for item in outage.stages.all()
        ],
    }
    for name in REPORT_FIELDS:
        value = getattr(outage, name)
        content[name] = format_time(value) if isinstance(value, datetime.datetime) else value
    return content


def share(outage: Outage) -> Any:
    """Sign the report's latest revision for the other party (inside the write's transaction), sealed to
    each peer party's node unless TLP:CLEAR."""
    report = report_content(outage)
    content: dict[str, Any] = {"uid": str(outage.uid), "revision": outage.revision, "tlp": outage.tlp}
    content = tlp_content(content, "report", report, outage.party.code)
    moment = max([outage.detected_at, *(item.filed_at for item in outage.stages.all())])
    return ledger_services.append(
        SignedRecord(OUTAGE, outage.party.code, outage.organisation.code, format_time(moment), content)
    )


def apply_outage(record: SignedRecord, entry_log: Any) -> None:
    """A peer's report (a new stage of it), kept here read-only; a revision not newer than the one held
    changes nothing. Checked field by field as this node's own reports are (`clean_report`): the author an
    operator of the signing party, the cable (and segment) on this node's map, the fault on its route and
    at sea, the times in order and from 2000 to 2100, known causes, TLP level and profile, the stages
    filed once each, after the detection and not after the record. Anything else is refused
    (`RecordRejected`: the sync keeps the reason and goes on), never stored."""
    content = content_of(record, ("uid", "revision", "tlp"))
    if content["tlp"] not in Tlp.values:
        raise RecordRejected(
            gettext_noop("%(type)s: tlp %(tlp)r is not a TLP 2.0 level"), type=record.type, tlp=content["tlp"]
        )
    uid = uid_of(content)
    revision = integer_of(content, "revision", 1)
    report = tlp_payload(record, content, "report")
    if report is None:
        return  # sealed to another party's node only
    party = author_party(record)
    organisation = author_organisation(record)
    if organisation.kind != Organisation.Kind.OPERATOR:
        # Only a cable operator reports outages (`people.permissions.can_report_outage`).
        raise RecordRejected(
            gettext_noop("%(what)s %(code)r is not a cable operator on this node"),
            what=gettext_noop("the author organisation"),
            code=organisation.code,
        )
    slug, name = report.get("cable"), report.get("cable_name")
    if not isinstance(slug, str) or not 0 < len(slug) <= 200 or not isinstance(name, str) or len(name) > 300:
        raise RecordRejected(gettext_noop("%(type)s: cable: not a cable id"), type=record.type)
    cable = Cable.objects.filter(slug=slug).first()
    if cable is None:
        # Its route, segments and landings are what the report is checked against.
        raise RecordRejected(
            gettext_noop("%(type)s: the cable %(cable)s is not on this node's map"),
            type=record.type,
            cable=slug,
        )
    moment = record_time(record)
    try:
        checked = clean_report(report, cable, moment)
        if report.get("profile") not in (*profiles.SHIPPED, profiles.PARTY):
            raise Invalid(_("profile: give fcc, nis2 or party."), {"profile": _("unknown")})
        stages = profiles.clean_stages(report.get("profile_stages"))
        filed = _stages_of(report, checked["detected_at"], moment)
        recipients = _recipients(report)
    except Invalid as error:
        raise RecordRejected(
            gettext_noop("%(type)s: %(error)s"), type=record.type, error=error.message
        ) from None
    held = Outage.objects.select_related("ledger_entry").filter(uid=uid).first()
    if held is not None:
        held_by_peer(held, entry_log, "outage")
        if held.revision >= revision:
            return
        if held.organisation_id != organisation.pk or held.cable_slug != slug:
            raise RecordRejected(
                gettext_noop(
                    "%(type)s: a later revision of outage %(uid)s changes its operator or its cable"
                ),
                type=record.type,
                uid=str(uid),
            )
    with transaction.atomic():
        outage = held or Outage(uid=uid, party=party, organisation=organisation)
        for key in REPORT_FIELDS:
            setattr(outage, key, checked[key])
        outage.cable, outage.cable_slug, outage.cable_name = cable, slug, name
        outage.profile = report["profile"]
        outage.profile_stages, outage.revision, outage.ledger_entry = stages, revision, entry_log
        outage.save()
        outage.recipients.set(recipients)
        have = set(outage.stages.values_list("stage", flat=True))
        OutageStage.objects.bulk_create(
            OutageStage(outage=outage, stage=stage, filed_at=filed_at, summary=summary)
            for stage, (filed_at, summary) in filed.items()
            if stage not in have
        )


#: At most this many co-owners read a report (as a designation names: `filers.MAX_CO_OWNERS`).
MAX_RECIPIENTS = 100


def _recipients(report: dict[str, Any]) -> list[Organisation]:
    """The co-owners a peer's report names: operators known here (`Invalid` otherwise)."""
    codes = report.get("recipients") or []
    if (
        not isinstance(codes, list)
        or len(codes) > MAX_RECIPIENTS
        or not all(isinstance(code, str) and 0 < len(code) <= 64 for code in codes)
    ):
        raise Invalid(_("recipients: give a list of operators' codes."), {"recipients": _("not a list")})
    found = list(Organisation.objects.filter(code__in=codes, kind=Organisation.Kind.OPERATOR))
    unknown = sorted(set(codes) - {org.code for org in found})
    if unknown:
        raise Invalid(
            _("recipients: %(codes)s is not an operator on this node.") % {"codes": ", ".join(unknown[:5])},
            {"recipients": _("not an operator")},
        )
    return found


def _stages_of(
    report: dict[str, Any], detected: datetime.datetime, now: datetime.datetime
) -> dict[str, tuple[datetime.datetime, str]]:
    """The stages a peer's report says were filed: each once, filed after the detection and not after the
    record (`Invalid` otherwise)."""
    found: dict[str, tuple[datetime.datetime, str]] = {}
    items = report.get("stages")
    if not isinstance(items, list) or not items:
        raise Invalid(_("stages: not a list."))
    for item in items:
        if not isinstance(item, dict) or item.get("stage") not in Stage.values or item["stage"] in found:
            raise Invalid(_("stages: a stage is unknown or given twice."))
        moment = _time(item, "filed_at", True)
        assert moment is not None
        if not detected - CLOCK_SKEW <= moment <= now + CLOCK_SKEW:
            raise Invalid(
                _("stages: the %(stage)s is filed before the outage was detected or after the record.")
                % {"stage": item["stage"]}
            )
        found[item["stage"]] = (moment, _text(item, "summary", MAX_TEXT))
    return found
