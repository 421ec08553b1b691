"""The search page at a laptop's 1,366 px (issue 15.4): the filters fit without a horizontal scroll, a
search by a filter lists its rows, a wrong value is named in words, the download links carry the same
filters, and the print layout of an action has a working Print button (site.js, no inline script)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_header import LAPTOP, sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_search_page_at_1366_px(live_server, browser, jp_secretariat, language):
    from django.contrib.auth.models import User

    from partnership.programme import services

    user = User.objects.get(username=jp_secretariat[0])
    services.file_update(
        user, 48, {"status": "at_risk", "language": "en", "narrative": "Terahertz testbed is late."}
    )
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        sign_in(page, live_server.url, *jp_secretariat)
        page.goto(f"{live_server.url}/{language}/search/")
        form = page.locator("form.search-filters")
        box = form.bounding_box()
        assert box is not None and box["width"] <= LAPTOP["width"]
        # No horizontal scroll, and the filters take two rows at most (their bottoms line up).
        assert page.evaluate("document.documentElement.scrollWidth") <= LAPTOP["width"]
        tops = {
            round(field["bottom"])
            for field in form.locator(".field").evaluate_all(
                "(fields) => fields.map((field) => field.getBoundingClientRect())"
            )
        }
        assert len(tops) <= 2, tops
        page.locator("#id_type").select_option("update")
        page.locator("#id_status").select_option("at_risk")
        page.locator("form.search-filters button[type=submit]").click()
        expect(page.locator("table.results tbody tr")).to_have_count(1)
        expect(page.locator("table.results")).to_contain_text("Terahertz testbed is late.")
        csv_link = page.locator("p.downloads a").first
        assert "status=at_risk" in (csv_link.get_attribute("href") or "")
        with page.expect_download() as download:
            csv_link.click()
        assert download.value.suggested_filename == "search.csv"
        page.locator("#id_cycle").fill("1999")
        page.locator("form.search-filters button[type=submit]").click()
        expect(page.get_by_role("alert")).to_be_visible()
        # The print layout: the site's navigation hidden, the Print button shown by site.js.
        page.goto(f"{live_server.url}/{language}/actions/48/print/")
        expect(page.locator("header.site nav")).to_be_hidden()
        expect(page.locator("button[data-print]")).to_be_visible()
        assert not [error for error in errors if "Content Security Policy" in error], errors
    finally:
        context.close()
