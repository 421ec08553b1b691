"""An ISAC analyst reads the shared collection in Japanese in a real browser: search, TLP filter, marks."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def isacs(transactional_db, programme):
    """Both ISACs and a shared collection holding GREEN and AMBER objects (in the live server's database)."""
    from partnership.exchanges.threat_intel import queries, services
    from partnership.exchanges.threat_intel.sharing import MARKING_OF_LEVEL
    from tests.conftest import PASSWORD
    from tests.exchanges.threat_intel.conftest import indicator, make_community

    community = make_community()
    jp = queries.caller_for(community.users["jp-isac"])
    eu = queries.caller_for(community.users["eu-isac"])
    jp_objects = [
        indicator("Spearphishing domain", MARKING_OF_LEVEL["green"]),
        indicator("標的型メールの送信元ドメイン", MARKING_OF_LEVEL["green"], lang="ja"),
    ]
    eu_objects = [indicator("EU amber secret", MARKING_OF_LEVEL["amber"])]
    assert services.add_objects(jp, community.collection, {"objects": jp_objects}).failure_count == 0
    assert services.add_objects(eu, community.collection, {"objects": eu_objects}).failure_count == 0
    return community, PASSWORD


def test_a_japanese_isac_analyst_searches_the_object_list(live_server, page, isacs):
    community, password = isacs
    base = live_server.url
    page.goto(f"{base}/ja/threat-intel/")
    # Anonymous: the login page first, then back to the collections.
    page.get_by_label("ユーザー名").fill("jp-isac")
    page.get_by_label("パスワード").fill(password)
    page.locator("main form").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/ja/threat-intel/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    page.get_by_role("link", name="Shared ISAC feed").click()
    rows = page.locator("#object-rows")
    expect(rows).to_contain_text("標的型メールの送信元ドメイン")
    # English STIX content is shown as authored and marked as English on the Japanese page.
    expect(rows.locator("span.untranslated[lang='en']")).to_have_text("Spearphishing domain")
    expect(rows.locator("span[lang='ja']").first).to_have_text("標的型メールの送信元ドメイン")
    expect(rows.locator(".tlp-green").first).to_have_text("TLP:GREEN")
    expect(rows).not_to_contain_text("EU amber secret")

    # Search (HTMX swaps the rows in place).
    page.get_by_label("名前・型・ID で検索").fill("Spearphishing")
    page.get_by_role("button", name="検索").last.click()
    expect(rows).not_to_contain_text("標的型メールの送信元ドメイン")
    expect(rows).to_contain_text("Spearphishing domain")

    # A search for what TLP withholds finds nothing.
    page.get_by_label("名前・型・ID で検索").fill("secret")
    page.get_by_role("button", name="検索").last.click()
    expect(rows).to_contain_text("条件に合う、閲覧できるオブジェクトはありません。")

    page.get_by_label("名前・型・ID で検索").fill("")
    page.get_by_role("button", name="検索").last.click()
    rows.get_by_role("link", name="Spearphishing domain").click()
    expect(page.locator("main h1")).to_contain_text("Spearphishing domain")
    expect(page.locator("main .tlp-green").first).to_have_text("TLP:GREEN")
