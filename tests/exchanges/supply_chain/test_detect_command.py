"""`partnership supply-chain detect` and `backtest` (issue 16, items 2 and 7), and the issue's check: a
generated series with a level shift at a known month, imported with the command, is detected within three
months; one without a shift raises at most one signal in thirty years; the shared US production series'
backtest flags the 2008-09 collapse and the 2020 drop with their delays."""

import datetime
import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from partnership.detection.series import months_between
from partnership.detection.synthetic import generate_series

pytestmark = pytest.mark.django_db


def import_generated(write_csv, code, generated):
    lines = ["DATE,VALUE", *(f"{date.isoformat()},{value:.4f}" for date, value in generated.observations)]
    path = write_csv("\n".join(lines) + "\n", f"{code}.csv")
    call_command("supply_chain", "import", str(path), "--series", code, "--user", "jp-secretariat")


def detect_json(capsys, *arguments):
    capsys.readouterr()
    call_command("supply_chain", "detect", "--json", *arguments)
    return json.loads(capsys.readouterr().out)


@pytest.mark.parametrize(("seed", "shift"), [(101, -0.10), (102, -0.10), (301, 0.10)])
def test_a_generated_level_shift_is_detected_within_three_months(members, write_csv, capsys, seed, shift):
    generated = generate_series(seed, years=30, shift=shift, shift_at=200)
    import_generated(write_csv, "SHIFTED", generated)
    signals = detect_json(capsys, "--series", "SHIFTED")
    assert all(set(s) == {"series", "date", "method", "direction", "value", "baseline"} for s in signals)
    direction = "down" if shift < 0 else "up"
    found = [
        months_between(generated.shift_at, datetime.date.fromisoformat(s["date"]))
        for s in signals
        if s["direction"] == direction
    ]
    assert any(0 <= delay <= 3 for delay in found), signals


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_generated_series_without_a_shift_raises_at_most_one_signal_in_thirty_years(
    members, write_csv, capsys, seed
):
    import_generated(write_csv, "QUIET", generate_series(seed, years=30))
    assert len(detect_json(capsys, "--series", "QUIET")) <= 1


def test_detect_prints_each_signal_explained_and_refuses_an_unknown_series(members, write_csv, capsys):
    import_generated(write_csv, "SHIFTED", generate_series(101, years=30, shift=-0.1, shift_at=200))
    capsys.readouterr()
    call_command("supply_chain", "detect")
    out = capsys.readouterr().out
    assert re.search(
        r"JP SHIFTED \d{4}-\d\d-01 cusum down: CUSUM on the level: [\d.]+ against a baseline", out
    )
    with pytest.raises(CommandError, match="There is no series NOPE"):
        call_command("supply_chain", "detect", "--series", "NOPE")


def test_backtest_of_the_shared_us_production_flags_2008_and_2020_with_delays(members, shared_file, capsys):
    path = shared_file("IPG3344S.csv")
    call_command("supply_chain", "import", str(path), "--series", "IPG3344S", "--user", "jp-secretariat")
    capsys.readouterr()
    call_command(
        "supply_chain", "backtest", "--series", "IPG3344S", "--event", "2008-07", "--event", "2020-01"
    )
    out = capsys.readouterr().out
    collapse = re.search(r"event 2008-07: flagged on (\S+) by .*, delay (\d+) months", out)
    drop = re.search(r"event 2020-01: flagged on (\S+) by .*, delay (\d+) months", out)
    assert collapse and drop, out
    assert int(collapse.group(2)) <= 11 and int(drop.group(2)) <= 11
    assert re.search(r"IPG3344S: \d+ signals in \d+\.\d years", out)
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("supply_chain", "backtest", "--series", "IPG3344S", "--event", "2008")
