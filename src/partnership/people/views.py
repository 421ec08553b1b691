"""Pages of the people app. Thin: read through `queries`, write through `services`; who may do what is
`permissions`', asked by both (a refusal is the site's 403 page with the reason)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partnership.errors import Invalid, NotFound

from . import queries, services
from .forms import AcceptInvitationForm, InvitationForm, MembershipForm, OwnLanguageForm


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
            form.add_error(None, f"{field}: {message}" if field not in ("token", "person") else message)


def _person_or_404(request: HttpRequest, person_id: int) -> queries.Person:
    try:
        return queries.person(request.user, person_id)
    except NotFound as error:
        raise Http404(str(error)) from None


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    """The secretariat's own party's people: organisation, role, status, last login."""
    return render(request, "people/list.html", {"people": queries.people(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    """Invite a person into one of the secretariat's own organisations; they get a one-time link by mail."""
    organisations = queries.own_organisations(request.user)
    form = InvitationForm(initial={"language": request.LANGUAGE_CODE}, organisations=organisations)
    if request.method == "POST":
        form = InvitationForm(request.POST, organisations=organisations)
        try:
            invitation = services.invite(request.user, _post_data(request), request.build_absolute_uri("/"))
        except Invalid as error:
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("%(email)s is invited; the link in their mail works once, for %(days)s days.")
                % {"email": invitation.person.email, "days": settings.INVITATION_DAYS},
            )
            return redirect("people")
    return render(request, "people/invite.html", {"form": form, "invitation_days": settings.INVITATION_DAYS})


@login_required
@require_http_methods(["GET", "POST"])
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    """One person: their membership (organisation, role, mail language) to change, and their account."""
    person = _person_or_404(request, person_id)
    organisations = queries.own_organisations(request.user)
    initial = {"organisation": person.organisation.code, "role": person.role, "language": person.language}
    form = MembershipForm(initial=initial, organisations=organisations)
    if request.method == "POST":
        form = MembershipForm(request.POST, organisations=organisations)
        try:
            services.change_membership(request.user, person_id, _post_data(request))
        except Invalid as error:
            _show_errors(form, error)
        except NotFound as error:
            raise Http404(str(error)) from None
        else:
            messages.success(request, _("The membership of %(name)s is changed.") % {"name": person.username})
            return redirect("person", person_id=person_id)
    return render(request, "people/person.html", {"person": person, "form": form})


@login_required
@require_http_methods(["POST"])
def set_active(request: HttpRequest, person_id: int) -> HttpResponse:
    """Deactivate or reactivate a person (`active` = "0" or "1")."""
    active = request.POST.get("active") == "1"
    try:
        person = services.set_active(request.user, person_id, active)
    except NotFound as error:
        raise Http404(str(error)) from None
    if active:
        messages.success(request, _("%(name)s can sign in again.") % {"name": person.username})
    else:
        messages.success(
            request,
            _("%(name)s is deactivated: they can no longer sign in, and their API tokens are revoked.")
            % {"name": person.username},
        )
    return redirect("person", person_id=person_id)


@login_required
@require_http_methods(["POST"])
def invite_again(request: HttpRequest, person_id: int) -> HttpResponse:
    """Send a new invitation link to a person who has not set a password; the old link stops working."""
    try:
        invitation = services.invite_again(request.user, person_id, request.build_absolute_uri("/"))
    except NotFound as error:
        raise Http404(str(error)) from None
    except Invalid as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("A new link is sent to %(email)s.") % {"email": invitation.person.email})
    return redirect("person", person_id=person_id)


@require_http_methods(["GET", "POST"])
def welcome(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link: the invitee sets a password, once, before the link expires."""
    form = AcceptInvitationForm()
    try:
        invited = services.invited_person(token)
    except Invalid as error:
        return render(request, "people/welcome.html", {"refusal": error.message}, status=400)
    if request.method == "POST":
        form = AcceptInvitationForm(request.POST)
        try:
            person = services.accept_invitation(token, _post_data(request))
        except Invalid as error:
            if "token" in error.fields:
                return render(request, "people/welcome.html", {"refusal": error.message}, status=400)
            _show_errors(form, error)
        else:
            messages.success(
                request,
                _("Your password is set. Sign in with your user name, %(name)s.") % {"name": person.username},
            )
            return redirect("login")
    return render(request, "people/welcome.html", {"form": form, "invited": invited})


@login_required
@require_http_methods(["GET", "POST"])
def own_account(request: HttpRequest) -> HttpResponse:
    """The member's own page: who they act for, and the language of the mail the node sends them."""
    account = queries.own_account(request.user)
    form = OwnLanguageForm(initial={"language": account["language"]})
    if request.method == "POST":
        form = OwnLanguageForm(request.POST)
        try:
            services.set_own_language(request.user, _post_data(request))
        except Invalid as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("Your mail language is saved."))
            return redirect("own_account")
    return render(request, "people/own_account.html", {**account, "form": form})


@login_required
@require_http_methods(["POST"])
def own_token(request: HttpRequest) -> HttpResponse:
    """A new API token of the member's own, shown on this answer only (never stored, never cached)."""
    try:
        token, raw = services.create_own_token(request.user, _post_data(request))
    except Invalid as error:
        messages.error(request, error.message)
        return redirect("own_account")
    account = queries.own_account(request.user)
    form = OwnLanguageForm(initial={"language": account["language"]})
    response = render(
        request, "people/own_account.html", {**account, "form": form, "new_token": raw, "new_token_of": token}
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["POST"])
def revoke_own_token(request: HttpRequest, token_id: str) -> HttpResponse:
    """The member revokes one of their own tokens."""
    try:
        token = services.revoke_own_token(request.user, token_id)
    except NotFound as error:
        raise Http404(str(error)) from error
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return redirect("own_account")
