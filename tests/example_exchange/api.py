"""/api/v1/example-exchange/: trend notes (para 65), read by members, filed and revised through the
services."""

from typing import Any

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from partnership.api_helpers import (
    WRITE_AUTH,
    SignedOut,
    error_responses,
    ledger_fields,
    paginate,
    signed_in,
)

from . import queries, services

router = Router(tags=["trend notes"])


class NoteIn(Schema):
    title: str = Field(description="the trend, in a line")
    text: str = Field(description="what was observed")
    language: str = Field(description="en or ja: the language the note is written in")


class NoteOut(SignedOut):
    uid: str
    party: str
    organisation: str
    title: str
    text: str
    language: str
    revision: int
    changed_at: str


class NotePage(Schema):
    count: int
    next: str | None
    previous: str | None
    items: list[NoteOut]


def note_out(note) -> dict[str, Any]:
    return {
        "uid": str(note.uid),
        "party": note.party.code,
        "organisation": note.organisation.code,
        "title": note.title,
        "text": note.text,
        "language": note.language,
        "revision": note.revision,
        "changed_at": note.changed_at.isoformat(),
        **ledger_fields(note),
    }


@router.get("notes", response={200: NotePage, **error_responses(401, 403, 422)}, summary="Trend notes")
def list_notes(request, party: str = "", language: str = ""):
    notes = queries.notes(signed_in(request), queries.Filters(party=party, language=language))
    return paginate(request, notes, note_out)


@router.get("notes/{uid}", response={200: NoteOut, **error_responses(401, 403, 404)}, summary="A trend note")
def get_note(request, uid: str):
    return note_out(queries.note(signed_in(request), uid))


@router.post(
    "notes",
    auth=WRITE_AUTH,
    response={201: NoteOut, **error_responses(400, 401, 403, 422)},
    summary="File a trend note for your party",
)
def file_note(request, payload: NoteIn):
    return Status(201, note_out(services.file_note(request.auth, payload.model_dump())))


@router.put(
    "notes/{uid}",
    auth=WRITE_AUTH,
    response={200: NoteOut, **error_responses(400, 401, 403, 404, 422)},
    summary="Revise a trend note (its organisation, or its party's secretariat)",
)
def revise_note(request, uid: str, payload: NoteIn):
    return note_out(services.revise_note(request.auth, uid, payload.model_dump()))
