"""TLP 2.0 and TLP 1.0 markings of STIX objects, and who may read them, through the one TLP rule of
`people.tlp` (DESIGN.md).

Every read path (objects, one object, versions, manifest, every `next` page, the web pages) filters
with `visible_to()`, in the database, so that pages stay keyset-based and nothing is filtered after
a page has been cut.

The rules (para 54: sharing between the parties' ISACs):
- TLP:CLEAR (and TLP 1.0 WHITE): every organisation allowed to read the collection.
- TLP:GREEN (TLP 1.0 GREEN): the community, the organisations whose grant on the collection is a
  community grant (the ISACs of both parties); a guest grant reads CLEAR only.
- TLP:AMBER (TLP 1.0 AMBER) and TLP:AMBER+STRICT: the author's organisation and the organisations it
  names as recipients. The unit of sharing here is the organisation, so the two differ only in what
  the recipients may do afterwards, which is outside this server.
- TLP:RED (TLP 1.0 RED): the organisations named as recipients, and the author's organisation, which
  holds the information already; nobody else, whatever their grant.
Recipients are named by the object's `x_partnership_recipients` property: a list of organisation codes
of this node (`RECIPIENTS_PROPERTY`). An unknown code refuses the object instead of sharing less than
the author meant.
An object without a TLP marking takes its collection's default. Granular markings are honoured by
giving the whole object the most restrictive TLP level among its object and granular markings, so no
part of it is ever seen by someone its own marking excludes.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from partnership.people import tlp

from .models import ObjectRecipient, Tlp

#: The OASIS TLP 2.0 property extension that the TLP 2.0 marking definitions carry.
TLP2_EXTENSION = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

#: The OASIS TLP 2.0 marking definitions (TLP 2.0 extension, OASIS CTI, 2022).
TLP2_MARKINGS = {
    "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": Tlp.CLEAR,
    "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": Tlp.GREEN,
    "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": Tlp.AMBER,
    "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": Tlp.AMBER_STRICT,
    "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": Tlp.RED,
}
#: The TLP 1.0 marking definitions of STIX 2.1 (section 7.2.1.4); WHITE reads as CLEAR.
TLP1_MARKINGS = {
    "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": Tlp.CLEAR,
    "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": Tlp.GREEN,
    "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": Tlp.AMBER,
    "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": Tlp.RED,
}
TLP_MARKINGS: dict[str, str] = {**TLP1_MARKINGS, **TLP2_MARKINGS}

#: Marking-definition id of each level, TLP 2.0 (for clients and tests that mark objects).
MARKING_OF_LEVEL: dict[str, str] = {level: ref for ref, level in TLP2_MARKINGS.items()}

RANK = tlp.RANK
RESTRICTED = tlp.RESTRICTED

#: The custom property naming the recipient organisations (their codes) of an object.
RECIPIENTS_PROPERTY = "x_partnership_recipients"


class MarkingError(ValueError):
    """An object's markings cannot be honoured; the message says why."""


def _level_of(ref: Any, known_markings: set[str]) -> str | None:
    if not isinstance(ref, str):
        raise MarkingError(_("A marking reference must be a marking-definition id."))
    if ref in TLP_MARKINGS:
        return TLP_MARKINGS[ref]
    if ref not in known_markings:
        raise MarkingError(
            _(
                "Unknown marking %(ref)s: neither a TLP marking nor a marking definition "
                "in this collection or envelope."
            )
            % {"ref": ref}
        )
    return None


def tlp_of(stix_object: dict[str, Any], default: str, known_markings: set[str]) -> str:
    """The TLP level an object is shared under: the most restrictive of its object-level and granular
    TLP markings, or `default` when it has none. Unknown marking references raise MarkingError."""
    if stix_object.get("type") == "marking-definition" and stix_object.get("id") in TLP_MARKINGS:
        return Tlp.CLEAR  # the TLP definitions themselves are public
    levels: list[str] = []
    refs = stix_object.get("object_marking_refs", [])
    if not isinstance(refs, list):
        raise MarkingError(_("object_marking_refs must be a list."))
    for ref in refs:
        level = _level_of(ref, known_markings)
        if level:
            levels.append(level)
    granular = stix_object.get("granular_markings", [])
    if not isinstance(granular, list):
        raise MarkingError(_("granular_markings must be a list."))
    for marking in granular:
        if not isinstance(marking, dict):
            raise MarkingError(_("Each granular marking must be an object."))
        if "marking_ref" in marking:
            level = _level_of(marking["marking_ref"], known_markings)
            if level:
                levels.append(level)
    if not levels:
        return default
    return max(levels, key=lambda level: RANK[Tlp(level)])


def recipient_codes(stix_object: dict[str, Any]) -> list[str]:
    """The organisation codes an object names as recipients (`x_partnership_recipients`)."""
    codes = stix_object.get(RECIPIENTS_PROPERTY, [])
    if not isinstance(codes, list) or not all(isinstance(code, str) and code for code in codes):
        raise MarkingError(
            _("%(property)s must be a list of organisation codes.") % {"property": RECIPIENTS_PROPERTY}
        )
    return sorted(set(codes))


def visible_to(organisation_id: int | None, community: bool) -> Q:
    """The ObjectVersion rows a reader of a collection may see.

    `organisation_id`: the reader's organisation; `community`: whether the reader's grant on the
    collection is a community grant (reads TLP:GREEN).
    """
    named = None
    if organisation_id is not None:
        named = Q(
            Exists(ObjectRecipient.objects.filter(version=OuterRef("pk"), organisation_id=organisation_id))
        )
    return tlp.visible(organisation_id, community, named, author="author_organisation_id")


def visible_to_any(organisation_ids: list[int], community: bool) -> Q:
    """The rows at least one of several readers may see: `visible_to` of each, joined (`community`: any
    of them reads TLP:GREEN). What a peer party's node may receive (records.py)."""
    named = Q(
        Exists(ObjectRecipient.objects.filter(version=OuterRef("pk"), organisation_id__in=organisation_ids))
    )
    return tlp.visible_to_any(organisation_ids, community, named, author="author_organisation_id")


def visible_parts(organisation_id: int | None, community: bool) -> list[Q]:
    """`visible_to` as disjoint parts whose union is the same rows, each with an equality that an index
    can walk in `date_added` order (TLP level; author organisation; recipient links).

    A reader who may see few of a large collection's objects would otherwise make the database walk
    the whole keyset index, filtering row by row: each part is paged alone and the pages are merged
    (queries._page), so a page costs the same whatever the share a reader sees.
    """
    public = [Tlp.CLEAR, Tlp.GREEN] if community else [Tlp.CLEAR]
    parts = [Q(tlp=level) for level in public]
    if organisation_id is not None:
        named = ObjectRecipient.objects.filter(version=OuterRef("pk"), organisation_id=organisation_id)
        parts.append(Q(author_organisation_id=organisation_id) & ~Q(tlp__in=public))
        parts.append(Q(Exists(named), tlp__in=RESTRICTED) & ~Q(author_organisation_id=organisation_id))
    return parts
