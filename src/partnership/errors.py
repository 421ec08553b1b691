"""Errors that services raise and every entry point (web, API, CLI) reports in the same words.

`people` and `ledger` depend on nothing else of ours; this module is below them all.
"""

from django.core.exceptions import PermissionDenied

__all__ = [
    "Conflict",
    "Invalid",
    "NotFound",
    "PermissionDenied",
    "PreconditionFailed",
    "PreconditionRequired",
]


class Invalid(Exception):
    """Input that breaks a rule; `fields` maps each wrong field (or row) to what is wrong with it."""

    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.fields = fields or {}


class NotFound(Exception):
    """The thing asked for does not exist, or the caller may not know that it does."""


class Conflict(Exception):
    """The request would clash with the current state (e.g. a value already recorded for that period)."""


class PreconditionRequired(Exception):
    """A change to a mutable record came without `If-Match`: it could silently overwrite another edit."""


class PreconditionFailed(Exception):
    """The record changed since the caller read it (its ETag no longer matches)."""
