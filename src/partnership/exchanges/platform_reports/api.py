"""/api/v1/platform-reports/: the EU DSA Transparency Database's API (`POST statement`, `POST
statements`, `GET statement/{uuid}`, `GET statement/existing-puid/{puid}`), same paths, same bodies,
same answers, so that a platform already integrated with the EU's database changes only its base URL
and token. Reads are public; writes take a platform's token.
"""

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from partnership.api_helpers import WRITE_AUTH, SignedOut, error_responses, ledger_fields, reader
from partnership.inputs import load_json

from . import queries, services

router = Router(tags=["platform reports"])
router.add_router("", "partnership.exchanges.platform_reports.reports_api.router")  # items 2-4 of issue 18

#: The largest body of a filing. Above the node's general limit (PARTNERSHIP_MAX_UPLOAD_BYTES, 5 MB by
#: default) because a batch the EU database accepts can be larger: 100 statements with every text at
#: its maximum hold about a million characters, and JSON may escape each as \uXXXX (6 bytes), or a
#: pair of them (12) outside the BMP: 12 MB. A larger body is refused before it is read.
MAX_BODY_BYTES = 16 * 1024 * 1024


def _body(request: HttpRequest) -> bytes | None:
    """The request body, or None when it is larger than MAX_BODY_BYTES (nothing of it read)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return None
    # Read from the stream: `request.body` would refuse anything over the node's general limit.
    return request.read(MAX_BODY_BYTES)


def _too_large() -> Status:
    message = _("The request body is larger than %(limit)s bytes.") % {"limit": MAX_BODY_BYTES}
    return Status(413, {"error": {"code": "too_large", "message": message, "fields": {}}})


class RefusedOut(Schema):
    """The EU database's refusal: a message, and the errors by field (by `statement_<index>` for a
    batch); nothing was stored."""

    message: str
    errors: dict[str, Any]


class FiledOut(Schema):
    uuid: str
    puid: str
    created_at: str
    self: str = Field(description="the statement in this API")
    permalink: str = Field(description="the statement's page")


class BatchOut(Schema):
    statements: list[FiledOut]


class PlatformOut(Schema):
    code: str
    name: str
    party: str
    statements: int


def _filed(request: HttpRequest, filed: dict[str, Any], base: str | None = None) -> dict[str, Any]:
    base = base if base is not None else request.build_absolute_uri("/").rstrip("/")
    key = str(filed["uuid"])
    return {
        "uuid": key,
        "puid": filed["puid"],
        "created_at": filed["created_at"].isoformat(),
        "self": base + queries.statement_path(key),
        "permalink": base + queries.statement_page(key),
    }


def _refused(refused: services.StatementsRefused) -> Status:
    return Status(422, {"message": refused.message, "errors": refused.errors})


@router.post(
    "statements",
    auth=WRITE_AUTH,
    response={201: BatchOut, 422: RefusedOut, **error_responses(400, 401, 403, 413)},
    summary="File 1 to 100 statements of reasons",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def file_statements(request):
    """`{"statements": [...]}`: each checked on its own; one error refuses the whole call (422, errors
    keyed `statement_<index>`), nothing stored; 201 with each statement's uuid."""
    body = _body(request)
    if body is None:
        return _too_large()
    try:
        filed = services.file_statements(request.auth, load_json(body))
    except services.StatementsRefused as refused:
        return _refused(refused)
    base = request.build_absolute_uri("/").rstrip("/")
    # The page address resolved once for the call, not once a statement; the answer written as JSON
    # here rather than checked field by field against BatchOut (which documents it): 100 statements a
    # call, thousands of calls a minute.
    page = base + queries.statement_page(_MARKER)
    answer = [
        {
            "uuid": (key := str(item["uuid"])),
            "puid": item["puid"],
            "created_at": item["created_at"].isoformat(),
            "self": base + queries.statement_path(key),
            "permalink": page.replace(_MARKER, key),
        }
        for item in filed
    ]
    return JsonResponse({"statements": answer}, status=201, json_dumps_params={"ensure_ascii": False})


_MARKER = "00000000-0000-0000-0000-000000000000"


@router.post(
    "statement",
    auth=WRITE_AUTH,
    response={201: dict, 422: RefusedOut, **error_responses(400, 401, 403, 413)},
    summary="File one statement of reasons",
    openapi_extra={"requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}}},
)
def file_statement(request):
    """One statement: 201 with the statement as stored, or 422 with its errors by field."""
    body = _body(request)
    if body is None:
        return _too_large()
    try:
        filed = services.file_statement(request.auth, load_json(body))
    except services.StatementsRefused as refused:
        return _refused(refused)
    return Status(201, {**filed["content"], **_filed(request, filed)})


@router.get(
    "statement/existing-puid/{puid}",
    auth=WRITE_AUTH,
    response={200: dict, **error_responses(401, 403, 404)},
    summary="Has my platform filed this puid?",
)
def existing_puid(request, puid: str):
    """The statement your platform filed with `puid`, or 404."""
    found = queries.statement_for_puid(request.auth, puid)
    return {**found, "self": request.build_absolute_uri(found["self"])}


@router.get("statement/{uuid}", response={200: dict, **error_responses(404)}, summary="A statement")
def statement(request, uuid: str):
    """A statement of reasons, for anyone."""
    found = queries.statement(reader(request), uuid)
    return {
        **found,
        "self": request.build_absolute_uri(found["self"]),
        "permalink": request.build_absolute_uri(found["permalink"]),
    }


@router.get("platforms", response=list[PlatformOut], summary="Platforms and their totals")
def platforms(request):
    """Every platform filing here, with how many statements it filed."""
    return queries.platforms(reader(request))


@router.get("platforms/{code}/statements", response={200: dict, **error_responses(404)})
def platform_statements(request, code: str, before: str | None = None):
    """A platform's statements, newest first, 50 at a time (`before`: `next_before` of the last page)."""
    return queries.platform_statements(reader(request), code, before)


class CloseIn(Schema):
    month: str = Field(description="YYYY-MM, a month already over")


class MonthOut(SignedOut):
    uid: str
    party: str
    platform: str
    platform_name: str
    month: str
    statements: int
    counts: dict[str, dict[str, int]]
    revision: int


def _month(found) -> dict[str, Any]:
    return {
        "uid": str(found.uid),
        "party": found.party.code,
        "platform": found.platform_code,
        "platform_name": found.platform_name,
        "month": f"{found.month:%Y-%m}",
        "statements": found.statements,
        "counts": found.counts,
        "revision": found.revision,
        **ledger_fields(found),
    }


@router.post(
    "months",
    auth=WRITE_AUTH,
    response={201: list[MonthOut], **error_responses(401, 403, 422)},
    summary="Close a month: sign each of your party's platforms' counts for the other party",
)
def close_month(request, payload: CloseIn):
    """A party's secretariat signs its platforms' counts of a month that is over into the ledger; the
    months signed now (none when nothing changed since the last close)."""
    return Status(201, [_month(found) for found in services.close_month(request.auth, payload.month)])


@router.get("months", response=list[MonthOut], summary="Platform months signed so far (both parties')")
def months(request):
    """The platform months signed by this node and its peers, newest first."""
    return [_month(found) for found in queries.months(reader(request))]
