"""Benchmark: every default detector on 1,000 generated series of 50 years of monthly data, on one core.

    .venv/bin/python bench/detection.py [--series 1000] [--runs 3] [--backtest-series 100]

Prints, with the figure of issue 16 as target (<= 10 s for 1,000 series):
- the time of `detect` with the default detectors over all series (median of the runs), and the time of
  ruptures' own segmentation (KernelCPD fit + predict) on the same data, with their ratio: what our code
  (transforms, scaling, CUSUM, growth, signals) adds to the library's work; wall clock (the figure) and
  CPU time (what the figure would be on a core of its own, when other processes share the machine);
- the backtest (a live replay) on generated 30-year series without a shift: the false-alarm rate in
  signals per series-year, for white noise and AR(1) noise of 0.3, 0.5 and 0.6;
- on series with a level shift at a known month: the share found within three months and the median delay.
"""

import os

# One core, as the figure asks: numpy's BLAS must not spread the least squares over threads.
for variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[variable] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402

import ruptures  # noqa: E402

from partnership.detection import Event, backtest, default_detectors, detect, make_series  # noqa: E402
from partnership.detection.detectors import ChangePointDetector  # noqa: E402
from partnership.detection.synthetic import generate_series  # noqa: E402


def detection_seconds(all_series, detectors) -> tuple[float, float]:
    """Wall-clock and CPU seconds of `detect` on every series."""
    started, started_cpu = time.perf_counter(), time.process_time()
    for series in all_series:
        detect(series, detectors)
    return time.perf_counter() - started, time.process_time() - started_cpu


def segmentation_seconds(all_series, detector: ChangePointDetector) -> tuple[float, float]:
    """Wall-clock and CPU seconds of ruptures alone on the very signals our change-point detector hands it
    (transformed and scaled beforehand, outside the timing)."""
    signals = [detector.scaled(detector.visible(series)[0]) for series in all_series]
    started, started_cpu = time.perf_counter(), time.process_time()
    for signal in signals:
        algorithm = ruptures.KernelCPD(kernel="linear", min_size=detector.min_size).fit(signal)
        algorithm.predict(pen=detector.penalty * math.log(len(signal)))
    return time.perf_counter() - started, time.process_time() - started_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backtest-series", type=int, default=100)
    arguments = parser.parse_args()

    detectors = default_detectors()
    change_points = next(d for d in detectors if isinstance(d, ChangePointDetector))
    all_series = [
        make_series(generate_series(seed, years=50, ar=0.3 * (seed % 2)).observations, f"GEN{seed}")
        for seed in range(arguments.series)
    ]
    ours = [detection_seconds(all_series, detectors) for _ in range(arguments.runs)]
    theirs = [segmentation_seconds(all_series, change_points) for _ in range(arguments.runs)]
    target = 10 * arguments.series / 1000  # 10 s for 1,000 series, in proportion for another count
    figure, library = statistics.median(t for t, _ in ours), statistics.median(t for t, _ in theirs)
    # CPU seconds too: on a shared machine the wall clock counts the time other processes held the core.
    figure_cpu, library_cpu = statistics.median(c for _, c in ours), statistics.median(c for _, c in theirs)
    print(
        f"detect, {len(detectors)} default detectors, {arguments.series} series x 50 years monthly, one core:"
    )
    print(
        f"  {figure:.2f} s (median of {arguments.runs}; target <= {target:g} s: "
        f"{'PASS' if figure <= target else 'FAIL'}); CPU {figure_cpu:.2f} s"
    )
    print(
        f"  ruptures' own segmentation on the same data: {library:.2f} s (CPU {library_cpu:.2f} s); "
        f"ratio ours / ruptures: {figure / library:.1f} (CPU {figure_cpu / library_cpu:.1f})"
    )

    count = arguments.backtest_series
    print(f"backtest (live replay), {count} generated series of 30 years per row:")
    for ar in (0.0, 0.3, 0.5, 0.6):
        started = time.perf_counter()
        alarms = sum(
            len(backtest(generate_series(seed, years=30, ar=ar).observations, detectors).firings)
            for seed in range(count)
        )
        delays = []
        shift = -0.15 if ar else -0.10  # in log points: -0.10 is a fall of 9.5 %, not 10 %
        for seed in range(count):
            generated = generate_series(10_000 + seed, years=30, ar=ar, shift=shift, shift_at=200)
            event = Event("shift", generated.shift_at, date(2100, 1, 1), "down")
            (result,) = backtest(generated.observations, detectors, events=[event]).events
            delays.append(result.delay_months if result.flagged else None)
        found = [delay for delay in delays if delay is not None and delay <= 3]
        print(
            f"  AR(1) {ar:.1f}: false alarms {alarms / (count * 30):.4f} per series-year "
            f"({alarms} in {count * 30} years); shift of {shift:+.2f} log points ({math.expm1(shift):+.1%}) "
            f"found within 3 months in "
            f"{len(found)}/{count}, median delay {statistics.median(d for d in delays if d is not None)} "
            f"months ({time.perf_counter() - started:.1f} s)"
        )


if __name__ == "__main__":
    main()
