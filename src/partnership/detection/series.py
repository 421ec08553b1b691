"""A series as the detectors see it: dates, values, a frequency, and the transforms an analyst applies."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

# Periods per year of each frequency: what "the same period last year" means (12 back for monthly data).
PERIODS_PER_YEAR = {"weekly": 52, "monthly": 12, "quarterly": 4, "annual": 1}

# What a detector may look at: the value itself, its logarithm (an index that grows exponentially, such
# as US semiconductor production, 0.03 in 1972 and 180 in 2026, is linear in logs), or its growth
# against the previous period (`log_diff`) or the same period last year (`log_yoy`, trend and
# seasonality gone), in log points.
TRANSFORMS = ("level", "log", "log_diff", "log_yoy")


class SeriesError(ValueError):
    """Observations a detector cannot read (unsorted, duplicate or non-finite, or not positive in logs)."""

    def __init__(self, message: str, index: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.index = index


@dataclass(frozen=True)
class Series:
    """One series' observations in time order, as floats, with the code the caller knows it by."""

    code: str
    dates: tuple[date, ...]
    values: np.ndarray
    frequency: str = "monthly"

    @property
    def periods_per_year(self) -> int:
        """12 for monthly data, 4 for quarterly, 52 for weekly, 1 for annual."""
        return PERIODS_PER_YEAR[self.frequency]

    def __len__(self) -> int:
        return len(self.dates)

    def prefix(self, length: int) -> Series:
        """The first `length` observations: what was visible when the `length`-th one arrived."""
        return Series(self.code, self.dates[:length], self.values[:length], self.frequency)


def make_series(
    observations: Iterable[tuple[date, float]], code: str = "", frequency: str = "monthly"
) -> Series:
    """A `Series` from (date, value) pairs in time order; `SeriesError` names the first bad observation."""
    if frequency not in PERIODS_PER_YEAR:
        raise SeriesError(f"frequency: {frequency!r} is not one of {', '.join(PERIODS_PER_YEAR)}")
    dates: list[date] = []
    values: list[float] = []
    for index, (when, value) in enumerate(observations):
        number = float(value)
        if not math.isfinite(number):
            raise SeriesError(
                f"observation {index} ({when}): the value {value!r} is not a finite number", index
            )
        if dates and when <= dates[-1]:
            raise SeriesError(f"observation {index} ({when}): dates must increase (after {dates[-1]})", index)
        dates.append(when)
        values.append(number)
    return Series(code, tuple(dates), np.asarray(values, dtype=float), frequency)


def transformed(series: Series, transform: str) -> np.ndarray:
    """The series under `transform`, aligned with its dates (NaN where it is undefined: the first
    observation of `log_diff`, the first year of `log_yoy`)."""
    if transform == "level":
        return series.values
    if np.any(series.values <= 0):
        index = int(np.argmax(series.values <= 0))
        raise SeriesError(
            f"observation {index} ({series.dates[index]}): {transform} needs positive values, "
            f"not {series.values[index]:g}",
            index,
        )
    logs = np.log(series.values)
    if transform == "log":
        return logs
    lag = 1 if transform == "log_diff" else series.periods_per_year
    growth = np.full(len(logs), np.nan)
    growth[lag:] = logs[lag:] - logs[:-lag]
    return growth


def months_between(earlier: date, later: date) -> int:
    """Whole calendar months from `earlier` to `later` (the delay of a monthly signal)."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def as_pairs(dates: Sequence[date], values: Sequence[float]) -> list[tuple[date, float]]:
    """(date, value) pairs, the shape `make_series` and `backtest` take."""
    return list(zip(dates, values, strict=True))
