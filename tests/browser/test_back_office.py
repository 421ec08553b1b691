"""The back office at 1,366 px (issue 15, item 5): the progress-update list fits the screen, in English
and Japanese, with long narratives and titles."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def secretariat_with_updates(transactional_db, programme):
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from partnership.programme import services
    from tests.conftest import MEMBERS, PASSWORD

    code, role = MEMBERS["jp_secretariat"]
    user = create_member("jp-secretariat", PASSWORD, Organisation.objects.get(code=code), role)
    for paragraph in (46, 48, 61, 83):
        services.file_update(
            user,
            paragraph,
            {"status": "off_track", "narrative": "進捗は計画より遅れている。" * 40, "language": "ja"},
        )
    return user.username, PASSWORD


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_progress_update_list_fits_a_1366_px_screen(
    live_server, secretariat_with_updates, browser, language
):
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    base = live_server.url
    page.goto(f"{base}/{language}/login/")
    page.locator("input[name='username']").fill(secretariat_with_updates[0])
    page.locator("input[name='password']").fill(secretariat_with_updates[1])
    page.locator("main form button[type='submit']").click()
    page.goto(f"{base}/{language}/admin/programme/progressupdate/")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1366, f"the list is {width} px wide"
    # Short columns: a row takes a few lines, not a screen (a long title or narrative is cut).
    heights = page.locator("#result_list tbody tr").evaluate_all("rows => rows.map(r => r.offsetHeight)")
    assert max(heights) <= 120, heights
    context.close()
