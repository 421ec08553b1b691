"""Benchmark: building and rendering the progress report to the Council on ten years of history.

    make bench        # or: .venv/bin/python bench/report.py [--runs 5]

Uses bench/pages.py's throwaway SQLite database and history generator (9,120 progress updates, 1,000
indicators with 120,000 values, 300 deliverables), with the cycle of the current year at its
stock-take. It measures, in one process:

- the report's SQL queries on the bare programme and again on the full history: the count must not
  grow with the data (the report reads latest rows with window functions, counts in the database);
- the time to build the report's data and render it as HTML (target <= 2 s) and as PDF with
  WeasyPrint (target <= 15 s), each for one cycle, in English and Japanese.

It prints the figures against their targets and exits 0 whether they pass or not.
"""

import argparse
import random
import statistics
import sys
import time

import pages  # bench/pages.py: the same machine, data and table as the pages benchmark

TARGET_HTML_SECONDS = 2.0
TARGET_PDF_SECONDS = 15.0


def prepare_programme() -> int:
    """Migrate, load the programme, create the members and the current cycle at its stock-take."""
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from partnership.cycle import services
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from partnership.programme.loader import load_programme
    from partnership.programme.models import current_period

    call_command("migrate", interactive=False, verbosity=0)
    load_programme()
    for username, (code, role) in pages.MEMBERS.items():
        create_member(username, pages.PASSWORD, Organisation.objects.get(code=code), role)
    year = current_period()
    secretariat = User.objects.get(username="jp-secretariat")
    services.create_cycle(
        secretariat, {"year": year, "call_opens": f"{year}-01-15", "call_closes": f"{year}-03-31"}
    )
    # The other party's secretariat agrees the calendar (issue 14) before the phases can move.
    services.agree_calendar(User.objects.get(username="eu-secretariat"), year)
    for phase in ("call_open", "call_closed", "stock_take"):
        services.advance_phase(secretariat, year, phase)
    return year


def count_queries(year: int) -> int:
    """SQL queries of one build of the report's data."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from partnership.cycle import report

    with CaptureQueriesContext(connection) as captured:
        report.build_report(year)
    return len(captured.captured_queries)


def time_html(year: int, language: str, runs: int) -> tuple[list[float], int]:
    """Seconds to build the data and render the HTML, `runs` times; and the HTML's size."""
    from partnership.cycle import report

    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        html = report.render_html(report.build_report(year), language)
        times.append(time.perf_counter() - start)
        size = len(html.encode())
    return times, size


def time_pdf(year: int, language: str, runs: int) -> tuple[list[float], int]:
    """Seconds to build the data and render the PDF, `runs` times; and the PDF's size."""
    from partnership.cycle import report

    times, size = [], 0
    for _ in range(runs):
        start = time.perf_counter()
        pdf = report.render_pdf(report.build_report(year), language)
        times.append(time.perf_counter() - start)
        size = len(pdf)
    return times, size


def run(runs: int, pdf_runs: int) -> bool:
    """Prepare, measure, print; return whether every figure meets its target."""
    from partnership.programme.models import IndicatorValue, ProgressUpdate

    print("Preparing a throwaway database...", flush=True)
    started = time.perf_counter()
    year = prepare_programme()
    small = (ProgressUpdate.objects.count(), IndicatorValue.objects.count(), count_queries(year))
    pages.build_history(random.Random(pages.SEED))
    large = (ProgressUpdate.objects.count(), IndicatorValue.objects.count(), count_queries(year))
    print(f"  prepared in {time.perf_counter() - started:.1f} s\n")

    print("Machine")
    print(pages._table(pages.machine_context()))

    rows: list[tuple[str, ...]] = []
    passed = True

    def judge(figure: str, measured: float, shown: str, target: float, target_shown: str) -> None:
        nonlocal passed
        ok = measured <= target
        passed = passed and ok
        rows.append((figure, shown, target_shown, "PASS" if ok else "FAIL"))

    judge(
        f"SQL queries, bare programme ({small[0]:,} updates, {small[1]:,} values)",
        small[2],
        str(small[2]),
        large[2],
        "= full history",
    )
    judge(
        f"SQL queries, full history ({large[0]:,} updates, {large[1]:,} values)",
        large[2],
        str(large[2]),
        small[2],
        "= bare programme",
    )
    sizes = []
    for language in ("en", "ja"):
        html_times, html_size = time_html(year, language, runs)
        judge(
            f"HTML report ({language}): median of {runs}",
            statistics.median(html_times),
            f"{statistics.median(html_times):.2f} s",
            TARGET_HTML_SECONDS,
            f"<= {TARGET_HTML_SECONDS:.0f} s",
        )
        pdf_times, pdf_size = time_pdf(year, language, pdf_runs)
        judge(
            f"PDF report ({language}): median of {pdf_runs}",
            statistics.median(pdf_times),
            f"{statistics.median(pdf_times):.2f} s",
            TARGET_PDF_SECONDS,
            f"<= {TARGET_PDF_SECONDS:.0f} s",
        )
        sizes.append(f"{language}: HTML {html_size / 1024:.0f} KiB, PDF {pdf_size / 1024:.0f} KiB")

    print(f"\nFigures (report of cycle {year}: data built and rendered each time, one process)")
    print(pages._table(rows, ("figure", "measured", "target", "result")))
    print("\nSizes: " + "; ".join(sizes))
    print("\nRESULT: " + ("all targets met" if passed else "SOME TARGETS MISSED (see FAIL above)"))
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed HTML builds per language")
    parser.add_argument("--pdf-runs", type=int, default=1, help="timed PDF builds per language")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    args = parser.parse_args(argv)
    pages.in_throwaway_data_dir("partnership-bench-report-", args.keep, lambda: run(args.runs, args.pdf_runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
