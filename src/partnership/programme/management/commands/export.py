"""`partnership export deliverables|indicator-values FILE` (.csv or .xlsx)."""

from django.core.management.base import BaseCommand, CommandError

from partnership.programme import spreadsheets

KINDS = {
    "deliverables": spreadsheets.export_deliverables,
    "indicator-values": spreadsheets.export_indicator_values,
}


class Command(BaseCommand):
    help = "Export deliverables or indicator values to CSV or XLSX, in the format `partnership import` reads."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")

    def handle(self, *args, **options):
        header, rows = KINDS[options["kind"]]()
        try:
            spreadsheets.write_table(options["file"], header, rows)
        except (spreadsheets.SpreadsheetError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{len(rows)} row(s) written to {options['file']}")
