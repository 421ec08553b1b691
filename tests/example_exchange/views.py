"""The pages under /<lang>/example-exchange/: the trend notes and one note. Thin: each reads the request,
calls queries.py and renders."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from partnership.errors import NotFound

from . import queries


@login_required
@require_GET
def notes_page(request: HttpRequest) -> HttpResponse:
    """The notes, newest change first, a page at a time; `?party=JP` narrows them."""
    filters = queries.Filters(party=request.GET.get("party", "")[:8])
    page = Paginator(queries.notes(request.user, filters), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "example_exchange/notes.html", {"page": page, "filters": filters})


@login_required
@require_GET
def note_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One note, with where its latest revision is in the ledger."""
    try:
        note = queries.note(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, "example_exchange/note.html", {"note": note})
