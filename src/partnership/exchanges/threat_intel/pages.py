"""Read paths of the web pages under /<lang>/threat-intel/: the same grants and TLP filter as TAXII.

Every object a page shows comes through `queries.visible` (so `sharing.visible_to`), in the database,
before anything is counted, searched or paged: a page never holds what the reader may not see.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound
from partnership.inputs import check_text

from . import paging, queries, reads
from .models import Collection, ObjectVersion, Tlp
from .sharing import TLP_MARKINGS

PAGE_SIZE = 50

#: STIX content without `lang` is English (STIX 2.1, 3.2: "If omitted, ... en").
DEFAULT_CONTENT_LANGUAGE = "en"


@dataclass(frozen=True)
class CollectionEntry:
    """A collection the reader may read, with its API root and what they may do."""

    collection: Collection
    access: queries.Access


def readable_collections(caller: queries.Caller) -> list[CollectionEntry]:
    """The collections of every API root that the caller may read."""
    return [
        CollectionEntry(collection, access)
        for root in queries.api_roots()
        for collection, access in queries.collections(caller, root)
        if access.can_read
    ]


def readable_collection(caller: queries.Caller, root: str, collection_id: str) -> CollectionEntry:
    """One collection the caller may read; NotFound otherwise (no grant, or no read right)."""
    found, access = queries.collection(caller, queries.api_root(root), str(collection_id))
    if not access.can_read:
        raise NotFound(_("There is no collection %(id)s here.") % {"id": collection_id})
    return CollectionEntry(found, access)


@dataclass
class ObjectRow:
    """One object in a list: its last version the reader may see, summarised from its JSON."""

    pk: int
    stix_id: str
    type: str
    tlp: str
    name: str
    language: str
    version: Any
    date_added: Any
    author: str


def _summary(version: ObjectVersion) -> ObjectRow:
    stix = json.loads(version.body)
    name = stix.get("name") or stix.get("value") or stix.get("pattern") or ""
    return ObjectRow(
        pk=version.pk,
        stix_id=version.stix_id,
        type=version.type,
        tlp=version.tlp,
        name=str(name),
        language=str(stix.get("lang") or DEFAULT_CONTENT_LANGUAGE),
        version=version.version,
        date_added=version.date_added,
        author=version.author_organisation.code,
    )


@dataclass
class ObjectList:
    """A page of a collection's objects, newest first, and the token of the next page."""

    rows: list[ObjectRow]
    next: str
    types: list[str] = field(default_factory=list)


def list_filters(params: Mapping[str, str]) -> dict[str, str]:
    """The object list's filters from a request: search `q`, STIX `type`, a known TLP level (else none).

    Invalid for a NUL character in the search or type (PostgreSQL cannot compare text holding one)."""
    tlp = params.get("tlp", "")
    return {
        "q": check_text(params.get("q", "")[:200], "q"),
        "type": check_text(params.get("type", "")[:250], "type"),
        "tlp": tlp if tlp in Tlp.values else "",
    }


def object_list(
    caller: queries.Caller,
    entry: CollectionEntry,
    search: str = "",
    stix_type: str = "",
    tlp: str = "",
    after: str = "",
) -> ObjectList:
    """The objects of a collection the caller may see (last versions), searched by name, type or id,
    filtered by type and TLP, keyset-paged newest first (`after` is the previous page's token)."""
    visible = queries.visible(caller, entry.collection, entry.access)
    rows = visible.filter(is_latest=True)
    search = search.strip()
    if search:
        # The name lives in the JSON text; searching the text also finds ids and types in it.
        rows = rows.filter(
            Q(stix_id__icontains=search) | Q(type__icontains=search) | Q(body__icontains=search)
        )
    if stix_type:
        rows = rows.filter(type=stix_type)
    if tlp:
        rows = rows.filter(tlp=tlp)
    query = paging.query_key(
        "web-objects", str(entry.collection.pk), {"q": search, "type": stix_type, "tlp": tlp}
    )
    if after:
        try:
            position = paging.read_token(after, query, caller.user.pk)
        except paging.BadToken as error:
            raise Invalid(str(error)) from error
        rows = rows.filter(
            Q(date_added__lte=position.date_added),
            Q(date_added__lt=position.date_added) | Q(pk__lt=position.pk),
        )
    found = list(rows.select_related("author_organisation").order_by("-date_added", "-pk")[: PAGE_SIZE + 1])
    token = ""
    if len(found) > PAGE_SIZE:
        found = found[:PAGE_SIZE]
        token = paging.make_token(paging.Position(found[-1].date_added, found[-1].pk), query, caller.user.pk)
    types = sorted(set(visible.filter(is_latest=True).values_list("type", flat=True).distinct()))
    return ObjectList(rows=[_summary(version) for version in found], next=token, types=types)


@dataclass(frozen=True)
class Related:
    """A relationship or sighting from or to an object: its id, its kind and its two ends."""

    stix_id: str
    kind: str
    source: str
    target: str


@dataclass
class ObjectDetail:
    """An object's page: its last version the reader may see, its versions and its relationships."""

    version: ObjectVersion
    stix: dict[str, Any]
    json: str
    language: str
    other_markings: list[str]
    versions: list[ObjectVersion]
    relationships: list[Related]
    neighbours: dict[str, ObjectRow]


def object_detail(caller: queries.Caller, entry: CollectionEntry, stix_id: str) -> ObjectDetail:
    """One object as the caller may see it; NotFound when no version of it is visible to them.

    Showing the object is a read: it is recorded like a TAXII read (reads.py)."""
    if not queries.is_stix_id(stix_id):
        raise NotFound(_("There is no object %(id)s in this collection.") % {"id": stix_id})
    visible = queries.visible(caller, entry.collection, entry.access)
    versions = list(
        visible.filter(stix_id=stix_id)
        .select_related("author_organisation", "ledger_entry")
        .order_by("-version", "-pk")
    )
    if not versions:
        raise NotFound(_("There is no object %(id)s in this collection.") % {"id": stix_id})
    latest = versions[0]
    reads.record_versions(caller, [latest.pk])
    stix = json.loads(latest.body)
    relationships = [
        Related(
            stix_id=stix["id"],
            kind=str(stix.get("relationship_type") or stix["type"]),
            source=str(stix.get("source_ref") or ""),
            target=str(stix.get("target_ref") or stix.get("sighting_of_ref") or ""),
        )
        for stix in queries.relationships(caller, entry.collection, entry.access, stix_id)
    ]
    ends = {
        ref for related in relationships for ref in (related.source, related.target) if ref and ref != stix_id
    }
    neighbours = {
        version.stix_id: _summary(version)
        for version in visible.filter(stix_id__in=ends, is_latest=True).select_related("author_organisation")
    }
    markings = [ref for ref in stix.get("object_marking_refs", []) if ref not in TLP_MARKINGS]
    return ObjectDetail(
        version=latest,
        stix=stix,
        json=json.dumps(stix, indent=2, ensure_ascii=False),
        language=str(stix.get("lang") or DEFAULT_CONTENT_LANGUAGE),
        other_markings=markings,
        versions=versions,
        relationships=relationships,
        neighbours=neighbours,
    )


def tlp_choices() -> list[tuple[str, str]]:
    """The TLP levels, least to most restrictive, for the filter."""
    return list(Tlp.choices)
