"""`partnership supply-chain import | series`: monitoring series (para 46) from the command line.

The same services and queries as `/api/v1/supply-chain/`. Each action is a subcommand with a handler of
its own (`_import`, `_series`), so `detect` and `backtest` (issue 16, item 2) join as two more.
"""

from django.core.management.base import BaseCommand, CommandError

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named

from ... import parsing, queries, services
from ...models import Frequency


class Command(BaseCommand):
    help = "Import observations into a monitoring series (creating it if new) and list the series (para 46)."

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

    def handle(self, *args, **options):
        try:
            user = user_named(options["user"])
            {"import": self._import, "series": self._series}[options["action"]](user, options)
        except (Invalid, NotFound, PermissionDenied) as error:
            raise CommandError(str(error)) from error

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
