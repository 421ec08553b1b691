"""Read paths of the TAXII server: who the caller is, what they may see, and pages of results.

Every function here applies `access_to` (the collection's grants) and `sharing.visible_to` (TLP) in
the database before a page is cut, so a page, its `more` and its `next` see the same rows.
"""

from __future__ import annotations

import datetime
import functools
import json
import operator
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.inputs import check_text
from partnership.people.models import Organisation
from partnership.people.permissions import Actor, actor_for

from . import paging, reads, sharing
from .errors import TaxiiError
from .models import ApiRoot, Collection, CollectionGrant, ObjectVersion, Status, Tlp
from .stix import format_timestamp, parse_timestamp

#: Most objects (or manifest entries, or versions) on one page; a larger `limit` is cut to it.
MAX_PAGE = 1000
DEFAULT_PAGE = 100

_ID = re.compile(r"^[a-z][a-z0-9-]*--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_TYPE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
_SPEC_VERSION = re.compile(r"^\d+\.\d+$")


@dataclass(frozen=True)
class Caller:
    """An authenticated user of the TAXII server and the organisation and party they act for."""

    user: User
    organisation_id: int | None
    party_id: int | None


def caller_for(user: User | AnonymousUser) -> Caller:
    """The caller behind an authenticated user; a user acting for no party has no grants."""
    actor = actor_for(user)
    if actor is None:
        return Caller(user=user, organisation_id=None, party_id=None)  # type: ignore[arg-type]
    return Caller(user=actor.user, organisation_id=actor.organisation.pk, party_id=actor.party.pk)


@dataclass(frozen=True)
class Access:
    """What a caller may do with one collection."""

    can_read: bool = False
    can_write: bool = False
    community: bool = False

    @property
    def any(self) -> bool:
        return self.can_read or self.can_write


def _grants_of(caller: Caller) -> Q:
    if caller.organisation_id is None:
        return Q(pk__in=[])
    return Q(organisation_id=caller.organisation_id) | Q(party_id=caller.party_id)


def is_analyst(actor: Actor) -> bool:
    """Does `actor` work for an ISAC, i.e. does its organisation hold a grant of its own to write to a
    collection (a party-wide grant makes nobody an analyst)? Such members land on the threat-intelligence
    pages after signing in; secretariats keep their own desk. One query."""
    if actor.is_secretariat:
        return False
    return CollectionGrant.objects.filter(organisation_id=actor.organisation.pk, can_write=True).exists()


def access_to(caller: Caller, collection: Collection) -> Access:
    """The union of the grants on `collection` to the caller's organisation and party."""
    access = Access()
    for grant in CollectionGrant.objects.filter(_grants_of(caller), collection=collection):
        access = Access(
            can_read=access.can_read or grant.can_read,
            can_write=access.can_write or grant.can_write,
            community=access.community or (grant.can_read and grant.community),
        )
    if collection.peer:  # a copy of another node's collection: read-only here, whatever the grants
        access = Access(can_read=access.can_read, can_write=False, community=access.community)
    return access


def api_root(slug: str) -> ApiRoot:
    """The API root at `/taxii2/<slug>/`; NotFound otherwise."""
    from .services import ensure_api_roots

    found = ApiRoot.objects.filter(slug=slug).first()
    if found is None and ensure_api_roots():
        found = ApiRoot.objects.filter(slug=slug).first()
    if found is None:
        raise NotFound(_("There is no API root %(root)s.") % {"root": slug})
    return found


def api_roots() -> list[ApiRoot]:
    """Every API root of this node, one per party at least (created on first use)."""
    from .services import ensure_api_roots

    ensure_api_roots()
    return list(ApiRoot.objects.all())


def collections(caller: Caller, root: ApiRoot) -> list[tuple[Collection, Access]]:
    """The collections of `root` the caller may read or write, with what they may do."""
    granted = CollectionGrant.objects.filter(_grants_of(caller), collection__api_root=root)
    found = []
    for collection in Collection.objects.filter(pk__in=granted.values("collection")).order_by("title"):
        access = access_to(caller, collection)
        if access.any:
            found.append((collection, access))
    return found


def collection_by_id(collection_id: str) -> Collection:
    """A collection by its id, with its API root; NotFound for an id that names none."""
    try:
        key = uuid.UUID(str(collection_id))
    except ValueError:
        raise NotFound(_("There is no collection %(id)s here.") % {"id": str(collection_id)[:64]}) from None
    found = Collection.objects.select_related("api_root").filter(pk=key).first()
    if found is None:
        raise NotFound(_("There is no collection %(id)s here.") % {"id": key})
    return found


def grants(collection: Collection) -> list[CollectionGrant]:
    """Who may use a collection: its grants, with their organisation or party, in a fixed order."""
    return list(
        collection.grants.select_related("organisation", "party").order_by(
            "party__code", "organisation__code"
        )
    )


def collection(caller: Caller, root: ApiRoot, collection_id: str) -> tuple[Collection, Access]:
    """One collection of `root` and the caller's access; NotFound when it does not exist for them."""
    try:
        key = uuid.UUID(collection_id)
    except ValueError:
        key = None
    found = (
        Collection.objects.filter(api_root=root, pk=key).select_related("api_root").first() if key else None
    )
    access = access_to(caller, found) if found else Access()
    if found is None or not access.any:
        raise NotFound(_("There is no collection %(id)s here.") % {"id": collection_id})
    return found, access


def readable_collection(caller: Caller, root: ApiRoot, collection_id: str) -> tuple[Collection, Access]:
    """`collection`, with PermissionDenied when the caller may not read it."""
    found, access = collection(caller, root, collection_id)
    if not access.can_read:
        raise PermissionDenied(_("You may not read this collection."))
    return found, access


@dataclass
class Filters:
    """The TAXII filters of one request (section 3.4 of TAXII 2.1)."""

    added_after: datetime.datetime | None = None
    ids: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    versions: list[str] = field(default_factory=list)
    spec_versions: list[str] = field(default_factory=list)
    limit: int = DEFAULT_PAGE
    next: str = ""

    def key(self) -> dict[str, Any]:
        """The filters that define the query, for the `next` token (not `limit` nor `next` itself)."""
        return {
            "added_after": self.added_after.isoformat() if self.added_after else None,
            "ids": sorted(self.ids),
            "types": sorted(self.types),
            "versions": sorted(self.versions),
            "spec_versions": sorted(self.spec_versions),
        }


def _values(params: QueryDict, name: str) -> list[str]:
    # Several values come comma-separated (TAXII 2.1, 3.4.1) or as repeated parameters.
    return [value.strip() for raw in params.getlist(name) for value in raw.split(",") if value.strip()]


def _bad(name: str, value: str) -> TaxiiError:
    return TaxiiError(
        400,
        _("Malformed filter"),
        _("%(name)s=%(value)s is not a valid value.") % {"name": name, "value": value},
    )


def parse_filters(params: QueryDict, allowed: frozenset[str]) -> Filters:
    """The filters of a request among `allowed`; TaxiiError 400 for a malformed value."""
    filters = Filters()
    added_after: str = params.get("added_after") or ""
    if "added_after" in allowed and added_after:
        try:
            filters.added_after = parse_timestamp(added_after)
        except ValueError as error:
            raise _bad("added_after", added_after) from error
    limit: str = params.get("limit") or ""
    if "limit" in params:
        try:
            filters.limit = int(limit)
        except ValueError as error:
            raise _bad("limit", limit) from error
        if filters.limit < 1:
            raise _bad("limit", limit)
        filters.limit = min(filters.limit, MAX_PAGE)
    filters.next = params.get("next") or ""
    checks = {
        "match[id]": _ID.fullmatch,
        "match[type]": _TYPE.fullmatch,
        "match[spec_version]": _SPEC_VERSION.fullmatch,
    }
    targets = {
        "match[id]": filters.ids,
        "match[type]": filters.types,
        "match[spec_version]": filters.spec_versions,
    }
    for name, valid in checks.items():
        if name not in allowed:
            continue
        for value in _values(params, name):
            if not valid(value):
                raise _bad(name, value)
            targets[name].append(value)
    if "match[version]" in allowed:
        for value in _values(params, "match[version]"):
            if value not in ("first", "last", "all"):
                try:
                    value = parse_timestamp(value).isoformat()
                except ValueError as error:
                    raise _bad("match[version]", value) from error
            filters.versions.append(value)
    return filters


OBJECT_FILTERS = frozenset(
    {"added_after", "match[id]", "match[type]", "match[version]", "match[spec_version]"}
)
ONE_OBJECT_FILTERS = frozenset({"added_after", "match[version]", "match[spec_version]"})
VERSIONS_FILTERS = frozenset({"added_after", "match[spec_version]"})


def _matching(rows: QuerySet[ObjectVersion], filters: Filters, default_version: str) -> QuerySet:
    if filters.added_after is not None:
        rows = rows.filter(date_added__gt=filters.added_after)
    if filters.ids:
        rows = rows.filter(stix_id__in=filters.ids)
    if filters.types:
        rows = rows.filter(type__in=filters.types)
    if filters.spec_versions:
        rows = rows.filter(spec_version__in=filters.spec_versions)
    versions = filters.versions or ([default_version] if default_version else [])
    if versions and "all" not in versions:
        rule = Q(pk__in=[])
        for value in versions:
            if value == "first":
                rule |= Q(is_first=True)
            elif value == "last":
                rule |= Q(is_latest=True)
            else:
                rule |= Q(version=datetime.datetime.fromisoformat(value))
        rows = rows.filter(rule)
    return rows


def visible(caller: Caller, collection: Collection, access: Access) -> QuerySet[ObjectVersion]:
    """The versions in `collection` the caller may see under TLP (sharing.visible_to)."""
    if not access.can_read:
        return ObjectVersion.objects.none()
    return ObjectVersion.objects.filter(
        sharing.visible_to(caller.organisation_id, access.community), collection=collection
    )


def _visible_parts(caller: Caller, access: Access) -> list[Q]:
    """`visible`'s TLP rule as disjoint parts (sharing.visible_parts), for a page of a whole collection."""
    if not access.can_read:
        return [Q(pk__in=[])]
    return sharing.visible_parts(caller.organisation_id, access.community)


@dataclass
class Page:
    """One page of results: rows in `date_added` order, whether more follow and the token to get them."""

    rows: list[tuple]
    more: bool
    next: str

    @property
    def date_added_first(self) -> str | None:
        return format_timestamp(self.rows[0][1]) if self.rows else None

    @property
    def date_added_last(self) -> str | None:
        return format_timestamp(self.rows[-1][1]) if self.rows else None


def _page(
    rows: QuerySet[ObjectVersion],
    filters: Filters,
    fields: tuple[str, ...],
    caller: Caller,
    query: str,
    parts: list[Q] | None = None,
) -> Page:
    """One page of `rows` after the `next` token's position. `parts`: disjoint filters whose union
    the page is (sharing.visible_parts); each is paged alone on its own index and the pages merged."""
    if filters.next:
        try:
            after = paging.read_token(filters.next, query, caller.user.pk)
        except paging.BadToken as error:
            raise TaxiiError(400, _("Bad next token"), str(error)) from error
        # (date_added, pk) > (last date_added, last pk), with the range first so that the database
        # starts its walk of the keyset index there instead of filtering from the beginning.
        rows = rows.filter(
            Q(date_added__gte=after.date_added),
            Q(date_added__gt=after.date_added) | Q(pk__gt=after.pk),
        )
    columns = ("pk", "date_added", *fields)
    if parts and len(parts) > 1 and connection.features.supports_slicing_ordering_in_compound:
        # UNION ALL of one ordered, limited scan per part (PostgreSQL plans each on an index whose
        # prefix is the part's equality), then the first `limit + 1` of their merge.
        pieces = [
            rows.filter(part).order_by("date_added", "pk").values_list(*columns)[: filters.limit + 1]
            for part in parts
        ]
        merged = pieces[0].union(*pieces[1:], all=True).order_by("date_added", "pk")
        found = list(merged[: filters.limit + 1])
    else:
        if parts:
            rows = rows.filter(functools.reduce(operator.or_, parts))
        found = list(rows.order_by("date_added", "pk").values_list(*columns)[: filters.limit + 1])
    more = len(found) > filters.limit
    found = found[: filters.limit]
    token = ""
    if more:
        token = paging.make_token(paging.Position(found[-1][1], found[-1][0]), query, caller.user.pk)
    return Page(rows=found, more=more, next=token)


def objects_page(caller: Caller, root: ApiRoot, collection_id: str, params: QueryDict) -> Page:
    """A page of objects (rows: pk, date_added, JSON text); `match[version]` is `last` by default."""
    found, access = readable_collection(caller, root, collection_id)
    filters = parse_filters(params, OBJECT_FILTERS)
    query = paging.query_key("objects", str(found.pk), filters.key())
    rows = _matching(ObjectVersion.objects.filter(collection=found), filters, "last")
    return _page(rows, filters, ("body",), caller, query, _visible_parts(caller, access))


def manifest_page(caller: Caller, root: ApiRoot, collection_id: str, params: QueryDict) -> Page:
    """A page of manifest entries (rows: pk, date_added, id, version, spec_version, the code of the
    organisation that wrote the version)."""
    found, access = readable_collection(caller, root, collection_id)
    filters = parse_filters(params, OBJECT_FILTERS)
    query = paging.query_key("manifest", str(found.pk), filters.key())
    rows = _matching(ObjectVersion.objects.filter(collection=found), filters, "last")
    fields = ("stix_id", "version", "spec_version", "author_organisation_id")
    page = _page(rows, filters, fields, caller, query, _visible_parts(caller, access))
    # The authors' codes in one query for the page, so the page's own query stays on its indexes.
    codes = dict(Organisation.objects.filter(pk__in={row[5] for row in page.rows}).values_list("pk", "code"))
    page.rows = [(*row[:5], codes[row[5]]) for row in page.rows]
    return page


def is_stix_id(value: str) -> bool:
    """Is `value` shaped as a STIX id (`type--UUID`)? Anything else is no object of any collection."""
    return _ID.fullmatch(value) is not None


def _object_rows(
    caller: Caller, root: ApiRoot, collection_id: str, stix_id: str
) -> tuple[Collection, QuerySet]:
    found, access = readable_collection(caller, root, collection_id)
    rows = visible(caller, found, access).filter(stix_id=stix_id)
    if not is_stix_id(stix_id) or not rows.exists():
        raise NotFound(_("There is no object %(id)s in this collection.") % {"id": stix_id})
    return found, rows


def object_page(caller: Caller, root: ApiRoot, collection_id: str, stix_id: str, params: QueryDict) -> Page:
    """A page of the versions of one object (rows: pk, date_added, JSON text); `last` by default."""
    found, rows = _object_rows(caller, root, collection_id, stix_id)
    filters = parse_filters(params, ONE_OBJECT_FILTERS)
    query = paging.query_key("object", f"{found.pk}/{stix_id}", filters.key())
    return _page(_matching(rows, filters, "last"), filters, ("body",), caller, query)


def versions_page(caller: Caller, root: ApiRoot, collection_id: str, stix_id: str, params: QueryDict) -> Page:
    """A page of one object's versions (rows: pk, date_added, version)."""
    found, rows = _object_rows(caller, root, collection_id, stix_id)
    filters = parse_filters(params, VERSIONS_FILTERS)
    query = paging.query_key("versions", f"{found.pk}/{stix_id}", filters.key())
    return _page(_matching(rows, filters, ""), filters, ("version",), caller, query)


def relationships(
    caller: Caller, collection: Collection, access: Access, stix_id: str, limit: int = MAX_PAGE
) -> list[dict[str, Any]]:
    """The last versions of the relationships and sightings that point from or to `stix_id`, among
    those the caller may read (for an object's page: its neighbours and how they are related)."""
    rows = (
        visible(caller, collection, access)
        .filter(Q(source_ref=stix_id) | Q(target_ref=stix_id), is_latest=True)
        .order_by("date_added", "pk")
        .values_list("body", flat=True)[:limit]
    )
    return [json.loads(body) for body in rows]


def status(caller: Caller, root: ApiRoot, status_id: str) -> Status:
    """A status resource of `root`, for the user who made the request; NotFound for anyone else."""
    try:
        key = uuid.UUID(status_id)
    except ValueError:
        key = None
    found = Status.objects.filter(pk=key, api_root=root, user_id=caller.user.pk).first() if key else None
    if found is None:
        raise NotFound(_("There is no status %(id)s here.") % {"id": status_id})
    return found


# --- the web pages' reads (/<lang>/threat-intel/): the same grants and TLP filter as TAXII -------------
# Every object a page shows comes through `visible` (so `sharing.visible_to`), in the database, before
# anything is counted, searched or paged: a page never holds what the reader may not see.

PAGE_SIZE = 50

#: STIX content without `lang` is English (STIX 2.1, 3.2: "If omitted, ... en").
DEFAULT_CONTENT_LANGUAGE = "en"


@dataclass(frozen=True)
class CollectionEntry:
    """A collection the reader may read, with its API root and what they may do."""

    collection: Collection
    access: Access


def collection_entries(caller: Caller) -> list[CollectionEntry]:
    """The collections of every API root that the caller may read (the pages, the API and the command)."""
    return [
        CollectionEntry(found, access)
        for root in api_roots()
        for found, access in collections(caller, root)
        if access.can_read
    ]


def collection_entry(caller: Caller, root: str, collection_id: str) -> CollectionEntry:
    """One collection the caller may read, by its API root's slug; NotFound otherwise (no grant, or no
    read right: a page does not tell a collection it may not read from one that does not exist)."""
    found, access = collection(caller, api_root(root), str(collection_id))
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
    caller: Caller,
    entry: CollectionEntry,
    search: str = "",
    stix_type: str = "",
    tlp: str = "",
    after: str = "",
) -> ObjectList:
    """The objects of a collection the caller may see (last versions), searched by name, type or id,
    filtered by type and TLP, keyset-paged newest first (`after` is the previous page's token)."""
    shown = visible(caller, entry.collection, entry.access)
    rows = shown.filter(is_latest=True)
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
    types = sorted(set(shown.filter(is_latest=True).values_list("type", flat=True).distinct()))
    return ObjectList(rows=[_summary(version) for version in found], next=token, types=types)


@dataclass(frozen=True)
class Related:
    """A relationship or sighting from or to an object: its id, its kind and its two ends."""

    stix_id: str
    kind: str
    source: str
    target: str


@dataclass(frozen=True)
class End:
    """An object a relationship or sighting itself points to: what it is to it (source, target...) and
    its id."""

    role: str
    stix_id: str


def ends_of(stix: dict[str, Any]) -> list[End]:
    """What a relationship (source_ref, target_ref) or a sighting (sighting_of_ref, observed_data_refs,
    where_sighted_refs) points to, in STIX 2.1's order; none for any other object."""
    if stix.get("type") == "relationship":
        named = [
            (pgettext("STIX relationship", "Source"), stix.get("source_ref")),
            (pgettext("STIX relationship", "Target"), stix.get("target_ref")),
        ]
    elif stix.get("type") == "sighting":
        named = [(_("Sighting of"), stix.get("sighting_of_ref"))]
        named += [(_("Observed data"), ref) for ref in stix.get("observed_data_refs") or []]
        named += [(_("Where sighted"), ref) for ref in stix.get("where_sighted_refs") or []]
    else:
        named = []
    return [End(str(role), str(ref)) for role, ref in named if isinstance(ref, str) and ref]


@dataclass
class ObjectDetail:
    """An object's page: its last version the reader may see, its versions and its relationships (and,
    for a relationship or sighting, the objects it points to: `ends`)."""

    version: ObjectVersion
    stix: dict[str, Any]
    json: str
    language: str
    other_markings: list[str]
    versions: list[ObjectVersion]
    relationships: list[Related]
    neighbours: dict[str, ObjectRow]
    ends: list[End] = field(default_factory=list)


def object_detail(caller: Caller, entry: CollectionEntry, stix_id: str) -> ObjectDetail:
    """One object as the caller may see it; NotFound when no version of it is visible to them.

    Showing the object is a read: it is recorded like a TAXII read (reads.py), whoever shows it."""
    if not is_stix_id(stix_id):
        raise NotFound(_("There is no object %(id)s in this collection.") % {"id": stix_id})
    shown = visible(caller, entry.collection, entry.access)
    versions = list(
        shown.filter(stix_id=stix_id)
        .select_related("author_organisation", "ledger_entry")
        .order_by("-version", "-pk")
    )
    if not versions:
        raise NotFound(_("There is no object %(id)s in this collection.") % {"id": stix_id})
    latest = versions[0]
    reads.record_versions(caller, [latest.pk])
    stix = json.loads(latest.body)
    related = [
        Related(
            stix_id=stix["id"],
            kind=str(stix.get("relationship_type") or stix["type"]),
            source=str(stix.get("source_ref") or ""),
            target=str(stix.get("target_ref") or stix.get("sighting_of_ref") or ""),
        )
        for stix in relationships(caller, entry.collection, entry.access, stix_id)
    ]
    own_ends = ends_of(stix)
    ends = {ref for one in related for ref in (one.source, one.target) if ref and ref != stix_id}
    ends |= {end.stix_id for end in own_ends}
    neighbours = {
        version.stix_id: _summary(version)
        for version in shown.filter(stix_id__in=ends, is_latest=True).select_related("author_organisation")
    }
    markings = [ref for ref in stix.get("object_marking_refs", []) if ref not in sharing.TLP_MARKINGS]
    return ObjectDetail(
        version=latest,
        stix=stix,
        json=json.dumps(stix, indent=2, ensure_ascii=False),
        language=str(stix.get("lang") or DEFAULT_CONTENT_LANGUAGE),
        other_markings=markings,
        versions=versions,
        relationships=related,
        neighbours=neighbours,
        ends=own_ends,
    )


def tlp_choices() -> list[tuple[str, str]]:
    """The TLP levels, least to most restrictive, for the filter."""
    return list(Tlp.choices)
