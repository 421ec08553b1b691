"""A secretariat translates its party's update from the queue "Needs translation for the report", in a
real browser without JavaScript, and the Japanese report then reads it without the 原文 marker."""

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

EU_NARRATIVE = "The standardisation dialogue met twice; a joint workshop is planned."
JA_TRANSLATION = "標準化対話を2回開催し、共同ワークショップを計画している。"


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/en/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/en/dashboard/")


def test_the_eu_secretariat_translates_from_the_queue_and_the_japanese_report_uses_it(
    live_server, transactional_db, programme, page_without_javascript
):
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from partnership.programme import services
    from partnership.programme.models import Translation
    from tests.conftest import PASSWORD
    from tests.helpers import plan_cycle

    page = page_without_javascript
    secretariat = create_member(
        "eu-secretariat", PASSWORD, Organisation.objects.get(code="eu-dg-connect"), "secretariat"
    )
    jp = create_member(
        "jp-secretariat", PASSWORD, Organisation.objects.get(code="jp-digital-agency"), "secretariat"
    )
    lead = create_member("eu-lead", PASSWORD, Organisation.objects.get(code="eu-dg-grow"), "action_lead")
    plan_cycle(jp, {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"})
    update = services.file_update(
        lead, 72, {"status": "on_track", "narrative": EU_NARRATIVE, "language": "en", "period": 2026}
    )
    base = live_server.url
    sign_in(page, base, "eu-secretariat", PASSWORD)

    page.goto(f"{base}/en/cycles/2026/translations/")
    expect(page.locator("main h1")).to_have_text("Needs translation for the report")
    expect(page.locator("#queue-count")).to_contain_text("1 text")
    page.locator(f"main a[href^='/en/translations/update/{update.uid}/']").click()
    expect(page.locator("main blockquote")).to_contain_text(EU_NARRATIVE)
    page.get_by_label("Narrative").fill(JA_TRANSLATION)
    page.get_by_role("button", name="Save translation").click()
    expect(page).to_have_url(f"{base}/en/cycles/2026/translations/")
    expect(page.locator(".messages")).to_contain_text("The translation is saved.")
    expect(page.locator("#queue-count")).to_contain_text("0 texts")
    assert Translation.objects.get().organisation.code == "eu-dg-connect"

    page.goto(f"{base}/ja/cycles/2026/report/")
    narrative = page.locator(".party", has_text=JA_TRANSLATION)
    expect(narrative).to_have_count(1)
    expect(narrative.locator(".translated-by")).to_contain_text(
        "翻訳：欧州委員会通信ネットワーク・コンテンツ・技術総局"
    )
    expect(narrative).not_to_contain_text("原文：英語")
    assert secretariat.is_active
