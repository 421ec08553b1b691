"""Objects, versions and manifest: filters, ordering, paging, duplicates, partial failures, deletion."""

import re
import uuid

import pytest

from partnership.exchanges.threat_intel import services
from partnership.exchanges.threat_intel.models import ApiRoot, ObjectVersion
from tests.exchanges.threat_intel.conftest import indicator, objects_url, stix_object

pytestmark = pytest.mark.django_db

MICROSECONDS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
STIX_ID = f"indicator--{uuid.uuid4()}"
TIMES = ["2026-01-01T00:00:00.000Z", "2026-02-01T00:00:00.000Z", "2026-03-01T00:00:00.000Z"]


def versions_of(client, collection, stix_id=STIX_ID):
    return [indicator(f"v{n}", id=stix_id, modified=time) for n, time in enumerate(TIMES)]


@pytest.fixture
def three_versions(community, as_user):
    client = as_user("jp-isac")
    # Sent out of order: first, last and timestamps are by version, not by arrival.
    v0, v1, v2 = versions_of(client, community.collection)
    for envelope in ([v1], [v2, v0]):
        assert (
            client.post(objects_url(community.collection), {"objects": envelope}).json()["failure_count"] == 0
        )
    return client


@pytest.mark.parametrize(
    ("version", "names"),
    [
        (None, ["v2"]),
        ("last", ["v2"]),
        ("first", ["v0"]),
        ("all", ["v1", "v2", "v0"]),
        ("first,last", ["v2", "v0"]),
        (TIMES[1], ["v1"]),
        ("2026-02-01T00:00:00Z", ["v1"]),
        ("2025-01-01T00:00:00Z", []),
    ],
)
def test_match_version(community, three_versions, version, names):
    query = {"match[version]": version} if version else {}
    body = three_versions.get(objects_url(community.collection), query).json()
    assert [o["name"] for o in body.get("objects", [])] == names  # in date_added order
    one = three_versions.get(objects_url(community.collection) + STIX_ID + "/", query).json()
    assert [o["name"] for o in one.get("objects", [])] == names


def test_versions_endpoint_and_manifest(community, three_versions):
    url = objects_url(community.collection) + STIX_ID + "/versions/"
    response = three_versions.get(url)
    assert response.json() == {"more": False, "versions": [TIMES[1], TIMES[2], TIMES[0]]}
    assert MICROSECONDS.match(response["X-TAXII-Date-Added-First"])
    assert MICROSECONDS.match(response["X-TAXII-Date-Added-Last"])
    paged = three_versions.get(url, {"limit": "2"}).json()
    assert paged["more"] is True and len(paged["versions"]) == 2
    rest = three_versions.get(url, {"limit": "2", "next": paged["next"]}).json()
    assert rest["versions"] == [TIMES[0]] and rest["more"] is False
    manifest = three_versions.get(
        objects_url(community.collection).replace("objects/", "manifest/"), {"match[version]": "all"}
    ).json()
    entries = manifest["objects"]
    assert [entry["version"] for entry in entries] == [TIMES[1], TIMES[2], TIMES[0]]
    assert all(entry["media_type"] == "application/stix+json;version=2.1" for entry in entries)
    assert all(MICROSECONDS.match(entry["date_added"]) for entry in entries)


def test_spec_version_type_and_id_filters(community, as_user):
    client = as_user("jp-isac")
    other = indicator("other")
    malware = stix_object("malware", name="m", is_family=False)
    client.post(objects_url(community.collection), {"objects": [other, malware]})
    url = objects_url(community.collection)

    def names(query):
        return [o.get("name") for o in client.get(url, query).json().get("objects", [])]

    assert names({"match[type]": "malware"}) == ["m"]
    assert names({"match[type]": "malware,indicator"}) == ["other", "m"]
    assert names({"match[id]": other["id"]}) == ["other"]
    assert names({"match[spec_version]": "2.1"}) == ["other", "m"]
    assert names({"match[spec_version]": "2.0"}) == []


def test_added_after_resumes_exactly_from_the_last_date_added(community, as_user):
    client = as_user("jp-isac")
    url = objects_url(community.collection)
    client.post(url, {"objects": [indicator(f"a{n}") for n in range(3)]})
    first = client.get(url)
    assert [o["name"] for o in first.json()["objects"]] == ["a0", "a1", "a2"]
    last = first["X-TAXII-Date-Added-Last"]
    assert client.get(url, {"added_after": last}).json() == {}
    client.post(url, {"objects": [indicator("b0")]})
    assert [o["name"] for o in client.get(url, {"added_after": last}).json()["objects"]] == ["b0"]
    # Every date_added in a collection is distinct, so no object hides behind a tie.
    added = list(ObjectVersion.objects.values_list("date_added", flat=True))
    assert len(set(added)) == len(added)


def test_limit_more_and_next_walk_the_whole_collection(community, as_user):
    client = as_user("jp-isac")
    url = objects_url(community.collection)
    sent = [indicator(f"p{n}") for n in range(7)]
    client.post(url, {"objects": sent})
    seen, query = [], {"limit": "3"}
    while True:
        response = client.get(url, query)
        body = response.json()
        seen += [o["id"] for o in body["objects"]]
        if not body["more"]:
            assert "next" not in body
            break
        query = {"limit": "3", "next": body["next"]}
    assert seen == [stix["id"] for stix in sent]


def test_an_exact_duplicate_is_a_success_and_is_stored_once(community, as_user):
    client = as_user("jp-isac")
    stix = indicator()
    first = client.post(objects_url(community.collection), {"objects": [stix, stix]}).json()
    assert (first["success_count"], first["failure_count"]) == (2, 0)
    again = client.post(objects_url(community.collection), {"objects": [stix]}).json()
    assert (again["success_count"], again["failure_count"]) == (1, 0)
    assert ObjectVersion.objects.filter(stix_id=stix["id"]).count() == 1
    # The same id and version with other content is not a duplicate: it is refused.
    clash = client.post(objects_url(community.collection), {"objects": [{**stix, "name": "changed"}]}).json()
    assert clash["failure_count"] == 1 and "already in the collection" in clash["failures"][0]["message"]


BAD_OBJECTS = [
    ("not an object", "JSON object"),
    ({"type": "indicator"}, "id"),
    ({**indicator(), "id": "indicator--not-a-uuid"}, "id"),
    ({**indicator(), "id": f"malware--{uuid.uuid4()}"}, "id"),
    ({**indicator(), "type": 42}, "type"),
    ({**indicator(), "created": "yesterday"}, "timestamp"),
    ({**indicator(), "modified": "2026-01-01"}, "timestamp"),
    ({**indicator(), "modified": "2025-01-01T00:00:00Z"}, "earlier"),
    ({**indicator(), "spec_version": "2.0"}, "2.1"),
    ({**indicator(), "pattern": "[not a pattern"}, "pattern"),
    ({k: v for k, v in indicator().items() if k != "pattern"}, "pattern"),
    ({**indicator(), "valid_from": "never"}, "valid_from"),
    ({**indicator(), "object_marking_refs": "tlp"}, "object_marking_refs"),
]


def test_a_bad_object_fails_alone_with_its_reason(community, as_user):
    good = [indicator("good 1"), indicator("good 2")]
    envelope = [good[0]] + [bad for bad, _reason in BAD_OBJECTS] + [good[1]]
    status = as_user("jp-isac").post(objects_url(community.collection), {"objects": envelope}).json()
    assert status["total_count"] == len(envelope)
    assert status["success_count"] == 2
    assert status["failure_count"] == len(BAD_OBJECTS)
    for failure, (_bad, reason) in zip(status["failures"], BAD_OBJECTS, strict=True):
        assert reason.lower() in failure["message"].lower(), failure
    assert set(ObjectVersion.objects.values_list("stix_id", flat=True)) == {stix["id"] for stix in good}


def test_custom_types_only_where_the_collection_allows_them(community, as_user):
    strict = services.create_collection(ApiRoot.objects.get(slug="jp"), "Strict", allow_custom=False)
    services.grant(strict, community.jp_isac, can_read=True, can_write=True)
    custom = stix_object("x-isac-note")
    custom_property = indicator(x_isac_score=5)
    client = as_user("jp-isac")
    refused = client.post(objects_url(strict), {"objects": [custom, custom_property]}).json()
    assert refused["failure_count"] == 2
    assert "Custom object type" in refused["failures"][0]["message"]
    # Our own recipients property is no custom property: it is allowed everywhere.
    assert (
        client.post(objects_url(strict), {"objects": [indicator(recipients=["eu-isac"])]}).json()[
            "success_count"
        ]
        == 1
    )
    accepted = client.post(objects_url(community.collection), {"objects": [custom, custom_property]}).json()
    assert accepted["success_count"] == 2


def test_delete_removes_the_authors_versions_and_recomputes_first_and_last(
    community, three_versions, as_user
):
    url = objects_url(community.collection) + STIX_ID + "/"
    assert as_user("eu-isac").delete(url).status_code == 404  # AMBER, not named: not even visible
    assert as_user("jp-cert").delete(url).status_code == 403  # may not write this collection
    response = three_versions.delete(url, f"match[version]={TIMES[2]}")
    assert response.status_code == 200
    assert [o["name"] for o in three_versions.get(url).json()["objects"]] == ["v1"]  # now the last
    assert three_versions.delete(url).status_code == 200
    assert three_versions.get(url).status_code == 404


def test_delete_needs_write_and_authorship(community, as_user):
    from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL

    stix = indicator(marking=MARKING_OF_LEVEL["green"])
    as_user("jp-isac").post(objects_url(community.collection), {"objects": [stix]})
    url = objects_url(community.collection) + stix["id"] + "/"
    assert as_user("jp-cert").delete(url).status_code == 403  # reads, may not write
    assert as_user("eu-isac").delete(url).status_code == 403  # writes, but another organisation's object
    assert as_user("jp-isac").get(url).status_code == 200
