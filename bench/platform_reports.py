"""Benchmark: statements of reasons ingested through the API in batches of 100 (issue 18, "Performance":
at least 5,000 statements per second sustained over 1 million, with the ratio to a bare COPY).

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB .venv/bin/python bench/platform_reports.py \
        [--statements 100000] [--copy 20000] [--clients 1]
    (without BENCH_DATABASE_URL: SQLite in a throwaway folder, and no COPY to compare with)

Files `--statements` generated statements (valid, spread over both category sets) as one platform,
`POST /api/v1/platform-reports/statements` with a bearer token, 100 per call, through Django's test
client: the whole request stack (middleware, token, JSON, every rule, the puid check, COPY into the
day's partition, the rollups' upserts) without a socket or a WSGI server, in one process, with
`--clients` calls at once (threads, each with its own database connection, as a server's workers
would have). Prints the rate of each tenth of the run (so how it holds as the tables grow), the median of
those, and the rate of a bare COPY of `--copy` of the same rows (as stored) into a scratch copy of the
statements table with its indexes: the ratio is what validation, uniqueness and rollups cost.
Prints PASS/FAIL against 5,000 statements per second; exits 0 either way.
"""

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

TARGET = 5_000
BATCH = 100


def configure(data_dir: Path) -> None:
    """Point the settings at a throwaway data directory (SQLite unless BENCH_DATABASE_URL) first."""
    os.environ["PARTNERSHIP_DATA_DIR"] = str(data_dir)
    os.environ.pop("PARTNERSHIP_DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["PARTNERSHIP_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ["PARTNERSHIP_DEBUG"] = "false"
    os.environ["PARTNERSHIP_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnership.settings"
    import django

    django.setup()


def platform_token(tag: str) -> tuple[str, int]:
    """A platform organisation of the EU with an account and its bearer token (new for each run)."""
    from partnership.people.models import Organisation, Party
    from partnership.people.services import create_member, create_token

    organisation = Organisation.objects.create(
        code=f"bench-platform-{tag}",
        party=Party.objects.get(code="EU"),
        kind=Organisation.Kind.PLATFORM,
        name_en=f"Bench platform {tag}",
    )
    user = create_member(f"bench-platform-{tag}", "bench-password-not-secret", organisation, "platform")
    return "Bearer " + create_token(user, "bench")[1], organisation.pk


def bare_copy(statements: list[dict], platform_id: int) -> float | None:
    """Rows per second of COPY of `statements` (as stored) into a scratch table like the statements
    table (its columns and indexes), on PostgreSQL; None elsewhere."""
    from django.db import connection
    from django.utils import timezone

    from partnership.exchanges.platform_reports import storage
    from partnership.exchanges.platform_reports.validation import validate

    if connection.vendor != "postgresql":
        return None
    now = timezone.now()
    rows = [
        storage.Row(
            uuid=storage.new_uuid(now), platform_id=platform_id, received_at=now, content=validate(s)[0]
        )
        for s in statements
    ]
    values = [(*row.values(), json.dumps(row.content, ensure_ascii=False)) for row in rows]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_statement_copy")
        cursor.execute("CREATE TABLE bench_statement_copy (LIKE platform_reports_statement INCLUDING ALL)")
    started = time.perf_counter()
    for start in range(0, len(values), BATCH):
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY bench_statement_copy ({', '.join(storage.STATEMENT_COLUMNS)}) FROM STDIN"
            ) as copy,
        ):
            for value in values[start : start + BATCH]:
                copy.write_row(value)
    elapsed = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE bench_statement_copy")
    return len(values) / elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=100_000)
    parser.add_argument("--copy", type=int, default=20_000, help="rows of the bare COPY to compare with")
    parser.add_argument("--clients", type=int, default=1, help="calls at once (threads)")
    options = parser.parse_args(argv)
    total = options.statements - options.statements % BATCH
    with tempfile.TemporaryDirectory(prefix="bench-platform-reports-") as folder:
        configure(Path(folder))
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from partnership.exchanges.platform_reports import samples
        from partnership.programme.loader import load_programme

        call_command("migrate", interactive=False, verbosity=0)
        load_programme()
        tag = str(int(time.time()))
        token, platform_id = platform_token(tag)
        print(
            f"database: {connection.vendor}; {total:,} statements in batches of {BATCH}, "
            f"{options.clients} call(s) at once"
        )
        pool = ThreadPoolExecutor(max_workers=options.clients)
        clients = threading.local()

        def send(body: bytes) -> int:
            if not hasattr(clients, "client"):
                clients.client = Client()
            return clients.client.post(
                "/api/v1/platform-reports/statements",
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=token,
            ).status_code

        tenth = max(total // 10 // BATCH, 1) * BATCH
        rates: list[float] = []
        filed = 0
        all_started = time.perf_counter()
        while filed < total:
            # Generated and encoded before the clock starts: the client's work is not the server's.
            size = min(tenth, total - filed)
            chunk = samples.statements(size, seed=filed, prefix=f"bench-{tag}-{filed}", days=365)
            bodies = [
                json.dumps({"statements": chunk[start : start + BATCH]}).encode()
                for start in range(0, size, BATCH)
            ]
            started = time.perf_counter()
            answers = list(pool.map(send, bodies))
            if set(answers) != {201}:
                print(f"refused: {sorted(set(answers))}")
                return 1
            elapsed = time.perf_counter() - started
            filed += size
            rates.append(size / elapsed)
            print(f"  {filed:>10,} filed: {size / elapsed:>8,.0f} statements/s over the last {size:,}")
        overall = filed / (time.perf_counter() - all_started)
        median = statistics.median(rates)
        print(
            f"median of the tenths: {median:,.0f} statements/s; "
            f"first tenth {rates[0]:,.0f}, last {rates[-1]:,.0f}"
        )
        copy_rate = bare_copy(samples.statements(options.copy, seed=-1, prefix=f"copy-{tag}"), platform_id)
        if copy_rate is None:
            print("bare COPY: not on SQLite (set BENCH_DATABASE_URL for PostgreSQL)")
        else:
            print(
                f"bare COPY of {options.copy:,} of the same rows, batches of {BATCH}: "
                f"{copy_rate:,.0f} rows/s; "
                f"the API runs at {median / copy_rate:.0%} of it (x{copy_rate / median:.1f})"
            )
        print(f"overall (with generating the statements): {overall:,.0f} statements/s")
        verdict = "PASS" if median >= TARGET else "FAIL"
        print(
            f"{verdict}: {median:,.0f} statements/s through the API against the target {TARGET:,} (issue 18)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
