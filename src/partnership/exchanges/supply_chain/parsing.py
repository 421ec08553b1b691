"""Reading a file of observations: FRED's CSV, a general CSV with a column mapping, or an XLSX sheet.

Nothing here touches the database: a file is read whole into (line, date, value) rows first, and the
service stores them in one transaction only when every row is good, so a bad file stores nothing.

A file is read as a stream and refused as soon as it breaks a limit, before it costs much: a CSV line by
line (UTF-8, no NUL, at most `MAX_LINE_BYTES`), at most `MAX_OBSERVATIONS` rows after the header (blank
rows count), so a file of ten million rows is refused at row 200,002 after reading a few megabytes; an
XLSX by the limits the product applies to every spreadsheet it reads (programme/spreadsheets.py: the
sizes its zip declares, before openpyxl opens it, a count of its rows in the sheet's XML, 32 columns,
`read_only`). Each error names the file, the line (a spreadsheet's row) and the column.

Missing values: FRED writes "." for a period it has no value for; every layout takes "." so, and the
observation is stored as missing (no value: shown as "—", skipped by the chart). An empty cell is an
error, since it is more often a mistake than a statement.
"""

from __future__ import annotations

import csv
import datetime
import math
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

from partnership.errors import Invalid
from partnership.spreadsheet_cells import from_xlsx_text, restore

#: Rows after the header, blank ones included. A monthly series of a century is 1,200 rows, a daily one
#: 36,525; the bench imports 100,000.
MAX_OBSERVATIONS = 200_000
#: A CSV line, in bytes: a date and a few numbers need far less.
MAX_LINE_BYTES = 64 * 1024
#: A file, in bytes, refused from its size before a byte is read (200,000 rows of 1 KiB fit).
MAX_FILE_BYTES = 256 * 1024 * 1024
#: The limits of programme/spreadsheets.py for an XLSX file (it cannot be imported from here).
MAX_XLSX_UNCOMPRESSED = 128 * 1024 * 1024
MAX_XLSX_RATIO = 100
MAX_COLUMNS = 32
_RATIO_CHECKED_FROM = 1024 * 1024
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
    if layout.format == "xlsx":
        return _observations(_xlsx_rows(handle, name), name, layout)
    return _observations(_csv_rows(handle, name), name, layout)


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
    date_at, value_at, unit_at, value_name = _columns(header, name, layout)
    date_name = header[date_at].strip()
    unit_name = header[unit_at].strip() if unit_at is not None else ""
    found = Rows()
    seen: dict[datetime.date, int] = {}
    unit_line = 0
    for line, cells in rows:
        # Counted before blank rows are skipped: ten million empty rows cost as much to read.
        if line > MAX_OBSERVATIONS + 1:
            raise refuse(
                where(name, line),
                _("more than %(max)s observations in one file; split it.") % {"max": f"{MAX_OBSERVATIONS:,}"},
            )
        if not "".join(cells).strip():
            continue
        cells = cells + [""] * (len(header) - len(cells))
        date = parse_date(cells[date_at], lambda: where(name, line, date_name))  # noqa: B023 - called at once
        if date in seen:
            raise refuse(
                where(name, line, date_name),
                _("%(date)s is already on line %(line)s.") % {"date": date.isoformat(), "line": seen[date]},
            )
        seen[date] = line
        value = parse_value(cells[value_at], lambda: where(name, line, value_name))  # noqa: B023
        if value is None:
            found.missing += 1
        if unit_at is not None:
            unit = cells[unit_at].strip()
            if found.unit is None:
                found.unit, unit_line = unit, line
            elif unit != found.unit:
                raise refuse(
                    where(name, line, unit_name),
                    _("the unit %(unit)r differs from %(first)r on line %(line)s.")
                    % {"unit": unit[:80], "first": found.unit[:80], "line": unit_line},
                )
        found.observations.append((line, date, value))
    return found


def _csv_rows(handle: IO[bytes], name: str) -> Iterator[tuple[int, list[str]]]:
    lines = _Lines(handle, name)
    reader = csv.reader(lines)
    try:
        for cells in reader:
            # Only a cell that starts with the neutralising quote needs restoring.
            yield reader.line_num, [restore(cell) if cell[:1] == "'" else cell for cell in cells]
    except csv.Error as error:
        raise refuse(where(name, lines.number), _("not valid CSV: %(error)s") % {"error": error}) from None


class _Lines:
    """A file's lines as text, read one at a time: a bad one is named, and none costs much."""

    def __init__(self, handle: IO[bytes], name: str) -> None:
        self.handle, self.name, self.number = handle, name, 0

    def __iter__(self) -> Iterator[str]:
        while True:
            raw = self.handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.number += 1
            if len(raw) > MAX_LINE_BYTES:
                raise refuse(
                    where(self.name, self.number), _("longer than %(max)s bytes.") % {"max": MAX_LINE_BYTES}
                )
            try:
                line = raw.decode("utf-8-sig" if self.number == 1 else "utf-8")  # Excel writes a BOM
            except UnicodeDecodeError:
                raise refuse(where(self.name, self.number), _("not UTF-8 text.")) from None
            if "\x00" in line:
                raise refuse(where(self.name, self.number), _("holds a NUL character (U+0000)."))
            yield line


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return restore(from_xlsx_text(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _check_xlsx(handle: IO[bytes], name: str) -> None:
    """Refuse a zip bomb or a sheet of too many rows from what the zip declares and the sheet's row
    elements, before openpyxl decompresses a byte (as programme/spreadsheets.py does)."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise refuse(name, _("not a readable XLSX file: %(error)s") % {"error": error}) from None
    with archive:
        total = 0
        for part in archive.infolist():
            if part.file_size >= _RATIO_CHECKED_FROM and part.file_size > MAX_XLSX_RATIO * part.compress_size:
                raise refuse(
                    name,
                    _("a part is compressed more than %(ratio)s to 1; refused as a zip bomb.")
                    % {"ratio": MAX_XLSX_RATIO},
                )
            total += part.file_size
            if total > MAX_XLSX_UNCOMPRESSED:
                raise refuse(
                    name,
                    _("more than %(max)s MiB once decompressed; split the file.")
                    % {"max": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)},
                )
        for part in archive.infolist():
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                with archive.open(part) as sheet:
                    row = _row_past_limit(sheet)
                    if row:
                        raise refuse(
                            where(name, row),
                            _("more than %(max)s observations in one file; split it.")
                            % {"max": f"{MAX_OBSERVATIONS:,}"},
                        )
    handle.seek(0)


_ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]{0,30}:)?row[\s/>](?:[^>]{0,200}?\sr="([0-9]{1,12})")?')
_OVERLAP = 256


def _row_past_limit(sheet: IO[bytes]) -> int:
    """The first row number past the limit in a sheet's XML (counting its row elements), or 0."""
    count, buffer, limit = 0, b"", MAX_OBSERVATIONS + 1
    while True:
        block = sheet.read(1024 * 1024)
        buffer += block
        cut = max(0, len(buffer) - _OVERLAP) if block else len(buffer)
        for match in _ROW_TAG.finditer(buffer):
            if block and match.start() >= cut:
                break
            count += 1
            number = int(match.group(1)) if match.group(1) is not None else count
            if count > limit or number > limit:
                return max(count, number)
        if not block:
            return 0
        buffer = buffer[cut:]


def _xlsx_rows(handle: IO[bytes], name: str) -> Iterator[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = (
        InvalidFileException,
        zipfile.BadZipFile,
        ParseError,
        EOFError,
        zlib.error,
        OSError,
        KeyError,
        IndexError,
        TypeError,
        ValueError,
    )
    _check_xlsx(handle, name)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except unreadable as error:
        raise refuse(name, _("not a readable XLSX file: %(error)s") % {"error": error}) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # openpyxl stops silently at a declared last row that lies
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
            cells = [_cell(value) for value in row]
            if any("\x00" in cell for cell in cells):
                raise refuse(where(name, number), _("holds a NUL character (U+0000)."))
            yield number, cells
    except unreadable as error:
        raise refuse(name, _("not a readable XLSX file: %(error)s") % {"error": error}) from None
    finally:
        workbook.close()
