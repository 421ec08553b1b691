"""Reading a file of observations through the product's one reading of untrusted files
(`partnership.tables`): its refusals named as this exchange names places, with the file and line."""

import io
import zipfile

import pytest

from partnership.errors import Invalid
from partnership.exchanges.supply_chain import parsing
from tests.test_tables import SHEET_XML, row, with_sheet

XLSX = parsing.Layout("xlsx")


def refusal(data: bytes, layout: parsing.Layout = XLSX) -> Invalid:
    with pytest.raises(Invalid) as refused:
        parsing.read(io.BytesIO(data), "sheet.xlsx", layout)
    return refused.value


def test_a_csv_with_old_mac_line_ends_is_read_line_by_line():
    rows = parsing.read(
        io.BytesIO(b"DATE,VALUE\r2020-01-01,1\r2020-02-01,'-2\r"), "mac.csv", parsing.Layout()
    )
    assert [(line, str(date), value) for line, date, value in rows.observations] == [
        (2, "2020-01-01", 1.0),
        (3, "2020-02-01", -2.0),  # the neutralising quote undone
    ]


def test_an_xlsx_zip_bomb_is_refused_naming_the_file_and_its_part():
    bomb = with_sheet(row(1, "date", "value"), extra={"xl/media/padding.bin": b"A" * (2 * 1024 * 1024)})
    error = refusal(bomb)
    assert error.message == (
        "sheet.xlsx: its part xl/media/padding.bin is compressed more than 100 to 1, as no spreadsheet is; "
        "it is refused as a zip bomb."
    )
    assert list(error.fields) == ["sheet.xlsx"]


def test_an_xlsx_row_far_past_the_limit_is_refused_at_its_row_before_openpyxl_reads_the_gap():
    error = refusal(with_sheet(row(1, "date", "value") + row(2_000_002, "2020-01-01", "1")))
    assert error.message == "sheet.xlsx, line 2000002: more than 200,000 observations in one file; split it."


def test_an_xlsx_whose_sheet_is_damaged_is_refused_in_words():
    good = with_sheet(b"".join(row(n, f"2020-01-{n:02d}", str(n)) for n in range(1, 29)))
    part = zipfile.ZipFile(io.BytesIO(good)).getinfo(SHEET_XML)
    start = part.header_offset + 30 + len(SHEET_XML)
    error = refusal(good[:start] + bytes(64) + good[start + 64 :])
    assert error.message.startswith("sheet.xlsx: not a readable XLSX file: ")
