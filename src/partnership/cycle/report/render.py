"""Rendering the report's data as HTML, PDF, JSON and text in the reader's language."""

import functools
import json
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from partnership import csp

from .. import charts
from ..models import PublishedReport
from .build import LANGUAGES


def _pick(item: dict[str, Any], field: str, language: str) -> str:
    """The `language` version of `field` (`field_en`/`field_ja`), falling back to English."""
    return item.get(f"{field}_{language}") or item.get(f"{field}_en") or ""


def _in_language(text: Any, language: str) -> str:
    """An exchange's name of something: a plain string, or {"en": ..., "ja": ...}."""
    if isinstance(text, dict):
        return str(text.get(language) or text.get("en") or "")
    return "" if text is None else str(text)


def _context(data: dict[str, Any], language: str) -> dict[str, Any]:
    """The data as the template reads it: names in the reader's language, charts as SVG."""
    parties = [party | {"name": _pick(party, "name", language)} for party in data["parties"]]
    area_names = {area["code"]: _pick(area, "name", language) for area in data["areas"]}
    titles = {
        action["paragraph"]: _pick(action, "title", language)
        for area in data["areas"]
        for action in area["actions"]
    }
    areas = []
    for area in data["areas"]:
        actions = [
            action
            | {
                "title": _pick(action, "title", language),
                "heading": _pick(action, "heading", language),
                "by_party": [(party, action["parties"].get(party["code"])) for party in parties],
            }
            for action in area["actions"]
        ]
        areas.append(area | {"name": area_names[area["code"]], "actions": actions})
    summary = data["summary"]
    status_rows = [
        (area_names[row["area"]], [(party, row["counts"][party["code"]]) for party in parties], row)
        for row in summary["by_area"]
    ]
    status_labels = charts.status_labels()
    indicators = [
        item
        | {
            "chart": charts.indicator_chart(
                [point[1] for point in item["series"]],
                item["baseline"]["value"],
                item["target"]["value"],
                [point[0] for point in item["series"]],
            )
        }
        for item in data["indicators"]
    ]
    exchange_sections = [
        exchange
        | {
            "section": exchange["sections"].get(language) or exchange["sections"].get("en") or {},
            # The exchange's title in the reader's language (reports published before it carry none).
            "title": _in_language(exchange.get("title"), language) or exchange["name"],
            "indicators": [
                item | {"name": _in_language(item.get("name"), language)} for item in exchange["indicators"]
            ],
        }
        for exchange in data["exchanges"]
    ]
    moved = [
        (
            party,
            [item | {"title": titles.get(item["paragraph"], "")} for item in summary["moved"][party["code"]]],
        )
        for party in parties
    ]
    return {
        "data": data,
        "year": data["cycle"]["year"],
        "parties": parties,
        "areas": areas,
        "area_names": area_names,
        "titles": titles,
        "status_rows": status_rows,
        "statuses": data["statuses"],
        "totals": [(party, summary["totals"][party["code"]]) for party in parties],
        # Reports published before late updates were marked carry no "late".
        "late": [(party, summary.get("late", {}).get(party["code"], 0)) for party in parties],
        "any_late": any(summary.get("late", {}).values()),
        "moved": moved,
        "indicators": indicators,
        "exchanges": exchange_sections,
        "status_chart": charts.status_by_area_chart(
            [
                (name, [cells for _party, cells in cells_by_party])
                for name, cells_by_party, _row in status_rows
            ],
            [party["code"] for party in parties],
            data["statuses"],
            status_labels,
        ),
        "graph_chart": charts.graph_chart(data["graph"], area_names),
    }


@functools.cache
def cjk_font_files() -> dict[str, Path]:
    """The Noto Sans CJK files on this machine (regular, bold), found where Debian and fc-list put them."""
    found: dict[str, Path] = {}
    roots = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts"]
    for weight, names in {
        "normal": ("NotoSansCJK-Regular.ttc", "NotoSansCJKjp-Regular.otf"),
        "bold": ("NotoSansCJK-Bold.ttc", "NotoSansCJKjp-Bold.otf"),
    }.items():
        for root in roots:
            if weight in found or not root.is_dir():
                continue
            for name in names:
                match = next(iter(sorted(root.rglob(name))), None)
                if match is not None:
                    found[weight] = match
                    break
    return found


def _print_fonts() -> str:
    """@font-face rules embedding the CJK font in the PDF; empty (system fonts) when it is missing."""
    rules = [
        f'@font-face {{ font-family: "Report Sans"; font-weight: {weight}; src: url("{path.as_uri()}"); }}'
        for weight, path in sorted(cjk_font_files().items())
    ]
    return "\n".join(rules)


def stylesheet(print_fonts: str = "") -> str:
    """The report's CSS, inline in its <style> element so that the document stands alone (a file the
    command writes, the PDF)."""
    return f"\n{print_fonts}\n{render_to_string('cycle/report.css')}"


def style_source() -> str:
    """The Content-Security-Policy source that lets a browser apply the report's <style> element (its
    hash; the web page has no embedded fonts), where the node's policy allows no inline style."""
    return csp.hash_source(stylesheet())


def _signatures(data: dict[str, Any], report: PublishedReport | None, language: str) -> dict[str, Any]:
    """Who signed the published report and when, and the parties whose signature is awaited."""
    if report is None:
        return {"signatures": [], "awaiting": []}
    names = {party["code"]: _pick(party, "name", language) for party in data["parties"]}
    made = sorted(report.signatures.all(), key=lambda s: (s.signed_at, s.party.code))
    signed = {signature.party.code for signature in made}
    return {
        "signatures": [
            {"party": names.get(s.party.code, s.party.code), "key": s.key, "time": s.signed_at} for s in made
        ],
        "awaiting": [names[code] for code in names if code not in signed],
    }


def render_html(
    data: dict[str, Any],
    language: str,
    report: PublishedReport | None = None,
    print_fonts: str = "",
    countersign: dict[str, str] | None = None,
    tools: dict[str, Any] | None = None,
) -> str:
    """The report as a standalone, printable HTML document in `language`.

    `countersign` ({action, csrf, sha256}) adds the form with which the reader, the other party's
    secretariat, countersigns it. `tools` (the draft page's, `preview.draft_page`, with the request's
    `csrf_token`) adds the secretariats' PDF preview link and publish button above the report; never in a
    PDF or a file.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    with translation.override(language):
        context = _context(data, language)
        context.update(
            language=language,
            report=report,
            sha256=report.sha256 if report else None,
            stylesheet=stylesheet(print_fonts),
            countersign=countersign,
            tools=tools,
            **_signatures(data, report, language),
        )
        return render_to_string("cycle/report.html", context)


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _draft_mark(language: str) -> str:
    """A page rule that prints "DRAFT" in the reader's language at the head of every page: a printed
    page of the live data, separated from the first, must not pass for the published report."""
    with translation.override(language):
        label = _("DRAFT: built from the live data, not published")
    return (
        f'@page {{ @top-center {{ content: {_css_string(label)}; font: bold 9pt "Report Sans", '
        '"Noto Sans CJK JP", sans-serif; color: #a11d1d; } }'
    )


def render_pdf(data: dict[str, Any], language: str, report: PublishedReport | None = None) -> bytes:
    """The report as PDF, from the same HTML, with the CJK font embedded (WeasyPrint); without a
    published `report` it is the live data, marked as a draft on every page."""
    import logging

    from weasyprint import HTML

    print_css = _print_fonts() + ("\n" + _draft_mark(language) if report is None else "")
    html = render_html(data, language, report, print_fonts=print_css)
    # WeasyPrint logs every CSS property it does not support as a warning; the report's CSS is ours.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    return HTML(string=html, base_url=str(Path(__file__).parent.parent)).write_pdf()


PDF_CACHE_SECONDS = 3600


def published_pdf(report: PublishedReport, language: str) -> bytes:
    """The PDF of a published report, kept in the cache for an hour: the report never changes, and a
    public page that rendered it on every request would let anyone keep the server busy for seconds."""
    # A countersignature changes what the PDF states, never the data.
    key = f"report-pdf:{report.uid}:{report.sha256}:{len(report.signatures.all())}:{language}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render_pdf(report.data, language, report)
        cache.set(key, pdf, PDF_CACHE_SECONDS)
    return pdf


def render_json(data: dict[str, Any]) -> str:
    """The report's data as JSON: sorted keys, UTF-8 (not escaped), indented for reading."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, indent=2) + "\n"


def diff_text(diff: dict[str, Any], language: str) -> str:
    """The difference between two published reports as plain text (for the command line)."""
    with translation.override(language):
        labels = charts.status_labels()

        def status(code: str) -> str:
            return labels.get(code, code)

        lines = [
            _("Changes from the %(from)s report to the %(to)s report")
            % {"from": diff["from"], "to": diff["to"]}
        ]
        lines += ["", _("Status changes (%(count)s)") % {"count": len(diff["status_changes"])}]
        lines += [
            f"  {item['paragraph']} {item['party']}: {status(item['from'])} → {status(item['to'])}"
            f"  {_pick(item, 'title', language)}"
            for item in diff["status_changes"]
        ]
        lines += ["", _("Newly delivered (%(count)s)") % {"count": len(diff["newly_delivered"])}]
        lines += [
            f"  {item['paragraph']} {item['party']}: {item['title']['text']}"
            for item in diff["newly_delivered"]
        ]
        lines += ["", _("Indicators moved (%(count)s)") % {"count": len(diff["indicators_moved"])}]
        lines += [
            f"  {item['paragraph']} {item['party']}: {item['title']['text']}: "
            f"{item['from'] or '–'} → {item['to'] or '–'} {item['unit']} ({_('target')} {item['target']})"
            for item in diff["indicators_moved"]
        ]
        lines += ["", _("Guidance opened (%(count)s)") % {"count": len(diff["guidance_opened"])}]
        lines += [f"  {item['meeting']['date']}: {item['text']['text']}" for item in diff["guidance_opened"]]
        lines += ["", _("Guidance closed (%(count)s)") % {"count": len(diff["guidance_closed"])}]
        lines += [f"  {item['meeting']['date']}: {item['text']['text']}" for item in diff["guidance_closed"]]
        lines += ["", _("Priorities of %(year)s") % {"year": diff["to"]}]
        lines += [
            f"  {charts.priority_label(item['result'])}: {item['rationale']['text']}"
            for item in diff["priorities"]["to"]
        ]
    return "\n".join(lines) + "\n"
