"""A member's own page (issue 15): who they act for, and the language of the mail the node sends them,
which only they change; it starts as their party's (Japanese for Japan, English for the EU)."""

import re

import pytest
from django.test import Client

from partnership.errors import Invalid, PermissionDenied
from partnership.people import services
from partnership.people.models import ApiToken, Membership
from tests.helpers import signed_in


def language_of(user) -> str:
    return Membership.objects.get(user=user).language


def test_the_mail_language_starts_as_the_partys(members):
    assert language_of(members["jp_lead"]) == "ja" and language_of(members["jp_stakeholder"]) == "ja"
    assert language_of(members["eu_lead"]) == "en" and language_of(members["eu_member_state"]) == "en"


@pytest.mark.parametrize("name", ["jp_lead", "eu_secretariat", "jp_stakeholder"])
def test_a_member_changes_their_own_mail_language_on_their_page(members, name):
    client = signed_in(members[name])
    page = client.get("/en/people/me/").content.decode()
    assert "My account" in page and "Language of the mail you receive" in page
    assert 'href="/en/people/me/"' in page  # linked from the user menu
    response = client.post("/en/people/me/", {"language": "en" if name.startswith("jp") else "ja"})
    assert response.status_code == 302
    assert language_of(members[name]) == ("en" if name.startswith("jp") else "ja")
    assert "私のアカウント" in client.get("/ja/people/me/").content.decode()


def test_a_bad_language_is_refused_naming_the_field_and_nothing_changes(members):
    with pytest.raises(Invalid) as raised:
        services.set_own_language(members["jp_lead"], {"language": "fr"})
    assert "language" in raised.value.fields
    assert language_of(members["jp_lead"]) == "ja"
    page = signed_in(members["jp_lead"]).post("/en/people/me/", {"language": "<script>"})
    assert page.status_code == 200 and "<script>" not in page.content.decode()
    assert language_of(members["jp_lead"]) == "ja"


def test_only_the_member_changes_it_and_the_public_has_no_page(client, members):
    # The service takes no one else's account: the page changes the signed-in member's own.
    signed_in(members["eu_secretariat"]).post("/en/people/me/", {"language": "ja"})
    assert language_of(members["jp_lead"]) == "ja" and language_of(members["eu_lead"]) == "en"
    response = client.get("/en/people/me/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    with pytest.raises(PermissionDenied):
        services.set_own_language(None, {"language": "en"})


def test_a_member_makes_a_token_on_their_page_sees_it_once_and_revokes_it(members):
    client = signed_in(members["eu_lead"])
    made = client.post("/en/people/me/tokens/", {"name": "nightly script"})
    assert made.status_code == 200 and made["Cache-Control"] == "no-store"
    raw = re.search(r'<code class="token" id="new-token">([^<]+)</code>', made.content.decode())[1]
    assert services.user_for_token(raw) == members["eu_lead"]
    again = client.get("/en/people/me/").content.decode()
    assert raw not in again and raw[:10] in again and "nightly script" in again  # listed, never shown again
    series = "/api/v1/supply-chain/series"  # members only
    assert Client().get(series).status_code == 401
    assert Client().get(series, HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    token = ApiToken.objects.get(user=members["eu_lead"])
    assert client.post(f"/en/people/me/tokens/{token.pk}/revoke/").status_code == 302
    assert services.user_for_token(raw) is None
    assert "APIトークン" in client.get("/ja/people/me/").content.decode()


def test_no_one_revokes_or_sees_another_members_token(client, members):
    token, raw = services.create_token(members["jp_lead"], "jp's")
    other = signed_in(members["eu_secretariat"])
    assert other.post(f"/en/people/me/tokens/{token.pk}/revoke/").status_code == 404
    assert other.post("/en/people/me/tokens/not-a-uuid/revoke/").status_code == 404
    assert "jp&#x27;s" not in other.get("/en/people/me/").content.decode()
    assert services.user_for_token(raw) == members["jp_lead"]
    # The public: to the login, nothing made or revoked.
    assert "/login/" in client.post("/en/people/me/tokens/", {"name": "x"})["Location"]
    assert "/login/" in client.post(f"/en/people/me/tokens/{token.pk}/revoke/")["Location"]
    assert ApiToken.objects.count() == 1 and services.user_for_token(raw) == members["jp_lead"]
    with pytest.raises(PermissionDenied):
        services.create_own_token(None, {})


@pytest.mark.parametrize("name", ["x" * 101, "a\x00b", ["list"]])
def test_a_bad_token_name_is_refused_and_nothing_is_made(members, name):
    with pytest.raises(Invalid) as raised:
        services.create_own_token(members["jp_lead"], {"name": name})
    assert "name" in raised.value.fields
    response = signed_in(members["jp_lead"]).post("/en/people/me/tokens/", {"name": "x" * 101})
    assert response.status_code == 302 and not ApiToken.objects.exists()
