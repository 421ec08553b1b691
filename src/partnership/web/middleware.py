"""Show times in the reader's time zone: their party's, else the one of the page's language."""

import zoneinfo

from django.utils import timezone
from django.utils.translation import get_language

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
