"""The register pages under /<lang>/supply-chain/: investment plans and export-control measures (para 46;
issue 16, item 5), each list with its filters and each entry with its revision history. Thin: each reads
the request, calls `register_queries` (reads) or `registers` (the subscription), and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from partnership.errors import NotFound
from partnership.people.tlp import Tlp

from . import register_queries, registers
from .models import InvestmentStatus, MeasureKind, Register

PAGE_SIZE = 50
PARTIES = ("JP", "EU")


@login_required
@require_GET
def investments_page(request: HttpRequest) -> HttpResponse:
    """The investment plans the reader may read; `?party=`, `?status=`, `?country=`, `?tlp=` narrow them."""
    filters = register_queries.investment_filters(request.GET)
    page = Paginator(register_queries.investments(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supply_chain/investments.html",
        {
            "page": page,
            "filters": filters,
            "parties": PARTIES,
            "statuses": InvestmentStatus.choices,
            "levels": Tlp.choices,
            "subscribed": Register.INVESTMENTS in registers.subscriptions(request.user),
            "register": Register.INVESTMENTS,
        },
    )


@login_required
@require_GET
def export_controls_page(request: HttpRequest) -> HttpResponse:
    """The export-control measures the reader may read, with those taking effect in the next 30 days."""
    filters = register_queries.export_control_filters(request.GET)
    page = Paginator(register_queries.export_controls(request.user, filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "supply_chain/export_controls.html",
        {
            "page": page,
            "filters": filters,
            "upcoming": register_queries.upcoming(request.user),
            "days": registers.UPCOMING_DAYS,
            "parties": PARTIES,
            "kinds": MeasureKind.choices,
            "levels": Tlp.choices,
            "subscribed": Register.EXPORT_CONTROLS in registers.subscriptions(request.user),
            "register": Register.EXPORT_CONTROLS,
        },
    )


def _entry_page(request: HttpRequest, register: str, uid: str, template: str) -> HttpResponse:
    try:
        found = register_queries.entry(request.user, register, uid)
    except NotFound as error:
        raise Http404(str(error)) from error
    return render(request, template, {"page": found, "entry": found.entry})


@login_required
@require_GET
def investment_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One investment plan with its revision history."""
    return _entry_page(request, Register.INVESTMENTS, uid, "supply_chain/investment.html")


@login_required
@require_GET
def export_control_page(request: HttpRequest, uid: str) -> HttpResponse:
    """One export-control measure: its items, dates, whether it was notified in time, its revisions."""
    return _entry_page(request, Register.EXPORT_CONTROLS, uid, "supply_chain/export_control.html")


@login_required
@require_POST
def subscription(request: HttpRequest, register: str) -> HttpResponse:
    """Subscribe to (or unsubscribe from) mail about the other party's changes in a register."""
    if register not in Register.values:
        raise Http404(_("There is no such register."))
    on = registers.subscribe(request.user, register, request.POST.get("on") == "1")
    if on:
        messages.success(request, _("You will be mailed each change the other party makes in this register."))
    else:
        messages.success(request, _("You will no longer be mailed about this register."))
    return redirect(
        "supply-chain-investments" if register == Register.INVESTMENTS else "supply-chain-export-controls"
    )
