"""A series' chart as SVG, built in Python (as the Council report's charts are): no JavaScript and no
inline style, so the Content-Security-Policy holds; every text that goes into it is escaped here.

The line is the latest value of each date; a date a later release revised is marked with a ring, and its
earlier values are in the vintage table beside the chart. Missing values break the line. A series of more
than `MAX_POINTS` dates is thinned (`thin`): each of `MAX_POINTS // 2` buckets of consecutive dates keeps
its lowest and highest value, so every peak and trough stays on the line and the page stays fast (a
daily series of 50 years would otherwise draw 18,000 points).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from django.utils.translation import gettext as _

from .explain import method_label
from .queries import Point

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 12, 16, 28
LINE = "#17457a"
REVISED = "#a11d1d"
GRID = "#d0d4da"
FONT = "Noto Sans CJK JP, Noto Sans, sans-serif"
#: A colour per detection method, for the signal markers and the legend.
METHOD_COLOURS = {
    "cusum": "#b35900",
    "change_point": "#6a3d9a",
    "threshold": "#a11d1d",
    "year_over_year": "#1b7837",
}


#: More dates than this are thinned to min/max per bucket (a chart 660 pixels wide shows no more).
MAX_POINTS = 1000


def thin(points: Sequence[Point], limit: int = MAX_POINTS) -> Sequence[Point]:
    """`points` (in date order) as drawn: all of them up to `limit`, else per bucket of consecutive dates
    (`limit // 2` buckets) its lowest and highest point in date order, and one missing point where the
    bucket has any (so a gap still breaks the line)."""
    if len(points) <= limit:
        return points
    buckets = max(limit // 2, 1)
    size = len(points) / buckets
    kept: list[Point] = []
    for bucket in range(buckets):
        chunk = points[int(bucket * size) : int((bucket + 1) * size)]
        valued = [point for point in chunk if point.value is not None]
        if len(valued) < len(chunk):
            kept.append(next(point for point in chunk if point.value is None))
        if valued:
            low = min(valued, key=lambda point: point.value)  # type: ignore[arg-type, return-value]
            high = max(valued, key=lambda point: point.value)  # type: ignore[arg-type, return-value]
            kept.extend(sorted({low, high}, key=lambda point: point.date))
    return sorted(kept, key=lambda point: point.date)


@dataclass(frozen=True)
class Marker:
    """A signal on the chart: a dashed line at its date and a triangle pointing its way, with its sentence
    as the tooltip."""

    date: datetime.date
    method: str
    direction: str
    text: str


def legend(methods: Sequence[str]) -> list[tuple[str, str, str]]:
    """(method, its name in the reader's language, its colour) for each method shown on the chart."""
    return [(method, method_label(method), METHOD_COLOURS.get(method, LINE)) for method in methods]


def _number(value: float) -> str:
    return f"{value:.4g}"


def series_chart(title: str, unit: str, points: Sequence[Point], markers: Sequence[Marker] = ()) -> str:
    """The SVG of `points` (in date order) with `title` and the unit on the value axis, and a marker at
    each signal's date (in the colour of its method, see `legend`). More than `MAX_POINTS` are thinned."""
    points = thin(points)
    label = _("%(title)s, latest values") % {"title": title}
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="series-chart" role="img" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT}" font-size="10" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
    )
    values = [point.value for point in points if point.value is not None]
    if not values:
        empty = escape(_("No values yet."))
        return head + f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" text-anchor="middle">{empty}</text></svg>'
    low, high = min(values), max(values)
    if high == low:
        low, high = low - 1, high + 1
    first, last = points[0].date.toordinal(), points[-1].date.toordinal()
    span = max(last - first, 1)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(ordinal: int) -> float:
        return LEFT + (ordinal - first) * plot_width / span

    def y(value: float) -> float:
        return TOP + (high - value) * plot_height / (high - low)

    body: list[str] = []
    for step in range(5):
        value = low + (high - low) * step / 4
        body.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{GRID}"/>'
            f'<text x="{LEFT - 4}" y="{y(value) + 3:.1f}" text-anchor="end">{escape(_number(value))}</text>'
        )
    years = sorted({point.date.year for point in points})
    every = max(1, len(years) // 8)
    for year in years[::every]:
        at = x(datetime.date(year, 1, 1).toordinal()) if year > years[0] else LEFT
        body.append(f'<text x="{at:.1f}" y="{HEIGHT - 8}" text-anchor="middle">{year}</text>')
    if unit:
        body.append(
            f'<text x="12" y="{TOP + plot_height / 2:.1f}" '
            f'transform="rotate(-90 12 {TOP + plot_height / 2:.1f})" '
            f'text-anchor="middle">{escape(unit)}</text>'
        )
    segment: list[str] = []
    paths: list[str] = []
    for point in points:
        if point.value is None:
            if segment:
                paths.append(" ".join(segment))
            segment = []
            continue
        segment.append(f"{'M' if not segment else 'L'}{x(point.date.toordinal()):.1f},{y(point.value):.1f}")
    if segment:
        paths.append(" ".join(segment))
    body.extend(f'<path d="{path}" fill="none" stroke="{LINE}" stroke-width="1.5"/>' for path in paths)
    for point in points:
        if point.earlier and point.value is not None:
            note = escape(_("%(date)s: revised") % {"date": point.date.isoformat()})
            body.append(
                f'<circle cx="{x(point.date.toordinal()):.1f}" cy="{y(point.value):.1f}" r="3" fill="none" '
                f'stroke="{REVISED}"><title>{note}</title></circle>'
            )
    body.extend(_markers(markers, first, last, x, plot_height))
    return head + "".join(body) + "</svg>"


def _markers(
    markers: Sequence[Marker], first: int, last: int, x: Callable[[int], float], plot_height: float
) -> list[str]:
    """Each signal within the chart's dates: a dashed line and a triangle pointing its way, its sentence
    as the tooltip, in its method's colour."""
    drawn = []
    for marker in markers:
        if not first <= marker.date.toordinal() <= last:
            continue
        at = x(marker.date.toordinal())
        colour = METHOD_COLOURS.get(marker.method, LINE)
        tip = (
            f"M{at:.1f},{TOP + 1} l-4,7 h8 z"
            if marker.direction == "up"
            else f"M{at:.1f},{TOP + plot_height - 1:.1f} l-4,-7 h8 z"
        )
        drawn.append(
            f'<g class="signal signal-{escape(marker.method)}"><title>{escape(marker.text)}</title>'
            f'<line x1="{at:.1f}" x2="{at:.1f}" y1="{TOP}" y2="{TOP + plot_height}" stroke="{colour}" '
            f'stroke-dasharray="3 2"/><path d="{tip}" fill="{colour}"/></g>'
        )
    return drawn
