"""The pages under /<lang>/supply-chain/: the monitoring series and one series with its chart and its
vintages. Thin: each reads the request, calls queries.py and renders."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.inputs import load_json

from . import charts, explain, queries, services
from .models import Frequency

#: Dates per page of the vintage table, newest first (three years of a monthly series; the chart shows all).
TABLE_SIZE = 36


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
    """One series: its description, its chart with its signals, the signals explained, its detectors
    (a form for those who may publish it), its latest values with earlier vintages, its releases."""
    return _series_page(request, uid)


def _series_page(
    request: HttpRequest, uid: str, detectors_text: str | None = None, errors: dict[str, str] | None = None
) -> HttpResponse:
    try:
        data = queries.series_data(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    found = data.series
    signals = queries.series_signals(request.user, found.uid)
    settings = queries.detector_settings(request.user, found)
    explained = [(signal, explain.sentence(signal, found.frequency)) for signal in signals]
    # Every text in the SVG is escaped by charts.py.
    chart = mark_safe(  # noqa: S308
        charts.series_chart(
            found.title,
            found.unit,
            data.points,
            [
                charts.Marker(signal.date, signal.method, signal.direction, sentence)
                for signal, sentence in explained
            ],
        )
    )
    table = Paginator(data.points[::-1], TABLE_SIZE).get_page(request.GET.get("page"))
    if detectors_text is None:
        detectors_text = json.dumps(settings.detectors, indent=2, ensure_ascii=False)
    return render(
        request,
        "supply_chain/series.html",
        {
            "data": data,
            "series": found,
            "chart": chart,
            "table": table,
            "signals": [
                (
                    signal,
                    sentence,
                    explain.method_label(signal.method),
                    explain.period(signal.date, found.frequency),
                )
                for signal, sentence in explained
            ],
            "legend": charts.legend(sorted({signal.method for signal in signals})),
            "settings": settings,
            "detectors_text": detectors_text,
            "errors": errors or {},
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def series_detectors(request: HttpRequest, uid: str) -> HttpResponse:
    """The series page's form: the detectors as JSON, saved through the same service as the API's PUT."""
    text = request.POST.get("detectors", "")
    try:
        configs = load_json(text) if text.strip() else []
        services.set_detectors(request.user, uid, configs)
    except NotFound as error:
        raise Http404(str(error)) from error
    except PermissionDenied:
        raise
    except Invalid as error:
        return _series_page(request, uid, text, error.fields or {"detectors": error.message})
    messages.success(request, _("The detectors are saved; the signals are computed again."))
    return redirect("supply-chain-series", uid=uid)
