"""Helpers shared by the API routers: authentication, pagination, ETags."""

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from partnership.errors import Invalid, PermissionDenied
from partnership.people.services import user_for_token

MAX_PAGE_SIZE = 200


class BearerToken(HttpBearer):
    """`Authorization: Bearer <token>` with a token from "My account" or `partnership token create`."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class Session(SessionAuth):
    """The web session, with Django's CSRF check on writes (ninja's SessionAuth does it).

    A request that sends `Authorization` chose token authentication: it is not judged by its cookies,
    so a bad token answers 401 rather than a CSRF failure.
    """

    def __call__(self, request: HttpRequest):
        if "Authorization" in request.headers or settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None
        return super().__call__(request)


WRITE_AUTH = [BearerToken(), Session()]


def reader(request: HttpRequest):
    """The user reading: the bearer token's if one is sent (a bad one is a 401), else the session's."""
    header = request.headers.get("Authorization")
    if header:
        scheme, _sep, token = header.partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" else None
        if user is None:
            raise AuthenticationError()
        return user
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        error = check_csrf(request)
        if error:
            raise PermissionDenied(_("CSRF check failed."))
    return getattr(request, "user", None) or AnonymousUser()


def signed_in(request: HttpRequest):
    """The caller, or 401: who may read what is the app's `queries` (and `people.permissions`) to say."""
    user = reader(request)
    if not user.is_authenticated:
        raise AuthenticationError()
    return user


def paginate(request: HttpRequest, items, serialise, default_size: int = 50) -> dict[str, Any]:
    """One page of `items` (a queryset or list) as `{count, next, previous, items}`.

    `page` counts from 1 and `page_size` is 1 to MAX_PAGE_SIZE (422 otherwise); a page past the end is
    empty, with `previous` pointing back into the list only when that page holds items.
    """
    try:
        page = int(request.GET.get("page", "1"))
        size = int(request.GET.get("page_size", str(default_size)))
    except ValueError:
        raise Invalid(_("page and page_size must be whole numbers."), {"page": _("not a number")}) from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise Invalid(
            _("page must be 1 or more and page_size between 1 and %(max)s.") % {"max": MAX_PAGE_SIZE},
            {"page_size": str(size)},
        )
    count = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    # A page past the end is an empty page, answered without asking the database: its offset could be
    # past what the database takes (PostgreSQL's OFFSET is a bigint; `?page=99999999999999999999`).
    window = items[(page - 1) * size : page * size] if (page - 1) * size < count else []

    def link(number: int) -> str:
        query = request.GET.copy()
        query["page"], query["page_size"] = str(number), str(size)
        return request.build_absolute_uri(request.path + "?" + urlencode(sorted(query.items())))

    return {
        "count": count,
        "next": link(page + 1) if page * size < count else None,
        "previous": link(page - 1) if page > 1 and (page - 2) * size < count else None,
        "items": [serialise(item) for item in window],
    }


class ErrorBody(Schema):
    """The one error body: {"error": {"code", "message", "fields"}}."""

    error: dict[str, Any]


def error_responses(*codes: int) -> dict[int, type[ErrorBody]]:
    """The error responses an endpoint documents; they all share one body."""
    return dict.fromkeys(codes, ErrorBody)


class SignedOut(Schema):
    """Where a shared record's latest version is in the ledger, and whether a peer node signed it."""

    signed_by: str | None = Field(
        None,
        description="Party code of the peer node that signed this record (read-only on this node); "
        "null for this node's own records",
    )
    ledger_entry: int | None = Field(
        None, description="Index of the record's latest entry in the signing node's log"
    )


def ledger_fields(record: Any) -> dict[str, Any]:
    """`signed_by` and `ledger_entry` of a shared record (any app's: it has `signed_by` and a
    `ledger_entry` foreign key, loaded with it)."""
    return {
        "signed_by": record.signed_by,
        "ledger_entry": record.ledger_entry.index if record.ledger_entry_id is not None else None,
    }
