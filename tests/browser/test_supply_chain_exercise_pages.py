"""A tabletop exercise in a real browser (issue 16, item 4): the JP secretariat starts a run and releases
its first inject; a DG GROW analyst in another browser answers it (acknowledges, assesses, adds an
action), sees the timings and the other party's injects still hidden, a refused form says why, and the
run page reads in Japanese, every page marked EXERCISE · 演習, all under the Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_content_security_policy import Violations
from tests.browser.test_update_flow import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def players(transactional_db, programme):
    """JP's scenario, and the accounts of its secretariat and of a DG GROW analyst."""
    from partnership.exchanges.supply_chain import exercises
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import PASSWORD

    jp = create_member(
        "jp-secretariat", PASSWORD, Organisation.objects.get(code="jp-digital-agency"), "secretariat"
    )
    create_member("eu-grow", PASSWORD, Organisation.objects.get(code="eu-dg-grow"), "action_lead")
    scenario = {
        "title": "Earthquake near Kyushu fabs",
        "tlp": "green",
        "injects": [
            {
                "offset": "T+0h",
                "type": "event",
                "kind": "earthquake",
                "title": "M7 earthquake near Kumamoto",
                "country": "JP",
                "severity": "major",
                "note": "Two fabs report damage to their clean rooms.",
            },
            {
                "offset": "T+2d",
                "type": "event",
                "kind": "logistics",
                "title": "Port of Hakata closed",
                "country": "JP",
                "severity": "moderate",
            },
        ],
    }
    exercise = exercises.create_exercise(jp, scenario)
    return exercise, ("jp-secretariat", PASSWORD), ("eu-grow", PASSWORD)


def test_jp_facilitates_and_an_eu_analyst_answers_an_inject(live_server, page, browser, players):
    exercise, jp, eu = players
    base = live_server.url
    violations = Violations(page)
    sign_in(page, base, *jp)
    page.goto(f"{base}/en/supply-chain/exercises/{exercise.uid}/")
    expect(page.locator(".exercise-banner")).to_contain_text("EXERCISE")
    expect(page.locator("main table")).to_contain_text("Port of Hakata closed")  # JP's own injects
    page.get_by_role("button", name="Start a run (both parties take part)").click()
    expect(page.locator("main")).to_contain_text("No inject is released yet.")
    page.get_by_role("button", name="Release the next inject").click()
    expect(page.locator("#inject-1")).to_contain_text("M7 earthquake near Kumamoto")
    expect(page.locator("#inject-1")).to_contain_text("Two fabs report damage")
    page.get_by_label("Raise an exercise alert at stage").select_option("alert")
    page.get_by_role("button", name="Raise", exact=True).click()
    expect(page.locator("#inject-1 h3 .stage")).to_have_text("alert")
    run_url = page.url
    assert not violations.take()

    analyst = browser.new_context().new_page()
    analyst_violations = Violations(analyst)
    sign_in(analyst, base, *eu)
    analyst.goto(run_url)
    expect(analyst.locator(".exercise-banner")).to_contain_text("演習")
    expect(analyst.locator("main")).not_to_contain_text("Port of Hakata closed")  # not yet released
    expect(analyst.get_by_role("button", name="Release the next inject")).to_have_count(0)
    analyst.locator("#inject-1").get_by_role("button", name="Acknowledge for your party").click()
    expect(
        analyst.locator("#inject-1").get_by_role("button", name="Acknowledge for your party")
    ).to_have_count(0)
    analyst.get_by_label("Your party's assessment").select_option("crisis")
    analyst.locator("#inject-1").get_by_role("button", name="Assess").click()
    expect(analyst.locator("#inject-1 h3 .stage")).to_have_text("crisis")
    eu_row = analyst.locator("#inject-1 tbody tr", has_text="EU")
    expect(eu_row).to_contain_text("min")  # the time from the release to EU's acknowledgement
    # A refused action (no deadline, bypassing the browser's check) says why and stores nothing.
    analyst.get_by_label("A preventive action of your organisation").fill("Ask member states for stocks")
    analyst.locator("#inject-1 input[name=deadline]").evaluate(
        "element => element.removeAttribute('required')"
    )
    analyst.get_by_role("button", name="Add the action").click()
    expect(analyst.locator(".errors")).to_contain_text("deadline")
    expect(analyst.locator("ol.timeline")).to_have_count(2)
    expect(analyst.locator("main")).to_contain_text("eu-grow")

    analyst.goto(run_url.replace("/en/", "/ja/"))
    expect(analyst.locator("h2").first).to_contain_text("投入されたインジェクト")
    expect(analyst.locator("#inject-1 h3 .stage")).to_have_text("危機")
    analyst.goto(run_url.replace("/en/", "/ja/") + "report/")
    expect(analyst.locator("h1")).to_contain_text("事後報告")
    analyst.wait_for_load_state("networkidle")
    assert not analyst_violations.take()
