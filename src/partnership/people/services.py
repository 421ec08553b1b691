"""Accounts and API tokens."""

import contextlib
import hashlib
import secrets
import uuid

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound

from .models import ApiToken, Membership, Organisation

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
}


@transaction.atomic
def create_member(
    username: str, password: str, organisation: Organisation, role: str, email: str = ""
) -> User:
    """Create a user acting for `organisation` with `role`; the role must fit the organisation's kind."""
    allowed = ROLES_BY_KIND.get(organisation.kind, set())
    if organisation.party_id is None:
        raise Invalid(
            _("A member must belong to an organisation of a party."), {"organisation": organisation.code}
        )
    if role not in allowed:
        raise Invalid(
            _("Role %(role)s does not fit a %(kind)s.")
            % {"role": role, "kind": organisation.get_kind_display()},
            {"role": role},
        )
    # Secretariats run the back office (the admin), under the same rules as everywhere else.
    is_staff = role == Membership.Role.SECRETARIAT
    user = User.objects.create_user(username=username, password=password, email=email, is_staff=is_staff)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


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
