"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from partnership.people.permissions import actor_for


def site(request: HttpRequest) -> dict:
    """The acting party and organisation, and the other language for the switcher."""
    actor = actor_for(getattr(request, "user", None))
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return {
        "actor": actor,
        "other_language": "ja" if language == "en" else "en",
        "node_party": settings.NODE_PARTY,
    }
