"""Hostile bodies, parameters and paths: each a clear TAXII (or page) error that changes nothing, never
a 500, on SQLite and PostgreSQL alike."""

import pytest
from django.test import Client

from partnership.exchanges.threat_intel.models import ObjectVersion, Status
from tests.exchanges.threat_intel.conftest import Taxii, basic, indicator, objects_url
from tests.exchanges.threat_intel.test_http import assert_taxii_error

pytestmark = pytest.mark.django_db

GOOD = '{"type": "indicator", "spec_version": "2.1", "id": "indicator--2f1e8a57-0c39-4b0a-9d6d-5f8a3f0b7c11",'
GOOD += ' "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z", "name": "n",'
GOOD += ' "pattern": "[domain-name:value = \'evil.example\']", "pattern_type": "stix",'
GOOD += ' "valid_from": "2026-01-01T00:00:00Z"'


def envelope(extra: str) -> str:
    """An envelope of one good indicator and an envelope-wide good one, `extra` added to the first."""
    return '{"objects": [' + GOOD + ", " + extra + "}]}"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (envelope('"x_score": NaN'), "NaN"),
        (envelope('"x_score": Infinity'), "Infinity"),
        (envelope('"x_score": -Infinity'), "Infinity"),
        (envelope('"x_score": 1e999'), "1e999"),
        (envelope('"name": "twice"'), "name"),  # a duplicate member name
        (
            envelope('"external_references": [{"source_name": "a\\u0000b", "url": "https://x.example"}]'),
            "NUL",
        ),
        (envelope('"x_note\\u0000": "n"'), "NUL"),
        ('{"objects": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested"),
        (b'{"objects": ["\xff"]}', "UTF-8"),
    ],
)
def test_a_body_that_is_not_i_json_is_a_400_with_the_reason_and_stores_nothing(
    community, as_user, body, reason
):
    response = as_user("jp-isac").post(objects_url(community.collection), body)
    error = assert_taxii_error(response, 400)
    assert reason in error["description"], error
    assert not ObjectVersion.objects.exists()
    assert not Status.objects.exists()


def test_the_reason_is_in_the_callers_language(community, as_user):
    response = as_user("jp-isac").post(
        objects_url(community.collection), envelope('"x_score": NaN'), HTTP_ACCEPT_LANGUAGE="ja"
    )
    assert "NaN" in assert_taxii_error(response, 400)["description"]
    assert "JSON" in response.json()["description"] and "数値" in response.json()["description"]


NUL = "\x00"


@pytest.mark.parametrize(
    "query",
    [
        {"limit": NUL},
        {"limit": "9" * 5000},
        {"limit": "1e999"},
        {"limit": "-1"},
        {"next": NUL},
        {"next": "x" * 10_000},
        {"next": "é:" * 50},
        {"added_after": NUL},
        {"added_after": "2026-01-01T00:00:00Z" + NUL},
        {"added_after": "0000-01-01T00:00:00Z"},
        {"added_after": "2026-02-30T00:00:00Z"},
        {"match[id]": f"indicator--2f1e8a57-0c39-4b0a-9d6d-5f8a3f0b7c11{NUL}"},
        {"match[type]": f"indicator{NUL}"},
        {"match[version]": NUL},
        {"match[version]": "9" * 100},
        {"match[spec_version]": f"2.1{NUL}"},
    ],
)
@pytest.mark.parametrize("endpoint", ["objects/", "manifest/", "objects/{id}/", "objects/{id}/versions/"])
def test_hostile_query_parameters_are_a_400(community, as_user, query, endpoint):
    stix = indicator()
    client = as_user("jp-isac")
    client.post(objects_url(community.collection), {"objects": [stix]})
    url = objects_url(community.collection).replace("objects/", endpoint.format(id=stix["id"]))
    name = next(iter(query))
    if endpoint.startswith("objects/{id}") and name in ("match[id]", "match[type]"):
        return  # not filters of one object's endpoints (ignored there)
    if endpoint.endswith("versions/") and name == "match[version]":
        return
    assert_taxii_error(client.get(url, query), 400)


def test_a_huge_limit_is_cut_to_the_largest_page(community, as_user):
    client = as_user("jp-isac")
    client.post(objects_url(community.collection), {"objects": [indicator()]})
    response = client.get(objects_url(community.collection), {"limit": "9" * 400})
    assert response.status_code == 200 and len(response.json()["objects"]) == 1


@pytest.mark.parametrize(
    "object_id", [f"indicator--{NUL}", "indicator--2f1e8a57-0c39-4b0a-9d6d-5f8a3f0b7c1%00"]
)
def test_a_nul_in_an_object_path_is_a_404(community, as_user, object_id):
    client = as_user("jp-isac")
    url = objects_url(community.collection) + object_id.replace(NUL, "%00") + "/"
    assert_taxii_error(client.get(url), 404)
    assert_taxii_error(client.get(url + "versions/"), 404)
    assert_taxii_error(client.delete(url), 404)


def test_a_nul_in_the_credentials_is_a_401(community):
    for username in (f"jp-isac{NUL}", NUL):
        response = Taxii(None, basic(username)).get("/taxii2/")
        assert_taxii_error(response, 401)
    assert_taxii_error(Taxii(None, f"Bearer pt_{NUL}").get("/taxii2/"), 401)


def test_a_nul_in_the_pages_search_or_path_is_a_clear_error(community):
    client = Client()
    client.force_login(community.users["jp-isac"])
    url = f"/en/threat-intel/jp/{community.collection.pk}/"
    assert client.get(url, {"q": f"evil{NUL}"}).status_code == 400
    assert client.get(url, {"type": f"indicator{NUL}"}).status_code == 400
    assert client.get(url, {"after": NUL}).status_code == 400
    # A NUL in a page address is refused before any view runs (web.middleware.RefuseNulMiddleware).
    assert client.get(url + "indicator--%00/").status_code == 400
