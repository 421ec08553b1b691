"""Pages that belong to no single app: the landing redirect, health, login and error pages."""

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import RequestDataTooBig
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.translation import get_language_from_request

from partnership.ledger import selfcheck
from partnership.programme.queries import landing

logger = logging.getLogger(__name__)


def root(request: HttpRequest) -> HttpResponse:
    """Send the visitor to the language their browser asks for."""
    return redirect(f"/{get_language_from_request(request)}/")


def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise: for load balancers and `make demo` checks.

    The body also says what the node's self-check of its own log found (`ledger`: "ok", "failed" or
    "not checked"); a failed check makes `status` "degraded" but keeps 200: the node still serves, and
    taking a party's only node out of a load balancer would hide the evidence, not mend it.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        logger.warning("health check: database unreachable: %s", error)
        return JsonResponse({"status": "unavailable", "database": "unreachable"}, status=503)
    try:
        ledger = selfcheck.health()
    except DatabaseError:  # e.g. not migrated yet: the database itself answers
        ledger = {"ledger": "not checked"}
    status = "degraded" if ledger["ledger"] == "failed" else "ok"
    return JsonResponse({"status": status, "database": "ok", **ledger})


class LoginView(auth_views.LoginView):
    """Django's login, with our template; lockout after repeated failures is django-axes's."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Without a `next`, each member lands on their own page (`programme.queries.landing`: their
        dashboard, or the exchange that is their daily work, such as threat intelligence for an ISAC)."""
        if self.next_page:
            return super().get_default_redirect_url()
        return resolve_url(landing(self.request.user))


class PasswordResetView(auth_views.PasswordResetView):
    """Django's "forgot your password": the mail goes out in the reader's language, from our templates."""

    template_name = "web/password_reset_form.html"
    email_template_name = "web/password_reset_email.txt"
    subject_template_name = "web/password_reset_subject.txt"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's new-password page from the mailed link; a link that is not (or no longer) valid answers
    400 with the page saying so, as the invitation link does, rather than a 200 that looks like success."""

    template_name = "web/password_reset_confirm.html"

    def dispatch(self, *args, **kwargs):
        response = super().dispatch(*args, **kwargs)
        if getattr(response, "context_data", None) and not response.context_data.get("validlink", True):
            response.status_code = 400
        return response


def not_found(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "web/404.html", status=404)


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    return render(request, "web/403.html", {"reason": str(exception or "")}, status=403)


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    too_large = isinstance(exception, RequestDataTooBig)
    return render(
        request, "web/400.html", {"too_large": too_large, "limit": settings.MAX_UPLOAD_BYTES}, status=400
    )


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors: the error may come from the database they would query.
    from django.template import loader

    return HttpResponse(loader.get_template("web/500.html").render(), status=500)
