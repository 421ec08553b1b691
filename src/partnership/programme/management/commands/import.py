"""`partnership import deliverables|indicator-values FILE --user USER [--dry-run]`."""

import sys

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from partnership.errors import NotFound
from partnership.people.services import user_named
from partnership.programme import spreadsheets

KINDS = {
    "deliverables": (
        spreadsheets.DELIVERABLE_COLUMNS,
        spreadsheets.DELIVERABLE_REQUIRED,
        spreadsheets.import_deliverables,
    ),
    "indicator-values": (
        spreadsheets.VALUE_COLUMNS,
        spreadsheets.VALUE_REQUIRED,
        spreadsheets.import_indicator_values,
    ),
}


class Command(BaseCommand):
    help = (
        "Import deliverables or indicator values from CSV/XLSX as USER (who writes only for their party). "
        "All or nothing: any bad row is reported with its row number and nothing changes."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(KINDS))
        parser.add_argument("file")
        parser.add_argument("--user", required=True, help="the account the rows are written as")
        parser.add_argument("--dry-run", action="store_true", help="check every row, change nothing")

    def handle(self, *args, **options):
        columns, required, run = KINDS[options["kind"]]
        try:
            user = user_named(options["user"])
        except NotFound as error:
            raise CommandError(f"--user: {error}") from None
        try:
            rows = spreadsheets.read_table(options["file"], columns, required)
        except spreadsheets.SpreadsheetError as error:
            raise CommandError(str(error)) from None

        def progress(items):
            # A bar on long imports, on the terminal only (tqdm turns itself off when stderr is no TTY).
            return tqdm(
                items, total=len(rows), unit="row", file=sys.stderr, disable=None if len(rows) > 200 else True
            )

        result = run(user, rows, dry_run=options["dry_run"], progress=progress)
        for number, reason in result.errors:
            self.stderr.write(f"row {number}: {reason}")
        summary = f"{result.created} to create, {result.updated} to update, {result.unchanged} unchanged"
        if result.errors:
            raise CommandError(f"{len(result.errors)} bad row(s); nothing was changed ({summary}).")
        if result.dry_run:
            self.stdout.write(f"dry run, nothing changed: {summary}")
        else:
            self.stdout.write(summary.replace("to create", "created").replace("to update", "updated"))
