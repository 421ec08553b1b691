"""Signals on indicator series, shared by the exchanges that watch series (supply chain, para 46): change
points (ruptures), CUSUM, thresholds and growth on a year ago, each configured as data; a backtest that
replays a series as if live. A pure library: no Django, nothing of ours (see README.md)."""

from .backtest import BacktestResult, Event, EventResult, backtest
from .detectors import (
    DEFAULT_DETECTORS,
    ChangePointDetector,
    CusumDetector,
    Detector,
    DetectorConfigError,
    Firing,
    ThresholdDetector,
    YearOverYearDetector,
    build_detector,
    build_detectors,
    default_detectors,
)
from .series import Series, SeriesError, make_series
from .signals import Signal, signals_as_json

__all__ = [
    "DEFAULT_DETECTORS",
    "BacktestResult",
    "ChangePointDetector",
    "CusumDetector",
    "Detector",
    "DetectorConfigError",
    "Event",
    "EventResult",
    "Firing",
    "Series",
    "SeriesError",
    "Signal",
    "ThresholdDetector",
    "YearOverYearDetector",
    "backtest",
    "build_detector",
    "build_detectors",
    "default_detectors",
    "detect",
    "make_series",
    "signals_as_json",
]


def detect(series: Series, detectors: list[Detector] | None = None) -> list[Signal]:
    """Every signal the detectors (by default `DEFAULT_DETECTORS`) find on the series, in date order."""
    chosen = default_detectors() if detectors is None else detectors
    found = [signal for detector in chosen for signal in detector.detect(series)]
    return sorted(found, key=lambda signal: (signal.date, signal.method, signal.detector))
