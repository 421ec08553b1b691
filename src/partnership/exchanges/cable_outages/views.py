"""The pages under /<lang>/cables/: the map (world or the Japan–EU view), the routes between two parties
with a "what if" cut, the list of cables, one cable, the imports. Thin: each reads the request, calls
queries.py (and svgmap.py to draw) and renders."""

from typing import Any
from urllib.parse import urlencode

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
from django.views.decorators.http import require_GET, require_POST

from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.people.permissions import actor_for, can_manage_outage_reporting, can_report_outage
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
        try:
            parsed = parse_datetime(value) if value else None
        except ValueError:  # a time that is none (hour 25, year 0): the service refuses it naming the field
            parsed = None
        if parsed is not None and parsed.tzinfo is None:
            data[key] = timezone.make_aware(parsed, zone).isoformat()
    data["rerouted"] = post.get("rerouted") == "on"
    return data


@login_required
@require_GET
def outages_page(request: HttpRequest) -> HttpResponse:
    """The outage reports the reader may read, a page at a time, overdue ones flagged; `?q=` (cable),
    `?party=`, `?state=open|repaired`, `?kind=reports|historical`, kept across the pages."""
    filters = queries.OutageFilters(
        search=request.GET.get("q", "")[:100],
        party=request.GET.get("party", "")[:8],
        state=request.GET.get("state", "")[:10],
        kind=request.GET.get("kind", "")[:12],
    ).cleaned()
    page = Paginator(queries.outage_list(request.user, filters), queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = urlencode(
        {
            key: value
            for key, value in (
                ("q", filters.search),
                ("party", filters.party),
                ("state", filters.state),
                ("kind", filters.kind),
            )
            if value
        }
    )
    return render(
        request,
        "cable_outages/outages.html",
        {
            "rows": queries.with_deadlines(page.object_list),
            "page": page,
            "filters": filters,
            "query": query,
            "parties": list(queries.parties()),
            "may_report": can_report_outage(actor_for(request.user)),
        },
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


# Reporting profiles and responsible filers (a secretariat's) ---------------------------------------------


def anchor_labels() -> list[tuple[str, str]]:
    """What a stage's deadline may count from, in the reader's language."""
    return [
        ("detection", _("detection")),
        ("plan", _("repair plan of work received")),
        ("repair", _("service restored")),
        *((value, _("filing of the %(stage)s") % {"stage": label}) for value, label in Stage.choices),
    ]


@login_required
@require_GET
def profiles_page(request: HttpRequest) -> HttpResponse:
    """The shipped FCC and NIS2 profiles and the reader's party's own, each stage with its deadline; for
    its secretariat, the link to edit the party's own."""
    found = queries.reporting_profiles(request.user)
    language = get_language() or "en"
    anchors = dict(anchor_labels())
    for profile in found:
        profile["title"] = profile["name"].get(language, profile["code"])
        profile["rows"] = [
            {
                **item,
                "label": Stage(item["stage"]).label,
                "after_label": anchors.get(item["after"], item["after"]),
            }
            for item in profile["stages"]
        ]
    return render(
        request,
        "cable_outages/profiles.html",
        {
            "profiles": found,
            "may_manage": can_manage_outage_reporting(actor_for(request.user)),
        },
    )


def _profile_stages_from(post: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """The stages the profile form gives (a stage with no hours is left out), and the stage each index of
    the list stands for (to name the form's field in an error)."""
    stages, order = [], []
    for value in Stage.values:
        hours = post.get(f"{value}_hours", "").strip()[:12]
        if not hours:
            continue
        try:
            number: Any = int(hours)
        except ValueError:
            number = hours  # refused by the service, naming the field
        stages.append({"stage": value, "hours": number, "after": post.get(f"{value}_after", "")[:20]})
        order.append(value)
    return stages, order


def _profile_errors(error: Invalid, order: list[str]) -> tuple[dict[str, str], str]:
    """The service's fields (`stages[1].hours`) as the form's (`interim_hours`), each with what is
    wrong, and the message in the form's words (the stage and the column, not the API's path)."""
    found: dict[str, str] = {}
    message = error.message
    _path, _sep, explained = error.message.partition(": ")
    columns = {"hours": _("Deadline (hours)"), "after": _("Counted from"), "stage": _("Stage")}
    for field in error.fields or {}:
        index, _sep, part = field.removeprefix("stages[").partition("].")
        if field.startswith("stages[") and index.isdigit() and int(index) < len(order) and part in columns:
            stage = order[int(index)]
            found[f"{stage}_{part}"] = explained or str(error.fields[field])
            message = f"{Stage(stage).label} · {columns[part]}: {explained}"
    return found, message


@login_required
def profile_edit_page(request: HttpRequest) -> HttpResponse:
    """A secretariat edits its party's own profile: each stage's hours and anchor (no hours: not in the
    profile), with the revision it read; an edit made in between is shown, nothing overwritten."""
    if not can_manage_outage_reporting(actor_for(request.user)):
        raise PermissionDenied(_("Only a party's secretariat sets the outage reporting rules."))
    current = queries.party_profile(request.user)
    errors: dict[str, str] = {}
    message = ""
    if request.method == "POST":
        stages, order = _profile_stages_from(request.POST)
        revision_text = request.POST.get("revision", "")[:12]
        try:
            revision = int(revision_text)
        except ValueError:
            revision = None  # refused below: the form always sends the revision it showed
        try:
            if revision is None:
                raise Invalid(
                    _("revision: the form lost the revision it was read at; open it again."),
                    {"revision": _("missing")},
                )
            services.set_party_profile(request.user, stages, revision)
        except Invalid as error:
            errors, message = _profile_errors(error, order)
        except Conflict as error:
            message = str(error)
        else:
            messages.success(request, _("Your party's reporting profile is saved."))
            return redirect("cables-profiles")
        values = {key: request.POST.get(key, "")[:20] for key in request.POST}
        if message and not errors:  # a conflict: show what is saved now, beside the refusal
            current = queries.party_profile(request.user)
    else:
        values = {}
        for item in (current or {}).get("stages", []):
            values[f"{item['stage']}_hours"] = str(item["hours"])
            values[f"{item['stage']}_after"] = item["after"]
    rows = [
        {
            "stage": value,
            "label": label,
            "hours": values.get(f"{value}_hours", ""),
            "after": values.get(f"{value}_after", "detection"),
            "error_hours": errors.get(f"{value}_hours", ""),
            "error_after": errors.get(f"{value}_after", "") or errors.get(f"{value}_stage", ""),
        }
        for value, label in Stage.choices
    ]
    return render(
        request,
        "cable_outages/profile_form.html",
        {
            "rows": rows,
            "anchors": anchor_labels(),
            "revision": current["revision"] if current else 0,
            "current": current,
            "errors": errors,
            "message": message,
        },
        status=200,
    )


@login_required
def filers_page(request: HttpRequest) -> HttpResponse:
    """The responsible filer of each cable's consortium and its co-owners (this node's designations and
    the peer's, read-only); for a secretariat, the form to designate one and a button to revoke its own."""
    errors: dict[str, str] = {}
    message = ""
    values: dict[str, Any] = {}
    if request.method == "POST":
        values = {
            "cable": request.POST.get("cable", "")[:200],
            "organisation": request.POST.get("organisation", "")[:64],
            "co_owners": [code[:64] for code in request.POST.getlist("co_owners")][:200],
        }
        try:
            services.designate_filer(
                request.user, values["cable"], values["organisation"], values["co_owners"]
            )
        except Invalid as error:
            errors, message = error.fields, error.message
        except Conflict as error:
            message = str(error)
        else:
            messages.success(request, _("The responsible filer is designated and the designation signed."))
            return redirect("cables-filers")
    actor = actor_for(request.user)
    may_manage = can_manage_outage_reporting(actor)
    found = queries.designations(request.user)
    return render(
        request,
        "cable_outages/filers.html",
        {
            "designations": [
                {
                    "designation": designation,
                    "may_revoke": may_manage
                    and actor is not None
                    and designation.party_id == actor.party.pk
                    and designation.signed_by is None,
                }
                for designation in found
            ],
            "may_manage": may_manage,
            "cables": queries.cable_choices(request.user) if may_manage else [],
            "operators": queries.operator_choices(request.user) if may_manage else {},
            "values": values,
            "errors": errors,
            "message": message,
        },
    )


@login_required
@require_POST
def revoke_filer_page(request: HttpRequest, slug: str) -> HttpResponse:
    """A secretariat revokes its party's designation of the cable's responsible filer."""
    try:
        services.revoke_filer(request.user, slug)
    except NotFound as error:
        raise Http404(str(error)) from error
    messages.success(request, _("The designation is revoked and the revocation signed."))
    return redirect("cables-filers")
