"""Read paths: the programme and its progress as plain data, built once for pages, API and exports.

Each function runs a fixed number of queries whatever the size of the history (the dashboard and
the action page are held to at most 15 by a test).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from partnership.people.models import Party
from partnership.people.permissions import actor_for, can_comment, can_edit_progress

from .models import (
    Area,
    Comment,
    Deliverable,
    Indicator,
    IndicatorValue,
    JointAction,
    ProgressUpdate,
    current_period,
)

OPEN_DELIVERABLE = [Deliverable.Status.PLANNED, Deliverable.Status.IN_PROGRESS]


def parties() -> list[Party]:
    """All parties, in code order."""
    return list(Party.objects.all())


def areas() -> list[Area]:
    """Priority areas in the order of Section 4."""
    return list(Area.objects.all())


def actions() -> QuerySet[JointAction]:
    """Joint actions with their area, related actions and leads loaded (3 queries)."""
    return (
        JointAction.objects.select_related("area")
        .prefetch_related(
            Prefetch("related", queryset=JointAction.objects.only("id", "paragraph", "title_en", "title_ja")),
            Prefetch("leads", queryset=_organisations()),
        )
        .order_by("paragraph")
    )


def _organisations():
    from partnership.people.models import Organisation

    return Organisation.objects.select_related("party")


def latest_updates(action_ids: list[int] | None = None) -> QuerySet[ProgressUpdate]:
    """Each party's latest update per action: newest period, then newest version."""
    ranked = ProgressUpdate.objects.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("action_id"), F("party_id")],
            order_by=[F("period").desc(), F("version").desc()],
        )
    )
    if action_ids is not None:
        ranked = ranked.filter(action_id__in=action_ids)
    return ranked.filter(rank=1).select_related("party", "organisation")


def overdue_deliverables(today: datetime.date | None = None) -> QuerySet[Deliverable]:
    """Deliverables still open after their due date (or after their due cycle has ended)."""
    today = today or timezone.now().date()
    return (
        Deliverable.objects.filter(status__in=OPEN_DELIVERABLE)
        .filter(Q(due_date__lt=today) | Q(due_date__isnull=True, due_period__lt=today.year))
        .select_related("action", "party", "organisation")
        .order_by("due_date", "due_period", "pk")
    )


@dataclass
class StatusCell:
    """How the actions of one area stand for one party."""

    counts: dict[str, int]
    missing: int
    total: int


def dashboard(user, since: datetime.date) -> dict[str, Any]:
    """The dashboard: status by area and party, what changed since `since`, overdue deliverables."""
    all_parties = parties()
    all_areas = list(
        Area.objects.prefetch_related(Prefetch("actions", queryset=JointAction.objects.only("id", "area_id")))
    )
    data: dict[str, Any] = {
        "parties": all_parties,
        "areas": all_areas,
        "since": since,
        "period": current_period(),
    }
    if actor_for(user) is None:
        return data
    latest = {
        (u.action_id, u.party_id): u.status for u in latest_updates().only("action_id", "party_id", "status")
    }
    matrix = []
    for area in all_areas:
        cells = []
        for party in all_parties:
            counts: dict[str, int] = defaultdict(int)
            for action in area.actions.all():
                status = latest.get((action.pk, party.pk))
                counts[status or "missing"] += 1
            total = len(area.actions.all())
            cells.append(StatusCell(counts=dict(counts), missing=counts.get("missing", 0), total=total))
        matrix.append((area, cells))
    since_start = datetime.datetime.combine(since, datetime.time.min, tzinfo=datetime.UTC)
    data.update(
        matrix=matrix,
        recent_updates=list(
            ProgressUpdate.objects.filter(created_at__gte=since_start)
            .select_related("action", "party", "organisation")
            .order_by("-created_at")[:25]
        ),
        recent_deliverables=list(
            Deliverable.objects.filter(updated_at__gte=since_start)
            .select_related("action", "party", "organisation")
            .order_by("-updated_at")[:25]
        ),
        overdue=list(overdue_deliverables()[:50]),
        overdue_count=overdue_deliverables().count(),
        statuses=ProgressUpdate.Status.choices,
    )
    return data


def chart_points(
    values: list[IndicatorValue], indicator: Indicator, width: int = 320, height: int = 80
) -> dict:
    """SVG coordinates for a small line chart of an indicator against its baseline and target."""
    numbers = [float(v.value) for v in values] + [
        float(indicator.baseline_value),
        float(indicator.target_value),
    ]
    low, high = min(numbers), max(numbers)
    span = (high - low) or 1.0
    pad = 4

    def y(value: Decimal | float) -> float:
        return round(height - pad - (float(value) - low) / span * (height - 2 * pad), 1)

    count = max(len(values) - 1, 1)
    points = " ".join(
        f"{round(pad + i / count * (width - 2 * pad), 1)},{y(v.value)}" for i, v in enumerate(values)
    )
    return {
        "width": width,
        "height": height,
        "points": points,
        "baseline_y": y(indicator.baseline_value),
        "target_y": y(indicator.target_value),
    }


def action_page(user, paragraph: int) -> dict[str, Any] | None:
    """Everything the joint-action page shows, or None when there is no such action."""
    action = actions().filter(paragraph=paragraph).first()
    if action is None:
        return None
    actor = actor_for(user)
    all_parties = parties()
    data: dict[str, Any] = {"action": action, "parties": all_parties, "actor": actor}
    if actor is None:
        return data
    lead_ids = {lead.pk for lead in action.leads.all()}
    latest = {u.party_id: u for u in latest_updates([action.pk])}
    side_by_side = [(party, latest.get(party.pk)) for party in all_parties]
    statuses = {u.status for u in latest.values()}
    history = list(
        ProgressUpdate.objects.filter(action=action)
        .select_related("party", "organisation", "author")
        .order_by("-period", "party__code", "-version")
    )
    indicators = list(Indicator.objects.filter(action=action).select_related("party", "organisation"))
    values_by_indicator: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(indicator__action=action).order_by(
        "indicator_id", "period_start"
    ):
        values_by_indicator[value.indicator_id].append(value)
    for indicator in indicators:
        values = values_by_indicator.get(indicator.pk, [])
        indicator.latest_value = values[-1] if values else None
        indicator.value_count = len(values)
        indicator.recent_values = values[-6:]
        indicator.chart = chart_points(values, indicator) if values else None
    data.update(
        side_by_side=side_by_side,
        disagreement=len(latest) > 1 and len(statuses) > 1,
        history=history,
        deliverables=list(
            Deliverable.objects.filter(action=action)
            .select_related("party", "organisation")
            .order_by("party__code", "due_date")
        ),
        indicators=indicators,
        comments=list(Comment.objects.filter(action=action).select_related("organisation", "author")[:50]),
        can_edit=can_edit_progress(actor, actor.party.pk, lead_ids),
        can_comment=can_comment(actor),
        today=timezone.now().date(),
    )
    return data


def search(user, text: str, limit: int = 30) -> dict[str, list]:
    """Actions, updates and deliverables whose text contains `text` (case-insensitive)."""
    text = text.strip()
    if not text:
        return {"actions": [], "updates": [], "deliverables": []}
    found = {
        "actions": list(
            JointAction.objects.filter(
                Q(title_en__icontains=text)
                | Q(title_ja__icontains=text)
                | Q(text_en__icontains=text)
                | Q(heading_en__icontains=text)
                | Q(heading_ja__icontains=text)
            ).select_related("area")[:limit]
        ),
        "updates": [],
        "deliverables": [],
    }
    if actor_for(user) is not None:
        found["updates"] = list(
            ProgressUpdate.objects.filter(narrative__icontains=text)
            .select_related("action", "party")
            .order_by("-created_at")[:limit]
        )
        found["deliverables"] = list(
            Deliverable.objects.filter(
                Q(title__icontains=text) | Q(description__icontains=text)
            ).select_related("action", "party")[:limit]
        )
    return found
