"""The Council progress report in a real browser: public once published, navigable, in both languages."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_update_flow import sign_in
from tests.helpers import plan_cycle

pytestmark = pytest.mark.browser


@pytest.fixture
def published_2026(jp_secretariat):
    from django.contrib.auth.models import User

    from partnership.cycle import report, services
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from partnership.programme import services as programme_services

    user = User.objects.get(username="jp-secretariat")
    # The EU secretariat agrees to the calendar JP proposes, so the phases can move.
    create_member(
        "eu-secretariat-2",
        "browser-password-1",
        Organisation.objects.get(code="eu-dg-connect"),
        "secretariat",
    )
    plan_cycle(user, {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"})
    for phase in ("call_open", "call_closed", "stock_take"):
        services.advance_phase(user, 2026, phase)
    programme_services.file_update(
        user,
        61,
        {
            "status": "at_risk",
            "narrative": "海底ケーブルの障害報告を試行中。",
            "language": "ja",
            "period": 2026,
        },
    )
    return report.publish_report(user, 2026)


def test_the_public_reads_the_published_report_and_follows_its_contents(live_server, published_2026, page):
    base = live_server.url
    page.goto(f"{base}/en/reports/")
    page.get_by_role("link", name="2026").first.click()
    expect(page).to_have_url(f"{base}/en/reports/2026/")
    expect(page.locator("h1")).to_contain_text("2026")
    for paragraph in (46, 61, 83):
        expect(page.locator(f"#action-{paragraph}")).to_be_attached()
    page.locator('a[href="#areas"]').first.click()
    expect(page).to_have_url(f"{base}/en/reports/2026/#areas")
    expect(page.locator("#action-61")).to_contain_text("海底ケーブルの障害報告を試行中。")
    # Authored in Japanese, read in English: marked, not silently mixed in.
    expect(page.locator("#action-61 .lang-marker").first).to_be_visible()
    page.goto(f"{base}/ja/reports/2026/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("#area-privacy h2")).to_have_text("プライバシー")


def test_the_live_report_is_for_members_only(live_server, published_2026, jp_secretariat, page):
    base = live_server.url
    page.goto(f"{base}/en/cycles/2026/report/")
    expect(page).to_have_url(f"{base}/en/login/?next=/en/cycles/2026/report/")
    username, password = jp_secretariat
    sign_in(page, base, username, password)
    page.goto(f"{base}/en/cycles/2026/report/")
    expect(page.locator("#action-46")).to_be_attached()
