"""/api/v1/threat-intel/: the collections a member reads, and their set-up by a party's secretariat.

The STIX objects themselves are read and written over TAXII 2.1 (`taxii` URLs, /taxii2/); this router
manages what TAXII serves: collections and who may use them (para 54).
"""

from typing import Any

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from partnership.api_helpers import WRITE_AUTH, error_responses, signed_in

from . import queries, services

router = Router(tags=["threat intelligence"])


class CollectionOut(Schema):
    id: str
    api_root: str = Field(description="the TAXII API root's path, e.g. jp for /taxii2/jp/")
    title: str
    description: str
    default_tlp: str
    allow_custom: bool
    kept_by: str | None = Field(description="the party whose node keeps it (a read-only copy here), or null")
    can_read: bool
    can_write: bool
    taxii: str = Field(description="the collection's TAXII address")


class CollectionIn(Schema):
    api_root: str = Field(description="the API root of your party, e.g. jp")
    title: str
    description: str = ""
    default_tlp: str = Field(
        "amber", description="TLP of unmarked objects: clear, green, amber, amber+strict, red"
    )
    allow_custom: bool = False


class GrantIn(Schema):
    organisation: str | None = Field(None, description="an organisation's code; or give party")
    party: str | None = Field(None, description="a party's code: every organisation of it")
    can_read: bool = True
    can_write: bool = False
    community: bool = Field(True, description="a member of the sharing community reads TLP:GREEN")


class GrantOut(Schema):
    organisation: str | None
    party: str | None
    can_read: bool
    can_write: bool
    community: bool


def _collection_out(collection, access) -> dict[str, Any]:
    root = collection.api_root.slug
    return {
        "id": str(collection.pk),
        "api_root": root,
        "title": collection.title,
        "description": collection.description,
        "default_tlp": collection.default_tlp,
        "allow_custom": collection.allow_custom,
        "kept_by": collection.peer or None,
        "can_read": access.can_read,
        "can_write": access.can_write,
        "taxii": f"/taxii2/{root}/collections/{collection.pk}/",
    }


def _grant_out(grant) -> dict[str, Any]:
    return {
        "organisation": grant.organisation.code if grant.organisation else None,
        "party": grant.party.code if grant.party else None,
        "can_read": grant.can_read,
        "can_write": grant.can_write,
        "community": grant.community,
    }


@router.get("collections", response={200: list[CollectionOut], **error_responses(401)})
def list_collections(request):
    """The collections you may read, in every API root of this node."""
    caller = queries.caller_for(signed_in(request))
    return [_collection_out(entry.collection, entry.access) for entry in queries.collection_entries(caller)]


@router.post(
    "collections",
    auth=WRITE_AUTH,
    response={201: CollectionOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Open a collection in your party's API root (its secretariat)",
)
def open_collection(request, payload: CollectionIn):
    collection = services.open_collection(request.auth, payload.api_root, payload.model_dump())
    access = queries.Access(can_read=False, can_write=False)
    return Status(201, _collection_out(collection, access))


@router.get(
    "collections/{collection_id}/grants",
    response={200: list[GrantOut], **error_responses(401, 403, 404)},
    summary="Who may use a collection (its API root's party's secretariat)",
)
def list_grants(request, collection_id: str):
    collection = services.managed_collection(signed_in(request), collection_id)
    return [_grant_out(grant) for grant in queries.grants(collection)]


@router.post(
    "collections/{collection_id}/grants",
    auth=WRITE_AUTH,
    response={200: GrantOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Let an organisation or a party read and/or write a collection (replaces its grant)",
)
def set_grant(request, collection_id: str, payload: GrantIn):
    return _grant_out(services.set_grant(request.auth, collection_id, payload.model_dump()))
