"""Template context shared by every page."""

from django.conf import settings
from django.http import HttpRequest

from partnership.demo import history_note
from partnership.people.permissions import actor_for, can_use_back_office
from partnership.programme.exchanges import registered

from . import alerts


def site(request: HttpRequest) -> dict:
    """The acting party and organisation, and the other language for the switcher."""
    actor = actor_for(getattr(request, "user", None))
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    # Once per request: the dashboard renders each panel with the context processors again.
    forked = getattr(request, "_partnership_forked_peers", None)
    if forked is None:
        forked = alerts.forked_peers() if actor is not None and actor.is_secretariat else []
        request._partnership_forked_peers = forked  # type: ignore[attr-defined]
    return {
        "actor": actor,
        "back_office": can_use_back_office(getattr(request, "user", None)),
        "forked_peers": forked,
        "other_language": "ja" if language == "en" else "en",
        "node_party": settings.NODE_PARTY,
        "demo_history": history_note(),
        "exchange_navigation": sorted(
            (exchange.navigation for exchange in registered() if exchange.navigation),
            key=lambda entry: (entry.order, entry.url_name),
        ),
    }
