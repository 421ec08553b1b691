"""Importing observations: the shared public series, vintages, and each kind of bad input (issue 16,
"Bad input": a clear error naming the line, nothing stored)."""

import datetime
import io
import time

import pytest

from partnership.errors import Invalid, PermissionDenied
from partnership.exchanges.supply_chain import parsing, queries, services
from partnership.exchanges.supply_chain.models import Observation, Release, Series
from partnership.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

FRED = "observation_date,TEST\n2020-01-01,10.5\n2020-02-01,11\n2020-03-01,12.25\n"


def nothing_stored() -> bool:
    return not Series.objects.exists() and not Observation.objects.exists() and not LogEntry.objects.exists()


# --- the shared public series ---------------------------------------------------------------------


def test_the_fred_production_series_imports_with_its_latest_value(members, shared_file):
    result = services.import_series(
        members["jp_secretariat"],
        "IPG3344S",
        shared_file("IPG3344S.csv"),
        description={"unit": "index 2017=100"},
    )
    series = result.series
    assert (result.created, series.frequency, series.title, result.added) == (
        True,
        "monthly",
        "IPG3344S",
        653,
    )
    latest = dict(Observation.objects.filter(series=series, is_latest=True).values_list("date", "value"))
    assert str(min(latest)) == "1972-01-01" and latest[min(latest)] == 0.029
    assert latest[max(latest)] > 100  # index 2017=100, recent years above it


@pytest.mark.parametrize(
    ("name", "frequency", "count"), [("CAPG3344S.csv", "monthly", 653), ("IPG3344SQ.csv", "quarterly", 217)]
)
def test_the_other_fred_files_import_with_the_frequency_their_dates_show(
    members, shared_file, name, frequency, count
):
    result = services.import_series(members["eu_secretariat"], name.removesuffix(".csv"), shared_file(name))
    assert (result.series.frequency, result.added) == (frequency, count)


def test_the_meti_file_gives_one_series_per_value_column(members, shared_file):
    path = shared_file("jp_meti_iip_electronic_parts_devices.csv")
    for column in ("shipment_index", "inventory_index"):
        layout = parsing.Layout("csv", "date", column)
        result = services.import_series(
            members["jp_lead"], f"METI-{column}", path, layout, {"unit": "index 2020=100"}
        )
        assert result.added == 156
    shipments, inventories = Series.objects.order_by("code")
    assert shipments.organisation.code == "jp-mic" and inventories.code == "METI-shipment_index"


def test_the_press_quoted_lead_times_import_with_their_month_dates(members, shared_file):
    layout = parsing.Layout("csv", "month", "avg_lead_time_weeks")
    result = services.import_series(
        members["eu_secretariat"],
        "LEAD",
        shared_file("lead_time_press_quotes.csv"),
        layout,
        {"frequency": "monthly"},
    )
    latest = dict(Observation.objects.filter(series=result.series).values_list("date", "value"))
    assert [str(date) for date in sorted(latest)] == ["2021-12-01", "2022-08-01", "2022-09-01", "2022-12-01"]
    assert latest[max(latest)] == 24.0


# --- vintages -------------------------------------------------------------------------------------


def test_a_later_release_revises_a_value_and_keeps_the_earlier_one(members, write_csv):
    owner = members["jp_secretariat"]
    first = services.import_series(owner, "TEST", write_csv(FRED))
    again = services.import_series(owner, "TEST", write_csv(FRED))
    assert again.release is None and again.unchanged == 3  # nothing new: no release
    revised = services.import_series(
        owner, "TEST", write_csv(FRED.replace("11\n", "11.5\n") + "2020-04-01,13\n")
    )
    assert (revised.added, revised.revised, revised.unchanged) == (1, 1, 2)
    data = queries.series_data(owner, first.series.uid)
    assert [(str(p.date), p.value) for p in data.points] == [
        ("2020-01-01", 10.5),
        ("2020-02-01", 11.5),
        ("2020-03-01", 12.25),
        ("2020-04-01", 13.0),
    ]
    (changed,) = data.revised
    assert [value for value, _when in changed.earlier] == [11.0]
    assert [release.revised for release in data.releases] == [1, 0]


def test_the_missing_marker_is_stored_as_a_missing_value_and_counted(members, write_csv):
    result = services.import_series(members["jp_secretariat"], "TEST", write_csv(FRED.replace("11\n", ".\n")))
    assert result.missing == 1
    assert Observation.objects.get(date="2020-02-01").value is None


# --- bad input: each names its line (and column); nothing is stored --------------------------------


@pytest.mark.parametrize(
    ("text", "place", "words"),
    [
        (
            FRED.replace("2020-02-01", "2020-02-30"),
            "line 3, column observation_date",
            "not a day of the calendar",
        ),
        (FRED.replace("2020-02-01", "01/02/2020"), "line 3, column observation_date", "not a date"),
        (FRED.replace("2020-02-01", "2020-02-15"), "line 3", "not the first day of a monthly period"),
        (FRED.replace("2020-03-01", "2020-01-01"), "line 4, column observation_date", "already on line 2"),
        (FRED.replace(",11\n", ",\n"), "line 3, column TEST", "no value"),
        (FRED.replace(",11\n", ",eleven\n"), "line 3, column TEST", "is not a number"),
        (FRED.replace(",11\n", ",1e999\n"), "line 3, column TEST", "too large"),
        ("DATE;VALUE\n2020-01-01;1\n", "line 1", "FRED's layout has two columns"),
        (FRED.replace("12.25", "12.25\x00"), "line 4", "NUL"),
    ],
)
def test_a_bad_fred_file_is_refused_naming_the_line_and_column(members, write_csv, text, place, words):
    with pytest.raises(Invalid) as refused:
        services.import_series(
            members["jp_secretariat"], "TEST", write_csv(text), description={"frequency": "monthly"}
        )
    assert f"series.csv, {place}" in refused.value.message and words in refused.value.message
    assert nothing_stored()


def test_a_unit_that_changes_within_the_file_is_refused_naming_the_line(members, write_csv):
    text = "date,value,unit\n2020-01-01,1,weeks\n2020-02-01,2,weeks\n2020-03-01,3,days\n"
    with pytest.raises(Invalid) as refused:
        services.import_series(
            members["jp_secretariat"], "LEAD", write_csv(text), parsing.Layout("csv", unit_column="unit")
        )
    assert "line 4, column unit" in refused.value.message and "'weeks' on line 2" in refused.value.message
    assert nothing_stored()


def test_a_unit_other_than_the_series_is_refused_and_nothing_is_added(members, write_csv):
    owner = members["jp_secretariat"]
    services.import_series(owner, "TEST", write_csv(FRED), description={"unit": "index 2017=100"})
    before = (Observation.objects.count(), Release.objects.count(), LogEntry.objects.count())
    text = "date,value,unit\n2020-05-01,1,index 2012=100\n"
    with pytest.raises(Invalid) as refused:
        services.import_series(owner, "TEST", write_csv(text), parsing.Layout("csv", unit_column="unit"))
    assert set(refused.value.fields) == {"unit"} and "a new unit is a new series" in refused.value.message
    assert (Observation.objects.count(), Release.objects.count(), LogEntry.objects.count()) == before


def test_a_bad_row_at_the_end_of_a_long_file_stores_nothing(members, write_csv):
    rows = "".join(f"{1900 + n // 12}-{n % 12 + 1:02d}-01,{n}\n" for n in range(3000))
    with pytest.raises(Invalid) as refused:
        services.import_series(
            members["jp_secretariat"], "TEST", write_csv("DATE,VALUE\n" + rows + "2150-01-01,x\n")
        )
    assert "line 3002" in refused.value.message
    assert nothing_stored()


class EndlessRows(io.RawIOBase):
    """Ten million rows of a CSV file of daily values, made as they are read, counting the bytes read."""

    def __init__(self, rows: int = 10_000_000) -> None:
        self.rows, self.row, self.pending, self.served = rows, -1, b"", 0
        self.start = datetime.date(1900, 1, 1).toordinal()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while len(self.pending) < len(buffer) and self.row < self.rows:
            if self.row < 0:
                self.pending += b"DATE,VALUE\n"
            else:
                self.pending += f"{datetime.date.fromordinal(self.start + self.row)},1\n".encode()
            self.row += 1
        size = min(len(buffer), len(self.pending))
        buffer[:size], self.pending = self.pending[:size], self.pending[size:]
        self.served += size
        return size


def test_ten_million_rows_are_refused_early_and_cheaply(members, monkeypatch):
    # Valid distinct dates run out (1800-2200) before 200,000 daily rows; a lower limit shows the same
    # streaming refusal on a file whose rows are all good up to it.
    monkeypatch.setattr(parsing, "MAX_OBSERVATIONS", 50_000)
    source = EndlessRows()
    started = time.perf_counter()
    with pytest.raises(Invalid) as refused:
        services.import_series(members["jp_secretariat"], "TEST", io.BufferedReader(source), name="huge.csv")
    assert (
        refused.value.message == "huge.csv, line 50002: more than 50,000 observations in one file; split it."
    )
    # It stopped at the limit: under a megabyte read of the 150 the file holds.
    assert source.served < 1024 * 1024 and time.perf_counter() - started < 5
    assert nothing_stored()


def test_a_file_larger_than_the_limit_is_refused_from_its_size_unread(members, tmp_path):
    path = tmp_path / "sparse.csv"
    with path.open("wb") as handle:
        handle.truncate(parsing.MAX_FILE_BYTES + 1)  # a sparse file: no disk used
    with pytest.raises(Invalid) as refused:
        services.import_series(members["jp_secretariat"], "TEST", path)
    assert "sparse.csv: larger than 256 MiB" in refused.value.message
    assert nothing_stored()


# --- XLSX -----------------------------------------------------------------------------------------


def xlsx(path, rows) -> None:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)


def test_an_xlsx_sheet_imports_through_the_column_mapping(members, tmp_path):
    path = tmp_path / "meti.xlsx"
    xlsx(
        path,
        [
            ["date", "shipments", "note"],
            [datetime.datetime(2021, 1, 1), 95.5, "x"],
            ["2021-02-01", 96, "=1+1"],
        ],
    )
    result = services.import_series(
        members["jp_secretariat"], "XL", path, parsing.Layout("xlsx", "date", "shipments")
    )
    assert result.added == 2
    assert sorted(Observation.objects.values_list("value", flat=True)) == [95.5, 96.0]


def test_an_xlsx_with_text_in_the_value_column_names_its_row(members, tmp_path):
    path = tmp_path / "bad.xlsx"
    xlsx(path, [["date", "value"], ["2021-01-01", 1], ["2021-02-01", "n/a"]])
    with pytest.raises(Invalid) as refused:
        services.import_series(members["jp_secretariat"], "XL", path, parsing.Layout("xlsx"))
    assert "bad.xlsx, line 3, column value: 'n/a' is not a number." in refused.value.message
    assert nothing_stored()


def test_an_xlsx_of_too_many_rows_is_refused_before_openpyxl_reads_it(members, tmp_path, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_OBSERVATIONS", 5)
    path = tmp_path / "long.xlsx"
    xlsx(path, [["date", "value"]] + [[f"2021-{m:02d}-01", m] for m in range(1, 10)])
    with pytest.raises(Invalid) as refused:
        services.import_series(members["jp_secretariat"], "XL", path, parsing.Layout("xlsx"))
    assert "long.xlsx, line 7: more than 5 observations" in refused.value.message
    assert nothing_stored()


# --- who may import -------------------------------------------------------------------------------


def test_stakeholders_and_the_other_party_cannot_import_into_a_series(members, write_csv):
    series = services.import_series(members["jp_secretariat"], "TEST", write_csv(FRED)).series
    for user in (members["jp_stakeholder"], members["eu_secretariat"], members["eu_lead"]):
        with pytest.raises(PermissionDenied):
            services.import_series(user, None, write_csv(FRED + "2020-04-01,1\n"), uid=series.uid)
    with pytest.raises(PermissionDenied):
        services.import_series(members["jp_stakeholder"], "NEW", write_csv(FRED))
    # An action lead publishes a new series of its own, but not one of another organisation.
    services.import_series(members["jp_lead"], "MIC-1", write_csv(FRED))
    with pytest.raises(PermissionDenied):
        services.import_series(members["jp_lead"], None, write_csv(FRED + "2020-04-01,1\n"), uid=series.uid)
    assert Release.objects.count() == 2
