"""What platform reports share with the other party through the ledger, and how a peer's apply here.

Record type and the members of its `content`:

- `platform_reports.month` (a platform's month of counts, signed by its party's secretariat when it
  closes the month; a later close with other counts is a new revision): `uid` (the same for a
  platform and month on every close), `platform` (its organisation code on the signing node),
  `platform_name`, `month` (YYYY-MM), `statements` (how many, for decisions applied in the month),
  `counts` ({field: {value: statements}} for `category`, `decision_ground`, `source_type`,
  `automated_detection`, `automated_decision` and each list field of `storage.TALLIED`), `revision`.

The record's `party` and `organisation` are the signing secretariat's; its `time` is the close. The
statements themselves are not signed: they are public, and too many to sign one by one (anyone reads
them on the filing node). The months are public too (`people.permissions.can_read_statements`).
"""

from __future__ import annotations

import datetime
import re
from typing import TYPE_CHECKING, Any

from partnership.ledger import services as ledger_services
from partnership.ledger.records import SignedRecord, format_time
from partnership.ledger.registry import RecordRejected
from partnership.peer_records import (
    author_party,
    content_of,
    held_by_peer,
    integer_of,
    party_organisation,
    record_time,
    uid_of,
)

from .models import MonthlyRollup

if TYPE_CHECKING:
    from partnership.ledger.models import LogEntry

MONTH = "platform_reports.month"
MEMBERS = ("uid", "platform", "platform_name", "month", "statements", "counts", "revision")
# Counts travel as JSON numbers: the ledger canonicalises integers up to 2**53 - 1 (RFC 8785).
BIGINT_MAX = 2**53 - 1
MONTH_FORMAT = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def share(month: MonthlyRollup, organisation_code: str) -> LogEntry:
    """Sign the month's current counts and append them to this node's log (in the close's transaction)."""
    content = {
        "uid": str(month.uid),
        "platform": month.platform_code,
        "platform_name": month.platform_name,
        "month": f"{month.month:%Y-%m}",
        "statements": month.statements,
        "counts": month.counts,
        "revision": month.revision,
    }
    return ledger_services.append(
        SignedRecord(MONTH, month.party.code, organisation_code, format_time(month.changed_at), content)
    )


def _text(content: dict[str, Any], name: str, limit: int) -> str:
    value = content[name]
    if not isinstance(value, str) or not value.strip() or len(value) > limit or "\x00" in value:
        raise RecordRejected(f"{name} {value!r:.100} is not a text of at most {limit} characters")
    return value


def _content(record: SignedRecord) -> dict[str, Any]:
    """The record's content, checked as the service builds it."""
    content = content_of(record, MEMBERS)
    uid_of(content)
    _text(content, "platform", 64)
    _text(content, "platform_name", 300)
    if not isinstance(content["month"], str) or not MONTH_FORMAT.fullmatch(content["month"]):
        raise RecordRejected(f"month {content['month']!r:.100} is not YYYY-MM")
    integer_of(content, "statements", 0, BIGINT_MAX)
    integer_of(content, "revision", 1)
    counts = content["counts"]
    if not isinstance(counts, dict):
        raise RecordRejected("counts is not an object")
    for field, values in counts.items():
        if not isinstance(field, str) or len(field) > 40 or not isinstance(values, dict):
            raise RecordRejected(f"counts[{field!r:.60}] is not an object of a field")
        for value, n in values.items():
            if len(value) > 80 or not isinstance(n, int) or isinstance(n, bool) or not 0 <= n <= BIGINT_MAX:
                raise RecordRejected(f"counts[{field!r:.60}][{value!r:.60}] is not a count")
    return content


def apply_month(record: SignedRecord, entry: LogEntry) -> None:
    """A peer's platform month, kept here read-only; a revision not newer than the one held changes
    nothing."""
    content = _content(record)
    party = author_party(record)
    party_organisation(party, record.organisation)
    held = MonthlyRollup.objects.select_related("ledger_entry").filter(uid=content["uid"]).first()
    if held is not None:
        held_by_peer(held, entry, "platform month")
        if held.revision >= content["revision"]:
            return  # already applied
    month = held or MonthlyRollup(uid=content["uid"])
    month.party = party
    month.platform_code, month.platform_name = content["platform"], content["platform_name"]
    month.month = datetime.date.fromisoformat(content["month"] + "-01")
    month.statements, month.counts, month.revision = (
        content["statements"],
        content["counts"],
        content["revision"],
    )
    month.changed_at, month.ledger_entry = record_time(record), entry
    month.save()
