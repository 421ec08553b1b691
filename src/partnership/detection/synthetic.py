"""Generated monthly series with a known truth, for tests, the benchmark and the backtest's false-alarm
rate: a trend, a seasonal cycle, noise (white or AR(1)), and optionally a level shift at a known month."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np


@dataclass(frozen=True)
class Generated:
    """A generated series: its (date, value) observations and where its shift is, if it has one."""

    observations: list[tuple[date, float]]
    shift_at: date | None
    shift: float


def month_dates(start: date, count: int) -> list[date]:
    """`count` first-of-month dates from `start`'s month on."""
    first = start.year * 12 + start.month - 1
    return [date((first + i) // 12, (first + i) % 12 + 1, 1) for i in range(count)]


def generate_series(
    seed: int,
    *,
    years: int = 30,
    start: date = date(1990, 1, 1),
    level: float = 100.0,
    growth: float = 0.03,
    seasonality: float = 0.05,
    noise: float = 0.02,
    ar: float = 0.0,
    shift: float = 0.0,
    shift_at: int | None = None,
) -> Generated:
    """A monthly series of `years` years: level * exp(growth per year * t + seasonal cycle of amplitude
    `seasonality` + noise), all in log terms; `noise` is the standard deviation of the noise's innovations,
    AR(1) with coefficient `ar` (0: white). `shift` (in log points: -0.1 is about -10 %) is added from
    observation `shift_at` on. Deterministic for a seed."""
    generator = np.random.default_rng(seed)
    count = years * 12
    months = np.arange(count)
    phase = generator.uniform(0, 2 * math.pi)
    seasonal = seasonality * np.sin(2 * math.pi * months / 12 + phase)
    innovations = generator.normal(0.0, noise, count)
    errors = np.empty(count)
    errors[0] = innovations[0] / math.sqrt(1 - ar**2)
    for i in range(1, count):
        errors[i] = ar * errors[i - 1] + innovations[i]
    logs = math.log(level) + growth * months / 12 + seasonal + errors
    if shift_at is not None:
        logs[shift_at:] += shift
    dates = month_dates(start, count)
    values = np.exp(logs)
    return Generated(
        observations=list(zip(dates, (float(v) for v in values), strict=True)),
        shift_at=dates[shift_at] if shift_at is not None else None,
        shift=shift,
    )
