"""Accounts and API tokens; inviting, changing and deactivating a party's people."""

import contextlib
import datetime
import hashlib
import secrets
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound

from .forms import InvitationForm, MembershipForm, OwnLanguageForm
from .models import ApiToken, Membership, Organisation, Party
from .permissions import (
    Actor,
    require_actor,
    require_manage_people,
    require_manage_person,
    require_people_secretariat,
)

TOKEN_PREFIX = "pt_"  # noqa: S105 - a prefix that marks our tokens, not a secret


def _digest(raw: str) -> str:
    # Tokens carry 256 random bits, so a plain SHA-256 is enough: no salt or slow hash is needed
    # against guessing, and a lookup by digest stays one indexed query per request.
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """Create an API token for `user`; return it and the raw token, which is shown once and never stored."""
    if not user.is_active:
        raise Invalid(_("User %(user)s is not active.") % {"user": user.username}, {"user": _("not active")})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:100], prefix=raw[:10], digest=_digest(raw))
    return token, raw


def user_for_token(raw: str) -> User | None:
    """The active user a raw token belongs to, or None when it is unknown or revoked."""
    if not raw.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user__membership__organisation__party")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Record use at most once a minute: a write per request would serialise readers on SQLite.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def revoke_token(token_ref: str) -> ApiToken:
    """Revoke a token by its id or its prefix; revoking twice is harmless."""
    query = Q(prefix=token_ref)
    with contextlib.suppress(ValueError):
        query |= Q(pk=uuid.UUID(token_ref))
    token = ApiToken.objects.filter(query).first()
    if token is None:
        raise NotFound(_("No token %(id)s.") % {"id": token_ref})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


# Which roles a member of each kind of organisation may have; mechanisms have no members.
ROLES_BY_KIND: dict[str, set[str]] = {
    Organisation.Kind.SECRETARIAT: {Membership.Role.SECRETARIAT, Membership.Role.ACTION_LEAD},
    Organisation.Kind.MINISTRY: {Membership.Role.ACTION_LEAD},
    Organisation.Kind.MEMBER_STATE: {Membership.Role.MEMBER_STATE},
    Organisation.Kind.STAKEHOLDER: {Membership.Role.STAKEHOLDER},
    Organisation.Kind.PLATFORM: {Membership.Role.PLATFORM},
    Organisation.Kind.OPERATOR: {Membership.Role.OPERATOR},
}


def check_role_fits(organisation: Organisation, role: str) -> None:
    """Invalid unless `organisation` belongs to a party and `role` fits its kind (ROLES_BY_KIND)."""
    if organisation.party_id is None:
        raise Invalid(
            _("A member must belong to an organisation of a party."),
            {"organisation": _("%(code)s belongs to no party.") % {"code": organisation.code}},
        )
    if role not in ROLES_BY_KIND.get(organisation.kind, set()):
        message = _("Role %(role)s does not fit a %(kind)s.") % {
            "role": role,
            "kind": organisation.get_kind_display(),
        }
        raise Invalid(message, {"role": message})


@transaction.atomic
def create_member(
    username: str, password: str, organisation: Organisation, role: str, email: str = ""
) -> User:
    """Create a user acting for `organisation` with `role`; the role must fit the organisation's kind."""
    check_role_fits(organisation, role)
    # Secretariats run the back office (the admin), under the same rules as everywhere else.
    is_staff = role == Membership.Role.SECRETARIAT
    user = User.objects.create_user(username=username, password=password, email=email, is_staff=is_staff)
    Membership.objects.create(
        user=user, organisation=organisation, role=role, language=party_language(organisation.party)
    )
    return user


def party_language(party: Party | None) -> str:
    """The mail language a member of `party` gets until they choose: the party's first language that the
    node speaks (ja for Japan, en for the EU), else English."""
    spoken = {choice.value for choice in Membership.Language}
    return next((code for code in (party.languages if party else []) if code in spoken), "en")


@transaction.atomic
def set_own_language(user: User | AnonymousUser, data: Mapping[str, Any]) -> Membership:
    """A member chooses the language of the mail the node sends them (reminders, invitations again):
    their own account only, from their own page; `language` must be one the node speaks."""
    actor = require_actor(user)
    form = OwnLanguageForm(data)
    cleaned = _validated(form)
    membership = Membership.objects.select_for_update().get(user=actor.user)
    membership.language = cleaned["language"]
    membership.save(update_fields=["language"])
    return membership


def create_own_token(user: User | AnonymousUser, data: Mapping[str, Any]) -> tuple[ApiToken, str]:
    """A member makes an API token for themself on their own page (as a platform makes its token in its
    profile of the EU database): acting as them, with their permissions, and no one else's; `name`
    (optional) tells their tokens apart. The raw token is returned once and never stored."""
    actor = require_actor(user)
    name = data.get("name", "")
    if not isinstance(name, str) or "\x00" in name or len(name) > 100:
        raise Invalid(_("name: at most 100 characters of text."), {"name": _("at most 100 characters")})
    return create_token(actor.user, name.strip())


def revoke_own_token(user: User | AnonymousUser, token_id: Any) -> ApiToken:
    """A member revokes one of their own tokens; another's is NotFound, as if it did not exist."""
    actor = require_actor(user)
    token = None
    with contextlib.suppress(ValueError):
        token = ApiToken.objects.filter(pk=uuid.UUID(str(token_id)), user=actor.user).first()
    if token is None:
        raise NotFound(_("No token %(id)s.") % {"id": str(token_id)[:40]})
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def user_named(username: str) -> User:
    """The active account `username`, for commands that act as a user (`--user`); NotFound otherwise."""
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise NotFound(_("There is no active user %(name)s.") % {"name": username[:150]})
    return found


def tokens_of(username: str | None = None) -> list[ApiToken]:
    """Every API token (of `username`, if given), with its user, for `partnership token list`."""
    tokens = ApiToken.objects.select_related("user").order_by("pk")
    if username:
        tokens = tokens.filter(user__username=username)
    return list(tokens)


# --- onboarding: each party's secretariat invites, changes and deactivates its own people (issue 15) ------

INVITATION_SALT = "partnership.people.invitation"


@dataclass(frozen=True)
class Invitation:
    """An invited account and the one-time link that sets its password (sent by mail, never shown)."""

    person: User
    link: str
    expires_at: datetime.datetime


def _password_state(user: User) -> str:
    # The token carries a digest of the account's password hash: setting the password changes the hash,
    # so a link works once, and inviting again (a new unusable password) voids the earlier link.
    return salted_hmac(INVITATION_SALT, user.password).hexdigest()[:20]


def invitation_token(user: User) -> str:
    """A signed, dated token naming `user` and its password state (`accept_invitation` checks both)."""
    return signing.dumps({"user": user.pk, "state": _password_state(user)}, salt=INVITATION_SALT)


def _invitation_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.INVITATION_DAYS)


def invited_person(token: str) -> User:
    """The account an invitation `token` sets up, or Invalid saying why the link no longer works."""
    try:
        claim = signing.loads(token, salt=INVITATION_SALT, max_age=_invitation_lifetime())
    except signing.SignatureExpired:
        raise Invalid(
            _("This invitation has expired; ask your secretariat to invite you again."),
            {"token": _("expired")},
        ) from None
    except signing.BadSignature:
        raise Invalid(
            _("This invitation link is not valid; check that you copied it whole."), {"token": _("not valid")}
        ) from None
    person_id = claim.get("user") if isinstance(claim, dict) else None
    person = User.objects.filter(pk=person_id).first() if isinstance(person_id, int) else None
    if person is None or not constant_time_compare(claim.get("state", ""), _password_state(person)):
        raise Invalid(
            _(
                "This invitation has been used already or replaced by a newer one; "
                "sign in, or reset your password."
            ),
            {"token": _("used")},
        )
    if not person.is_active:
        raise Invalid(_("This account has been deactivated."), {"token": _("deactivated")})
    return person


def _send_invitation(person: User, membership: Membership, inviter: Actor, base_url: str) -> Invitation:
    """Mail `person` the link that sets their password, in the language chosen for them."""
    expires_at = timezone.now() + _invitation_lifetime()
    with translation.override(membership.language):
        path = reverse("welcome", kwargs={"token": invitation_token(person)})
        link = base_url.rstrip("/") + path
        context = {
            "inviter": inviter.user.get_full_name() or inviter.user.username,
            "inviter_organisation": inviter.organisation.name,
            "party": inviter.party.name,
            "organisation": membership.organisation.name,
            "role": membership.get_role_display(),
            "username": person.username,
            "link": link,
            "expires": expires_at.strftime("%Y-%m-%d %H:%M UTC"),
        }
        subject = " ".join(render_to_string("people/email/invitation_subject.txt", context).split())
        body = render_to_string("people/email/invitation.txt", context)
    send_mail(subject, body, None, [person.email])
    return Invitation(person=person, link=link, expires_at=expires_at)


def _validated(form: forms.BaseForm) -> dict[str, Any]:
    """The form's cleaned data, or Invalid naming every wrong field."""
    if not form.is_valid():
        fields = {name: " ".join(str(message) for message in errors) for name, errors in form.errors.items()}
        first = next(iter(fields))
        raise Invalid(f"{first}: {fields[first]}", fields)
    return form.cleaned_data


def _organisation_named(code: str) -> Organisation:
    organisation = Organisation.objects.select_related("party").filter(code=code).first()
    if organisation is None:
        message = _("There is no organisation %(code)s.") % {"code": code[:64]}
        raise Invalid(message, {"organisation": message})
    return organisation


#: The largest id a database column holds (a bigint); a larger one names no account, and asking the
#: database for it would fail (SQLite overflows, PostgreSQL refuses it) instead of answering "none".
LARGEST_ID = 2**63 - 1


def account_id(value: int | str) -> int:
    """`value` as an account id, or -1 (which no account has) when it is not one a column can hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 < number <= LARGEST_ID else -1


def _membership_of(person_id: int | str) -> Membership:
    """The membership of account `person_id` (locked for the change), or NotFound."""
    pk = account_id(person_id)
    membership = (
        Membership.objects.select_for_update(of=("self",))
        .select_related("user", "organisation__party")
        .filter(user_id=pk)
        .first()
    )
    if membership is None:
        raise NotFound(_("There is no person %(id)s.") % {"id": str(person_id)[:20]})
    return membership


@transaction.atomic
def invite(user: User | AnonymousUser, data: Mapping[str, Any], base_url: str) -> Invitation:
    """Invite a person of the secretariat's own party (`email`, `organisation` code, `role`, `language`):
    create the account without a usable password and mail it a one-time link to set one."""
    require_people_secretariat(user)
    cleaned = _validated(InvitationForm(data))
    organisation = _organisation_named(cleaned["organisation"])
    if organisation.party_id is None:
        check_role_fits(organisation, cleaned["role"])  # Invalid: a mechanism has no members
    # Before the role's verdict: the other party's secretariat learns nothing about its organisations.
    inviter = require_manage_people(user, organisation.party_id)
    check_role_fits(organisation, cleaned["role"])
    email = cleaned["email"]
    if User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists():
        message = _("There is already an account for %(email)s.") % {"email": email}
        raise Invalid(message, {"email": message})
    try:
        with transaction.atomic():
            person = User(
                username=email.lower(), email=email, is_staff=cleaned["role"] == Membership.Role.SECRETARIAT
            )
            person.set_unusable_password()
            person.save()
    except IntegrityError:  # invited by a colleague at the same moment
        message = _("There is already an account for %(email)s.") % {"email": email}
        raise Invalid(message, {"email": message}) from None
    membership = Membership.objects.create(
        user=person,
        organisation=organisation,
        role=cleaned["role"],
        language=cleaned["language"],
        invited_by=inviter.user,
        invited_at=timezone.now(),
    )
    return _send_invitation(person, membership, inviter, base_url)


@transaction.atomic
def invite_again(user: User | AnonymousUser, person_id: int | str, base_url: str) -> Invitation:
    """Send a person who has not yet set a password a new link; the earlier one stops working."""
    require_people_secretariat(user)
    membership = _membership_of(person_id)
    actor = require_manage_person(user, membership.user, membership.organisation.party_id)
    person = membership.user
    if person.has_usable_password():
        message = _("%(name)s has already set a password; they can reset it themselves.") % {
            "name": person.username
        }
        raise Invalid(message, {"person": message})
    if not person.is_active:
        raise Invalid(_("Reactivate the account before inviting again."), {"person": _("deactivated")})
    person.set_unusable_password()
    person.save(update_fields=["password"])
    membership.invited_by, membership.invited_at = actor.user, timezone.now()
    membership.save(update_fields=["invited_by", "invited_at"])
    return _send_invitation(person, membership, actor, base_url)


@transaction.atomic
def accept_invitation(token: str, data: Mapping[str, Any]) -> User:
    """Set the invited person's password (`password`, `password_confirmation`) from an invitation token;
    the token stops working once it has been used."""
    person = invited_person(token)
    # Locked, so that two tabs sending the same link cannot both set a password.
    person = User.objects.select_for_update().get(pk=person.pk)
    invited_person(token)
    password = data.get("password") or ""
    if not isinstance(password, str) or not password:
        raise Invalid(_("password: choose a password."), {"password": _("This field is required.")})
    if data.get("password_confirmation") != password:
        message = _("The two passwords differ.")
        raise Invalid(f"password_confirmation: {message}", {"password_confirmation": message})
    try:
        validate_password(password, person)  # settings.AUTH_PASSWORD_VALIDATORS
    except ValidationError as error:
        message = " ".join(error.messages)
        raise Invalid(f"password: {message}", {"password": message}) from None
    person.set_password(password)
    person.save(update_fields=["password"])
    return person


@transaction.atomic
def change_membership(
    user: User | AnonymousUser, person_id: int | str, data: Mapping[str, Any]
) -> Membership:
    """Move a person of the secretariat's party to another organisation of that party, or change their role
    or mail language (`organisation`, `role`, `language`; omitted ones stay)."""
    require_people_secretariat(user)
    membership = _membership_of(person_id)
    require_manage_person(user, membership.user, membership.organisation.party_id)
    current = {
        "organisation": membership.organisation.code,
        "role": membership.role,
        "language": membership.language,
    }
    unknown = set(data) - set(current)
    if unknown:
        fields = {name: _("unknown field") for name in sorted(unknown)}
        raise Invalid(_("Unknown field: %(fields)s") % {"fields": ", ".join(sorted(unknown))}, fields)
    cleaned = _validated(MembershipForm({**current, **{k: v for k, v in data.items() if v is not None}}))
    organisation = _organisation_named(cleaned["organisation"])
    if organisation.party_id is None:
        check_role_fits(organisation, cleaned["role"])
    require_manage_people(user, organisation.party_id)
    check_role_fits(organisation, cleaned["role"])
    membership.organisation, membership.role = organisation, cleaned["role"]
    membership.language = cleaned["language"]
    membership.save(update_fields=["organisation", "role", "language"])
    is_staff = membership.role == Membership.Role.SECRETARIAT
    if membership.user.is_staff != is_staff:
        membership.user.is_staff = is_staff
        membership.user.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def set_active(user: User | AnonymousUser, person_id: int | str, active: bool) -> User:
    """Deactivate (or reactivate) a person of the secretariat's party. A deactivated account cannot sign
    in, its sessions end and its API tokens are revoked; its records stay, signed with its name."""
    require_people_secretariat(user)
    membership = _membership_of(person_id)
    require_manage_person(user, membership.user, membership.organisation.party_id)
    person = membership.user
    if person.is_active != active:
        person.is_active = active
        person.save(update_fields=["is_active"])
    if not active:
        ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return person


def person_id_of(username: str) -> int:
    """The id of account `username` (active or not), for commands that name a person; NotFound otherwise."""
    found = User.objects.filter(username=username).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound(_("There is no user %(name)s.") % {"name": username[:150]})
    return found
