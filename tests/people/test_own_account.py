"""A member's own page (issue 15): who they act for, and the language of the mail the node sends them,
which only they change; it starts as their party's (Japanese for Japan, English for the EU)."""

import pytest

from partnership.errors import Invalid, PermissionDenied
from partnership.people import services
from partnership.people.models import Membership
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
