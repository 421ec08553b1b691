"""Outage reporting profiles (para 61: the design of a reporting system for submarine cable outages):
which stages a report goes through and each stage's deadline, in hours after an anchor. No database.

Anchors: `detection` (when the outage was detected), `plan` (when the repair plan of work was
received), `repair` (when service was restored), or a stage's name (when that stage was filed: NIS2's
final report is due a month after the incident notification). A deadline whose anchor has not happened
yet is not yet running: nothing is due.

The FCC and NIS2 profiles are shipped in `data/reporting-profiles.json` with their sources and whether
those are primary or secondary (REGULATORY-FACTS.md); a party's own profile is kept in `PartyProfile`.
"""

from __future__ import annotations

import datetime
import json
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from partnership.errors import Invalid

from .models import Stage

DATA = Path(__file__).with_name("data") / "reporting-profiles.json"
SHIPPED = ("fcc", "nis2")
PARTY = "party"
ANCHORS = ("detection", "plan", "repair", *Stage.values)
MAX_HOURS = 24 * 366


@cache
def shipped() -> dict[str, dict[str, Any]]:
    """The shipped profiles by code: {"name": {"en", "ja"}, "basis", "status", "stages"}."""
    found = json.loads(DATA.read_text(encoding="utf-8"))
    return {code: found[code] for code in SHIPPED}


def clean_stages(stages: Any) -> list[dict[str, Any]]:
    """A profile's stages, checked: each stage once, in the order notification, interim, final; whole
    hours from 1 to a year; an anchor that exists and, if a stage, comes before it."""
    if not isinstance(stages, list) or not stages:
        raise Invalid(_("stages: give at least one stage."), {"stages": _("empty")})
    cleaned: list[dict[str, Any]] = []
    seen: list[str] = []
    for index, item in enumerate(stages):
        where = f"stages[{index}]"
        if not isinstance(item, dict):
            raise Invalid(_("%(where)s: is not an object.") % {"where": where}, {where: "not an object"})
        stage, hours, after = item.get("stage"), item.get("hours"), item.get("after", "detection")
        if stage not in Stage.values or stage in seen:
            raise Invalid(
                _("%(where)s.stage: %(stage)s is not a stage, or is given twice.")
                % {"where": where, "stage": str(stage)[:30]},
                {f"{where}.stage": _("not a stage")},
            )
        if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= MAX_HOURS:
            raise Invalid(
                _("%(where)s.hours: give whole hours from 1 to %(max)s.")
                % {"where": where, "max": MAX_HOURS},
                {f"{where}.hours": _("not a number of hours")},
            )
        if after not in ANCHORS or after == stage or (after in Stage.values and after not in seen):
            raise Invalid(
                _("%(where)s.after: %(after)s is not detection, plan, repair or an earlier stage.")
                % {"where": where, "after": str(after)[:30]},
                {f"{where}.after": _("not an anchor")},
            )
        seen.append(stage)
        cleaned.append({"stage": stage, "hours": hours, "after": after})
    order = [stage for stage in Stage.values if stage in seen]
    if seen != order:
        raise Invalid(_("stages: give them in the order notification, interim, final."), {"stages": "order"})
    return cleaned


def deadlines(
    stages: list[dict[str, Any]],
    anchors: dict[str, datetime.datetime | None],
    filed: dict[str, datetime.datetime],
    now: datetime.datetime,
) -> list[dict[str, Any]]:
    """Each stage of `stages` with its deadline (None while its anchor has not happened), when it was
    filed, whether on time, and whether it is overdue now (due, past, not filed)."""
    found = []
    for item in stages:
        stage = item["stage"]
        anchor = filed.get(item["after"]) if item["after"] in Stage.values else anchors.get(item["after"])
        due = anchor + datetime.timedelta(hours=item["hours"]) if anchor is not None else None
        filed_at = filed.get(stage)
        found.append(
            {
                "stage": stage,
                "hours": item["hours"],
                "after": item["after"],
                "due": due,
                "filed_at": filed_at,
                "on_time": None if filed_at is None or due is None else filed_at <= due,
                "overdue": filed_at is None and due is not None and now > due,
            }
        )
    return found
