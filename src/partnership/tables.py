"""Untrusted CSV and XLSX files, read as rows of text for every import of the product.

A file is refused before it can cost much, by the limits its caller gives (`Limits`):

- **CSV**, line by line from a binary stream (`Lines`): a line is cut at `line_bytes` and refused
  rather than read whole, decoded on its own (so a decoding error names its own line; a text stream
  decodes ahead in blocks) as UTF-8 (a BOM on the first line is dropped: Excel writes one), and
  refused if it holds NUL (PostgreSQL cannot store U+0000; no text of ours holds it). Lines ended by a
  carriage return alone (old Mac files) become lines of their own.
- **XLSX**, before openpyxl decompresses a byte (`check_xlsx`): from the sizes its zip declares, the
  total of all parts (`uncompressed_bytes`) and the compression ratio of each part of 1 MiB or more
  (`ratio`: Apache POI's zip-bomb default, 100 to 1); zipfile stops each part at its declared size
  (and fails its CRC beyond), so no part decompresses to more than it declares. Then the row elements
  of every sheet's XML are counted, since openpyxl reads a whole sheet when it opens a workbook if the
  sheet does not declare its size. The first sheet is read `read_only`, at most `columns` wide (a cell
  at column XFD must not make every row 16,384 cells wide), without trusting its declared size.

The row limit counts blank rows too: a sheet of a million empty rows costs as much to read. A CSV's
rows are counted by the caller as it streams them (what a row number means is the caller's: a line of
the file, or a record), an XLSX's here in its XML before it is opened, and again by its declared size.

Errors are `TableError`: the problem in words and the line (a CSV line, a sheet's row) or None for the
file as a whole. The caller names the place as its own errors do ("FILE, line N: problem") and raises
its own error type. Cells are text: `cell_text` turns an XLSX value into what a CSV would hold; a
formula-neutralising quote is left for the caller to undo (`partnership.spreadsheet_cells.restore`),
since it decides where spaces around a cell are stripped.

Below `people` and `ledger`, like `inputs` and `spreadsheet_cells`: no models, nothing of an app, so
every app (an exchange too) may use it.
"""

import csv
import datetime
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.utils.translation import gettext as _

from partnership.spreadsheet_cells import from_xlsx_text

#: Columns read from an XLSX sheet unless a caller says otherwise.
MAX_COLUMNS = 32
#: What an XLSX file may decompress to, all its parts together: the XML of 50,000 full rows fits.
MAX_XLSX_UNCOMPRESSED = 128 * 1024 * 1024
#: How much a part of 1 MiB or more may be compressed (Apache POI's zip-bomb default, 1 to 100).
MAX_XLSX_RATIO = 100
RATIO_CHECKED_FROM = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one import reads at the most; each caller gives its own."""

    rows: int  # after the header, blank ones included
    line_bytes: int  # one CSV line
    columns: int = MAX_COLUMNS  # read from an XLSX sheet
    uncompressed_bytes: int = MAX_XLSX_UNCOMPRESSED  # all parts of an XLSX file together
    ratio: int = MAX_XLSX_RATIO  # of a part of 1 MiB or more


class TableError(Exception):
    """A file refused: `problem` in words, at `line` (a CSV line, a sheet's row; None: the whole file)."""

    def __init__(self, problem: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem, self.line = problem, line


class TooManyRows(TableError):
    """More rows after the header than `limit` (blank ones count); `line`: the first row past it, if known."""

    def __init__(self, limit: int, line: int | None = None) -> None:
        super().__init__(
            _("more than %(max)s rows after the header (blank rows count too); split the file.")
            % {"max": limit},
            line,
        )
        self.limit = limit


class Lines:
    """A CSV file's lines as text, read one at a time, so that a bad one is named and none costs much.

    `number` is the count of lines read so far (ended by a line feed), the place of an error.
    """

    def __init__(self, handle: IO[bytes], line_bytes: int) -> None:
        self.handle, self.line_bytes, self.number = handle, line_bytes, 0

    def __iter__(self) -> Iterator[str]:
        readline, limit = self.handle.readline, self.line_bytes
        while True:
            raw = readline(limit + 1)
            if not raw:
                return
            self.number += 1
            if len(raw) > limit:
                raise TableError(_("longer than %(max)s bytes.") % {"max": limit}, self.number)
            try:
                line = raw.decode("utf-8-sig" if self.number == 1 else "utf-8")
            except UnicodeDecodeError:
                raise TableError(_("not UTF-8 text."), self.number) from None
            if "\x00" in line:
                raise TableError(_("holds a NUL character (U+0000)."), self.number)
            # Only a carriage return other than the one of a CRLF ending needs the expression.
            if "\r" in line and line.count("\r") > line.endswith("\r\n"):
                yield from _LONE_CARRIAGE_RETURN.split(line)
            else:
                yield line


_LONE_CARRIAGE_RETURN = re.compile(r"(?<=\r)(?!\n)(?=.)", re.DOTALL)


def csv_rows(handle: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each row of a CSV file; `line` is where the row ends (`csv.reader.line_num`).

    Rows are not counted here: the caller refuses the row past `limits.rows` as it reads it.
    """
    lines = Lines(handle, limits.line_bytes)
    reader = csv.reader(lines)
    try:
        for cells in reader:
            yield reader.line_num, cells
    except csv.Error as error:
        raise TableError(_("not valid CSV: %(error)s") % {"error": error}, lines.number) from None


def cell_text(value: Any) -> str:
    """An XLSX cell's value as the text a CSV would hold: dates as YYYY-MM-DD, 46.0 as 46."""
    if value is None:
        return ""
    if isinstance(value, str):
        return from_xlsx_text(value)
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_xlsx(handle: IO[bytes], limits: Limits) -> None:
    """Refuse a zip bomb or a sheet of too many rows, from the sizes the zip declares and the row
    elements of the sheets' XML, before openpyxl decompresses a byte; `handle` is left at its start."""
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _unreadable(error) from None
    with archive:
        parts = archive.infolist()
        total = 0
        for part in parts:
            if part.file_size >= RATIO_CHECKED_FROM and part.file_size > limits.ratio * part.compress_size:
                raise TableError(
                    _(
                        "its part %(part)s is compressed more than %(ratio)s to 1, as no spreadsheet is; "
                        "it is refused as a zip bomb."
                    )
                    % {"part": part.filename, "ratio": limits.ratio}
                )
            total += part.file_size
            if total > limits.uncompressed_bytes:
                raise TableError(
                    _("more than %(max)s MiB once decompressed; split the file.")
                    % {"max": limits.uncompressed_bytes // (1024 * 1024)}
                )
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                try:
                    with archive.open(part) as sheet:
                        row = _row_past_limit(sheet, limits.rows + 1)
                except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as error:
                    raise _unreadable(error) from None
                if row:
                    raise TooManyRows(limits.rows, row)
    handle.seek(0)


# A row element (with any namespace prefix) and its row number, if it gives one (the space before
# `r=` may be the one that ends the name: a lookahead, not consumed). Bounded, so that a match never
# reaches further than the overlap kept between two blocks.
_ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]{0,30}:)?row(?=[\s/>])(?:[^>]{0,200}?\sr="([0-9]{1,12})")?')
_OVERLAP = 256


def _row_past_limit(sheet: IO[bytes], limit: int) -> int:
    """The first row past `limit` in a sheet's XML (by count of its row elements or by the row number
    one gives), or 0; read in blocks, and stopped there."""
    count, buffer = 0, b""
    while True:
        block = sheet.read(1024 * 1024)
        buffer += block
        # A match that starts in the last bytes of a block may be cut: it is read with the next one.
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


def _unreadable(error: Exception) -> TableError:
    return TableError(_("not a readable XLSX file: %(error)s") % {"error": error})


def xlsx_rows(handle: IO[bytes], limits: Limits) -> Iterator[tuple[int, list[str]]]:
    """(row, cells) of each row of the first sheet of an XLSX file, checked first by `check_xlsx`.

    A blank row is `[]`; a row holds at most `limits.columns` cells, each `cell_text`.
    """
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    # What a broken or hostile file makes openpyxl raise, as it opens the file or as it reads rows:
    # XML errors (expat also refuses entity expansion bombs, "billion laughs", with one), a CRC
    # that fails where a part decompresses to other than it declares, no sheet at all.
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
    check_xlsx(handle, limits)
    try:
        workbook = load_workbook(handle, read_only=True, data_only=True)
    except unreadable as error:
        raise _unreadable(error) from None
    try:
        sheet = workbook.worksheets[0]
        # The sheet's declared size answers at once for most files that are too long; then its
        # declaration is dropped, since openpyxl silently stops at a declared last row that lies.
        if (sheet.max_row or 0) > limits.rows + 1:
            raise TooManyRows(limits.rows, sheet.max_row)
        sheet.reset_dimensions()
        empty = (None,) * limits.columns
        for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=limits.columns), start=1):
            if row == empty:
                yield number, []
                continue
            cells = [cell_text(value) for value in row]
            if any("\x00" in cell for cell in cells):
                raise TableError(_("holds a NUL character (U+0000)."), number)
            yield number, cells
    except unreadable as error:
        raise _unreadable(error) from None
    finally:
        workbook.close()
