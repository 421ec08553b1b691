"""`partnership supply-chain import | series | detect | backtest | exercise`: monitoring series (para 46),
their signals and tabletop exercises from the command line.

The same services and queries as `/api/v1/supply-chain/`. Each action is a subcommand with a handler of
its own (`_import`, `_series`, `_detect`, `_backtest`). `detect` and `backtest` are the operator's: they
read every series this node holds (members of both parties read them all) and take no user.
"""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from partnership import detection
from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named

from ... import exercise_queries, exercises, explain, parsing, queries, services
from ...models import Frequency


class Command(BaseCommand):
    help = (
        "Import observations into a monitoring series (creating it if new), list the series, detect their "
        "signals, backtest a series' detectors, and import, list and clock tabletop exercises (para 46)."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        imported = sub.add_parser(
            "import", help="import FILE as a new release (vintage) of your party's series CODE"
        )
        imported.add_argument("file", metavar="FILE", help="a CSV or XLSX file")
        imported.add_argument(
            "--series", required=True, metavar="CODE", help="the series' code, e.g. IPG3344S"
        )
        imported.add_argument(
            "--user", required=True, help="the member publishing (secretariat or action lead)"
        )
        imported.add_argument(
            "--format",
            choices=parsing.FORMATS,
            default=None,
            help="fred: DATE,VALUE or observation_date,CODE; csv: a header and --date-column/--value-column; "
            "xlsx: the first sheet, as csv (default: xlsx for .xlsx files, else fred)",
        )
        imported.add_argument(
            "--date-column", default="date", help="csv, xlsx: the date column (default date)"
        )
        imported.add_argument("--value-column", default="", help="csv, xlsx: the value column")
        imported.add_argument("--unit-column", default="", help="csv, xlsx: a column stating each row's unit")
        imported.add_argument("--unit", default=None, help="the values' unit (refused if not the series')")
        imported.add_argument(
            "--frequency",
            choices=Frequency.values,
            default=None,
            help="a new series' frequency (default: from the dates)",
        )
        imported.add_argument("--title", default=None, help="a new series' title (default: its code)")
        imported.add_argument("--language", choices=["en", "ja"], default=None, help="the title's language")
        imported.add_argument("--source", default=None, help="who publishes the data, e.g. FRED, METI")
        imported.add_argument("--licence", default=None, help="the data's licence")
        imported.add_argument("--product-code", default=None, help="e.g. HS 8541")
        listing = sub.add_parser("series", help="the series USER may read")
        listing.add_argument("--user", required=True, help="the member reading")
        listing.add_argument("--party", default="", help="only this party's series (JP, EU)")

        detected = sub.add_parser(
            "detect", help="run the detectors (again) and print the signals of every series, or of CODE"
        )
        detected.add_argument("--series", default=None, metavar="CODE", help="only the series CODE")
        detected.add_argument(
            "--json",
            action="store_true",
            help='print a JSON list of {"series", "date", "method", "direction", "value", "baseline"}',
        )
        replayed = sub.add_parser(
            "backtest",
            help="replay the stored series CODE as if live: when each signal would have fired, and the delay "
            "after each known event",
        )
        replayed.add_argument("--series", required=True, metavar="CODE", help="the series' code")
        replayed.add_argument(
            "--event",
            action="append",
            default=[],
            metavar="YYYY-MM",
            help="a known event's first month (repeatable): the first signal within the twelve months "
            "from it flags it, and its delay in months is printed",
        )

        exercise = sub.add_parser(
            "exercise", help="tabletop exercises: import a scenario, list them and their runs"
        )
        steps = exercise.add_subparsers(dest="exercise_action", required=True)
        scenario = steps.add_parser(
            "import", help="a scenario from a JSON file, checked whole, as USER's party's"
        )
        scenario.add_argument("file", metavar="FILE", help="a JSON scenario (docs/supply-chain.md)")
        scenario.add_argument(
            "--user", required=True, help="the member writing it (secretariat or action lead)"
        )
        listed = steps.add_parser("list", help="the exercises USER may read")
        listed.add_argument("--user", required=True, help="the member reading")
        ran = steps.add_parser("runs", help="the runs of the exercises USER may read, with their figures")
        ran.add_argument("--user", required=True, help="the member reading")
        steps.add_parser(
            "tick", help="the scenario clock: release the injects now due in this node's timed runs (cron)"
        )

    def handle(self, *args, **options):
        try:
            if options["action"] == "exercise":
                self._exercise(options)
                return
            if options["action"] in ("detect", "backtest"):
                with translation.override("en"):
                    {"detect": self._detect, "backtest": self._backtest}[options["action"]](options)
                return
            user = user_named(options["user"])
            {"import": self._import, "series": self._series}[options["action"]](user, options)
        except (Conflict, Invalid, NotFound, PermissionDenied) as error:
            raise CommandError(str(error)) from error

    def _exercise(self, options):
        action = options["exercise_action"]
        if action == "tick":
            self.stdout.write(f"{exercises.release_due()} injects released")
            return
        user = user_named(options["user"])
        if action == "import":
            found = exercises.import_scenario(user, options["file"])
            self.stdout.write(
                f"{found.party.code} exercise {found.uid}: {found.title} ({found.inject_count} injects, "
                f"{found.get_tlp_display()})"
            )
        elif action == "list":
            for found in exercise_queries.exercises(user)[:500]:
                self.stdout.write(
                    f"{found.party.code}  {found.uid}  {found.inject_count} injects  {found.tlp}  "
                    f"{found.title}"
                )
        else:
            for run in exercise_queries.runs(user)[:500]:
                state = f"ended {run.ended_at:%Y-%m-%dT%H:%MZ}" if run.ended_at else "running"
                self.stdout.write(
                    f"{run.party.code}  {run.uid}  started {run.started_at:%Y-%m-%dT%H:%MZ}  {state}  "
                    f"{run.released}/{run.inject_count} released  {run.exercise.title}"
                )

    def _import(self, user, options):
        path = options["file"]
        fmt = options["format"] or ("xlsx" if path.lower().endswith((".xlsx", ".xlsm")) else "fred")
        layout = parsing.Layout(fmt, options["date_column"], options["value_column"], options["unit_column"])
        description = {
            name: options[name]
            for name in ("unit", "frequency", "title", "language", "source", "licence", "product_code")
            if options[name] is not None
        }
        result = services.import_series(user, options["series"], path, layout, description)
        series = result.series
        if result.release is None:
            self.stdout.write(
                f"{series.party.code} {series.code}: nothing new ({result.unchanged} unchanged)"
            )
            return
        verb = "created" if result.created else "updated"
        self.stdout.write(
            f"{series.party.code} {series.code} {verb}: release {result.release.uid} at "
            f"{result.release.released_at:%Y-%m-%dT%H:%M:%SZ}, {result.added} new, {result.revised} revised, "
            f"{result.unchanged} unchanged"
        )
        if result.missing:
            self.stdout.write(f'{result.missing} values given as "." are stored as missing (no value).')

    def _series(self, user, options):
        for series in queries.series_list(user, queries.Filters(party=options["party"]))[:500]:
            dates = f"{series.first_date} .. {series.last_date}" if series.first_date else "-"
            self.stdout.write(
                f"{series.party.code}  {series.code}  {series.frequency}  {series.unit or '-'}  {dates}  "
                f"{series.release_count} releases  {series.uid}  {series.title}"
            )

    def _detect(self, options):
        signals = services.detect(options["series"])
        if options["json"]:
            self.stdout.write(json.dumps([_as_json(signal) for signal in signals], indent=1))
            return
        for signal in signals:
            self.stdout.write(
                f"{signal.series.party.code} {signal.series.code} {signal.date} {signal.method} "
                f"{signal.direction}: {explain.sentence(signal, signal.series.frequency)}"
            )
        self.stdout.write(f"{len(signals)} signals")

    def _backtest(self, options):
        events = [_month(text) for text in options["event"]]
        result = services.backtest(options["series"], events)
        self.stdout.write(f"{result.series}: {len(result.firings)} signals in {result.years:.1f} years")
        for firing in result.firings:
            signal = firing.signal
            self.stdout.write(
                f"fired {firing.fired_on}  {signal.method} ({signal.detector}) {signal.direction} at "
                f"{signal.date}: {signal.value:.6g} against {signal.baseline:.6g}"
            )
        for outcome in result.events:
            if outcome.firing is None:
                self.stdout.write(f"event {outcome.event.name}: not flagged within twelve months")
            else:
                self.stdout.write(
                    f"event {outcome.event.name}: flagged on {outcome.firing.fired_on} by "
                    f"{outcome.firing.signal.method} ({outcome.firing.signal.detector}), "
                    f"delay {outcome.delay_months} months"
                )
        self.stdout.write(f"{result.signals_per_year:.2f} signals per year")


def _as_json(signal) -> dict:
    """The library's JSON shape of a stored signal (`detection.Signal.as_json`)."""
    return detection.Signal(
        series=signal.series.code,
        date=signal.date,
        method=signal.method,
        direction=signal.direction,
        value=signal.value,
        baseline=signal.baseline,
        window=(signal.window_start, signal.window_end),
    ).as_json()


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--event {text!r}: give a month as YYYY-MM") from None
