"""Every read of trend notes, for the pages, the API and the command alike: a fixed number of queries
whatever the number of notes. Notes are for the partnership's members (`can_read_progress`)."""

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from partnership.errors import NotFound, PermissionDenied
from partnership.people.permissions import can_read_progress

from .models import TrendNote

PAGE_SIZE = 50


@dataclass(frozen=True)
class Filters:
    """What a reader may narrow the list to."""

    party: str = ""  # a party's code
    language: str = ""


def _readable(reader: User | AnonymousUser | None) -> QuerySet[TrendNote]:
    if not can_read_progress(reader):
        raise PermissionDenied(_("Trend notes are for the partnership's members; sign in."))
    return TrendNote.objects.select_related("party", "organisation", "ledger_entry")


def notes(reader: User | AnonymousUser | None, filters: Filters | None = None) -> QuerySet[TrendNote]:
    """The notes `reader` may read, newest change first (a queryset: the caller takes a page of it)."""
    found = _readable(reader)
    filters = filters or Filters()
    if filters.party:
        found = found.filter(party__code=filters.party)
    if filters.language:
        found = found.filter(language=filters.language)
    return found


def note(reader: User | AnonymousUser | None, uid: Any) -> TrendNote:
    """One note, or NotFound."""
    try:
        key = uuid.UUID(str(uid))
    except ValueError:
        raise NotFound(_("There is no such trend note.")) from None
    found = _readable(reader).filter(uid=key).first()
    if found is None:
        raise NotFound(_("There is no such trend note."))
    return found


def notes_per_party(cycle_year: int) -> dict[str, int]:
    """How many notes each party filed in `cycle_year` (UTC), for the indicators and the report."""
    rows = (
        TrendNote.objects.filter(created_at__year=cycle_year)
        .values_list("party__code")
        .annotate(n=Count("pk"))
        .order_by("party__code")
    )
    return dict(rows)
