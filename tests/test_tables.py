"""The one reading of untrusted CSV and XLSX files: hostile files refused in words, naming the line,
before they cost much; good files read as rows of text within the caller's limits."""

import datetime
import io
import os
import zipfile

import pytest
from openpyxl import Workbook

from partnership import tables

SMALL = tables.Limits(rows=5, line_bytes=64, columns=4)
SHEET_XML = "xl/worksheets/sheet1.xml"


def csv_rows(data: bytes, limits: tables.Limits = SMALL) -> list[tuple[int, list[str]]]:
    return list(tables.csv_rows(io.BytesIO(data), limits))


def xlsx_rows(data: bytes, limits: tables.Limits = SMALL) -> list[tuple[int, list[str]]]:
    return list(tables.xlsx_rows(io.BytesIO(data), limits))


def check(data: bytes, limits: tables.Limits = SMALL) -> None:
    tables.check_xlsx(io.BytesIO(data), limits)


def refused(read, data: bytes, limits: tables.Limits = SMALL) -> tables.TableError:
    with pytest.raises(tables.TableError) as error:
        read(data, limits)
    return error.value


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_sheet(sheet_xml: bytes, dimension: str = "", extra: dict[str, bytes] | None = None) -> bytes:
    """An XLSX file whose first sheet's rows are `sheet_xml`, and `extra` parts beside them."""
    template = zipfile.ZipFile(io.BytesIO(workbook([["x"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part in template.infolist():
            data = template.read(part.filename)
            if part.filename == SHEET_XML:
                data = (
                    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                    + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
                    + b"<sheetData>"
                    + sheet_xml
                    + b"</sheetData></worksheet>"
                )
            target.writestr(part, data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def row(number: int, *values: str, r: bool = True) -> bytes:
    cells = "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values)
    return (f'<row r="{number}">' if r else "<row>").encode() + cells.encode() + b"</row>"


# --- CSV --------------------------------------------------------------------------------------------


def test_a_good_csv_is_read_as_rows_of_text_with_the_line_each_ends_on():
    data = '\ufeffdate,value\r\n2020-01-01,"two\nlines"\r\n2020-02-01,\r\n'.encode()
    assert csv_rows(data) == [
        (1, ["date", "value"]),  # the BOM Excel writes is dropped
        (3, ["2020-01-01", "two\nlines"]),
        (4, ["2020-02-01", ""]),
    ]


def test_lines_ended_by_a_carriage_return_alone_are_lines_of_their_own():
    assert [cells for _line, cells in csv_rows(b'a,b\r1,"x\r\ny"\r2,z\r')] == [
        ["a", "b"],
        ["1", "x\r\ny"],
        ["2", "z"],
    ]


@pytest.mark.parametrize(
    ("data", "line", "problem"),
    [
        (b"a,b\n1,2\n3,\x004\n", 3, "holds a NUL character (U+0000)."),
        (b"a,b\n1,2\n3,caf\xe9\n", 3, "not UTF-8 text."),
        (b"a,b\n" + b"x" * 65 + b"\n", 2, "longer than 64 bytes."),
        (b"a,b\n1,2\n" + b"x" * 10_000_000, 3, "longer than 64 bytes."),  # a line without end: cut
    ],
)
def test_a_hostile_csv_is_refused_naming_its_line(data, line, problem):
    error = refused(csv_rows, data)
    assert (error.line, error.problem) == (line, problem)


def test_a_csv_field_over_the_csv_modules_limit_is_refused_naming_its_line():
    error = refused(csv_rows, b'a,b\n1,"' + b"x" * 200_000 + b'"\n', tables.Limits(rows=5, line_bytes=2**20))
    assert (error.line, error.problem) == (2, "not valid CSV: field larger than field limit (131072)")


def test_a_csv_is_read_as_a_stream_and_a_bad_line_stops_it_there():
    handle = io.BytesIO(b"a,b\n" + b"1,\xff\n" + b"2,2\n" * 1_000_000)
    with pytest.raises(tables.TableError):
        list(tables.csv_rows(handle, SMALL))
    assert handle.tell() < 1024 * 1024  # not the 4 MB behind the bad line


# --- XLSX: rows --------------------------------------------------------------------------------------


def test_a_good_xlsx_is_read_as_text_with_its_row_numbers():
    data = workbook(
        [
            ["date", "value", "note"],
            [datetime.datetime(2021, 1, 1, 12), 95.5, "_x000D_ is kept"],
            [datetime.date(2021, 2, 1), 46.0, None],
            [],
            ["2021-03-01", 7, "'=1+1"],  # a neutralised text: the caller restores it
        ]
    )
    assert xlsx_rows(data) == [
        (1, ["date", "value", "note", ""]),
        (2, ["2021-01-01", "95.5", "\r is kept", ""]),  # the OOXML escape undone
        (3, ["2021-02-01", "46", "", ""]),
        (4, []),
        (5, ["2021-03-01", "7", "'=1+1", ""]),
    ]


def test_an_xlsx_row_is_read_at_most_as_wide_as_the_limit():
    data = with_sheet(
        row(1, "a", "b") + b'<row r="2"><c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>'
    )
    assert [len(cells) for _number, cells in xlsx_rows(data)] == [4, 0]


def test_an_xlsx_cell_with_nul_is_refused_naming_its_row():
    error = refused(xlsx_rows, with_sheet(row(1, "a", "b") + row(2, "1", "_x0000_")))
    assert (error.line, error.problem) == (2, "holds a NUL character (U+0000).")


def test_an_xlsx_of_too_many_rows_undeclared_is_refused_before_openpyxl_opens_it():
    rows = b"".join(row(n, str(n), r=False) for n in range(1, 8))  # no row numbers: counted
    error = refused(check, with_sheet(rows))
    assert isinstance(error, tables.TooManyRows) and error.line == 7
    assert error.problem == "more than 5 rows after the header (blank rows count too); split the file."
    # Blank rows count, and a row number past the limit is enough, whatever lies between.
    assert refused(check, with_sheet(b'<row r="1"/><row r="2000002"/>')).line == 2_000_002
    assert refused(xlsx_rows, with_sheet(b"".join(f'<row r="{n}"/>'.encode() for n in range(1, 8)))).line == 7
    # The header and as many rows as the limit: read.
    assert len(xlsx_rows(with_sheet(b"".join(row(n, str(n), r=False) for n in range(1, 7))))) == 6


def test_an_xlsx_of_too_many_rows_declared_is_refused_and_a_declaration_too_small_is_not_trusted():
    error = refused(xlsx_rows, with_sheet(row(1, "a"), dimension="A1:A2000002"))
    assert isinstance(error, tables.TooManyRows) and error.line == 2_000_002
    # openpyxl would stop at the declared last row; every row is read.
    lying = with_sheet(b"".join(row(n, str(n)) for n in range(1, 5)), dimension="A1:A2")
    assert [cells[0] for _number, cells in xlsx_rows(lying)] == ["1", "2", "3", "4"]


def test_rows_are_counted_across_the_blocks_the_sheet_is_read_in():
    # Row elements that straddle the 1 MiB blocks of the count: each counted once, none missed.
    cell = b'<c t="inlineStr"><is><t>%s</t></is></c>'
    rows = b"".join(
        b'<x:row spans="1:1">' + cell % os.urandom(500).hex().encode() + b"</x:row>" for _ in range(3000)
    )
    assert refused(check, with_sheet(rows), tables.Limits(rows=2998, line_bytes=64)).line == 3000
    check(with_sheet(rows), tables.Limits(rows=2999, line_bytes=64))


# --- XLSX: zip bombs and broken files ----------------------------------------------------------------


def test_an_xlsx_zip_bomb_by_ratio_is_refused_from_the_sizes_the_zip_declares():
    bomb = with_sheet(row(1, "a"), extra={"xl/media/padding.bin": b"A" * (2 * 1024 * 1024)})
    assert len(bomb) < 100_000
    error = refused(xlsx_rows, bomb)
    assert error.line is None
    assert error.problem == (
        "its part xl/media/padding.bin is compressed more than 100 to 1, as no spreadsheet is; "
        "it is refused as a zip bomb."
    )
    # A smaller part may be compressed as much: the ratio counts from 1 MiB, as Apache POI's does.
    xlsx_rows(with_sheet(row(1, "a"), extra={"xl/media/small.bin": b"A" * (1024 * 1024 - 1)}))


def test_an_xlsx_zip_bomb_by_total_size_is_refused_from_the_sizes_the_zip_declares():
    noise = {f"xl/media/noise{n}.bin": os.urandom(400 * 1024) for n in range(3)}  # barely compressible
    data = with_sheet(row(1, "a"), extra=noise)
    limits = tables.Limits(rows=5, line_bytes=64, uncompressed_bytes=1024 * 1024)
    error = refused(xlsx_rows, data, limits)
    assert (error.line, error.problem) == (None, "more than 1 MiB once decompressed; split the file.")
    assert xlsx_rows(data)  # within the product's 128 MiB


def test_a_broken_xlsx_is_refused_in_words():
    assert refused(xlsx_rows, b"not a zip").problem.startswith("not a readable XLSX file: ")
    # A sheet whose compressed bytes are damaged: refused as the rows are counted, not a crash.
    good = with_sheet(b"".join(row(n, f"text {n}") for n in range(1, 200)))
    part = zipfile.ZipFile(io.BytesIO(good)).getinfo(SHEET_XML)
    start = part.header_offset + 30 + len(SHEET_XML)  # its compressed bytes (no extra field)
    damaged = good[:start] + bytes(64) + good[start + 64 :]
    assert refused(xlsx_rows, damaged).problem.startswith("not a readable XLSX file: ")
    broken = with_sheet(b'<row r="1"><c t="inlineStr"><is>')
    assert refused(xlsx_rows, broken).problem.startswith("not a readable XLSX file: ")


def test_the_check_leaves_the_file_at_its_start_for_openpyxl():
    handle = io.BytesIO(workbook([["a"]]))
    tables.check_xlsx(handle, SMALL)
    assert handle.tell() == 0
