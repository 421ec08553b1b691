"""Errors of the TAXII server that the shared `partnership.errors` do not name.

`partnership.errors.NotFound` answers 404, `PermissionDenied` 403 and `Invalid` 422; these add the
statuses TAXII gives to requests it cannot even read.
"""


class TaxiiError(Exception):
    """An error answered with `status` and a TAXII error message; `title` is short, the message says why."""

    status = 400

    def __init__(self, title: str, description: str = "") -> None:
        super().__init__(description or title)
        self.title = title
        self.description = description


class BadRequest(TaxiiError):
    """A malformed filter, `limit` or `next`, or a body that is not JSON (400)."""

    status = 400


class Unauthenticated(TaxiiError):
    """No credentials, or wrong ones (401)."""

    status = 401


class LockedOut(TaxiiError):
    """Logins of this account and address are paused after too many failures (429, django-axes)."""

    status = 429


class NotAcceptable(TaxiiError):
    """The `Accept` header allows no media type this server answers with (406)."""

    status = 406


class TooLarge(TaxiiError):
    """The request body is over the collection's `max_content_length` (413)."""

    status = 413


class UnsupportedMediaType(TaxiiError):
    """The request body is not `application/taxii+json;version=2.1` (415)."""

    status = 415


class Unprocessable(TaxiiError):
    """A readable body that is not a TAXII envelope (422)."""

    status = 422
