"""Historical outages (issue 17 item 4): real events reconstructed from public sources, read from a CSV
the node's operator holds (the product ships none), so the map can replay them. No database here:
`read_events` checks the whole file first; `services.load_history` stores it.

Columns (the layout of the events file issue 17 names): `event_id`, `start_date`, `end_or_restore_date`,
`cables_as_reported`, `telegeography_v3_ids` (`;`-separated cable ids, may be empty), `location_as_reported`,
`cause_as_reported`, `source_repo_or_url`, `source_path_or_note`. Dates are `YYYY-MM-DD` or `YYYY-MM`,
possibly followed by a remark; a month alone is read as its first day for a start and its last day for a
restore; a date the source does not give is left empty.
"""

from __future__ import annotations

import calendar
import csv
import datetime
import io
import re
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from partnership.errors import Invalid

from .models import Cause

COLUMNS = (
    "event_id",
    "start_date",
    "end_or_restore_date",
    "cables_as_reported",
    "telegeography_v3_ids",
    "location_as_reported",
    "cause_as_reported",
    "source_repo_or_url",
    "source_path_or_note",
)
MAX_BYTES = 4 * 1024 * 1024
MAX_EVENTS = 10_000
DATE = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,199}$")
#: The namespace of historical reports' uids: an event's cable always gets the same uid, so loading the
#: file again stores nothing new.
NAMESPACE = uuid.UUID("6f1d1b1e-3c55-4d0e-9a55-1f0c2b7e6a61")
CAUSES = (  # the first word found in the reported cause decides
    ("earthquake", Cause.SEISMIC),
    ("seismic", Cause.SEISMIC),
    ("landslide", Cause.SEISMIC),
    ("anchor", Cause.ANCHOR),
    ("fishing", Cause.FISHING),
    ("trawl", Cause.FISHING),
    ("sabotage", Cause.DELIBERATE),
    ("deliberate", Cause.DELIBERATE),
)


@dataclass(frozen=True)
class Event:
    """One event of the file: the cables it took out (ids, possibly none known), when, and its source."""

    event_id: str
    started: datetime.datetime
    restored: datetime.datetime | None
    cables: tuple[str, ...]
    cables_as_reported: str
    location: str
    cause: str
    cause_as_reported: str
    source: str
    note: str

    def uid(self, cable: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, f"{self.event_id}/{cable}")


def _date(text: str, where: str, *, end: bool) -> datetime.datetime | None:
    if not text.strip():
        return None
    found = DATE.match(text)
    if found is None:
        raise Invalid(
            _("%(where)s: %(text)s is not a date (YYYY-MM-DD or YYYY-MM).")
            % {"where": where, "text": text[:40]},
            {where: _("not a date")},
        )
    year, month = int(found.group(1)), int(found.group(2))
    try:
        last = calendar.monthrange(year, month)[1] if end else 1
        day = int(found.group(3)) if found.group(3) else last
        return datetime.datetime(year, month, day, tzinfo=datetime.UTC)
    except (ValueError, calendar.IllegalMonthError):
        raise Invalid(
            _("%(where)s: %(text)s is not a date (YYYY-MM-DD or YYYY-MM).")
            % {"where": where, "text": text[:40]},
            {where: _("not a date")},
        ) from None


def cause_of(text: str) -> str:
    lowered = text.lower()
    for word, cause in CAUSES:
        if word in lowered:
            return cause
    return Cause.UNKNOWN


def read_events(path: str | Path) -> list[Event]:
    """The events of the CSV at `path`, every line checked before any is returned (`Invalid` naming the
    file, line and column)."""
    path = Path(path)
    name = path.name
    try:
        if path.stat().st_size > MAX_BYTES:
            raise Invalid(_("%(file)s: larger than 4 MiB.") % {"file": name}, {"file": _("too large")})
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise Invalid(
            _("%(file)s: cannot be read as UTF-8 text.") % {"file": name}, {"file": _("unreadable")}
        ) from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [column for column in COLUMNS if column not in (reader.fieldnames or ())]
    if missing:
        raise Invalid(
            _("%(file)s: the columns %(columns)s are missing.")
            % {"file": name, "columns": ", ".join(missing)},
            {"file": _("not the events layout")},
        )
    events: list[Event] = []
    seen: set[str] = set()
    for number, row in enumerate(reader, start=2):
        if len(events) >= MAX_EVENTS:
            raise Invalid(_("%(file)s: more than %(max)s events.") % {"file": name, "max": MAX_EVENTS})
        where = f"{name}:{number}"
        if None in row or any(value is None for value in row.values()):
            raise Invalid(
                _("%(where)s: the line does not have the header's columns.") % {"where": where},
                {where: _("bad line")},
            )
        event_id = row["event_id"].strip()
        if not event_id or len(event_id) > 40 or event_id in seen:
            raise Invalid(
                _("%(where)s: event_id is empty, too long or given twice.") % {"where": where},
                {f"{where}.event_id": _("bad id")},
            )
        seen.add(event_id)
        started = _date(row["start_date"], f"{where}.start_date", end=False)
        if started is None:
            raise Invalid(
                _("%(where)s.start_date: give the start date.") % {"where": where},
                {f"{where}.start_date": _("required")},
            )
        restored = _date(row["end_or_restore_date"], f"{where}.end_or_restore_date", end=True)
        if restored is not None and restored < started:
            raise Invalid(
                _("%(where)s.end_or_restore_date: is before the start.") % {"where": where},
                {f"{where}.end_or_restore_date": _("goes backwards")},
            )
        cables = tuple(slug.strip() for slug in row["telegeography_v3_ids"].split(";") if slug.strip())
        bad = [slug for slug in cables if not SLUG.match(slug)]
        if bad or len(set(cables)) != len(cables):
            raise Invalid(
                _("%(where)s.telegeography_v3_ids: %(ids)s is not a list of cable ids.")
                % {"where": where, "ids": row["telegeography_v3_ids"][:80]},
                {f"{where}.telegeography_v3_ids": _("not cable ids")},
            )
        events.append(
            Event(
                event_id=event_id,
                started=started,
                restored=restored,
                cables=cables,
                cables_as_reported=row["cables_as_reported"].strip()[:300],
                location=row["location_as_reported"].strip()[:500],
                cause=cause_of(row["cause_as_reported"]),
                cause_as_reported=row["cause_as_reported"].strip()[:500],
                source=row["source_repo_or_url"].strip()[:500],
                note=row["source_path_or_note"].strip()[:1000],
            )
        )
    if not events:
        raise Invalid(_("%(file)s: no event.") % {"file": name}, {"file": _("empty")})
    return events
