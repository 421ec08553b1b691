"""The `next` token of TAXII paging: stateless, so any worker process can answer the next page.

A token is Django's signed, timestamped value (HMAC-SHA256 with SECRET_KEY) of the last row served,
`(date_added, pk)`, with a hash of the query that produced it and the id of the user it was served
to. It is refused (400) when it was made for another query or another user, altered or older than
`MAX_AGE`. The caller's rights are not in the token: each page applies them afresh, so a right
withdrawn between two pages takes effect on the next one.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.utils.translation import gettext as _

SALT = "partnership.threat_intel.next"
MAX_AGE = datetime.timedelta(days=1)


class BadToken(ValueError):
    """A `next` value that this server did not issue for this query and caller."""


@dataclass(frozen=True)
class Position:
    """The last row of the previous page: pages go on after `(date_added, pk)`."""

    date_added: datetime.datetime
    pk: int


def query_key(endpoint: str, collection_id: str, parameters: dict[str, Any]) -> str:
    """A short hash naming one query (endpoint, collection and filters, but not `limit` or `next`)."""
    text = json.dumps([endpoint, collection_id, parameters], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def make_token(position: Position, query: str, user_id: int) -> str:
    """The `next` token that resumes after `position` for this query and user."""
    return signing.dumps(
        [position.date_added.isoformat(), position.pk, query, user_id], salt=SALT, compress=True
    )


def read_token(token: str, query: str, user_id: int) -> Position:
    """The position a token resumes from; BadToken when it is not for this query and user."""
    try:
        date_added, pk, token_query, token_user = signing.loads(token, salt=SALT, max_age=MAX_AGE)
        position = Position(datetime.datetime.fromisoformat(date_added), int(pk))
    except signing.SignatureExpired as error:
        raise BadToken(_("This next token has expired; start again from the first page.")) from error
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken(_("This next token was not issued by this server.")) from error
    if token_user != user_id:
        raise BadToken(_("This next token was issued to another user."))
    if token_query != query:
        raise BadToken(_("This next token belongs to another query; repeat the same filters."))
    return position
