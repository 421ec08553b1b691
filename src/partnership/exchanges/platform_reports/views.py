"""The pages under /<lang>/platform-reports/: public, as statements of reasons are in the EU. Thin: each
reads the request, calls queries.py and renders."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from partnership.errors import NotFound

from . import queries, schema


@require_GET
def platforms_page(request: HttpRequest) -> HttpResponse:
    """The platforms filing statements here, with their totals."""
    return render(request, "platform_reports/platforms.html", {"platforms": queries.platforms(request.user)})


@require_GET
def platform_page(request: HttpRequest, code: str) -> HttpResponse:
    """A platform's statements, newest first, with its totals per category."""
    try:
        data = queries.platform_statements(request.user, code, request.GET.get("before") or None)
    except NotFound as error:
        raise Http404(str(error)) from error
    # The table names a category and a ground in words (the database's labels), the code in a tooltip.
    data["rows"] = [
        {
            **item,
            "category_label": schema.category_label(item.get("category", "")),
            "ground_label": schema.enum_label("DECISION_GROUNDS", item.get("decision_ground", "")),
        }
        for item in data["statements"]
    ]
    return render(request, "platform_reports/platform.html", data)


@require_GET
def statement_page(request: HttpRequest, uuid: str) -> HttpResponse:
    """One statement of reasons, every DSA field as filed."""
    try:
        found = queries.statement(request.user, uuid)
    except NotFound as error:
        raise Http404(str(error)) from error
    fields = [(name, value) for name, value in found.items() if name not in queries.OUR_FIELDS]
    return render(request, "platform_reports/statement.html", {"statement": found, "fields": fields})
