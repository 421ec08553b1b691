"""The TAXII error for what the shared `partnership.errors` do not name.

`partnership.errors.NotFound` answers 404, `PermissionDenied` 403 and `Invalid` 422 (a readable body
that is not an envelope); `TaxiiError` carries the other statuses TAXII gives to requests it cannot
even read: 400 (a malformed filter, `limit`, `next` or JSON body), 401 (no or wrong credentials), 406
(an `Accept` this server cannot answer), 413 (a body over `max_content_length`), 415 (a body that is
not `application/taxii+json;version=2.1`) and 429 (logins paused by django-axes).
"""


class TaxiiError(Exception):
    """An error answered with HTTP `status` and a TAXII error message: a short `title` and why."""

    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(description or title)
        self.status = status
        self.title = title
        self.description = description
