"""Writing statements in bulk: COPY on PostgreSQL, `bulk_create` on SQLite; the day's partition made
before; the rollups updated in the same transaction with one upsert per table.

Called by `services.file_statements` only, inside its transaction, after every rule has passed.
"""

from __future__ import annotations

import datetime
import json
import os
import secrets
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import psycopg
from django.db import IntegrityError, ProgrammingError, connection, transaction

from .models import DailyCount, DailyTally, Statement, StatementPuid, TrendTally

#: The list fields counted per value in `DailyTally` (the scalar ones are `DailyCount`'s key).
TALLIED = (
    "content_type",
    "territorial_scope",
    "decision_visibility",
    "decision_monetary",
    "decision_provision",
    "decision_account",
    "account_type",
    "category_addition",
    "category_specification",
    "content_language",
)

#: The tally of days from content_date to application_date (the value is the number of days).
DAYS_TO_DECISION = "days_to_decision"

STATEMENT_COLUMNS = (
    "uuid",
    "platform_id",
    "puid",
    "received_at",
    "received_on",
    "application_date",
    "content_date",
    "category",
    "decision_ground",
    "source_type",
    "automated_detection",
    "automated_decision",
    "content",
)


def new_uuid(at: datetime.datetime) -> uuid.UUID:
    """A version-7 UUID (RFC 9562): 48 bits of Unix milliseconds of `at`, then random bits."""
    milliseconds = int(at.timestamp() * 1000)
    raw = bytearray(milliseconds.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(raw))


def received_day(statement_uuid: uuid.UUID) -> datetime.date | None:
    """The UTC day a statement of this uuid was received (its partition), or None if not version 7."""
    if statement_uuid.version != 7:
        return None
    milliseconds = int.from_bytes(statement_uuid.bytes[:6], "big")
    return datetime.datetime.fromtimestamp(milliseconds / 1000, tz=datetime.UTC).date()


@dataclass(frozen=True)
class Row:
    """A checked statement ready to store."""

    uuid: uuid.UUID
    platform_id: int
    received_at: datetime.datetime
    content: dict[str, Any]

    def values(self) -> tuple[Any, ...]:
        content = self.content
        return (
            self.uuid,
            self.platform_id,
            content["puid"],
            self.received_at,
            self.received_at.date(),
            datetime.date.fromisoformat(content["application_date"]),
            datetime.date.fromisoformat(content["content_date"]),
            content["category"],
            content["decision_ground"],
            content["source_type"],
            content["automated_detection"] == "Yes",
            content["automated_decision"],
        )


def partition_name(day: datetime.date) -> str:
    return f"platform_reports_statement_p{day:%Y%m%d}"


#: The days whose partition this process has seen exist (per database alias). A filing is always
#: written to the partition of the day it arrives, and a day's partition is only ever detached once the
#: day is over (archived whole: docs/scaling.md), so a day seen once stays there for every later batch
#: of that day: the catalogue is asked once a day per process, not once a batch.
_known_partitions: set[tuple[str, datetime.date]] = set()


def ensure_partition(day: datetime.date) -> None:
    """On PostgreSQL, the partition of `day` exists (one catalogue lookup the first time a process
    writes the day, none after)."""
    if connection.vendor != "postgresql":
        return
    if (connection.alias, day) in _known_partitions:
        return
    _ensure_partition(day)
    if not connection.in_atomic_block:
        # Committed (the service calls this outside its transaction): a partition made inside a
        # transaction that may still roll back (a test's) is not remembered.
        _known_partitions.add((connection.alias, day))


def _ensure_partition(day: datetime.date) -> None:
    name = partition_name(day)
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [name])
        if cursor.fetchone()[0] is not None:
            return
    try:
        # Its own transaction (a savepoint inside a caller's): the first batches of a day may race
        # here, and the loser's "already exists" must not spoil anything else.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF platform_reports_statement "
                "FOR VALUES FROM (%s) TO (%s)",
                [day.isoformat(), (day + datetime.timedelta(days=1)).isoformat()],
            )
    except (ProgrammingError, IntegrityError):
        with connection.cursor() as cursor:
            cursor.execute("SELECT to_regclass(%s)", [name])
            if cursor.fetchone()[0] is None:
                raise


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """COPY `rows` into `table` through psycopg's copy (PostgreSQL only)."""
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def write(rows: Sequence[Row]) -> None:
    """Store checked statements, claim their puids and count them into the rollups, inside the
    caller's transaction (their partition exists: `ensure_partition`). IntegrityError (or psycopg's
    UniqueViolation) when a puid is taken, also by a batch committed while this one waited.

    On PostgreSQL, two round trips: the statements by COPY, then the puids and the three rollups'
    upserts sent together (psycopg's pipeline: four statements, one round trip, each value bound in
    binary as one array per column). SQLite: `bulk_create` and one upsert per table."""
    if connection.vendor != "postgresql":
        insert_puids(rows)
        insert_statements(rows)
        update_rollups(rows)
        return
    insert_statements(rows)
    commands = [_puid_command(rows), *(_upsert_command(*found) for found in rollups(rows))]
    raw = _raw_connection()
    with psycopg.Cursor(raw) as cursor, raw.pipeline():
        for sql, params in commands:
            if sql:
                cursor.execute(sql, params)


def _raw_connection() -> Any:
    """psycopg's connection under Django's (whose cursors bind on the client, in text)."""
    connection.ensure_connection()
    return connection.connection


def insert_puids(rows: Sequence[Row]) -> None:
    """Claim each row's puid for its platform; IntegrityError (or psycopg's UniqueViolation) when one
    is taken, also by a batch committed while this one waited."""
    if connection.vendor == "postgresql":
        sql, params = _puid_command(rows)
        with psycopg.Cursor(_raw_connection()) as cursor:
            cursor.execute(sql, params)
        return
    StatementPuid.objects.bulk_create(
        StatementPuid(platform_id=row.platform_id, puid=row.content["puid"], statement=row.uuid)
        for row in rows
    )


def _puid_command(rows: Sequence[Row]) -> tuple[str, list[Any]]:
    """The INSERT claiming the rows' puids (PostgreSQL, server-side binding: `%b` binary arrays)."""
    return (
        f"INSERT INTO {StatementPuid._meta.db_table} (platform_id, puid, statement) "  # noqa: S608
        "SELECT * FROM unnest(%b::bigint[], %b::varchar[], %b::uuid[])",
        [
            [row.platform_id for row in rows],
            [row.content["puid"] for row in rows],
            [row.uuid for row in rows],
        ],
    )


def insert_statements(rows: Sequence[Row]) -> None:
    """Store the statements (their partition exists: `ensure_partition`)."""
    if connection.vendor == "postgresql":
        _copy(
            Statement._meta.db_table,
            STATEMENT_COLUMNS,
            ((*row.values(), json.dumps(row.content, ensure_ascii=False)) for row in rows),
        )
        return
    Statement.objects.bulk_create(
        Statement(**dict(zip(STATEMENT_COLUMNS, (*row.values(), row.content), strict=True))) for row in rows
    )


Key = Sequence[tuple[str, str]]


def _upsert_command(table: str, key: Key, counted: Counter) -> tuple[str, list[Any]]:
    """The upsert adding `counted` ({key values: n}) to `table`'s `statements`, one statement for all
    rows; `key` is (column, PostgreSQL type) pairs; ("", []) when there is nothing to add.

    Rows go in key order, so two batches that touch the same rows lock them in the same order and
    cannot deadlock. On PostgreSQL the rows travel as one array per column (`unnest`), bound in
    binary (`%b`, a server-side cursor): a handful of parameters whatever the batch, and no quoting
    of each value into the query's text. On SQLite, a VALUES list (`%s`, Django's cursor).
    """
    if not counted:
        return "", []
    # Each key position holds one type (an int, a date, a text, a bool), so the keys sort as they are.
    items = sorted(counted.items())
    names = [name for name, _type in key]
    conflict = (
        f"ON CONFLICT ({', '.join(names)}) "
        f"DO UPDATE SET statements = {table}.statements + excluded.statements"
    )
    columns = ", ".join([*names, "statements"])
    # Table, column and type names are this module's constants; every value is a parameter.
    if connection.vendor == "postgresql":
        arrays = ", ".join(f"%b::{kind}[]" for _name, kind in (*key, ("statements", "bigint")))
        sql = f"INSERT INTO {table} ({columns}) SELECT * FROM unnest({arrays}) {conflict}"  # noqa: S608
        params: list[Any] = [[values[i] for values, _n in items] for i in range(len(key))]
        params.append([n for _values, n in items])
        return sql, params
    one = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(items))} {conflict}"  # noqa: S608
    return sql, [value for values, n in items for value in (*values, n)]


def _upsert(table: str, key: Key, counted: Counter) -> None:
    """Run `_upsert_command` (PostgreSQL: on psycopg's server-side binding cursor)."""
    sql, params = _upsert_command(table, key, counted)
    if not sql:
        return
    if connection.vendor == "postgresql":
        with psycopg.Cursor(_raw_connection()) as cursor:
            cursor.execute(sql, params)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def taken_puids(platform_id: int, puids: Sequence[str]) -> set[str]:
    """Which of `puids` the platform has filed already (one query; an array parameter on PostgreSQL)."""
    if not puids:
        return set()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT puid FROM {StatementPuid._meta.db_table} "  # noqa: S608
                "WHERE platform_id = %s AND puid = ANY(%s::varchar[])",
                [platform_id, list(puids)],
            )
            return {row[0] for row in cursor.fetchall()}
    return set(
        StatementPuid.objects.filter(platform_id=platform_id, puid__in=list(puids)).values_list(
            "puid", flat=True
        )
    )


#: `TrendTally`'s dimensions: the whole count, `DailyCount`'s columns and two of the tallied lists.
TOTAL = "total"
TREND_COLUMNS = ("category", "decision_ground", "source_type", "automated_decision")
TREND_TALLIED = ("content_type", "territorial_scope")

#: Rollup rows per key that concurrent batches spread over (`DailyCount.slot`).
SLOTS = 8


DAILY_COUNT_KEY: Key = (
    ("platform_id", "bigint"),
    ("day", "date"),
    ("category", "varchar"),
    ("decision_ground", "varchar"),
    ("source_type", "varchar"),
    ("automated_detection", "boolean"),
    ("automated_decision", "varchar"),
    ("slot", "smallint"),
)
DAILY_TALLY_KEY: Key = (
    ("platform_id", "bigint"),
    ("day", "date"),
    ("dimension", "varchar"),
    ("value", "varchar"),
    ("slot", "smallint"),
)
TREND_TALLY_KEY: Key = (
    ("dimension", "varchar"),
    ("platform_id", "bigint"),
    ("day", "date"),
    ("value", "varchar"),
    ("slot", "smallint"),
)


def rollups(rows: Sequence[Row]) -> list[tuple[str, Key, Counter]]:
    """The rows counted for `DailyCount`, `DailyTally` and `TrendTally` (table, key, {key values: n}),
    in one slot chosen at random: what `update_rollups` adds."""
    counts: Counter = Counter()
    tallies: Counter = Counter()
    trend: Counter = Counter()
    slot = secrets.randbelow(SLOTS)
    for row in rows:
        values = row.values()
        platform_id, day = values[1], values[5]
        counts[(platform_id, day, *values[7:12], slot)] += 1
        trend[(TOTAL, platform_id, day, "", slot)] += 1
        for dimension, value in zip(
            TREND_COLUMNS, (values[7], values[8], values[9], values[11]), strict=True
        ):
            trend[(dimension, platform_id, day, value, slot)] += 1
        for field in TALLIED:
            found = row.content.get(field)
            if found is None:
                continue
            for value in set(found) if isinstance(found, list) else {found}:
                tallies[(platform_id, day, field, value, slot)] += 1
                if field in TREND_TALLIED:
                    trend[(field, platform_id, day, value, slot)] += 1
        # Days from the content's posting to the decision (negative when a platform dates them so),
        # for the median of the indicators without reading the statements again.
        tallies[(platform_id, day, DAYS_TO_DECISION, str((day - values[6]).days), slot)] += 1
    return [
        (DailyCount._meta.db_table, DAILY_COUNT_KEY, counts),
        (DailyTally._meta.db_table, DAILY_TALLY_KEY, tallies),
        (TrendTally._meta.db_table, TREND_TALLY_KEY, trend),
    ]


def update_rollups(rows: Sequence[Row]) -> None:
    """Count the rows into `DailyCount`, `DailyTally` and `TrendTally`, one upsert per table."""
    for table, key, counted in rollups(rows):
        _upsert(table, key, counted)
