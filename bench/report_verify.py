"""Benchmark: `partnership report verify` of a published, countersigned report (issue 14: under 1 s).

    .venv/bin/python bench/report_verify.py [--runs 20] [--history]

On a throwaway SQLite database (bench/pages.py), the current year's cycle at its stock-take is published
by jp-secretariat and countersigned by eu-secretariat; its report.json is written to a file. Measured:

- the command in this process (`call_command("report", "verify", FILE)`: read, parse, hash, check both
  signatures against the ledger's keys), `--runs` times, median and slowest;
- the whole command as an operator runs it (`partnership report verify FILE`, a new process: Python and
  Django start-up included), and beside it the start-up alone (`django.setup()`), each median of 3.

`--history` first writes bench/pages.py's ten years of history (9,120 updates, 120,000 indicator values,
300 deliverables), so the report is as large as a real one gets. Prints the figures against the target
and exits 0 whether they pass or not.
"""

import argparse
import io
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pages  # bench/pages.py: the throwaway data directory and history generator
import report as report_bench  # bench/report.py: the programme, members and a cycle at its stock-take

TARGET_SECONDS = 1.0


def run(runs: int, history: bool) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from partnership.cycle import report

    print("Preparing a throwaway database...", flush=True)
    year = report_bench.prepare_programme()
    if history:
        pages.build_history(random.Random(pages.SEED))
    published = report.publish_report(User.objects.get(username="jp-secretariat"), year)
    report.countersign_report(User.objects.get(username="eu-secretariat"), year, published.sha256)
    path = Path(tempfile.mkdtemp(prefix="partnership-bench-verify-")) / f"report-{year}.json"
    path.write_text(report.render_json(report.report_document(report.published(year))), encoding="utf-8")
    size = path.stat().st_size

    times = []
    for _ in range(runs):
        out = io.StringIO()
        started = time.perf_counter()
        call_command("report", "verify", str(path), stdout=out, stderr=out)
        times.append(time.perf_counter() - started)
        assert "VALID" in out.getvalue(), out.getvalue()

    def process_seconds(command: list[str]) -> tuple[float, float]:
        """The median wall time and CPU time (user + system) of `command` in a new process, of 3: on a
        shared machine the wall time also counts the waits for a core."""
        seconds, cpu = [], []
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(  # noqa: S603 (our own command, our own arguments)
                command, capture_output=True, text=True, env=os.environ.copy(), check=False
            )
            seconds.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            assert done.returncode == 0, done.stderr
        return statistics.median(seconds), statistics.median(cpu)

    whole = process_seconds([sys.executable, "-m", "partnership.cli", "report", "verify", str(path)])
    startup = process_seconds([sys.executable, "-c", "import django; django.setup()"])

    median = statistics.median(times)
    print(
        f"\nreport.json of {year}: {size / 1024:.0f} KiB, 2 signatures"
        + (" (ten years of history)" if history else "")
    )
    print(f"verify in process, median of {runs}: {median * 1000:.1f} ms (slowest {max(times) * 1000:.1f} ms)")
    print(
        f"`partnership report verify FILE`, new process, median of 3: {whole[0]:.2f} s ({whole[1]:.2f} s CPU)"
    )
    print(
        f"  starting Python and Django alone (`django.setup()`), median of 3: {startup[0]:.2f} s "
        f"({startup[1]:.2f} s CPU)"
    )
    verdict = "PASS" if median < TARGET_SECONDS else "FAIL"
    print(f"{verdict}: target under {TARGET_SECONDS:.0f} s for the verification")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="timed verifications in process")
    parser.add_argument("--history", action="store_true", help="ten years of history first (a larger report)")
    parser.add_argument("--keep", action="store_true", help="keep the throwaway data directory")
    args = parser.parse_args(argv)
    pages.in_throwaway_data_dir("partnership-bench-verify-", args.keep, lambda: run(args.runs, args.history))
    return 0


if __name__ == "__main__":
    sys.exit(main())
