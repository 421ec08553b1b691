"""Filing statements of reasons (paras 63-64), as the EU's DSA Transparency Database takes them:
1 to 100 per call, each checked on its own, all stored or none.

The platform is always the caller's organisation (`people.permissions.require_file_statements`);
nothing in the input chooses it.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnership.errors import Invalid, PermissionDenied
from partnership.people.models import Organisation
from partnership.people.permissions import require_close_platform_month, require_file_statements

from . import queries, records, storage
from .models import MonthlyRollup
from .validation import validate

MAX_BATCH = 100


class StatementsRefused(Invalid):
    """A call refused whole: `errors` maps `statement_<index>` (or `statements`) to {field: [messages]},
    the shape of the EU database's answer; nothing was stored."""

    def __init__(self, errors: dict[str, Any], message: str | None = None) -> None:
        self.errors = errors
        first: tuple[str, Any] = next(iter(errors.items()), ("statements", {}))
        super().__init__(
            message or _("The statements were refused; nothing was stored."),
            {first[0]: "; ".join(m for messages in first[1].values() for m in messages)}
            if isinstance(first[1], dict)
            else {},
        )


def _unique_problem(index: int, puid: str) -> dict[str, list[str]]:
    return {"puid": [_("The puid %(puid)s is already used by this platform.") % {"puid": puid[:100]}]}


def file_statements(user: User | AnonymousUser | None, body: Any) -> list[dict[str, Any]]:
    """File `body["statements"]` (1 to 100) for the caller's platform; each stored statement's uuid,
    puid and time received, in the order given. StatementsRefused when any statement breaks a rule or
    reuses a puid (already filed, or twice in the call): then nothing is stored."""
    actor = require_file_statements(user)
    if not isinstance(body, dict):
        raise StatementsRefused(
            {"statements": {"statements": [_("The body must be a JSON object with a list statements.")]}}
        )
    named = body.get("platform")
    if named is not None and named != actor.organisation.code:
        raise PermissionDenied(
            _("You file statements for your own platform (%(own)s) only.") % {"own": actor.organisation.code}
        )
    statements = body.get("statements")
    if not isinstance(statements, list) or not 1 <= len(statements) <= MAX_BATCH:
        raise StatementsRefused(
            {
                "statements": {
                    "statements": [
                        _("statements must be a list of 1 to %(max)s statements.") % {"max": MAX_BATCH}
                    ]
                }
            }
        )
    errors: dict[str, Any] = {}
    checked: list[dict[str, Any]] = []
    first_index: dict[str, int] = {}
    for index, statement in enumerate(statements):
        cleaned, problems = validate(statement)
        puid = cleaned.get("puid")
        if isinstance(puid, str):
            if puid in first_index:
                problems.setdefault("puid", []).append(
                    _("The puid %(puid)s is also the puid of statement_%(other)s of this call.")
                    % {"puid": puid[:100], "other": first_index[puid]}
                )
            else:
                first_index[puid] = index
        if problems:
            errors[f"statement_{index}"] = problems
        checked.append(cleaned)
    if errors:
        # A refused call names every error, a puid already filed among them. A call without any is
        # not asked first: the puids' unique index refuses a taken one as the batch is written, and
        # the refusal names it then (below): one query less for every call accepted.
        taken = storage.taken_puids(actor.organisation.pk, list(first_index))
        for puid in taken:
            errors.setdefault(f"statement_{first_index[puid]}", {}).setdefault("puid", []).extend(
                _unique_problem(first_index[puid], puid)["puid"]
            )
        raise StatementsRefused(dict(sorted(errors.items(), key=lambda item: _order(item[0]))))
    received_at = timezone.now()
    rows = [
        storage.Row(
            uuid=storage.new_uuid(received_at),
            platform_id=actor.organisation.pk,
            received_at=received_at,
            content=content,
        )
        for content in checked
    ]
    # Outside the transaction: creating a partition locks the parent table, so it is done and
    # committed before, not held while the batch is written.
    storage.ensure_partition(received_at.date())
    try:
        with transaction.atomic():
            storage.write(rows)
    except Exception as error:
        if not _is_unique_violation(error):
            raise
        # A puid already filed, or filed by another call that committed while this one waited on the
        # unique index: nothing of this call is stored (rolled back); name which, now that it is
        # visible.
        taken = storage.taken_puids(actor.organisation.pk, list(first_index))
        raise StatementsRefused(
            {
                f"statement_{first_index[puid]}": _unique_problem(first_index[puid], puid)
                for puid in sorted(taken)
            }
            or {"statements": {"puid": [_("A puid of this call is already used by this platform.")]}}
        ) from None
    return [
        {"uuid": row.uuid, "puid": row.content["puid"], "created_at": row.received_at, "content": row.content}
        for row in rows
    ]


def file_statement(user: User | AnonymousUser | None, statement: Any) -> dict[str, Any]:
    """File one statement (the EU's `POST /statement`); its errors are keyed by field, no index."""
    try:
        (filed,) = file_statements(user, {"statements": [statement]})
    except StatementsRefused as refused:
        raise StatementsRefused(refused.errors.get("statement_0") or refused.errors) from None
    return filed


MONTH_NAMESPACE = uuid.UUID("6f1d3c52-6a43-4a0e-9a8f-0c6b1f3d2a71")


@transaction.atomic
def close_month(user: User | AnonymousUser | None, month: Any) -> list[MonthlyRollup]:
    """Sign the counts of `month` ("YYYY-MM", a month already over) of each platform of the caller's
    party into the ledger, for the other party (paras 63-64). A platform whose counts did not change
    since the last close is left as it is; one whose counts changed (statements filed late) gets a new
    revision. Returns the months signed now."""
    actor = require_close_platform_month(user)
    text = str(month)[:20]
    try:
        first = datetime.date.fromisoformat(text + "-01") if len(text) == 7 else None
    except ValueError:
        first = None
    if first is None:
        raise Invalid(_("month must be written YYYY-MM."), {"month": text})
    last = (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
    now = timezone.now()
    if last >= now.date():
        raise Invalid(
            _("%(month)s is not over yet: a month is closed once it has ended.") % {"month": text},
            {"month": text},
        )
    platforms = list(Organisation.objects.filter(kind=Organisation.Kind.PLATFORM, party=actor.party))
    counted = queries.month_counts([platform.pk for platform in platforms], first, last)
    signed = []
    for platform in platforms:
        figures = counted[platform.pk]
        uid = uuid.uuid5(MONTH_NAMESPACE, f"{actor.party.code}/{platform.code}/{text}")
        held = MonthlyRollup.objects.select_for_update().filter(uid=uid).first()
        if held is not None and (held.statements, held.counts) == (figures["statements"], figures["counts"]):
            continue
        rollup = held or MonthlyRollup(uid=uid, party=actor.party, month=first, revision=0)
        rollup.platform_code, rollup.platform_name = platform.code, platform.name_en
        rollup.statements, rollup.counts = figures["statements"], figures["counts"]
        rollup.revision += 1
        rollup.changed_at = now
        rollup.ledger_entry = records.share(rollup, actor.organisation.code)
        rollup.save()
        signed.append(rollup)
    return signed


def _order(key: str) -> tuple[int, str]:
    index = key.removeprefix("statement_")
    return (int(index), key) if index.isdigit() else (-1, key)


def _is_unique_violation(error: Exception) -> bool:
    if isinstance(error, IntegrityError):
        return True
    # psycopg's own error: COPY runs on its cursor, below Django's error wrapping.
    return type(error).__name__ == "UniqueViolation"
