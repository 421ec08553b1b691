"""Benchmark: a platform's DSA template for a half-year (target <= 1 s over 10 million statements) and the
trends page (target <= 100 ms, cold and from the page's one-minute cache), read from the rollups, at 1
and 10 million statements (issue 18).

    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB \
        .venv/bin/python bench/platform_reports_reports.py \
        [--statements 1000000,10000000] [--days 182] [--runs 5]
    (without BENCH_DATABASE_URL: SQLite in a throwaway folder)

Reports never read the statements, so the bench does not file them: for each size it writes the
rollups (`DailyCount`, `DailyTally`, and the trends' `TrendTally` summed from them) that
`storage.update_rollups` would have written for that many statements over `--days` days (every key
combination the statements' enums allow, in every slot, as many as the day's statements fill; the
counts add up to the size), then times, as medians of `--runs`: `template.dsa_template` for the
half-year, the JSON of `/api/v1/.../dsa-template`, and the trends page (monthly by category, daily
total) through the test client, cold (the page's cache emptied before each call: the series computed
from `TrendTally`) and within `trends.CACHE_SECONDS`. Prints the rollup rows, each figure, PASS/FAIL
against its target and how each grows from the first size to the last.
"""

import argparse
import datetime
import itertools
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from platform_reports import configure  # noqa: E402

TEMPLATE_TARGET = 1.0
PAGE_TARGET = 0.1


def fill(platform_id: int, statements: int, days: int, first: datetime.date) -> tuple[int, int]:
    """Rollup rows for `statements` statements over `days` days; the rows written (`DailyCount` and
    `DailyTally`, `TrendTally`)."""
    from partnership.exchanges.platform_reports import schema
    from partnership.exchanges.platform_reports.models import DailyCount, DailyTally, TrendTally
    from partnership.exchanges.platform_reports.storage import SLOTS, TOTAL, TREND_COLUMNS, TREND_TALLIED

    categories = sorted(schema.category_set(first)["categories"])
    keys = list(
        itertools.product(
            categories,
            sorted(schema.enum_values("DECISION_GROUNDS")),
            sorted(schema.enum_values("SOURCE_TYPES")),
            (True, False),
            sorted(schema.enum_values("AUTOMATED_DECISIONS")),
            range(SLOTS),
        )
    )
    per_day = statements // days
    written = trend_written = 0
    for offset in range(days):
        day = first + datetime.timedelta(days=offset)
        n = per_day + (statements - per_day * days if offset == days - 1 else 0)
        used = keys[: min(len(keys), n)]
        each, rest = divmod(n, len(used))
        rows = [
            DailyCount(
                platform_id=platform_id,
                day=day,
                category=c,
                decision_ground=g,
                source_type=s,
                automated_detection=d,
                automated_decision=a,
                slot=slot,
                statements=each + (1 if i < rest else 0),
            )
            for i, (c, g, s, d, a, slot) in enumerate(used)
        ]
        DailyCount.objects.bulk_create(rows, batch_size=5000)
        tallies = [
            DailyTally(
                platform_id=platform_id,
                day=day,
                dimension=dim,
                value=v,
                slot=slot,
                statements=max(n // 40, 1),
            )
            for dim, values in (
                ("content_type", sorted(schema.enum_values("CONTENT_TYPES"))),
                ("territorial_scope", sorted(schema.enum_values("TERRITORIAL_SCOPE_CODES"))),
            )
            for v in values
            for slot in range(SLOTS)
        ]
        DailyTally.objects.bulk_create(tallies, batch_size=5000)
        # What update_rollups adds to TrendTally for the same statements: the counts by each column and
        # in all, and the two tallied lists, per slot.
        trend: Counter = Counter()
        for row in rows:
            trend[(TOTAL, "", row.slot)] += row.statements
            for column in TREND_COLUMNS:
                trend[(column, getattr(row, column), row.slot)] += row.statements
        for tally in tallies:
            if tally.dimension in TREND_TALLIED:
                trend[(tally.dimension, tally.value, tally.slot)] += tally.statements
        trend_rows = [
            TrendTally(platform_id=platform_id, day=day, dimension=dim, value=v, slot=slot, statements=n)
            for (dim, v, slot), n in sorted(trend.items())
        ]
        TrendTally.objects.bulk_create(trend_rows, batch_size=5000)
        written += len(rows) + len(tallies)
        trend_written += len(trend_rows)
    return written, trend_written


def cold(client, url: str):
    """The page with its series computed (the trends cache emptied first)."""
    from django.core.cache import cache

    cache.clear()
    return client.get(url)


def median_time(call, runs: int) -> float:
    call()  # warm
    timings = []
    for _n in range(runs):
        began = time.perf_counter()
        call()
        timings.append(time.perf_counter() - began)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", default="1000000,10000000")
    parser.add_argument("--days", type=int, default=182)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args(argv)
    sizes = [int(size) for size in options.statements.split(",")]
    first = datetime.date(2025, 7, 1)
    last = first + datetime.timedelta(days=options.days - 1)
    with tempfile.TemporaryDirectory(prefix="bench-platform-reports-") as folder:
        configure(Path(folder))
        from django.core.management import call_command
        from django.db import connection
        from django.test import Client

        from partnership.exchanges.platform_reports import template
        from partnership.people.models import Organisation, Party
        from partnership.programme.loader import load_programme

        call_command("migrate", interactive=False, verbosity=0)
        load_programme()
        print(f"database: {connection.vendor}; {options.days} days from {first}; medians of {options.runs}")
        results = []
        for size in sizes:
            code = f"bench-{size}-{int(time.time())}"
            organisation = Organisation.objects.create(
                code=code, party=Party.objects.get(code="EU"), kind=Organisation.Kind.PLATFORM, name_en=code
            )
            began = time.perf_counter()
            rows, trend_rows = fill(organisation.pk, size, options.days, first)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(
                        "ANALYZE platform_reports_dailycount; ANALYZE platform_reports_dailytally; "
                        "ANALYZE platform_reports_trendtally"
                    )
            print(
                f"{size:,} statements: {rows:,} DailyCount/DailyTally rows, {trend_rows:,} TrendTally rows "
                f"written in {time.perf_counter() - began:.0f} s"
            )
            client = Client()
            figures = {
                "DSA template, half-year (template.dsa_template)": median_time(
                    lambda code=code: template.dsa_template(None, code, first, last), options.runs
                ),
                "DSA template XLSX (API)": median_time(
                    lambda code=code, client=client: client.get(
                        f"/api/v1/platform-reports/platforms/{code}/dsa-template",
                        {"start": first.isoformat(), "end": last.isoformat(), "format": "xlsx"},
                    ),
                    options.runs,
                ),
                "trends page, monthly by category, cold (series computed)": median_time(
                    lambda code=code, client=client: cold(
                        client,
                        f"/en/platform-reports/trends/?platform={code}&dimension=category&start={first}&end={last}",
                    ),
                    options.runs,
                ),
                "trends page, daily total, cold (series computed)": median_time(
                    lambda code=code, client=client: cold(
                        client,
                        f"/en/platform-reports/trends/?platform={code}&frequency=daily&start={first}&end={last}",
                    ),
                    options.runs,
                ),
                "trends page, monthly by category, within trends.CACHE_SECONDS": median_time(
                    lambda code=code, client=client: client.get(
                        f"/en/platform-reports/trends/?platform={code}&dimension=category&start={first}&end={last}"
                    ),
                    options.runs,
                ),
                "trends page, daily total, within trends.CACHE_SECONDS": median_time(
                    lambda code=code, client=client: client.get(
                        f"/en/platform-reports/trends/?platform={code}&frequency=daily&start={first}&end={last}"
                    ),
                    options.runs,
                ),
            }
            for name, seconds in figures.items():
                target = TEMPLATE_TARGET if name.startswith("DSA") else PAGE_TARGET
                verdict = "PASS" if seconds <= target else "FAIL"
                print(f"  {name}: {seconds * 1000:.1f} ms (target {target * 1000:.0f} ms) {verdict}")
            results.append(figures)
        if len(results) > 1:
            print(f"growth from {sizes[0]:,} to {sizes[-1]:,} statements:")
            for name in results[0]:
                print(f"  {name}: x{results[-1][name] / results[0][name]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
