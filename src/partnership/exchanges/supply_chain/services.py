"""Every write of supply-chain monitoring (para 46: joint monitoring, exchange of information in
anticipation of disruptions): describing a series and importing its observations as a new release.

Each takes the acting user, checks `people.permissions` (`require_publish_series`), validates (`Invalid`
naming the field, or the file's line and column), signs what the other party receives into the ledger
and commits everything at once: a bad file stores nothing.
"""

from __future__ import annotations

import datetime
import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from partnership import detection
from partnership.errors import Conflict, Invalid, NotFound
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


def _check_dates(
    rows: Iterable[tuple[int, datetime.date, float | None]],
    frequency: str,
    name: str,
    series: Series | None = None,
) -> None:
    """Each date is the first day of its period (FRED's convention), or `Invalid` naming the line.

    Weekly series: sources end their weeks on different days (FRED's weekly series on Friday, Saturday or
    Monday, METI's on Sunday), so any weekday is taken, but one series keeps one weekday: its first
    observation's (held, or of these rows). A week with two dates would make the growth and year-ago
    comparisons of detection wrong."""
    if frequency == Frequency.WEEKLY:
        _check_weekday(rows, name, series)
        return
    months = {Frequency.MONTHLY: range(1, 13), Frequency.QUARTERLY: (1, 4, 7, 10), Frequency.ANNUAL: (1,)}
    allowed = months.get(frequency)  # type: ignore[call-overload]
    if allowed is None:
        return  # daily series take any day
    for line, date, _value in rows:
        if date.day != 1 or date.month not in allowed:
            raise parsing.refuse(
                parsing.where(name, line),
                _("%(date)s is not the first day of a %(frequency)s period.")
                % {"date": date.isoformat(), "frequency": Frequency(frequency).label},
            )


def _check_weekday(
    rows: Iterable[tuple[int, datetime.date, float | None]], name: str, series: Series | None
) -> None:
    """Every date of a weekly series falls on the weekday of its first observation."""
    held = (
        Observation.objects.filter(series=series).order_by("date").values_list("date", flat=True).first()
        if series is not None and series.pk is not None
        else None
    )
    weekday = held.weekday() if held is not None else None
    for line, date, _value in rows:
        if weekday is None:
            weekday = date.weekday()
        elif date.weekday() != weekday:
            raise parsing.refuse(
                parsing.where(name, line),
                _("%(date)s is a %(day)s; the weeks of this series end on a %(expected)s.")
                % {"date": date.isoformat(), "day": _weekday(date.weekday()), "expected": _weekday(weekday)},
            )


def _weekday(number: int) -> str:
    """The weekday's name in the reader's language (Monday is 0)."""
    return str(
        (_("Monday"), _("Tuesday"), _("Wednesday"), _("Thursday"), _("Friday"), _("Saturday"), _("Sunday"))[
            number
        ]
    )


def _create_series(series: Series) -> None:
    """Insert a new series. Two requests that create the same code at once both find no series and both
    insert; the database's unique constraint (party, code) refuses the second, which becomes a Conflict
    (409 on the API), not a server error. The savepoint keeps the outer transaction usable to roll back."""
    try:
        with transaction.atomic():
            series.save()
    except IntegrityError:
        raise Conflict(
            _("code: the series %(code)s was just created by another request; read it and try again.")
            % {"code": series.code}
        ) from None


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
            handle = path.open("rb")  # a folder, or a file the command may not read, fails here
        except OSError as error:
            raise Invalid(
                _("%(file)s cannot be read: %(reason)s") % {"file": path.name, "reason": error.strerror},
                {"file": str(error.strerror)},
            ) from None
        with handle:
            _check_size(size, name)
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
        _create_series(series)
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
        _check_dates(rows, series.frequency, name, series)
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
    detect_series(series, release)  # issue 16, item 2: the signals of the new vintage
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
        series = Series(
            party=actor.party,
            organisation=actor.organisation,
            code=code,
            created_at=now,
            changed_at=now,
            **wanted,
        )
        _create_series(series)
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


# === detectors and signals (issue 16, item 2) ==========================================================

#: The detection library's reasons (`DetectorConfigError.template`), marked here for the catalogue: the
#: library holds no translated text. tests/exchanges/supply_chain/test_services.py checks that every
#: template the library raises is listed, so a new reason cannot reach a reader untranslated.
LIBRARY_REASONS = (
    gettext_noop("a detector is configured by an object of parameters"),
    gettext_noop("must be text, not %(value)s"),
    gettext_noop("%(value)s is not one of %(choices)s"),
    gettext_noop("is required"),
    gettext_noop("must be a number, not %(value)s"),
    gettext_noop("must be a finite number, not %(value)s"),
    gettext_noop("must be greater than %(limit)s, not %(value)s"),
    gettext_noop("must be at least %(limit)s, not %(value)s"),
    gettext_noop("must be at most %(limit)s, not %(value)s"),
    gettext_noop("must be a whole number, not %(value)s"),
    gettext_noop("must be true or false, not %(value)s"),
    gettext_noop("is not a parameter of this method"),
    gettext_noop("is required (one of %(choices)s)"),
    gettext_noop("must hold at least three segments of min_size (%(least)s)"),
)


def _config_message(error: detection.DetectorConfigError) -> str:
    """The library's reason in the reader's language."""
    return _(error.template) % error.params if error.params else _(error.template)


def clean_detectors(configs: Any) -> list[dict[str, Any]]:
    """A series' detector configurations as stored (each as the library gives it back), or `Invalid`
    naming the impossible parameter (`detectors[1].limit`) in the reader's language. An empty list means
    the library's defaults."""
    if not isinstance(configs, list):
        raise Invalid(_("detectors: give a list of detector configurations."), {"detectors": _("not a list")})
    if len(configs) > MAX_DETECTORS:
        raise Invalid(
            _("detectors: at most %(max)s detectors on a series.") % {"max": MAX_DETECTORS},
            {"detectors": _("too many")},
        )
    try:
        built = detection.build_detectors(configs)
    except detection.DetectorConfigError as error:
        field = error.parameter if error.parameter.startswith("detectors") else f"detectors.{error.parameter}"
        reason = _config_message(error)
        raise Invalid(f"{field}: {reason}", {field: reason}) from None
    names: dict[str, int] = {}
    for position, detector in enumerate(built):
        if detector.name in names:
            field = f"detectors[{position}].name"
            reason = _("detectors[%(index)s] has the same name; give each detector a name of its own.") % {
                "index": names[detector.name]
            }
            raise Invalid(f"{field}: {reason}", {field: reason})
        if len(detector.name) > 80:
            field = f"detectors[{position}].name"
            raise Invalid(f"{field}: " + _("at most 80 characters."), {field: _("too long")})
        names[detector.name] = position
    return [detector.config() for detector in built]


MAX_DETECTORS = 20


def series_detectors(series: Series) -> list[detection.Detector]:
    """The detectors that watch `series`: its own configurations, or the library's defaults."""
    return detection.build_detectors(series.detectors or detection.DEFAULT_DETECTORS)


@transaction.atomic
def set_detectors(user: User | AnonymousUser | None, uid: Any, configs: Any) -> Series:
    """Configure the detectors of the series `uid` (an empty list: the library's defaults). They are part
    of its shared description: a new revision, signed; its signals are computed again."""
    actor = require_actor(user)
    series = _locked(actor, None, uid)
    assert series is not None  # _locked raises NotFound for an unknown uid
    require_local_record(series.signed_by)
    require_publish_series(user, series.party_id, series.organisation_id)
    cleaned = clean_detectors(configs)
    if cleaned == list(series.detectors):
        return series
    series.detectors = cleaned
    series.revision += 1
    series.changed_at = timezone.now()
    series.ledger_entry = records.share_series(series)
    series.save()
    detect_series(series)
    return series


def _growth(later: float, earlier: float) -> float | None:
    return later / earlier - 1 if earlier else None


def _shown(detector: detection.Detector, signal: detection.Signal, previous: float | None) -> dict[str, Any]:
    """What the signal's sentence says: its kind (the transform it watched) and the two numbers in the
    reader's units, growth as a fraction (a CUSUM on growth compares this period's growth with the
    expected one, both on the previous value)."""
    transform = detector.config().get("transform", "level")
    if signal.method == "cusum" and transform == "log_diff" and previous:
        return {
            "kind": "growth",
            "value": _growth(signal.value, previous),
            "baseline": _growth(signal.baseline, previous),
        }
    if signal.method == "change_point" and transform in ("log_diff", "log_yoy"):
        return {
            "kind": "growth" if transform == "log_diff" else "yoy",
            "value": signal.value,
            "baseline": signal.baseline,
        }
    if signal.method == "year_over_year":
        return {"kind": "yoy_level", "value": signal.value, "baseline": signal.baseline}
    return {"kind": "level", "value": signal.value, "baseline": signal.baseline}


def _storable(signal: detection.Signal, shown: dict[str, Any]) -> bool:
    """Whether every number of a signal is finite: JSON (the API, PostgreSQL's jsonb) has no infinity, and
    a growth of 1e-300 to 1e300 overflows a double; such a signal is left out, not the import refused."""
    try:
        json.dumps([signal.value, signal.baseline, signal.explanation, shown], allow_nan=False)
    except (ValueError, OverflowError):
        return False
    return True


def find_signals(series: Series) -> list[tuple[detection.Detector, detection.Signal, dict[str, Any]]]:
    """Every signal the series' detectors find on its latest values (missing ones left out), each with
    its detector and what its sentence shows. A daily series has none (the library reads weekly and
    longer frequencies); a detector the values cannot feed (logs of a value not above 0, values so far
    apart their ratio overflows) is skipped, and so is a signal with a number that is not finite."""
    if series.frequency == Frequency.DAILY:
        return []
    pairs: list[tuple[datetime.date, float]] = [
        (date, value)
        for date, value in Observation.objects.filter(series=series, is_latest=True)
        .exclude(value=None)
        .order_by("date")
        .values_list("date", "value")
        if value is not None  # excluded above; for the type
    ]
    if len(pairs) < 3:
        return []
    observed = detection.make_series(pairs, series.code, series.frequency)
    positions = {date: index for index, (date, _value) in enumerate(pairs)}
    found = []
    for detector in series_detectors(series):
        try:
            with np.errstate(all="ignore"):
                signals = detector.detect(observed)
        except (detection.SeriesError, ArithmeticError):  # e.g. exp() of a growth of 1e-300 to 1e300
            continue
        for signal in signals:
            index = positions[signal.date]
            previous = pairs[index - 1][1] if index else None
            shown = _shown(detector, signal, previous)
            if _storable(signal, shown):
                found.append((detector, signal, shown))
    found.sort(key=lambda item: (item[1].date, item[0].name))
    return found


@transaction.atomic
def detect_series(series: Series, release: Release | None = None) -> list[Any]:
    """Run the series' detectors and store what they find: a signal found before keeps its
    `detected_at` and release, a new one gets now and `release`, one no longer found (a revision, other
    detectors) is removed. Returns the series' signals. No permission: derived data, computed by each
    node for every series it holds (after each release, its own or a peer's, and on demand)."""
    from .models import Signal

    now = timezone.now()
    held = {
        (signal.detector, signal.date, signal.direction): signal
        for signal in series.signals.all()  # the related manager: each knows its series, no query more
    }
    kept: list[Signal] = []
    new: list[Signal] = []
    for detector, found, shown in find_signals(series):
        key = (detector.name, found.date, found.direction)
        explanation = {
            **found.explanation,
            "shown": shown,
            "transform": detector.config().get("transform", ""),
        }
        row = held.pop(key, None)
        fields = {
            "method": found.method,
            "value": found.value,
            "baseline": found.baseline,
            "window_start": found.window[0],
            "window_end": found.window[1],
            "explanation": explanation,
        }
        if row is None:
            new.append(
                Signal(
                    series=series,
                    release=release,
                    date=found.date,
                    detector=detector.name,
                    direction=found.direction,
                    detected_at=now,
                    **fields,
                )
            )
        else:
            for name, value in fields.items():
                setattr(row, name, value)
            kept.append(row)
    if held:
        Signal.objects.filter(pk__in=[signal.pk for signal in held.values()]).delete()
    if kept:
        Signal.objects.bulk_update(
            kept, ["method", "value", "baseline", "window_start", "window_end", "explanation"]
        )
    Signal.objects.bulk_create(new)
    return sorted([*kept, *new], key=lambda signal: (signal.date, signal.detector))


def detect(code: str | None = None) -> list[Any]:
    """Run detection on demand on every series this node holds (of every party), or on those with the
    code `code` (NotFound if none): the signals stored, in date order."""
    found = Series.objects.select_related("party").order_by("party__code", "code")
    if code:
        found = found.filter(code=code)
        if not found.exists():
            raise NotFound(_("There is no series %(code)s.") % {"code": code})
    signals: list[Any] = []
    for series in found:
        signals.extend(detect_series(series))
    return sorted(signals, key=lambda signal: (signal.date, signal.series.code, signal.method))


def backtest(code: str, events: Iterable[datetime.date] = ()) -> detection.BacktestResult:
    """Replay the stored series `code` (its latest values) as if live through its detectors: when each
    signal would have fired, and for each known event (a month) the first signal within the year from
    it and its delay in months. Reads only: nothing is stored."""
    series = Series.objects.filter(code=code).order_by("party__code").first()
    if series is None:
        raise NotFound(_("There is no series %(code)s.") % {"code": code})
    if series.frequency == Frequency.DAILY:
        raise Invalid(
            _("%(code)s is a daily series; detection reads weekly and longer frequencies.") % {"code": code},
            {"series": _("daily")},
        )
    pairs: list[tuple[datetime.date, float]] = list(
        Observation.objects.filter(series=series, is_latest=True)
        .exclude(value=None)
        .order_by("date")
        .values_list("date", "value")  # type: ignore[arg-type]  # no None: excluded above
    )
    known = [
        detection.Event(start.strftime("%Y-%m"), start, _months_later(start, 11)) for start in sorted(events)
    ]
    return detection.backtest(
        pairs, series_detectors(series), code=series.code, frequency=series.frequency, events=known
    )


def _months_later(start: datetime.date, months: int) -> datetime.date:
    month = start.month - 1 + months
    return datetime.date(start.year + month // 12, month % 12 + 1, 1)
