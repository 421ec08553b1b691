"""The JSON API: one NinjaAPI, one error body, token or session authentication.

Every error answers `{"error": {"code": ..., "message": ..., "fields": {...}}}`.
"""

import logging

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, renderers
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from partnership.errors import (
    Conflict,
    Invalid,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    PreconditionRequired,
)
from partnership.inputs import JsonInputError, load_json

logger = logging.getLogger(__name__)


class JSONRenderer(renderers.JSONRenderer):
    """UTF-8 JSON: Japanese text stays readable instead of \\u escapes."""

    json_dumps_params = {"ensure_ascii": False}


class StrictJSONParser(Parser):
    """Bodies are I-JSON (`partnership.inputs`): no NaN, duplicate names, NUL or runaway nesting."""

    def parse_body(self, request: HttpRequest):
        return load_json(request.body)


api = NinjaAPI(
    renderer=JSONRenderer(),
    parser=StrictJSONParser(),
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


ERROR_CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",  # ninja's own CSRF refusal comes as HttpError(403)
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    500: "server_error",
}


class ApiErrorBodyMiddleware:
    """Under /api/, errors answered before our handlers run get the API's error body too.

    Django answers an unknown path with the HTML 404 page and ninja a wrong method with a plain-text
    405; a client must be able to read every error the same way.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path.startswith("/api/")
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
        ):
            return response
        status = response.status_code
        messages = {
            404: _("There is nothing at this address; see /api/docs."),
            405: _("%(method)s is not allowed here; use %(allowed)s.")
            % {"method": request.method, "allowed": response.get("Allow", "")},
            500: _("Something went wrong on our side; it has been logged."),
        }
        answer = error_response(
            request, status, ERROR_CODES.get(status, "error"), messages.get(status, response.reason_phrase)
        )
        if "Allow" in response:
            answer["Allow"] = response["Allow"]
        return answer


def _location(loc: list) -> str:
    parts = [str(part) for part in loc if part not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _malformed(request, exc: ValidationError):
    fields: dict[str, str] = {}
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
    if isinstance(exc.__cause__, JsonInputError):
        # ninja wraps every parser error in "Cannot parse request body"; say what is wrong.
        return error_response(
            request, 400, "malformed", exc.__cause__.message, {"body": exc.__cause__.message}
        )
    code = ERROR_CODES.get(exc.status_code, "error")
    return error_response(request, exc.status_code, code, str(exc))


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE (PARTNERSHIP_MAX_UPLOAD_BYTES);
    # without this handler the refusal would surface as a 500.
    return error_response(
        request,
        413,
        "too_large",
        _("The request body is larger than %(limit)s bytes.")
        % {"limit": settings.DATA_UPLOAD_MAX_MEMORY_SIZE},
    )


@api.exception_handler(Exception)
def _unexpected(request, exc: Exception) -> HttpResponse:
    # Never a stack trace to the caller; the operator finds it in the log.
    logger.exception("API error on %s %s", request.method, request.path)
    return error_response(
        request, 500, "server_error", _("Something went wrong on our side; it has been logged.")
    )


def _register_routers() -> None:
    from django.utils.module_loading import import_string

    from partnership.cycle.api import router as cycle_router
    from partnership.ledger.api import router as ledger_router
    from partnership.people.api import router as people_router
    from partnership.programme.api import router as programme_router
    from partnership.programme.exchanges import registered

    api.add_router("/v1/", people_router)
    api.add_router("/v1/", programme_router)
    api.add_router("/v1/", cycle_router)
    api.add_router("/v1/", ledger_router)
    for exchange in registered():
        if exchange.api_router:
            api.add_router(f"/v1/{exchange.api_prefix}", import_string(exchange.api_router))


_register_routers()
