"""Spreadsheet import and export: every bad row named, all or nothing, CSV and XLSX alike."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
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
    with pytest.raises(CommandError, match="--user: no active user"):
        call_command("import", "deliverables", str(write_csv(tmp_path, HEADER)), "--user", "nobody")
