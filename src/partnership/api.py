"""The JSON API: one NinjaAPI, one error body, token or session authentication.

Every error answers `{"error": {"code": ..., "message": ..., "fields": {...}}}`.
"""

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, renderers
from ninja.errors import AuthenticationError, HttpError, ValidationError

from partnership.errors import (
    Conflict,
    Invalid,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
)

logger = logging.getLogger(__name__)


class JSONRenderer(renderers.JSONRenderer):
    """UTF-8 JSON: Japanese text stays readable instead of \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=JSONRenderer(),
    title="Japan-EU Digital Partnership",
    version="1",
    description="The programme of joint actions and each party's progress. "
    "Read the programme without login; send `Authorization: Bearer <token>` for the rest.",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(request: HttpRequest, status: int, code: str, message: str, fields: dict | None = None):
    response = api.create_response(
        request, {"error": {"code": code, "message": message, "fields": fields or {}}}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="partnership"'
    return response


def _location(loc: list) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _malformed(request, exc: ValidationError):
    fields = {}
    for error in exc.errors:
        fields.setdefault(_location(error.get("loc", [])), error.get("msg", _("invalid")))
    first = next(iter(fields.items()), ("body", _("invalid")))
    return error_response(request, 400, "malformed", f"{first[0]}: {first[1]}", fields)


@api.exception_handler(Invalid)
def _invalid(request, exc: Invalid):
    return error_response(request, 422, "invalid", exc.message, exc.fields)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    return error_response(
        request, 401, "unauthenticated", _("Send a valid API token: Authorization: Bearer <token>.")
    )


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return error_response(request, 403, "forbidden", str(exc) or _("You may not do this."))


@api.exception_handler(NotFound)
def _not_found(request, exc):
    return error_response(request, 404, "not_found", str(exc))


@api.exception_handler(Http404)
def _http404(request, exc):
    return error_response(request, 404, "not_found", _("Not found."))


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return error_response(request, 409, "conflict", str(exc))


@api.exception_handler(PreconditionFailed)
def _precondition_failed(request, exc):
    return error_response(request, 412, "precondition_failed", str(exc))


@api.exception_handler(PreconditionRequired)
def _precondition_required(request, exc):
    return error_response(request, 428, "precondition_required", str(exc))


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    code = {400: "malformed", 413: "too_large", 405: "method_not_allowed"}.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception) -> HttpResponse:
    # Never a stack trace to the caller; the operator finds it in the log.
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(
        request, 500, "server_error", _("Something went wrong on our side; it has been logged.")
    )


def _register_routers() -> None:
    from partnership.people.api import router as people_router
    from partnership.programme.api import router as programme_router

    api.add_router("/v1/", people_router)
    api.add_router("/v1/", programme_router)


_register_routers()
