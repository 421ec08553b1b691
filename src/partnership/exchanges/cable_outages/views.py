"""The pages under /<lang>/cables/: the map (world or the Japan–EU view), the routes between two parties
with a "what if" cut, the list of cables, one cable, the imports. Thin: each reads the request, calls
queries.py (and svgmap.py to draw) and renders."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.permissions import actor_for, can_report_outage
from partnership.people.tlp import Tlp

from . import corridors, queries, services, svgmap
from .models import Cause, Stage


@login_required
@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The map drawn as SVG over shipped coastlines; `?view=world` or the Japan–EU view (the default)."""
    view = request.GET.get("view", "japan-eu")
    if view not in svgmap.VIEWS:
        view = "japan-eu"
    latest = queries.latest_import(request.user)
    figures = queries.direct_cables(request.user) if latest is not None else None
    highlight = frozenset(figures["direct"]) if figures else frozenset()
    title = (
        _("Submarine cables between Japan and the EU")
        if view == "japan-eu"
        else _("Submarine cables of the world")
    )
    svg = svgmap.render_once(queries.map_layers(request.user), view, highlight, title)
    return render(
        request,
        "cable_outages/map.html",
        {
            # svgmap escapes every text it places; the rest is numbers it formats.
            "svg": mark_safe(svg),  # noqa: S308
            "view": view,
            "latest": latest,
            "figures": figures,
            "title": title,
        },
    )


@login_required
@require_GET
def routes_page(request: HttpRequest) -> HttpResponse:
    """The routes between two parties (`?from=JP&to=EU`), and what survives `?cut=a&cut=b&corridor=x`."""
    cut = tuple(slug[:200] for slug in request.GET.getlist("cut") if slug.strip())[: queries.MAX_CUT]
    chosen = tuple(name[:60] for name in request.GET.getlist("corridor") if name.strip())
    question = queries.RouteQuestion(
        request.GET.get("from", "JP")[:20], request.GET.get("to", "EU")[:20], cut, chosen
    )
    error = ""
    answer = None
    try:
        answer = (queries.cut_answer if cut or chosen else queries.route_answer)(request.user, question)
    except Invalid as refused:
        error = refused.message
    language = get_language() or "en"
    paths = answer["paths"][:30] if answer else []
    svg = ""
    if answer and answer.get("removed"):
        # The "what if" drawn: the cables cut in red over the Japan–EU view.
        title = _("The cables cut, in red")
        svg = mark_safe(  # noqa: S308 (svgmap escapes every text it places)
            svgmap.render_once(
                queries.map_layers(request.user), "japan-eu", frozenset(answer["removed"]), title
            )
        )
    return render(
        request,
        "cable_outages/routes.html",
        {
            "question": question,
            "answer": answer,
            "paths": paths,
            "error": error,
            "corridors": [(key, corridor.name(language)) for key, corridor in corridors.corridors().items()],
            "parties": list(queries.parties()),
            "svg": svg,
        },
    )


@login_required
@require_GET
def cables_page(request: HttpRequest) -> HttpResponse:
    """The cables, a page at a time; `?q=`, `?country=JP`, `?status=planned|retired|all`."""
    filters = queries.Filters(
        search=request.GET.get("q", "")[:100],
        country=request.GET.get("country", "")[:2],
        status=request.GET.get("status", "")[:10],
    )
    page = Paginator(queries.cables(request.user, filters), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "cable_outages/cables.html", {"page": page, "filters": filters})


@login_required
@require_GET
def cable_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One cable: its landings (with countries), owners, suppliers, and the corridors it crosses."""
    try:
        cable = queries.cable(request.user, slug)
    except NotFound as error:
        raise Http404(str(error)) from error
    language = get_language() or "en"
    shipped = corridors.corridors()
    crossed = [shipped[key].name(language) for key in cable.corridors if key in shipped]
    return render(request, "cable_outages/cable.html", {"cable": cable, "crossed": crossed})


@login_required
@require_GET
def imports_page(request: HttpRequest) -> HttpResponse:
    """The snapshots imported and what each changed (new, retired, re-routed cables)."""
    return render(request, "cable_outages/imports.html", {"imports": queries.imports(request.user)[:50]})


# Outage reports (issue 17 item 3) ---------------------------------------------------------------------

REPORT_TIMES = ("started_at", "detected_at", "plan_received_at", "expected_repair_at", "repaired_at")


def _form_data(post: Any) -> dict[str, Any]:
    """The form's fields as the service takes them: a datetime-local is in the reader's time zone."""
    data: dict[str, Any] = {key: post.get(key, "")[:4000] for key in post if key != "csrfmiddlewaretoken"}
    zone = timezone.get_current_timezone()
    for key in REPORT_TIMES:
        value = data.get(key, "")
        parsed = parse_datetime(value) if value else None
        if parsed is not None and parsed.tzinfo is None:
            data[key] = timezone.make_aware(parsed, zone).isoformat()
    data["rerouted"] = post.get("rerouted") == "on"
    return data


@login_required
@require_GET
def outages_page(request: HttpRequest) -> HttpResponse:
    """The outage reports the reader may read, overdue ones flagged."""
    rows = queries.outages(request.user)
    return render(
        request,
        "cable_outages/outages.html",
        {"rows": rows, "may_report": can_report_outage(actor_for(request.user))},
    )


@login_required
def report_page(request: HttpRequest) -> HttpResponse:
    """The form an operator reports an outage with; the same service as the API's POST."""
    if not can_report_outage(actor_for(request.user)):
        raise PermissionDenied(_("Only a cable operator's account reports outages."))
    errors: dict[str, str] = {}
    values: dict[str, Any] = {"tlp": "amber", "profile": "fcc", "cause": "unknown"}
    if request.method == "POST":
        values = _form_data(request.POST)
        try:
            outage = services.report_outage(request.user, values)
        except Invalid as error:
            errors = error.fields or {"report": error.message}
            values = {key: request.POST.get(key, "") for key in request.POST}
        else:
            messages.success(request, _("The outage is reported and its notification signed."))
            return redirect("cables-outage", uid=outage.uid)
    return render(
        request,
        "cable_outages/report.html",
        {
            "errors": errors,
            "values": values,
            "cables": queries.cable_choices(request.user),
            "causes": Cause.choices,
            "tlps": Tlp.choices,
            "profiles": [
                (p["code"], p["name"].get(get_language() or "en", p["code"]))
                for p in queries.reporting_profiles(request.user)
            ],
            "zone": timezone.get_current_timezone_name(),
        },
    )


@login_required
def outage_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One report: its stages and deadlines, its effect on the routes, and (for its operator) the form to
    file the next stage."""
    errors: dict[str, str] = {}
    if request.method == "POST":
        data = _form_data(request.POST)
        data.pop("rerouted")  # not on the stage's form
        try:
            services.file_stage(request.user, uid, str(data.pop("stage", "")), data)
        except NotFound as error:
            raise Http404(str(error)) from error
        except Invalid as error:
            errors = error.fields or {"stage": error.message}
        else:
            messages.success(request, _("The stage is filed and signed."))
            return redirect("cables-outage", uid=uid)
    try:
        found = queries.outage(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    outage = found["outage"]
    actor = actor_for(request.user)
    filed = {item.stage for item in outage.stages.all()}
    return render(
        request,
        "cable_outages/outage.html",
        {
            **found,
            "errors": errors,
            "may_file": actor is not None
            and can_report_outage(actor)
            and outage.organisation_id == actor.organisation.pk
            and not outage.is_historical,
            "next_stages": [(value, label) for value, label in Stage.choices if value not in filed],
            "zone": timezone.get_current_timezone_name(),
        },
    )


@login_required
@require_GET
def history_page(request: HttpRequest) -> HttpResponse:
    """The real outages reconstructed from public sources, 2006 onwards, each with its sources and the
    Japan–EU paths it took away on the map imported now."""
    return render(request, "cable_outages/history.html", {"events": queries.history(request.user)})
