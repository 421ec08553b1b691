"""Real data: MITRE ATT&CK ICS releases 17.1, 18.0 and 18.1 (the same objects in several versions,
custom x-mitre-* types and properties, no TLP markings) through the TAXII endpoints."""

import json
from functools import cache

import pytest

from partnership.exchanges.threat_intel.models import ObjectVersion
from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL
from tests.conftest import shared_dir
from tests.exchanges.threat_intel.conftest import objects_url

pytestmark = pytest.mark.django_db

STIX_DIR = shared_dir() / "testdata" / "stix"
RELEASES = ["ics-attack-17.1", "ics-attack-18.0", "ics-attack-18.1"]


@cache
def bundle(name: str) -> list[dict]:
    path = STIX_DIR / f"{name}.json"
    if not path.exists():
        pytest.skip(f"the MITRE ATT&CK bundles are not in {STIX_DIR} (set PARTNERSHIP_SHARED_DIR)")
    return json.loads(path.read_text())["objects"]


def clear(stix: dict) -> dict:
    """The object shared as TLP:CLEAR by its publisher: every reader of the collection sees it."""
    return {**stix, "object_marking_refs": [*stix.get("object_marking_refs", []), MARKING_OF_LEVEL["clear"]]}


def version_of(stix: dict) -> str:
    return stix.get("modified", stix.get("created", ""))


def test_three_releases_give_multi_version_objects(community, as_user):
    client = as_user("jp-isac")
    url = objects_url(community.collection)
    stored: dict[tuple[str, str], dict] = {}
    for release in RELEASES:
        objects = [clear(stix) for stix in bundle(release)]
        # ATT&CK sometimes changes an object without changing its `modified` (70 objects from 17.1 to
        # 18.0): a different object under a stored id and version is refused, with its reason.
        changed = {stix["id"] for stix in objects if stored.get((stix["id"], version_of(stix)), stix) != stix}
        status = client.post(url, {"objects": objects}).json()
        assert {failure["id"] for failure in status["failures"]} == changed
        assert all("already in the collection" in failure["message"] for failure in status["failures"])
        assert status["success_count"] == len(objects) - len(changed)
        for stix in objects:
            stored.setdefault((stix["id"], version_of(stix)), stix)

    latest: dict[str, set[str]] = {}
    for stix_id, version in stored:
        latest.setdefault(stix_id, set()).add(version)
    multi = next(stix_id for stix_id, versions in latest.items() if len(versions) == 3)
    versions = client.get(f"{url}{multi}/versions/").json()["versions"]
    assert len(versions) == 3
    first = client.get(url, {"match[id]": multi, "match[version]": "first"}).json()["objects"][0]
    last = client.get(url, {"match[id]": multi, "match[version]": "last"}).json()["objects"][0]
    assert first["modified"] == min(latest[multi]) and last["modified"] == max(latest[multi])

    # Every object, once, at its last version, through a guest's paging (CLEAR reaches guests too).
    guest = as_user("eu-guest")
    seen, query = [], {"limit": "500"}
    while True:
        body = guest.get(url, query).json()
        seen += [o["id"] for o in body["objects"]]
        if not body["more"]:
            break
        query = {"limit": "500", "next": body["next"]}
    assert sorted(seen) == sorted(latest)
    assert ObjectVersion.objects.filter(is_latest=True).count() == len(latest)

    # The same release again: every object an exact duplicate, so every one a success.
    again = [clear(stix) for stix in bundle(RELEASES[0])]
    status = client.post(url, {"objects": again}).json()
    assert (status["success_count"], status["failure_count"]) == (len(again), 0)


def test_unmarked_attack_objects_take_the_collections_default(community, as_user):
    everything = bundle("ics-attack-18.1")
    # The bundle's copyright statement, which every object references, and 49 objects.
    objects = [stix for stix in everything if stix["type"] == "marking-definition"]
    objects += [stix for stix in everything if stix["type"] != "marking-definition"][:49]
    as_user("jp-isac").post(objects_url(community.collection), {"objects": objects})
    assert as_user("eu-isac").get(objects_url(community.collection)).json() == {}  # AMBER, not named
    assert len(as_user("jp-isac").get(objects_url(community.collection)).json()["objects"]) == 50


def test_custom_attack_types_are_refused_where_custom_content_is_not_allowed(community, as_user):
    community.collection.allow_custom = False
    community.collection.save()
    objects = bundle("ics-attack-18.1")
    status = as_user("jp-isac").post(objects_url(community.collection), {"objects": objects}).json()
    refused = {failure["id"].split("--")[0] for failure in status["failures"]}
    assert any(kind.startswith("x-mitre-") for kind in refused)
    assert status["success_count"] + status["failure_count"] == len(objects)
