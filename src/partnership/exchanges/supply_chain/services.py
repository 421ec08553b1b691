"""Every write of supply-chain monitoring (para 46: joint monitoring, exchange of information in
anticipation of disruptions): describing a series and importing its observations as a new release.

Each takes the acting user, checks `people.permissions` (`require_publish_series`), validates (`Invalid`
naming the field, or the file's line and column), signs what the other party receives into the ledger
and commits everything at once: a bad file stores nothing.
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound
from partnership.inputs import check_text
from partnership.people.permissions import Actor, require_actor, require_local_record, require_publish_series

from . import parsing, records
from .models import Frequency, Language, Observation, Release, Series

#: The description of a series and the longest text each member takes.
DESCRIPTION = {
    "title": 200,
    "language": 2,
    "unit": 80,
    "frequency": 10,
    "source": 300,
    "licence": 200,
    "product_code": 40,
}
CODE_MAX = 40
#: Rows written per INSERT.
BATCH = 5000


@dataclass
class ImportResult:
    """What an import did: the series (created or not), the release (None when nothing was new)."""

    series: Series
    release: Release | None
    created: bool
    added: int
    revised: int
    unchanged: int
    missing: int  # of the file's values, those given as "." (stored as missing)


def _code(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(
            _("code: a series needs a code, e.g. IPG3344S."), {"code": _("This field is required.")}
        )
    code = check_text(value.strip(), "code")
    if len(code) > CODE_MAX or any(character.isspace() for character in code):
        raise Invalid(
            _("code: at most %(max)s characters, without spaces.") % {"max": CODE_MAX},
            {"code": _("not a series code")},
        )
    return code


def clean_description(data: dict[str, Any], partial: bool = False) -> dict[str, str]:
    """A series' description (title, language, unit, frequency, source, licence, product_code), or
    `Invalid` naming the first wrong field. `partial`: only the members given are checked."""
    cleaned: dict[str, str] = {}
    for name, limit in DESCRIPTION.items():
        value = data.get(name)
        if value is None or (partial and value == ""):
            continue
        if not isinstance(value, str):
            raise Invalid(_("%(field)s: give a text.") % {"field": name}, {name: _("not a text")})
        value = check_text(value.strip(), name)
        if len(value) > limit:
            raise Invalid(
                _("%(field)s: at most %(max)s characters.") % {"field": name, "max": limit},
                {name: _("too long")},
            )
        cleaned[name] = value
    if "title" in cleaned and not cleaned["title"]:
        raise Invalid(_("title: a series needs a title."), {"title": _("This field is required.")})
    if "language" in cleaned and cleaned["language"] not in Language.values:
        raise Invalid(_("language: choose en or ja."), {"language": _("Choose en or ja.")})
    if "frequency" in cleaned and cleaned["frequency"] not in Frequency.values:
        raise Invalid(
            _("frequency: choose one of %(choices)s.") % {"choices": ", ".join(Frequency.values)},
            {"frequency": _("unknown frequency")},
        )
    return cleaned


def _infer_frequency(rows: list[tuple[int, datetime.date, float | None]]) -> str:
    """The frequency of a new series from the gap between its first two dates."""
    dates = sorted(date for _line, date, _value in rows[:50])
    if len(dates) >= 2:
        gap = (dates[1] - dates[0]).days
        for frequency, (low, high) in {
            Frequency.DAILY: (1, 1),
            Frequency.WEEKLY: (7, 7),
            Frequency.MONTHLY: (28, 31),
            Frequency.QUARTERLY: (89, 92),
            Frequency.ANNUAL: (365, 366),
        }.items():
            if low <= gap <= high:
                return frequency
    raise Invalid(
        _("frequency: a new series needs its frequency (%(choices)s).")
        % {"choices": ", ".join(Frequency.values)},
        {"frequency": _("This field is required.")},
    )


def _check_dates(rows: Iterable[tuple[int, datetime.date, float | None]], frequency: str, name: str) -> None:
    """Each date is the first day of its period (FRED's convention), or `Invalid` naming the line."""
    months = {Frequency.MONTHLY: range(1, 13), Frequency.QUARTERLY: (1, 4, 7, 10), Frequency.ANNUAL: (1,)}
    allowed = months.get(frequency)  # type: ignore[call-overload]
    if allowed is None:
        return  # daily and weekly series take any day
    for line, date, _value in rows:
        if date.day != 1 or date.month not in allowed:
            raise parsing.refuse(
                parsing.where(name, line),
                _("%(date)s is not the first day of a %(frequency)s period.")
                % {"date": date.isoformat(), "frequency": Frequency(frequency).label},
            )


def import_series(
    user: User | AnonymousUser | None,
    code: str | None,
    source: str | Path | IO[bytes],
    layout: parsing.Layout | None = None,
    description: dict[str, Any] | None = None,
    name: str = "",
    uid: Any = None,
) -> ImportResult:
    """Import a file of observations as a new release of the user's party's series `code`, creating the
    series if it is new (`description` then gives its title, unit, frequency, ...; the title defaults to
    the code and the frequency to what the dates show), or of the series `uid`, which must exist.

    `source` is a path or an open binary file (`name` names it in errors). The file is read and checked
    whole before anything is written: any bad row refuses the file, naming its line and column.
    """
    actor = require_actor(user)
    layout = layout or parsing.Layout()
    if isinstance(source, str | Path):
        path = Path(source)
        name = name or path.name
        try:
            size = os.stat(path).st_size
        except OSError as error:
            raise Invalid(f"{path.name}: {error.strerror}", {"file": str(error.strerror)}) from None
        _check_size(size, name)
        with path.open("rb") as handle:
            rows = parsing.read(handle, name, layout)
    else:
        name = name or "upload"
        declared = getattr(source, "size", None)  # an upload's
        if declared is not None:
            _check_size(declared, name)
        rows = parsing.read(source, name, layout)
    wanted = dict(description or {})
    if rows.unit is not None:
        wanted.setdefault("unit", rows.unit)
        if wanted["unit"] != rows.unit:
            raise Invalid(
                _("unit: the file's unit %(file)r differs from %(given)r.")
                % {"file": rows.unit, "given": wanted["unit"]},
                {"unit": _("differs from the file")},
            )
    return publish(actor, code, rows.observations, wanted, name, rows.missing, uid=uid)


def _locked(actor: Actor, code: Any, uid: Any) -> Series | None:
    """The series `uid` (NotFound if there is none), else the actor's party's series `code` if it exists,
    locked for the write."""
    found = Series.objects.select_for_update(of=("self",)).select_related(
        "ledger_entry", "party", "organisation"
    )
    if uid is None:
        return found.filter(party=actor.party, code=_code(code)).first()
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound(_("There is no such series.")) from None
    series = found.filter(uid=key).first()
    if series is None:
        raise NotFound(_("There is no such series."))
    return series


def _check_size(size: int, name: str) -> None:
    if size > parsing.MAX_FILE_BYTES:
        raise Invalid(
            _("%(file)s: larger than %(max)s MiB; split it.")
            % {"file": name, "max": parsing.MAX_FILE_BYTES // (1024 * 1024)},
            {"file": _("too large")},
        )


def import_observations(
    user: User | AnonymousUser | None,
    code: str | None,
    observations: Any,
    description: dict[str, Any] | None = None,
    uid: Any = None,
) -> ImportResult:
    """Import observations given as data (the API's JSON body: `[{"date": "2024-01-01", "value":
    "12.5"}, ...]`, a value a number, a decimal text, or "."/null for a missing one) as a new release."""
    actor = require_actor(user)
    if not isinstance(observations, list) or not observations:
        raise Invalid(
            _("observations: give a list of {date, value}."), {"observations": _("This field is required.")}
        )
    if len(observations) > parsing.MAX_OBSERVATIONS:
        raise Invalid(
            _("observations: more than %(max)s in one release; split them.")
            % {"max": f"{parsing.MAX_OBSERVATIONS:,}"},
            {"observations": _("too many")},
        )
    rows: list[tuple[int, datetime.date, float | None]] = []
    seen: dict[datetime.date, int] = {}
    missing = 0
    for number, item in enumerate(observations, start=1):
        place = f"observations[{number - 1}]"
        if not isinstance(item, dict) or set(item) - {"date", "value"} or "date" not in item:
            raise parsing.refuse(place, _("give an object with date and value."))
        if not isinstance(item["date"], str):
            raise parsing.refuse(f"{place}.date", _("give a date as text, YYYY-MM-DD."))
        date = parsing.parse_date(item["date"], f"{place}.date")
        if date in seen:
            raise parsing.refuse(
                f"{place}.date",
                _("%(date)s is already at observations[%(index)s].")
                % {"date": date, "index": seen[date] - 1},
            )
        seen[date] = number
        value = item.get("value")
        if value is None:
            value = parsing.MISSING
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise parsing.refuse(f"{place}.value", _('give a number, or "." for a missing value.'))
        parsed = parsing.parse_value(
            repr(value) if isinstance(value, float) else str(value), f"{place}.value"
        )
        missing += parsed is None
        rows.append((number, date, parsed))
    return publish(actor, code, rows, dict(description or {}), "api", missing, uid=uid)


@transaction.atomic
def publish(
    actor: Actor,
    code: str | None,
    rows: list[tuple[int, datetime.date, float | None]],
    description: dict[str, Any],
    name: str,
    missing: int = 0,
    uid: Any = None,
) -> ImportResult:
    """Store checked `rows` as a new release of the actor's party's series `code` (created if new), and
    sign the series' description (if new or changed) and the release into the ledger, all at once.

    Only observations of new dates or with another value than the latest become part of the release; a
    file with nothing new makes no release. A stated unit other than the series' is refused.
    """
    wanted = clean_description(description, partial=True)
    series = _locked(actor, code, uid)
    code = series.code if series is not None else _code(code)
    now = timezone.now()
    created = series is None
    if series is None:
        require_publish_series(actor.user, actor.party.pk, None)
        wanted.setdefault("title", code)
        wanted.setdefault("language", Language.EN)
        if "frequency" not in wanted:
            wanted["frequency"] = _infer_frequency(rows)
        series = Series(
            party=actor.party,
            organisation=actor.organisation,
            code=code,
            created_at=now,
            changed_at=now,
            **wanted,
        )
        _check_dates(rows, series.frequency, name)
        series.save()
        series.ledger_entry = records.share_series(series)
        series.save(update_fields=["ledger_entry"])
    else:
        require_local_record(series.signed_by)
        require_publish_series(actor.user, series.party_id, series.organisation_id)
        if "unit" in wanted and wanted["unit"] != series.unit and series.unit:
            raise Invalid(
                _("unit: the series %(code)s is in %(unit)r, not %(given)r; a new unit is a new series.")
                % {"code": code, "unit": series.unit, "given": wanted["unit"]},
                {"unit": _("differs from the series' unit")},
            )
        if "frequency" in wanted and wanted["frequency"] != series.frequency:
            raise Invalid(
                _("frequency: the series %(code)s is %(frequency)s; a new frequency is a new series.")
                % {"code": code, "frequency": series.frequency},
                {"frequency": _("differs from the series' frequency")},
            )
        _check_dates(rows, series.frequency, name)
        changed = {key: value for key, value in wanted.items() if getattr(series, key) != value}
        if changed:
            for key, value in changed.items():
                setattr(series, key, value)
            series.revision += 1
            series.changed_at = now
            series.ledger_entry = records.share_series(series)
            series.save()
    fresh, replaced = changes(series, ((date, value) for _line, date, value in rows))
    if not fresh:
        return ImportResult(series, None, created, 0, 0, len(rows), missing)
    release = Release.objects.create(
        series=series,
        organisation=actor.organisation,
        released_at=now,
        source_name=name[:200],
        added=len(fresh) - len(replaced),
        revised=len(replaced),
    )
    store(series, release, fresh, replaced)
    release.ledger_entry = records.share_release(series, release, fresh)
    release.save(update_fields=["ledger_entry"])
    return ImportResult(
        series, release, created, release.added, release.revised, len(rows) - len(fresh), missing
    )


def changes(
    series: Series, rows: Iterable[tuple[datetime.date, float | None]]
) -> tuple[list[tuple[datetime.date, float | None]], list[int]]:
    """Of `rows`, those of a date the series lacks or with another value than its latest (sorted), and
    the ids of the latest observations they replace: what a new release holds (one query)."""
    held = {
        date: (pk, value)
        for date, pk, value in Observation.objects.filter(series=series, is_latest=True).values_list(
            "date", "pk", "value"
        )
    }
    fresh: list[tuple[datetime.date, float | None]] = []
    replaced: list[int] = []
    for date, value in rows:
        before = held.get(date)
        if before is None:
            fresh.append((date, value))
        elif before[1] != value:
            fresh.append((date, value))
            replaced.append(before[0])
    fresh.sort()
    return fresh, replaced


def store(
    series: Series, release: Release, fresh: list[tuple[datetime.date, float | None]], replaced: list[int]
) -> None:
    """Write a release's observations as the latest, and mark the values they replace as earlier
    vintages (also for records.py, which stores a peer's release the same way).

    The rows go in without model instances: on PostgreSQL by COPY (psycopg 3), elsewhere by one
    prepared INSERT run for every row; `bulk_create` spent about 8 s of a 100,000-row import building
    instances and binding values (bench/supply_chain_import.py).
    """
    for start in range(0, len(replaced), BATCH):
        Observation.objects.filter(pk__in=replaced[start : start + BATCH]).update(is_latest=False)
    table = connection.ops.quote_name(Observation._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(name) for name in _COLUMNS)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for date, value in fresh:
                copy.write_row((series.pk, release.pk, date, value, True))
        return
    adapt = connection.ops.adapt_datefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            # The table and column names are the model's own, quoted; every value is a parameter.
            f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [(series.pk, release.pk, adapt(date), value, True) for date, value in fresh],
        )


_COLUMNS = ("series_id", "release_id", "date", "value", "is_latest")


@transaction.atomic
def describe_series(user: User | AnonymousUser | None, data: dict[str, Any], uid: Any = None) -> Series:
    """Create the user's party's series `data["code"]`, or change its description (that one's, or the
    series `uid`'s: a new revision, signed); its unit and frequency cannot change once it has observations
    (a new unit is a new series)."""
    actor = require_actor(user)
    wanted = clean_description(data, partial=True)
    series = _locked(actor, data.get("code"), uid)
    code = series.code if series is not None else _code(data.get("code"))
    now = timezone.now()
    if series is None:
        require_publish_series(user, actor.party.pk, None)
        if "frequency" not in wanted:
            raise Invalid(
                _("frequency: choose one of %(choices)s.") % {"choices": ", ".join(Frequency.values)},
                {"frequency": _("This field is required.")},
            )
        wanted.setdefault("title", code)
        wanted.setdefault("language", Language.EN)
        series = Series.objects.create(
            party=actor.party,
            organisation=actor.organisation,
            code=code,
            created_at=now,
            changed_at=now,
            **wanted,
        )
    else:
        require_local_record(series.signed_by)
        require_publish_series(user, series.party_id, series.organisation_id)
        has_values = Observation.objects.filter(series=series).exists()
        for key in ("unit", "frequency"):
            if has_values and key in wanted and wanted[key] != getattr(series, key) and getattr(series, key):
                raise Invalid(
                    _("%(field)s: the series has observations in %(value)r; a new %(field)s is a new series.")
                    % {"field": key, "value": getattr(series, key)},
                    {key: _("cannot change")},
                )
        changed = {key: value for key, value in wanted.items() if getattr(series, key) != value}
        if not changed:
            return series
        for key, value in changed.items():
            setattr(series, key, value)
        series.revision += 1
        series.changed_at = now
    series.ledger_entry = records.share_series(series)
    series.save()
    return series
