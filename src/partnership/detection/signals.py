"""What a detector says: one `Signal` per thing it noticed, with the numbers to explain it."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Signal:
    """A detector's finding on one series: which method, when, which way, the value against its baseline,
    on what window of observations, and the numbers of its explanation (`explanation`; the caller turns
    them into a sentence in the reader's language: the library holds no translated text)."""

    series: str
    date: datetime.date
    method: str
    direction: str  # "up" or "down"
    value: float
    baseline: float
    window: tuple[datetime.date, datetime.date]
    detector: str = ""
    explanation: Mapping[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """The `partnership supply-chain detect --json` shape of one signal."""
        return {
            "series": self.series,
            "date": self.date.isoformat(),
            "method": self.method,
            "direction": self.direction,
            "value": _rounded(self.value),
            "baseline": _rounded(self.baseline),
        }


def signals_as_json(signals: Iterable[Signal]) -> list[dict[str, Any]]:
    """The list `partnership supply-chain detect --json` prints: one object per signal, in date order, with
    `series`, `date` (ISO 8601), `method`, `direction` (`up`/`down`), `value` and `baseline`."""
    ordered = sorted(signals, key=lambda signal: (signal.date, signal.series, signal.method))
    return [signal.as_json() for signal in ordered]


def _rounded(number: float) -> float:
    # Six significant digits: the series' own precision is rarely more, and the JSON stays readable.
    return float(f"{number:.6g}")
