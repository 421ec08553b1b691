"""TLP 2.0 (and 1.0) on every read path: objects, one object, versions, manifest and `next` pages."""

import pytest

from partnership.exchanges.threat_intel import services
from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL, TLP1_MARKINGS
from tests.exchanges.threat_intel.conftest import indicator, objects_url, relationship

pytestmark = pytest.mark.django_db

READERS = ("jp-isac", "eu-isac", "jp-cert", "eu-guest")
TLP1 = {level: ref for ref, level in TLP1_MARKINGS.items()}

# (marking, recipients) -> who reads it; jp-isac is the author, eu-isac the other party's ISAC,
# jp-cert a third community member never named, eu-guest a guest of the collection (CLEAR only).
MATRIX = [
    (MARKING_OF_LEVEL["clear"], None, {"jp-isac", "eu-isac", "jp-cert", "eu-guest"}),
    (MARKING_OF_LEVEL["green"], None, {"jp-isac", "eu-isac", "jp-cert"}),
    (MARKING_OF_LEVEL["amber"], None, {"jp-isac"}),
    (MARKING_OF_LEVEL["amber"], ["eu-isac"], {"jp-isac", "eu-isac"}),
    (MARKING_OF_LEVEL["amber+strict"], None, {"jp-isac"}),
    (MARKING_OF_LEVEL["amber+strict"], ["eu-isac"], {"jp-isac", "eu-isac"}),
    (MARKING_OF_LEVEL["red"], None, {"jp-isac"}),
    (MARKING_OF_LEVEL["red"], ["eu-isac"], {"jp-isac", "eu-isac"}),
    (MARKING_OF_LEVEL["red"], ["eu-isac", "jp-cert"], {"jp-isac", "eu-isac", "jp-cert"}),
    (MARKING_OF_LEVEL["red"], ["eu-guest"], {"jp-isac", "eu-guest"}),
    (TLP1["clear"], None, {"jp-isac", "eu-isac", "jp-cert", "eu-guest"}),
    (TLP1["green"], None, {"jp-isac", "eu-isac", "jp-cert"}),
    (TLP1["amber"], ["eu-isac"], {"jp-isac", "eu-isac"}),
    (TLP1["red"], ["jp-cert"], {"jp-isac", "jp-cert"}),
    (None, None, {"jp-isac"}),  # no marking: the collection's default, AMBER
    (None, ["eu-isac"], {"jp-isac", "eu-isac"}),
]


def post(client, collection, objects):
    response = client.post(objects_url(collection), {"objects": objects})
    assert response.status_code == 202, response.content
    return response.json()


def seen_through_every_path(client, collection, stix_id) -> bool:
    """Whether a reader sees `stix_id`, asserting that every read path agrees."""
    base = objects_url(collection)
    listed = stix_id in {o["id"] for o in client.get(base, {"limit": "1000"}).json().get("objects", [])}
    by_filter = bool(client.get(base, {"match[id]": stix_id}).json().get("objects"))
    one = client.get(f"{base}{stix_id}/").status_code
    versions = client.get(f"{base}{stix_id}/versions/").status_code
    manifest = stix_id in {
        o["id"]
        for o in client.get(base.replace("objects/", "manifest/"), {"limit": "1000"})
        .json()
        .get("objects", [])
    }
    all_versions = bool(
        client.get(base, {"match[id]": stix_id, "match[version]": "all"}).json().get("objects")
    )
    assert {one, versions} <= {200, 404}
    answers = {listed, by_filter, one == 200, versions == 200, manifest, all_versions}
    assert len(answers) == 1, (stix_id, listed, by_filter, one, versions, manifest, all_versions)
    return listed


def test_tlp_matrix_on_every_read_path(community, as_user):
    objects = [
        indicator(f"case {n}", marking, recipients) for n, (marking, recipients, _r) in enumerate(MATRIX)
    ]
    status = post(as_user("jp-isac"), community.collection, objects)
    assert status["success_count"] == len(MATRIX), status["failures"]
    clients = {reader: as_user(reader) for reader in READERS}
    for stix, (marking, recipients, readers) in zip(objects, MATRIX, strict=True):
        seen = {
            reader
            for reader in READERS
            if seen_through_every_path(clients[reader], community.collection, stix["id"])
        }
        assert seen == readers, (marking, recipients)


def test_green_goes_to_the_community_of_both_parties_granted_by_party(community, as_user, members):
    from partnership.people.models import Party

    services.grant(community.collection, Party.objects.get(code="EU"), can_read=True)
    stix = indicator(marking=MARKING_OF_LEVEL["green"])
    post(as_user("jp-isac"), community.collection, [stix])
    eu_member = as_user("eu-stakeholder")  # any EU organisation, through the party-wide grant
    assert seen_through_every_path(eu_member, community.collection, stix["id"])
    assert not seen_through_every_path(as_user("jp-stakeholder"), community.collection, stix["id"])


def test_granular_markings_are_honoured_by_the_whole_object(community, as_user):
    stix = indicator(
        marking=MARKING_OF_LEVEL["green"],
        granular_markings=[{"marking_ref": MARKING_OF_LEVEL["red"], "selectors": ["description"]}],
        description="only for the author",
    )
    post(as_user("jp-isac"), community.collection, [stix])
    assert seen_through_every_path(as_user("jp-isac"), community.collection, stix["id"])
    assert not seen_through_every_path(as_user("eu-isac"), community.collection, stix["id"])
    assert not seen_through_every_path(as_user("jp-cert"), community.collection, stix["id"])


def test_markings_that_cannot_be_honoured_refuse_the_object_alone(community, as_user):
    unknown_marking = indicator(marking="marking-definition--0c5d1d44-5bd8-4e24-ae38-5a0a3f6b4a3f")
    unknown_recipient = indicator(marking=MARKING_OF_LEVEL["red"], recipients=["no-such-isac"])
    bad_recipients = indicator(marking=MARKING_OF_LEVEL["red"], recipients="eu-isac")
    statement = {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": "marking-definition--a0a8a0e2-5b47-4c4f-8c43-2d8c2cf0e2d1",
        "created": "2026-01-01T00:00:00.000Z",
        "definition_type": "statement",
        "definition": {"statement": "Copyright ISAC"},
    }
    marked_by_statement = indicator(marking=statement["id"])
    good = indicator()
    status = post(
        as_user("jp-isac"),
        community.collection,
        [unknown_marking, unknown_recipient, bad_recipients, marked_by_statement, statement, good],
    )
    failures = {failure["id"]: failure["message"] for failure in status["failures"]}
    assert set(failures) == {unknown_marking["id"], unknown_recipient["id"], bad_recipients["id"]}
    assert "neither a TLP marking" in failures[unknown_marking["id"]]
    assert "no-such-isac" in failures[unknown_recipient["id"]]
    assert {s["id"] for s in status["successes"]} == {marked_by_statement["id"], statement["id"], good["id"]}
    # A later envelope may reference the statement stored in the collection.
    later = post(as_user("jp-isac"), community.collection, [indicator(marking=statement["id"])])
    assert later["success_count"] == 1


def test_next_pages_filter_by_tlp_in_the_database(community, as_user):
    levels = ["green", "red"] * 15
    objects = [indicator(f"n{n}", MARKING_OF_LEVEL[level]) for n, level in enumerate(levels)]
    post(as_user("jp-isac"), community.collection, objects)
    greens = [stix["id"] for stix, level in zip(objects, levels, strict=True) if level == "green"]
    client = as_user("jp-cert")
    seen, pages, query = [], 0, {"limit": "4"}
    while True:
        body = client.get(objects_url(community.collection), query).json()
        pages += 1
        page = [o["id"] for o in body["objects"]]
        assert len(page) == 4 or not body["more"]
        seen += page
        if not body["more"]:
            break
        query = {"limit": "4", "next": body["next"]}
    assert seen == greens
    assert pages == 4


def test_next_tokens_are_bound_to_the_query_and_the_caller(community, as_user):
    post(
        as_user("jp-isac"),
        community.collection,
        [indicator(marking=MARKING_OF_LEVEL["green"]) for _ in range(5)],
    )
    url = objects_url(community.collection)
    first = as_user("jp-cert").get(url, {"limit": "2"}).json()
    token = first["next"]
    assert as_user("jp-cert").get(url, {"limit": "2", "next": token}).status_code == 200
    # Another user: refused.
    other = as_user("eu-isac").get(url, {"limit": "2", "next": token})
    assert other.status_code == 400 and "another user" in other.json()["description"]
    # Another query: refused.
    changed = as_user("jp-cert").get(url, {"limit": "2", "next": token, "match[type]": "indicator"})
    assert changed.status_code == 400 and "another query" in changed.json()["description"]
    # Another endpoint: refused.
    manifest = as_user("jp-cert").get(url.replace("objects/", "manifest/"), {"limit": "2", "next": token})
    assert manifest.status_code == 400
    # Altered: refused.
    assert as_user("jp-cert").get(url, {"limit": "2", "next": token[:-3] + "abc"}).status_code == 400
    # Rights withdrawn between pages: the next page answers with the rights of now.
    community.collection.grants.filter(organisation=community.jp_cert).delete()
    assert as_user("jp-cert").get(url, {"limit": "2", "next": token}).status_code == 404


def test_a_guest_grant_reads_clear_only(community, as_user):
    post(
        as_user("eu-isac"),
        community.collection,
        [indicator("c", MARKING_OF_LEVEL["clear"]), indicator("g", MARKING_OF_LEVEL["green"])],
    )
    names = [o["name"] for o in as_user("eu-guest").get(objects_url(community.collection)).json()["objects"]]
    assert names == ["c"]


def test_a_next_token_signed_with_another_key_is_refused(community, as_user, settings):
    post(
        as_user("jp-isac"),
        community.collection,
        [indicator(marking=MARKING_OF_LEVEL["clear"]) for _ in range(3)],
    )
    url = objects_url(community.collection)
    token = as_user("jp-isac").get(url, {"limit": "1"}).json()["next"]
    # Any worker process with the node's SECRET_KEY reads it; a token from another node does not pass.
    settings.SECRET_KEY = "another node's secret key, long enough to be one"
    response = as_user("jp-isac").get(url, {"limit": "1", "next": token})
    assert response.status_code == 400
    assert "not issued by this server" in response.json()["description"]


def test_relationships_stay_navigable_within_what_the_reader_may_see(community, as_user):
    from partnership.exchanges.threat_intel import queries

    target = indicator("target", MARKING_OF_LEVEL["green"])
    other = indicator("other", MARKING_OF_LEVEL["green"])

    public, secret = (
        relationship(other, target, MARKING_OF_LEVEL["green"]),
        relationship(other, target, MARKING_OF_LEVEL["red"]),
    )
    post(as_user("jp-isac"), community.collection, [target, other, public, secret])

    def related(username):
        caller = queries.caller_for(community.users[username])
        access = queries.access_to(caller, community.collection)
        return {
            stix["id"] for stix in queries.relationships(caller, community.collection, access, target["id"])
        }

    assert related("jp-isac") == {public["id"], secret["id"]}
    assert related("eu-isac") == {public["id"]}
    assert related("eu-guest") == set()


def test_the_parts_of_a_page_are_disjoint_and_make_up_what_a_reader_sees(community, as_user):
    """`visible_parts` (one index walk each, merged on PostgreSQL) is `visible_to` cut in pieces."""
    from functools import reduce
    from operator import or_

    from partnership.exchanges.threat_intel.models import ObjectVersion
    from partnership.exchanges.threat_intel.sharing import visible_parts, visible_to

    objects = [
        indicator(f"case {n}", marking, recipients) for n, (marking, recipients, _r) in enumerate(MATRIX)
    ]
    post(as_user("jp-isac"), community.collection, objects)
    post(as_user("eu-isac"), community.collection, [indicator("eu's own", MARKING_OF_LEVEL["red"])])
    rows = ObjectVersion.objects.filter(collection=community.collection)
    organisations = [community.jp_isac, community.eu_isac, community.jp_cert, community.guest, None]
    for organisation in organisations:
        for member in (True, False):
            organisation_id = organisation.pk if organisation else None
            parts = [
                set(rows.filter(part).values_list("pk", flat=True))
                for part in visible_parts(organisation_id, member)
            ]
            assert sum(len(part) for part in parts) == len(set().union(*parts))  # disjoint
            expected = set(rows.filter(visible_to(organisation_id, member)).values_list("pk", flat=True))
            assert set().union(*parts) == expected
            assert (
                set(
                    rows.filter(reduce(or_, visible_parts(organisation_id, member))).values_list(
                        "pk", flat=True
                    )
                )
                == expected
            )
