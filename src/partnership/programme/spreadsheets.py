"""Import and export of deliverables and indicator values as CSV or XLSX.

An import is all or nothing: every row is checked through the same services as the web and the API,
inside one transaction; any bad row (reported with its spreadsheet row number and reason) rolls the
whole file back, and `dry_run` always rolls back.

Every text cell written is neutralised against formulas and every cell read restored, by the one rule
of `partnership.spreadsheet_cells` (a leading `'` before `= + - @`, tab, carriage return or `'`), so
an export imported again gives back exactly its text. A file is refused before it can cost much, by
`partnership.tables` (the one reading of untrusted files that every import shares) within this
module's limits: a CSV line by line (encoding, NUL, length), an XLSX by the sizes its zip declares and
its rows counted before openpyxl opens it, and both by a row count that blank rows are part of.
"""

import csv
import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partnership import tables
from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied, PreconditionFailed
from partnership.spreadsheet_cells import neutralise, restore, xlsx_text

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
# An XLSX file's decompressed size and compression ratio: the product's (`tables.MAX_XLSX_*`).


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
        rows = _rows(path, tables.csv_rows, "line")
    elif suffix in (".xlsx", ".xlsm"):
        rows = _rows(path, tables.xlsx_rows, "row")
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


def _message(path: Path, error: tables.TableError, unit: str) -> str:
    """A refusal of `tables` as the import names places: the file, and its line (CSV) or row (XLSX)."""
    if error.line is None:
        return _("%(file)s: %(problem)s") % {"file": path.name, "problem": error.problem}
    if unit == "row":
        return _("%(file)s, row %(row)s: %(problem)s") % {
            "file": path.name,
            "row": error.line,
            "problem": error.problem,
        }
    return _("%(file)s, line %(line)s: %(problem)s") % {
        "file": path.name,
        "line": error.line,
        "problem": error.problem,
    }


def _too_many_rows(path: Path) -> SpreadsheetError:
    return SpreadsheetError(_message(path, tables.TooManyRows(MAX_ROWS), "row"))


def _rows(path: Path, read: Callable[..., Iterator[tuple[int, list[str]]]], unit: str) -> Iterator[list[str]]:
    """The cells of each row of the file, read by `tables` within this import's limits."""
    limits = tables.Limits(rows=MAX_ROWS, line_bytes=MAX_LINE_BYTES, columns=MAX_COLUMNS)
    try:
        handle = path.open("rb")
    except OSError as error:
        raise SpreadsheetError(str(error)) from None
    with handle:
        try:
            for _number, cells in read(handle, limits):
                yield cells
        except tables.TooManyRows:
            raise _too_many_rows(path) from None  # the file named, as for the rows counted above
        except tables.TableError as error:
            raise SpreadsheetError(_message(path, error, unit)) from None


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


def plain_number(value: Decimal) -> Decimal:
    """`value` without trailing zeros and never in exponent form (10.0000 is 10, not 1E+1)."""
    return Decimal(format(value.normalize(), "f"))


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
            str(plain_number(v.value)),
            v.source,
        ]
        for v in queryset.select_related("indicator__action", "indicator__party").order_by(
            "indicator_id", "period_start"
        )
    ]
    return VALUE_COLUMNS, rows


def write_table(path: str | Path, header: list[str], rows: Iterable[list[Any]]) -> None:
    """Write a CSV (UTF-8 with BOM, so Excel reads Japanese correctly) or an XLSX file.

    No cell is ever a formula: text is neutralised (`partnership.spreadsheet_cells`), and in XLSX
    written as a string cell, which openpyxl would otherwise make a formula when it starts with "=".
    """
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with path.open("wb") as handle:
            for chunk in csv_chunks(header, rows):
                handle.write(chunk)
    elif path.suffix.lower() == ".xlsx":
        with path.open("wb") as handle:
            write_xlsx(handle, header, rows)
    else:
        raise SpreadsheetError(_("%(file)s: use a .csv or .xlsx file.") % {"file": path.name})


class _Line:
    """What csv.writer writes to: keeps the last line, so a file can be sent as it is written."""

    def write(self, text: str) -> str:
        self.text = text
        return text


def csv_chunks(header: list[str], rows: Iterable[list[Any]], rows_per_chunk: int = 200) -> Iterator[bytes]:
    """A CSV file (UTF-8 with a byte-order mark, cells neutralised) as chunks of bytes, written as
    `rows` are read: the file and the web's downloads (streamed) are one writer."""
    line = _Line()
    writer = csv.writer(line)
    writer.writerow(header)
    chunk = ["\ufeff" + line.text]
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        chunk.append(line.text)
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk).encode("utf-8")
            chunk = []
    yield "".join(chunk).encode("utf-8")


def write_xlsx(handle: IO[bytes], header: list[str], rows: Iterable[list[Any]]) -> None:
    """An XLSX file of one sheet into `handle`: every text a string cell, neutralised and escaped."""
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

    sheet.append([cell(value) for value in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    workbook.save(handle)


# --- what a page lists, taken out (the web's "Download CSV / XLSX") ----------------------------------------
#: Rows of one download: as many as an import reads back. A search that finds more is cut there, and the
#: file's last row says so.
EXPORT_MAX_ROWS = MAX_ROWS


def _cut_note(limit: int) -> str:
    return _("Cut at %(limit)s rows: narrow the filters to take out the rest.") % {"limit": f"{limit:,}"}


def _shown_time(value: datetime.date | datetime.datetime | None, zone: datetime.tzinfo) -> str:
    """A time in the reader's zone (ISO-like, the same in both languages), a date as it is."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, zone).strftime("%Y-%m-%d %H:%M")
    return value.isoformat()


def export_search(
    user, filters, absolute: Callable[[str], str] = str, limit: int = EXPORT_MAX_ROWS
) -> tuple[list[str], Iterator[list[Any]]]:
    """Header (in the reader's language) and rows of what a search finds for `user`: the rows of the
    search page, every page of them, with the same permission rule (`queries.search_rows`), at most
    `limit` (a last row says when more were found). `absolute` turns a page's path into a link."""
    from . import queries

    header = [
        pgettext("kind of result", "Type"),
        _("Joint action or meeting"),
        _("Party"),
        _("Cycle"),
        _("Status"),
        _("Text"),
        _("Language"),
        _("Date"),
        _("Link"),
    ]

    # A streamed file is written after the view returned: keep the reader's language and time zone.
    language, zone = translation.get_language(), timezone.get_current_timezone()

    def rows() -> Iterator[list[Any]]:
        with translation.override(language):
            yield from found_rows()

    def found_rows() -> Iterator[list[Any]]:
        for number, found in enumerate(queries.search_rows(user, filters, limit + 1), start=1):
            if number > limit:
                yield [_cut_note(limit)]
                return
            yield [
                found.kind_label,
                found.reference,
                found.party,
                found.cycle if found.cycle is not None else "",
                found.status_label,
                found.text,
                found.language,
                _shown_time(found.date, zone),
                absolute(found.url),
            ]

    return header, rows()


def export_action_indicator_values(user, paragraph: int) -> tuple[list[str], Iterator[list[Any]]]:
    """Header (in the reader's language) and rows of the values of an action's indicators, as the action
    page shows them (readers of progress only, `queries.action_indicator_values`)."""
    from . import queries

    values = queries.action_indicator_values(user, paragraph)
    header = [
        _("Indicator"),
        _("Joint action"),
        _("Party"),
        _("Unit"),
        _("Period start"),
        _("Period end"),
        _("Value"),
        _("Source"),
        _("Indicator id"),
    ]

    def rows() -> Iterator[list[Any]]:
        for number, value in enumerate(values[: EXPORT_MAX_ROWS + 1].iterator(chunk_size=1000), start=1):
            if number > EXPORT_MAX_ROWS:
                yield [_cut_note(EXPORT_MAX_ROWS)]
                return
            indicator = value.indicator
            yield [
                indicator.title,
                indicator.action.paragraph,
                indicator.party.code,
                indicator.unit,
                value.period_start.isoformat(),
                value.period_end.isoformat(),
                plain_number(value.value),
                value.source,
                str(indicator.uid),
            ]

    return header, rows()
