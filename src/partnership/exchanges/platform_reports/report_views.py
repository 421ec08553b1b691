"""The pages of issue 18, items 2-4, under /<lang>/platform-reports/: the common template's mapping, a
platform's DSA template (with its CSV and XLSX), Japan's yearly items, the trends. Public (statements
and the yearly items are public); thin: each calls template.py or trends.py and renders."""

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from partnership.errors import Invalid, NotFound

from . import template, trends


def _half_year(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last half-year closed before `today` (the Regulation's periods for very large platforms)."""
    if today.month > 6:
        return datetime.date(today.year, 1, 1), datetime.date(today.year, 6, 30)
    return datetime.date(today.year - 1, 7, 1), datetime.date(today.year - 1, 12, 31)


@require_GET
def mapping_page(request: HttpRequest) -> HttpResponse:
    """The common template: each field, its DSA and Japanese source, what is lost each way."""
    return render(request, "platform_reports/mapping.html", {"fields": template.mapping(request.user)})


@require_GET
def dsa_template_page(request: HttpRequest, code: str) -> HttpResponse:
    """A platform's DSA quantitative template for a period (?start=&end=, default the last half-year);
    ?format=csv or xlsx downloads it in the Regulation's layout."""
    default = _half_year(datetime.date.today())
    start = request.GET.get("start") or default[0].isoformat()
    end = request.GET.get("end") or default[1].isoformat()
    try:
        report = template.dsa_template(request.user, code, *template.period(start, end))
    except NotFound as error:
        raise Http404(str(error)) from error
    except Invalid as error:
        return render(request, "platform_reports/invalid.html", {"message": error.message}, status=400)
    kind = request.GET.get("format")
    if kind in ("csv", "xlsx"):
        data = template.dsa_as_csv(report) if kind == "csv" else template.dsa_as_xlsx(report)
        response = HttpResponse(
            data,
            content_type="text/csv; charset=utf-8"
            if kind == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{template.download_name(report, kind)}"'
        return response
    sheets = [
        {**sheet, "rows": [row for row in report["rows"] if row["sheet"] == sheet["code"]]}
        for sheet in report["sheets"]
    ]
    common = template.common(request.user, code, report["start"], report["end"])
    return render(
        request,
        "platform_reports/dsa_template.html",
        {
            "report": report,
            "sheets": sheets,
            "common": common,
            "start": report["start"].isoformat(),
            "end": report["end"].isoformat(),
        },
    )


@require_GET
def japan_page(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """A platform's yearly publication items under Japan's Act (Art 28)."""
    try:
        found = template.japan_items(request.user, code, year)
    except NotFound as error:
        raise Http404(str(error)) from error
    except Invalid as error:
        return render(request, "platform_reports/invalid.html", {"message": error.message}, status=400)
    return render(request, "platform_reports/japan.html", found)


@require_GET
def trends_page(request: HttpRequest) -> HttpResponse:
    """Series by dimension and frequency, with the signals found and an SVG chart."""
    try:
        first, last = trends.dates(request.GET.get("start"), request.GET.get("end"))
        found = trends.cached_series(
            request.user,
            request.GET.get("platform") or None,
            request.GET.get("dimension") or "total",
            request.GET.get("frequency") or "monthly",
            first,
            last,
        )
    except NotFound as error:
        raise Http404(str(error)) from error
    except Invalid as error:
        return render(request, "platform_reports/invalid.html", {"message": error.message}, status=400)
    svg = mark_safe(trends.chart(found))  # noqa: S308 - every text in it is escaped by trends.chart
    return render(
        request,
        "platform_reports/trends.html",
        {
            **found,
            "chart": svg,
            "dimensions": [(key, str(label)) for key, label in trends.DIMENSIONS.items()],
            "platforms": template.platform_codes(),
        },
    )
