"""Fixtures of the TAXII server: ISAC organisations of both parties, their members, a shared collection."""

import base64
import json
import uuid
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.conftest import PASSWORD

TAXII = "application/taxii+json;version=2.1"


@dataclass
class Community:
    """The organisations and users of the tests: both parties' ISACs, a third ISAC, a guest, an outsider."""

    jp_isac: object
    eu_isac: object
    jp_cert: object
    guest: object
    outsider: object
    users: dict
    collection: object


def basic(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Taxii:
    """A Django test client speaking TAXII as one user."""

    def __init__(self, username: str | None, authorization: str | None = None):
        self.client = Client()
        self.headers = {"HTTP_ACCEPT": TAXII}
        if authorization or username:
            self.headers["HTTP_AUTHORIZATION"] = authorization or basic(username)

    def get(self, path: str, data=None, **extra):
        return self.client.get(path, data or {}, **{**self.headers, **extra})

    def post(self, path: str, document, content_type: str = TAXII, **extra):
        body = document if isinstance(document, (str, bytes)) else json.dumps(document)
        return self.client.post(path, body, content_type=content_type, **{**self.headers, **extra})

    def delete(self, path: str, query: str = "", **extra):
        return self.client.delete(path + (f"?{query}" if query else ""), **{**self.headers, **extra})


def make_community(programme_loaded=True) -> Community:
    from partnership.exchanges.threat_intel import services
    from partnership.exchanges.threat_intel.models import ApiRoot
    from partnership.people.models import Organisation, Party
    from partnership.people.services import create_member

    jp, eu = Party.objects.get(code="JP"), Party.objects.get(code="EU")

    def organisation(code: str, party) -> Organisation:
        return Organisation.objects.create(code=code, party=party, kind="stakeholder", name_en=code.upper())

    jp_isac, eu_isac = organisation("jp-isac", jp), organisation("eu-isac", eu)
    jp_cert, guest, outsider = (
        organisation("jp-cert", jp),
        organisation("eu-guest", eu),
        organisation("eu-outsider", eu),
    )
    users = {
        org.code: create_member(org.code, PASSWORD, org, "stakeholder")
        for org in (jp_isac, eu_isac, jp_cert, guest, outsider)
    }
    services.ensure_api_roots()
    collection = services.create_collection(
        ApiRoot.objects.get(slug="jp"), "Shared ISAC feed", default_tlp="amber", allow_custom=True
    )
    services.grant(collection, jp_isac, can_read=True, can_write=True)
    services.grant(collection, eu_isac, can_read=True, can_write=True)
    services.grant(collection, jp_cert, can_read=True, can_write=False)
    services.grant(collection, guest, can_read=True, can_write=False, community=False)
    return Community(jp_isac, eu_isac, jp_cert, guest, outsider, users, collection)


@pytest.fixture
def community(programme) -> Community:
    return make_community()


@pytest.fixture
def as_user():
    """as_user("jp-isac") -> a TAXII test client authenticated with HTTP Basic as that member."""
    return Taxii


def objects_url(collection, root: str = "jp") -> str:
    return f"/taxii2/{root}/collections/{collection.pk}/objects/"


def stix_object(stix_type: str, **fields) -> dict:
    """A STIX 2.1 object of `stix_type` with a new id, created and modified at 2026-01-01, and `fields`
    (which may replace any of these)."""
    return {
        "type": stix_type,
        "spec_version": "2.1",
        "id": f"{stix_type}--{uuid.uuid4()}",
        "created": "2026-01-01T00:00:00.000Z",
        "modified": "2026-01-01T00:00:00.000Z",
        **fields,
    }


def indicator(name: str = "bad domain", marking: str | None = None, recipients=None, **extra) -> dict:
    """A valid STIX 2.1 indicator, new each call unless `id` and `modified` are given."""
    stix = stix_object(
        "indicator",
        name=name,
        pattern="[domain-name:value = 'evil.example']",
        pattern_type="stix",
        valid_from="2026-01-01T00:00:00Z",
    )
    if marking:
        stix["object_marking_refs"] = [marking]
    if recipients is not None:
        stix["x_partnership_recipients"] = recipients
    stix.update(extra)
    return stix


def relationship(source: dict, target: dict, marking: str, relationship_type: str = "related-to") -> dict:
    """A STIX 2.1 relationship from `source` to `target` under `marking`, new each call."""
    return stix_object(
        "relationship",
        relationship_type=relationship_type,
        source_ref=source["id"],
        target_ref=target["id"],
        object_marking_refs=[marking],
    )
