"""The web pages under /<lang>/threat-intel/: the same grants and TLP rules as TAXII, in both languages."""

import uuid

import pytest
from django.test import Client

from partnership.exchanges.threat_intel.models import ObjectRead
from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL
from tests.exchanges.threat_intel.conftest import indicator, objects_url, relationship

pytestmark = pytest.mark.django_db


def post(client, collection, objects):
    response = client.post(objects_url(collection), {"objects": objects})
    assert response.status_code == 202, response.content
    assert response.json()["success_count"] == len(objects), response.content


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def list_url(collection, language="en") -> str:
    return f"/{language}/threat-intel/{collection.api_root.slug}/{collection.pk}/"


def object_url(collection, stix_id, language="en") -> str:
    return list_url(collection, language) + f"{stix_id}/"


@pytest.fixture
def shared(community, as_user):
    """Objects of both ISACs: an EU AMBER object and relationship not shared with the JP ISAC."""
    green = indicator("Shared phishing domain", MARKING_OF_LEVEL["green"])
    jp_amber = indicator("JP amber for EU", MARKING_OF_LEVEL["amber"], recipients=["eu-isac"])
    eu_amber = indicator("EU amber secret", MARKING_OF_LEVEL["amber"])
    eu_secret_link = relationship(eu_amber, green, MARKING_OF_LEVEL["amber"], "indicates")
    public_link = relationship(jp_amber, green, MARKING_OF_LEVEL["green"], "indicates")
    post(as_user("jp-isac"), community.collection, [green, jp_amber, public_link])
    post(as_user("eu-isac"), community.collection, [eu_amber, eu_secret_link])
    return {
        "green": green,
        "jp_amber": jp_amber,
        "eu_amber": eu_amber,
        "eu_secret_link": eu_secret_link,
        "public_link": public_link,
    }


@pytest.mark.parametrize(
    "path",
    ["/en/threat-intel/", "/en/threat-intel/activity/", "/ja/threat-intel/"],
)
def test_anonymous_users_get_the_login_page(community, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_anonymous_users_get_the_login_page_for_a_collection(community):
    response = Client().get(list_url(community.collection))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_collections_a_user_may_read(community):
    page = signed_in(community.users["jp-isac"]).get("/en/threat-intel/").content.decode()
    assert "Shared ISAC feed" in page and list_url(community.collection) in page
    outsider = signed_in(community.users["eu-outsider"]).get("/en/threat-intel/").content.decode()
    assert "Shared ISAC feed" not in outsider
    assert "Your organisation may read no collection." in outsider
    assert signed_in(community.users["eu-outsider"]).get(list_url(community.collection)).status_code == 404


def test_the_navigation_links_the_pages(community):
    page = signed_in(community.users["jp-isac"]).get("/ja/threat-intel/").content.decode()
    assert 'href="/ja/threat-intel/"' in page
    assert "脅威インテリジェンス" in page


def test_the_object_list_shows_only_what_tlp_lets_the_reader_see(community, shared):
    jp = signed_in(community.users["jp-isac"])
    page = jp.get(list_url(community.collection)).content.decode()
    assert "Shared phishing domain" in page and "JP amber for EU" in page
    assert "EU amber secret" not in page and shared["eu_amber"]["id"] not in page
    eu = signed_in(community.users["eu-isac"]).get(list_url(community.collection)).content.decode()
    assert "EU amber secret" in eu and "JP amber for EU" in eu
    guest = signed_in(community.users["eu-guest"]).get(list_url(community.collection)).content.decode()
    assert "Shared phishing domain" not in guest and "No object you may read" in guest
    # The TLP labels, with their official text.
    assert 'class="tlp tlp-green">TLP:GREEN<' in page and 'class="tlp tlp-amber">TLP:AMBER<' in page


@pytest.mark.parametrize("search", ["secret", "EU amber", "indicator", "relationship"])
def test_search_never_finds_what_the_reader_may_not_see(community, shared, search):
    jp = signed_in(community.users["jp-isac"])
    page = jp.get(list_url(community.collection), {"q": search}).content.decode()
    assert "EU amber secret" not in page
    assert shared["eu_amber"]["id"] not in page and shared["eu_secret_link"]["id"] not in page
    by_id = jp.get(list_url(community.collection), {"q": shared["eu_amber"]["id"]}).content.decode()
    assert "No object you may read matches." in by_id


def test_search_and_filters(community, shared):
    jp = signed_in(community.users["jp-isac"])
    found = jp.get(list_url(community.collection), {"q": "phishing"}).content.decode()
    assert "Shared phishing domain" in found and "JP amber for EU" not in found
    by_id = jp.get(list_url(community.collection), {"q": shared["jp_amber"]["id"]}).content.decode()
    assert "JP amber for EU" in by_id and "Shared phishing domain" not in by_id
    amber = jp.get(list_url(community.collection), {"tlp": "amber"}).content.decode()
    assert "JP amber for EU" in amber and "Shared phishing domain" not in amber
    relationships = jp.get(list_url(community.collection), {"type": "relationship"}).content.decode()
    assert shared["public_link"]["id"] in relationships and "Shared phishing domain" not in relationships
    # HTMX asks for the rows only.
    rows = jp.get(list_url(community.collection), {"q": "phishing"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Shared phishing domain" in rows and "<html" not in rows


def test_keyset_pages(community, as_user):
    from partnership.exchanges.threat_intel import queries

    post(
        as_user("jp-isac"),
        community.collection,
        [indicator(f"feed {n:03}", MARKING_OF_LEVEL["green"]) for n in range(queries.PAGE_SIZE + 5)],
    )
    eu = signed_in(community.users["eu-isac"])
    first = eu.get(list_url(community.collection))
    names = {row.name for row in first.context["found"].rows}
    assert len(names) == queries.PAGE_SIZE and "feed 054" in names and "feed 004" not in names  # newest first
    token = first.context["found"].next
    second = eu.get(list_url(community.collection), {"after": token})
    rest = {row.name for row in second.context["found"].rows}
    assert len(rest) == 5 and not names & rest and "feed 000" in rest
    assert second.context["found"].next == ""
    # A token is bound to its query and user.
    assert eu.get(list_url(community.collection), {"after": token, "q": "x"}).status_code == 400
    jp = signed_in(community.users["jp-isac"])
    assert jp.get(list_url(community.collection), {"after": token}).status_code == 400


def test_the_object_page(community, shared):
    jp = signed_in(community.users["jp-isac"])
    response = jp.get(object_url(community.collection, shared["green"]["id"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Shared phishing domain" in page
    assert 'class="tlp tlp-green">TLP:GREEN<' in page
    assert "JP-ISAC (jp-isac)" in page  # the author organisation
    assert "[domain-name:value = &#x27;evil.example&#x27;]" in page  # its JSON
    # Relationships: the public one, not the EU's AMBER one, nor the object it points from.
    assert shared["public_link"]["id"] in page and "JP amber for EU" in page
    assert shared["eu_secret_link"]["id"] not in page and shared["eu_amber"]["id"] not in page
    eu_page = signed_in(community.users["eu-isac"]).get(
        object_url(community.collection, shared["green"]["id"])
    )
    assert shared["eu_secret_link"]["id"] in eu_page.content.decode()
    # Showing the object is a read.
    assert ObjectRead.objects.filter(
        organisation=community.jp_isac, version__stix_id=shared["green"]["id"]
    ).exists()


def test_an_object_the_reader_may_not_see_is_not_found(community, shared):
    jp = signed_in(community.users["jp-isac"])
    for stix_id in (shared["eu_amber"]["id"], shared["eu_secret_link"]["id"], f"indicator--{uuid.uuid4()}"):
        response = jp.get(object_url(community.collection, stix_id))
        assert response.status_code == 404
        assert "EU amber secret" not in response.content.decode()
    assert not ObjectRead.objects.filter(
        organisation=community.jp_isac, version__stix_id=shared["eu_amber"]["id"]
    ).exists()


def test_versions_are_listed(community, as_user):
    first = indicator("versioned", MARKING_OF_LEVEL["green"])
    second = {**first, "modified": "2026-02-01T00:00:00.000Z", "name": "versioned again"}
    post(as_user("jp-isac"), community.collection, [first, second])
    page = (
        signed_in(community.users["eu-isac"])
        .get(object_url(community.collection, first["id"]))
        .content.decode()
    )
    assert "versioned again" in page
    versions = page[page.index('<ol class="versions">') : page.index("</ol>")]
    assert versions.count("<li>") == 2 and "2026-02-01" in versions and "2026-01-01" in versions


def test_english_content_is_marked_on_the_japanese_pages(community, as_user):
    english = indicator("Spearphishing Attachment", MARKING_OF_LEVEL["green"])
    japanese = indicator("標的型メール", MARKING_OF_LEVEL["green"], lang="ja")
    post(as_user("jp-isac"), community.collection, [english, japanese])
    jp = signed_in(community.users["jp-isac"])
    page = jp.get(list_url(community.collection, "ja")).content.decode()
    assert '<span class="untranslated" lang="en">Spearphishing Attachment</span>' in page
    assert '<span lang="ja">標的型メール</span>' in page
    assert (
        '<span class="lang-marker" title="英語で記載されています。翻訳はありません。">原文：英語</span>'
        in page
    )
    english_page = jp.get(list_url(community.collection, "en")).content.decode()
    assert '<span lang="en">Spearphishing Attachment</span>' in english_page
    assert '<span class="untranslated" lang="ja">標的型メール</span>' in english_page


def test_the_activity_of_each_organisation(community, shared, as_user):
    as_user("jp-cert").get(objects_url(community.collection))
    response = signed_in(community.users["jp-isac"]).get("/en/threat-intel/activity/")
    rows = {row.code: (row.added, row.read) for row in response.context["rows"]}
    assert rows["jp-isac"] == (3, 0)
    assert rows["eu-isac"] == (2, 0)
    assert rows["jp-cert"][0] == 0 and rows["jp-cert"][1] == 2  # the GREEN indicator and relationship
    assert "EU amber secret" not in response.content.decode()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_page_renders_in_both_languages(community, shared, language):
    jp = signed_in(community.users["jp-isac"])
    for path in (
        f"/{language}/threat-intel/",
        f"/{language}/threat-intel/activity/",
        list_url(community.collection, language),
        object_url(community.collection, shared["green"]["id"], language),
    ):
        response = jp.get(path)
        assert response.status_code == 200, path
        assert f'<html lang="{language}">' in response.content.decode()


@pytest.mark.parametrize("language, source, target", [("en", "Source", "Target"), ("ja", "参照元", "参照先")])
def test_a_relationships_page_links_its_source_and_target(community, shared, language, source, target):
    """Issue 15.7: a relationship's own page said "no relationships" and named neither of its ends."""
    jp = signed_in(community.users["jp-isac"])
    page = jp.get(object_url(community.collection, shared["public_link"]["id"], language)).content.decode()
    facts = page[page.index('<dl class="object-facts">') : page.index("</dl>")]
    from_, to = (
        object_url(community.collection, shared["jp_amber"]["id"], language),
        object_url(community.collection, shared["green"]["id"], language),
    )
    assert f'<dt>{source}</dt><dd><a href="{from_}">' in facts and "JP amber for EU" in facts
    assert f'<dt>{target}</dt><dd><a href="{to}">' in facts and "Shared phishing domain" in facts
    assert "<code>indicates</code>" in facts
    assert "No relationship you may read" not in page and "閲覧できる関係はありません" not in page


def test_a_relationships_ends_are_named_and_the_relationship_stays_hidden_by_its_tlp(community, shared):
    page = (
        signed_in(community.users["eu-isac"])
        .get(object_url(community.collection, shared["eu_secret_link"]["id"]))
        .content.decode()
    )
    assert "EU amber secret" in page  # the EU ISAC sees its own object by name
    jp = signed_in(community.users["jp-isac"])
    assert jp.get(object_url(community.collection, shared["eu_secret_link"]["id"])).status_code == 404


@pytest.mark.parametrize("language", ["en", "ja"])
def test_collections_of_the_same_title_are_told_apart_by_their_api_root(community, language):
    """Issue 15.7: the two parties' collections had the same title and nothing else in the page title."""
    from partnership.exchanges.threat_intel import services
    from partnership.exchanges.threat_intel.models import ApiRoot

    eu_root = ApiRoot.objects.get(slug="eu")
    twin = services.create_collection(eu_root, "Shared ISAC feed", default_tlp="amber")
    services.grant(twin, community.jp_isac, can_read=True, can_write=False)
    jp = signed_in(community.users["jp-isac"])
    titles = set()
    for collection in (community.collection, twin):
        page = jp.get(list_url(collection, language)).content.decode()
        title = page[page.index("<title>") + 7 : page.index("</title>")]
        assert f"Shared ISAC feed · {collection.api_root.title}" in title
        assert f"<code>{collection.api_root.slug}</code>" in page and f"<code>{collection.pk}</code>" in page
        titles.add(title)
    assert len(titles) == 2
