"""The pages of supply-chain events and alerts under /<lang>/supply-chain/events/ and /alerts/ (issue 16,
items 3, 4 and 7). Thin: each reads the request, calls `alert_queries` or `alerts` and renders; a refused
form is shown again with its errors (422) and nothing stored."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from partnership.errors import Invalid, NotFound
from partnership.people.tlp import Tlp

from . import alert_queries, alerts, explain
from .alert_models import ContentLanguage, EventKind, Severity, Stage, StepKind

STEPS = {
    "acknowledge": StepKind.ACKNOWLEDGEMENT,
    "assess": StepKind.ASSESSMENT,
    "owner": StepKind.OWNER,
    "actions": StepKind.ACTION,
    "done": StepKind.ACTION_DONE,
    "close": StepKind.CLOSING,
}
LIST_FIELDS = ("products", "firms")


def _form(request: HttpRequest) -> dict[str, Any]:
    data: dict[str, Any] = {
        key: request.POST.get(key, "") for key in request.POST if key != "csrfmiddlewaretoken"
    }
    data["recipients"] = request.POST.getlist("recipients")
    return data


def _choices() -> dict[str, Any]:
    return {
        "kinds": EventKind.choices,
        "severities": Severity.choices,
        "stages": Stage.choices,
        "levels": Tlp.choices,
        "languages": ContentLanguage.choices,
    }


@login_required
@require_http_methods(["GET", "POST"])
def events_page(request: HttpRequest) -> HttpResponse:
    """The events both parties reported that the reader may read; the form to report one (POST)."""
    errors: dict[str, str] = {}
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = _form(request)
        try:
            event = alerts.report_event(request.user, form)
        except Invalid as error:
            errors = error.fields or {"form": error.message}
        else:
            messages.success(request, _("The event is reported and sealed to the other party's node."))
            return redirect("supply-chain-event", uid=event.uid)
    filters = alert_queries.EventFilters(
        party=request.GET.get("party", "")[:8], kind=request.GET.get("kind", "")[:20]
    )
    page = Paginator(alert_queries.events(request.user, filters), alert_queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supply_chain/events.html",
        {
            "page": page,
            "filters": filters,
            "parties": ("JP", "EU"),
            "may_write": alert_queries.may_write(request.user),
            "organisations": alert_queries.organisations(),
            "form": form,
            "errors": errors,
            **_choices(),
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One event with the other party's additions; the form to acknowledge it and add (POST)."""
    errors: dict[str, str] = {}
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = _form(request)
        try:
            alerts.add_to_event(request.user, uid, form)
        except NotFound as error:
            raise Http404(str(error)) from error
        except Invalid as error:
            errors = error.fields or {"form": error.message}
        else:
            messages.success(
                request, _("Your acknowledgement is recorded and sent to the other party's node.")
            )
            return redirect("supply-chain-event", uid=uid)
    try:
        event = alert_queries.event(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    party = alert_queries.reader_party(request.user)
    return render(
        request,
        "supply_chain/event.html",
        {
            "event": event,
            "additions": list(event.additions.all()),
            "recipients": list(event.recipients.all()),
            "country": alerts.country_name(event.country, request.LANGUAGE_CODE[:2]),
            "may_add": alert_queries.may_write(request.user) and party != event.party.code,
            "may_propose": alert_queries.may_write(request.user),
            "form": form,
            "errors": errors,
            **_choices(),
        },
        status=422 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def alerts_page(request: HttpRequest) -> HttpResponse:
    """The alerts the reader may read with their stage, open or closed; the form to propose one (POST)
    and the subscription to mail about them."""
    errors: dict[str, str] = {}
    form: dict[str, Any] = {"event": request.GET.get("event", "")[:40]}
    if request.method == "POST":
        form = _form(request)
        try:
            alert = alerts.propose_alert(request.user, form)
        except NotFound as error:
            errors = {"event": str(error)}
        except Invalid as error:
            errors = error.fields or {"form": error.message}
        else:
            messages.success(request, _("The alert is proposed; the other party is asked to acknowledge it."))
            return redirect("supply-chain-alert", uid=alert.uid)
    filters = alert_queries.AlertFilters(
        state=request.GET.get("state", "")[:8], stage=request.GET.get("stage", "")[:12]
    )
    page = Paginator(alert_queries.alerts(request.user, filters), alert_queries.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    may_write = alert_queries.may_write(request.user)
    return render(
        request,
        "supply_chain/alerts.html",
        {
            "page": page,
            "filters": filters,
            "may_write": may_write,
            "subscribed": alert_queries.subscribed(request.user),
            "organisations": alert_queries.organisations() if may_write else [],
            "signals": [
                (signal, explain.sentence(signal, signal.series.frequency))
                for signal in (alert_queries.signal_choices(request.user) if may_write else [])
            ],
            "events": list(alert_queries.events(request.user)[:30]) if may_write else [],
            "form": form,
            "errors": errors,
            **_choices(),
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def alerts_subscription(request: HttpRequest) -> HttpResponse:
    """Opt in to (or out of) mail about alerts."""
    on = alerts.subscribe(request.user, request.POST.get("subscribe") == "1")
    messages.success(
        request,
        _("You will be told of alerts by mail, in your language.")
        if on
        else _("You will no longer be told of alerts by mail."),
    )
    return redirect("supply-chain-alerts")


@login_required
@require_GET
def alert_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One alert: its stage and each party's assessment, acknowledgements, owners, preventive actions
    (overdue flagged), its timeline, and the forms of the steps the reader's party may take."""
    return _alert_page(request, uid)


def _alert_page(
    request: HttpRequest,
    uid: str,
    step: str = "",
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> HttpResponse:
    try:
        detail = alert_queries.alert_detail(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    party = alert_queries.reader_party(request.user)
    may_write = alert_queries.may_write(request.user) and detail.alert.is_open
    today = timezone.now().date()
    return render(
        request,
        "supply_chain/alert.html",
        {
            "detail": detail,
            "alert": detail.alert,
            "party": party,
            "may_write": may_write,
            "may_acknowledge": may_write and not detail.acknowledged_by(party),
            "own_organisations": [o for o in alert_queries.organisations() if o.party.code == party]
            if may_write
            else [],
            "actions": [(action, alert_queries.is_overdue(action, today)) for action in detail.actions],
            "step": step,
            "form": form or {},
            "errors": errors or {},
            **_choices(),
        },
        status=422 if errors else 200,
    )


@login_required
@require_POST
def alert_step(request: HttpRequest, uid: str, step: str) -> HttpResponse:
    """A form of the alert page: acknowledge, assess, owner, actions, done, close."""
    kind = STEPS.get(step)
    if kind is None:
        raise Http404(_("There is no such step."))
    form = _form(request)
    try:
        alerts.act_on_alert(request.user, uid, kind, form)
    except NotFound as error:
        raise Http404(str(error)) from error
    except Invalid as error:
        return _alert_page(request, uid, step, form, error.fields or {"form": error.message})
    messages.success(request, _("Recorded, signed, and sent to the other party's node."))
    return redirect("supply-chain-alert", uid=uid)
