"""The detectors, each built from a configuration that is plain data (a dict, stored as JSON) and checked
when it is built, so a detector with impossible parameters is refused when it is saved.

Every detector has `detect(series) -> list[Signal]` (what it finds on the observations given) and
`replay(series) -> list[Firing]` (when each signal would first have fired had the series arrived one
observation at a time: see `backtest`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, ClassVar

import numpy as np
import ruptures
from numpy.lib.stride_tricks import sliding_window_view

from .series import TRANSFORMS, Series, transformed
from .signals import Signal

METHODS = ("change_point", "cusum", "threshold", "year_over_year")
DIRECTIONS = ("up", "down", "both")
#: The longest lengths a configuration may ask for, in observations: ten years of weekly data for a CUSUM
#: baseline (its windows are a series-length x baseline array) and a hundred years of monthly data for
#: the rest. A valid configuration must not cost minutes: it is saved by a request.
LONGEST_BASELINE = 520
LONGEST = 1200
#: The most observations an rbf change-point model segments (the latest): its cost grows with the square
#: of the length (about 60 s on 20,000 weekly observations, 0.25 s on 1,200); l2 reads them all.
RBF_LONGEST = 1200


class DetectorConfigError(ValueError):
    """A detector configuration that cannot work; `parameter` names the offending key (the caller maps it
    to the form or API field)."""

    def __init__(self, parameter: str, template: str, **params: str) -> None:
        # The template and its values are kept apart so that a caller can show the reason in its
        # reader's language (the library holds no translated text): `template` is a msgid.
        self.parameter = parameter
        self.template = template
        self.params = params
        self.message = template % params if params else template
        super().__init__(f"{parameter}: {self.message}")


@dataclass(frozen=True)
class Firing:
    """A signal and the observation at which it first became visible (`fired_on`, never before
    `signal.date`; later for an offline change point, which needs the data after the change)."""

    signal: Signal
    fired_on: date


# === reading a configuration ===========================================================================


class _Reader:
    """Takes the parameters of one configuration, each checked, and refuses any left unread."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        if not isinstance(config, Mapping):
            raise DetectorConfigError("detector", "a detector is configured by an object of parameters")
        self.config = dict(config)
        self.read: set[str] = set()

    def _take(self, key: str, default: Any) -> Any:
        self.read.add(key)
        return self.config.get(key, default)

    def text(self, key: str, default: str, choices: Sequence[str] | None = None) -> str:
        value = self._take(key, default)
        if isinstance(value, str) and not value.strip():
            value = default  # a blank name is no name: a signal would cite its detector as "()"
        if not isinstance(value, str):
            raise DetectorConfigError(key, "must be text, not %(value)s", value=repr(value))
        if choices is not None and value not in choices:
            raise DetectorConfigError(
                key, "%(value)s is not one of %(choices)s", value=repr(value), choices=", ".join(choices)
            )
        return value

    def number(
        self, key: str, default: float | None, *, above: float | None = None, at_least: float | None = None
    ) -> float:
        value = self._take(key, default)
        if value is None:
            raise DetectorConfigError(key, "is required")
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise DetectorConfigError(key, "must be a number, not %(value)s", value=repr(value))
        try:
            value = float(value)
        except OverflowError:  # an integer beyond any double
            raise DetectorConfigError(
                key, "must be a finite number, not %(value)s", value=_digits(value)
            ) from None
        if not math.isfinite(value):
            raise DetectorConfigError(key, "must be a finite number, not %(value)s", value=repr(value))
        if above is not None and not value > above:
            raise DetectorConfigError(
                key, "must be greater than %(limit)s, not %(value)s", limit=f"{above:g}", value=f"{value:g}"
            )
        if at_least is not None and value < at_least:
            raise DetectorConfigError(
                key, "must be at least %(limit)s, not %(value)s", limit=f"{at_least:g}", value=f"{value:g}"
            )
        return float(value)

    def whole(self, key: str, default: int, *, at_least: int, at_most: int = LONGEST) -> int:
        value = self._take(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise DetectorConfigError(key, "must be a whole number, not %(value)s", value=repr(value))
        if value < at_least:
            raise DetectorConfigError(
                key, "must be at least %(limit)s, not %(value)s", limit=str(at_least), value=_digits(value)
            )
        if value > at_most:
            raise DetectorConfigError(
                key, "must be at most %(limit)s, not %(value)s", limit=str(at_most), value=_digits(value)
            )
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self._take(key, default)
        if not isinstance(value, bool):
            raise DetectorConfigError(key, "must be true or false, not %(value)s", value=repr(value))
        return value

    def finish(self) -> None:
        unknown = sorted(set(self.config) - self.read)
        if unknown:
            raise DetectorConfigError(unknown[0], "is not a parameter of this method")


def _digits(value: int) -> str:
    """An integer as a message shows it: whole when short, else its first digits and its length."""
    text = str(value)
    return text if len(text) <= 20 else f"{text[:6]}... ({len(text.lstrip('-'))} digits)"


def build_detector(config: Mapping[str, Any]) -> Detector:
    """The detector a configuration describes; `DetectorConfigError` names the first impossible parameter."""
    reader = _Reader(config)
    method = reader.text("method", "", METHODS) if "method" in reader.config else None
    if method is None:
        raise DetectorConfigError("method", "is required (one of %(choices)s)", choices=", ".join(METHODS))
    detector = DETECTOR_CLASSES[method].from_config(reader)
    reader.finish()
    return detector


def build_detectors(configs: Sequence[Mapping[str, Any]]) -> list[Detector]:
    """Every detector of a list of configurations; an error names the detector by its position."""
    detectors = []
    for position, config in enumerate(configs):
        try:
            detectors.append(build_detector(config))
        except DetectorConfigError as error:
            raise DetectorConfigError(
                f"detectors[{position}].{error.parameter}", error.template, **error.params
            ) from error
    return detectors


# === the detectors =====================================================================================


class Detector:
    """What every detector has: a name, a method, its configuration back as data, detect and replay."""

    method: ClassVar[str] = ""
    name: str

    def config(self) -> dict[str, Any]:
        """The configuration that builds this detector again (what is stored)."""
        raise NotImplementedError

    def detect(self, series: Series) -> list[Signal]:
        """The signals on the observations given."""
        raise NotImplementedError

    def replay(self, series: Series) -> list[Firing]:
        """When each signal would first have fired, had the observations arrived one at a time.

        The default is right for detectors that only ever look back (thresholds, growth on a year ago,
        CUSUM against a trailing baseline): each signal fires at its own date."""
        return [Firing(signal, signal.date) for signal in self.detect(series)]

    def _signal(self, series: Series, index: int, **fields: Any) -> Signal:
        return Signal(
            series=series.code, date=series.dates[index], method=self.method, detector=self.name, **fields
        )


def _crossings(beyond: np.ndarray) -> np.ndarray:
    """Indexes where `beyond` turns true: a value that stays past a line fires once, when it crosses."""
    previous = np.concatenate(([False], beyond[:-1]))
    return np.flatnonzero(beyond & ~previous)


@dataclass(frozen=True)
class ThresholdDetector(Detector):
    """A value crossing a level (e.g. lead time above 14 weeks, the industry's "danger zone")."""

    method: ClassVar[str] = "threshold"
    name: str
    level: float
    direction: str  # "up": fires on crossing above the level; "down": below

    @classmethod
    def from_config(cls, reader: _Reader) -> ThresholdDetector:
        return cls(
            name=reader.text("name", "threshold"),
            level=reader.number("level", None),
            direction=reader.text("direction", "up", ("up", "down")),
        )

    def config(self) -> dict[str, Any]:
        return {"method": self.method, "name": self.name, "level": self.level, "direction": self.direction}

    def detect(self, series: Series) -> list[Signal]:
        values = series.values
        beyond = values > self.level if self.direction == "up" else values < self.level
        return [
            self._signal(
                series,
                int(index),
                direction=self.direction,
                value=float(values[index]),
                baseline=self.level,
                window=(series.dates[index], series.dates[index]),
                explanation={"level": self.level, "value": float(values[index])},
            )
            for index in _crossings(beyond)
        ]


@dataclass(frozen=True)
class YearOverYearDetector(Detector):
    """Growth against the same period a year before beyond a bound (0.15: more than 15 % either way);
    the lag follows the frequency (12 observations back for monthly data, 4 for quarterly)."""

    method: ClassVar[str] = "year_over_year"
    name: str
    bound: float
    direction: str  # "up", "down" or "both"

    @classmethod
    def from_config(cls, reader: _Reader) -> YearOverYearDetector:
        return cls(
            name=reader.text("name", "year_over_year"),
            bound=reader.number("bound", None, above=0),
            direction=reader.text("direction", "both", DIRECTIONS),
        )

    def config(self) -> dict[str, Any]:
        return {"method": self.method, "name": self.name, "bound": self.bound, "direction": self.direction}

    def detect(self, series: Series) -> list[Signal]:
        lag = series.periods_per_year
        values = series.values
        if len(values) <= lag:
            return []
        now, year_ago = values[lag:], values[:-lag]
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(year_ago > 0, now / year_ago - 1, np.nan)
        found: list[tuple[int, str]] = []
        if self.direction in ("up", "both"):
            found += [(int(i), "up") for i in _crossings(change > self.bound)]
        if self.direction in ("down", "both"):
            found += [(int(i), "down") for i in _crossings(change < -self.bound)]
        return [
            self._signal(
                series,
                i + lag,
                direction=direction,
                value=float(now[i]),
                baseline=float(year_ago[i]),
                window=(series.dates[i], series.dates[i + lag]),
                explanation={"change": float(change[i]), "bound": self.bound, "lag": lag},
            )
            for i, direction in sorted(found)
        ]


@dataclass(frozen=True)
class CusumDetector(Detector):
    """Two-sided CUSUM (Page 1954) on standardised one-step residuals against a trailing baseline.

    At each observation the baseline is the `baseline` observations that end `gap` before it, fitted by a
    straight line (plus a mean per season when `seasonal`, for data that are not seasonally adjusted) on
    the `transform`ed values; the new observation's deviation from the line's extrapolation, less `ar1`
    times the previous one (the baseline residuals' own lag-1 correlation, so autocorrelated noise does not
    look like a shift), over its standard error, is z. S+ = max(0, S+ + z - drift) and
    S- = max(0, S- - z - drift); a side past `limit` fires. After a signal the detector is silent for
    `cooldown` observations, by default until its baseline lies wholly after it: a level that has moved is
    the new normal, not a string of alarms (and a line fitted across the step would overshoot it).
    With `transform` log_diff and `trend` false it watches growth instead: the period's change against
    the baseline's mean change, which finds a turn in a smooth, trending series (a seasonally adjusted
    index) that a level model, whose noise there is the business cycle itself, cannot.
    """

    method: ClassVar[str] = "cusum"
    name: str
    transform: str
    baseline: int
    gap: int
    trend: bool
    seasonal: bool
    ar1: bool
    drift: float
    limit: float
    direction: str
    cooldown: int

    @classmethod
    def from_config(cls, reader: _Reader) -> CusumDetector:
        detector = cls(
            name=reader.text("name", "cusum"),
            transform=reader.text("transform", "log", ("level", "log", "log_diff")),
            baseline=reader.whole("baseline", 60, at_least=8, at_most=LONGEST_BASELINE),
            gap=reader.whole("gap", 2, at_least=0, at_most=LONGEST_BASELINE),
            trend=reader.flag("trend", True),
            seasonal=reader.flag("seasonal", True),
            ar1=reader.flag("ar1", True),
            drift=reader.number("drift", 0.5, at_least=0),
            limit=reader.number("limit", 7.0, above=0),
            direction=reader.text("direction", "both", DIRECTIONS),
            cooldown=-1,
        )
        # Silent after a signal until the baseline lies wholly after it, unless told otherwise.
        cooldown = reader.whole("cooldown", detector.baseline + detector.gap, at_least=0)
        return replace(detector, cooldown=cooldown)

    def config(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "name": self.name,
            "transform": self.transform,
            "baseline": self.baseline,
            "gap": self.gap,
            "trend": self.trend,
            "seasonal": self.seasonal,
            "ar1": self.ar1,
            "drift": self.drift,
            "limit": self.limit,
            "direction": self.direction,
            "cooldown": self.cooldown,
        }

    def _season_count(self, series: Series) -> int:
        periods = series.periods_per_year
        # Seasons only when the baseline holds at least two of each, with room left for the noise (a
        # 60-observation baseline fits months, not weeks: weekly data then get the line alone).
        return periods if self.seasonal and periods > 1 and self.baseline >= 2 * periods + 4 else 1

    def scores(self, series: Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """z, the baseline's prediction and its residual spread at each observation (NaN before the
        baseline is full). Vectorised: every window shares one design (see `_baseline_model`), so the least
        squares of all windows are a few matrix products over the windows as rows of one array."""
        values = transformed(series, self.transform)
        count, first = len(values), self.baseline + self.gap
        z = np.full(count, np.nan)
        prediction = np.full(count, np.nan)
        spread = np.full(count, np.nan)
        if count <= first:
            return z, prediction, spread
        # windows[i] = values[i : i + baseline], the baseline of the observation at first + i.
        windows = sliding_window_view(values, self.baseline)[: count - first]
        found = _baseline_scores(
            self, windows, values[first:], values[first - 1 : -1], self._season_count(series)
        )
        z[first:], prediction[first:], spread[first:] = found
        return z, prediction, spread

    def detect(self, series: Series) -> list[Signal]:
        z, prediction, spread = self.scores(series)
        return [
            self._cusum_signal(series, index, side, statistic, run_start, prediction, spread)
            for index, side, statistic, run_start in _cusum_alarms(z, self.drift, self.limit, self.cooldown)
            if self.direction in (side, "both")
        ]

    def _cusum_signal(
        self,
        series: Series,
        index: int,
        side: str,
        statistic: float,
        run_start: int,
        prediction: np.ndarray,
        spread: np.ndarray,
    ) -> Signal:
        value = float(series.values[index])
        if self.transform == "log":
            expected = math.exp(prediction[index])
        elif self.transform == "log_diff":  # the growth expected on the previous value
            expected = float(series.values[index - 1]) * math.exp(prediction[index])
        else:
            expected = float(prediction[index])
        baseline_start = index - self.gap - self.baseline
        return self._signal(
            series,
            index,
            direction=side,
            value=value,
            baseline=expected,
            window=(series.dates[baseline_start], series.dates[index]),
            explanation={
                "statistic": float(statistic),
                "limit": self.limit,
                "drift": self.drift,
                "run_start": series.dates[run_start].isoformat(),
                "baseline_start": series.dates[baseline_start].isoformat(),
                "baseline_end": series.dates[index - self.gap - 1].isoformat(),
                "deviation": value - expected if self.transform == "level" else value / expected - 1,
                "spread": float(spread[index]),
            },
        )


def _baseline_scores(
    detector: CusumDetector, windows: np.ndarray, now: np.ndarray, before: np.ndarray, seasons: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """z, prediction and residual spread of the observations `now` (each preceded by `before`) against
    their baselines, the rows of `windows`."""
    model = _baseline_model(detector.baseline, detector.gap, detector.trend, seasons)
    windows = np.ascontiguousarray(windows)  # a strided view would be copied by each product below
    # One product gives each window's coordinates on the basis and its two extrapolations.
    products = windows @ model.projections
    columns = model.columns
    residuals = windows - products[:, :columns] @ model.basis.T
    predicted_now, predicted_before = products[:, columns], products[:, columns + 1]
    freedom = detector.baseline - columns
    squares = np.einsum("ij,ij->i", residuals, residuals)
    variance = np.maximum(squares / freedom, 1e-18)
    if detector.ar1:
        lagged = np.einsum("ij,ij->i", residuals[:, 1:], residuals[:, :-1])
        # Kendall's small-sample bias of a lag-1 autocorrelation, -(1 + 3 rho) / n, put back.
        rho = lagged / (variance * freedom)
        rho = np.clip(rho + (1 + 3 * rho) / freedom, 0.0, 0.95)
        # The innovations' spread measured on the baseline itself, not derived from rho: a rho estimated
        # from a few dozen residuals is biased low, and its formula would then understate the spread of
        # what is left. Sum of (r_t - rho r_t-1)^2 over t >= 1, expanded into the sums already at hand.
        later = squares - residuals[:, 0] ** 2  # r_1^2 + ... + r_n-1^2
        earlier = squares - residuals[:, -1] ** 2  # r_0^2 + ... + r_n-2^2
        innovation_variance = (later - 2 * rho * lagged + rho**2 * earlier) / (freedom - 1)
    else:
        rho = np.zeros(len(windows))
        innovation_variance = variance
    innovation = (now - predicted_now) - rho * (before - predicted_before)
    # |w_now - rho w_before|^2 expanded, so no (windows x baseline) array is built for it.
    leverage = model.now_now - 2 * rho * model.now_before + rho**2 * model.before_before
    z = innovation / np.sqrt(np.maximum(innovation_variance + variance * leverage, 1e-18))
    return z, predicted_now, np.sqrt(variance)


@dataclass(frozen=True)
class _BaselineModel:
    """A CUSUM baseline's design, ready for the products of `_baseline_scores`."""

    columns: int  # of the design
    basis: np.ndarray  # orthonormal, baseline x columns: residuals = y - Q Q'y
    projections: np.ndarray  # baseline x (columns + 2): the basis, then the weights of the two extrapolations
    now_now: float  # products of the two extrapolations' weights, for the leverage
    now_before: float
    before_before: float


@functools.lru_cache(maxsize=256)
def _baseline_model(width: int, gap: int, trend: bool, seasons: int) -> _BaselineModel:
    """A CUSUM baseline's design (a line, plus season means): its column count, an orthonormal basis
    (residuals = y - Q Q'y) and the weights that extrapolate it to the new observation and the one before.

    One design serves every window, whatever month it starts in: a mean per season is a mean per position
    modulo `seasons` within the window, and which of those positions is January changes only the names of
    the columns, not the space they span, so neither the fit, its residuals nor its extrapolation (the
    new observation sits `width + gap` positions on, in the season of position `(width + gap) % seasons`)
    depend on it. The same for every series with these parameters: cached."""

    def rows(positions: np.ndarray) -> np.ndarray:
        time = (positions - (width - 1) / 2) / width
        columns = [np.ones(len(positions)), time] if trend else [np.ones(len(positions))]
        for season in range(1, seasons):
            columns.append((positions % seasons == season).astype(float))
        return np.column_stack(columns)

    design = rows(np.arange(width))
    outside = rows(np.array([width + gap, width + gap - 1]))
    projector = np.linalg.pinv(design)
    basis, _ = np.linalg.qr(design)
    now, before = outside[0] @ projector, outside[1] @ projector
    return _BaselineModel(
        columns=design.shape[1],
        basis=basis,
        projections=np.column_stack([basis, now, before]),
        now_now=float(now @ now),
        now_before=float(now @ before),
        before_before=float(before @ before),
    )


def _cusum_alarms(
    z: np.ndarray, drift: float, limit: float, cooldown: int
) -> list[tuple[int, str, float, int]]:
    """(index, side, statistic, start of its run) of each alarm of the two-sided CUSUM on the finite z:
    S+ = max(0, S+ + z - drift), S- = max(0, S- - z - drift), an alarm when a side passes `limit`; both
    sides then restart at zero, silent for `cooldown` observations.

    Without a Python loop per observation: from a restart, S_t = C_t - min(0, C_1 .. C_t) where C is the
    cumulative sum of the steps (Lindley's recursion unrolled: S falls to zero exactly where C reaches a
    new low, and grows with C from there), so one cumulative sum and one running minimum find the next
    alarm; the loop runs once per alarm, not once per observation."""
    finite = np.flatnonzero(np.isfinite(z))
    steps = z[finite]
    alarms: list[tuple[int, str, float, int]] = []
    start = 0  # position in `finite` where both sides restart at zero
    while start < len(finite):
        rise = np.cumsum(steps[start:] - drift)
        fall = np.cumsum(-steps[start:] - drift)
        upper = rise - np.minimum.accumulate(np.minimum(rise, 0.0))
        lower = fall - np.minimum.accumulate(np.minimum(fall, 0.0))
        beyond = np.flatnonzero((upper > limit) | (lower > limit))
        if not len(beyond):
            break
        at = int(beyond[0])
        side = "up" if upper[at] > limit else "down"
        statistic = float(upper[at] if side == "up" else lower[at])
        # The run began at the last observation met with both sides at zero.
        rested = np.flatnonzero((upper[:at] == 0) & (lower[:at] == 0))
        run_start = int(finite[start + (int(rested[-1]) + 1 if len(rested) else 0)])
        index = int(finite[start + at])
        alarms.append((index, side, statistic, run_start))
        start = int(np.searchsorted(finite, index + cooldown, side="right"))
    return alarms


@dataclass(frozen=True)
class ChangePointDetector(Detector):
    """Offline change points by `ruptures` (KernelCPD: its exact penalised segmentation, in C), on the
    `transform`ed series scaled by a robust estimate of its noise (see `breakpoints`), so
    `penalty` is in units of log(n) whatever the series' units: a change must explain more than
    `penalty` * log(n) of scaled squared error to count. `model` l2 finds changes in mean; rbf finds changes
    in distribution. `detect` segments the whole series (its history); `replay` segments, at each new
    observation, the trailing `window` observations only (a rerun on the full prefix would cost the square
    of the series length, and an analyst watching for new breaks looks at the last years, not 1972).
    """

    method: ClassVar[str] = "change_point"
    name: str
    transform: str
    model: str
    penalty: float
    min_size: int
    window: int

    @classmethod
    def from_config(cls, reader: _Reader) -> ChangePointDetector:
        detector = cls(
            name=reader.text("name", "change_point"),
            transform=reader.text("transform", "log_yoy", TRANSFORMS),
            model=reader.text("model", "l2", ("l2", "rbf")),
            penalty=reader.number("penalty", 12.0, above=0),
            min_size=reader.whole("min_size", 6, at_least=2),
            window=reader.whole("window", 120, at_least=8),
        )
        if detector.window < 3 * detector.min_size:
            raise DetectorConfigError(
                "window",
                "must hold at least three segments of min_size (%(least)s)",
                least=str(3 * detector.min_size),
            )
        return detector

    def config(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "name": self.name,
            "transform": self.transform,
            "model": self.model,
            "penalty": self.penalty,
            "min_size": self.min_size,
            "window": self.window,
        }

    def breakpoints(self, signal: np.ndarray) -> list[int]:
        """Where the segments of `signal` (finite values) begin, after the first: ruptures' answer."""
        count = len(signal)
        if count < 2 * self.min_size:
            return []
        kernel = "linear" if self.model == "l2" else "rbf"
        algorithm = ruptures.KernelCPD(kernel=kernel, min_size=self.min_size).fit(self.scaled(signal))
        return [int(end) for end in algorithm.predict(pen=self.penalty * math.log(count))[:-1]]

    def scaled(self, signal: np.ndarray) -> np.ndarray:
        """`signal` centred on its median and over a robust estimate of its noise: what ruptures is given."""
        # The noise's spread from differences `min_size` apart (median absolute deviation, robust): a change
        # spoils only a few of them, unlike the spread of the values (where a large change would hide
        # itself), and a smooth, wandering series (growth on a year ago is a twelve-month sum) shows its
        # wander there, unlike in differences one apart (where every wiggle would become a change).
        lagged = signal[self.min_size :] - signal[: -self.min_size]
        scale = float(np.median(np.abs(lagged - np.median(lagged)))) / 0.6745 / math.sqrt(2)
        if not scale > 1e-9 * float(np.max(np.abs(signal))):  # noiseless: rounding is not noise
            scale = float(np.std(signal)) or 1.0
        return (signal - np.median(signal)) / scale

    def visible(self, series: Series) -> tuple[np.ndarray, int]:
        """The `transform`ed series from its first defined value on (what `detect` segments; for rbf, at
        most its latest `RBF_LONGEST` values), and the index of that value in the series."""
        values = transformed(series, self.transform)
        offset = int(np.argmax(np.isfinite(values))) if np.isfinite(values).any() else len(values)
        if self.model == "rbf":
            offset = max(offset, len(values) - RBF_LONGEST)
        return values[offset:], offset

    def detect(self, series: Series) -> list[Signal]:
        values, offset = self.visible(series)
        return self._signals(series, values, offset, self.breakpoints(values))

    def _signals(
        self, series: Series, values: np.ndarray, offset: int, cuts: list[int], start: int = 0
    ) -> list[Signal]:
        bounds = [start, *cuts, len(values)]
        signals = []
        for before, cut, after in zip(bounds, bounds[1:], bounds[2:], strict=False):
            mean_before = float(values[before:cut].mean())
            mean_after = float(values[cut:after].mean())
            shown_before, shown_after = self._shown(mean_before), self._shown(mean_after)
            signals.append(
                self._signal(
                    series,
                    offset + cut,
                    direction="up" if mean_after > mean_before else "down",
                    value=shown_after,
                    baseline=shown_before,
                    window=(series.dates[offset + before], series.dates[offset + after - 1]),
                    explanation={
                        "transform": self.transform,
                        "segment_before": [
                            series.dates[offset + before].isoformat(),
                            series.dates[offset + cut - 1].isoformat(),
                        ],
                        "segment_after": [
                            series.dates[offset + cut].isoformat(),
                            series.dates[offset + after - 1].isoformat(),
                        ],
                        "mean_before": shown_before,
                        "mean_after": shown_after,
                        "model": self.model,
                        "penalty": self.penalty,
                    },
                )
            )
        return signals

    def _shown(self, mean: float) -> float:
        """A segment mean in the reader's units: the level, the geometric mean, or growth as a fraction."""
        if self.transform == "log":
            return math.exp(mean)
        if self.transform == "log_yoy":
            return math.expm1(mean)
        return mean

    def replay(self, series: Series) -> list[Firing]:
        values, offset = self.visible(series)
        firings: list[Firing] = []
        seen: list[tuple[int, str]] = []  # (index in values, direction) of every change already reported
        for end in range(4 * self.min_size, len(values) + 1):
            start = max(0, end - self.window)
            cuts = [start + cut for cut in self.breakpoints(values[start:end])]
            if not cuts:
                continue
            for signal, cut in zip(
                self._signals(series, values[:end], offset, cuts, start), cuts, strict=True
            ):
                if cut < end - 2 * self.min_size:
                    # A change far back that appears only now is the sliding window reinterpreting old
                    # data, not news: a live analyst would have seen it when it happened, or not at all.
                    continue
                # The same change moves by a few observations as data arrive; within min_size it is the
                # one already reported, not a new signal.
                if any(abs(cut - old) < self.min_size and way == signal.direction for old, way in seen):
                    continue
                seen.append((cut, signal.direction))
                firings.append(Firing(signal, series.dates[offset + end - 1]))
        return firings


DETECTOR_CLASSES: dict[str, Any] = {
    "change_point": ChangePointDetector,
    "cusum": CusumDetector,
    "threshold": ThresholdDetector,
    "year_over_year": YearOverYearDetector,
}


# The detectors a series gets unless its owner configures others, tuned on the class of input these
# exchanges carry (production, capacity and shipment indices: trending, often seasonally adjusted, some
# not) against generated series with a known truth (tests/detection, bench/detection.py), not on any one
# file. Each is the configuration as stored; `default_detectors()` builds them.
DEFAULT_DETECTORS: tuple[dict[str, Any], ...] = (
    # A level shift against a line and season means of the last five years. Limit 9 with drift 0.5: white
    # or mildly autocorrelated noise raises about one false alarm a century (bench/detection.py), and a
    # shift of five noise spreads is found in two months.
    {"method": "cusum", "name": "level", "transform": "log", "baseline": 60, "gap": 2, "limit": 9.0},
    # A turn in growth (a smooth index turning down, as in 2008 and early 2020): small drift, because a
    # turn is a run of modest shortfalls, and a short cooldown, because growth has no step to overshoot.
    {
        "method": "cusum",
        "name": "growth",
        "transform": "log_diff",
        "trend": False,
        "ar1": False,
        "baseline": 60,
        "gap": 2,
        "drift": 0.25,
        "limit": 4.5,
        "cooldown": 6,
    },
    # The analyst's first question: how far from a year ago (20 % either way is out of the ordinary for
    # an index, beyond five spreads of noisy monthly data; a lead time or a price gets its own bound).
    {"method": "year_over_year", "name": "year-over-year", "bound": 0.2, "direction": "both"},
    # The regime behind the other signals: where growth on a year ago changed level, in the last ten years.
    {
        "method": "change_point",
        "name": "growth-regime",
        "transform": "log_yoy",
        "model": "l2",
        "penalty": 12.0,
        "min_size": 6,
        "window": 120,
    },
)


def default_detectors() -> list[Detector]:
    """The detectors of `DEFAULT_DETECTORS`, built."""
    return build_detectors(DEFAULT_DETECTORS)
