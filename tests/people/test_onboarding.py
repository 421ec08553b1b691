"""Each party onboards its own people (issue 15.1): its secretariat invites, changes and deactivates the
people of its own party; the invitee sets a password once from a link that expires; the other party's
secretariat, leads, stakeholders and the public are refused at every step and change nothing."""

import io
import re
import time

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people import queries
from partnership.people.models import ApiToken, Membership
from partnership.people.services import (
    accept_invitation,
    change_membership,
    create_token,
    invite,
    invite_again,
    set_active,
    user_for_token,
)

BASE = "https://jp.example"
NEW_PASSWORD = "violet-kettle-harbour-42"


def signs_in(username: str, password: str) -> bool:
    """Whether the login page lets `username` in with `password` (as a person would sign in)."""
    answer = Client().post("/en/login/", {"username": username, "password": password})
    return answer.status_code == 302 and answer["Location"] == "/en/dashboard/"


LINK = re.compile(r"https://jp\.example/(en|ja)/people/welcome/([^/\s]+)/")


def _invite(by, email="hanako@soumu.example", organisation="jp-mic", role="action_lead", language="ja"):
    return invite(
        by, {"email": email, "organisation": organisation, "role": role, "language": language}, BASE
    )


def _token_in_mail(message) -> tuple[str, str]:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1), found.group(2)


def _accept(token: str, password: str = NEW_PASSWORD):
    return accept_invitation(token, {"password": password, "password_confirmation": password})


def _snapshot():
    return (
        sorted(User.objects.values_list("username", "is_active", "is_staff", "password")),
        sorted(Membership.objects.values_list("user_id", "organisation__code", "role", "language")),
        len(mail.outbox),
    )


# --- the whole flow --------------------------------------------------------------------------------


def test_a_secretariat_invites_a_colleague_who_sets_a_password_once_and_signs_in(members):
    invitation = _invite(members["jp_secretariat"])

    person = User.objects.get(email="hanako@soumu.example")
    assert person.username == "hanako@soumu.example"
    assert not person.has_usable_password()  # nobody can sign in before the invitee chooses a password
    assert (person.membership.organisation.code, person.membership.role) == ("jp-mic", "action_lead")
    assert person.membership.invited_by == members["jp_secretariat"]

    # One mail, to the invitee only, in the language chosen for them, with the link.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["hanako@soumu.example"]
    language, token = _token_in_mail(message)
    assert language == "ja"
    assert invitation.link in message.body
    assert "総務省" in message.body  # the organisation's Japanese name
    assert re.search(r"[\u3040-\u30ff]", message.subject), message.subject

    _accept(token)
    assert signs_in("hanako@soumu.example", NEW_PASSWORD)

    # Single use: the same link no longer sets a password.
    with pytest.raises(Invalid) as refused:
        _accept(token, "another-long-password-77")
    assert "token" in refused.value.fields
    assert signs_in("hanako@soumu.example", NEW_PASSWORD)


def test_an_english_invitation_is_in_english(members):
    _invite(members["eu_secretariat"], email="jan@ec.example", organisation="eu-dg-grow", language="en")
    language, _token = _token_in_mail(mail.outbox[0])
    assert language == "en"
    assert "DG Internal Market" in mail.outbox[0].body
    assert "invited" in mail.outbox[0].subject


def test_an_invitation_expires_after_the_configured_days(members, settings, monkeypatch):
    settings.INVITATION_DAYS = 7
    real_time = time.time
    with monkeypatch.context() as past:
        past.setattr(time, "time", lambda: real_time() - 8 * 24 * 3600)
        _invite(members["jp_secretariat"])
    _language, token = _token_in_mail(mail.outbox[0])
    with pytest.raises(Invalid) as refused:
        _accept(token)
    assert refused.value.fields == {"token": "expired"}

    settings.INVITATION_DAYS = 10  # the same link within a longer configured lifetime works
    _accept(token)


def test_a_tampered_link_is_refused(members):
    _invite(members["jp_secretariat"])
    _language, token = _token_in_mail(mail.outbox[0])
    with pytest.raises(Invalid) as refused:
        _accept(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    assert refused.value.fields == {"token": "not valid"}


def test_the_password_validators_apply_and_a_refused_password_leaves_the_link_usable(members):
    _invite(members["jp_secretariat"])
    _language, token = _token_in_mail(mail.outbox[0])
    with pytest.raises(Invalid) as short:
        _accept(token, "short")
    assert "password" in short.value.fields
    with pytest.raises(Invalid) as common:
        _accept(token, "password123")
    assert "password" in common.value.fields
    with pytest.raises(Invalid) as mismatch:
        accept_invitation(token, {"password": NEW_PASSWORD, "password_confirmation": NEW_PASSWORD + "x"})
    assert "password_confirmation" in mismatch.value.fields
    assert not User.objects.get(email="hanako@soumu.example").has_usable_password()
    _accept(token)


def test_inviting_again_replaces_the_link(members):
    _invite(members["jp_secretariat"])
    _language, first = _token_in_mail(mail.outbox[0])
    person = User.objects.get(email="hanako@soumu.example")
    invite_again(members["jp_secretariat"], person.pk, BASE)
    _language, second = _token_in_mail(mail.outbox[1])
    with pytest.raises(Invalid):
        _accept(first)
    _accept(second)
    with pytest.raises(Invalid) as already:
        invite_again(members["jp_secretariat"], person.pk, BASE)
    assert "person" in already.value.fields


def test_a_secretariat_may_invite_another_secretariat_of_its_party_who_gets_the_back_office(members):
    _invite(
        members["jp_secretariat"],
        email="taro@digital.example",
        organisation="jp-digital-agency",
        role="secretariat",
    )
    person = User.objects.get(email="taro@digital.example")
    assert person.is_staff and not person.is_superuser


# --- bad input: the field is named, nothing changes ----------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "jp-lead"}, "email"),
        ({"email": ""}, "email"),
        ({"organisation": "jp-nowhere"}, "organisation"),
        ({"organisation": ""}, "organisation"),
        ({"role": "stakeholder"}, "role"),  # a ministry has action leads only (ROLES_BY_KIND)
        ({"role": "emperor"}, "role"),
        ({"language": "fr"}, "language"),
        (
            {"organisation": "digital-policy-dialogue"},
            "organisation",
        ),  # a mechanism belongs to no party and has no members
    ],
)
def test_bad_input_names_the_field_and_changes_nothing(members, data, field):
    before = _snapshot()
    good = {
        "email": "hanako@soumu.example",
        "organisation": "jp-mic",
        "role": "action_lead",
        "language": "ja",
    }
    with pytest.raises(Invalid) as refused:
        invite(members["jp_secretariat"], {**good, **data}, BASE)
    assert field in refused.value.fields, refused.value.fields
    assert _snapshot() == before


def test_an_email_already_taken_is_refused_in_any_case(members):
    _invite(members["jp_secretariat"])
    before = _snapshot()
    with pytest.raises(Invalid) as refused:
        _invite(members["jp_secretariat"], email="Hanako@Soumu.example")
    assert "already" in refused.value.fields["email"]
    assert _snapshot() == before


# --- the permission matrix ---------------------------------------------------------------------------

REFUSED = ["eu_secretariat", "jp_lead", "jp_stakeholder", "eu_stakeholder", "eu_member_state", None]


@pytest.mark.parametrize("who", REFUSED)
def test_only_the_own_partys_secretariat_invites_into_a_party(members, who):
    from django.contrib.auth.models import AnonymousUser

    by = members[who] if who else AnonymousUser()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        _invite(by)
    # Also with a valid role for a secretariat, or into its own secretariat organisation: never into JP.
    with pytest.raises(PermissionDenied):
        _invite(by, organisation="jp-digital-agency", role="secretariat")
    assert _snapshot() == before


@pytest.mark.parametrize("who", REFUSED)
def test_only_the_own_partys_secretariat_lists_changes_and_deactivates_a_person(members, who):
    from django.contrib.auth.models import AnonymousUser

    by = members[who] if who else AnonymousUser()
    target = members["jp_lead"]
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        queries.person(by, target.pk)
    with pytest.raises(PermissionDenied):
        change_membership(by, target.pk, {"organisation": "jp-digital-agency", "role": "secretariat"})
    with pytest.raises(PermissionDenied):
        set_active(by, target.pk, False)
    assert _snapshot() == before
    if who != "eu_secretariat":
        with pytest.raises(PermissionDenied):
            queries.people(by)


def test_the_other_partys_secretariat_refuses_a_wrong_role_as_a_refusal_not_a_hint(members):
    # A role that does not fit jp-mic is not reported to the EU secretariat: it is refused before.
    with pytest.raises(PermissionDenied):
        _invite(members["eu_secretariat"], role="stakeholder")
    with pytest.raises(PermissionDenied):
        invite_again(members["eu_secretariat"], members["jp_lead"].pk, BASE)


def test_a_secretariat_lists_only_its_own_partys_people_and_their_private_details(members):
    members["jp_lead"].email = "lead@soumu.example"
    members["jp_lead"].save()
    eu_view = queries.people(members["eu_secretariat"])
    assert {p.organisation.party.code for p in eu_view} == {"EU"}
    assert "lead@soumu.example" not in {p.email for p in eu_view}
    assert "jp-lead" not in {p.username for p in eu_view}
    jp_view = {p.username: p for p in queries.people(members["jp_secretariat"])}
    assert jp_view["jp-lead"].email == "lead@soumu.example"
    assert jp_view["jp-lead"].status == "active"


def test_a_secretariat_moves_a_person_and_changes_their_role_within_its_party(members):
    lead = members["jp_lead"]
    change_membership(
        members["jp_secretariat"], lead.pk, {"organisation": "jp-digital-agency", "role": "secretariat"}
    )
    lead.refresh_from_db()
    assert (lead.membership.organisation.code, lead.membership.role, lead.is_staff) == (
        "jp-digital-agency",
        "secretariat",
        True,
    )
    change_membership(members["jp_secretariat"], lead.pk, {"organisation": "jp-mic", "role": "action_lead"})
    lead.refresh_from_db()
    assert not lead.is_staff


def test_a_secretariat_cannot_move_its_person_into_the_other_party(members):
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        change_membership(members["jp_secretariat"], members["jp_lead"].pk, {"organisation": "eu-dg-grow"})
    with pytest.raises(Invalid) as wrong_role:
        change_membership(members["jp_secretariat"], members["jp_lead"].pk, {"role": "stakeholder"})
    assert "role" in wrong_role.value.fields
    with pytest.raises(Invalid) as unknown:
        change_membership(members["jp_secretariat"], members["jp_lead"].pk, {"party": "EU"})
    assert "party" in unknown.value.fields
    assert _snapshot() == before


def test_a_secretariat_does_not_change_or_deactivate_its_own_account(members):
    me = members["jp_secretariat"]
    with pytest.raises(PermissionDenied):
        set_active(me, me.pk, False)
    with pytest.raises(PermissionDenied):
        change_membership(me, me.pk, {"role": "action_lead"})
    with pytest.raises(NotFound):
        set_active(me, 10**9, False)


def test_a_deactivated_person_cannot_sign_in_and_loses_their_tokens(members):
    lead = members["jp_lead"]
    _token, raw = create_token(lead, "script")
    set_active(members["jp_secretariat"], lead.pk, False)
    assert not signs_in("jp-lead", "correct-horse-battery-9")
    assert user_for_token(raw) is None
    assert ApiToken.objects.get(user=lead).revoked_at is not None
    set_active(members["jp_secretariat"], lead.pk, True)
    assert signs_in("jp-lead", "correct-horse-battery-9")
    assert user_for_token(raw) is None  # a revoked token stays revoked


def test_a_deactivated_invitee_cannot_use_the_link(members):
    _invite(members["jp_secretariat"])
    _language, token = _token_in_mail(mail.outbox[0])
    set_active(members["jp_secretariat"], User.objects.get(email="hanako@soumu.example").pk, False)
    with pytest.raises(Invalid) as refused:
        _accept(token)
    assert refused.value.fields == {"token": "deactivated"}


def test_on_a_federated_node_only_the_nodes_party_onboards_people(members, settings):
    settings.NODE_PARTY = "JP"
    before = _snapshot()
    with pytest.raises(PermissionDenied) as refused:
        _invite(members["eu_secretariat"], email="jan@ec.example", organisation="eu-dg-grow", language="en")
    assert "JP" in str(refused.value)
    with pytest.raises(PermissionDenied):
        queries.people(members["eu_secretariat"])
    with pytest.raises(PermissionDenied):
        set_active(members["eu_secretariat"], members["eu_lead"].pk, False)
    assert _snapshot() == before
    _invite(members["jp_secretariat"])
    assert User.objects.filter(email="hanako@soumu.example").exists()


# --- the command --------------------------------------------------------------------------------------


def test_the_command_invites_and_prints_the_link_with_the_console_backend(members, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.SITE_URL = "https://jp.example"
    out = io.StringIO()
    call_command(
        "user",
        "invite",
        "hanako@soumu.example",
        "--organisation",
        "jp-mic",
        "--role",
        "action_lead",
        "--by",
        "jp-secretariat",
        stdout=out,
        stderr=io.StringIO(),
    )
    printed = out.getvalue().strip()
    found = LINK.fullmatch(printed + "/" if not printed.endswith("/") else printed)
    assert found, printed
    _accept(found.group(2))
    assert signs_in("hanako@soumu.example", NEW_PASSWORD)
    capsys.readouterr()  # the console backend's copy of the mail


def test_the_command_prints_no_link_when_mail_really_leaves(members):
    out = io.StringIO()
    call_command(
        "user",
        "invite",
        "hanako@soumu.example",
        "--organisation",
        "jp-mic",
        "--role",
        "action_lead",
        "--by",
        "jp-secretariat",
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue() == ""
    assert len(mail.outbox) == 1


def test_the_command_refuses_the_other_partys_secretariat_and_deactivates(members):
    before = _snapshot()
    with pytest.raises(CommandError, match="own party"):
        call_command(
            "user",
            "invite",
            "hanako@soumu.example",
            "--organisation",
            "jp-mic",
            "--role",
            "action_lead",
            "--by",
            "eu-secretariat",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    with pytest.raises(CommandError, match="organisation"):
        call_command(
            "user",
            "invite",
            "hanako@soumu.example",
            "--organisation",
            "jp-nowhere",
            "--role",
            "action_lead",
            "--by",
            "jp-secretariat",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert _snapshot() == before
    out = io.StringIO()
    call_command("user", "deactivate", "jp-lead", "--by", "jp-secretariat", stdout=out)
    assert "deactivated" in out.getvalue()
    assert not User.objects.get(username="jp-lead").is_active
