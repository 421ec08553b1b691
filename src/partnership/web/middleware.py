"""The reader's time zone, and the Content-Security-Policy header of every response."""

import zoneinfo

from django.utils import timezone
from django.utils.translation import get_language

from partnership import csp
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
