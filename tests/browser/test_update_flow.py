"""A secretariat files a progress update in a real browser: in Japanese, by keyboard, without JavaScript.

Each test runs against pytest-django's live server, so the programme is loaded into a transactional
database (the `jp_secretariat` fixture) and the browser sees every committed row.
"""

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
NARRATIVE_JA = "専門家会合を開催し、今サイクルの作業計画に合意した。"
NARRATIVE_EN = "Experts met and agreed the work plan for this cycle."


def japanese(msgid: str) -> str:
    """The Japanese catalog's translation of an interface string."""
    from django.utils import translation

    with translation.override("ja"):
        text = translation.gettext(msgid)
    assert JAPANESE.search(text), f"{msgid!r} has no Japanese translation; run `make messages`"
    return text


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/en/login/")
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password").fill(password)
    page.locator("main form").get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base_url}/en/dashboard/")


def test_a_secretariat_files_an_update_in_japanese_and_finds_it_on_the_dashboard(
    live_server, jp_secretariat, page
):
    from partnership.programme.models import JointAction, ProgressUpdate

    base = live_server.url
    title_ja = JointAction.objects.get(paragraph=46).title_ja
    sign_in(page, base, *jp_secretariat)

    # The header's language switcher is a small form posting to /i18n/setlang/, named in Japanese.
    switcher = page.locator("header form[action='/i18n/setlang/']")
    switcher.get_by_role("button", name="日本語").click()
    expect(page).to_have_url(f"{base}/ja/dashboard/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("main h1")).to_have_text(japanese("Dashboard"))

    page.goto(f"{base}/ja/actions/46/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(page.locator("main h1")).to_contain_text(title_ja)
    page.locator("main a[href='/ja/actions/46/update/']").click()
    expect(page).to_have_url(f"{base}/ja/actions/46/update/")

    page.locator("input[name='status'][value='at_risk']").check()
    page.get_by_label(japanese("Narrative")).fill(NARRATIVE_JA)
    page.get_by_role("button", name=japanese("File update")).click()
    expect(page).to_have_url(f"{base}/ja/actions/46/")
    expect(page.locator(".messages")).to_contain_text(japanese("Your update is filed."))

    page.locator("header nav").get_by_role("link", name=japanese("Dashboard")).click()
    expect(page).to_have_url(f"{base}/ja/dashboard/")
    changes = page.locator("ul.changes li").filter(has=page.locator("a[href='/ja/actions/46/']"))
    expect(changes).to_have_count(1)
    expect(changes).to_contain_text("JP")
    expect(changes.locator(".badge-at_risk")).to_have_text(japanese("at risk"))

    update = ProgressUpdate.objects.get(action__paragraph=46)
    assert (update.party.code, update.status, update.language) == ("JP", "at_risk", "ja")
    assert update.narrative == NARRATIVE_JA


def test_keyboard_alone_reaches_the_skip_link_and_every_form_control(live_server, jp_secretariat, page):
    base = live_server.url
    username, password = jp_secretariat
    keyboard = page.keyboard

    page.goto(f"{base}/en/login/")
    keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    keyboard.press("Enter")  # to #main: the next Tab starts there, past the header
    keyboard.press("Tab")
    expect(page.locator("#id_username")).to_be_focused()
    keyboard.type(username)
    keyboard.press("Tab")
    expect(page.locator("#id_password")).to_be_focused()
    keyboard.type(password)
    keyboard.press("Enter")
    # The form posts to the page's own address, #main included, and the redirect keeps the fragment.
    expect(page).to_have_url(re.compile(re.escape(f"{base}/en/dashboard/") + "(#main)?$"))

    page.goto(f"{base}/en/actions/46/update/")
    keyboard.press("Tab")
    expect(page.locator("a.skip")).to_be_focused()
    keyboard.press("Enter")
    keyboard.press("Tab")
    expect(page.locator("main .crumbs a")).to_be_focused()
    keyboard.press("Tab")
    expect(page.locator("input[name='status']").first).to_be_focused()
    # Arrow keys move through a radio group and choose: from on track down to at risk.
    keyboard.press("ArrowDown")
    at_risk = page.locator("input[name='status'][value='at_risk']")
    expect(at_risk).to_be_focused()
    expect(at_risk).to_be_checked()
    keyboard.press("Tab")
    expect(page.locator("#id_narrative")).to_be_focused()
    keyboard.type(NARRATIVE_EN)
    keyboard.press("Tab")
    expect(page.locator("#id_language")).to_be_focused()
    expect(page.locator("#id_language")).to_have_value("en")
    keyboard.press("Tab")
    expect(page.locator("#id_period")).to_be_focused()
    keyboard.press("Tab")
    expect(page.locator("main form button[type='submit']")).to_be_focused()
    keyboard.press("Enter")

    expect(page).to_have_url(re.compile(re.escape(f"{base}/en/actions/46/") + "(#main)?$"))
    expect(page.locator(".messages")).to_contain_text("Your update is filed.")
    expect(page.locator(".side-by-side")).to_contain_text(NARRATIVE_EN)


def test_the_update_form_works_without_javascript(live_server, jp_secretariat, page_without_javascript):
    from partnership.programme.models import ProgressUpdate

    page = page_without_javascript
    base = live_server.url
    sign_in(page, base, *jp_secretariat)

    page.goto(f"{base}/en/actions/46/")
    page.locator("main a[href='/en/actions/46/update/']").click()
    expect(page).to_have_url(f"{base}/en/actions/46/update/")
    page.locator("input[name='status'][value='done']").check()
    page.get_by_label("Narrative").fill(NARRATIVE_EN)
    page.get_by_label("Language").select_option("en")
    page.get_by_role("button", name="File update").click()

    expect(page).to_have_url(f"{base}/en/actions/46/")
    expect(page.locator(".messages")).to_contain_text("Your update is filed.")
    side_by_side = page.locator(".side-by-side")
    expect(side_by_side).to_contain_text(NARRATIVE_EN)
    expect(side_by_side.locator(".badge-done")).to_have_count(1)
    assert ProgressUpdate.objects.filter(action__paragraph=46, status="done", party__code="JP").count() == 1
