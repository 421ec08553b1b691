"""Shared objects travel to the other party's node as signed ledger records, sealed to that node.

The test process plays both nodes in turn: first the JP node (its ISAC posts; the EU node is its
configured peer), then, with the JP side's collection gone from the database, the EU node applying the
JP node's records. tests/federation/test_threat_intel.py does the same with two real processes.
"""

import json

import pytest
from django.core.management import call_command
from django.utils import translation

from partnership.exchanges.threat_intel import records, services
from partnership.exchanges.threat_intel.models import Collection, CollectionGrant, ObjectVersion
from partnership.ledger import services as ledger_services
from partnership.ledger.keys import key_id, load_or_create_key, verifier_key_string
from partnership.ledger.models import LogEntry
from partnership.ledger.records import parse_record
from partnership.ledger.registry import RecordRejected
from partnership.ledger.sealing import open_sealed
from tests.exchanges.threat_intel.conftest import indicator, objects_url
from tests.exchanges.threat_intel.test_sharing import MATRIX, seen_through_every_path

pytestmark = pytest.mark.django_db

EU_READERS = {"eu-isac", "eu-guest"}


@pytest.fixture
def eu_key(tmp_path):
    return load_or_create_key(tmp_path / "eu-node-key.pem")


@pytest.fixture
def jp_node(settings, eu_key):
    """This process as the JP node, with the EU node as its configured peer."""
    settings.NODE_PARTY = "JP"
    settings.PEERS = f"http://eu.example {verifier_key_string('EU', eu_key)}"
    return settings


def shared_records(kind=records.OBJECTS):
    return [
        (parse_record(bytes(entry.record)), entry)
        for entry in LogEntry.objects.filter(log="").order_by("index")
        if parse_record(bytes(entry.record)).type == kind
    ]


def opened(record, eu_key):
    return json.loads(open_sealed(record.content["sealed"], {key_id("EU", eu_key).hex(): eu_key}))


def post_matrix(community, as_user):
    objects = [
        indicator(f"matrix {number}", marking, recipients)
        for number, (marking, recipients, _r) in enumerate(MATRIX)
    ]
    response = as_user("jp-isac").post(objects_url(community.collection), {"objects": objects})
    assert response.json()["success_count"] == len(MATRIX)
    return objects


def test_exactly_what_the_other_partys_organisations_may_read_is_sealed_to_its_node(
    community, as_user, jp_node, eu_key
):
    objects = post_matrix(community, as_user)

    ((record, entry),) = shared_records()
    assert (record.party, record.organisation, record.content["to"]) == ("JP", "jp-isac", "EU")
    payload = opened(record, eu_key)
    sent = {json.loads(item["body"])["id"] for item in payload["objects"]}
    expected = {
        item["id"] for item, (_m, _r, readers) in zip(objects, MATRIX, strict=True) if readers & EU_READERS
    }
    assert sent == expected
    assert {"organisation": "eu-isac", "community": True} in payload["grants"]
    assert {"organisation": "eu-guest", "community": False} in payload["grants"]
    # The log is public: none of the intelligence is readable in the record.
    assert b"matrix" not in bytes(entry.record)
    # Each version sent knows the entry that carried it; the rest never left the node.
    carried = set(ObjectVersion.objects.filter(ledger_entry=entry).values_list("stix_id", flat=True))
    assert carried == expected


def test_nothing_is_signed_without_a_peer_node(community, as_user, settings):
    settings.PEERS = ""
    post_matrix(community, as_user)
    assert shared_records() == []


def test_what_nobody_of_the_other_party_may_read_makes_no_record(community, as_user, jp_node):
    private = indicator("only ours", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421")
    as_user("jp-isac").post(objects_url(community.collection), {"objects": [private]})
    assert shared_records() == []


def test_a_node_signs_nothing_for_another_partys_organisation(community, as_user, jp_node):
    """eu-isac has an account on the JP node and writes into its JP collection: the object stays here.
    Signing it would put an EU record in the JP log, which the EU node refuses, and sync would stop."""
    green = indicator("eu-isac, on the JP node", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb")
    response = as_user("eu-isac").post(objects_url(community.collection), {"objects": [green]})
    assert response.json()["success_count"] == 1
    assert shared_records() == []
    deleted = as_user("eu-isac").delete(objects_url(community.collection) + green["id"] + "/")
    assert deleted.status_code == 200
    assert shared_records(records.DELETION) == []
    assert {parse_record(bytes(entry.record)).party for entry in LogEntry.objects.filter(log="")} <= {"JP"}


def become_the_eu_node(settings, eu_key, tmp_path, collection):
    """The JP collection gone (it lives on the other node); this process now runs on the EU key."""
    path = tmp_path / "eu-node-key.pem"
    assert load_or_create_key(path).private_bytes_raw() == eu_key.private_bytes_raw()
    ObjectVersion.objects.filter(collection=collection).delete()
    Collection.objects.filter(pk=collection.pk).delete()
    settings.NODE_PARTY = "EU"
    settings.NODE_KEY_FILE = path
    settings.PEERS = ""


def apply_all(found):
    for record, entry in found:
        {records.OBJECTS: records.apply_objects, records.DELETION: records.apply_deletion}[record.type](
            record, entry
        )


def test_the_eu_node_serves_its_copy_under_the_same_tlp_rule_read_only(
    community, as_user, jp_node, eu_key, tmp_path, client
):
    objects = post_matrix(community, as_user)
    withdrawn = objects[7]  # RED to eu-isac, withdrawn by its author after it was shared
    assert (
        as_user("jp-isac").delete(f"{objects_url(community.collection)}{withdrawn['id']}/").status_code == 200
    )
    found = shared_records(records.OBJECTS) + shared_records(records.DELETION)
    found.sort(key=lambda pair: pair[1].index)
    assert [record.type for record, _e in found] == [records.OBJECTS, records.DELETION]

    become_the_eu_node(jp_node, eu_key, tmp_path, community.collection)
    apply_all(found)
    apply_all(found)  # applied twice: nothing changes the second time

    copy = Collection.objects.get(pk=community.collection.pk)
    assert (copy.peer, copy.api_root.slug) == ("JP", "jp")
    assert (
        ObjectVersion.objects.filter(collection=copy).count()
        == len([1 for _m, _r, readers in MATRIX if readers & EU_READERS]) - 1
    )
    for item, (_marking, _recipients, readers) in zip(objects, MATRIX, strict=True):
        for reader in sorted(EU_READERS):
            expected = reader in readers and item is not withdrawn
            assert seen_through_every_path(as_user(reader), copy, item["id"]) == expected, (
                reader,
                item["name"],
            )
    # Read-only here: the JP ISAC's node is where objects are added and withdrawn.
    response = as_user("eu-isac").post(objects_url(copy), {"objects": [indicator("mine")]})
    assert response.status_code == 403
    assert "copy of the JP node" in response.json()["description"]
    assert as_user("eu-isac").delete(f"{objects_url(copy)}{objects[1]['id']}/").status_code == 403
    listed = as_user("eu-isac").get(f"/taxii2/jp/collections/{copy.pk}/").json()
    assert (listed["can_read"], listed["can_write"]) == (True, False)
    # The pages say where the copy comes from (who signed each object: tests/federation).
    client.force_login(community.users["eu-isac"])
    page = client.get("/ja/threat-intel/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "JPノードが保持するコレクションの読み取り専用の写し" in page


def test_a_record_that_does_not_open_here_is_refused(community, as_user, jp_node, eu_key, tmp_path, settings):
    post_matrix(community, as_user)
    ((record, entry),) = shared_records()
    become_the_eu_node(jp_node, eu_key, tmp_path, community.collection)
    settings.NODE_KEY_FILE = tmp_path / "another-key.pem"  # not the key the JP node sealed to
    with pytest.raises(RecordRejected, match="not sealed to any key of this node"):
        records.apply_objects(record, entry)
    assert not Collection.objects.filter(pk=community.collection.pk).exists()


def test_a_record_for_an_unknown_author_is_refused(community, as_user, jp_node, eu_key, tmp_path):
    post_matrix(community, as_user)
    ((record, entry),) = shared_records()
    become_the_eu_node(jp_node, eu_key, tmp_path, community.collection)
    community.jp_isac.code = "jp-isac-renamed"
    community.jp_isac.save()
    with pytest.raises(RecordRejected, match="not an organisation on this node") as refused:
        records.apply_objects(record, entry)
    # The reason is kept as data, so the ledger page shows it in the reader's language.
    entry.apply_error = refused.value.as_data()
    with translation.override("ja"):
        assert entry.apply_error_text == "作成組織 'jp-isac' はこのノードに登録された組織ではありません"
    with translation.override("en"):
        assert (
            entry.apply_error_text == "the author organisation 'jp-isac' is not an organisation on this node"
        )


def test_the_ledger_still_verifies_with_sealed_records(community, as_user, jp_node):
    post_matrix(community, as_user)
    assert ledger_services.verify_log() == []
    call_command("ledger", "verify")


def test_grants_given_and_withdrawn_later_reach_the_copy(community, as_user, jp_node, eu_key, tmp_path):
    objects = post_matrix(community, as_user)
    green = objects[1]
    services.grant(community.collection, community.outsider, can_read=True, community=True)
    CollectionGrant.objects.filter(collection=community.collection, organisation=community.guest).delete()
    services.grants_changed(community.collection)  # as the admin's collection page does after a save
    found = shared_records()
    assert len(found) == 3

    become_the_eu_node(jp_node, eu_key, tmp_path, community.collection)
    apply_all(found)

    copy = Collection.objects.get(pk=community.collection.pk)
    assert seen_through_every_path(as_user("eu-outsider"), copy, green["id"])
    assert as_user("eu-guest").get(objects_url(copy)).status_code == 404
    assert as_user("eu-isac").get(objects_url(copy)).status_code == 200


def test_a_peer_cannot_write_into_a_collection_kept_here_or_as_another_partys_organisation(
    community, as_user, jp_node, eu_key, tmp_path
):
    post_matrix(community, as_user)
    ((record, entry),) = shared_records()
    become_the_eu_node(jp_node, eu_key, tmp_path, community.collection)
    from partnership.exchanges.threat_intel.models import ApiRoot

    # The EU node's own collection under the same id: the JP node's record may not fill it.
    own = Collection.objects.create(
        pk=community.collection.pk, api_root=ApiRoot.objects.get(slug="eu"), title="Ours"
    )
    with pytest.raises(RecordRejected, match="is not kept by JP"):
        records.apply_objects(record, entry)
    assert not ObjectVersion.objects.filter(collection=own).exists()
    own.delete()
    # An author organisation of the other party: a JP record cannot speak for eu-isac.
    forged = type(record)(record.type, "JP", "eu-isac", record.time, record.content)
    with pytest.raises(RecordRejected, match="is not an organisation of JP"):
        records.apply_objects(forged, entry)


def test_a_grant_added_in_the_admin_reaches_the_peer(community, jp_node, eu_key, client, django_user_model):
    from django.urls import reverse

    collection = community.collection
    grants = list(collection.grants.order_by("pk"))
    data = {
        "api_root": collection.api_root_id,
        "title": collection.title,
        "description": "",
        "alias": "",
        "default_tlp": collection.default_tlp,
        "allow_custom": "on",
        "max_content_length": "",
        "grants-TOTAL_FORMS": str(len(grants) + 1),
        "grants-INITIAL_FORMS": str(len(grants)),
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }
    for number, grant in enumerate(grants):
        data.update(
            {
                f"grants-{number}-id": grant.pk,
                f"grants-{number}-collection": collection.pk,
                f"grants-{number}-organisation": grant.organisation_id,
                f"grants-{number}-can_read": "on",
                f"grants-{number}-community": "on" if grant.community else "",
                **({f"grants-{number}-can_write": "on"} if grant.can_write else {}),
            }
        )
    new = len(grants)
    data.update(
        {
            f"grants-{new}-collection": collection.pk,
            f"grants-{new}-organisation": community.outsider.pk,
            f"grants-{new}-can_read": "on",
            f"grants-{new}-community": "on",
        }
    )
    client.force_login(django_user_model.objects.create_superuser("admin", "admin@example.org", "x"))
    response = client.post(reverse("admin:threat_intel_collection_change", args=[collection.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    ((record, _entry),) = shared_records()
    assert {"organisation": "eu-outsider", "community": True} in opened(record, eu_key)["grants"]


def forged_record(record, eu_key, organisation, change):
    """`record` as the JP node could sign it otherwise: its payload changed by `change`, sealed to the EU
    node again, authored by `organisation` of JP."""
    payload = opened(record, eu_key)
    change(payload)
    collection = Collection.objects.get(pk=record.content["collection"])
    content = records._content(collection, "EU", payload)
    return type(record)(record.type, "JP", organisation, record.time, content)


def test_a_peer_cannot_re_version_an_object_another_organisation_created(
    community, as_user, jp_node, eu_key, tmp_path
):
    green = indicator("jp-isac's own", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb")
    as_user("jp-isac").post(objects_url(community.collection), {"objects": [green]})
    ((record, entry),) = shared_records()

    def newer(payload):
        forged = {**green, "modified": "2099-01-01T00:00:00.000Z", "name": "jp-cert's text"}
        payload["objects"] = [{"body": json.dumps(forged), "tlp": "green", "recipients": []}]

    by_another = forged_record(record, eu_key, "jp-cert", newer)
    become_the_eu_node(jp_node, eu_key, tmp_path, community.collection)
    records.apply_objects(record, entry)

    with pytest.raises(RecordRejected, match="was created by jp-isac; jp-cert may not add versions"):
        records.apply_objects(by_another, entry)
    (held,) = ObjectVersion.objects.filter(stix_id=green["id"])
    assert json.loads(held.body)["name"] == "jp-isac's own"
    assert held.author_organisation.code == "jp-isac"


@pytest.mark.parametrize(
    ("text", "reason"),
    [('"x_score": NaN', "NaN"), ('"x_note": "a\\u0000b"', "NUL"), ('"x_score": 1e999', "1e999")],
)
def test_a_peers_object_that_is_not_i_json_refuses_the_record(
    community, as_user, jp_node, eu_key, tmp_path, text, reason
):
    green = indicator("shared", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb")
    as_user("jp-isac").post(objects_url(community.collection), {"objects": [green]})
    ((record, entry),) = shared_records()

    def hostile(payload):
        body = payload["objects"][0]["body"]
        payload["objects"][0]["body"] = body[:-1] + "," + text + "}"

    forged = forged_record(record, eu_key, "jp-isac", hostile)
    become_the_eu_node(jp_node, eu_key, tmp_path, community.collection)
    with pytest.raises(RecordRejected, match=reason):
        records.apply_objects(forged, entry)
    assert not ObjectVersion.objects.exists()
