"""The reader's time zone, the Content-Security-Policy header of every response, and NUL refused in
addresses and query parameters."""

import zoneinfo

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from partnership import csp
from partnership.errors import Invalid
from partnership.inputs import check_query
from partnership.people.permissions import actor_for

LANGUAGE_ZONES = {"ja": "Asia/Tokyo", "en": "Europe/Brussels"}


class ReaderTimeZoneMiddleware:
    """Times are stored in UTC (DESIGN.md) and shown in JST, CET/CEST or the reader's party's zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        actor = actor_for(getattr(request, "user", None))
        zone = actor.party.time_zone if actor else LANGUAGE_ZONES.get((get_language() or "en")[:2], "UTC")
        timezone.activate(zoneinfo.ZoneInfo(zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


class ContentSecurityPolicyMiddleware:
    """Send the node's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY) on every response.

    Always, in development too, so that the browser tests see what the policy blocks. A response that
    already has the header was given a policy of its own by its view (`partnership.csp.allow`).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if csp.HEADER not in response:
            response[csp.HEADER] = csp.policy()
        return response


class RefuseNulMiddleware:
    """A NUL character in the address or a query parameter is a 400 (API: 422 naming the parameter).

    Forms and JSON bodies refuse NUL on their own (`partnership.inputs`); this is the same rule for what
    no form reads: `?q=`, list filters, path parameters. TAXII answers its own errors in its own media
    type and checks its parameters itself.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/taxii2/"):
            try:
                check_query(request.path, request.GET)
            except Invalid as error:
                if request.path.startswith("/api/"):
                    from partnership.api import error_response

                    return error_response(request, 422, "invalid", error.message, error.fields)
                return render(request, "web/400.html", {"message": error.message}, status=400)
        return self.get_response(request)
