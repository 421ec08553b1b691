"""Benchmark: importing 100,000 observations from one CSV file (issue 16, "Performance": ≤ 5 s).

    .venv/bin/python bench/supply_chain_import.py [--observations 100000] [--runs 3]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB  # else SQLite in a throwaway folder

Writes a FRED-layout CSV (`observation_date,BENCH`) of daily values from 1800-01-01 (daily, since a
monthly series of 100,000 periods would run past the years an import takes), then imports it with
`services.import_series`, as `partnership supply-chain import` does, into a new series each run: read
and check every row, write the series and its release's 100,000 observations, sign both into the
ledger (the release as one record of about 3 MB). The figure is the median of the runs, against 5 s.
The comparison is the bare `csv.reader` parse of the same file (no dates or numbers checked, nothing
stored): the ratio is what our checks, storage and signing add. The CPU time of this process is printed
too: on a busy machine the wall time says more about the neighbours than about the import. A re-import
of the same file (nothing new: no release) and a revision of 1% of the values are shown too. Prints
the figures and PASS/FAIL; exits 0 either way. On PostgreSQL the database named must exist and is left
with the bench's data.
"""

import argparse
import csv
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 5.0


def configure(data_dir: Path) -> None:
    """Point the settings at a throwaway data directory (SQLite unless BENCH_DATABASE_URL) first."""
    os.environ["PARTNERSHIP_DATA_DIR"] = str(data_dir)
    os.environ.pop("PARTNERSHIP_DATABASE_URL", None)
    if os.environ.get("BENCH_DATABASE_URL"):
        os.environ["PARTNERSHIP_DATABASE_URL"] = os.environ["BENCH_DATABASE_URL"]
    os.environ["PARTNERSHIP_DEBUG"] = "false"
    os.environ["DJANGO_SETTINGS_MODULE"] = "partnership.settings"
    import django

    django.setup()


def write_file(path: Path, count: int, revise_every: int = 0) -> Path:
    """A FRED CSV of `count` daily observations; every `revise_every`-th value changed, if given."""
    import datetime

    start = datetime.date(1800, 1, 1).toordinal()
    with path.open("w", encoding="utf-8") as handle:
        handle.write("observation_date,BENCH\n")
        for n in range(count):
            value = 100 + (n % 1000) / 8
            if revise_every and n % revise_every == 0:
                value += 0.5
            handle.write(f"{datetime.date.fromordinal(start + n).isoformat()},{value:.3f}\n")
    return path


def bare_parse(path: Path) -> float:
    """Seconds to read the file with csv.reader alone."""
    started = time.perf_counter()
    with path.open(newline="", encoding="utf-8") as handle:
        rows = sum(1 for _row in csv.reader(handle))
    assert rows > 1
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-supply-chain-") as folder:
        configure(Path(folder))
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.db import connection

        from partnership.exchanges.supply_chain import services
        from partnership.people.models import Organisation
        from partnership.people.services import create_member
        from partnership.programme.loader import load_programme

        call_command("migrate", interactive=False, verbosity=0)
        load_programme()
        user = User.objects.filter(username="bench-secretariat").first() or create_member(
            "bench-secretariat",
            "bench-password-not-secret",
            Organisation.objects.get(code="jp-digital-agency"),
            "secretariat",
        )
        path = write_file(Path(folder) / "bench.csv", options.observations)
        revised = write_file(Path(folder) / "revised.csv", options.observations, revise_every=100)
        stamp = int(time.time())
        imports, parses, cpus = [], [], []
        for run in range(options.runs):
            parses.append(bare_parse(path))
            started, cpu = time.perf_counter(), time.process_time()
            result = services.import_series(user, f"BENCH-{stamp}-{run}", path)
            imports.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
            assert result.added == options.observations, result
        started = time.perf_counter()
        again = services.import_series(user, f"BENCH-{stamp}-0", path)
        unchanged = time.perf_counter() - started
        assert again.release is None
        started = time.perf_counter()
        revision = services.import_series(user, f"BENCH-{stamp}-0", revised)
        revising = time.perf_counter() - started
        median, parse = statistics.median(imports), statistics.median(parses)
        size = path.stat().st_size / 1e6
        print(
            f"supply-chain import, {options.observations:,} observations in one CSV ({size:.1f} MB), "
            f"{connection.vendor}, median of {options.runs} runs"
        )
        runs = ", ".join(f"{seconds:.2f}" for seconds in imports)
        print(f"  import (read, check, store, sign):  {median:.2f} s   runs: {runs}")
        where = "SQLite runs in it" if connection.vendor == "sqlite" else "not the server's"
        print(f"  its CPU time ({where}): {statistics.median(cpus):.2f} s")
        print(f"  bare csv.reader parse of the file:  {parse:.3f} s")
        print(
            f"  ratio import / bare parse:          {median / parse:.0f}x (what checks, storage, signing add)"
        )
        print(f"  re-import, nothing new (no release): {unchanged:.2f} s")
        print(f"  a release revising {revision.revised:,} values:     {revising:.2f} s")
        verdict = "PASS" if median <= TARGET_SECONDS else "FAIL"
        print(f"{verdict}: {median:.2f} s against ≤ {TARGET_SECONDS:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
