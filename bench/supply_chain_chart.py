"""Benchmark: the series chart of a long daily series, thinned and not (issue 16: the series page stays
fast whatever the series' length; `charts.thin` keeps each bucket's lowest and highest point above
`charts.MAX_POINTS` dates).

    .venv/bin/python bench/supply_chain_chart.py [--points 18000] [--runs 15]

Draws `--points` daily values (a random walk with a gap) with `charts.series_chart` as the page does, and
the same with thinning turned off, side by side in one run; prints the median time and the SVG's size of
each and their ratio. No database: the chart is built from the points alone.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=18_000)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
    import django

    django.setup()
    from partnership.exchanges.supply_chain import charts
    from partnership.exchanges.supply_chain.queries import Point

    generator = random.Random(46)
    start, value, points = datetime.date(1975, 1, 1), 100.0, []
    for day in range(options.points):
        value += generator.gauss(0, 1)
        missing = options.points // 2 <= day < options.points // 2 + 30  # a month the source left out
        released = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        points.append(Point(start + datetime.timedelta(days=day), None if missing else value, released))

    thin = charts.thin

    def measure(thinned: bool) -> tuple[float, int]:
        charts.thin = (
            thin if thinned else (lambda points, limit=0: points)
        )  # the page's chart, or every point
        times, size = [], 0
        for _ in range(options.runs):
            began = time.perf_counter()
            size = len(charts.series_chart("Bench", "index", points).encode())
            times.append((time.perf_counter() - began) * 1000)
        return statistics.median(times), size

    thinned_ms, thinned_size = measure(True)
    whole_ms, whole_size = measure(False)
    print(f"{options.points:,} daily points, medians of {options.runs}")
    print(f"  thinned (MAX_POINTS 1000): {thinned_ms:7.1f} ms  {thinned_size / 1024:7.1f} KiB")
    print(f"  every point drawn        : {whole_ms:7.1f} ms  {whole_size / 1024:7.1f} KiB")
    print(f"  ratio: {whole_ms / thinned_ms:.1f}x the time, {whole_size / thinned_size:.1f}x the size")


if __name__ == "__main__":
    main()
