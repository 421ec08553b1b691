"""Comparing two published reports: what changed from one cycle to the next."""

from typing import Any

from django.utils.translation import gettext as _

from partnership.errors import Conflict, NotFound

from ..models import PublishedReport
from .publish import published


def _published_or_not_found(year: int) -> PublishedReport:
    report = published(year)
    if report is None:
        raise NotFound(_("The report of %(year)s is not published.") % {"year": year})
    return report


def _latest_status(data: dict[str, Any]) -> dict[tuple[int, str], str]:
    return {
        (action["paragraph"], code): (current["status"] if current else "missing")
        for area in data["areas"]
        for action in area["actions"]
        for code, current in action["parties"].items()
    }


def diff_reports(from_year: int, to_year: int) -> dict[str, Any]:
    """What changed between two published reports: statuses, deliverables, indicators, guidance,
    priorities. Plain data, compared from the stored (frozen) reports only."""
    if from_year == to_year:
        raise Conflict(_("Compare two different cycles."))
    old = _published_or_not_found(from_year).data
    new = _published_or_not_found(to_year).data
    old_status, new_status = _latest_status(old), _latest_status(new)
    titles = {
        action["paragraph"]: {"title_en": action["title_en"], "title_ja": action["title_ja"]}
        for area in new["areas"]
        for action in area["actions"]
    }
    status_changes = [
        {
            "paragraph": paragraph,
            "party": party,
            "from": old_status.get((paragraph, party), "missing"),
            "to": to,
        }
        | titles.get(paragraph, {"title_en": "", "title_ja": ""})
        for (paragraph, party), to in sorted(new_status.items())
        if old_status.get((paragraph, party), "missing") != to
    ]
    delivered_before = {item["uid"] for item in old["deliverables"]["delivered"]}
    newly_delivered = [
        item for item in new["deliverables"]["delivered"] if item["uid"] not in delivered_before
    ]
    old_indicators = {item["uid"]: item for item in old["indicators"]}
    moved = []
    for item in new["indicators"]:
        before = old_indicators.get(item["uid"])
        before_value = before["latest"]["value"] if before and before["latest"] else None
        after_value = item["latest"]["value"] if item["latest"] else None
        if before_value != after_value:
            moved.append(
                {
                    "uid": item["uid"],
                    "paragraph": item["paragraph"],
                    "party": item["party"],
                    "title": item["title"],
                    "unit": item["unit"],
                    "from": before_value,
                    "to": after_value,
                    "target": item["target"]["value"],
                }
            )
    old_open = {item["uid"]: item for item in old["follow_up"]["open"]}
    new_open = {item["uid"]: item for item in new["follow_up"]["open"]}
    closed_now = {item["uid"]: item for item in new["follow_up"]["closed_in_cycle"]}
    return {
        "from": from_year,
        "to": to_year,
        "status_changes": status_changes,
        "newly_delivered": newly_delivered,
        "indicators_moved": moved,
        "guidance_opened": [item for uid, item in new_open.items() if uid not in old_open],
        # Closed during the later cycle, or open before and no longer followed up as open.
        "guidance_closed": list(closed_now.values())
        + [item for uid, item in old_open.items() if uid not in new_open and uid not in closed_now],
        "priorities": {"from": old["priorities"], "to": new["priorities"]},
    }
