"""Each party onboards its own people, in a real browser (issue 15.1's check): the Japanese secretariat
invites a colleague of MIC in Japanese; the colleague opens the link from the mail, sets a password,
signs in and files an update on an action MIC leads."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.test_update_flow import japanese, sign_in

pytestmark = pytest.mark.browser

NEW_PASSWORD = "violet-kettle-harbour-42"
NARRATIVE_JA = "5G研究開発の共同公募を開始した。"


def test_a_secretariat_invites_a_colleague_who_signs_in_from_the_link_and_files_an_update(
    live_server, jp_secretariat, page, browser
):
    from partnership.programme.models import ProgressUpdate

    base = live_server.url
    sign_in(page, base, *jp_secretariat)
    # People is in the user menu of the header (a <details>, so the header stays on one row).
    page.locator("header .account summary").click()
    page.locator("header .account").get_by_role("link", name="People").click()
    expect(page).to_have_url(f"{base}/en/people/")
    page.get_by_role("link", name="Invite a person").click()
    page.get_by_label("Email").fill("hanako@soumu.example")
    page.get_by_label("Organisation").select_option("jp-mic")
    page.get_by_label("Role").select_option("action_lead")
    page.get_by_label("Language").select_option("ja")
    page.get_by_role("button", name="Send invitation").click()
    expect(page).to_have_url(f"{base}/en/people/")
    expect(page.locator(".messages")).to_contain_text("hanako@soumu.example is invited")
    row = page.locator("table.people tr").filter(has_text="hanako@soumu.example")
    expect(row).to_contain_text("invited")

    # The invitee's mail is in Japanese, with the link; they open it in a browser of their own.
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/ja/people/welcome/\S+/", mail.outbox[0].body).group(0)
    context = browser.new_context(locale="ja-JP")
    invitee = context.new_page()
    invitee.goto(link)
    expect(invitee.locator("main h1")).to_have_text(japanese("Set your password"))
    invitee.locator("#id_password").fill(NEW_PASSWORD)  # its label is a prefix of the next one's
    invitee.get_by_label(japanese("New password again")).fill(NEW_PASSWORD)
    invitee.get_by_role("button", name=japanese("Set password")).click()
    expect(invitee).to_have_url(f"{base}/ja/login/")
    invitee.get_by_label(japanese("User name")).fill("hanako@soumu.example")
    invitee.locator("#id_password").fill(NEW_PASSWORD)
    invitee.locator("main form").get_by_role("button", name=japanese("Sign in")).click()
    expect(invitee).to_have_url(f"{base}/ja/dashboard/")
    expect(invitee.locator("header").get_by_role("link", name=japanese("People"))).to_have_count(0)

    invitee.goto(f"{base}/ja/actions/48/update/")
    invitee.locator("input[name='status'][value='on_track']").check()
    invitee.get_by_label(japanese("Narrative")).fill(NARRATIVE_JA)
    invitee.get_by_role("button", name=japanese("File update")).click()
    expect(invitee).to_have_url(f"{base}/ja/actions/48/")
    expect(invitee.locator(".messages")).to_contain_text(japanese("Your update is filed."))
    context.close()

    update = ProgressUpdate.objects.get(action__paragraph=48)
    assert (update.party.code, update.author.username, update.organisation.code) == (
        "JP",
        "hanako@soumu.example",
        "jp-mic",
    )

    # The secretariat now sees the colleague active, with a last login.
    page.reload()
    row = page.locator("table.people tr").filter(has_text="hanako@soumu.example")
    expect(row).to_contain_text("active")
    expect(row.locator("time")).to_have_count(1)
