"""The pages under /<lang>/supply-chain/: the monitoring series and one series with its chart and its
vintages. Thin: each reads the request, calls queries.py and renders."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from partnership.errors import NotFound

from . import charts, queries
from .models import Frequency

#: Dates per page of the vintage table, newest first.
TABLE_SIZE = 120


@login_required
@require_GET
def series_list_page(request: HttpRequest) -> HttpResponse:
    """The series of both parties, a page at a time; `?party=JP` and `?frequency=monthly` narrow them."""
    filters = queries.Filters(
        party=request.GET.get("party", "")[:8], frequency=request.GET.get("frequency", "")[:10]
    )
    page = Paginator(queries.series_list(request.user, filters), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supply_chain/series_list.html",
        {"page": page, "filters": filters, "parties": ("JP", "EU"), "frequencies": Frequency.choices},
    )


@login_required
@require_GET
def series_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One series: its description, its chart, its latest values with earlier vintages, its releases."""
    try:
        data = queries.series_data(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    # Every text in the SVG is escaped by charts.py.
    chart = mark_safe(charts.series_chart(data.series.title, data.series.unit, data.points))  # noqa: S308
    table = Paginator(data.points[::-1], TABLE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supply_chain/series.html",
        {"data": data, "series": data.series, "chart": chart, "table": table},
    )
