"""The People pages (/<lang>/people/) and the password pages: a secretariat invites, changes and
deactivates its own party's people from the web, in both languages; nobody else reaches them; the
invitee sets a password from the link; anyone resets a forgotten password without learning who has an
account."""

import re

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from tests.helpers import signed_in

NEW_PASSWORD = "violet-kettle-harbour-42"
INVITATION = {
    "email": "hanako@soumu.example",
    "organisation": "jp-mic",
    "role": "action_lead",
    "language": "ja",
}


def _html(response) -> str:
    return response.content.decode()


def test_the_navigation_links_people_for_secretariats_only(members):
    assert 'href="/en/people/"' in _html(signed_in(members["jp_secretariat"]).get("/en/"))
    assert 'href="/ja/people/"' in _html(signed_in(members["eu_secretariat"]).get("/ja/"))
    for who in ("jp_lead", "eu_stakeholder"):
        assert 'href="/en/people/"' not in _html(signed_in(members[who]).get("/en/"))
    assert 'href="/en/people/"' not in _html(Client().get("/en/"))


def test_the_list_shows_the_own_partys_people_and_none_of_the_others_private_details(members):
    members["jp_lead"].email = "lead@soumu.example"
    members["jp_lead"].save()
    jp = _html(signed_in(members["jp_secretariat"]).get("/en/people/"))
    assert "lead@soumu.example" in jp and "jp-stakeholder" in jp
    assert "eu-lead" not in jp
    eu = signed_in(members["eu_secretariat"])
    page = _html(eu.get("/en/people/"))
    assert "eu-lead" in page
    assert "lead@soumu.example" not in page and "jp-lead" not in page
    detail = eu.get(f"/en/people/{members['jp_lead'].pk}/")
    assert detail.status_code == 403
    assert "lead@soumu.example" not in _html(detail)
    japanese = _html(signed_in(members["jp_secretariat"]).get("/ja/people/"))
    assert "日本の利用者" in japanese and "最終ログイン" in japanese


@pytest.mark.parametrize("who", ["jp_lead", "jp_stakeholder", "eu_member_state"])
def test_the_people_pages_refuse_anyone_but_a_secretariat(members, who):
    client = signed_in(members[who])
    target = members["jp_lead"].pk
    for path in ("/en/people/", "/en/people/invite/", f"/en/people/{target}/"):
        assert client.get(path).status_code == 403, path
    assert client.post("/en/people/invite/", INVITATION).status_code == 403
    assert client.post(f"/en/people/{target}/active/", {"active": "0"}).status_code == 403
    members["jp_lead"].refresh_from_db()
    assert members["jp_lead"].is_active
    assert not User.objects.filter(email="hanako@soumu.example").exists()


def test_the_public_is_sent_to_sign_in(db):
    answer = Client().get("/en/people/")
    assert answer.status_code == 302 and answer["Location"].startswith("/en/login/")


def test_the_other_partys_secretariat_is_refused_at_every_step_of_inviting_into_the_first(members):
    eu = signed_in(members["eu_secretariat"])
    invite_page = _html(eu.get("/en/people/invite/"))
    assert 'value="jp-mic"' not in invite_page  # only its own organisations are offered
    assert 'value="eu-dg-grow"' in invite_page
    assert eu.post("/en/people/invite/", INVITATION).status_code == 403
    target = members["jp_lead"].pk
    assert (
        eu.post(
            f"/en/people/{target}/", {"organisation": "eu-dg-grow", "role": "action_lead", "language": "en"}
        ).status_code
        == 403
    )
    assert eu.post(f"/en/people/{target}/active/", {"active": "0"}).status_code == 403
    assert eu.post(f"/en/people/{target}/invite-again/").status_code == 403
    members["jp_lead"].refresh_from_db()
    assert members["jp_lead"].is_active and members["jp_lead"].membership.organisation.code == "jp-mic"
    assert not User.objects.filter(email="hanako@soumu.example").exists()
    assert mail.outbox == []


def test_a_secretariat_invites_from_the_web_and_the_invitee_sets_a_password_from_the_link(members):
    jp = signed_in(members["jp_secretariat"])
    answer = jp.post("/en/people/invite/", INVITATION)
    assert answer.status_code == 302 and answer["Location"] == "/en/people/"
    assert "hanako@soumu.example" in _html(jp.get("/en/people/"))
    link = re.search(r"http://testserver(/ja/people/welcome/[^/\s]+/)", mail.outbox[0].body).group(1)

    invitee = Client()
    welcome = invitee.get(link)
    assert welcome.status_code == 200 and "パスワードの設定" in _html(welcome)
    weak = invitee.post(link, {"password": "short", "password_confirmation": "short"})
    assert weak.status_code == 200 and "10" in _html(weak)
    done = invitee.post(link, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/ja/login/"
    used = invitee.get(link)
    assert used.status_code == 400 and "使用済み" in _html(used)
    signed = invitee.post("/ja/login/", {"username": "hanako@soumu.example", "password": NEW_PASSWORD})
    assert signed.status_code == 302 and signed["Location"] == "/ja/dashboard/"


def test_bad_input_on_the_invite_form_is_shown_beside_the_field(members):
    jp = signed_in(members["jp_secretariat"])
    answer = jp.post("/en/people/invite/", {**INVITATION, "role": "stakeholder"})
    assert answer.status_code == 200
    assert "does not fit" in _html(answer)
    taken = jp.post(
        "/en/people/invite/", {**INVITATION, "email": "x@example.org", "organisation": "jp-nowhere"}
    )
    assert "There is no organisation jp-nowhere." in _html(taken)
    assert not User.objects.filter(email__in=["hanako@soumu.example", "x@example.org"]).exists()


def test_a_secretariat_changes_and_deactivates_a_person_from_the_web(members):
    jp = signed_in(members["jp_secretariat"])
    lead = members["jp_lead"]
    changed = jp.post(
        f"/en/people/{lead.pk}/", {"organisation": "jp-mic", "role": "action_lead", "language": "ja"}
    )
    assert changed.status_code == 302
    lead.refresh_from_db()
    assert lead.membership.language == "ja"
    jp.post(f"/en/people/{lead.pk}/active/", {"active": "0"})
    lead.refresh_from_db()
    assert not lead.is_active
    assert "deactivated" in _html(jp.get("/en/people/"))
    own = jp.post(f"/en/people/{members['jp_secretariat'].pk}/active/", {"active": "0"})
    assert own.status_code == 403
    own_page = _html(jp.get(f"/en/people/{members['jp_secretariat'].pk}/"))
    assert "ask a colleague" in own_page and "Deactivate" not in own_page  # no button that would be refused


# --- forgotten passwords ------------------------------------------------------------------------------


def test_the_reset_page_answers_the_same_whether_the_address_has_an_account_or_not(members):
    members["jp_lead"].email = "lead@soumu.example"
    members["jp_lead"].save()
    known = Client().post("/ja/password-reset/", {"email": "lead@soumu.example"})
    unknown = Client().post("/ja/password-reset/", {"email": "nobody@soumu.example"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lead@soumu.example"]
    assert re.search(r"[\u3040-\u30ff]", mail.outbox[0].subject)  # in the language of the page asked from

    link = re.search(r"http://testserver(/ja/password-reset/\S+/)", mail.outbox[0].body).group(1)
    reader = Client()
    form = reader.get(link, follow=True)
    assert "新しいパスワード" in _html(form)
    done = reader.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    signed = Client().post("/en/login/", {"username": "jp-lead", "password": NEW_PASSWORD})
    assert signed.status_code == 302 and signed["Location"] == "/en/dashboard/"
    used = Client().get(link, follow=True)
    assert used.status_code == 400 and "使用済み" in _html(used)


def test_the_login_page_links_the_reset_page_in_both_languages(db):
    assert 'href="/en/password-reset/"' in _html(Client().get("/en/login/"))
    assert "パスワードをお忘れですか" in _html(Client().get("/ja/login/"))
