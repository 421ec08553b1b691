"""API of the people app: parties and organisations (public, like the programme)."""

from ninja import Router, Schema

from . import queries

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
