"""Pages of the yearly cycle. Thin: read through `queries`, write through `services`.

Writes ask the service's permission check before a form is shown, so nobody fills in a form they may
not send, and a refused write answers 403 with the reason.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnership.errors import Conflict, Invalid, NotFound
from partnership.people import permissions

from . import queries, services
from .forms import (
    ContributionForm,
    CycleForm,
    FollowUpForm,
    MeetingForm,
    ModerationForm,
    OutcomeForm,
    PriorityForm,
    PriorityResultForm,
    WindowForm,
)
from .models import Outcome

# Two forms on the meeting page ask for a language: their own id prefixes keep the ids apart.
OUTCOME_IDS = "id_outcome_%s"
PRIORITY_IDS = "id_priority_%s"
# Room for a contribution's text and the multipart framing beside its attachment.
FORM_OVERHEAD = 128 * 1024


def _show_errors(form: BaseForm, error: Invalid, aliases: dict[str, str] | None = None) -> None:
    """Put a service's verdict on the form the user sees, on the field it names, in words.

    `aliases` maps a service's field to the form's field that holds it (the agenda's joint actions).
    """
    for service_field, short in error.fields.items():
        field = (aliases or {}).get(service_field, service_field)
        if field in form.fields:
            # The service's sentence starts with the field's name; the field's own label says that already.
            prefix = f"{service_field}: "
            words = error.message[len(prefix) :] if error.message.startswith(prefix) else short
            form.add_error(field, words)
        else:
            form.add_error(None, error.message)
            return
    if not error.fields:
        form.add_error(None, error.message)


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > settings.MAX_UPLOAD_BYTES + FORM_OVERHEAD


def _cycle_or_404(year: int):
    try:
        return services.get_cycle(year)
    except NotFound as error:
        raise Http404(str(error)) from None


def _meeting_or_404(uid):
    try:
        return services.get_meeting(uid)
    except NotFound as error:
        raise Http404(str(error)) from None


# --- cycles -----------------------------------------------------------------------------------------


def cycle_list(request: HttpRequest) -> HttpResponse:
    """Every cycle and where it stands (public)."""
    return render(
        request, "cycle/list.html", {"cycles": queries.cycles(), "current": services.current_cycle()}
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request: HttpRequest) -> HttpResponse:
    """Plan the cycle of a year (secretariats)."""
    services.require_secretariat(request.user)
    form = CycleForm()
    if request.method == "POST":
        form = CycleForm(request.POST)
        if form.is_valid():
            try:
                cycle = services.create_cycle(request.user, form.cleaned_data)
            except Invalid as error:
                _show_errors(form, error)
            except Conflict as error:
                form.add_error("year", str(error))
            else:
                messages.success(request, _("The cycle is planned."))
                return redirect("cycle", year=cycle.year)
    return render(request, "cycle/cycle_form.html", {"form": form})


def cycle_page(request: HttpRequest, year: int) -> HttpResponse:
    """Where a cycle stands, who has not reported, priorities, guidance to follow up, meetings, windows."""
    data = queries.cycle_page(request.user, year)
    if data is None:
        raise Http404(_("There is no cycle %(year)s.") % {"year": year})
    data["today"] = timezone.localdate()
    return render(request, "cycle/cycle.html", data)


def cycle_print(request: HttpRequest, year: int) -> HttpResponse:
    """The cycle page in the print layout (web/site.css: .print-view and @media print), without its forms."""
    data = queries.cycle_page(request.user, year)
    if data is None:
        raise Http404(_("There is no cycle %(year)s.") % {"year": year})
    data["today"] = timezone.localdate()
    data["printing"] = {"back": reverse("cycle", args=[year])}
    return render(request, "cycle/cycle.html", data)


@login_required
@require_http_methods(["POST"])
def advance_phase(request: HttpRequest, year: int) -> HttpResponse:
    """Move the cycle into its next phase (secretariats; para 23)."""
    _cycle_or_404(year)
    services.require_secretariat(request.user)
    try:
        cycle = services.advance_phase(request.user, year, request.POST.get("phase", ""))
    except (Invalid, Conflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The cycle is now at “%(phase)s”.") % {"phase": cycle.get_phase_display()}
        )
    return redirect("cycle", year=year)


@login_required
@require_http_methods(["POST"])
def late_updates(request: HttpRequest, year: int) -> HttpResponse:
    """Decide what becomes of the cycle's updates filed after its call closes (secretariats)."""
    _cycle_or_404(year)
    try:
        cycle = services.set_late_updates(request.user, year, request.POST.get("late_updates", ""))
    except Invalid as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("Updates filed after the call closes: %(policy)s.")
            % {"policy": cycle.get_late_updates_display()},
        )
    return redirect("cycle", year=year)


@login_required
@require_http_methods(["POST"])
def agree_calendar(request: HttpRequest, year: int) -> HttpResponse:
    """The other party's secretariat agrees to the proposed calendar it read (paras 21, 23)."""
    _cycle_or_404(year)
    try:
        services.agree_calendar(request.user, year, request.POST.get("proposal") or None)
    except (Invalid, Conflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The calendar of %(year)s is agreed.") % {"year": year})
    return redirect("cycle", year=year)


@login_required
@require_http_methods(["POST"])
def propose_calendar(request: HttpRequest, year: int) -> HttpResponse:
    """A secretariat proposes a change of the calendar; the other party agrees to it."""
    _cycle_or_404(year)
    services.require_secretariat(request.user)
    try:
        services.propose_calendar(request.user, year, request.POST)
    except (Invalid, Conflict) as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The new calendar is proposed; it awaits the other party's agreement."))
    return redirect("cycle", year=year)


@login_required
@require_http_methods(["POST"])
def confirm_outcome(request: HttpRequest, uid) -> HttpResponse:
    """The other party's secretariat confirms a decision or guidance item of a meeting."""
    try:
        outcome = services.confirm_outcome(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("meeting", uid=services.get_outcome_meeting(uid))
    messages.success(request, _("The outcome is confirmed: both parties agree to it."))
    return redirect("meeting", uid=outcome.meeting.uid)


@login_required
@require_http_methods(["POST"])
def confirm_priority(request: HttpRequest, uid) -> HttpResponse:
    """The other party's secretariat confirms a priority set at a Council meeting."""
    try:
        priority = services.confirm_priority(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("meeting", uid=services.get_priority_meeting(uid))
    messages.success(request, _("The priority is confirmed: both parties agree to it."))
    return redirect("meeting", uid=priority.set_at.uid)


@login_required
@require_http_methods(["POST"])
def priority_result(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """Say what became of a priority of the cycle."""
    _cycle_or_404(year)
    services.require_secretariat(request.user)
    form = PriorityResultForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose what became of the priority."))
        return redirect("cycle", year=year)
    try:
        services.record_priority_result(request.user, pk, form.cleaned_data)
    except NotFound as error:
        raise Http404(str(error)) from None
    except Invalid as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The priority's result is recorded."))
    return redirect("cycle", year=year)


# --- meetings ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request: HttpRequest, year: int) -> HttpResponse:
    """Record a meeting of a mechanism or of the Council, with its agenda."""
    cycle = _cycle_or_404(year)
    services.require_secretariat(request.user)
    form = MeetingForm(initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST":
        form = MeetingForm(request.POST)
        if form.is_valid():
            try:
                meeting = services.record_meeting(request.user, year, form.service_data())
            except Invalid as error:
                _show_errors(form, error, aliases={"actions": "agenda"})
            else:
                messages.success(request, _("The meeting is recorded."))
                return redirect("meeting", uid=meeting.uid)
    return render(request, "cycle/meeting_form.html", {"cycle": cycle, "form": form})


def _meeting_page(request: HttpRequest, uid, status: int = 200, **forms) -> HttpResponse:
    try:
        data = queries.meeting_page(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    meeting = data["meeting"]
    data["outcome_form"] = forms.get("outcome_form") or OutcomeForm(
        initial={"language": request.LANGUAGE_CODE, "kind": Outcome.Kind.GUIDANCE}, auto_id=OUTCOME_IDS
    )
    data["priority_form"] = forms.get("priority_form") or PriorityForm(
        initial={"language": request.LANGUAGE_CODE, "cycle": meeting.cycle.year + 1}, auto_id=PRIORITY_IDS
    )
    return render(request, "cycle/meeting.html", data, status=status)


@login_required
def meeting_page(request: HttpRequest, uid) -> HttpResponse:
    """A meeting: agenda, minutes, outcomes, and the forms to add to them."""
    return _meeting_page(request, uid)


@login_required
@require_http_methods(["POST"])
def outcome_new(request: HttpRequest, uid) -> HttpResponse:
    """Add a decision, guidance item or note to a meeting."""
    _meeting_or_404(uid)
    services.require_secretariat(request.user)
    form = OutcomeForm(request.POST, auto_id=OUTCOME_IDS)
    if form.is_valid():
        try:
            services.record_outcome(request.user, uid, form.service_data())
        except Invalid as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("The outcome is recorded."))
            return redirect("meeting", uid=uid)
    return _meeting_page(request, uid, outcome_form=form)


@login_required
@require_http_methods(["POST"])
def priority_new(request: HttpRequest, uid) -> HttpResponse:
    """Set a priority for a cycle at a Council meeting."""
    _meeting_or_404(uid)
    services.require_secretariat(request.user)
    form = PriorityForm(request.POST, auto_id=PRIORITY_IDS)
    if form.is_valid():
        try:
            services.set_priority(request.user, uid, form.service_data())
        except Invalid as error:
            _show_errors(form, error)
        except NotFound as error:
            form.add_error("cycle", str(error))
        else:
            messages.success(request, _("The priority is set."))
            return redirect("meeting", uid=uid)
    return _meeting_page(request, uid, priority_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up(request: HttpRequest, uid) -> HttpResponse:
    """Report where a decision or guidance item stands (its owner or a secretariat)."""
    try:
        outcome = queries.outcome_to_follow_up(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    form = FollowUpForm(initial={"follow_up": outcome.follow_up, "note": outcome.follow_up_note})
    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                services.follow_up(request.user, uid, form.cleaned_data)
            except Invalid as error:
                _show_errors(form, error)
            else:
                messages.success(request, _("The follow-up is recorded."))
                return redirect("meeting", uid=outcome.meeting.uid)
    return render(request, "cycle/follow_up.html", {"outcome": outcome, "form": form})


# --- consultation -----------------------------------------------------------------------------------


def consultation(request: HttpRequest, year: int) -> HttpResponse:
    """A cycle's consultation: windows, accepted contributions, and the moderation queue."""
    data = queries.consultation_page(request.user, year)
    if data is None:
        raise Http404(_("There is no cycle %(year)s.") % {"year": year})
    data["moderation_form"] = ModerationForm()
    return render(request, "cycle/consultation.html", data)


@login_required
@require_http_methods(["GET", "POST"])
def window_new(request: HttpRequest, year: int) -> HttpResponse:
    """Open a consultation window of a cycle (secretariats)."""
    cycle = _cycle_or_404(year)
    services.require_secretariat(request.user)
    form = WindowForm()
    if request.method == "POST":
        form = WindowForm(request.POST)
        if form.is_valid():
            try:
                services.open_window(request.user, year, form.cleaned_data)
            except Invalid as error:
                _show_errors(form, error)
            else:
                messages.success(request, _("The consultation window is set."))
                return redirect("consultation", year=year)
    return render(request, "cycle/window_form.html", {"cycle": cycle, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def contribute(request: HttpRequest, year: int, window: int) -> HttpResponse:
    """The contribution form of stakeholder bodies (para 22) and Member States (para 45)."""
    cycle = _cycle_or_404(year)
    found = next((w for w in queries.windows(cycle) if w.pk == window), None)
    if found is None:
        raise Http404(_("There is no such consultation window."))
    permissions.require_contributor(request.user)  # asked before the form is shown
    form = ContributionForm(initial={"language": request.LANGUAGE_CODE})
    if request.method == "POST" and _too_large(request):
        # Refused before the body is read: Django bounds form fields, not files (they spool to disk).
        context = {"cycle": cycle, "window": found, "form": form, "too_large": True}
        return render(request, "cycle/contribute.html", context, status=413)
    if request.method == "POST":
        form = ContributionForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.submit_contribution(
                    request.user, window, form.service_data(), form.cleaned_data["attachment"]
                )
            except Invalid as error:
                _show_errors(form, error)
            else:
                messages.success(
                    request, _("Your contribution is received; the secretariats will review it.")
                )
                return redirect("consultation", year=year)
    return render(request, "cycle/contribute.html", {"cycle": cycle, "window": found, "form": form})


@login_required
@require_http_methods(["POST"])
def moderate(request: HttpRequest, uid) -> HttpResponse:
    """Accept or reject a contribution (secretariats)."""
    try:
        year = queries.cycle_of_contribution(uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    services.require_secretariat(request.user)
    form = ModerationForm(request.POST)
    if form.is_valid():
        try:
            contribution = services.moderate(request.user, uid, form.cleaned_data)
        except Invalid as error:
            _show_errors(form, error)
        else:
            accepted = contribution.status == contribution.Status.ACCEPTED
            messages.success(
                request,
                _("The contribution is accepted and published.")
                if accepted
                else _("The contribution is rejected."),
            )
            return redirect("consultation", year=year)
    # Refused: the page again, this contribution's form keeping what was written, the verdict under
    # its field, with the field's label (never the service's field name).
    data = queries.consultation_page(request.user, year)
    if data is None:
        raise Http404(_("There is no cycle %(year)s.") % {"year": year})
    data["moderation_form"] = ModerationForm()
    data["refused"] = {"uid": str(uid), "form": form}
    return render(request, "cycle/consultation.html", data, status=400)


def attachment(request: HttpRequest, uid) -> HttpResponse:
    """A contribution's attachment: public once accepted, else for its organisation and the secretariats."""
    try:
        contribution = queries.attachment(request.user, uid)
    except NotFound as error:
        raise Http404(str(error)) from None
    name = contribution.attachment.name.rsplit("/", 1)[-1]
    # Always a download, never shown inline: the file is user input and must not run as our page.
    return FileResponse(
        contribution.attachment.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/octet-stream",
    )


@login_required
def translation_queue(request: HttpRequest, year: int) -> HttpResponse:
    """ "Needs translation for the report": the secretariats' list of the report's texts still to
    translate into the other language (issue 15), each linked to its translation form."""
    try:
        data = queries.translation_queue(request.user, year, everyone=request.GET.get("party") == "all")
    except NotFound as error:
        raise Http404(str(error)) from None
    return render(request, "cycle/translation_queue.html", data)
