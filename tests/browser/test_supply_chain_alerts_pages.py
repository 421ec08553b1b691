"""A DG GROW analyst handles an alert the JP secretariat proposed, in a real browser: the dashboard's open
alert, the event it came from, acknowledging and assessing it, a preventive action flagged overdue, a
refused form saying why, then the same alert in Japanese, all under the node's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_content_security_policy import Violations
from tests.browser.test_update_flow import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst(transactional_db, programme):
    """A JP event and alert, and a DG GROW account (in the live server's database)."""
    from partnership.exchanges.supply_chain import alerts
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import PASSWORD

    jp = create_member(
        "jp-secretariat", PASSWORD, Organisation.objects.get(code="jp-digital-agency"), "secretariat"
    )
    event = alerts.report_event(
        jp,
        {
            "kind": "fab_fire",
            "title": "那珂工場の火災",
            "country": "JP",
            "site": "茨城県那珂",
            "products": ["8542"],
            "firms": ["ルネサス エレクトロニクス"],
            "severity": "major",
            "start_date": "2021-03-19",
            "expected_days": 100,
            "language": "ja",
            "tlp": "amber",
            "recipients": ["eu-dg-grow"],
        },
    )
    alerts.propose_alert(jp, {"title": "車載マイコンの供給", "language": "ja", "event": str(event.uid)})
    create_member("eu-grow", PASSWORD, Organisation.objects.get(code="eu-dg-grow"), "action_lead")
    return "eu-grow", PASSWORD


def test_an_eu_analyst_acknowledges_and_assesses_a_japanese_alert(live_server, page, analyst):
    base = live_server.url
    violations = Violations(page)
    sign_in(page, base, *analyst)
    panel = page.locator("section.supply-chain-alerts-panel")
    expect(panel).to_contain_text("awaiting acknowledgement")
    panel.get_by_role("link", name="車載マイコンの供給").click()

    expect(page.locator("h1")).to_contain_text("車載マイコンの供給")
    expect(page.locator("h1 .lang-marker")).to_be_visible()  # written in Japanese, no translation
    page.get_by_role("button", name="Acknowledge for your party").click()
    expect(page.locator("main")).to_contain_text("acknowledged the alert")
    expect(page.get_by_role("button", name="Acknowledge for your party")).to_have_count(0)

    page.get_by_label("Your party's assessment").select_option("crisis")
    page.get_by_label("Note", exact=True).fill("Car plants in the EU stop within weeks")
    page.get_by_role("button", name="Assess").click()
    expect(page.locator("main p .stage")).to_have_text("crisis")

    page.get_by_label("A preventive action of your organisation").fill("Survey stocks of car makers")
    page.get_by_label("Deadline").fill("2021-04-01")
    page.get_by_role("button", name="Add the action").click()
    expect(page.locator("tr.overdue")).to_contain_text("overdue")

    # A refused closing note (empty, bypassing the browser's own check) says why and keeps the page.
    page.locator("#close-note").evaluate("element => element.removeAttribute('required')")
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.locator(".errors")).to_contain_text("Nothing was saved")

    page.get_by_role("link", name="那珂工場の火災").click()
    expect(page.locator("main dl")).to_contain_text("ルネサス エレクトロニクス")

    page.goto(page.url.replace("/en/", "/ja/"))
    expect(page.locator("main dl")).to_contain_text("工場火災")
    expect(page.locator("main dl")).to_contain_text("日本")
    page.goto(f"{base}/ja/supply-chain/alerts/")
    expect(page.locator("main table")).to_contain_text("危機")
    page.wait_for_load_state("networkidle")
    assert not violations.take()
