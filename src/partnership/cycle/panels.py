"""The cycle's panel on the dashboard: where the cycle stands and who has not reported yet."""

from django.db.models import Count, Q
from django.http import HttpRequest

from partnership.people.models import Party
from partnership.people.permissions import can_read_progress
from partnership.programme.models import JointAction
from partnership.programme.panels import Panel

from . import queries, services


def cycle_status(request: HttpRequest) -> dict | None:
    """Context of the panel: the current cycle and, for members, how many actions each party has not
    reported on this cycle (three queries: the dashboard's whole budget is 15)."""
    cycle = services.current_cycle()
    if cycle is None:
        return None
    member = can_read_progress(request.user)
    missing: list[tuple[str, int]] = []
    if member:
        total = JointAction.objects.count()
        reported = Party.objects.annotate(
            reported=Count("updates__action", filter=Q(updates__period=cycle.year), distinct=True)
        )
        missing = [(party.code, total - party.reported) for party in reported if total - party.reported]
    return {"cycle": cycle, "member": member, "missing": missing}


PANEL = Panel(template="cycle/dashboard_panel.html", context=cycle_status, order=10)


def own_desk(request: HttpRequest) -> dict | None:
    """Context of the reader's own panel, first on the dashboard (`queries.desk`: the secretariat's
    moderation, agreements and reminders; a lead's reminders; a contributor's open consultations)."""
    return queries.desk(request.user)


DESK_PANEL = Panel(template="cycle/desk_panel.html", context=own_desk, order=5)
