"""Who may version an object (STIX 2.1, 3.6: only its creator), and what a write tells about objects the
writer may not read (nothing: no TLP oracle through the write path)."""

import json
import uuid

import pytest

from partnership.exchanges.threat_intel.models import ObjectVersion
from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL
from tests.exchanges.threat_intel.conftest import indicator, objects_url, stix_object

pytestmark = pytest.mark.django_db

FORGED_TIME = "2099-01-01T00:00:00.000Z"


def post(client, collection, objects, **extra):
    response = client.post(objects_url(collection), {"objects": objects}, **extra)
    assert response.status_code == 202, response.content
    return response.json()


def read(client, collection, stix_id):
    """The object's versions (all) as `client` reads them, oldest first; [] when it may read none."""
    response = client.get(objects_url(collection) + stix_id + "/", {"match[version]": "all"})
    return response.json().get("objects", []) if response.status_code == 200 else []


@pytest.fixture
def eu_malware(community, as_user):
    """The EU ISAC's TLP:GREEN malware: jp-isac, a community member, reads it."""
    malware = stix_object(
        "malware", name="EU's own analysis", is_family=False, object_marking_refs=[MARKING_OF_LEVEL["green"]]
    )
    assert post(as_user("eu-isac"), community.collection, [malware])["success_count"] == 1
    return malware


@pytest.mark.parametrize(
    "forged",
    [
        {"modified": FORGED_TIME, "name": "JP's text"},
        # RED to nobody: before, EU's object vanished from every reader but the forger.
        {"modified": FORGED_TIME, "name": "gone", "object_marking_refs": [MARKING_OF_LEVEL["red"]]},
        # Back-dated: it would have become the object's first version.
        {"modified": "2026-01-01T00:00:00.000Z", "created": "2025-01-01T00:00:00.000Z", "name": "older"},
        {"name": "same version, other text"},
    ],
)
def test_another_organisation_cannot_version_an_object(community, as_user, eu_malware, forged):
    status = post(as_user("jp-isac"), community.collection, [{**eu_malware, **forged}])

    assert (status["success_count"], status["failure_count"]) == (0, 1)
    (failure,) = status["failures"]
    assert failure["id"] == eu_malware["id"]
    assert "created by the organisation eu-isac" in failure["message"]
    assert "only its creator may add versions" in failure["message"]
    # Nothing changed: EU's object reads as EU wrote it, for EU and for everyone else.
    for reader in ("eu-isac", "jp-isac", "jp-cert"):
        assert read(as_user(reader), community.collection, eu_malware["id"]) == [eu_malware]
    assert ObjectVersion.objects.filter(stix_id=eu_malware["id"]).count() == 1
    # And EU can still withdraw its own object.
    url = objects_url(community.collection) + eu_malware["id"] + "/"
    assert as_user("eu-isac").delete(url).status_code == 200
    assert not ObjectVersion.objects.filter(stix_id=eu_malware["id"]).exists()


def test_the_refusal_is_in_the_callers_language(community, as_user, eu_malware):
    forged = {**eu_malware, "modified": FORGED_TIME}
    status = post(as_user("jp-isac"), community.collection, [forged], HTTP_ACCEPT_LANGUAGE="ja")
    assert "eu-isac" in status["failures"][0]["message"]
    assert "作成" in status["failures"][0]["message"]


def test_the_creator_versions_its_object_and_others_make_their_own(community, as_user, eu_malware):
    newer = {**eu_malware, "modified": "2026-03-01T00:00:00.000Z", "name": "EU's update"}
    assert post(as_user("eu-isac"), community.collection, [newer])["success_count"] == 1
    assert [o["name"] for o in read(as_user("jp-isac"), community.collection, eu_malware["id"])] == [
        "EU's own analysis",
        "EU's update",
    ]
    # JP's view of the same malware is a new object with its own id, related to EU's.
    own = {**eu_malware, "id": f"malware--{uuid.uuid4()}", "name": "JP's view"}
    assert post(as_user("jp-isac"), community.collection, [own])["success_count"] == 1


def test_a_mixed_envelope_stores_the_callers_objects_and_refuses_the_others(community, as_user, eu_malware):
    mine = indicator("mine", MARKING_OF_LEVEL["green"])
    forged = {**eu_malware, "modified": FORGED_TIME, "name": "JP's text"}
    status = post(as_user("jp-isac"), community.collection, [mine, forged])
    assert [s["id"] for s in status["successes"]] == [mine["id"]]
    assert [f["id"] for f in status["failures"]] == [eu_malware["id"]]
    assert set(ObjectVersion.objects.values_list("stix_id", flat=True)) == {mine["id"], eu_malware["id"]}


def test_the_manifest_and_the_object_page_name_who_wrote_each_version(community, as_user, client):
    first = indicator("first", MARKING_OF_LEVEL["green"])
    second = {**first, "modified": "2026-02-01T00:00:00.000Z", "name": "second"}
    post(as_user("eu-isac"), community.collection, [first, second])
    manifest = as_user("jp-isac").get(
        objects_url(community.collection).replace("objects/", "manifest/"), {"match[version]": "all"}
    )
    entries = manifest.json()["objects"]
    assert [(e["id"], e["x_partnership_author"]) for e in entries] == [(first["id"], "eu-isac")] * 2
    client.force_login(community.users["jp-isac"])
    page = client.get(f"/en/threat-intel/jp/{community.collection.pk}/{first['id']}/").content.decode()
    versions = page[page.index('<ol class="versions">') : page.index("</ol>")]
    assert versions.count("written by EU-ISAC (eu-isac)") == 2
    page = client.get(f"/ja/threat-intel/jp/{community.collection.pk}/{first['id']}/").content.decode()
    versions = page[page.index('<ol class="versions">') : page.index("</ol>")]
    assert versions.count("EU-ISAC (eu-isac) が作成") == 2


# --- the write path is no TLP oracle ----------------------------------------------------------------


@pytest.fixture
def eu_secret(community, as_user):
    """The EU ISAC's TLP:AMBER indicator, named to no one: jp-isac may not read it."""
    secret = indicator("EU's secret", MARKING_OF_LEVEL["amber"])
    assert post(as_user("eu-isac"), community.collection, [secret])["success_count"] == 1
    return secret


def without_ids(status, stix_id):
    """The status as the caller reads it, the object id and the status's own id and time left out."""
    text = json.dumps({key: status[key] for key in status if key not in ("id", "request_timestamp")})
    return json.loads(text.replace(stix_id, "ID"))


# Each attempt, made on the hidden object's id and on a new id: the same answer.
ATTEMPTS = {
    "the exact object": lambda secret: [secret],
    "other text, same version": lambda secret: [{**secret, "name": "guess"}],
    "a forged newer version": lambda secret: [{**secret, "modified": FORGED_TIME, "name": "JP's"}],
    "a forged RED version": lambda secret: [
        {**secret, "modified": FORGED_TIME, "object_marking_refs": [MARKING_OF_LEVEL["red"]]}
    ],
    "twice, the same": lambda secret: [secret, secret],
    "twice, clashing": lambda secret: [secret, {**secret, "name": "guess"}],
}


@pytest.mark.parametrize("attempt", list(ATTEMPTS))
def test_a_write_tells_nothing_about_an_object_the_writer_may_not_read(
    community, as_user, eu_secret, attempt
):
    writer = as_user("jp-isac")
    hidden = post(writer, community.collection, ATTEMPTS[attempt](eu_secret))
    new_id = f"indicator--{uuid.uuid4()}"
    fresh = post(writer, community.collection, ATTEMPTS[attempt]({**eu_secret, "id": new_id}))

    assert without_ids(hidden, eu_secret["id"]) == without_ids(fresh, new_id)
    # ... and the hidden object is untouched: one version, as its author wrote it.
    assert read(as_user("eu-isac"), community.collection, eu_secret["id"]) == [eu_secret]
    assert read(writer, community.collection, eu_secret["id"]) == []
    assert ObjectVersion.objects.filter(stix_id=eu_secret["id"]).count() == 1


def test_a_version_hidden_from_a_reader_of_the_object_is_not_confirmed(community, as_user, eu_malware):
    # jp-isac reads the GREEN first version; the RED second one is EU's alone.
    hidden = {
        **eu_malware,
        "modified": "2026-06-01T00:00:00.000Z",
        "name": "EU's private follow-up",
        "object_marking_refs": [MARKING_OF_LEVEL["red"]],
    }
    assert post(as_user("eu-isac"), community.collection, [hidden])["success_count"] == 1
    guesses = [hidden, {**hidden, "name": "wrong guess"}, {**hidden, "modified": FORGED_TIME}]
    answers = [post(as_user("jp-isac"), community.collection, [guess])["failures"] for guess in guesses]
    assert answers[0] == answers[1]  # the exact hidden version and a wrong guess: the same refusal
    assert all("created by the organisation eu-isac" in a[0]["message"] for a in answers)
    assert ObjectVersion.objects.filter(stix_id=eu_malware["id"]).count() == 2


def test_a_marking_definition_the_writer_may_not_read_is_unknown_to_it(community, as_user):
    statement = stix_object(
        "marking-definition",
        definition_type="statement",
        definition={"statement": "EU internal"},
        object_marking_refs=[MARKING_OF_LEVEL["amber"]],
    )
    del statement["modified"]
    assert post(as_user("eu-isac"), community.collection, [statement])["success_count"] == 1
    absent = f"marking-definition--{uuid.uuid4()}"
    answers = []
    for ref in (statement["id"], absent):
        status = post(as_user("jp-isac"), community.collection, [indicator(object_marking_refs=[ref])])
        answers.append(status["failures"][0]["message"].replace(ref, "REF"))
    assert answers[0] == answers[1] and "Unknown marking" in answers[0]
    # Its author, who reads it, may reference it.
    status = post(
        as_user("eu-isac"), community.collection, [indicator(object_marking_refs=[statement["id"]])]
    )
    assert status["success_count"] == 1
