"""The site header at a laptop's 1,366 px, as a reader sees it: one row in English and Japanese, signed in
or not, with the exchanges in a menu that opens without JavaScript (issue 15.7: it wrapped to two rows)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1366, "height": 768}

# The tops and bottoms of the header's parts: brand, navigation, search, account.
PARTS = """() => [...document.querySelectorAll("header.site > *")]
  .filter((element) => element.offsetParent !== null)
  .map((element) => { const box = element.getBoundingClientRect(); return [box.top, box.bottom]; })"""


def assert_one_row(page) -> None:
    parts = page.evaluate(PARTS)
    assert len(parts) == 4, parts
    # One row: every part starts above the point where every other ends.
    assert max(top for top, _ in parts) < min(bottom for _, bottom in parts), parts


def sign_in(page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/en/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/**")


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_header_is_one_row_at_1366_px_signed_in_or_not(live_server, browser, jp_secretariat, language):
    context = browser.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/{language}/")
        assert_one_row(page)
        sign_in(page, live_server.url, *jp_secretariat)
        for path in ("", "certificates/", "threat-intel/"):
            page.goto(f"{live_server.url}/{language}/{path}")
            assert_one_row(page)
    finally:
        context.close()


def test_the_exchanges_menu_opens_without_javascript(live_server, page_without_javascript, programme):
    page = page_without_javascript
    page.set_viewport_size(LAPTOP)
    page.goto(f"{live_server.url}/en/")
    certificates = page.locator("header.site").get_by_role("link", name="Certificates", exact=True)
    expect(certificates).to_be_hidden()
    page.locator("header.site summary", has_text="Exchanges").click()
    certificates.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a health certificate")
