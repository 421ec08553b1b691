"""The Traffic Light Protocol 2.0 (FIRST, 2022): the one rule of who may read a marked record.

DESIGN.md: confidential records carry a TLP level, "with the one TLP rule in `people`". Every exchange
that holds marked records (threat intelligence, para 54; supply-chain firm data, para 46; cable outage
details, para 61) stores a level, its author organisation and the organisations it names, and reads
through `visible` (a database filter, so pages stay keyset-based and nothing is filtered after a page
was cut).

The unit of sharing is the organisation:
- CLEAR: every reader the exchange lets in.
- GREEN: the community (readers whose access is a community one); a guest reads CLEAR only.
- AMBER and AMBER+STRICT: the author's organisation and the organisations it names; the two differ
  only in what the recipients may do afterwards, which is outside the system.
- RED: the organisations named, and the author's organisation, which holds it already; nobody else.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q


class Tlp(models.TextChoices):
    """TLP 2.0 levels, least to most restrictive (TLP 1.0 WHITE is stored as CLEAR)."""

    CLEAR = "clear", "TLP:CLEAR"
    GREEN = "green", "TLP:GREEN"
    AMBER = "amber", "TLP:AMBER"
    AMBER_STRICT = "amber+strict", "TLP:AMBER+STRICT"
    RED = "red", "TLP:RED"


RANK = {Tlp.CLEAR: 0, Tlp.GREEN: 1, Tlp.AMBER: 2, Tlp.AMBER_STRICT: 3, Tlp.RED: 4}
#: The levels read only by the author's organisation and the organisations it names.
RESTRICTED = (Tlp.AMBER, Tlp.AMBER_STRICT, Tlp.RED)


def visible(reader: int | None, community: bool, named: Q | None, *, level: str = "tlp", author: str) -> Q:
    """The rows of a marked table that the organisation `reader` may read, as a filter.

    `level` and `author` name the table's TLP and author-organisation fields; `named` is the filter
    "this row names `reader` as a recipient" (an `Exists` over the exchange's own recipient table).
    """
    rule = Q(**{level: Tlp.CLEAR})
    if community:
        rule |= Q(**{level: Tlp.GREEN})
    if reader is not None:
        rule |= Q(**{author: reader})
        if named is not None:
            rule |= named & Q(**{f"{level}__in": RESTRICTED})
    return rule


def visible_to_any(readers: list[int], community: bool, named: Q, *, level: str = "tlp", author: str) -> Q:
    """The rows at least one of several organisations may read (`named`: the row names any of them)."""
    rule = (
        Q(**{level: Tlp.CLEAR})
        | Q(**{f"{author}__in": readers})
        | (named & Q(**{f"{level}__in": RESTRICTED}))
    )
    if community:
        rule |= Q(**{level: Tlp.GREEN})
    return rule
