"""The pages under /<lang>/threat-intel/: collections, a searchable object list, an object, activity.

Thin: each reads the request, calls `queries` (the same grants and TLP filter as TAXII) and renders.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from partnership.errors import Invalid, NotFound

from . import indicators, queries


def _entry(request: HttpRequest, root: str, collection_id: str) -> queries.CollectionEntry:
    try:
        return queries.collection_entry(queries.caller_for(request.user), root, collection_id)
    except NotFound as error:
        raise Http404(str(error)) from error


@login_required
@require_GET
def collections_page(request: HttpRequest) -> HttpResponse:
    """The collections the signed-in user may read."""
    entries = queries.collection_entries(queries.caller_for(request.user))
    return render(request, "threat_intel/collections.html", {"entries": entries})


@login_required
@require_GET
def objects_page(request: HttpRequest, root: str, collection_id: str) -> HttpResponse:
    """A collection's objects the user may see: search, filters by type and TLP, pages (HTMX swaps them)."""
    entry = _entry(request, root, collection_id)
    try:
        filters = queries.list_filters(request.GET)
        found = queries.object_list(
            queries.caller_for(request.user),
            entry,
            search=filters["q"],
            stix_type=filters["type"],
            tlp=filters["tlp"],
            after=request.GET.get("after", ""),
        )
    except Invalid as error:
        raise BadRequest(str(error)) from error
    context = {
        "entry": entry,
        "root": root,
        "found": found,
        "filters": filters,
        "tlp_choices": queries.tlp_choices(),
        "paged": bool(request.GET.get("after")),
    }
    if request.headers.get("HX-Request") == "true":
        return render(request, "threat_intel/object_rows.html", context)
    return render(request, "threat_intel/objects.html", context)


@login_required
@require_GET
def object_page(request: HttpRequest, root: str, collection_id: str, object_id: str) -> HttpResponse:
    """One object: its JSON, TLP and other markings, author, versions and relationships."""
    entry = _entry(request, root, collection_id)
    try:
        detail = queries.object_detail(queries.caller_for(request.user), entry, object_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "threat_intel/object.html", {"entry": entry, "root": root, "detail": detail})


@login_required
@require_GET
def activity_page(request: HttpRequest) -> HttpResponse:
    """What each organisation added and read (counts only: no object is named)."""
    return render(request, "threat_intel/activity.html", {"rows": indicators.activity()})
