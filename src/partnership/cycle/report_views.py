"""Pages of the progress reports. Thin: every figure comes from `report`, which builds, freezes and
compares; these only choose the format and who may see what (published: everyone; live: members)."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnership import csp
from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied

from . import report


def _published_or_404(year: int):
    found = report.published(year)
    if found is None:
        raise Http404(_("The report of %(year)s is not published.") % {"year": year})
    return found


def _document(html: str) -> HttpResponse:
    """The report's standalone HTML, with the policy that lets its own <style> element apply."""
    return csp.allow(HttpResponse(html), style_src=[report.style_source()])


def report_list(request: HttpRequest) -> HttpResponse:
    """The published reports, newest first (public)."""
    return render(request, "cycle/report_list.html", {"reports": report.published_reports()})


def published_report(request: HttpRequest, year: int) -> HttpResponse:
    """A published report as a standalone HTML document in the page's language (public); the other
    party's secretariat finds on it the form that countersigns what it has just read."""
    found = _published_or_404(year)
    countersign = None
    party = report.countersigns_for(request.user, found)
    if party is not None:
        countersign = {
            "action": reverse("report_countersign", args=[year]),
            "csrf": get_token(request),
            "sha256": found.sha256,
            "party": party,
        }
    return _document(report.render_html(found.data, request.LANGUAGE_CODE, found, countersign=countersign))


@require_POST
def countersign(request: HttpRequest, year: int) -> HttpResponse:
    """Countersign the published report for the user's party (the other party's secretariat), with the
    SHA-256 of the document they read; then back to the report, which now lists the signature."""
    try:
        report.countersign_report(request.user, year, request.POST.get("sha256", ""))
    except NotFound as error:
        raise Http404(str(error)) from None
    except (Invalid, Conflict) as error:
        status = 400 if isinstance(error, Invalid) else 409
        return render(
            request, "cycle/report_countersign.html", {"error": str(error), "year": year}, status=status
        )
    return redirect("report", year=year)


def published_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """A published report as PDF in the page's language (public)."""
    found = _published_or_404(year)
    response = HttpResponse(
        report.published_pdf(found, request.LANGUAGE_CODE), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="report-{year}-{request.LANGUAGE_CODE}.pdf"'
    return response


def published_json(request: HttpRequest, year: int) -> HttpResponse:
    """A published report's frozen data as JSON with its `sha256` and the parties' `signatures` (public;
    the same document on both parties' nodes); its SHA-256 is also in a header."""
    found = _published_or_404(year)
    response = HttpResponse(
        report.render_json(report.report_document(found)), content_type="application/json; charset=utf-8"
    )
    response["X-Report-SHA256"] = found.sha256
    return response


def live_report(request: HttpRequest, year: int) -> HttpResponse:
    """The report of a cycle built from the live data, for the partnership's members only; secretariats
    find its PDF preview and the publish button above it."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return _draft_document(request, year)


def _draft_document(request: HttpRequest, year: int, error: str = "", status: int = 200) -> HttpResponse:
    try:
        page = report.draft_page(request.user, year)
    except NotFound as error_not_found:
        raise Http404(str(error_not_found)) from None
    tools = page["tools"] | {"csrf_token": get_token(request), "error": error}
    response = _document(report.render_html(page["data"], request.LANGUAGE_CODE, tools=tools))
    response.status_code = status
    return response


def draft_pdf(request: HttpRequest, year: int) -> HttpResponse:
    """The live report of a cycle as PDF, marked DRAFT on every page (secretariats)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        pdf = report.draft_pdf(request.user, year, request.LANGUAGE_CODE)
    except NotFound as error:
        raise Http404(str(error)) from None
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="report-{year}-{request.LANGUAGE_CODE}-draft.pdf"'
    # The live data changes: a proof read yesterday is not today's.
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def publish(request: HttpRequest, year: int) -> HttpResponse:
    """Publish the cycle's report from its draft page (secretariats): the service the command calls."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("live_report", args=[year]))
    try:
        report.publish_report(request.user, year)
    except NotFound as error:
        raise Http404(str(error)) from None
    except PermissionDenied as error:
        return _draft_document(request, year, str(error), status=403)
    except (Conflict, Invalid) as error:
        return _draft_document(request, year, str(error), status=409)
    messages.success(request, _("The report of %(year)s is published.") % {"year": year})
    return redirect("cycle", year=year)


def report_diff(request: HttpRequest) -> HttpResponse:
    """What changed between two published reports (?from=2025&to=2026; public)."""
    try:
        from_year, to_year = int(request.GET.get("from", "")), int(request.GET.get("to", ""))
    except ValueError:
        context = {"error": _("Give two cycles to compare, like ?from=2025&to=2026.")}
        return render(request, "cycle/report_diff.html", context, status=400)
    try:
        diff = report.diff_reports(from_year, to_year)
    except NotFound as error:
        raise Http404(str(error)) from None
    except Conflict as error:
        return render(request, "cycle/report_diff.html", {"error": str(error)}, status=400)
    return render(request, "cycle/report_diff.html", {"diff": diff})


def progress(request: HttpRequest) -> HttpResponse:
    """Public progress by area, from the latest published report."""
    return render(request, "cycle/progress.html", report.public_progress())
