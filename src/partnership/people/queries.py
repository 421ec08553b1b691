"""Read paths of the people app: the parties and organisations as the pages, the API and the other apps
list them (public, like the programme), and a secretariat's list of its own party's people (private)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _

from partnership.errors import NotFound

from .models import ApiToken, Membership, Organisation, Party
from .permissions import require_actor, require_manage_people, require_people_secretariat
from .services import account_id


def parties() -> list[Party]:
    """All parties, in code order."""
    return list(Party.objects.order_by("code"))


def organisations() -> list[Organisation]:
    """Every organisation with its party (one query), in the model's order."""
    return list(Organisation.objects.select_related("party"))


@dataclass(frozen=True)
class Person:
    """A person of a party as its secretariat sees them (email and last login are private to it)."""

    id: int
    username: str
    email: str
    organisation: Organisation
    role: str
    role_label: str
    language: str
    is_active: bool
    has_password: bool
    last_login: datetime | None
    invited_at: datetime | None
    invited_by: str | None

    @property
    def status(self) -> str:
        """active, invited (no password set yet) or deactivated."""
        if not self.is_active:
            return "deactivated"
        return "active" if self.has_password else "invited"


def _person(membership: Membership) -> Person:
    user = membership.user
    return Person(
        id=user.pk,
        username=user.username,
        email=user.email,
        organisation=membership.organisation,
        role=membership.role,
        role_label=membership.get_role_display(),
        language=membership.language,
        is_active=user.is_active,
        has_password=user.has_usable_password(),
        last_login=user.last_login,
        invited_at=membership.invited_at,
        invited_by=membership.invited_by.username if membership.invited_by else None,
    )


def _memberships():
    return Membership.objects.select_related("user", "organisation__party", "invited_by")


def people(user: User | AnonymousUser) -> list[Person]:
    """The people of the reader's party, for its secretariat only, by organisation and user name."""
    actor = require_people_secretariat(user)
    require_manage_people(user, actor.party.pk)
    memberships = _memberships().filter(organisation__party=actor.party)
    return [_person(m) for m in memberships.order_by("organisation__code", "user__username")]


def person(user: User | AnonymousUser, person_id: int) -> Person:
    """One person of the reader's party, for its secretariat; NotFound or PermissionDenied otherwise."""
    require_people_secretariat(user)
    membership = _memberships().filter(user_id=account_id(person_id)).first()
    if membership is None:
        raise NotFound(_("There is no person %(id)s.") % {"id": person_id})
    require_manage_people(user, membership.organisation.party_id)
    return _person(membership)


def own_organisations(user: User | AnonymousUser) -> list[Organisation]:
    """The organisations a secretariat may invite into: its party's, mechanisms aside."""
    actor = require_people_secretariat(user)
    return list(
        Organisation.objects.select_related("party")
        .filter(party=actor.party)
        .exclude(kind=Organisation.Kind.MECHANISM)
        .order_by("kind", "code")
    )


def own_account(user: User | AnonymousUser) -> dict[str, Any]:
    """What the signed-in member's own page shows of them: organisation, party, role and the language of
    their mail (one query); PermissionDenied for an account of no party."""
    actor = require_actor(user)
    language = Membership.objects.filter(user=actor.user).values_list("language", flat=True).first()
    tokens = list(ApiToken.objects.filter(user=actor.user).order_by("revoked_at", "-created_at")[:50])
    return {"actor": actor, "language": language or "en", "tokens": tokens}
