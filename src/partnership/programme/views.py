"""Pages of the programme. Thin: read through `queries`, write through `services`."""

import datetime
import tempfile
from collections.abc import Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnership.errors import Conflict, Invalid, NotFound, PreconditionFailed, PreconditionRequired

from . import queries, services, spreadsheets
from .forms import (
    CommentForm,
    DeliverableForm,
    IndicatorValueForm,
    TranslationForm,
    UpdateForm,
    search_filters,
    search_form,
)
from .models import current_period
from .panels import render_panels

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _post_data(request: HttpRequest) -> dict[str, str]:
    data = request.POST.dict()
    data.pop("csrfmiddlewaretoken", None)
    return data


def _show_errors(form: BaseForm, error: Invalid) -> None:
    """Put a service's verdict on the form the user sees, field by field."""
    form.is_valid()
    for field, message in error.fields.items():
        if field in form.fields and field in form.errors:
            continue
        if field in form.fields:
            form.add_error(field, message)
        else:
            # No input of its own to mark: the message must name the field (e.g. "party: unknown field").
            form.add_error(None, f"{field}: {message}")


def _action_or_404(paragraph: int):
    try:
        return services.get_action(paragraph)
    except NotFound as error:
        raise Http404(str(error)) from None


def home(request: HttpRequest) -> HttpResponse:
    """The programme at a glance: areas and their joint actions (public)."""
    return render(request, "programme/home.html", {"areas": queries.areas_with_actions()})


def dashboard(request: HttpRequest) -> HttpResponse:
    """Status by area and party, what changed since a date, overdue deliverables."""
    default_since = timezone.now().date() - datetime.timedelta(days=30)
    try:
        since = (
            datetime.date.fromisoformat(request.GET.get("since", ""))
            if request.GET.get("since")
            else default_since
        )
    except ValueError:
        messages.error(request, _("“since” must be a date like 2026-01-31; showing the last 30 days."))
        since = default_since
    context = queries.dashboard(request.user, since, all_changes=request.GET.get("changes") == "all")
    context["panels"] = render_panels(request)
    return render(request, "programme/dashboard.html", context)


def area_page(request: HttpRequest, code: str) -> HttpResponse:
    """A priority area: its text and its joint actions with each party's latest status."""
    data = queries.area_page(request.user, code)
    if data is None:
        raise Http404(_("There is no such area."))
    return render(request, "programme/area.html", data)


def action_page(request: HttpRequest, paragraph: int) -> HttpResponse:
    """A joint action: verbatim text, both parties' status side by side, history, deliverables, indicators."""
    data = queries.action_page(
        request.user,
        paragraph,
        all_history=request.GET.get("history") == "all",
        all_indicators=request.GET.get("indicators") == "all",
    )
    if data is None:
        raise Http404(_("There is no joint action at this paragraph."))
    data["comment_form"] = CommentForm(initial={"language": request.LANGUAGE_CODE})
    return render(request, "programme/action.html", data)


@login_required
@require_http_methods(["GET", "POST"])
def file_update(request: HttpRequest, paragraph: int) -> HttpResponse:
    """The one-page update form (para 21, 23: no extra burden)."""
    _action_or_404(paragraph)
    # Asked before the form is shown, so nobody fills in a form they may not send.
    action, actor = services.require_can_file(request.user, paragraph)
    initial = {"language": request.LANGUAGE_CODE, "period": current_period()}
    latest = queries.latest_update_of(action, actor.party)
    if latest is not None:
        initial.update(status=latest.status)
    form = UpdateForm(initial=initial)
    if request.method == "POST":
        form = UpdateForm(request.POST)
        try:
            services.file_update(request.user, paragraph, _post_data(request))
        except Invalid as error:
            _show_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your update is filed."))
            return redirect("action", paragraph=paragraph)
    return render(request, "programme/update_form.html", {"action": action, "form": form, "latest": latest})


@login_required
@require_http_methods(["POST"])
def add_comment(request: HttpRequest, paragraph: int) -> HttpResponse:
    """Comment on an action; with HTMX only the comment list is sent back."""
    _action_or_404(paragraph)
    try:
        services.add_comment(request.user, paragraph, _post_data(request))
    except Invalid as error:
        # The form's own words, without the internal field names the API uses.
        messages.error(request, " ".join(error.fields.values()) or error.message)
    else:
        messages.success(request, _("Your comment is posted."))
    return redirect("action", paragraph=paragraph)


@login_required
@require_http_methods(["GET", "POST"])
def deliverable_form(request: HttpRequest, paragraph: int, uid: str | None = None) -> HttpResponse:
    """Add a deliverable to an action, or change one (with the revision read, so no edit is lost)."""
    action = _action_or_404(paragraph)
    deliverable = None
    if uid is not None:
        try:
            deliverable = services.get_deliverable(request.user, uid)
        except NotFound as error:
            raise Http404(str(error)) from None
        if deliverable.action_id != action.pk:
            raise Http404(_("This deliverable belongs to another action."))
        # Asked before the form is shown: a peer's signed deliverable is read-only here.
        services.require_can_change(request.user, deliverable)
    form = DeliverableForm(instance=deliverable)
    if request.method == "POST":
        form = DeliverableForm(request.POST, instance=deliverable)
        data = _post_data(request)
        etag = data.pop("etag", None)
        try:
            if deliverable is None:
                services.create_deliverable(request.user, paragraph, data)
            else:
                services.change_deliverable(request.user, uid, data, etag)
        except Invalid as error:
            _show_errors(form, error)
        except (PreconditionFailed, PreconditionRequired) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The deliverable is saved."))
            return redirect("action", paragraph=paragraph)
    etag = services.etag(deliverable) if deliverable else ""
    return render(
        request,
        "programme/deliverable_form.html",
        {"action": action, "form": form, "deliverable": deliverable, "etag": etag},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_value_form(request: HttpRequest, paragraph: int, uid: str) -> HttpResponse:
    """Record an indicator's actual value for a period."""
    action = _action_or_404(paragraph)
    try:
        indicator = services.get_indicator(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    if indicator.action_id != action.pk:
        raise Http404(_("This indicator belongs to another action."))
    services.require_can_change(request.user, indicator)
    form = IndicatorValueForm()
    if request.method == "POST":
        form = IndicatorValueForm(request.POST)
        try:
            services.record_indicator_value(request.user, uid, _post_data(request))
        except Invalid as error:
            _show_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The value is recorded."))
            return redirect("action", paragraph=paragraph)
    return render(
        request, "programme/value_form.html", {"action": action, "indicator": indicator, "form": form}
    )


def search(request: HttpRequest) -> HttpResponse:
    """Search with filters across joint actions (everyone), progress updates and deliverables (members),
    and what other apps register (the cycle's outcomes and contributions); a wrong filter is named on
    the form and answered 400, never a 500."""
    form = search_form(request.GET, request.user)
    searched = any(value for key, value in request.GET.items() if key != "page")
    # `q` also fills the header's search box.
    context: dict = {"form": form, "searched": searched, "found": None, "q": request.GET.get("q", "")}
    if not form.is_valid():
        return render(request, "programme/search.html", context, status=400)
    if searched:
        found = queries.search(request.user, form.filters(), page=form.page_number)
        context["found"] = found
        query = request.GET.copy()
        query.pop("page", None)
        context["query"] = query.urlencode()
    return render(request, "programme/search.html", context)


def _download(filename: str, fmt: str, header: list[str], rows: Iterator[list]) -> HttpResponseBase:
    """A CSV (streamed) or XLSX file as an attachment."""
    if fmt == "csv":
        response: HttpResponseBase = StreamingHttpResponse(
            spreadsheets.csv_chunks(header, rows), content_type="text/csv; charset=utf-8"
        )
    else:
        buffer = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (the response closes it)
        spreadsheets.write_xlsx(buffer, header, rows)
        buffer.seek(0)
        response = FileResponse(buffer, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _format_or_404(fmt: str) -> str:
    if fmt not in ("csv", "xlsx"):
        raise Http404(_("Downloads are CSV or XLSX."))
    return fmt


def search_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    """What the search page lists, every page of it, as CSV or XLSX (the same filters and permission
    rule: `spreadsheets.export_search`); a wrong filter is a 400 naming it."""
    fmt = _format_or_404(fmt)
    try:
        filters, _page = search_filters(request.GET)
    except Invalid as error:
        return HttpResponse(error.message, status=400, content_type="text/plain; charset=utf-8")
    # The site's address once: asking the request for each row's link would check the host every time.
    site = request.build_absolute_uri("/").rstrip("/")
    header, rows = spreadsheets.export_search(request.user, filters, lambda path: site + path)
    return _download("search", fmt, header, rows)


def indicator_values_export(request: HttpRequest, paragraph: int, fmt: str) -> HttpResponseBase:
    """The values of an action's indicators as CSV or XLSX (members, as the action page shows them)."""
    fmt = _format_or_404(fmt)
    try:
        header, rows = spreadsheets.export_action_indicator_values(request.user, paragraph)
    except NotFound as error:
        raise Http404(str(error)) from None
    return _download(f"indicator-values-{paragraph}", fmt, header, rows)


def action_print(request: HttpRequest, paragraph: int) -> HttpResponse:
    """A joint action for printing: its text, leads and, for members, deliverables, indicators and every
    update, without the site's navigation and forms."""
    data = queries.action_page(request.user, paragraph, all_history=True, all_indicators=True)
    if data is None:
        raise Http404(_("There is no joint action at this paragraph."))
    # The action's own page, whole, in the print layout (web/site.css: .print-view and @media print).
    data["printing"] = {"back": reverse("action", args=[paragraph])}
    return render(request, "programme/action.html", data)


@login_required
@require_http_methods(["GET", "POST"])
def translate(request: HttpRequest, kind: str, uid: str) -> HttpResponse:
    """Add or replace the translation of an update, deliverable, outcome or contribution (issue 15)."""
    try:
        data = queries.translation_form(request.user, kind, uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    source, existing = data["source"], data["existing"]
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = ""
    initial = {"language": source.target_language}
    if existing is not None:
        initial.update(
            text=existing.text, description=existing.description, machine_assisted=not existing.human
        )
    form = TranslationForm(initial=initial, kind=data["kind"], source_fields=source.fields)
    if request.method == "POST":
        form = TranslationForm(request.POST, kind=data["kind"], source_fields=source.fields)
        posted = _post_data(request)
        posted.pop("next", None)
        posted["machine_assisted"] = "machine_assisted" in posted
        try:
            services.translate(request.user, kind, uid, posted)
        except Invalid as error:
            _show_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The translation is saved."))
            return redirect(next_url or source.url)
    data.update(form=form, next=next_url)
    return render(request, "programme/translation_form.html", data)
