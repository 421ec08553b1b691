"""The CUSUM's fast paths find what the straightforward computation finds: on a few hundred generated
series (monthly and quarterly, white and autocorrelated noise, with and without shifts, short and long) and
several configurations, the same signals on the same dates, with the same numbers to their last digits but
rounding. The reference below is the computation written out plainly: a design per window phase, with the
season columns named by the calendar month, and the recursion one observation at a time."""

import functools
import math
from datetime import date

import numpy as np
import pytest

from partnership.detection import DEFAULT_DETECTORS, build_detector, make_series
from partnership.detection.series import transformed
from partnership.detection.synthetic import generate_series

CONFIGS = [
    DEFAULT_DETECTORS[0],  # level
    DEFAULT_DETECTORS[1],  # growth
    # A baseline that is not a whole number of years, no gap, and a low limit: many alarms and restarts.
    {"method": "cusum", "name": "jumpy", "baseline": 30, "gap": 0, "limit": 3.0, "cooldown": 0},
    {"method": "cusum", "name": "plain", "transform": "level", "seasonal": False, "drift": 0.2, "limit": 2.0},
    {"method": "cusum", "name": "flat", "trend": False, "ar1": False, "baseline": 40, "cooldown": 3},
    {"method": "cusum", "name": "up", "direction": "up", "limit": 2.5, "cooldown": 1},
]


def reference_scores(detector, series):
    """z, prediction and spread at each observation: the windows that start at the same phase of the year
    fitted together, by a design whose season columns follow that phase (as the detector did before one
    design served every phase), residuals through the pseudo-inverse (not the QR basis)."""
    values = transformed(series, detector.transform)
    count, width, gap = len(values), detector.baseline, detector.gap
    z, prediction, spread = (np.full(count, np.nan) for _ in range(3))
    first = width + gap
    if count <= first:
        return z, prediction, spread
    periods = series.periods_per_year
    seasonal = detector.seasonal and periods > 1 and width >= 2 * periods + 4
    seasons = periods if seasonal else 1
    targets = np.arange(first, count)
    for phase in range(seasons):
        chosen = targets[(targets - first) % seasons == phase]
        if not len(chosen):  # fewer windows than seasons
            continue
        design, projector, now_weights, before_weights = reference_design(
            width, gap, detector.trend, seasons, phase
        )
        windows = np.stack([values[target - first : target - gap] for target in chosen])
        residuals = windows - (windows @ projector.T) @ design.T
        freedom = width - design.shape[1]
        variance = np.maximum((residuals**2).sum(axis=1) / freedom, 1e-18)
        rho, innovation_variance = np.zeros(len(chosen)), variance
        if detector.ar1:
            rho = (residuals[:, 1:] * residuals[:, :-1]).sum(axis=1) / (variance * freedom)
            rho = np.clip(rho + (1 + 3 * rho) / freedom, 0.0, 0.95)
            innovations = residuals[:, 1:] - rho[:, None] * residuals[:, :-1]
            innovation_variance = (innovations**2).sum(axis=1) / (freedom - 1)
        innovation = (values[chosen] - windows @ now_weights) - rho * (
            values[chosen - 1] - windows @ before_weights
        )
        weights = now_weights[None, :] - rho[:, None] * before_weights[None, :]
        leverage = (weights**2).sum(axis=1)
        z[chosen] = innovation / np.sqrt(np.maximum(innovation_variance + variance * leverage, 1e-18))
        prediction[chosen] = windows @ now_weights
        spread[chosen] = np.sqrt(variance)
    return z, prediction, spread


@functools.cache
def reference_design(width, gap, trend, seasons, phase):
    """The design of a window starting at `phase` of the year, its pseudo-inverse, and the weights that
    extrapolate the fit to the new observation and the one before (computed once per phase)."""

    def rows(positions):
        time = (positions - (width - 1) / 2) / width
        columns = [np.ones(len(positions)), time] if trend else [np.ones(len(positions))]
        columns += [((positions + phase) % seasons == s).astype(float) for s in range(1, seasons)]
        return np.column_stack(columns)

    design = rows(np.arange(width))
    projector = np.linalg.pinv(design)
    now_weights, before_weights = rows(np.array([width + gap, width + gap - 1])) @ projector
    return design, projector, now_weights, before_weights


def reference_detect(detector, series):
    """The two-sided CUSUM one observation at a time, as Page wrote it."""
    z, prediction, spread = reference_scores(detector, series)
    signals = []
    upper = lower = 0.0
    run_start, quiet_until = 0, -1
    for index in range(len(z)):
        if not math.isfinite(z[index]) or index <= quiet_until:
            continue
        if upper == 0 and lower == 0:
            run_start = index
        upper = max(0.0, upper + z[index] - detector.drift)
        lower = max(0.0, lower - z[index] - detector.drift)
        side = "up" if upper > detector.limit else "down" if lower > detector.limit else ""
        if not side:
            continue
        statistic = upper if side == "up" else lower
        upper = lower = 0.0
        quiet_until = index + detector.cooldown
        if detector.direction in (side, "both"):
            signals.append(
                detector._cusum_signal(series, index, side, statistic, run_start, prediction, spread)
            )
    return signals


def generated(seed):
    """Monthly series of 5 to 50 years, some with a shift, some autocorrelated; every fifth quarterly."""
    years = 5 + seed * 7 % 46  # from 60 observations: too few for a baseline of 60 and a gap of 2
    shift_at = seed * 13 % (years * 12)
    result = generate_series(
        seed,
        years=years,
        ar=(0.0, 0.3, 0.6)[seed % 3],
        shift=(0.0, -0.1, 0.15, -0.3)[seed % 4],
        shift_at=shift_at if seed % 4 else None,
        noise=(0.02, 0.005)[seed % 2],
    )
    dates, values = zip(*result.observations, strict=True)
    if seed % 5 == 0:
        quarters = [date(2000 + i // 4, 3 * (i % 4) + 1, 1) for i in range(len(values))]
        return make_series(zip(quarters, values, strict=True), f"Q{seed}", "quarterly")
    return make_series(zip(dates, values, strict=True), f"M{seed}")


SERIES = [generated(seed) for seed in range(240)]


def seen(signal):
    """A signal as a reader sees it, its computed numbers to nine significant digits."""
    numbers = (signal.baseline, *(signal.explanation[key] for key in ("statistic", "deviation", "spread")))
    return (
        (signal.series, signal.date, signal.direction, signal.window, signal.value)
        + tuple(signal.explanation[key] for key in ("run_start", "baseline_start", "baseline_end"))
        + tuple(pytest.approx(number, rel=1e-9, abs=1e-12) for number in numbers)
    )


@pytest.mark.parametrize("config", CONFIGS, ids=[config["name"] for config in CONFIGS])
def test_the_vectorised_cusum_gives_the_signals_of_the_plain_computation(config):
    detector = build_detector(config)
    expected = [seen(signal) for series in SERIES for signal in reference_detect(detector, series)]
    found = [seen(signal) for series in SERIES for signal in detector.detect(series)]
    assert found == expected
    assert len(expected) > 100, "enough alarms to compare"
