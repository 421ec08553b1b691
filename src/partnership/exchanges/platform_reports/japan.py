"""Japan's side (Information Distribution Platform Act, 情報流通プラットフォーム対処法): the records a
designated platform keeps of the removal requests it received and how it handled them (Arts 25-28).

Accepted as JSON batches (`file_requests`: 1 to 100, each checked on its own, errors keyed
`request_<index>` by field, all stored or none) and as CSV or XLSX files (`import_requests`: one record
a row, a header of the field names; errors name the line and the column; all stored or none).

What the texts read do not settle (the response deadline, the requester types, reasons, extension
reasons and measures) is `data/japan.json`, loaded by `config()`: change the data, not this code.
"""

from __future__ import annotations

import datetime
import json
import re
from functools import cache
from pathlib import Path
from typing import IO, Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from partnership import tables
from partnership.errors import Invalid, PermissionDenied
from partnership.people.permissions import require_file_statements
from partnership.spreadsheet_cells import restore

from .models import RemovalRequest

CONFIG_PATH = Path(__file__).parent / "data" / "japan.json"
MAX_BATCH = 100
#: A file's records at the most (a designated platform's year of requests is filed in a few files).
MAX_FILE_ROWS = 20_000
LIMITS = tables.Limits(rows=MAX_FILE_ROWS, line_bytes=8192, columns=20)
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2038, 1, 1, tzinfo=datetime.UTC)
REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,100}$")

#: The fields of a record, in the order of a file's columns; the codes each draws from (config key).
FIELDS = (
    "reference",
    "received_at",
    "requester_type",
    "reason",
    "response",
    "responded_at",
    "no_notification_reason",
    "extended",
    "extension_reason",
    "extension_detail",
    "measure",
    "measure_reason",
    "poster_notified_at",
)
CODED = {
    "requester_type": "requester_types",
    "reason": "reasons",
    "response": "responses",
    "no_notification_reason": "no_notification_reasons",
    "extension_reason": "extension_reasons",
    "measure": "measures",
    "measure_reason": "reasons",
}
TIMES = ("received_at", "responded_at", "poster_notified_at")


class RequestsRefused(Invalid):
    """A batch refused whole: `errors` maps `request_<index>` to {field: [messages]}; nothing stored."""

    def __init__(self, errors: dict[str, Any]) -> None:
        self.errors = errors
        first_key, first = next(iter(errors.items()))
        super().__init__(
            _("The removal requests were refused; nothing was stored."),
            {first_key: "; ".join(f"{field}: {m}" for field, messages in first.items() for m in messages)},
        )


@cache
def config() -> dict[str, Any]:
    """`data/japan.json`: the deadline, the publication year and the code lists (with their labels)."""
    found: dict[str, Any] = json.loads(CONFIG_PATH.read_text(encoding="utf-8"))
    return found


def codes(kind: str) -> dict[str, dict[str, str]]:
    """The codes of `kind` (a key of data/japan.json) with their labels."""
    values: dict[str, dict[str, str]] = config()[kind]["values"]
    return values


def label(kind: str, code: str) -> str:
    """The label of `code` of `kind` in the current language (the code itself when unknown)."""
    entry = codes(kind).get(code)
    if entry is None:
        return code
    return entry["ja"] if (get_language() or "en").startswith("ja") else entry["en"]


def deadline_days() -> int:
    return int(config()["response_deadline_days"]["value"])


def _time(value: Any, problems: list[str]) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        parsed: datetime.datetime | None = value
    elif isinstance(value, str) and len(value) <= 40 and "\x00" not in value:
        try:
            parsed = parse_datetime(value.strip())
        except ValueError:
            parsed = None
    else:
        parsed = None
    if parsed is None:
        problems.append(_("must be a date and time as 2025-04-01T09:30:00+09:00."))
        return None
    if parsed.tzinfo is None:
        problems.append(_("must name its time zone (e.g. +09:00 or Z)."))
        return None
    try:
        parsed = parsed.astimezone(datetime.UTC)
    except OverflowError:  # 9999-12-31T23:59-12:00 is in year 10000 in UTC; 0001-01-01T00:00+14:00 in year 0
        parsed = None
    if parsed is None or not EARLIEST <= parsed < LATEST:
        problems.append(_("must lie between 2000-01-01 and 2038-01-01."))
        return None
    return parsed


def validate(record: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """A record checked against every rule: (cleaned fields, {field: [messages]})."""
    errors: dict[str, list[str]] = {}
    if not isinstance(record, dict):
        return {}, {"request": [_("must be an object with the fields of a removal request.")]}
    unknown = sorted(str(key)[:40] for key in record if key not in FIELDS)
    if unknown:
        errors["request"] = [_("unknown fields: %(fields)s.") % {"fields": ", ".join(unknown[:5])}]
    present = {key: value for key, value in record.items() if key in FIELDS and value not in (None, "")}
    cleaned: dict[str, Any] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    _check_fields(present, cleaned, fail)
    _check_between(present, cleaned, fail)
    return cleaned, errors


def _store(platform_id: int, records: list[dict[str, Any]]) -> list[RemovalRequest]:
    now = timezone.now()
    rows = [RemovalRequest(platform_id=platform_id, filed_at=now, **record) for record in records]
    try:
        with transaction.atomic():
            RemovalRequest.objects.bulk_create(rows)
    except IntegrityError:
        return []
    return rows


def _taken(platform_id: int, references: list[str]) -> set[str]:
    return set(
        RemovalRequest.objects.filter(platform_id=platform_id, reference__in=references).values_list(
            "reference", flat=True
        )
    )


def _checked(platform_id: int, records: list[Any], key) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Each record checked, references once per platform: (cleaned, errors keyed by `key(index)`)."""
    errors: dict[str, Any] = {}
    cleaned_all: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    for index, record in enumerate(records):
        cleaned, problems = validate(record)
        reference = cleaned.get("reference")
        if reference is not None:
            if reference in first:
                problems.setdefault("reference", []).append(
                    _("%(reference)s is also the reference of %(other)s.")
                    % {"reference": reference, "other": key(first[reference])}
                )
            else:
                first[reference] = index
        if problems:
            errors[key(index)] = problems
        cleaned_all.append(cleaned)
    for reference in sorted(_taken(platform_id, list(first))):
        errors.setdefault(key(first[reference]), {}).setdefault("reference", []).append(
            _("%(reference)s was already filed by this platform.") % {"reference": reference}
        )
    return cleaned_all, errors


def file_requests(user: User | AnonymousUser | None, body: Any) -> list[RemovalRequest]:
    """File `body["requests"]` (1 to 100 records) for the caller's platform, all or none."""
    actor = require_file_statements(user)
    if not isinstance(body, dict):
        raise RequestsRefused(
            {"requests": {"requests": [_("The body must be a JSON object with a list requests.")]}}
        )
    named = body.get("platform")
    if named is not None and named != actor.organisation.code:
        raise PermissionDenied(
            _("You file records for your own platform (%(own)s) only.") % {"own": actor.organisation.code}
        )
    records = body.get("requests")
    if not isinstance(records, list) or not 1 <= len(records) <= MAX_BATCH:
        raise RequestsRefused(
            {
                "requests": {
                    "requests": [_("requests must be a list of 1 to %(max)s records.") % {"max": MAX_BATCH}]
                }
            }
        )
    cleaned, errors = _checked(actor.organisation.pk, records, lambda index: f"request_{index}")
    if errors:
        raise RequestsRefused(errors)
    stored = _store(actor.organisation.pk, cleaned)
    if not stored:  # another call filed one of these references meanwhile
        raise RequestsRefused({"requests": {"reference": [_("A reference of this call was already filed.")]}})
    return stored


def _file_rows(name: str, handle: IO[bytes]) -> tuple[list[int], list[dict[str, str]]]:
    """(line of each record, its cells by header) of a CSV or XLSX file; Invalid naming the line."""
    is_xlsx = name.lower().endswith(".xlsx")
    word = _("row") if is_xlsx else _("line")
    try:
        if is_xlsx:
            tables.check_xlsx(handle, LIMITS)
            handle.seek(0)
        rows = tables.xlsx_rows(handle, LIMITS) if is_xlsx else tables.csv_rows(handle, LIMITS)
        header: list[str] | None = None
        lines: list[int] = []
        found: list[dict[str, str]] = []
        for line, cells in rows:
            texts = [restore(cell).strip() for cell in cells]
            if header is None:
                header = [text.lower() for text in texts]
                unknown = [text for text in header if text and text not in FIELDS]
                if unknown or "reference" not in header:
                    raise Invalid(
                        _(
                            "%(file)s, %(word)s %(line)s: the header must name the fields %(fields)s "
                            "(unknown: %(unknown)s)."
                        )
                        % {
                            "file": name,
                            "word": word,
                            "line": line,
                            "fields": ", ".join(FIELDS),
                            "unknown": ", ".join(u[:40] for u in unknown[:5]) or "-",
                        },
                        {f"{word} {line}": _("header")},
                    )
                continue
            if not any(texts):
                continue
            if len(found) >= MAX_FILE_ROWS:
                raise tables.TooManyRows(MAX_FILE_ROWS, line)
            lines.append(line)
            found.append(
                {column: text for column, text in zip(header, texts, strict=False) if column and text}
            )
    except tables.TableError as error:
        where = f"{word} {error.line}" if error.line else name
        raise Invalid(f"{name}, {where}: {error.problem}", {where: error.problem}) from None
    if not found:
        raise Invalid(_("%(file)s holds no record.") % {"file": name}, {"file": _("holds no record.")})
    return lines, found


def import_requests(user: User | AnonymousUser | None, name: str, handle: IO[bytes]) -> list[RemovalRequest]:
    """Import a CSV or XLSX file of records for the caller's platform, all or none; Invalid naming
    each wrong line and column ("line 4, column responded_at: ...")."""
    actor = require_file_statements(user)
    lines, records = _file_rows(name, handle)
    is_xlsx = name.lower().endswith(".xlsx")
    word = _("row") if is_xlsx else _("line")
    cleaned, errors = _checked(actor.organisation.pk, records, lambda index: f"{word} {lines[index]}")
    if errors:
        fields = {
            where: "; ".join(
                _("column %(column)s: %(problem)s") % {"column": column, "problem": problem}
                for column, problems in by_field.items()
                for problem in problems
            )
            for where, by_field in errors.items()
        }
        first = next(iter(fields.items()))
        raise Invalid(f"{name}, {first[0]}, {first[1]}", fields)
    stored = _store(actor.organisation.pk, cleaned)
    if not stored:
        raise Invalid(_("A reference of this file was already filed."), {"reference": _("already filed")})
    return stored


def public_config() -> dict[str, Any]:
    """data/japan.json as the API shows it: the deadline, the publication year and each code list."""
    return {key: value for key, value in config().items() if not key.startswith("_")}


PAGE_SIZE = 100


def removal_requests(
    reader: User | AnonymousUser | None, code: str, before: str | None = None
) -> dict[str, Any]:
    """A platform's records, newest received first, PAGE_SIZE at a time (`before`: the `next_before`
    of the previous page): for the platform itself and the secretariats only (the public reads the
    yearly items). Another platform is refused."""
    from partnership.errors import NotFound
    from partnership.people.models import Organisation
    from partnership.people.permissions import can_read_removal_requests

    found = (
        Organisation.objects.filter(kind=Organisation.Kind.PLATFORM, code=code).first()
        if "\x00" not in code and len(code) <= 100
        else None
    )
    if found is None:
        raise NotFound(_("There is no platform %(code)s.") % {"code": code[:64]})
    if not can_read_removal_requests(reader, found):
        raise PermissionDenied(_("Only the platform itself and the secretariats read its removal requests."))
    rows = RemovalRequest.objects.filter(platform=found).order_by("-received_at", "-uuid")
    if before:
        problems: list[str] = []
        cursor = _time(before, problems)
        if cursor is None:
            raise Invalid(_("before: %(problem)s") % {"problem": problems[0]}, {"before": problems[0]})
        rows = rows.filter(received_at__lt=cursor)
    page = list(rows[: PAGE_SIZE + 1])
    fields = (
        "reference",
        "requester_type",
        "reason",
        "response",
        "no_notification_reason",
        "extended",
        "extension_reason",
        "extension_detail",
        "measure",
        "measure_reason",
    )
    return {
        "platform": {"code": found.code, "name": found.name},
        "requests": [
            {
                "uuid": str(row.uuid),
                **{field: getattr(row, field) for field in fields},
                "received_at": row.received_at,
                "due_at": row.due_at,
                "responded_at": row.responded_at,
                "poster_notified_at": row.poster_notified_at,
                "on_time": row.responded_at is not None and row.responded_at <= row.due_at,
            }
            for row in page[:PAGE_SIZE]
        ],
        "next_before": page[PAGE_SIZE - 1].received_at.isoformat() if len(page) > PAGE_SIZE else None,
    }


def _check_fields(present: dict[str, Any], cleaned: dict[str, Any], fail) -> None:
    """Each field on its own: required ones, the reference, times, codes, the extension."""
    for field in ("reference", "received_at", "requester_type", "reason"):
        if field not in present:
            fail(field, _("is required."))
    reference = present.get("reference")
    if reference is not None:
        if not isinstance(reference, str) or not REFERENCE.match(reference):
            fail("reference", _("must be 1 to 100 letters, digits, - or _."))
        else:
            cleaned["reference"] = reference
    for field in TIMES:
        if field in present:
            problems: list[str] = []
            cleaned[field] = _time(present[field], problems)
            for problem in problems:
                fail(field, problem)
    for field, kind in CODED.items():
        if field in present:
            value = present[field]
            if not isinstance(value, str) or value not in codes(kind):
                fail(
                    field,
                    _("must be one of %(codes)s.") % {"codes": ", ".join(codes(kind))},
                )
            else:
                cleaned[field] = value
    extended = present.get("extended", False)
    if isinstance(extended, str) and extended in ("Yes", "No", "true", "false"):
        extended = extended in ("Yes", "true")
    if not isinstance(extended, bool):
        fail("extended", _("must be true or false (Yes or No in a file)."))
    else:
        cleaned["extended"] = extended
    detail = present.get("extension_detail", "")
    if not isinstance(detail, str) or len(detail) > 500 or "\x00" in detail:
        fail("extension_detail", _("must be text of at most 500 characters."))
    else:
        cleaned["extension_detail"] = detail


def _check_between(present: dict[str, Any], cleaned: dict[str, Any], fail) -> None:
    """The rules between fields (a response and its time, a measure and its response, times in order);
    sets the deadline `due_at` and the measure's reason (the request's unless given)."""
    # The rules between fields.
    if cleaned.get("extended") and "extension_reason" not in present:
        fail("extension_reason", _("is required when the period was extended."))
    if not cleaned.get("extended") and "extension_reason" in present:
        fail("extension_reason", _("is only given when the period was extended."))
    if "responded_at" in present and "response" not in present:
        fail("response", _("is required when a response was sent."))
    if "response" in present and "responded_at" not in present and "no_notification_reason" not in present:
        fail(
            "responded_at",
            _("is required with a response, unless no_notification_reason says why none was sent."),
        )
    if "responded_at" in present and "no_notification_reason" in present:
        fail("no_notification_reason", _("is only given when no response was sent."))
    if "measure" in present and present.get("response") != "MEASURE_TAKEN":
        fail("measure", _("is only given when the response is MEASURE_TAKEN."))
    if present.get("response") == "MEASURE_TAKEN" and "measure" not in present:
        fail("measure", _("is required when the response is MEASURE_TAKEN."))
    if ("poster_notified_at" in present or "measure_reason" in present) and "measure" not in present:
        field = "poster_notified_at" if "poster_notified_at" in present else "measure_reason"
        fail(field, _("is only given when a measure was taken."))
    received = cleaned.get("received_at")
    for field in ("responded_at", "poster_notified_at"):
        later = cleaned.get(field)
        if received is not None and later is not None and later < received:
            fail(field, _("must not be before received_at."))
    if received is not None:
        cleaned["due_at"] = received + datetime.timedelta(days=deadline_days())
    if "measure" in cleaned and "measure_reason" not in cleaned and "reason" in cleaned:
        cleaned["measure_reason"] = cleaned["reason"]


def seed_demo(on_this_node) -> int:
    """`make demo`: 24 removal requests of the demo platform `jp-platform` over publication year 2025
    (every reason, response, extension and measure), unless it has filed some; how many were filed."""
    if not on_this_node("JP") or RemovalRequest.objects.filter(platform__code="jp-platform").exists():
        return 0
    user = User.objects.filter(username="jp-platform").first()
    if user is None:
        return 0
    reasons, measures = list(codes("reasons")), list(codes("measures"))
    records = []
    for n in range(24):
        received = datetime.datetime(
            2025, 4 + n // 3, 1 + n, 9, tzinfo=datetime.timezone(datetime.timedelta(hours=9))
        )
        record: dict[str, Any] = {
            "reference": f"jp-demo-{n + 1:03d}",
            "received_at": received.isoformat(),
            "requester_type": list(codes("requester_types"))[n % 5],
            "reason": reasons[n % len(reasons)],
        }
        if n % 4 == 3:
            record.update(extended=True, extension_reason="POSTER_HEARING")
        if n % 6 == 5:
            record.update(response="NO_MEASURE", no_notification_reason="NO_CONTACT")
        elif n % 3 == 0:
            record.update(
                response="NO_MEASURE",
                responded_at=(received + datetime.timedelta(days=3 + n % 9)).isoformat(),
            )
        else:
            answered = received + datetime.timedelta(days=2 + n % 8)
            record.update(
                response="MEASURE_TAKEN",
                responded_at=answered.isoformat(),
                measure=measures[n % len(measures)],
                poster_notified_at=(answered + datetime.timedelta(hours=2)).isoformat(),
            )
        records.append(record)
    return len(file_requests(user, {"requests": records}))
