"""`partnership load-programme [FILE]`: load the partnership as data."""

from django.core.management.base import BaseCommand, CommandError

from partnership.programme.loader import DEFAULT_FILE, ProgrammeFileError, load_programme


class Command(BaseCommand):
    help = "Load a programme file (default: the Japan-EU programme). Loading twice changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_FILE), help="programme YAML file")

    def handle(self, *args, **options):
        try:
            report = load_programme(options["file"])
        except ProgrammeFileError as error:
            raise CommandError(f"refused, nothing changed: {error}") from None
        self.stdout.write(report.summary())
