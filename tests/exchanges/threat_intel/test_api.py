"""/api/v1/threat-intel/ and `partnership threat-intel`: collections and grants, set up by a party's
secretariat for its own party's API root only."""

import json

import pytest
from django.core.management import CommandError, call_command

from partnership.exchanges.threat_intel.models import Collection, CollectionGrant

BASE = "/api/v1/threat-intel/collections"


def send(client, path, body, authorization):
    return client.post(
        path, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=authorization
    )


@pytest.fixture
def jp(members, token_for):
    return token_for(members["jp_secretariat"])


@pytest.fixture
def eu(members, token_for):
    return token_for(members["eu_secretariat"])


def test_an_anonymous_caller_lists_nothing_and_opens_nothing(client, community):
    assert client.get(BASE).status_code == 401
    before = Collection.objects.count()
    response = client.post(
        BASE, json.dumps({"api_root": "jp", "title": "x"}), content_type="application/json"
    )
    assert response.status_code == 401
    assert Collection.objects.count() == before


def test_a_member_lists_the_collections_it_reads(client, community, token_for):
    listed = client.get(BASE, HTTP_AUTHORIZATION=token_for(community.users["jp-isac"])).json()
    assert [(item["title"], item["can_write"]) for item in listed] == [("Shared ISAC feed", True)]
    assert listed[0]["taxii"] == f"/taxii2/jp/collections/{community.collection.pk}/"
    # An organisation with no grant reads none.
    assert client.get(BASE, HTTP_AUTHORIZATION=token_for(community.users["eu-outsider"])).json() == []


def test_a_secretariat_opens_a_collection_in_its_own_partys_root_only(client, community, jp, eu):
    made = send(client, BASE, {"api_root": "jp", "title": "Energy sector", "default_tlp": "green"}, jp)
    assert made.status_code == 201, made.content
    assert made.json()["api_root"] == "jp" and made.json()["default_tlp"] == "green"
    before = Collection.objects.count()
    refused = send(client, BASE, {"api_root": "jp", "title": "EU's word in JP's root"}, eu)
    assert refused.status_code == 403
    assert send(client, BASE, {"api_root": "xx", "title": "x"}, jp).status_code == 404
    assert (
        send(client, BASE, {"api_root": "jp", "title": "x", "default_tlp": "purple"}, jp).status_code == 422
    )
    assert send(client, BASE, {"api_root": "jp", "title": "   "}, jp).status_code == 422
    assert send(client, BASE, {"api_root": "jp", "title": "nul\u0000"}, jp).status_code == 400
    assert Collection.objects.count() == before


def test_a_secretariat_grants_the_use_of_its_partys_collection_only(client, community, jp, eu):
    grants = f"{BASE}/{community.collection.pk}/grants"
    given = send(client, grants, {"organisation": "eu-guest", "can_write": True, "community": False}, jp)
    assert given.status_code == 200, given.content
    listed = client.get(grants, HTTP_AUTHORIZATION=jp).json()
    assert {
        "organisation": "eu-guest",
        "party": None,
        "can_read": True,
        "can_write": True,
        "community": False,
    } in listed
    before = list(CollectionGrant.objects.values_list("pk", "can_read", "can_write", "community"))
    assert send(client, grants, {"organisation": "eu-outsider", "can_write": True}, eu).status_code == 403
    assert client.get(grants, HTTP_AUTHORIZATION=eu).status_code == 403
    assert send(client, grants, {"organisation": "nobody"}, jp).status_code == 422
    assert send(client, grants, {"organisation": "eu-guest", "party": "EU"}, jp).status_code == 422
    assert send(client, grants, {"organisation": "eu-guest", "can_write": "maybe"}, jp).status_code == 400
    assert send(client, f"{BASE}/not-a-uuid/grants", {"organisation": "eu-guest"}, jp).status_code == 404
    assert list(CollectionGrant.objects.values_list("pk", "can_read", "can_write", "community")) == before


def test_the_command_does_the_same_under_the_same_rules(community, members, capsys):
    call_command(
        "threat_intel", "open", "jp", "From the command", "--tlp", "green", "--user", "jp-secretariat"
    )
    collection_id = capsys.readouterr().out.split("\t")[0]
    collection = Collection.objects.get(pk=collection_id)
    call_command(
        "threat_intel",
        "grant",
        collection_id,
        "--organisation",
        "jp-isac",
        "--write",
        "--user",
        "jp-secretariat",
    )
    assert CollectionGrant.objects.get(collection=collection, organisation__code="jp-isac").can_write
    with pytest.raises(CommandError, match="secretariat"):
        call_command("threat_intel", "open", "jp", "Not yours", "--user", "eu-secretariat")
    with pytest.raises(CommandError, match="secretariat"):
        call_command("threat_intel", "grant", collection_id, "--party", "EU", "--user", "eu-secretariat")
    with pytest.raises(CommandError, match="no active user"):
        call_command("threat_intel", "collections", "--user", "nobody")
    call_command("threat_intel", "collections", "--user", "jp-isac")
    assert f"/taxii2/jp/collections/{collection_id}/" in capsys.readouterr().out
