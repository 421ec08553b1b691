"""The cycle page in a real browser (issue 14): a calendar JP proposed awaits EU, whose secretariat
agrees to it with one button; the phases can then move."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_update_flow import sign_in

pytestmark = pytest.mark.browser


def test_the_eu_secretariat_agrees_to_the_calendar_jp_proposed(live_server, jp_secretariat, page):
    from django.contrib.auth.models import User

    from partnership.cycle import services
    from partnership.cycle.models import Cycle
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import PASSWORD

    services.create_cycle(
        User.objects.get(username="jp-secretariat"),
        {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31", "council_date": "2026-05-12"},
    )
    create_member("eu-secretariat", PASSWORD, Organisation.objects.get(code="eu-dg-connect"), "secretariat")
    sign_in(page, live_server.url, "eu-secretariat", PASSWORD)
    page.goto(f"{live_server.url}/en/cycles/2026/")
    expect(page.get_by_text("calendar proposed by JP, awaiting EU")).to_be_visible()
    expect(page.get_by_role("button", name="Move to")).to_have_count(0)

    page.get_by_role("button", name="Agree to this calendar").click()

    expect(page.get_by_text("The calendar of 2026 is agreed.")).to_be_visible()
    expect(page.get_by_text("calendar agreed by both parties")).to_be_visible()
    expect(page.get_by_role("button", name="Agree to this calendar")).to_have_count(0)
    assert Cycle.objects.get().calendar_agreed
    page.get_by_role("button", name="Move to “call for updates open”").click()
    expect(page.get_by_text("The cycle is now at “call for updates open”.")).to_be_visible()
