"""`partnership report`: build, publish and compare the progress reports to the Council.

partnership report --cycle 2026 --lang ja --format pdf -o report-2026-ja.pdf
partnership report publish --cycle 2026 --user jp-secretariat
partnership report diff --from 2025 --to 2026
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnership.cycle import report
from partnership.errors import Conflict, NotFound, PermissionDenied
from partnership.people.services import user_named

FORMATS = ("html", "pdf", "json")


class Command(BaseCommand):
    help = (
        "Write the progress report of a cycle (the published one when it is published, else live data), "
        "publish it, or compare two published reports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            nargs="?",
            default="build",
            choices=["build", "publish", "diff"],
            help="build (default): write the report; publish: freeze it; diff: compare two published reports",
        )
        parser.add_argument(
            "--cycle", type=int, metavar="YEAR", help="the cycle's year, e.g. 2026 (build, publish)"
        )
        parser.add_argument("--lang", default="en", choices=report.LANGUAGES, help="language (default: en)")
        parser.add_argument("--format", default="html", choices=FORMATS, help="output format (default: html)")
        parser.add_argument(
            "-o", "--output", metavar="FILE", help="file to write (default: standard output; needed for pdf)"
        )
        parser.add_argument(
            "--user", metavar="USERNAME", help="username of the secretariat member who publishes (publish)"
        )
        parser.add_argument(
            "--from", dest="from_year", type=int, metavar="YEAR", help="the earlier published cycle (diff)"
        )
        parser.add_argument(
            "--to", dest="to_year", type=int, metavar="YEAR", help="the later published cycle (diff)"
        )

    def handle(self, *args, **options):
        try:
            if options["action"] == "diff":
                self._diff(options)
            elif options["action"] == "publish":
                self._publish(options)
            else:
                self._build(options)
        except (NotFound, Conflict, PermissionDenied) as error:
            raise CommandError(str(error)) from None

    def _diff(self, options) -> None:
        for name in ("from_year", "to_year"):
            if options[name] is None:
                raise CommandError(f"diff needs --{name.removesuffix('_year')} YEAR")
        diff = report.diff_reports(options["from_year"], options["to_year"])
        self.stdout.write(report.diff_text(diff, options["lang"]), ending="")

    def _publish(self, options) -> None:
        if options["cycle"] is None or not options["user"]:
            raise CommandError("publish needs --cycle YEAR and --user USERNAME")
        try:
            user = user_named(options["user"])
        except NotFound as error:
            raise CommandError(str(error)) from None
        published = report.publish_report(user, options["cycle"])
        self.stdout.write(f"Report {options['cycle']} published; SHA-256 {published.sha256}")

    def _build(self, options) -> None:
        if options["cycle"] is None:
            raise CommandError("give the cycle: --cycle YEAR")
        if options["format"] == "pdf" and not options["output"]:
            raise CommandError("a PDF goes to a file: give -o FILE")
        year, language = options["cycle"], options["lang"]
        data, published = report.report_data(year)
        if published is not None:
            self.stderr.write(f"Report {year}: the published report (SHA-256 {published.sha256}).")
        else:
            self.stderr.write(f"Report {year}: not published; built from the live data.")
        if options["format"] == "pdf":
            content: bytes | str = report.render_pdf(data, language, published)
        elif options["format"] == "json":
            content = report.render_json(data)
        else:
            content = report.render_html(data, language, published)
        if not options["output"]:
            sys.stdout.flush()
            self.stdout.write(content if isinstance(content, str) else content.decode(), ending="")
            return
        path = Path(options["output"])
        try:
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {path}: {error.strerror}") from None
        self.stdout.write(f"Wrote {path}")
