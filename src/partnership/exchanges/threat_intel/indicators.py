"""The figures of threat-intelligence sharing for the programme (para 54), per cycle (calendar) year.

Read by the exchange contract (contract.py) and the activity page. Every figure counts in the
database; the only rows brought into Python are one per object first read across the parties, for
the median.
"""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass

from django.db.models import Count, F, Min, Q

from partnership.people.models import Organisation, localised

from .models import ObjectRead, ObjectVersion


def _year(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime(year, 1, 1, tzinfo=datetime.UTC)
    return start, datetime.datetime(year + 1, 1, 1, tzinfo=datetime.UTC)


def _added_in(year: int | None):
    rows = ObjectVersion.objects.all()
    if year is not None:
        start, end = _year(year)
        rows = rows.filter(date_added__gte=start, date_added__lt=end)
    return rows


def _read_in(year: int | None):
    rows = ObjectRead.objects.all()
    if year is not None:
        start, end = _year(year)
        rows = rows.filter(first_read_at__gte=start, first_read_at__lt=end)
    return rows


def objects_shared(year: int | None) -> dict[tuple[str, str], int]:
    """New objects (first versions) added in `year`, by the author's party code and STIX type."""
    rows = (
        _added_in(year)
        .filter(is_first=True)
        .values_list("author_organisation__party__code", "type")
        .annotate(n=Count("pk"))
    )
    return {(party or "", stix_type): n for party, stix_type, n in rows}


def active_organisations(year: int | None) -> set[int]:
    """The organisations that added or read an object version in `year`."""
    added = set(_added_in(year).values_list("author_organisation_id", flat=True).distinct())
    read = set(_read_in(year).values_list("organisation_id", flat=True).distinct())
    return added | read


@dataclass(frozen=True)
class TimeToRead:
    """How long objects waited, from their `created`, for a first read by the other party."""

    objects: int
    median_hours: float | None


def time_to_first_read_by_other_party(year: int | None) -> TimeToRead:
    """Median hours from each object's `created` to its first read by an organisation of another party
    than its author's, over the objects whose first such read falls in `year`."""
    first_reads = (
        ObjectRead.objects.exclude(organisation__party__isnull=True)
        .exclude(organisation__party=F("version__author_organisation__party"))
        .filter(version__created__isnull=False)
        .values("version__collection_id", "version__stix_id")
        .annotate(first_read=Min("first_read_at"), created=Min("version__created"))
    )
    if year is not None:
        start, end = _year(year)
        first_reads = first_reads.filter(Q(first_read__gte=start) & Q(first_read__lt=end))
    hours = [max((row["first_read"] - row["created"]).total_seconds(), 0) / 3600 for row in first_reads]
    return TimeToRead(objects=len(hours), median_hours=statistics.median(hours) if hours else None)


@dataclass(frozen=True)
class Activity:
    """What one organisation did: object versions it added, object versions it read (first reads)."""

    organisation_id: int
    code: str
    name_en: str
    name_ja: str
    party: str
    added: int
    read: int

    @property
    def name(self) -> str:
        """The organisation's name in the reader's language (English when it has no Japanese name)."""
        return localised(self, "name")


def activity(year: int | None = None) -> list[Activity]:
    """Every organisation that added or read object versions (in `year`, or ever), most active first."""
    added = dict(_added_in(year).values_list("author_organisation_id").annotate(n=Count("pk")).order_by())
    read = dict(_read_in(year).values_list("organisation_id").annotate(n=Count("pk")).order_by())
    organisations = Organisation.objects.filter(pk__in=set(added) | set(read)).select_related("party")
    found = [
        Activity(
            organisation_id=organisation.pk,
            code=organisation.code,
            name_en=organisation.name_en,
            name_ja=organisation.name_ja,
            party=organisation.party.code if organisation.party else "",
            added=added.get(organisation.pk, 0),
            read=read.get(organisation.pk, 0),
        )
        for organisation in organisations
    ]
    return sorted(found, key=lambda row: (-(row.added + row.read), row.party, row.code))
