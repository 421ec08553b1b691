"""Accounts and API tokens: tokens are shown once and stored hashed, revocable, and refused once revoked."""

import hashlib
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from partnership import settings as project_settings
from partnership.errors import Invalid, NotFound
from partnership.people.models import ApiToken, Membership, Organisation
from partnership.people.services import create_member, create_token, revoke_token, user_for_token
from tests.conftest import PASSWORD


def _organisation(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def _columns(token: ApiToken) -> list[str]:
    return [str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields]


def _get_updates(client, raw: str):
    return client.get("/api/v1/updates", HTTP_AUTHORIZATION=f"Bearer {raw}")


# --- tokens ---------------------------------------------------------------------------------------


def test_a_new_token_is_stored_only_as_its_digest(members):
    token, raw = create_token(members["jp_lead"], "nightly export")
    token.refresh_from_db()
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in _columns(token)
    assert len(token.prefix) < len(raw) // 3  # enough to recognise it, far too little to use it
    assert user_for_token(raw) == members["jp_lead"]


def test_tokens_are_unique_and_unguessable(members):
    raws = {create_token(members["jp_lead"])[1] for _ in range(5)}
    assert len(raws) == 5
    assert all(len(raw) >= 40 for raw in raws)


def test_the_token_command_prints_a_token_once_and_stores_its_digest(client, members):
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "jp-secretariat", "--name", "sync", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    token = ApiToken.objects.get(user=members["jp_secretariat"])
    assert token.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert token.name == "sync"
    assert "only now" in err.getvalue()
    assert _get_updates(client, raw).status_code == 200

    listing = io.StringIO()
    call_command("token", "list", "jp-secretariat", stdout=listing)
    assert "active" in listing.getvalue()
    assert raw not in listing.getvalue()


def test_the_token_command_names_an_unknown_user(members):
    with pytest.raises(CommandError, match="no active user nobody"):
        call_command("token", "create", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_no_token_for_an_inactive_user(members):
    user = members["eu_stakeholder"]
    user.is_active = False
    user.save()
    with pytest.raises(Invalid) as raised:
        create_token(user)
    assert "user" in raised.value.fields
    with pytest.raises(CommandError, match="no active user"):
        call_command("token", "create", user.username, stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_a_revoked_token_answers_401(client, members):
    token, raw = create_token(members["eu_secretariat"])
    assert _get_updates(client, raw).status_code == 200
    revoke_token(str(token.pk))
    response = _get_updates(client, raw)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthenticated"
    assert user_for_token(raw) is None


def test_revoking_by_prefix_and_twice_is_harmless(members):
    token, _raw = create_token(members["eu_secretariat"])
    first = revoke_token(token.prefix).revoked_at
    assert first is not None
    assert revoke_token(str(token.pk)).revoked_at == first


def test_the_token_command_revokes(client, members):
    token, raw = create_token(members["jp_lead"])
    out = io.StringIO()
    call_command("token", "revoke", str(token.pk), stdout=out)
    assert "revoked" in out.getvalue()
    assert _get_updates(client, raw).status_code == 401
    listing = io.StringIO()
    call_command("token", "list", stdout=listing)
    assert "revoked" in listing.getvalue()


def test_revoking_an_unknown_token_is_refused(members):
    with pytest.raises(NotFound):
        revoke_token("pt_nothing")
    with pytest.raises(CommandError, match="No token"):
        call_command("token", "revoke", "00000000-0000-0000-0000-000000000000", stdout=io.StringIO())


@pytest.mark.parametrize(
    "authorization",
    [
        "Bearer pt_not-a-token-we-ever-made",
        "Bearer not-even-our-prefix",
        "Bearer ",
        "Token pt_abc",
        "Basic dXNlcjpwYXNz",
    ],
)
def test_an_unknown_or_malformed_token_answers_401(client, members, authorization):
    response = client.get("/api/v1/updates", HTTP_AUTHORIZATION=authorization)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthenticated"
    write = client.post(
        "/api/v1/actions/48/comments",
        data={"body": "hello", "language": "en"},
        content_type="application/json",
        HTTP_AUTHORIZATION=authorization,
    )
    assert write.status_code == 401


def test_a_token_of_a_deactivated_user_stops_working(client, members):
    _token, raw = create_token(members["jp_stakeholder"])
    user = members["jp_stakeholder"]
    user.is_active = False
    user.save()
    assert _get_updates(client, raw).status_code == 401


def test_use_of_a_token_is_recorded(client, members):
    token, raw = create_token(members["jp_stakeholder"])
    assert token.last_used_at is None
    _get_updates(client, raw)
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- members --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organisation", "role"),
    [
        ("jp-digital-agency", "secretariat"),
        ("jp-digital-agency", "action_lead"),
        ("jp-mic", "action_lead"),
        ("eu-member-states", "member_state"),
        ("eu-ebc", "stakeholder"),
    ],
)
def test_a_member_acts_for_their_organisation_with_their_role(programme, organisation, role):
    user = create_member("someone", PASSWORD, _organisation(organisation), role)
    membership = Membership.objects.get(user=user)
    assert (membership.organisation.code, membership.role) == (organisation, role)
    assert user.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("organisation", "role"),
    [
        ("jp-mic", "secretariat"),  # a ministry is not the secretariat
        ("eu-ebc", "action_lead"),  # a stakeholder body leads nothing
        ("eu-member-states", "secretariat"),
        ("jp-jbce", "member_state"),
        ("jp-digital-agency", "stakeholder"),
        ("jp-digital-agency", "admiral"),  # not a role at all
    ],
)
def test_a_role_that_does_not_fit_the_organisation_is_refused(programme, organisation, role):
    with pytest.raises(Invalid) as raised:
        create_member("someone", PASSWORD, _organisation(organisation), role)
    assert "role" in raised.value.fields
    assert role in raised.value.message
    assert not User.objects.filter(username="someone").exists()


def test_a_member_needs_an_organisation_of_a_party(programme):
    """Mechanisms such as the Council belong to no party (para 21): nobody can act for them."""
    with pytest.raises(Invalid) as raised:
        create_member("someone", PASSWORD, _organisation("digital-partnership-council"), "secretariat")
    assert "organisation" in raised.value.fields
    assert not User.objects.filter(username="someone").exists()


def test_passwords_are_stored_with_argon2(programme, settings):
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS  # undo the fast hasher of conftest
    user = create_member("someone", PASSWORD, _organisation("jp-mic"), "action_lead")
    assert user.password.startswith("argon2")
    assert PASSWORD not in user.password
