"""The report's charts as SVG, built once in Python and placed in the HTML and the PDF alike.

No JavaScript: a printed report and a PDF must show the same picture as the page. Every text that
goes into an SVG is escaped here; the colours are those of the site's status badges, and every
chart has a title and a text alternative (its numbers are also in the tables beside it).
"""

from collections.abc import Sequence
from html import escape
from itertools import zip_longest
from typing import Any

from django.utils.translation import gettext as _

from partnership.programme.models import ProgressUpdate
from partnership.programme.queries import chart_points

from .models import Priority

# An attribute of the root, unquoted: WeasyPrint's SVG renderer reads the fonts from there (quoted
# names fell back to a serif face), and "Report Sans" is the CJK font the PDF embeds (report.py).
FONT = "Report Sans, Noto Sans CJK JP, Noto Sans, sans-serif"
COLOURS = {
    "on_track": "#1d6b2f",
    "at_risk": "#8a5a00",
    "off_track": "#a11d1d",
    "done": "#17457a",
    "missing": "#ffffff",
}


def status_labels() -> dict[str, str]:
    """Each status code and "missing" with its label in the active language."""
    labels = {code: str(label) for code, label in ProgressUpdate.Status.choices}
    labels["missing"] = _("no update")
    return labels


def priority_label(code: str) -> str:
    """What became of a priority, in the active language."""
    return str(dict(Priority.Outcome.choices).get(code, code))


def text_width(text: str, size: float) -> float:
    """About how wide `text` is at `size`: a CJK character is a square, a Latin one about half of it.

    SVG cannot measure its text; an estimate keeps the labels inside the picture.
    """
    return sum(size if ord(character) >= 0x2E80 else size * 0.56 for character in text)


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="report-chart" role="img" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" font-family="{FONT}" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def status_by_area_chart(
    rows: Sequence[tuple[str, Sequence[dict[str, int]]]],
    party_codes: Sequence[str],
    statuses: Sequence[str],
    labels: dict[str, str],
) -> str:
    """Stacked bars: for each area (label) and party, how many of its actions stand at each status."""
    bar_width, bar_height, gap, group_gap, legend_height = 340, 10, 2, 9, 26
    label_width = round(min(max((text_width(label, 9) for label, _parties in rows), default=0), 320)) + 6
    width = label_width + 30 + bar_width + 10
    most = max((sum(cells.values()) for _label, parties in rows for cells in parties), default=1) or 1
    scale = bar_width / most
    body = []
    x = 0
    for status in statuses:
        name = labels.get(status, status)
        body.append(
            f'<rect x="{x}" y="6" width="10" height="10" fill="{COLOURS.get(status, "#999")}" stroke="#555" '
            f'stroke-width="0.5"/><text x="{x + 14}" y="15" font-size="9">{escape(name)}</text>'
        )
        x += round(24 + text_width(name, 9))
    y = legend_height
    for area_label, parties in rows:
        group_top = y
        for code, cells in zip(party_codes, parties, strict=True):
            body.append(
                f'<text x="{label_width + 26}" y="{y + bar_height - 2}" font-size="8" text-anchor="end">'
                f"{escape(code)}</text>"
            )
            left = label_width + 30.0
            for status in statuses:
                count = cells.get(status, 0)
                if not count:
                    continue
                body.append(
                    f'<rect x="{left:.1f}" y="{y}" width="{count * scale:.1f}" height="{bar_height}" '
                    f'fill="{COLOURS.get(status, "#999")}" stroke="#555" stroke-width="0.5">'
                    f"<title>{escape(code)} {escape(labels.get(status, status))}: {count}</title></rect>"
                )
                left += count * scale
            y += bar_height + gap
        middle = (group_top + y - gap) / 2 + 3
        body.append(
            f'<text x="{label_width}" y="{middle:.1f}" font-size="9" text-anchor="end">'
            f"{escape(area_label)}</text>"
        )
        y += group_gap
    return _svg(max(width, x), y, _("Status of the joint actions by area and party"), body)


#: The indicator chart's size in SVG pixels (a PDF prints 0.75 pt a pixel: 240 px are 63 mm, and its
#: labels of 10 px print at 7.5 pt). A 120 x 28 sparkline printed at 2 cm read as a smudge (issue 14).
INDICATOR_WIDTH, INDICATOR_HEIGHT, INDICATOR_FONT = 240, 64, 10


def _plain(number: float) -> str:
    """A number as a label: no trailing zeros, no exponent for the sizes indicators have."""
    text = f"{number:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def indicator_chart(
    values: Sequence[str | None],
    baseline: str | None,
    target: str | None,
    periods: Sequence[str] = (),
) -> str:
    """A line chart of an indicator's yearly values against its baseline and target, legible in print:
    the scale's low and high on the left, the latest value beside its dot, the first and last year
    below (`periods`: the ISO dates of `values`); "" when there is nothing to draw."""
    pairs = [(period, value) for period, value in zip_longest(periods, values) if value is not None]
    numbers = [float(value) for _period, value in pairs]
    if not numbers or baseline is None or target is None:
        return ""
    low = min(*numbers, float(baseline), float(target))
    high = max(*numbers, float(baseline), float(target))
    last = _plain(numbers[-1])
    size = INDICATOR_FONT
    left = round(max(text_width(_plain(low), size), text_width(_plain(high), size))) + 6
    right = round(text_width(last, size)) + 10
    years = [period[:4] for period, _value in pairs if period]
    bottom = size + 4 if years else 0
    plot_width, plot_height = INDICATOR_WIDTH - left - right, INDICATOR_HEIGHT - bottom
    points = chart_points(numbers, float(baseline), float(target), width=plot_width, height=plot_height)
    top_y, low_y = 4.0, plot_height - 4.0  # chart_points leaves 4 px above the high and below the low
    last_x, last_y = (float(part) for part in points["points"].split()[-1].split(","))
    plot = [
        f'<line x1="0" x2="{plot_width}" y1="{points["baseline_y"]}" y2="{points["baseline_y"]}" '
        'stroke="#555" stroke-dasharray="2 3"/>',
        f'<line x1="0" x2="{plot_width}" y1="{points["target_y"]}" y2="{points["target_y"]}" '
        'stroke="#1d6b2f" stroke-dasharray="4 3"/>',
        f'<polyline points="{points["points"]}" fill="none" stroke="#0b4f9c" stroke-width="2"/>',
        # The latest value as a dot: a line of one value would not show at all.
        f'<circle cx="{last_x}" cy="{last_y}" r="2.5" fill="#0b4f9c"/>',
        f'<text class="last" x="{last_x + 5:.1f}" y="{last_y + size * 0.35:.1f}" font-size="{size}" '
        f'fill="#0b4f9c">{escape(last)}</text>',
    ]
    body = [
        f'<line x1="{left - 2}" x2="{left - 2}" y1="{top_y}" y2="{low_y}" stroke="#c8c8c8"/>',
        f'<text class="high" x="{left - 4}" y="{top_y + size * 0.7:.1f}" font-size="{size}" '
        f'text-anchor="end" fill="#555">{escape(_plain(high))}</text>',
        f'<text class="low" x="{left - 4}" y="{low_y:.1f}" font-size="{size}" text-anchor="end" '
        f'fill="#555">{escape(_plain(low))}</text>',
        f'<g transform="translate({left},0)">{"".join(plot)}</g>',
    ]
    if years:
        y = INDICATOR_HEIGHT - 2
        body.append(f'<text x="{left}" y="{y}" font-size="{size}" fill="#555">{escape(years[0])}</text>')
        if len(years) > 1:
            body.append(
                f'<text x="{left + plot_width}" y="{y}" font-size="{size}" text-anchor="end" '
                f'fill="#555">{escape(years[-1])}</text>'
            )
    title = _("Values against baseline (grey) and target (green); latest %(value)s") % {"value": last}
    return _svg(INDICATOR_WIDTH, INDICATOR_HEIGHT, title, body)


def graph_chart(graph: dict[str, Any], area_names: dict[str, str], size: int = 560) -> str:
    """The related-actions map: areas inside (numbered in the order of `area_names`), joint actions
    (by paragraph) around, links between."""
    centre, radius = size / 2, size / 2 - 40

    def at(node: dict[str, Any]) -> tuple[float, float]:
        return centre + radius * node["x"], centre + radius * node["y"]

    nodes = {node["id"]: node for node in graph["nodes"]}
    body = []
    for edge in graph["edges"]:
        (x1, y1), (x2, y2) = at(nodes[edge["source"]]), at(nodes[edge["target"]])
        style = 'stroke="#0b4f9c" stroke-width="1.2"' if edge["kind"] == "related" else 'stroke="#c8c8c8"'
        body.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" {style}/>')
    for node in graph["nodes"]:
        x, y = at(node)
        if node["kind"] == "area":
            # A number, not the name: fifteen names inside the circle would overlap. The page lists
            # the areas by these numbers beside the map.
            number = list(area_names).index(node["area"]) + 1 if node["area"] in area_names else 0
            name = area_names.get(node["area"], node["area"])
            body.append(
                f'<rect x="{x - 8:.1f}" y="{y - 8:.1f}" width="16" height="16" fill="#17457a">'
                f"<title>{escape(name)}</title></rect>"
                f'<text x="{x:.1f}" y="{y + 3:.1f}" font-size="8" fill="#ffffff" text-anchor="middle">'
                f"{number}</text>"
            )
        else:
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#ffffff" stroke="#0b4f9c"/>'
                f'<text x="{x:.1f}" y="{y + 3:.1f}" font-size="8" text-anchor="middle">'
                f"{node['paragraph']}</text>"
            )
    return _svg(size, size, _("Related joint actions and their areas"), body)
