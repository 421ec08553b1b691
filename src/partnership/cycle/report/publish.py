"""Publishing the report: freezing its data, and reading what was published."""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from partnership.errors import Conflict, NotFound, PermissionDenied
from partnership.people.permissions import can_read_progress, require_publish_report

from ..models import Cycle, PublishedReport
from ..services import PHASES
from .build import PUBLISHABLE_FROM, build_report, sha256_of


def published(year: int) -> PublishedReport | None:
    """The published report of cycle `year`, if any."""
    return PublishedReport.objects.select_related("cycle", "published_by").filter(cycle__year=year).first()


def published_reports() -> list[PublishedReport]:
    """Every published report, newest cycle first."""
    return list(PublishedReport.objects.select_related("cycle").order_by("-cycle__year"))


def report_data(year: int) -> tuple[dict[str, Any], PublishedReport | None]:
    """The published data of cycle `year` when it is published, else the live data, and the report."""
    report = published(year)
    if report is not None:
        return report.data, report
    return build_report(year), None


def publish_report(user, year: int) -> PublishedReport:
    """Freeze the report of cycle `year`: store its data and the SHA-256 of its canonical JSON.

    Only a secretariat publishes, from the stock-take on, and only once: a published report is the
    record the Council relies on and never changes (para 44).
    """
    actor = require_publish_report(user)
    with transaction.atomic():
        # Locked: two secretariats publishing at once store one report; the second gets a Conflict.
        cycle = Cycle.objects.select_for_update().filter(year=year).first()
        if cycle is None:
            raise NotFound(_("There is no cycle %(year)s.") % {"year": year})
        if PHASES.index(cycle.phase) < PHASES.index(PUBLISHABLE_FROM):
            raise Conflict(
                _(
                    "The report of %(year)s can be published from the stock-take on; "
                    "the cycle is at “%(phase)s”."
                )
                % {"year": year, "phase": cycle.get_phase_display()}
            )
        if PublishedReport.objects.filter(cycle=cycle).exists():
            raise Conflict(_("The report of %(year)s is already published.") % {"year": year})
        data = build_report(year)
        try:
            with transaction.atomic():
                return PublishedReport.objects.create(
                    cycle=cycle, data=data, sha256=sha256_of(data), published_by=actor.user
                )
        except IntegrityError:
            raise Conflict(_("The report of %(year)s is already published.") % {"year": year}) from None


def require_live_report_reader(user) -> None:
    """The live (unpublished) report is for the partnership's members only."""
    if not can_read_progress(user):
        raise PermissionDenied(_("The report is for the partnership's members until it is published."))


def public_progress() -> dict[str, Any]:
    """The public progress page's data: the latest published report's areas, actions and statuses."""
    latest = PublishedReport.objects.select_related("cycle").order_by("-cycle__year").first()
    if latest is None:
        return {"report": None}
    data = latest.data
    counts = {row["area"]: row["counts"] for row in data["summary"]["by_area"]}
    return {
        "report": latest,
        "year": data["cycle"]["year"],
        "parties": data["parties"],
        "statuses": data["statuses"],
        "areas": [
            area
            | {
                "counts": [(party, counts[area["code"]][party["code"]]) for party in data["parties"]],
                "rows": [
                    (action, [action["parties"].get(party["code"]) for party in data["parties"]])
                    for action in area["actions"]
                ],
            }
            for area in data["areas"]
        ],
    }
