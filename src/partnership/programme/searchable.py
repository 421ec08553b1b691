"""What the search finds, registered by the apps that own it, so that the programme searches the cycle's
outcomes and contributions without importing the cycle (DESIGN.md: `cycle` depends on `programme`,
never the reverse). The programme registers its own kinds (joint actions, progress updates,
deliverables) the same way, from its AppConfig.ready(), as the cycle registers outcomes and
contributions from its own.

A kind says which statuses it has and gives two functions: `find(reader, filters)`, the rows the
reader may read that match the filters as a queryset in the kind's order with every relation its
rows show loaded (the permission rule is the kind's list's, from `people.permissions`), and `row(obj)`,
one found object as a `Found` (what the search page, the API and the exports show).
"""

import datetime
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

#: Words of a query matched (each one somewhere in the row's text); more are refused by the form.
MAX_TERMS = 8


@dataclass(frozen=True)
class Filters:
    """A search's filters, validated (`forms.SearchForm`): None or "" means "any"."""

    q: str = ""
    kind: str = ""
    party: str = ""
    area: str = ""
    cycle: int | None = None
    status: str = ""
    action: int | None = None

    @property
    def terms(self) -> list[str]:
        """The words of the query (split on any space, the ideographic one too)."""
        return self.q.split()[:MAX_TERMS]


@dataclass(frozen=True)
class Found:
    """One search result as every entry point shows it."""

    kind: str
    kind_label: str
    reference: str  # the joint action's paragraph(s), or the meeting or cycle it belongs to
    party: str
    cycle: int | None
    status: str
    status_label: str
    text: str
    language: str  # "" for text given in the reader's language (a joint action's title)
    date: datetime.date | datetime.datetime | None
    url: str
    signed_by: str | None = None


@dataclass(frozen=True)
class Kind:
    """A kind of thing the search finds."""

    code: str
    label: Callable[[], str]
    statuses: Sequence[tuple[str, Any]]
    find: Callable[[Any, Filters], QuerySet | None]  # None: the reader may not read this kind at all
    row: Callable[[Any], Found]
    order: int = 100
    # Whether the search form offers this kind and its statuses to a reader (`find` decides what is
    # found; this only keeps the form from naming what the reader cannot read).
    offered_to: Callable[[Any], bool] = lambda reader: True


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    """Add a kind to the search; registering a code again replaces it."""
    _kinds[kind.code] = kind


def kinds() -> list[Kind]:
    """The registered kinds, in the order their results are listed."""
    return sorted(_kinds.values(), key=lambda kind: (kind.order, kind.code))


def text_matches(terms: Sequence[str], *fields: str) -> Q:
    """Every term somewhere in one of `fields`, case-insensitive (`icontains`: the same on SQLite and
    PostgreSQL; Japanese has no case, and a full-width "５Ｇ" also finds "5G" through its NFKC form)."""
    condition = Q()
    for term in terms:
        forms = {term, unicodedata.normalize("NFKC", term)}
        one = Q()
        for form in forms:
            for name in fields:
                one |= Q(**{f"{name}__icontains": form})
        condition &= one
    return condition
