"""Benchmark: the series page with its chart at 50 years of monthly data (issue 16, "Performance": the
series page with its chart ≤ 50 ms at that size).

    .venv/bin/python bench/supply_chain_page.py [--years 50] [--runs 30]
    BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/DB  # else SQLite in a throwaway folder

Imports a generated monthly series of `--years` years (600 observations) with a level shift halfway, so
the default detectors raise signals, plus a second release revising its last three values to 1.5, then
renders `/en/supply-chain/<uid>/` through the Django test client as a signed-in member, `--runs` times
after one warm-up: the query, the signals explained, the SVG chart with its markers, the vintage table
and the detector form. Prints the median and the slowest render, the number of signals, and PASS/FAIL
against 50 ms; exits 0 either way.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

TARGET_MS = 50.0


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=50)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-supply-chain-page-") as folder:
        configure(Path(folder))
        from django.contrib.auth.models import User
        from django.core.management import call_command
        from django.test import Client

        from partnership.detection.synthetic import generate_series
        from partnership.exchanges.supply_chain import services
        from partnership.exchanges.supply_chain.models import Signal
        from partnership.people.models import Organisation
        from partnership.people.services import create_member
        from partnership.programme.loader import load_programme

        call_command("migrate", interactive=False, verbosity=0)
        load_programme()
        user = User.objects.filter(username="bench-page-secretariat").first() or create_member(
            "bench-page-secretariat",
            "bench-password-not-secret",
            Organisation.objects.get(code="jp-digital-agency"),
            "secretariat",
        )
        generated = generate_series(7, years=options.years, shift=-0.15, shift_at=options.years * 12 // 2)
        rows = [{"date": d.isoformat(), "value": f"{v:.4f}"} for d, v in generated.observations]
        code = f"BENCH-PAGE-{int(time.time())}"
        result = services.import_observations(user, code, rows, {"frequency": "monthly"})
        services.import_observations(user, code, [{**row, "value": "1.5"} for row in rows[-3:]])
        series = result.series
        signals = Signal.objects.filter(series=series).count()
        client = Client()
        client.force_login(user)
        url = f"/en/supply-chain/{series.uid}/"
        assert client.get(url).status_code == 200  # warm-up: templates, translations
        times = []
        for _run in range(options.runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        median = statistics.median(times)
        print(
            f"series page, {len(rows)} monthly observations ({options.years} years) and {signals} signals: "
            f"median {median:.1f} ms, slowest {max(times):.1f} ms over {options.runs} renders "
            f"(target ≤ {TARGET_MS:.0f} ms) {'PASS' if median <= TARGET_MS else 'FAIL'}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
