"""The HTTP rules of TAXII 2.1: media types, negotiation, authentication, and every error status."""

import json

import pytest

from partnership.exchanges.threat_intel.models import ObjectVersion
from tests.exchanges.threat_intel.conftest import TAXII, Taxii, basic, indicator, objects_url

pytestmark = pytest.mark.django_db


def assert_taxii_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == TAXII
    body = response.json()
    assert body["http_status"] == str(status)
    assert body["title"]
    assert "Traceback" not in response.content.decode()
    return body


def test_every_endpoint_answers_with_the_taxii_media_type(community, as_user, token_for):
    client = as_user("jp-isac")
    url = f"/taxii2/jp/collections/{community.collection.pk}/"
    status = client.post(objects_url(community.collection), {"objects": [indicator()]})
    stix_id = json.loads(status.content)["successes"][0]["id"]
    paths = [
        "/taxii2/",
        "/taxii2/jp/",
        "/taxii2/jp/collections/",
        url,
        url + "objects/",
        url + f"objects/{stix_id}/",
        url + f"objects/{stix_id}/versions/",
        url + "manifest/",
        f"/taxii2/jp/status/{status.json()['id']}/",
    ]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content)
        assert response["Content-Type"] == TAXII, path


def test_discovery_lists_one_api_root_per_party(community, as_user):
    body = as_user("eu-isac").get("/taxii2/").json()
    assert body["api_roots"] == ["http://testserver/taxii2/eu/", "http://testserver/taxii2/jp/"]
    assert body["default"] == "http://testserver/taxii2/eu/"  # the caller's own party
    root = as_user("eu-isac").get("/taxii2/eu/").json()
    assert root["versions"] == [TAXII]
    assert root["max_content_length"] > 0


def test_401_without_or_with_wrong_credentials(community):
    for authorization in (None, basic("jp-isac", "wrong-password-1"), "Bearer pt_nonsense", "Basic !!!"):
        response = Taxii(None, authorization).get("/taxii2/")
        assert_taxii_error(response, 401)
        assert "Basic" in response["WWW-Authenticate"] and "Bearer" in response["WWW-Authenticate"]


def test_bearer_tokens_of_the_people_app(community, token_for):
    client = Taxii(None, token_for(community.users["eu-isac"]))
    assert client.get("/taxii2/jp/collections/").json()["collections"][0]["can_write"] is True


@pytest.mark.parametrize("accept", ["application/json", "text/html", "application/taxii+json;version=2.0"])
def test_406_for_an_accept_header_without_taxii_2_1(community, as_user, accept):
    assert_taxii_error(as_user("jp-isac").get("/taxii2/", HTTP_ACCEPT=accept), 406)


@pytest.mark.parametrize(
    "accept", ["application/taxii+json", "*/*", "application/taxii+json;version=2.1, */*;q=0.1"]
)
def test_acceptable_accept_headers(community, as_user, accept):
    assert as_user("jp-isac").get("/taxii2/", HTTP_ACCEPT=accept).status_code == 200


def test_415_for_a_wrong_content_type(community, as_user):
    response = as_user("jp-isac").post(
        objects_url(community.collection), {"objects": [indicator()]}, content_type="application/json"
    )
    assert_taxii_error(response, 415)
    assert not ObjectVersion.objects.exists()


def test_413_over_the_collections_max_content_length(community, as_user):
    community.collection.max_content_length = 2000
    community.collection.save()
    big = {"objects": [indicator(description="x" * 3000)]}
    assert_taxii_error(as_user("jp-isac").post(objects_url(community.collection), big), 413)
    assert not ObjectVersion.objects.exists()


def test_400_for_malformed_json_and_422_for_a_body_that_is_not_an_envelope(community, as_user):
    client = as_user("jp-isac")
    assert_taxii_error(client.post(objects_url(community.collection), '{"objects": ['), 400)
    for body in ([indicator()], {"objects": {}}, {"more": False}, "42"):
        assert_taxii_error(client.post(objects_url(community.collection), body), 422)
    assert not ObjectVersion.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        {"added_after": "yesterday"},
        {"added_after": "2026-13-01T00:00:00Z"},
        {"match[version]": "newest"},
        {"match[version]": "2026-01-01"},
        {"limit": "ten"},
        {"limit": "0"},
        {"match[id]": "not-an-id"},
        {"match[type]": "Not A Type"},
        {"match[spec_version]": "two"},
        {"next": "garbage"},
    ],
)
def test_400_for_a_malformed_filter(community, as_user, query):
    assert_taxii_error(as_user("jp-isac").get(objects_url(community.collection), query), 400)


def test_404_and_403_by_the_collections_grants(community, as_user):
    from partnership.exchanges.threat_intel import services

    url = objects_url(community.collection)
    # No grant at all: the collection does not exist for them.
    assert_taxii_error(as_user("eu-outsider").get(url), 404)
    assert_taxii_error(as_user("eu-outsider").get(f"/taxii2/jp/collections/{community.collection.pk}/"), 404)
    assert as_user("eu-outsider").get("/taxii2/jp/collections/").json() == {}
    # Read but not write: 403 on POST, and DELETE.
    assert_taxii_error(as_user("jp-cert").post(url, {"objects": [indicator()]}), 403)
    # Write but not read: 403 on GET.
    services.grant(community.collection, community.outsider, can_read=False, can_write=True)
    assert_taxii_error(as_user("eu-outsider").get(url), 403)
    assert_taxii_error(as_user("eu-outsider").get(url.replace("objects/", "manifest/")), 403)
    assert as_user("eu-outsider").post(url, {"objects": [indicator()]}).status_code == 202


def test_404_for_unknown_roots_collections_objects_and_paths(community, as_user):
    client = as_user("jp-isac")
    assert_taxii_error(client.get("/taxii2/xx/"), 404)
    assert_taxii_error(client.get("/taxii2/jp/collections/not-a-uuid/"), 404)
    assert_taxii_error(
        client.get("/taxii2/jp/collections/6f0e7a4c-51bc-4d7a-9b4c-5c1d9a1f0b11/objects/"), 404
    )
    # The collection lives in the JP API root, not the EU one.
    assert_taxii_error(client.get(objects_url(community.collection, root="eu")), 404)
    assert_taxii_error(
        client.get(objects_url(community.collection) + "indicator--6f0e7a4c-51bc-4d7a-9b4c-5c1d9a1f0b11/"),
        404,
    )
    assert_taxii_error(client.get("/taxii2/jp/nothing/here/"), 404)


def test_405_names_the_allowed_methods(community, as_user):
    response = as_user("jp-isac").client.put(
        objects_url(community.collection), "{}", content_type=TAXII, **as_user("jp-isac").headers
    )
    assert_taxii_error(response, 405)
    assert response["Allow"] == "GET, POST"


def test_post_answers_202_with_a_status_resource_that_its_author_can_read(community, as_user):
    client = as_user("jp-isac")
    response = client.post(objects_url(community.collection), {"objects": [indicator(), indicator()]})
    assert response.status_code == 202
    status = response.json()
    assert status["status"] == "complete"
    assert (
        status["total_count"],
        status["success_count"],
        status["failure_count"],
        status["pending_count"],
    ) == (2, 2, 0, 0)
    again = client.get(f"/taxii2/jp/status/{status['id']}/").json()
    assert again == status
    assert_taxii_error(as_user("eu-isac").get(f"/taxii2/jp/status/{status['id']}/"), 404)
    assert_taxii_error(client.get(f"/taxii2/eu/status/{status['id']}/"), 404)


def test_status_resources_are_kept_a_day_at_least(community, as_user):
    import datetime

    from django.utils import timezone

    from partnership.exchanges.threat_intel.models import Status

    client = as_user("jp-isac")
    first = client.post(objects_url(community.collection), {"objects": [indicator()]}).json()
    Status.objects.filter(pk=first["id"]).update(
        request_timestamp=timezone.now() - datetime.timedelta(hours=25)
    )
    client.post(objects_url(community.collection), {"objects": [indicator()]})
    assert client.get(f"/taxii2/jp/status/{first['id']}/").status_code == 200


def test_repeated_wrong_passwords_pause_logins_with_a_taxii_error(community, settings, token_for):
    for _attempt in range(settings.LOGIN_FAILURE_LIMIT - 1):
        assert_taxii_error(Taxii(None, basic("jp-isac", "wrong-password-1")).get("/taxii2/"), 401)
    # django-axes locks the account and address; the answer stays a TAXII message, not the web page.
    body = assert_taxii_error(Taxii(None, basic("jp-isac", "wrong-password-1")).get("/taxii2/"), 429)
    assert "paused" in body["description"]
    assert_taxii_error(Taxii("jp-isac").get("/taxii2/"), 429)
    # A bearer token is no password: it still works.
    assert Taxii(None, token_for(community.users["jp-isac"])).get("/taxii2/").status_code == 200
