"""Each member lands on their own page (issue 15, item 2), in a real browser, in English and Japanese: a
lead on the actions it has to report this cycle, with a link straight to the form; a secretariat on who
has not reported and what awaits it."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_update_flow import japanese

pytestmark = pytest.mark.browser


@pytest.fixture
def lead_and_secretariat(transactional_db, programme):
    """The JP secretariat and the JP lead (MIC) in the live server's database, in a cycle in progress."""
    from partnership.cycle import services
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import MEMBERS, PASSWORD
    from tests.helpers import plan_cycle

    accounts = {}
    for name in ("jp_secretariat", "eu_secretariat", "jp_lead"):
        code, role = MEMBERS[name]
        accounts[name] = create_member(
            name.replace("_", "-"), PASSWORD, Organisation.objects.get(code=code), role
        )
    plan_cycle(
        accounts["jp_secretariat"], {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"}
    )
    services.advance_phase(accounts["jp_secretariat"], 2026, "call_open")
    return {name: (user.username, PASSWORD) for name, user in accounts.items()}


def sign_in(page: Page, base: str, language: str, username: str, password: str) -> None:
    page.goto(f"{base}/{language}/login/")
    page.locator("input[name='username']").fill(username)
    page.locator("input[name='password']").fill(password)
    page.locator("main form button[type='submit']").click()
    expect(page).to_have_url(f"{base}/{language}/dashboard/")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_lead_lands_on_the_actions_it_has_to_report(live_server, lead_and_secretariat, page, language):
    from django.utils import translation

    base = live_server.url
    sign_in(page, base, language, *lead_and_secretariat["jp_lead"])
    with translation.override(language):
        heading = translation.gettext("My actions to report in the %(year)s cycle") % {"year": 2026}
        file_update = translation.gettext("File the update")
    if language == "ja":
        japanese("File the update")
    expect(page.locator("#desk-heading")).to_have_text(heading)
    # Its own page comes first: the desk is the first section of the page.
    expect(page.locator("main section").first.locator("h2")).to_have_id("desk-heading")
    form_link = page.locator(f"main .desk a[href='/{language}/actions/48/update/']")
    expect(form_link).to_have_text(file_update)
    expect(page.locator("#awaiting-heading")).to_have_count(0)
    form_link.click()
    expect(page).to_have_url(f"{base}/{language}/actions/48/update/")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_secretariat_lands_on_who_has_not_reported_and_what_awaits_it(
    live_server, lead_and_secretariat, page, language
):
    from django.utils import translation

    base = live_server.url
    sign_in(page, base, language, *lead_and_secretariat["jp_secretariat"])
    with translation.override(language):
        heading = translation.gettext("Not yet reported in the %(year)s cycle") % {"year": 2026}
        awaiting = translation.gettext("Awaiting you")
    if language == "ja":
        japanese("Awaiting you")
    expect(page.locator("#desk-heading")).to_have_text(heading)
    expect(page.locator("#awaiting-heading")).to_have_text(awaiting)
    expect(page.locator("main .desk table").first).to_contain_text("48")
    # The back office is offered to the secretariat, in the user menu.
    page.locator("header .account summary").click()
    expect(page.locator(f"header .account a[href='/{language}/admin/']")).to_be_visible()
