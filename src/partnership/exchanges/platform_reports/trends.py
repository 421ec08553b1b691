"""Trends of the online environment (para 65): daily and monthly series per platform and per category,
ground, source, content type, automated decision, automated share and territorial scope, read from the
trends' rollup (`TrendTally`: one row a value a day a slot; one grouped query a series set, never the
statements nor the finer rollups), with surges
and breaks flagged by `partnership.detection` on the monthly series, and an SVG chart made here (no
script, no inline style: the page's CSP holds).
"""

from __future__ import annotations

import datetime
import math
import re
from collections import defaultdict
from html import escape
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from partnership import detection
from partnership.errors import Invalid

from . import schema
from .models import TrendTally
from .storage import TOTAL
from .template import platform

#: The dimensions a series is drawn by, each a `TrendTally.dimension` ("automated_share" is drawn from
#: "automated_decision").
DIMENSIONS = {
    "total": gettext_lazy("All statements"),
    "category": gettext_lazy("Category"),
    "decision_ground": gettext_lazy("Decision ground"),
    "source_type": gettext_lazy("Source"),
    "automated_decision": gettext_lazy("Automated decision"),
    "automated_share": gettext_lazy("Share of fully automated decisions"),
    "content_type": gettext_lazy("Content type"),
    "territorial_scope": gettext_lazy("Territorial scope"),
}
FREQUENCIES = ("monthly", "daily")
#: Series drawn and searched for signals at the most (the largest values first).
SHOWN = 6
#: The longest span of a daily series, in days, and of a monthly one, in months.
LONGEST_DAILY = 366
LONGEST_MONTHLY = 240
#: Fewest monthly observations on which the detectors run.
FEWEST_FOR_SIGNALS = 8
COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#555555")


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return found


def _days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def _label(dimension: str, value: str) -> str:
    if dimension == "category":
        return schema.category_label(value)
    if dimension in ("decision_ground", "source_type", "automated_decision", "content_type"):
        enum = {
            "decision_ground": "DECISION_GROUNDS",
            "source_type": "SOURCE_TYPES",
            "automated_decision": "AUTOMATED_DECISIONS",
            "content_type": "CONTENT_TYPES",
        }[dimension]
        return schema.enum_label(enum, value)
    return value


def series(
    reader: User | AnonymousUser | None,
    code: str | None = None,
    dimension: str = "total",
    frequency: str = "monthly",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[str, Any]:
    """The series of `dimension` (all platforms, or the platform `code`) by `frequency`, each point the
    statements of decisions applied in that day or month; the SHOWN largest values, with the signals the
    detectors find on each monthly series. Public, as the statements are. Two queries at most."""
    if dimension not in DIMENSIONS:
        raise Invalid(
            _("dimension must be one of %(values)s.") % {"values": ", ".join(DIMENSIONS)},
            {"dimension": _("unknown")},
        )
    if frequency not in FREQUENCIES:
        raise Invalid(_("frequency must be monthly or daily."), {"frequency": _("unknown")})
    today = datetime.date.today()
    end = end or today
    if start is None:
        start = (
            end - datetime.timedelta(days=90)
            if frequency == "daily"
            else (end.replace(day=1) - datetime.timedelta(days=365 * 2)).replace(day=1)
        )
    longest = LONGEST_DAILY if frequency == "daily" else LONGEST_MONTHLY * 31
    if end < start or (end - start).days > longest:
        raise Invalid(
            _("The period must end after it starts and last at most %(days)s days.") % {"days": longest},
            {"start": _("out of range")},
        )
    filters: dict[str, Any] = {"day__gte": start, "day__lte": end}
    chosen = None
    if code:
        chosen = platform(code)
        filters["platform"] = chosen
    # One grouped query on the trends' rollup (a few hundred rows a day at most), grouped by month in
    # the database for a monthly series (on a few thousand rows the month function is cheap, and the
    # page then builds from a row a value a month), by day for a daily one.
    stored = {"automated_share": "automated_decision"}.get(dimension, dimension)
    query = TrendTally.objects.filter(dimension=stored, **filters)
    if frequency == "monthly":
        query = query.annotate(when=TruncMonth("day"))
    else:
        query = query.annotate(when=F("day"))
    rows = query.values_list("when", "value").annotate(n=Sum("statements")).order_by()
    points: dict[str, dict[datetime.date, float]] = defaultdict(lambda: defaultdict(float))
    for when, value, n in rows:
        if dimension == "total":
            value = "TOTAL"
        elif dimension == "category":
            value = schema.current_category(value)
        points[value][when] += n
    if dimension == "automated_share":
        totals: dict[datetime.date, float] = defaultdict(float)
        for by_when in points.values():
            for when, n in by_when.items():
                totals[when] += n
        fully = points.get("AUTOMATED_DECISION_FULLY", {})
        points = defaultdict(lambda: defaultdict(float))
        points["AUTOMATED_SHARE"] = defaultdict(
            float, {when: round(100 * fully.get(when, 0) / n, 1) for when, n in totals.items() if n}
        )
    axis = _months(start, end) if frequency == "monthly" else _days(start, end)
    ranked = sorted(points, key=lambda value: (-sum(points[value].values()), value))[:SHOWN]
    drawn = []
    for value in ranked:
        values = [points[value].get(when, 0.0) for when in axis]
        signals = _signals(value, axis, values) if frequency == "monthly" else []
        drawn.append(
            {
                "key": value,
                "label": _("Share of fully automated decisions (%)")
                if value == "AUTOMATED_SHARE"
                else (_("All statements") if value == "TOTAL" else _label(dimension, value)),
                "points": [{"date": when, "value": v} for when, v in zip(axis, values, strict=True)],
                "total": sum(values) if dimension != "automated_share" else None,
                "signals": signals,
            }
        )
    return {
        "platform": {"code": chosen.code, "name": chosen.name} if chosen else None,
        "dimension": dimension,
        "dimension_label": str(DIMENSIONS[dimension]),
        "frequency": frequency,
        "start": start,
        "end": end,
        "series": drawn,
    }


def _signals(code: str, axis: list[datetime.date], values: list[float]) -> list[dict[str, Any]]:
    """Surges and breaks on a monthly series, found by the shared change detection (its default
    detectors); none on fewer than FEWEST_FOR_SIGNALS months or on an empty series."""
    if len(axis) < FEWEST_FOR_SIGNALS or not any(values):
        return []
    try:
        # The log transforms need positive values: a month with no statement counts as a half.
        observed = detection.make_series(
            [(when, max(value, 0.5)) for when, value in zip(axis, values, strict=True)], code, "monthly"
        )
        found = detection.detect(observed)
    except (detection.SeriesError, ArithmeticError, ValueError):
        return []
    kinds = {
        "change_point": _("break"),
        "cusum": _("surge"),
        "threshold": _("threshold crossed"),
        "year_over_year": _("change on a year ago"),
    }
    return [
        {
            "date": signal.date,
            "method": signal.method,
            "kind": kinds.get(signal.method, signal.method),
            "direction": _("up") if signal.direction == "up" else _("down"),
            "value": round(signal.value, 1),
            "baseline": round(signal.baseline, 1),
        }
        for signal in found
    ]


def chart(found: dict[str, Any], width: int = 720, height: int = 260) -> str:
    """The series as an SVG line chart (escaped text; presentation attributes, no style): one line a
    series, a marker at each signal, the axis labelled at its ends."""
    drawn = found["series"]
    left, bottom, top = 48, 24, 12
    if not drawn or not drawn[0]["points"]:
        return ""
    count = len(drawn[0]["points"])
    highest = max((p["value"] for s in drawn for p in s["points"]), default=0) or 1
    step = (width - left - 8) / max(count - 1, 1)

    def x(index: int) -> float:
        return round(left + index * step, 1)

    def y(value: float) -> float:
        return round(top + (height - top - bottom) * (1 - value / highest), 1)

    title = escape(f"{found['dimension_label']} ({found['start']} – {found['end']})")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{title}" class="trend-chart"><title>{title}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 8}" y2="{height - bottom}" stroke="#999"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top + 4}" text-anchor="end" font-size="10">{_number(highest)}</text>',
        f'<text x="{left - 4}" y="{height - bottom}" text-anchor="end" font-size="10">0</text>',
        f'<text x="{left}" y="{height - 6}" font-size="10">'
        f"{escape(str(drawn[0]['points'][0]['date']))}</text>",
        f'<text x="{width - 8}" y="{height - 6}" text-anchor="end" font-size="10">'
        f"{escape(str(drawn[0]['points'][-1]['date']))}</text>",
    ]
    for index, line in enumerate(drawn):
        colour = COLOURS[index % len(COLOURS)]
        line["colour"] = colour
        coords = " ".join(f"{x(i)},{y(p['value'])}" for i, p in enumerate(line["points"]))
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{coords}">'
            f"<title>{escape(line['label'])}</title></polyline>"
        )
        where = {p["date"]: i for i, p in enumerate(line["points"])}
        for signal in line["signals"]:
            i = where.get(signal["date"])
            if i is None:
                continue
            value = line["points"][i]["value"]
            parts.append(
                f'<circle cx="{x(i)}" cy="{y(value)}" r="5" fill="none" stroke="{colour}" stroke-width="2">'
                f"<title>{escape(str(signal['date']))}: {escape(str(signal['kind']))} "
                f"({escape(str(signal['direction']))})</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return str(int(value)) if math.isclose(value, round(value)) else f"{value:.1f}"


def dates(start: str | None, end: str | None) -> tuple[datetime.date | None, datetime.date | None]:
    """`start` and `end` of a query (YYYY-MM-DD or YYYY-MM, empty for the default span)."""
    found: list[datetime.date | None] = []
    for field, text in (("start", start), ("end", end)):
        if not text:
            found.append(None)
            continue
        text = str(text)
        try:
            if not re.fullmatch(r"\d{4}-\d{2}(-\d{2})?", text):
                raise ValueError(text)
            found.append(datetime.date.fromisoformat(text + "-01" if len(text) == 7 else text))
        except ValueError:
            raise Invalid(
                _("%(field)s must be a date as 2025-07-01.") % {"field": field}, {field: _("a date")}
            ) from None
    return found[0], found[1]


def council(year: int) -> dict[str, Any]:
    """The Council report's part on trends (para 65), in the current language, from one query: `events`,
    each platform's statements of `year` against the year before and each surge, drop or break the
    detectors flag on its monthly series in `year` (read from 1 January of the year before); `chart`,
    every platform's statements per month over both years with the signals of the total (SVG, or ""
    without any statement)."""
    start, end = datetime.date(year - 1, 1, 1), datetime.date(year, 12, 31)
    rows = (
        TrendTally.objects.filter(dimension=TOTAL, day__gte=start, day__lte=end)
        .values("platform__code", "platform__name_en", "platform__name_ja", "day")
        .annotate(n=Sum("statements"))
        .order_by()
    )
    axis = _months(start, end)
    per_platform: dict[tuple[str, str, str], dict[datetime.date, float]] = defaultdict(
        lambda: defaultdict(float)
    )
    overall: dict[datetime.date, float] = defaultdict(float)
    for row in rows:
        month = row["day"].replace(day=1)
        key = (row["platform__code"], row["platform__name_en"], row["platform__name_ja"] or "")
        per_platform[key][month] += row["n"]
        overall[month] += row["n"]
    japanese = (get_language() or "en").startswith("ja")
    events: list[str] = []
    for (code, name_en, name_ja), by_month in sorted(per_platform.items()):
        name = (name_ja or name_en) if japanese else name_en
        values = [by_month.get(month, 0.0) for month in axis]
        this = sum(v for month, v in zip(axis, values, strict=True) if month.year == year)
        before = sum(values) - this
        events.append(
            _(
                "%(platform)s: %(this)s statements of reasons for decisions of %(year)s "
                "(%(before)s the year before)."
            )
            % {"platform": name, "this": int(this), "year": year, "before": int(before)}
        )
        for signal in _signals(code, axis, values):
            if signal["date"].year != year:
                continue
            kind = (
                (_("a surge") if signal["direction"] == _("up") else _("a drop"))
                if signal["method"] != "change_point"
                else _("a break")
            )
            events.append(
                _(
                    "%(platform)s, %(month)s: %(kind)s in statements filed "
                    "(%(value)s against a baseline of %(baseline)s)."
                )
                % {
                    "platform": name,
                    "month": signal["date"].strftime("%Y-%m"),
                    "kind": kind,
                    "value": signal["value"],
                    "baseline": signal["baseline"],
                }
            )
    drawn: dict[str, Any] = {
        "dimension_label": str(DIMENSIONS["total"]),
        "start": start,
        "end": end,
        "series": [],
    }
    if overall:
        values = [overall.get(month, 0.0) for month in axis]
        drawn["series"] = [
            {
                "key": "TOTAL",
                "label": _("All statements"),
                "points": [{"date": m, "value": v} for m, v in zip(axis, values, strict=True)],
                "signals": _signals("TOTAL", axis, values),
            }
        ]
    return {"events": events, "chart": chart(drawn) if overall else ""}


#: How long the trends page and API keep a series (seconds). Cold, a series groups `TrendTally`'s rows of
#: one dimension (a few thousand for a half-year of a large platform, tens of milliseconds); within this
#: the page answers from memory, which spares the database when many read the same page.
CACHE_SECONDS = 60


def cached_series(
    reader: User | AnonymousUser | None,
    code: str | None = None,
    dimension: str = "total",
    frequency: str = "monthly",
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> dict[str, Any]:
    """`series`, kept CACHE_SECONDS in the cache per choice and language (the series are public, so
    one reader's answer is every reader's); the page and the API call this, the reports `series`."""
    import hashlib

    from django.core.cache import cache
    from django.utils.translation import get_language

    choice = repr((code, dimension, frequency, start, end, get_language()))
    key = "platform-reports-trends:" + hashlib.sha256(choice.encode()).hexdigest()
    found = cache.get(key)
    if found is None:
        found = series(reader, code, dimension, frequency, start, end)
        cache.set(key, found, CACHE_SECONDS)
    return found
