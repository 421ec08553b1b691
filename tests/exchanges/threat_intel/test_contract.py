"""The exchange contract of threat-intelligence sharing: first reads, indicators and the report section."""

import datetime
import json
import urllib.request
import uuid

import pytest
from django.utils import timezone

from partnership.exchanges.threat_intel import indicators
from partnership.exchanges.threat_intel.contract import ThreatIntelExchange
from partnership.exchanges.threat_intel.models import ObjectRead
from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL
from tests.exchange_contract import ExchangeContract, Sample, Write
from tests.exchanges.threat_intel.conftest import (
    TAXII,
    Taxii,
    basic,
    indicator,
    make_community,
    objects_url,
    stix_object,
)
from tests.federation.nodes import PASSWORD as NODE_PASSWORD

pytestmark = pytest.mark.django_db


class TestThreatIntelContract(ExchangeContract):
    exchange_class = ThreatIntelExchange
    cycle_year = timezone.now().year

    def sample_data(self, members, tmp_path) -> Sample:
        """A JP collection only jp-isac may write, with objects in it; eu-isac (the other party) has no
        grant on it."""
        from partnership.exchanges.threat_intel import queries, services
        from partnership.exchanges.threat_intel.models import ApiRoot, ObjectVersion

        community = make_community()
        owner, other = community.users["jp-isac"], community.users["eu-isac"]
        collection = services.create_collection(
            ApiRoot.objects.get(slug="jp"), "JP only", default_tlp="amber"
        )
        services.grant(collection, community.jp_isac, can_read=True, can_write=True)
        caller = queries.caller_for(owner)

        def more(count: int) -> None:
            objects = [indicator(f"indicator {n}", MARKING_OF_LEVEL["green"]) for n in range(count)]
            assert services.add_objects(caller, collection, {"objects": objects}).failure_count == 0

        more(3)
        first = ObjectVersion.objects.filter(collection=collection).order_by("pk").first()
        objects = objects_url(collection)
        return Sample(
            owner=owner,
            other_party=other,
            pages=[
                "threat-intel/",
                f"threat-intel/jp/{collection.pk}/",
                f"threat-intel/jp/{collection.pk}/{first.stix_id}/",
            ],
            count=ObjectVersion.objects.count,
            more=more,
            protected=[objects, f"/taxii2/jp/collections/{collection.pk}/manifest/"],
            writes=[Write("post", objects, {"objects": [indicator("new")]}, content_type=TAXII)],
            missing=[f"/taxii2/jp/collections/{uuid.uuid4()}/objects/"],
            auth=lambda user: {"Authorization": basic(user.username)},
            headers={"Accept": TAXII},
        )

    def author_on_peer(self, node) -> dict:
        make_community()  # this node's organisations and members, eu-isac among them
        (feed,) = _taxii(node, "/taxii2/jp/collections/")["collections"]
        shared = indicator("green for the community", MARKING_OF_LEVEL["green"])
        status = _taxii(node, f"/taxii2/jp/collections/{feed['id']}/objects/", {"objects": [shared]})
        assert status["success_count"] == 1
        return {"collection": feed["id"], "object": shared["id"]}

    def assert_received(self, authored: dict) -> None:
        from partnership.exchanges.threat_intel.models import Collection

        copy = Collection.objects.get(pk=authored["collection"])
        assert copy.peer == "JP"
        listed = Taxii("eu-isac").get(f"/taxii2/jp/collections/{copy.pk}/objects/").json()["objects"]
        assert authored["object"] in {item["id"] for item in listed}


def _taxii(node, path: str, body: dict | None = None) -> dict:
    """A TAXII request to a real node as its demo jp-isac."""
    request = urllib.request.Request(
        node.url + path,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": basic("jp-isac", NODE_PASSWORD), "Accept": TAXII, "Content-Type": TAXII},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (a loopback test node)
        return json.loads(response.read())


def _post(client, collection, objects):
    response = client.post(objects_url(collection), {"objects": objects})
    assert response.status_code == 202, response.content
    assert response.json()["success_count"] == len(objects)


def _iso(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_the_taxii_read_paths_record_the_first_read_of_each_version(community, as_user):
    jp, eu = as_user("jp-isac"), as_user("eu-isac")
    green = indicator(marking=MARKING_OF_LEVEL["green"])
    amber = indicator(marking=MARKING_OF_LEVEL["amber"])  # not shared with eu-isac
    _post(jp, community.collection, [green, amber])
    base = objects_url(community.collection)

    assert eu.get(base).status_code == 200
    reads = ObjectRead.objects.filter(organisation=community.eu_isac)
    assert set(reads.values_list("version__stix_id", flat=True)) == {green["id"]}
    first = reads.get().first_read_at
    # Reading again (objects, object, versions) keeps the first time and adds no row.
    assert eu.get(f"{base}{green['id']}/").status_code == 200
    assert eu.get(f"{base}{green['id']}/versions/").status_code == 200
    assert reads.get().first_read_at == first
    # What a reader may not see is never recorded as read.
    assert eu.get(f"{base}{amber['id']}/").status_code == 404
    assert not reads.filter(version__stix_id=amber["id"]).exists()


def test_one_insert_records_a_page_of_reads(community, as_user, django_assert_max_num_queries):
    jp, eu = as_user("jp-isac"), as_user("eu-isac")
    _post(jp, community.collection, [indicator(marking=MARKING_OF_LEVEL["green"]) for _ in range(30)])
    eu.get(objects_url(community.collection))  # authenticate once (sessionless: each request does)
    ObjectRead.objects.all().delete()
    with django_assert_max_num_queries(12) as queries:
        assert len(eu.get(objects_url(community.collection)).json()["objects"]) == 30
    inserts = [q["sql"] for q in queries.captured_queries if "threat_intel_objectread" in q["sql"]]
    assert len(inserts) == 1
    assert ObjectRead.objects.filter(organisation=community.eu_isac).count() == 30


def test_indicators_count_objects_per_party_and_type_and_active_organisations(community, as_user):
    jp, eu = as_user("jp-isac"), as_user("eu-isac")
    now = timezone.now()
    _post(jp, community.collection, [indicator(marking=MARKING_OF_LEVEL["green"]) for _ in range(3)])
    malware = stix_object(
        "malware",
        created=_iso(now),
        modified=_iso(now),
        name="Poison",
        is_family=True,
        object_marking_refs=[MARKING_OF_LEVEL["green"]],
    )
    _post(eu, community.collection, [malware])
    # A second version of the malware is not a new object.
    _post(eu, community.collection, [{**malware, "modified": _iso(now + datetime.timedelta(seconds=1))}])
    as_user("jp-cert").get(objects_url(community.collection))  # reads only: active too

    shared = indicators.objects_shared(now.year)
    assert shared == {("JP", "indicator"): 3, ("EU", "malware"): 1}
    assert indicators.objects_shared(now.year - 1) == {}
    assert indicators.active_organisations(now.year) == {
        community.jp_isac.pk,
        community.eu_isac.pk,
        community.jp_cert.pk,
    }
    values = {
        indicator_["name"]["en"]: indicator_["value"]
        for indicator_ in ThreatIntelExchange().indicators(now.year)
    }
    assert values["STIX objects shared by JP ISACs"] == 3
    assert values["STIX objects shared by EU ISACs: malware"] == 1
    assert values["Organisations active in threat-intelligence sharing"] == 3


def test_median_time_to_the_first_read_by_the_other_party(community, as_user):
    jp = as_user("jp-isac")
    now = timezone.now()
    objects = [
        indicator(
            marking=MARKING_OF_LEVEL["green"],
            created=_iso(now - datetime.timedelta(hours=hours)),
            modified=_iso(now - datetime.timedelta(hours=hours)),
        )
        for hours in (2, 4, 9)
    ]
    _post(jp, community.collection, objects)
    # Reads by the author's own party do not count; the EU ISAC's first read does.
    as_user("jp-cert").get(objects_url(community.collection))
    assert indicators.time_to_first_read_by_other_party(now.year).objects == 0
    as_user("eu-isac").get(objects_url(community.collection))
    wait = indicators.time_to_first_read_by_other_party(now.year)
    assert wait.objects == 3
    assert wait.median_hours == pytest.approx(4, abs=0.1)
    named = {i["name"]["en"]: i for i in ThreatIntelExchange().indicators(now.year)}
    median = named["Median time from an object's creation to its first read by the other party"]
    assert median["value"] == pytest.approx(4, abs=0.1) and median["unit"] == "hours"


@pytest.mark.parametrize(
    "language, title, label",
    [
        ("en", "Threat-intelligence sharing between ISACs", "Objects shared by JP ISACs"),
        ("ja", "ISAC間の脅威情報共有", "JPのISACが共有したオブジェクト"),
    ],
)
def test_the_report_section_in_both_languages(community, as_user, language, title, label):
    _post(as_user("jp-isac"), community.collection, [indicator(marking=MARKING_OF_LEVEL["green"])])
    section = ThreatIntelExchange().report_section(timezone.now().year, language)
    assert section["title"] == title
    figures = {figure["label"]: figure["value"] for figure in section["figures"]}
    assert figures[label] == 1
    assert figures["JP · indicator"] == 1
