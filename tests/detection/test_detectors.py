"""The detectors one by one: a configuration with impossible parameters is refused naming the parameter,
and each method finds what it should on a series made for it, and nothing on one without it."""

import math
from datetime import date

import numpy as np
import pytest

from partnership.detection import (
    DEFAULT_DETECTORS,
    DetectorConfigError,
    SeriesError,
    build_detector,
    build_detectors,
    detect,
    make_series,
    signals_as_json,
)
from partnership.detection.synthetic import generate_series, month_dates


def series_of(values, frequency="monthly", code="TEST"):
    dates = month_dates(date(2000, 1, 1), len(values))
    if frequency == "quarterly":
        dates = [date(2000 + i // 4, 3 * (i % 4) + 1, 1) for i in range(len(values))]
    return make_series(zip(dates, values, strict=True), code, frequency)


# === configurations ====================================================================================


@pytest.mark.parametrize(
    ("config", "parameter"),
    [
        ({}, "method"),
        ({"method": "fourier"}, "method"),
        ({"method": "cusum", "baseline": -12}, "baseline"),
        ({"method": "cusum", "limit": math.nan}, "limit"),
        ({"method": "cusum", "limit": 0}, "limit"),
        ({"method": "cusum", "drift": -0.5}, "drift"),
        ({"method": "cusum", "transform": "sqrt"}, "transform"),
        ({"method": "cusum", "seasonal": "yes"}, "seasonal"),
        ({"method": "cusum", "baseline": 36.5}, "baseline"),
        ({"method": "change_point", "penalty": 0}, "penalty"),
        ({"method": "change_point", "penalty": -3}, "penalty"),
        ({"method": "change_point", "model": "normal"}, "model"),
        ({"method": "change_point", "min_size": 10, "window": 24}, "window"),
        ({"method": "threshold"}, "level"),
        ({"method": "threshold", "level": math.inf}, "level"),
        ({"method": "threshold", "level": 14, "direction": "sideways"}, "direction"),
        ({"method": "year_over_year", "bound": 0}, "bound"),
        ({"method": "year_over_year", "bound": True}, "bound"),
        ({"method": "threshold", "level": 14, "windw": 3}, "windw"),
        # Valid in kind but beyond reason: a baseline or window of centuries costs minutes or gigabytes, and
        # an integer beyond any double cannot be stored or signed.
        ({"method": "cusum", "baseline": 521}, "baseline"),
        ({"method": "cusum", "gap": 10**30}, "gap"),
        ({"method": "cusum", "cooldown": 10**30}, "cooldown"),
        ({"method": "change_point", "window": 1201}, "window"),
        ({"method": "change_point", "min_size": 10**30}, "min_size"),
        ({"method": "threshold", "level": 10**400}, "level"),
        ({"method": "year_over_year", "bound": -(10**400)}, "bound"),
    ],
)
def test_an_impossible_configuration_is_refused_naming_the_parameter(config, parameter):
    with pytest.raises(DetectorConfigError) as refused:
        build_detector(config)
    assert refused.value.parameter == parameter
    assert str(refused.value).startswith(f"{parameter}: ")


def test_a_list_of_configurations_names_the_detector_at_fault():
    with pytest.raises(DetectorConfigError) as refused:
        build_detectors([{"method": "threshold", "level": 14}, {"method": "cusum", "gap": -1}])
    assert refused.value.parameter == "detectors[1].gap"


def test_a_configuration_round_trips_as_data():
    for config in DEFAULT_DETECTORS:
        detector = build_detector(config)
        assert build_detector(detector.config()) == detector
        assert {key: detector.config()[key] for key in config} == config


@pytest.mark.parametrize("method", ["threshold", "year_over_year", "cusum", "change_point"])
def test_a_blank_name_reads_as_the_methods_own(method):
    config = {"method": method, "name": " "} | {
        "threshold": {"level": 14},
        "year_over_year": {"bound": 0.2},
    }.get(method, {})
    assert build_detector(config).name == method


def test_bad_observations_are_named():
    with pytest.raises(SeriesError, match="observation 1 .*dates must increase"):
        make_series([(date(2020, 2, 1), 1.0), (date(2020, 1, 1), 2.0)])
    with pytest.raises(SeriesError, match="observation 0 .*not a finite number"):
        make_series([(date(2020, 1, 1), math.nan)])
    with pytest.raises(SeriesError, match=r"observation 2 \(2000-03-01\): log needs positive values"):
        build_detector({"method": "cusum"}).detect(series_of([1.0, 2.0, 0.0] + [1.0] * 80))


# === each method =======================================================================================


def test_a_threshold_fires_once_when_crossed_and_again_only_after_coming_back():
    lead_times = [10, 12, 15, 18, 16, 13, 12, 15]  # weeks; the industry's "danger zone" is above 14
    signals = build_detector({"method": "threshold", "level": 14}).detect(series_of(lead_times))
    assert [(s.date, s.direction, s.value, s.baseline) for s in signals] == [
        (date(2000, 3, 1), "up", 15.0, 14.0),
        (date(2000, 8, 1), "up", 15.0, 14.0),
    ]


def test_growth_on_a_year_ago_follows_the_frequency():
    detector = build_detector({"method": "year_over_year", "bound": 0.15, "direction": "down"})
    monthly = [100.0] * 14 + [80.0] * 4
    (signal,) = detector.detect(series_of(monthly))
    assert (signal.date, signal.direction, signal.value, signal.baseline) == (
        date(2001, 3, 1),
        "down",
        80,
        100,
    )
    assert signal.explanation["lag"] == 12 and signal.explanation["change"] == pytest.approx(-0.2)
    assert signal.window == (date(2000, 3, 1), date(2001, 3, 1))
    # Quarterly: four back. The same values a quarter apart fire at the fifth quarter, not the thirteenth.
    (signal,) = detector.detect(series_of([100.0] * 4 + [80.0] * 2, "quarterly"))
    assert signal.date == date(2001, 1, 1) and signal.explanation["lag"] == 4
    # A fall within the bound says nothing.
    assert detector.detect(series_of([100.0] * 14 + [90.0] * 4)) == []


def test_cusum_finds_a_level_shift_within_three_months_and_says_against_what():
    generated = generate_series(7, years=20, shift=-0.10, shift_at=150)
    signals = build_detector({"method": "cusum"}).detect(make_series(generated.observations, "GEN"))
    (signal,) = signals
    assert signal.direction == "down" and signal.method == "cusum"
    assert (
        0
        <= (signal.date.year - generated.shift_at.year) * 12 + signal.date.month - generated.shift_at.month
        <= 3
    )
    # The value against the baseline's expectation for that month: about 10 % below it.
    assert signal.value / signal.baseline - 1 == pytest.approx(-0.10, abs=0.05)
    assert signal.explanation["statistic"] > signal.explanation["limit"] == 7.0
    assert signal.window[0] < generated.shift_at <= signal.window[1]


def test_cusum_on_growth_sees_a_smooth_index_turn_down():
    # A seasonally adjusted index growing 1 %/month with 0.3 % noise, whose growth turns to -1 %/month.
    generator = np.random.default_rng(3)
    growth = np.where(np.arange(120) < 90, 0.01, -0.01) + generator.normal(0, 0.003, 120)
    values = 100 * np.exp(np.cumsum(growth))
    detector = build_detector(dict(DEFAULT_DETECTORS[1]))
    signals = detector.detect(series_of(values))
    # Observation 90 is 2007-07: found the month growth turned. A turn that lasts fires again after each
    # six-month cooldown, always down, until the baseline has learnt the new growth.
    assert (signals[0].direction, signals[0].date) == ("down", date(2007, 7, 1))
    assert {s.direction for s in signals} == {"down"}


def test_change_points_by_ruptures_give_the_segments_either_side():
    # Growing 1 %/month for five years, then falling as fast, with 1 % noise.
    noise = np.random.default_rng(5).normal(0, 0.01, 120)
    values = [math.exp(0.01 * i + noise[i]) for i in range(60)] + [
        math.exp(0.6 - 0.01 * i + noise[60 + i]) for i in range(60)
    ]
    detector = build_detector({"method": "change_point", "transform": "log_yoy", "min_size": 6})
    signals = detector.detect(series_of(values))
    # Growth on a year ago ramps down over the twelve months after the turn: one or two steps down.
    assert {s.direction for s in signals} == {"down"} and 1 <= len(signals) <= 2
    first, last = signals[0], signals[-1]
    assert date(2005, 1, 1) <= first.date <= date(2006, 1, 1)
    assert first.baseline == pytest.approx(math.expm1(0.12), abs=0.02)  # +12.7 % a year before the turn
    assert last.value == pytest.approx(math.expm1(-0.12), abs=0.02)
    assert first.explanation["segment_before"][0] == "2001-01-01"  # the first year has no year-ago value


def test_an_rbf_change_point_segments_only_the_latest_observations():
    # 3,000 observations with a step at 500 and another at 2,500: rbf's cost grows with the square of the
    # length (a minute at 20,000), so it reads the latest RBF_LONGEST only and finds the second step alone.
    noise = np.random.default_rng(3).normal(0, 0.01, 3000)
    values = [100 * math.exp(0.3 * (i >= 500) - 0.3 * (i >= 2500) + noise[i]) for i in range(3000)]
    dates = [date.fromordinal(date(1960, 1, 4).toordinal() + 7 * i) for i in range(3000)]
    series = make_series(zip(dates, values, strict=True), "LONG", "weekly")
    rbf = build_detector({"method": "change_point", "transform": "log", "model": "rbf"})
    l2 = build_detector({"method": "change_point", "transform": "log", "model": "l2"})
    assert [s.date for s in rbf.detect(series)] == [dates[2500]]
    assert rbf.detect(series)[0].window[0] == dates[3000 - 1200]
    assert [s.date for s in l2.detect(series)] == [dates[500], dates[2500]]  # l2 reads the whole history


def test_the_default_detectors_stay_quiet_on_a_straight_line():
    quiet = series_of([100 * math.exp(0.002 * i) for i in range(240)])
    assert detect(quiet) == []


def test_detect_json_is_the_commands_shape():
    lead_times = series_of([10, 15, 12], code="LEADTIME")
    signals = build_detector({"method": "threshold", "level": 14}).detect(lead_times)
    assert signals_as_json(signals) == [
        {
            "series": "LEADTIME",
            "date": "2000-02-01",
            "method": "threshold",
            "direction": "up",
            "value": 15.0,
            "baseline": 14.0,
        }
    ]
