"""Reading a file of observations: FRED's CSV, a general CSV with a column mapping, or an XLSX sheet.

Nothing here touches the database: a file is read whole into (line, date, value) rows first, and the
service stores them in one transaction only when every row is good, so a bad file stores nothing.

A file is read as a stream by `partnership.tables` (the one reading of untrusted files that every
import shares) and refused as soon as it breaks a limit, before it costs much: a CSV line by line
(UTF-8, no NUL, at most `MAX_LINE_BYTES`), at most `MAX_OBSERVATIONS` rows after the header (blank rows
count), so a file of ten million rows is refused at row 200,002 after reading a few megabytes; an XLSX
by the sizes its zip declares and a count of its rows in the sheet's XML, before openpyxl opens it,
then `read_only` and 32 columns wide. Each error names the file, the line (a spreadsheet's row) and the
column.

Missing values: FRED writes "." for a period it has no value for; every layout takes "." so, and the
observation is stored as missing (no value: shown as "—", skipped by the chart). An empty cell is an
error, since it is more often a mistake than a statement.
"""

from __future__ import annotations

import datetime
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO

from django.utils.translation import gettext as _

from partnership import tables
from partnership.errors import Invalid
from partnership.spreadsheet_cells import restore

#: Rows after the header, blank ones included. A monthly series of a century is 1,200 rows, a daily one
#: 36,525; the bench imports 100,000.
MAX_OBSERVATIONS = 200_000
#: A CSV line, in bytes: a date and a few numbers need far less.
MAX_LINE_BYTES = 64 * 1024
#: A file, in bytes, refused from its size before a byte is read (200,000 rows of 1 KiB fit).
MAX_FILE_BYTES = 256 * 1024 * 1024
# An XLSX file's decompressed size, compression ratio and columns: the product's (`tables`).
#: FRED's marker of a period without a value.
MISSING = "."
FORMATS = ("fred", "csv", "xlsx")
FRED_DATE_COLUMNS = ("date", "observation_date")

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})(?:-([0-9]{2}))?")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")


@dataclass(frozen=True)
class Layout:
    """How a file holds its observations. `fred`: two columns, `DATE,VALUE` or `observation_date,<CODE>`;
    `csv` and `xlsx`: a header row and the named columns (`date_column`, `value_column`, optionally
    `unit_column`, a unit per row), other columns ignored."""

    format: str = "fred"
    date_column: str = "date"
    value_column: str = ""
    unit_column: str = ""


@dataclass
class Rows:
    """What a file holds: (line, date, value) per observation, in file order, and the unit its rows state."""

    observations: list[tuple[int, datetime.date, float | None]] = field(default_factory=list)
    unit: str | None = None  # from the unit column, if the layout has one
    missing: int = 0  # values given as "." (stored as missing)


def where(name: str, line: int, column: str = "") -> str:
    """A place in a file, as errors name it."""
    if column:
        return _("%(file)s, line %(line)s, column %(column)s") % {
            "file": name,
            "line": line,
            "column": column,
        }
    return _("%(file)s, line %(line)s") % {"file": name, "line": line}


def refuse(place: str | Callable[[], str], problem: str) -> Invalid:
    """The error of one bad place in the input: the message names it, `fields` maps it to the problem.
    `place` may be a function that says it, so that good rows do not pay for naming theirs."""
    if callable(place):
        place = place()
    return Invalid(f"{place}: {problem}", {place: problem})


def parse_date(text: str, place: str | Callable[[], str]) -> datetime.date:
    """An observation's date: `YYYY-MM-DD`, or `YYYY-MM` for the first day of that month."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:  # the common case, in C
            date = datetime.date.fromisoformat(text)
        except ValueError:
            pass
        else:
            if 1800 <= date.year <= 2200:
                return date
    match = _DATE.fullmatch(text.strip())
    if match is None:
        raise refuse(place, _("%(text)r is not a date; write YYYY-MM-DD (or YYYY-MM).") % {"text": text[:40]})
    year, month, day = int(match[1]), int(match[2]), int(match[3] or 1)
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise refuse(place, _("%(text)s is not a day of the calendar.") % {"text": text}) from None
    if not 1800 <= year <= 2200:
        raise refuse(place, _("%(text)s is outside the years 1800 to 2200.") % {"text": text})
    return date


def parse_value(text: str, place: str | Callable[[], str]) -> float | None:
    """A value: a decimal number (`12.5`, `-3`, `1.2e3`); "." for a missing one (None)."""
    try:  # the common case: what float() reads is a number unless it is nan, inf or has "_"
        value = float(text)
    except ValueError:
        pass
    else:
        if math.isfinite(value) and text.isascii() and "_" not in text and "n" not in text.lower():
            return value
    text = text.strip()
    if text == MISSING:
        return None
    if not text:
        raise refuse(place, _('no value; write "." for a period without one.'))
    if _NUMBER.fullmatch(text) is None:
        raise refuse(place, _("%(text)r is not a number.") % {"text": text[:40]})
    value = float(text)
    if not math.isfinite(value):
        raise refuse(place, _("%(text)s is too large.") % {"text": text[:40]})
    return value


def read(handle: IO[bytes], name: str, layout: Layout) -> Rows:
    """The observations in an open binary file `handle` (named `name` in errors), laid out as `layout`."""
    if layout.format not in FORMATS:
        raise Invalid(
            _("format: choose one of %(formats)s.") % {"formats": ", ".join(FORMATS)},
            {"format": _("unknown format")},
        )
    limits = tables.Limits(rows=MAX_OBSERVATIONS, line_bytes=MAX_LINE_BYTES)
    read_rows = tables.xlsx_rows if layout.format == "xlsx" else tables.csv_rows
    try:
        return _observations(read_rows(handle, limits), name, layout)
    except tables.TooManyRows as error:
        raise _too_many(name, error.line or MAX_OBSERVATIONS + 2) from None
    except tables.TableError as error:
        raise refuse(name if error.line is None else where(name, error.line), error.problem) from None


def _too_many(name: str, line: int) -> Invalid:
    return refuse(
        where(name, line),
        _("more than %(max)s observations in one file; split it.") % {"max": f"{MAX_OBSERVATIONS:,}"},
    )


def _text(cell: str) -> str:
    """A cell without the quote that neutralised it against formulas, if it has one."""
    return restore(cell) if cell[:1] == "'" else cell


def _columns(header: list[str], name: str, layout: Layout) -> tuple[int, int, int | None, str]:
    """The positions of the date, value and unit columns in `header`, and the value column's name."""
    names = [cell.strip() for cell in header]
    lowered = [cell.lower() for cell in names]
    if layout.format == "fred":
        if len(names) != 2 or lowered[0] not in FRED_DATE_COLUMNS or not names[1]:
            raise refuse(
                where(name, 1),
                _(
                    "FRED's layout has two columns, DATE,VALUE or observation_date,<series code>; "
                    "found %(found)s."
                )
                % {"found": ",".join(names)[:200]},
            )
        return 0, 1, None, names[1]

    def position(column: str, option: str) -> int:
        if column.lower() not in lowered:
            raise refuse(
                where(name, 1),
                _("no column %(column)s (%(option)s); the columns are %(found)s.")
                % {"column": column, "option": option, "found": ", ".join(names)[:200]},
            )
        return lowered.index(column.lower())

    date = position(layout.date_column or "date", "--date-column")
    if layout.value_column:
        value = position(layout.value_column, "--value-column")
    else:
        others = [
            i
            for i, cell in enumerate(names)
            if i != date and cell and lowered[i] != layout.unit_column.lower()
        ]
        if len(others) != 1:
            raise refuse(
                where(name, 1),
                _("name the value column (--value-column) among %(found)s.")
                % {"found": ", ".join(names)[:200]},
            )
        value = others[0]
    unit = position(layout.unit_column, "--unit-column") if layout.unit_column else None
    return date, value, unit, names[value]


def _observations(rows: Iterator[tuple[int, list[str]]], name: str, layout: Layout) -> Rows:
    try:
        _line, header = next(rows)
    except StopIteration:
        raise refuse(where(name, 1), _("the file is empty.")) from None
    header = [_text(cell) for cell in header]
    date_at, value_at, unit_at, value_name = _columns(header, name, layout)
    date_name = header[date_at].strip()
    unit_name = header[unit_at].strip() if unit_at is not None else ""
    found = Rows()
    seen: dict[datetime.date, int] = {}
    unit_line = 0
    for line, cells in rows:
        # Counted before blank rows are skipped: ten million empty rows cost as much to read.
        if line > MAX_OBSERVATIONS + 1:
            raise _too_many(name, line)
        if not "".join(cells).strip():
            continue
        cells = cells + [""] * (len(header) - len(cells))
        date = parse_date(_text(cells[date_at]), lambda: where(name, line, date_name))  # noqa: B023 - at once
        if date in seen:
            raise refuse(
                where(name, line, date_name),
                _("%(date)s is already on line %(line)s.") % {"date": date.isoformat(), "line": seen[date]},
            )
        seen[date] = line
        value = parse_value(_text(cells[value_at]), lambda: where(name, line, value_name))  # noqa: B023
        if value is None:
            found.missing += 1
        if unit_at is not None:
            unit = _text(cells[unit_at]).strip()
            if found.unit is None:
                found.unit, unit_line = unit, line
            elif unit != found.unit:
                raise refuse(
                    where(name, line, unit_name),
                    _("the unit %(unit)r differs from %(first)r on line %(line)s.")
                    % {"unit": unit[:80], "first": found.unit[:80], "line": unit_line},
                )
        found.observations.append((line, date, value))
    if not found.observations:
        # A header alone (an export of the wrong sheet or period) was "imported" with nothing added.
        raise refuse(where(name, 2), _("no observation after the header."))
    return found
