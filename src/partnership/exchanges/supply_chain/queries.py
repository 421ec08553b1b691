"""Every read of supply-chain monitoring, for the pages, the API and the command alike: a fixed number of
queries whatever the number of series or observations. Series are for both parties' members
(`people.permissions.can_read_monitoring_series`)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import NotFound, PermissionDenied
from partnership.people.permissions import actor_for, can_publish_series, can_read_monitoring_series

from .models import Observation, Release, Series, Signal

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What a reader may narrow the list of series to."""

    party: str = ""  # a party's code
    frequency: str = ""


@dataclass(frozen=True)
class Point:
    """A date's latest value, when it was released, and its earlier vintages (value, released at), newest
    first."""

    date: datetime.date
    value: float | None
    released_at: datetime.datetime
    earlier: tuple[tuple[float | None, datetime.datetime], ...] = ()


@dataclass
class SeriesData:
    """A series with its latest values (in date order) and every release."""

    series: Series
    points: list[Point] = field(default_factory=list)
    releases: list[Release] = field(default_factory=list)

    @property
    def revised(self) -> list[Point]:
        """The dates whose value a later release changed."""
        return [point for point in self.points if point.earlier]


def _readable(reader: User | AnonymousUser | None) -> QuerySet[Series]:
    if not can_read_monitoring_series(reader):
        raise PermissionDenied(_("Monitoring series are for the partnership's members; sign in."))
    return Series.objects.select_related("party", "organisation", "ledger_entry")


def series_list(reader: User | AnonymousUser | None, filters: Filters | None = None) -> QuerySet[Series]:
    """The series `reader` may read, by party and code, each with its number of releases, its first and
    last date and its last release time (a queryset: the caller takes a page of it)."""
    found = _readable(reader)
    filters = filters or Filters()
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.frequency:
        found = found.filter(frequency=filters.frequency)
    latest = Observation.objects.filter(series=OuterRef("pk"), is_latest=True)
    return found.annotate(
        release_count=Count("releases"),
        last_release=Max("releases__released_at"),
        first_date=Subquery(latest.order_by("date").values("date")[:1]),
        last_date=Subquery(latest.order_by("-date").values("date")[:1]),
    ).order_by("party__code", "code")


def series(reader: User | AnonymousUser | None, uid: Any) -> Series:
    """One series, or NotFound."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound(_("There is no such series.")) from None
    found = _readable(reader).filter(uid=key).first()
    if found is None:
        raise NotFound(_("There is no such series."))
    return found


def series_data(reader: User | AnonymousUser | None, uid: Any) -> SeriesData:
    """A series, its latest value of each date with the earlier vintages, and its releases (3 queries)."""
    found = series(reader, uid)
    rows = (
        Observation.objects.filter(series=found)
        .order_by("date", "-release__released_at", "-release_id")
        .values_list("date", "value", "is_latest", "release__released_at")
    )
    points: list[Point] = []
    current: Point | None = None
    earlier: list[tuple[float | None, datetime.datetime]] = []
    for date, value, is_latest, released_at in rows.iterator(chunk_size=10_000):
        if current is None or current.date != date:
            if current is not None:
                points.append(Point(current.date, current.value, current.released_at, tuple(earlier)))
            current, earlier = Point(date, value, released_at), []
            if not is_latest:  # cannot happen: the latest is the newest release of its date
                continue
        else:
            earlier.append((value, released_at))
    if current is not None:
        points.append(Point(current.date, current.value, current.released_at, tuple(earlier)))
    releases = list(
        found.releases.select_related("organisation", "ledger_entry").order_by("-released_at", "-pk")
    )
    return SeriesData(found, points, releases)


def council_figures(cycle_year: int) -> dict[str, tuple[int, int]]:
    """For each party: how many series it publishes, and how many observations it released (added or
    revised) in `cycle_year` (UTC); one query, for the indicators and the report."""
    released = (
        Observation.objects.filter(series=OuterRef("pk"), release__released_at__year=cycle_year)
        .order_by()
        .values("series")
        .annotate(n=Count("pk"))
        .values("n")
    )
    figures: dict[str, tuple[int, int]] = {}
    for party, observations in Series.objects.annotate(n=Subquery(released)).values_list("party__code", "n"):
        series, total = figures.get(party, (0, 0))
        figures[party] = (series + 1, total + (observations or 0))
    return dict(sorted(figures.items()))


# === detectors and signals (issue 16, item 2) ==========================================================

#: How far back the dashboard's open signals reach.
OPEN_DAYS = 90


@dataclass(frozen=True)
class DetectorSettings:
    """A series' detector configurations as the reader sees them, and whether the reader may change them."""

    detectors: list[dict[str, Any]]
    defaults: bool  # True: the series has none of its own, these are the library's
    editable: bool


def detector_settings(reader: User | AnonymousUser | None, found: Series) -> DetectorSettings:
    """The detectors of a series read by `reader` (checked by `series()`), and whether `reader` may
    configure them (`people.permissions.can_publish_series`, on this node's own series)."""
    from partnership.detection import DEFAULT_DETECTORS

    actor = actor_for(reader)
    editable = (
        found.signed_by is None
        and actor is not None
        and can_publish_series(actor, found.party_id, found.organisation_id)
    )
    own = list(found.detectors or [])
    return DetectorSettings(own or [dict(config) for config in DEFAULT_DETECTORS], not own, editable)


def _signal_rows() -> QuerySet[Signal]:
    return Signal.objects.select_related("series", "series__party", "release")


def series_signals(reader: User | AnonymousUser | None, uid: Any) -> list[Signal]:
    """The signals of one series the reader may read, in date order."""
    found = series(reader, uid)
    return list(_signal_rows().filter(series=found).order_by("date", "detector"))


def recent_signals(
    reader: User | AnonymousUser | None, party: str = "", limit: int = PAGE_SIZE
) -> QuerySet[Signal]:
    """The signals of every series the reader may read, the newest date first (optionally one party's)."""
    if not can_read_monitoring_series(reader):
        raise PermissionDenied(_("Monitoring series are for the partnership's members; sign in."))
    found = _signal_rows().order_by("-date", "-detected_at", "series__code", "detector")
    if party:
        found = found.filter(series__party__code=party)
    return found


def open_signals(reader: User | AnonymousUser | None) -> dict[str, list[Signal]] | None:
    """For the dashboard: per party, the signals detected in the last `OPEN_DAYS` days about a date of
    the last year (an old break found on a history imported today is not news); None for a non-member.
    One query."""
    if not can_read_monitoring_series(reader):
        return None
    now = timezone.now()
    rows = _signal_rows().filter(
        detected_at__gte=now - datetime.timedelta(days=OPEN_DAYS),
        date__gte=(now - datetime.timedelta(days=366)).date(),
    )
    grouped: dict[str, list[Signal]] = {}
    for signal in rows.order_by("series__party__code", "-date", "series__code")[:200]:
        grouped.setdefault(signal.series.party.code, []).append(signal)
    return grouped


def council_signals(cycle_year: int) -> dict[str, int]:
    """For each party: how many signals its series raised on dates of `cycle_year` (one query)."""
    counted = (
        Signal.objects.filter(date__year=cycle_year)
        .values_list("series__party__code")
        .annotate(n=Count("pk"))
        .order_by("series__party__code")
    )
    return dict(counted)
