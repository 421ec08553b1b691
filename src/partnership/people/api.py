"""API of the people app: parties and organisations (public, like the programme), and a secretariat's
own party's people: invite, list, change a membership, deactivate and reactivate (the same services as
the pages and the `user` command), and accepting an invitation with its token."""

from datetime import datetime
from typing import Any

from ninja import Field, Router, Schema
from ninja.responses import Status as WithStatus

from partnership.api_helpers import WRITE_AUTH, error_responses, signed_in

from . import queries, services

router = Router(tags=["people"])


class PartyOut(Schema):
    code: str
    name_en: str
    name_ja: str
    languages: list[str]
    time_zone: str


class OrganisationOut(Schema):
    code: str
    party: str | None
    kind: str
    name_en: str
    name_ja: str


@router.get("parties", response=list[PartyOut], summary="All parties of the partnership")
def list_parties(request):
    return queries.parties()


@router.get("organisations", response=list[OrganisationOut], summary="Organisations, mechanisms and bodies")
def list_organisations(request):
    return [
        OrganisationOut(
            code=o.code,
            party=o.party.code if o.party else None,
            kind=o.kind,
            name_en=o.name_en,
            name_ja=o.name_ja,
        )
        for o in queries.organisations()
    ]


# --- the secretariat's own party's people -------------------------------------------------------------


class PersonOut(Schema):
    id: int
    username: str
    email: str
    organisation: str
    party: str
    role: str
    language: str
    status: str = Field(description="active, invited (no password set yet) or deactivated")
    last_login: datetime | None
    invited_at: datetime | None
    invited_by: str | None


class InvitationIn(Schema):
    email: str = Field(description="Also the person's user name")
    organisation: str = Field(description="Code of an organisation of your party")
    role: str = Field(
        description="secretariat, action_lead, member_state or stakeholder, as fits the organisation"
    )
    language: str = Field("en", description="Language of the invitation mail and of later mail: en or ja")


class MembershipPatch(Schema):
    organisation: str | None = None
    role: str | None = None
    language: str | None = None


class AcceptIn(Schema):
    token: str = Field(description="The last part of the invitation link")
    password: str
    password_confirmation: str


class AcceptedOut(Schema):
    username: str


def person_out(person: queries.Person) -> dict[str, Any]:
    return {
        "id": person.id,
        "username": person.username,
        "email": person.email,
        "organisation": person.organisation.code,
        "party": person.organisation.party.code if person.organisation.party else "",
        "role": person.role,
        "language": person.language,
        "status": person.status,
        "last_login": person.last_login,
        "invited_at": person.invited_at,
        "invited_by": person.invited_by,
    }


@router.get(
    "people",
    response={200: list[PersonOut], **error_responses(401, 403)},
    summary="Your party's people (secretariats only)",
)
def list_people(request):
    return [person_out(person) for person in queries.people(signed_in(request))]


@router.get(
    "people/{int:person_id}",
    response={200: PersonOut, **error_responses(401, 403, 404)},
    summary="One person of your party (secretariats only)",
)
def get_person(request, person_id: int):
    return person_out(queries.person(signed_in(request), person_id))


@router.post(
    "people/invitations",
    auth=WRITE_AUTH,
    response={201: PersonOut, **error_responses(400, 401, 403, 422)},
    summary="Invite a person of your party; the one-time link goes to their mail only",
)
def invite(request, payload: InvitationIn):
    invitation = services.invite(request.auth, payload.model_dump(), request.build_absolute_uri("/"))
    return WithStatus(201, person_out(queries.person(request.auth, invitation.person.pk)))


@router.post(
    "people/invitations/accept",
    response={200: AcceptedOut, **error_responses(400, 422)},
    summary="Set an invited person's password with their link's token (the token is the proof)",
)
def accept(request, payload: AcceptIn):
    person = services.accept_invitation(payload.token, payload.model_dump(exclude={"token"}))
    return {"username": person.username}


@router.patch(
    "people/{int:person_id}",
    auth=WRITE_AUTH,
    response={200: PersonOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Change a person's organisation, role or mail language",
)
def change_membership(request, person_id: int, payload: MembershipPatch):
    services.change_membership(request.auth, person_id, payload.model_dump(exclude_unset=True))
    return person_out(queries.person(request.auth, person_id))


@router.post(
    "people/{int:person_id}/deactivate",
    auth=WRITE_AUTH,
    response={200: PersonOut, **error_responses(401, 403, 404)},
    summary="Deactivate a person: no more sign-in, API tokens revoked",
)
def deactivate(request, person_id: int):
    services.set_active(request.auth, person_id, False)
    return person_out(queries.person(request.auth, person_id))


@router.post(
    "people/{int:person_id}/reactivate",
    auth=WRITE_AUTH,
    response={200: PersonOut, **error_responses(401, 403, 404)},
    summary="Reactivate a deactivated person",
)
def reactivate(request, person_id: int):
    services.set_active(request.auth, person_id, True)
    return person_out(queries.person(request.auth, person_id))
