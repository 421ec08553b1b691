"""Every read of the registers of investment plans and export-control measures, for the pages and the API
alike: members of either party, each entry under its TLP level (`people.permissions.register_reader`,
`people.tlp.visible` through `registers.readable`), in the database, before a page is cut; a fixed
number of queries whatever the number of entries. The public reads nothing."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import NotFound
from partnership.people.permissions import can_write_register, register_reader
from partnership.people.tlp import Tlp

from . import registers
from .models import ExportControl, Investment, InvestmentStatus, MeasureKind, Register, RegisterEntry


@dataclass(frozen=True)
class InvestmentFilters:
    """What a reader may narrow the investment register to."""

    party: str = ""
    status: str = ""
    country: str = ""
    tlp: str = ""


@dataclass(frozen=True)
class ExportControlFilters:
    """What a reader may narrow the export-control register to: party, kind, TLP, a control-list entry or
    HS code (`item`: "3B001" or "8486"; an HS code matches its subheadings), `late` notifications only."""

    party: str = ""
    kind: str = ""
    tlp: str = ""
    item: str = ""
    late: bool = False


def investment_filters(params: Any) -> InvestmentFilters:
    """Filters from a query string; an unknown value is ignored (the list is not narrowed by it)."""
    status = params.get("status", "")
    level = params.get("tlp", "")
    return InvestmentFilters(
        party=params.get("party", "")[:8],
        status=status if status in InvestmentStatus.values else "",
        country=params.get("country", "")[:2].upper(),
        tlp=level if level in Tlp.values else "",
    )


def export_control_filters(params: Any) -> ExportControlFilters:
    """Filters from a query string; an unknown value is ignored."""
    kind = params.get("kind", "")
    level = params.get("tlp", "")
    return ExportControlFilters(
        party=params.get("party", "")[:8],
        kind=kind if kind in MeasureKind.values else "",
        tlp=level if level in Tlp.values else "",
        item=params.get("item", "").strip()[:40],
        late=params.get("late", "") in ("1", "true", "on"),
    )


def _visible(reader: User | AnonymousUser | None, model: type[RegisterEntry]) -> QuerySet[Any]:
    actor, community = register_reader(reader)
    return model.objects.select_related("party", "organisation", "ledger_entry").filter(  # type: ignore[attr-defined]
        registers.readable(model, actor.organisation.pk, community)
    )


def investments(
    reader: User | AnonymousUser | None, filters: InvestmentFilters | None = None
) -> QuerySet[Investment]:
    """The investment plans `reader` may read, by party, firm and site (a queryset: the caller pages it)."""
    found = _visible(reader, Investment)
    filters = filters or InvestmentFilters()
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.country:
        found = found.filter(country=filters.country)
    if filters.tlp:
        found = found.filter(tlp=filters.tlp)
    return found.order_by("party__code", "firm", "site", "pk")


def export_controls(
    reader: User | AnonymousUser | None, filters: ExportControlFilters | None = None
) -> QuerySet[ExportControl]:
    """The export-control measures `reader` may read, latest to take effect first."""
    found = _visible(reader, ExportControl)
    filters = filters or ExportControlFilters()
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.kind:
        found = found.filter(kind=filters.kind)
    if filters.tlp:
        found = found.filter(tlp=filters.tlp)
    if filters.late:
        found = found.filter(late=True)
    if filters.item:
        digits = filters.item.replace(".", "")
        ids = [
            pk
            for pk, items, codes in found.values_list("pk", "items", "hs_codes")
            if any(item.get("entry", "").upper().startswith(filters.item.upper()) for item in items)
            or (digits.isdigit() and any(code.startswith(digits) for code in codes))
        ]
        found = found.filter(pk__in=ids)
    return found.order_by("-takes_effect", "party__code", "title", "pk")


def upcoming(reader: User | AnonymousUser | None, days: int = registers.UPCOMING_DAYS) -> list[ExportControl]:
    """The measures `reader` may read that take effect from today (UTC) to `days` days ahead, soonest
    first."""
    today = timezone.now().date()
    return list(
        _visible(reader, ExportControl)
        .filter(takes_effect__gte=today, takes_effect__lte=today + datetime.timedelta(days=days))
        .order_by("takes_effect", "party__code", "pk")
    )


@dataclass
class EntryPage:
    """An entry with its revisions (newest first, each with the names of the fields it changed) and
    whether the reader may revise it."""

    entry: Any
    revisions: list[Any]
    changes: list[list[str]]
    can_revise: bool
    deadline: datetime.datetime | None = None  # a measure's: the last moment its notice was on time

    @property
    def revision_rows(self) -> list[tuple[Any, list[str]]]:
        """Each revision with the fields it changed."""
        return list(zip(self.revisions, self.changes, strict=True))


def entry(reader: User | AnonymousUser | None, register: str, uid: Any) -> EntryPage:
    """One entry the reader may read, with its revision history (NotFound otherwise: an entry its TLP
    level hides is not told apart from one that does not exist). Three queries."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound(_("There is no such register entry.")) from None
    model = registers.MODELS[register]
    found = _visible(reader, model).prefetch_related("recipients").filter(uid=key).first()
    if found is None:
        raise NotFound(_("There is no such register entry."))
    revisions = list(found.revisions.select_related("organisation", "ledger_entry").order_by("-revision"))
    changes = []
    for index, revision in enumerate(revisions):
        before = revisions[index + 1].content if index + 1 < len(revisions) else None
        changes.append(
            []
            if before is None
            else [name for name in revision.content if revision.content[name] != before.get(name)]
        )
    actor, _community = register_reader(reader)
    deadline = (
        registers.notice_deadline(found.party.code, found.takes_effect)
        if register == Register.EXPORT_CONTROLS
        else None
    )
    return EntryPage(
        entry=found,
        revisions=revisions,
        changes=changes,
        can_revise=found.signed_by is None
        and can_write_register(actor, found.party_id, found.organisation_id),
        deadline=deadline,
    )
