"""A signal's sentence in the reader's language (issue 16, item 2: "signals that explain themselves"):
which method fired, on what, the value against its baseline and the window, e.g. "CUSUM on monthly
growth: -4.1% against a baseline of +0.3% (2019-01 to 2020-03)". The detection library gives the
numbers (`Signal.explanation`); the words are here, translated."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext as _

from .models import Frequency


def method_label(method: str) -> str:
    """A method's name in the reader's language."""
    return {
        "cusum": _("CUSUM"),
        "change_point": _("Change point"),
        "threshold": _("Threshold"),
        "year_over_year": _("Change on a year ago"),
    }.get(method, method)


def period(date: datetime.date | str, frequency: str) -> str:
    """A date as its period: 2020-03 for a monthly series, 2020-Q1 quarterly, 2020 annual."""
    if isinstance(date, str):
        date = datetime.date.fromisoformat(date)
    if frequency == Frequency.MONTHLY:
        return f"{date:%Y-%m}"
    if frequency == Frequency.QUARTERLY:
        return f"{date.year}-Q{(date.month - 1) // 3 + 1}"
    if frequency == Frequency.ANNUAL:
        return str(date.year)
    return date.isoformat()


def _percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:+.1f}%"


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


def _measure(kind: str, frequency: str) -> str:
    if kind == "growth":
        words: dict[str, str] = {
            Frequency.WEEKLY: _("weekly growth"),
            Frequency.QUARTERLY: _("quarterly growth"),
            Frequency.ANNUAL: _("annual growth"),
        }
        return words.get(frequency, _("monthly growth"))
    if kind == "yoy":
        return _("growth on a year ago")
    return _("the level")


def sentence(signal: Any, frequency: str) -> str:
    """The signal (a stored `models.Signal`) explained in the active language."""
    explanation = signal.explanation or {}
    shown = explanation.get("shown") or {}
    kind = shown.get("kind", "level")
    if signal.method == "threshold":
        text = (
            _("%(value)s rose above the level %(level)s")
            if signal.direction == "up"
            else _("%(value)s fell below the level %(level)s")
        )
        return _("Threshold: %(what)s (%(date)s)") % {
            "what": text % {"value": _number(signal.value), "level": _number(signal.baseline)},
            "date": period(signal.date, frequency),
        }
    if signal.method == "year_over_year":
        return _(
            "Change on a year ago: %(value)s against %(baseline)s a year before (%(change)s, beyond the "
            "bound of ±%(bound)s; %(start)s to %(end)s)"
        ) % {
            "value": _number(signal.value),
            "baseline": _number(signal.baseline),
            "change": _percent(explanation.get("change")),
            "bound": _percent(explanation.get("bound")).lstrip("+"),
            "start": period(signal.window_start, frequency),
            "end": period(signal.window_end, frequency),
        }
    start, end = signal.window_start, signal.window_end
    if signal.method == "cusum" and explanation.get("baseline_start"):
        start, end = explanation["baseline_start"], explanation["baseline_end"]
    shown_number = _percent if kind in ("growth", "yoy") else _number
    return _(
        "%(method)s on %(measure)s: %(value)s against a baseline of %(baseline)s (%(start)s to %(end)s)"
    ) % {
        "method": method_label(signal.method),
        "measure": _measure(kind, frequency),
        "value": shown_number(shown.get("value", signal.value)),
        "baseline": shown_number(shown.get("baseline", signal.baseline)),
        "start": period(start, frequency),
        "end": period(end, frequency),
    }
