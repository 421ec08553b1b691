"""Benchmark: server time of the dashboard and the action page, and API throughput, on ten years of history.

    make bench        # or: .venv/bin/python bench/pages.py [--requests 50] [--api-requests 2000]

Builds a throwaway SQLite database in a temporary data directory, loads the programme, creates the
members of every role and writes a large history straight into the tables with `bulk_create` (the
services would take minutes, and the rules they enforce are not what is measured here):

- 10 yearly cycles x every joint action x 2 parties x 12 versions per cycle = 9,120 progress updates;
- 1,000 indicators spread over the actions and parties (one action holds a triple share, so the
  "heavy" action page shows what the page costs when indicators pile up), each with 120 monthly values;
- a few hundred deliverables, some of them overdue, and a few comments per action.

It then measures, in one process and side by side, the server time of the pages as the
jp-secretariat sees them (Django's test Client: the whole middleware stack, templates included, no
network), their SQL query counts, and the throughput of `GET /api/v1/actions` for an anonymous reader.
It prints the figures against their targets and exits 0 whether they pass or not.
"""

import argparse
import datetime
import os
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

YEARS = 10
VERSIONS_PER_PERIOD = 12
INDICATOR_COUNT = 1000
VALUES_PER_INDICATOR = 12 * YEARS
DELIVERABLE_COUNT = 300
COMMENTS_PER_ACTION = 5
HEAVY_SHARE = 3  # the heavy action's share of the indicators, in multiples of an ordinary action's
SEED = 20220512  # the day the partnership was launched: the same data on every run
PASSWORD = "bench-password-not-secret"

# name: (organisation code, role), as in tests/conftest.py
MEMBERS = {
    "jp-secretariat": ("jp-digital-agency", "secretariat"),
    "eu-secretariat": ("eu-dg-connect", "secretariat"),
    "jp-lead": ("jp-mic", "action_lead"),
    "eu-lead": ("eu-dg-grow", "action_lead"),
    "jp-stakeholder": ("jp-jbce", "stakeholder"),
    "eu-stakeholder": ("eu-ebc", "stakeholder"),
    "eu-member-state": ("eu-member-states", "member_state"),
}

TARGET_PAGE_MEDIAN_MS = 30.0
TARGET_PAGE_P95_MS = 60.0
TARGET_PAGE_QUERIES = 15
TARGET_API_PER_SECOND = 400.0


def configure(data_dir: Path) -> None:
    """Point the settings at a throwaway data directory (SQLite) before Django reads them."""
    os.environ["PARTNERSHIP_DATA_DIR"] = str(data_dir)
    os.environ.pop("PARTNERSHIP_DATABASE_URL", None)
    os.environ["PARTNERSHIP_DEBUG"] = "false"
    # The test Client sends Host: testserver.
    os.environ["PARTNERSHIP_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnership.settings"
    import django

    django.setup()


@contextmanager
def timestamps_as_given(*fields) -> Iterator[None]:
    """Let bulk_create store the created/updated times we give instead of now (history has a past)."""
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    try:
        for field in fields:
            field.auto_now = field.auto_now_add = False
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _months_back(today: datetime.date, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """The `count` calendar months up to and including this one, oldest first, as (start, end)."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        start = datetime.date(year, month, 1)
        following = datetime.date(year + month // 12, month % 12 + 1, 1)
        months.append((start, following - datetime.timedelta(days=1)))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def build_history(rng: random.Random) -> None:
    """Write the large history with bulk_create."""
    from django.contrib.auth.models import User
    from django.db import transaction
    from django.utils import timezone

    from partnership.demo import MECHANISMS, NARRATIVE_EN, NARRATIVE_JA
    from partnership.people.models import Organisation, Party
    from partnership.programme.models import (
        Comment,
        Deliverable,
        Indicator,
        IndicatorValue,
        JointAction,
        ProgressUpdate,
        current_period,
    )

    now = timezone.now()
    today = now.date()
    actions = list(JointAction.objects.order_by("paragraph"))
    parties = {party.code: party for party in Party.objects.all()}
    authors = {
        "JP": (
            User.objects.get(username="jp-secretariat"),
            Organisation.objects.get(code="jp-digital-agency"),
        ),
        "EU": (User.objects.get(username="eu-secretariat"), Organisation.objects.get(code="eu-dg-connect")),
    }
    languages = {"JP": ("ja", NARRATIVE_JA), "EU": ("en", NARRATIVE_EN)}
    statuses = [choice.value for choice in ProgressUpdate.Status]
    periods = range(current_period() - YEARS + 1, current_period() + 1)

    with transaction.atomic():
        updates = []
        for action in actions:
            for code, (author, organisation) in authors.items():
                language, texts = languages[code]
                for period in periods:
                    start = datetime.datetime(period, 1, 1, tzinfo=datetime.UTC)
                    end = min(datetime.datetime(period + 1, 1, 1, tzinfo=datetime.UTC), now)
                    for version in range(1, VERSIONS_PER_PERIOD + 1):
                        text = rng.choice(texts).format(mechanism=rng.choice(MECHANISMS))
                        updates.append(
                            ProgressUpdate(
                                action=action,
                                party=parties[code],
                                period=period,
                                version=version,
                                status=rng.choices(statuses, weights=[6, 2, 1, 1])[0],
                                narrative=text,
                                language=language,
                                author=author,
                                organisation=organisation,
                                created_at=start + (end - start) * ((version - 0.5) / VERSIONS_PER_PERIOD),
                            )
                        )
        with timestamps_as_given(ProgressUpdate._meta.get_field("created_at")):
            ProgressUpdate.objects.bulk_create(updates, batch_size=1000)

        heavy = rng.choice(actions)
        weights = [HEAVY_SHARE if action is heavy else 1 for action in actions]
        indicators = []
        for number in range(INDICATOR_COUNT):
            code = "JP" if number % 2 == 0 else "EU"
            language = languages[code][0]
            indicators.append(
                Indicator(
                    action=rng.choices(actions, weights=weights)[0],
                    party=parties[code],
                    organisation=authors[code][1],
                    title=(
                        f"指標 {number}：専門家会合の開催数" if language == "ja" else f"Indicator {number}"
                    ),
                    language=language,
                    unit=rng.choice(["meetings", "organisations", "percent", "alerts"]),
                    baseline_value=Decimal(rng.randint(0, 50)),
                    baseline_year=periods[0] - 1,
                    target_value=Decimal(rng.randint(60, 200)),
                    target_date=datetime.date(periods[-1] + 2, 12, 31),
                )
            )
        Indicator.objects.bulk_create(indicators, batch_size=1000)

        months = _months_back(today, VALUES_PER_INDICATOR)
        batch: list = []
        for indicator in Indicator.objects.only("id", "party_id", "baseline_value"):
            recorder = authors["JP" if indicator.party_id == parties["JP"].pk else "EU"][0]
            level = float(indicator.baseline_value)
            for start, end in months:
                level = max(0.0, level + rng.uniform(-1.0, 2.0))
                batch.append(
                    IndicatorValue(
                        indicator=indicator,
                        period_start=start,
                        period_end=end,
                        value=Decimal(f"{level:.2f}"),
                        source="secretariat records",
                        recorded_by=recorder,
                    )
                )
            if len(batch) >= 10000:
                IndicatorValue.objects.bulk_create(batch, batch_size=2000)
                batch = []
        IndicatorValue.objects.bulk_create(batch, batch_size=2000)

        first_day = datetime.date(periods[0], 1, 1)
        horizon = (today + datetime.timedelta(days=730) - first_day).days
        deliverables = []
        for number in range(DELIVERABLE_COUNT):
            code = "JP" if number % 2 == 0 else "EU"
            due = first_day + datetime.timedelta(days=rng.randint(0, horizon))
            by_cycle = number % 10 == 0
            changed = now - datetime.timedelta(days=rng.randint(0, 365 * YEARS), minutes=number)
            deliverables.append(
                Deliverable(
                    action=rng.choice(actions),
                    party=parties[code],
                    organisation=authors[code][1],
                    title=f"Deliverable {number}: joint report",
                    language=languages[code][0],
                    due_date=None if by_cycle else due,
                    due_period=due.year if by_cycle else None,
                    status=rng.choices([choice.value for choice in Deliverable.Status], weights=[3, 3, 5, 1])[
                        0
                    ],
                    created_at=changed,
                    updated_at=changed,
                )
            )
        with timestamps_as_given(
            Deliverable._meta.get_field("created_at"), Deliverable._meta.get_field("updated_at")
        ):
            Deliverable.objects.bulk_create(deliverables, batch_size=1000)

        commenters = list(User.objects.filter(username__in=["eu-member-state", "jp-stakeholder"]))
        comments = [
            Comment(
                action=action,
                author=author,
                organisation=author.membership.organisation,
                body="Member States would welcome a briefing before the Council.",
                language="en",
            )
            for action in actions
            for author in commenters
            for _ in range(COMMENTS_PER_ACTION)
        ]
        Comment.objects.bulk_create(comments, batch_size=1000)


def prepare() -> int:
    """Migrate, load the programme, create members, build the history; return the heavy paragraph."""
    from django.core.management import call_command
    from django.db.models import Count

    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from partnership.programme.loader import load_programme
    from partnership.programme.models import JointAction

    call_command("migrate", interactive=False, verbosity=0)
    load_programme()
    for username, (code, role) in MEMBERS.items():
        create_member(username, PASSWORD, Organisation.objects.get(code=code), role)
    build_history(random.Random(SEED))
    heaviest = (
        JointAction.objects.annotate(n=Count("indicators"))
        .order_by("-n", "paragraph")
        .values_list("paragraph", flat=True)
    )[0]
    return heaviest


@dataclass
class PageFigures:
    """Server time and queries of one page."""

    url: str
    times_ms: list[float]
    queries: int
    size_bytes: int

    @property
    def median(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.times_ms, n=100, method="inclusive")[94]


def _fixed_work() -> float:
    """Milliseconds a fixed, CPU-only piece of Python takes now: a yardstick for the host's speed."""
    start = time.perf_counter()
    total = 0
    for number in range(100_000):
        total += number * number % 7
    return (time.perf_counter() - start) * 1000


def measure_pages(
    client, urls: list[str], requests: int, warmup: int = 5
) -> tuple[list[PageFigures], list[float]]:
    """Time `requests` GETs of each URL after a warm-up; count the queries of one more of each.

    The pages take turns, request by request, so that a busy moment of the machine falls on all of
    them alike instead of on whichever was being measured; each round also times a fixed piece of
    work, returned beside the figures, to show how steady the host's speed was.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls:
        for _ in range(warmup):
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}; the benchmark cannot go on")
    times: dict[str, list[float]] = {url: [] for url in urls}
    yardstick = []
    for _ in range(requests):
        for url in urls:
            start = time.perf_counter()
            client.get(url)
            times[url].append((time.perf_counter() - start) * 1000)
        yardstick.append(_fixed_work())
    figures = []
    for url in urls:
        # Counted apart: capturing queries slows them down, and the timings should not pay for it.
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        figures.append(PageFigures(url, times[url], len(captured.captured_queries), len(response.content)))
    return figures, yardstick


def measure_api(client, url: str, requests: int) -> tuple[float, float, int]:
    """Requests per second of sequential GETs of `url` in this process, their median latency, queries."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(20):
        if client.get(url).status_code != 200:
            raise SystemExit(f"{url} did not answer 200; the benchmark cannot go on")
    times = []
    begin = time.perf_counter()
    for _ in range(requests):
        start = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - start) * 1000)
    elapsed = time.perf_counter() - begin
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return requests / elapsed, statistics.median(times), len(captured.captured_queries)


def _load() -> str:
    """The 1, 5 and 15-minute load averages: other work on the machine moves every figure."""
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def _cpu_seconds() -> tuple[float, float] | None:
    """Busy CPU seconds of the whole machine and of this process so far (Linux), or None elsewhere."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:9]
    except (OSError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(value) for value in fields)
    busy = (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")
    own = os.times().user + os.times().system
    return busy, own


def machine_context() -> list[tuple[str, str]]:
    """What the figures were measured on."""
    import django
    from django.db import connection

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [
        ("cores", f"{os.cpu_count()} ({cpu})"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("database", f"{connection.vendor} (throwaway file, WAL)"),
        ("platform", platform.platform()),
        ("load average", _load()),
    ]


def data_sizes(heavy: int) -> list[tuple[str, str]]:
    """How much history the pages had to read."""
    from partnership.programme.models import (
        Comment,
        Deliverable,
        Indicator,
        IndicatorValue,
        JointAction,
        ProgressUpdate,
        current_period,
    )
    from partnership.programme.queries import overdue_deliverables

    def on(paragraph: int) -> str:
        indicators = Indicator.objects.filter(action__paragraph=paragraph).count()
        values = IndicatorValue.objects.filter(indicator__action__paragraph=paragraph).count()
        updates = ProgressUpdate.objects.filter(action__paragraph=paragraph).count()
        return f"{indicators} indicators, {values:,} values, {updates} updates"

    return [
        ("joint actions", f"{JointAction.objects.count()}"),
        ("cycles", f"{YEARS} ({current_period() - YEARS + 1}-{current_period()})"),
        ("progress updates", f"{ProgressUpdate.objects.count():,}"),
        ("indicators", f"{Indicator.objects.count():,}"),
        ("indicator values", f"{IndicatorValue.objects.count():,}"),
        ("deliverables", f"{Deliverable.objects.count():,} ({overdue_deliverables().count()} overdue)"),
        ("comments", f"{Comment.objects.count():,}"),
        ("action 46", on(46)),
        (f"action {heavy} (heavy)", on(heavy)),
    ]


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...] | None = None) -> str:
    lines = ([header] if header else []) + rows
    widths = [max(len(str(line[column])) for line in lines) for column in range(len(lines[0]))]
    out = []
    for number, line in enumerate(lines):
        out.append("  ".join(str(cell).ljust(width) for cell, width in zip(line, widths, strict=True)))
        if header and number == 0:
            out.append("  ".join("-" * width for width in widths))
    return "\n".join("  " + line.rstrip() for line in out)


def run(requests: int, api_requests: int) -> bool:
    """Prepare, measure, print; return whether every figure meets its target."""
    from django.contrib.auth.models import User
    from django.test import Client

    print("Preparing a throwaway database...", flush=True)
    started = time.perf_counter()
    heavy = prepare()
    print(f"  prepared in {time.perf_counter() - started:.1f} s\n")

    print("Machine")
    print(_table(machine_context()))
    print("\nData")
    print(_table(data_sizes(heavy)))

    member = Client()
    member.force_login(User.objects.get(username="jp-secretariat"))
    names = ["dashboard", "action page 46", f"action page {heavy} (heavy)"]
    urls = ["/en/dashboard/", "/en/actions/46/", f"/en/actions/{heavy}/"]
    cpu_before, wall_before = _cpu_seconds(), time.perf_counter()
    figures, yardstick = measure_pages(member, urls, requests)
    pages = list(zip(names, figures, strict=True))
    per_second, api_median, api_queries = measure_api(Client(), "/api/v1/actions", api_requests)
    cpu_after, wall = _cpu_seconds(), time.perf_counter() - wall_before

    rows: list[tuple[str, ...]] = []
    passed = True

    def judge(figure: str, measured: float, shown: str, target: float, target_shown: str, higher: bool):
        nonlocal passed
        ok = measured >= target if higher else measured <= target
        passed = passed and ok
        rows.append((figure, shown, target_shown, "PASS" if ok else "FAIL"))

    for name, page in pages:
        judge(
            f"{name}: median",
            page.median,
            f"{page.median:.1f} ms",
            TARGET_PAGE_MEDIAN_MS,
            f"<= {TARGET_PAGE_MEDIAN_MS:.0f} ms",
            False,
        )
        judge(
            f"{name}: p95",
            page.p95,
            f"{page.p95:.1f} ms",
            TARGET_PAGE_P95_MS,
            f"<= {TARGET_PAGE_P95_MS:.0f} ms",
            False,
        )
        judge(
            f"{name}: SQL queries",
            page.queries,
            str(page.queries),
            TARGET_PAGE_QUERIES,
            f"<= {TARGET_PAGE_QUERIES}",
            False,
        )
    judge(
        "GET /api/v1/actions: throughput",
        per_second,
        f"{per_second:.0f} req/s",
        TARGET_API_PER_SECOND,
        f">= {TARGET_API_PER_SECOND:.0f} req/s",
        True,
    )
    rows.append(("GET /api/v1/actions: median latency", f"{api_median:.2f} ms", "-", "-"))
    rows.append(("GET /api/v1/actions: SQL queries", str(api_queries), "-", "-"))

    print(
        f"\nFigures ({requests} requests per page after 5 warm-up, as jp-secretariat; "
        f"{api_requests} anonymous API requests, one process)"
    )
    print(_table(rows, ("figure", "measured", "target", "result")))
    print("\nPage sizes: " + ", ".join(f"{page.url} {page.size_bytes / 1024:.0f} KiB" for _, page in pages))
    print("Fastest request: " + ", ".join(f"{name} {min(page.times_ms):.1f} ms" for name, page in pages))
    fastest, typical = min(yardstick), statistics.median(yardstick)
    print(
        f"Host steadiness: a fixed CPU-only task took {fastest:.1f} ms at best and {typical:.1f} ms at the "
        f"median between the page requests (x{typical / fastest:.2f}; near x1.0 on a steady host)"
    )
    if cpu_before and cpu_after:
        # Another test run on the machine slows every figure down; say how busy the rest of it was.
        elsewhere = (cpu_after[0] - cpu_before[0]) - (cpu_after[1] - cpu_before[1])
        print(
            f"Other processes kept {max(elsewhere, 0.0) / wall:.2f} of the {os.cpu_count()} cores busy "
            f"during the measurements (load average after: {_load()})"
        )
    print("\nRESULT: " + ("all targets met" if passed else "SOME TARGETS MISSED (see FAIL above)"))
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page (at least 50)")
    parser.add_argument("--api-requests", type=int, default=2000, help="timed API requests")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    args = parser.parse_args(argv)
    if args.requests < 50:
        parser.error("--requests must be at least 50 for a meaningful p95")
    in_throwaway_data_dir("partnership-bench-", args.keep, lambda: run(args.requests, args.api_requests))
    return 0


def in_throwaway_data_dir(prefix: str, keep: bool, measure) -> None:
    """Configure Django on a temporary data directory, run `measure`, then remove it (unless `keep`).

    The figures are information, not a gate: callers exit 0 whether or not they meet their targets.
    """
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        configure(data_dir)
        measure()
    finally:
        if keep:
            print(f"\nData directory kept: {data_dir}")
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
