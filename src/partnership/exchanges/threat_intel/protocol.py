"""HTTP details of TAXII 2.1: media types, content negotiation, authentication and error messages.

(Not `http.py`: a module of that name would shadow the standard library when run from this folder.)
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate, get_user_model
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.services import user_for_token

from .errors import TaxiiError

logger = logging.getLogger(__name__)

TAXII_MEDIA_TYPE = "application/taxii+json;version=2.1"
STIX_MEDIA_TYPE = "application/stix+json;version=2.1"
REALM = 'Basic realm="TAXII", charset="UTF-8", Bearer realm="TAXII"'


def _media_ranges(header: str) -> list[tuple[str, dict[str, str]]]:
    ranges = []
    for part in header.split(","):
        pieces = [piece.strip() for piece in part.split(";")]
        if not pieces[0]:
            continue
        parameters = {}
        for piece in pieces[1:]:
            name, _sep, value = piece.partition("=")
            parameters[name.strip().lower()] = value.strip().strip('"')
        ranges.append((pieces[0].lower(), parameters))
    return ranges


def accepts_taxii(header: str) -> bool:
    """Does an `Accept` header allow `application/taxii+json;version=2.1`? (No header allows anything.)"""
    if not header.strip():
        return True
    for media_type, parameters in _media_ranges(header):
        if parameters.get("q", "1").strip() in {"0", "0.0", "0.00", "0.000"}:
            continue
        if media_type in {"*/*", "application/*"}:
            return True
        if media_type == "application/taxii+json" and parameters.get("version", "2.1") == "2.1":
            return True
    return False


def is_taxii_content(header: str) -> bool:
    """Is a `Content-Type` the TAXII 2.1 media type (the version may be left out: it means the latest)?"""
    ranges = _media_ranges(header)
    if len(ranges) != 1:
        return False
    media_type, parameters = ranges[0]
    return media_type == "application/taxii+json" and parameters.get("version", "2.1") == "2.1"


def taxii_response(document: Any, status: int = 200, headers: dict[str, str] | None = None) -> HttpResponse:
    """A TAXII response: JSON with the TAXII media type."""
    body = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    response = HttpResponse(body.encode(), status=status, content_type=TAXII_MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(status: int, title: str, description: str = "") -> HttpResponse:
    """A TAXII error message (section 3.6.1): title, description and the HTTP status, as a string."""
    document = {"title": title, "http_status": str(status)}
    if description:
        document["description"] = description
    response = taxii_response(document, status)
    if status == 401:
        response["WWW-Authenticate"] = REALM
    return response


#: How long a verified HTTP Basic password is remembered by one process, in seconds.
VERIFIED_FOR = 60.0
# username -> (HMAC of the credentials, the account's stored password hash, expiry on time.monotonic()).
_verified: dict[str, tuple[bytes, str, float]] = {}


def _credentials_mac(username: str, password: str) -> bytes:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"taxii-basic\0{username}\0{password}".encode(), hashlib.sha256).digest()


def _recently_verified(username: str, password: str):
    """The user whose password was verified in the last VERIFIED_FOR seconds, or None.

    A TAXII client sends its Basic credentials with every request, and a full read of a large
    collection is thousands of requests; Argon2 makes each verification cost well over a hundred
    milliseconds on purpose, ten times a page (bench/threat_intel.py prints both). So a verified
    password is remembered for a minute, per process, as an HMAC keyed with SECRET_KEY (never the
    password itself) and bound to the account's stored hash: a changed password or a deactivated
    account takes effect at once, and a wrong password always goes through `authenticate` (and
    django-axes' failure count).
    """
    remembered = _verified.get(username)
    if remembered is None:
        return None
    mac, stored_hash, expiry = remembered
    if time.monotonic() > expiry or not hmac.compare_digest(mac, _credentials_mac(username, password)):
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None or not user.is_active or user.password != stored_hash:
        _verified.pop(username, None)
        return None
    return user


def user_of(request: HttpRequest):
    """The active user behind the request's HTTP Basic or bearer credentials, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _sep, credentials = header.partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer" and credentials:
        return user_for_token(credentials)
    if scheme.lower() == "basic" and credentials:
        try:
            username, _sep, password = base64.b64decode(credentials, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return None
        if "\x00" in username:
            return None  # no account has one, and PostgreSQL cannot even look it up (nor django-axes log it)
        known = _recently_verified(username, password)
        if known is not None:
            return known
        user = authenticate(request, username=username, password=password)
        if getattr(request, "axes_locked_out", False):
            # django-axes paused logins for this account and address after too many failures. Its
            # middleware would answer with the HTML page of the web sign-in; a TAXII client gets a
            # TAXII error instead, so the flag is taken back here once read.
            request.axes_locked_out = False  # type: ignore[attr-defined]
            raise TaxiiError(
                429,
                _("Too many failed logins"),
                _("Signing in is paused for this account; try again in %(minutes)s minutes.")
                % {"minutes": settings.LOGIN_LOCKOUT_MINUTES},
            )
        if user is None or not user.is_active:
            return None
        if len(_verified) > 10_000:
            _verified.clear()
        _verified[username] = (
            _credentials_mac(username, password),
            user.password,
            time.monotonic() + VERIFIED_FOR,
        )
        return user
    return None


def endpoint(*methods: str) -> Callable:
    """Make a view a TAXII endpoint: method, `Accept` and credentials checked, errors as TAXII messages.

    The view receives the request with `request.user` set to the authenticated user. Session cookies
    are not credentials here, so the views are exempt from CSRF checks.
    """

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    response = error_response(
                        405,
                        _("Method not allowed"),
                        _("%(method)s is not allowed here; use %(allowed)s.")
                        % {"method": request.method, "allowed": ", ".join(methods)},
                    )
                    response["Allow"] = ", ".join(methods)
                    return response
                if not accepts_taxii(request.META.get("HTTP_ACCEPT", "")):
                    raise TaxiiError(
                        406,
                        _("Not acceptable"),
                        _("This server answers with %(type)s.") % {"type": TAXII_MEDIA_TYPE},
                    )
                user = user_of(request)
                if user is None:
                    raise TaxiiError(
                        401,
                        _("Authentication required"),
                        _("Send HTTP Basic credentials or Authorization: Bearer <token>."),
                    )
                request.user = user
                started = time.perf_counter()
                response = view(request, *args, **kwargs)
                # The time spent answering, authentication aside (W3C Server-Timing): what a client
                # cannot tell apart from the network (bench/threat_intel.py reads it).
                response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
                return response
            except TaxiiError as error:
                return error_response(error.status, error.title, error.description)
            except NotFound as error:
                return error_response(404, _("Not found"), str(error))
            except PermissionDenied as error:
                # Also django-axes' lockout after too many failed logins (a PermissionDenied subclass).
                return error_response(403, _("Forbidden"), str(error) or _("You may not do this."))
            except Invalid as error:
                return error_response(422, _("Unprocessable"), error.message)
            except RequestDataTooBig:
                return error_response(413, _("Request too large"), _("The request body is too large."))
            except Exception:
                # Never a stack trace to the caller; the operator finds it in the log.
                logger.exception("TAXII error on %s %s", request.method, request.path)
                return error_response(
                    500, _("Server error"), _("Something went wrong on our side; it has been logged.")
                )

        return wrapper

    return decorate
