"""Replaying a series as if live: when would each signal first have fired, and how long after a known
event."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .detectors import Detector, Firing
from .series import Series, make_series, months_between


@dataclass(frozen=True)
class Event:
    """A known event to score the replay against: the first signal (in `direction`, if given) that fires
    between `start` and `end` flags it, `delay_months` after `start`."""

    name: str
    start: date
    end: date
    direction: str | None = None


@dataclass(frozen=True)
class EventResult:
    """How the replay met a known event: the first firing that flagged it, and the delay in months."""

    event: Event
    firing: Firing | None

    @property
    def flagged(self) -> bool:
        """Whether any signal fired during the event."""
        return self.firing is not None

    @property
    def delay_months(self) -> int | None:
        """Months from the event's start to the first signal (None: never flagged)."""
        return None if self.firing is None else months_between(self.event.start, self.firing.fired_on)


@dataclass(frozen=True)
class BacktestResult:
    """Every firing of the replay in time order, each known event's result, and the span replayed."""

    series: str
    firings: list[Firing]
    events: list[EventResult]
    years: float

    @property
    def signals_per_year(self) -> float:
        """Firings per year of data (on a series with nothing to find: the false-alarm rate)."""
        return len(self.firings) / self.years if self.years else 0.0


def backtest(
    observations: Series | Iterable[tuple[date, float]],
    detectors: Sequence[Detector],
    *,
    code: str = "",
    frequency: str = "monthly",
    events: Sequence[Event] = (),
) -> BacktestResult:
    """Replay `observations` one at a time through `detectors`: at each new observation only the data up to
    it are visible (the offline change points rerun on the trailing window there, see
    `ChangePointDetector`), so each signal is reported when it would first have fired (`Firing.fired_on`),
    with each known event's first signal and delay."""
    series = observations if isinstance(observations, Series) else make_series(observations, code, frequency)
    firings = sorted(
        (firing for detector in detectors for firing in detector.replay(series)),
        key=lambda firing: (firing.fired_on, firing.signal.date, firing.signal.method),
    )
    results = [
        EventResult(
            event,
            next(
                (
                    firing
                    for firing in firings
                    if event.start <= firing.fired_on <= event.end
                    and event.direction in (None, firing.signal.direction)
                ),
                None,
            ),
        )
        for event in events
    ]
    years = len(series) / series.periods_per_year
    return BacktestResult(series.code, firings, results, years)
