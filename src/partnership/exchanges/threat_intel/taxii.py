"""TAXII 2.1 endpoints under /taxii2/: each reads the request, calls a query or service, renders JSON."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.urls import path, re_path
from django.utils.translation import gettext as _

from partnership.inputs import JsonInputError, load_json

from . import queries, reads, services
from .errors import TaxiiError
from .protocol import (
    STIX_MEDIA_TYPE,
    TAXII_MEDIA_TYPE,
    endpoint,
    error_response,
    is_taxii_content,
    taxii_response,
)
from .stix import format_timestamp

#: The manifest's custom property naming the organisation (its code) that wrote each version.
AUTHOR_PROPERTY = "x_partnership_author"


def _caller(request: HttpRequest) -> queries.Caller:
    return queries.caller_for(request.user)


def _root_url(request: HttpRequest, root) -> str:
    return request.build_absolute_uri(f"/taxii2/{root.slug}/")


@endpoint("GET")
def discovery(request: HttpRequest) -> HttpResponse:
    """Server discovery (TAXII 2.1, 4.1): the API roots of this node."""
    roots = queries.api_roots()
    caller = _caller(request)
    default = next((root for root in roots if root.party_id == caller.party_id), roots[0] if roots else None)
    document = {
        "title": _("Japan-EU Digital Partnership: threat intelligence sharing"),
        "description": _("TAXII 2.1 server of the ISACs of the partnership's parties (para 54)."),
        "api_roots": [_root_url(request, root) for root in roots],
    }
    if default is not None:
        document["default"] = _root_url(request, default)
    return taxii_response(document)


@endpoint("GET")
def api_root(request: HttpRequest, root: str) -> HttpResponse:
    """An API root's information (4.2)."""
    found = queries.api_root(root)
    return taxii_response(
        {
            "title": found.title,
            "description": found.description,
            "versions": [TAXII_MEDIA_TYPE],
            "max_content_length": found.max_content_length,
        }
    )


@endpoint("GET")
def status(request: HttpRequest, root: str, status_id: str) -> HttpResponse:
    """A status resource (4.3), for the user who posted the envelope."""
    found = queries.status(_caller(request), queries.api_root(root), status_id)
    return taxii_response(services.status_document(found))


def _collection_document(collection, access) -> dict:
    document = {
        "id": str(collection.pk),
        "title": collection.title,
        "description": collection.description,
        "can_read": access.can_read,
        "can_write": access.can_write,
        "media_types": [STIX_MEDIA_TYPE],
    }
    if collection.alias:
        document["alias"] = collection.alias
    if not collection.description:
        del document["description"]
    return document


@endpoint("GET")
def collections(request: HttpRequest, root: str) -> HttpResponse:
    """The collections the caller may use (5.1); an empty object when there are none."""
    found = queries.collections(_caller(request), queries.api_root(root))
    if not found:
        return taxii_response({})
    return taxii_response({"collections": [_collection_document(c, a) for c, a in found]})


@endpoint("GET")
def collection(request: HttpRequest, root: str, collection_id: str) -> HttpResponse:
    """One collection (5.2)."""
    found, access = queries.collection(_caller(request), queries.api_root(root), collection_id)
    return taxii_response(_collection_document(found, access))


def _date_headers(page: queries.Page) -> dict[str, str]:
    if not page.rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": page.date_added_first or "",
        "X-TAXII-Date-Added-Last": page.date_added_last or "",
    }


def _envelope(page: queries.Page) -> HttpResponse:
    # The stored JSON texts are joined as they are: no object is decoded and encoded again.
    if not page.rows:
        return taxii_response({})
    head: dict[str, object] = {"more": page.more}
    if page.next:
        head["next"] = page.next
    text = json.dumps(head)[:-1] + ',"objects":[' + ",".join(row[2] for row in page.rows) + "]}"
    return taxii_response(text, headers=_date_headers(page))


@endpoint("GET", "POST")
def objects(request: HttpRequest, root: str, collection_id: str) -> HttpResponse:
    """Get objects (5.3) or add objects (5.4) to a collection."""
    caller = _caller(request)
    found_root = queries.api_root(root)
    if request.method == "GET":
        page = queries.objects_page(caller, found_root, collection_id, request.GET)
        reads.record(caller, page)
        return _envelope(page)
    found, access = queries.collection(caller, found_root, collection_id)
    services.require_write(found, access)  # before the body is read
    if not is_taxii_content(request.META.get("CONTENT_TYPE", "")):
        raise TaxiiError(
            415, _("Unsupported media type"), _("Send the envelope as %(type)s.") % {"type": TAXII_MEDIA_TYPE}
        )
    limit = found.content_limit
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    # The declared length first, so an oversized body is refused before it is read.
    if declared > limit or len(request.body) > limit:
        raise TaxiiError(413, _("Request too large"), _("The limit is %(limit)s bytes.") % {"limit": limit})
    try:
        # I-JSON (RFC 7493), as every JSON entry point reads it: no NaN or Infinity, no number that
        # overflows, no duplicate member names, no NUL (PostgreSQL cannot store it), bounded nesting.
        envelope = load_json(request.body)
    except JsonInputError as error:
        # A body this server will not read at all: TAXII's 400 ("did not understand the request"),
        # with the reason; 422 stays for a readable body that is not an envelope.
        raise TaxiiError(400, _("Malformed JSON"), error.message) from error
    result = services.add_objects(caller, found, envelope)
    return taxii_response(services.status_document(result), status=202)


@endpoint("GET", "DELETE")
def object_(request: HttpRequest, root: str, collection_id: str, object_id: str) -> HttpResponse:
    """Get (5.5) or delete (5.6) one object's versions."""
    caller = _caller(request)
    found_root = queries.api_root(root)
    if request.method == "DELETE":
        services.delete_object(caller, found_root, collection_id, object_id, request.GET)
        return taxii_response("", status=200)
    page = queries.object_page(caller, found_root, collection_id, object_id, request.GET)
    reads.record(caller, page)
    return _envelope(page)


@endpoint("GET")
def versions(request: HttpRequest, root: str, collection_id: str, object_id: str) -> HttpResponse:
    """The versions of one object (5.7)."""
    caller = _caller(request)
    page = queries.versions_page(caller, queries.api_root(root), collection_id, object_id, request.GET)
    reads.record(caller, page)
    if not page.rows:
        return taxii_response({})
    document: dict = {
        "more": page.more,
        "versions": [format_timestamp(row[2], micro=False) for row in page.rows],
    }
    if page.next:
        document["next"] = page.next
    return taxii_response(document, headers=_date_headers(page))


@endpoint("GET")
def manifest(request: HttpRequest, root: str, collection_id: str) -> HttpResponse:
    """The manifest of a collection (5.3 manifest resource)."""
    page = queries.manifest_page(_caller(request), queries.api_root(root), collection_id, request.GET)
    if not page.rows:
        return taxii_response({})
    # Each entry also names the organisation that wrote the version, in a custom property (the `x_`
    # prefix STIX gives custom properties; TAXII clients pass over properties they do not know).
    entries = [
        {
            "id": stix_id,
            "date_added": format_timestamp(date_added),
            "version": format_timestamp(version, micro=False),
            "media_type": f"application/stix+json;version={spec_version}",
            AUTHOR_PROPERTY: author,
        }
        for _pk, date_added, stix_id, version, spec_version, author in page.rows
    ]
    document: dict = {"more": page.more, "objects": entries}
    if page.next:
        document["next"] = page.next
    return taxii_response(document, headers=_date_headers(page))


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Anything else under /taxii2/: a TAXII 404, never Django's HTML page."""
    return error_response(404, _("Not found"), _("There is no TAXII endpoint at this address."))


# /taxii2/ (outside the language prefix: TAXII clients do not pick a language); contract.root_urls
app_name = "threat_intel"

_COLLECTION = "<slug:root>/collections/<str:collection_id>/"

urlpatterns = [
    path("", discovery, name="discovery"),
    path("<slug:root>/", api_root, name="api_root"),
    path("<slug:root>/status/<str:status_id>/", status, name="status"),
    path("<slug:root>/collections/", collections, name="collections"),
    path(_COLLECTION, collection, name="collection"),
    path(_COLLECTION + "objects/", objects, name="objects"),
    path(_COLLECTION + "objects/<str:object_id>/", object_, name="object"),
    path(_COLLECTION + "objects/<str:object_id>/versions/", versions, name="versions"),
    path(_COLLECTION + "manifest/", manifest, name="manifest"),
    re_path(r"^(?P<rest>.*)$", not_found),
]
