"""Import and export of deliverables and indicator values as CSV or XLSX.

An import is all or nothing: every row is checked through the same services as the web and the API,
inside one transaction; any bad row (reported with its spreadsheet row number and reason) rolls the
whole file back, and `dry_run` always rolls back.

Every text cell written is neutralised against formulas and every cell read restored, by the one rule
of `partnership.spreadsheet_cells` (a leading `'` before `= + - @`, tab, carriage return or `'`), so
an export imported again gives back exactly its text. A file is refused before it can cost much: a
CSV line by line (encoding, NUL, length), an XLSX by the sizes its zip declares before openpyxl opens
it, and both by a row count that blank rows are part of.
"""

import csv
import datetime
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import ParseError

from django.db import transaction
from django.utils.translation import gettext as _

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied, PreconditionFailed
from partnership.spreadsheet_cells import from_xlsx_text, neutralise, restore, xlsx_text

from . import services
from .models import Deliverable, IndicatorValue

DELIVERABLE_REQUIRED = {"action", "title", "language"}
VALUE_REQUIRED = {"indicator", "period_start", "period_end", "value", "source"}
DELIVERABLE_COLUMNS = [
    "id",
    "revision",
    "action",
    "party",
    "organisation",
    "title",
    "description",
    "language",
    "due_date",
    "due_cycle",
    "status",
    "evidence",
]
VALUE_COLUMNS = ["indicator", "action", "party", "period_start", "period_end", "value", "source"]
#: Rows after the header, blank ones included: a sheet of a million empty rows costs as much to read.
MAX_ROWS = 50_000
#: Columns read from an XLSX sheet; ours have at most 12, and a cell at column XFD must not make
#: every row 16,384 cells wide.
MAX_COLUMNS = 32
#: A CSV line, in bytes (a description of 131,072 characters, the csv module's field limit, fits).
MAX_LINE_BYTES = 4 * 1024 * 1024
#: What an XLSX file may decompress to, all its parts together: the XML of 50,000 full rows fits.
MAX_XLSX_UNCOMPRESSED = 128 * 1024 * 1024
#: How much a part of 1 MiB or more may be compressed (Apache POI's zip-bomb default, 1 to 100).
MAX_XLSX_RATIO = 100
_RATIO_CHECKED_FROM = 1024 * 1024


class SpreadsheetError(Exception):
    """A file that cannot be read as a table at all (wrong format, no header, too large)."""


@dataclass
class ImportResult:
    """What an import did or, on a dry run or with errors, would have done."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class _Rollback(Exception):
    """Raised inside the transaction to undo a dry run or a file with bad rows."""


def read_table(path: str | Path, columns: list[str], required: set[str]) -> list[tuple[int, dict[str, str]]]:
    """Rows of a CSV or XLSX file as (spreadsheet row number, {column: text}); the header is row 1."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    else:
        raise SpreadsheetError(_("%(file)s: use a .csv or .xlsx file.") % {"file": path.name})
    try:
        header = next(rows)
    except StopIteration:
        raise SpreadsheetError(_("%(file)s is empty.") % {"file": path.name}) from None
    header = [name.strip().lower() for name in header]
    missing = [name for name in columns if name in required and name not in header]
    if missing:
        raise SpreadsheetError(
            _("row 1: missing column(s) %(columns)s; expected %(expected)s")
            % {"columns": ", ".join(missing), "expected": ", ".join(columns)}
        )
    unknown = [name for name in header if name and name not in columns]
    if unknown:
        raise SpreadsheetError(_("row 1: unknown column(s) %(columns)s") % {"columns": ", ".join(unknown)})
    table = []
    for number, values in enumerate(rows, start=2):
        # Counted before blank rows are skipped: a sheet of two million empty rows and one row of
        # data is refused at row 50,002, not read to its end.
        if number > MAX_ROWS + 1:
            raise _too_many_rows(path)
        if not any(value.strip() for value in values):
            continue  # blank lines at the end of a sheet are common
        padded = list(values) + [""] * (len(header) - len(values))
        table.append((number, {name: restore(padded[i].strip()) for i, name in enumerate(header) if name}))
    return table


def _too_many_rows(path: Path) -> SpreadsheetError:
    return SpreadsheetError(
        _("%(file)s: more than %(max)s rows after the header (blank rows count too); split the file.")
        % {"file": path.name, "max": MAX_ROWS}
    )


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        handle = path.open("rb")
    except OSError as error:
        raise SpreadsheetError(str(error)) from None
    lines = _CsvLines(handle, path)
    with handle:
        try:
            yield from csv.reader(lines)
        except csv.Error as error:
            raise SpreadsheetError(
                _("%(file)s, line %(line)s: not valid CSV: %(error)s")
                % {"file": path.name, "line": lines.number, "error": error}
            ) from None


class _CsvLines:
    """A CSV file's lines as text, read one at a time so that a bad one is named and none costs much."""

    def __init__(self, handle: io.BufferedReader, path: Path) -> None:
        self.handle, self.path, self.number = handle, path, 0

    def __iter__(self) -> Iterator[str]:
        handle, path = self.handle, self.path
        while True:
            # Bytes, decoded line by line: a decoding error then names its own line (a text stream
            # decodes ahead in blocks), and a line without end is cut at the limit, not read whole.
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                return
            self.number += 1
            where = {"file": path.name, "line": self.number}
            if len(raw) > MAX_LINE_BYTES:
                raise SpreadsheetError(
                    _("%(file)s, line %(line)s: longer than %(max)s bytes.")
                    % {**where, "max": MAX_LINE_BYTES}
                )
            try:
                line = raw.decode("utf-8-sig" if self.number == 1 else "utf-8")  # Excel writes a BOM
            except UnicodeDecodeError:
                raise SpreadsheetError(_("%(file)s, line %(line)s: not UTF-8 text.") % where) from None
            if "\x00" in line:
                # PostgreSQL cannot store U+0000; no text of ours holds it.
                raise SpreadsheetError(_("%(file)s, line %(line)s: holds a NUL character (U+0000).") % where)
            # Lines ended by a carriage return alone (old Mac files) become lines of their own.
            yield from _LONE_CARRIAGE_RETURN.split(line)


_LONE_CARRIAGE_RETURN = re.compile(r"(?<=\r)(?!\n)(?=.)", re.DOTALL)


def _cell(value: Any) -> str:
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


def _check_xlsx_sizes(path: Path) -> None:
    """Refuse a zip bomb from the sizes its directory declares, before openpyxl decompresses a byte.

    zipfile stops each part at its declared size (and fails its CRC beyond), so a part cannot
    decompress to more than it declares.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpreadsheetError(
            _("%(file)s is not a readable XLSX file: %(error)s") % {"file": path.name, "error": error}
        ) from None
    total = 0
    for part in parts:
        if part.file_size >= _RATIO_CHECKED_FROM and part.file_size > MAX_XLSX_RATIO * part.compress_size:
            raise SpreadsheetError(
                _(
                    "%(file)s: its part %(part)s is compressed more than %(ratio)s to 1, as no spreadsheet "
                    "is; it is refused as a zip bomb."
                )
                % {"file": path.name, "part": part.filename, "ratio": MAX_XLSX_RATIO}
            )
        total += part.file_size
        if total > MAX_XLSX_UNCOMPRESSED:
            raise SpreadsheetError(
                _("%(file)s would take more than %(max)s MiB once decompressed; split the file.")
                % {"file": path.name, "max": MAX_XLSX_UNCOMPRESSED // (1024 * 1024)}
            )
    with zipfile.ZipFile(path) as archive:
        for part in parts:
            if part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml"):
                with archive.open(part) as sheet:
                    if _too_many_rows_in(sheet):
                        raise _too_many_rows(path)


# A row element (with any namespace prefix) and its row number, if it gives one. Bounded, so that a
# match never reaches further than the overlap kept between two blocks.
_ROW_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]{0,30}:)?row[\s/>](?:[^>]{0,200}?\sr="([0-9]{1,12})")?')
_OVERLAP = 256


def _too_many_rows_in(sheet: IO[bytes]) -> bool:
    """Whether a sheet's XML has more rows than an import takes, by counting its row elements.

    openpyxl reads a whole sheet when it opens a workbook if the sheet does not declare its size
    (`<dimension>` is optional), so rows must be counted before it opens the file: this scans the
    bytes in blocks, and stops at the first row past the limit.
    """
    count, buffer = 0, b""
    while block := sheet.read(1024 * 1024):
        buffer += block
        cut = max(0, len(buffer) - _OVERLAP)
        for match in _ROW_TAG.finditer(buffer):
            if match.start() >= cut:
                break
            count += 1
            number = match.group(1)
            if count > MAX_ROWS + 1 or (number is not None and int(number) > MAX_ROWS + 1):
                return True
        buffer = buffer[cut:]
    for match in _ROW_TAG.finditer(buffer):
        count += 1
        number = match.group(1)
        if count > MAX_ROWS + 1 or (number is not None and int(number) > MAX_ROWS + 1):
            return True
    return False


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
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
    _check_xlsx_sizes(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except unreadable as error:
        raise _unreadable_xlsx(path, error) from None
    try:
        yield from _sheet_rows(workbook, path)
    except unreadable as error:
        raise _unreadable_xlsx(path, error) from None
    finally:
        workbook.close()


def _unreadable_xlsx(path: Path, error: Exception) -> SpreadsheetError:
    return SpreadsheetError(
        _("%(file)s is not a readable XLSX file: %(error)s") % {"file": path.name, "error": error}
    )


def _sheet_rows(workbook: Any, path: Path) -> Iterator[list[str]]:
    sheet = workbook.worksheets[0]
    # The sheet's declared size answers at once for most files that are too long; then its
    # declaration is dropped, since openpyxl silently stops at a declared last row that lies.
    if (sheet.max_row or 0) > MAX_ROWS + 1:
        raise _too_many_rows(path)
    sheet.reset_dimensions()
    empty = (None,) * MAX_COLUMNS
    for number, row in enumerate(sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS), start=1):
        if row == empty:
            yield []
            continue
        cells = [_cell(value) for value in row]
        if any("\x00" in cell for cell in cells):
            raise SpreadsheetError(
                _("%(file)s, row %(row)s: holds a NUL character (U+0000).")
                % {"file": path.name, "row": number}
            )
        yield cells


def _run(rows, apply_row: Callable[[dict[str, str]], str], dry_run: bool, progress) -> ImportResult:
    result = ImportResult(dry_run=dry_run)
    try:
        with transaction.atomic():
            for number, row in progress(rows):
                try:
                    # A savepoint per row: a failed row leaves the others' work consistent, so
                    # every bad row is found in one pass; the outer transaction decides at the end.
                    with transaction.atomic():
                        outcome = apply_row(row)
                except Invalid as error:
                    result.errors.append(
                        (number, "; ".join(f"{k}: {v}" for k, v in error.fields.items()) or error.message)
                    )
                except (NotFound, PermissionDenied, Conflict, PreconditionFailed) as error:
                    result.errors.append((number, str(error)))
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
            if dry_run or result.errors:
                raise _Rollback
    except _Rollback:
        pass
    return result


def _no_progress(rows: Iterable) -> Iterable:
    return rows


def _paragraph(row: dict[str, str]) -> int:
    try:
        return int(row.get("action", ""))
    except ValueError:
        raise Invalid(
            _("action: give the paragraph number, e.g. 46."), {"action": _("not a paragraph number")}
        ) from None


def _check_party(row: dict[str, str], user) -> None:
    from partnership.people.permissions import require_actor

    party = row.get("party", "")
    actor = require_actor(user)
    if party and party != actor.party.code:
        raise PermissionDenied(
            _("party: this row is of %(party)s; you can only write for %(own)s.")
            % {"party": party, "own": actor.party.code}
        )


def import_deliverables(user, rows, dry_run: bool = False, progress=_no_progress) -> ImportResult:
    """Create deliverables (rows without id) and change existing ones (rows with id and revision)."""

    def apply(row: dict[str, str]) -> str:
        _check_party(row, user)
        data = {
            "title": row.get("title", ""),
            "description": row.get("description", ""),
            "language": row.get("language", ""),
            "due_date": row.get("due_date", ""),
            "due_period": row.get("due_cycle", ""),
            "status": row.get("status", "") or "planned",
            "evidence": row.get("evidence", ""),
        }
        if row.get("organisation"):
            data["organisation"] = row["organisation"]
        if not row.get("id"):
            services.create_deliverable(user, _paragraph(row), data)
            return "created"
        deliverable = services.get_deliverable(user, row["id"])
        if row.get("action") and str(deliverable.action.paragraph) != row["action"]:
            raise Invalid(
                _("action: deliverable %(id)s belongs to action %(p)s.")
                % {"id": row["id"], "p": deliverable.action.paragraph},
                {"action": row["action"]},
            )
        if not row.get("revision"):
            raise Invalid(
                _("revision: give the revision you exported, so that no edit is lost."),
                {"revision": _("missing")},
            )
        current = {
            "organisation": deliverable.organisation.code,
            **{k: getattr(deliverable, k) for k in data if k != "organisation"},
        }
        proposed = {**data, "evidence": row.get("evidence", "").split()}
        if _same(current, proposed):
            return "unchanged"
        services.change_deliverable(user, row["id"], data, f'"{deliverable.uid}.{row["revision"]}"')
        return "updated"

    return _run(rows, apply, dry_run, progress)


def _same(current: dict[str, Any], proposed: dict[str, Any]) -> bool:
    for key, value in proposed.items():
        old = current.get(key)
        old_text = "" if old is None else (old.isoformat() if isinstance(old, datetime.date) else old)
        if isinstance(old_text, list) or isinstance(value, list):
            if list(old_text or []) != list(value or []):
                return False
        elif str(old_text) != str(value or ""):
            return False
    return True


def import_indicator_values(user, rows, dry_run: bool = False, progress=_no_progress) -> ImportResult:
    """Record actual values; a value already recorded for the period is replaced (corrections)."""

    def apply(row: dict[str, str]) -> str:
        _check_party(row, user)
        if not row.get("indicator"):
            raise Invalid(_("indicator: give the indicator's id."), {"indicator": _("missing")})
        data = {key: row.get(key, "") for key in ("period_start", "period_end", "value", "source")}
        key = services.as_uuid(row["indicator"])
        start, end = _date_or_none(data["period_start"]), _date_or_none(data["period_end"])
        existing = None
        if key and start and end:  # otherwise the service below names what is wrong
            existing = IndicatorValue.objects.filter(
                indicator__uid=key, period_start=start, period_end=end
            ).first()
        if (
            existing is not None
            and existing.source == data["source"]
            and _decimal(data["value"]) == existing.value
        ):
            services.get_indicator(user, row["indicator"])  # still only what the user may see
            return "unchanged"
        _value, created = services.record_indicator_value(user, row["indicator"], data, replace=True)
        return "created" if created else "updated"

    return _run(rows, apply, dry_run, progress)


def _date_or_none(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        return None


def _decimal(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except ArithmeticError:
        return None


def export_deliverables(queryset=None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of all deliverables, in the import format."""
    queryset = queryset if queryset is not None else Deliverable.objects.all()
    rows = [
        [
            str(d.uid),
            d.revision,
            d.action.paragraph,
            d.party.code,
            d.organisation.code,
            d.title,
            d.description,
            d.language,
            d.due_date.isoformat() if d.due_date else "",
            d.due_period or "",
            d.status,
            " ".join(d.evidence),
        ]
        for d in queryset.select_related("action", "party", "organisation").order_by(
            "action__paragraph", "pk"
        )
    ]
    return DELIVERABLE_COLUMNS, rows


def export_indicator_values(queryset=None) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of all indicator values, in the import format."""
    queryset = queryset if queryset is not None else IndicatorValue.objects.all()
    rows = [
        [
            str(v.indicator.uid),
            v.indicator.action.paragraph,
            v.indicator.party.code,
            v.period_start.isoformat(),
            v.period_end.isoformat(),
            str(v.value.normalize()),
            v.source,
        ]
        for v in queryset.select_related("indicator__action", "indicator__party").order_by(
            "indicator_id", "period_start"
        )
    ]
    return VALUE_COLUMNS, rows


def write_table(path: str | Path, header: list[str], rows: list[list[Any]]) -> None:
    """Write a CSV (UTF-8 with BOM, so Excel reads Japanese correctly) or an XLSX file.

    No cell is ever a formula: text is neutralised (`partnership.spreadsheet_cells`), and in XLSX
    written as a string cell, which openpyxl would otherwise make a formula when it starts with "=".
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows([neutralise(value) for value in row] for row in rows)
    elif path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()

        def cell(value: Any) -> Any:
            if not isinstance(value, str):
                return value
            written = WriteOnlyCell(sheet, value=xlsx_text(neutralise(value)))
            written.data_type = "s"
            return written

        sheet.append(header)
        for row in rows:
            sheet.append([cell(value) for value in row])
        workbook.save(path)
    else:
        raise SpreadsheetError(_("%(file)s: use a .csv or .xlsx file.") % {"file": path.name})
