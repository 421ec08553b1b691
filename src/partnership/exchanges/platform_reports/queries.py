"""Every read of platform reports: a fixed number of queries, totals from the rollups, never a count of
the statements table (on a real node it holds billions of rows).

Statements are public data (`people.permissions.can_read_statements`), as in the EU's database.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Sum
from django.urls import reverse
from django.utils.translation import gettext as _

from partnership.errors import NotFound
from partnership.people.models import Organisation
from partnership.people.permissions import require_file_statements

from . import schema, storage
from .models import DailyCount, DailyTally, MonthlyRollup, Statement, StatementPuid

PAGE_SIZE = 50
#: The members of a statement's answer that are ours, not DSA fields.
OUR_FIELDS = frozenset({"uuid", "platform", "platform_name", "created_at", "self", "permalink"})


def _uuid(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(text))
    except ValueError:
        raise NotFound(_("There is no statement %(uuid)s.") % {"uuid": str(text)[:64]}) from None


def statement_path(statement_uuid: uuid.UUID | str) -> str:
    """The API address of a statement (its `self`)."""
    return f"/api/v1/platform-reports/statement/{statement_uuid}"


def statement_page(statement_uuid: uuid.UUID | str) -> str:
    """The page of a statement (its `permalink`), in the current language."""
    return reverse("platform-reports-statement", args=[str(statement_uuid)])


def as_dict(found: Statement, platform: Organisation) -> dict[str, Any]:
    """A statement as the API answers it: the EU database's fields, then ours."""
    return {
        "uuid": str(found.uuid),
        **found.content,
        "platform": platform.code,
        "platform_name": platform.name_en,
        "created_at": found.received_at,
        "self": statement_path(found.uuid),
        "permalink": statement_page(found.uuid),
    }


def statement(reader: User | AnonymousUser | None, statement_uuid: str) -> dict[str, Any]:
    """One statement by uuid, for anyone (one query: the uuid names its day's partition)."""
    key = _uuid(statement_uuid)
    day = storage.received_day(key)
    found = (
        Statement.objects.select_related("platform").filter(uuid=key, received_on=day).first()
        if day is not None
        else None
    )
    if found is None:
        raise NotFound(_("There is no statement %(uuid)s.") % {"uuid": key})
    return as_dict(found, found.platform)


def statement_for_puid(reader: User | AnonymousUser | None, puid: str) -> dict[str, Any]:
    """The caller's platform's statement filed with `puid` (the EU's `existing-puid` check)."""
    actor = require_file_statements(reader)
    # A NUL is in no puid (the rule allows letters, digits, - and _), and PostgreSQL refuses it in text.
    claimed = (
        None
        if "\x00" in puid
        else StatementPuid.objects.filter(platform=actor.organisation, puid=puid).first()
    )
    if claimed is None:
        raise NotFound(
            _("Your platform has filed no statement with the puid %(puid)s.") % {"puid": puid[:100]}
        )
    return {
        "puid": claimed.puid,
        "uuid": str(claimed.statement),
        "self": statement_path(claimed.statement),
        "permalink": statement_page(claimed.statement),
    }


def platforms(reader: User | AnonymousUser | None) -> list[dict[str, Any]]:
    """Every platform of this node with how many statements it filed (from the rollups)."""
    totals = dict(
        DailyCount.objects.values_list("platform_id")
        .annotate(total=Sum("statements"))
        .values_list("platform_id", "total")
    )
    return [
        {
            "code": platform.code,
            "name": platform.name,
            "party": platform.party.code if platform.party else "",
            "statements": totals.get(platform.pk, 0),
        }
        for platform in Organisation.objects.filter(kind=Organisation.Kind.PLATFORM).select_related("party")
    ]


def platform_statements(
    reader: User | AnonymousUser | None, code: str, before: str | None = None
) -> dict[str, Any]:
    """A platform's statements, newest first, PAGE_SIZE at a time (`before`: the last uuid of the
    previous page); its totals per category from the rollups."""
    # A NUL is in no organisation's code, and PostgreSQL refuses it in text.
    platform = (
        Organisation.objects.filter(kind=Organisation.Kind.PLATFORM, code=code)
        .select_related("party")
        .first()
        if "\x00" not in code
        else None
    )
    if platform is None:
        raise NotFound(_("There is no platform %(code)s.") % {"code": code[:64]})
    found = Statement.objects.filter(platform=platform).order_by("-uuid")
    if before:
        cursor = _uuid(before)
        found = found.filter(uuid__lt=cursor)
        day = storage.received_day(cursor)
        if day is not None:
            found = found.filter(received_on__lte=day)  # only the partitions up to the cursor's day
    page = list(found[: PAGE_SIZE + 1])
    per_category = (
        DailyCount.objects.filter(platform=platform)
        .values("category")
        .annotate(total=Sum("statements"))
        .order_by("-total", "category")
    )
    # Counted in the set in force from 1 July 2025, with the official correspondence (a code the new
    # set dropped stays as it was).
    merged: dict[str, int] = {}
    for row in per_category:
        code = schema.current_category(row["category"])
        merged[code] = merged.get(code, 0) + row["total"]
    categories = [
        {"code": code, "label": schema.category_label(code), "statements": total}
        for code, total in sorted(merged.items(), key=lambda item: (-item[1], item[0]))
    ]
    return {
        "platform": {
            "code": platform.code,
            "name": platform.name,
            "party": platform.party.code if platform.party else "",
        },
        "statements": [as_dict(item, platform) for item in page[:PAGE_SIZE]],
        "next_before": str(page[PAGE_SIZE - 1].uuid) if len(page) > PAGE_SIZE else None,
        "total": sum(row["statements"] for row in categories),
        "categories": categories,
    }


def _year(year: int) -> dict[str, datetime.date]:
    return {"day__gte": datetime.date(year, 1, 1), "day__lte": datetime.date(year, 12, 31)}


def platforms_per_party(year: int) -> dict[str, int]:
    """Platforms that filed statements for decisions of `year`, per party (rollups)."""
    rows = (
        DailyCount.objects.filter(**_year(year))
        .values_list("platform__party__code", "platform_id")
        .distinct()
    )
    found: dict[str, int] = {}
    for party, _platform in rows:
        found[party] = found.get(party, 0) + 1
    return dict(sorted(found.items()))


def median_days_to_decision(year: int) -> float | None:
    """The median number of days from content to decision over the statements of `year` (from the
    tally of days), or None without any."""
    rows = (
        DailyTally.objects.filter(dimension=storage.DAYS_TO_DECISION, **_year(year))
        .values("value")
        .annotate(total=Sum("statements"))
    )
    counted = sorted((int(row["value"]), row["total"]) for row in rows)
    total = sum(n for _days, n in counted)
    if not total:
        return None
    halves = []
    for rank in ((total - 1) // 2, total // 2):
        seen = 0
        for days, n in counted:
            seen += n
            if seen > rank:
                halves.append(days)
                break
    return (halves[0] + halves[1]) / 2


def statements_per_party(year: int) -> dict[str, int]:
    """Statements per party of the filing platform, for decisions applied in `year` (rollups)."""
    rows = (
        DailyCount.objects.filter(**_year(year))
        .values("platform__party__code")
        .annotate(total=Sum("statements"))
        .order_by("platform__party__code")
    )
    return {row["platform__party__code"]: row["total"] for row in rows}


def automated_share(year: int) -> float | None:
    """The share of statements of `year` whose decision was fully automated, or None without any."""
    rows = DailyCount.objects.filter(**_year(year)).values_list("automated_decision", "statements")
    total = sum(n for _decision, n in rows)
    fully = sum(n for decision, n in rows if decision == "AUTOMATED_DECISION_FULLY")
    return round(100 * fully / total, 1) if total else None


def month_counts(
    platform_ids: list[int], first: datetime.date, last: datetime.date
) -> dict[int, dict[str, Any]]:
    """Per platform, its statements for decisions applied from `first` to `last` and their counts per
    field and value ({"statements": n, "counts": {field: {value: n}}}), from the rollups (two queries)."""
    found: dict[int, dict[str, Any]] = {pk: {"statements": 0, "counts": {}} for pk in platform_ids}
    scalar = ("category", "decision_ground", "source_type", "automated_detection", "automated_decision")
    rows = DailyCount.objects.filter(platform_id__in=platform_ids, day__gte=first, day__lte=last).values_list(
        "platform_id", *scalar, "statements"
    )
    for platform_id, *values, n in rows:
        found[platform_id]["statements"] += n
        for field, value in zip(scalar, values, strict=True):
            shown = ("Yes" if value else "No") if field == "automated_detection" else value
            counted = found[platform_id]["counts"].setdefault(field, {})
            counted[shown] = counted.get(shown, 0) + n
    tallies = (
        DailyTally.objects.filter(platform_id__in=platform_ids, day__gte=first, day__lte=last)
        .values_list("platform_id", "dimension", "value")
        .annotate(total=Sum("statements"))
    )
    for platform_id, dimension, value, n in tallies:
        counted = found[platform_id]["counts"].setdefault(dimension, {})
        counted[value] = counted.get(value, 0) + n
    for entry in found.values():
        entry["counts"] = {
            field: dict(sorted(values.items())) for field, values in sorted(entry["counts"].items())
        }
    return found


def months(reader: User | AnonymousUser | None) -> list[MonthlyRollup]:
    """The platform months signed so far, this node's and its peers', newest first (public)."""
    return list(MonthlyRollup.objects.select_related("party", "ledger_entry")[:500])
