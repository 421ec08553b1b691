"""`partnership report`: build, publish and compare the progress reports to the Council.

partnership report --cycle 2026 --lang ja --format pdf -o report-2026-ja.pdf
partnership report publish --cycle 2026 --user jp-secretariat
partnership report diff --from 2025 --to 2026
partnership report countersign 2026 --sha256 HEX --by eu-secretariat
partnership report verify report-2026.json
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from partnership.cycle import report
from partnership.errors import Conflict, Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named

FORMATS = ("html", "pdf", "json")


class Command(BaseCommand):
    # No system checks: they load every URL and API module (about a second), and `verify` must answer
    # at once; `partnership check` is where the configuration is checked.
    requires_system_checks: list[str] = []
    help = (
        "Write the progress report of a cycle (the published one when it is published, else live data), "
        "publish it, countersign it for the other party, verify a published report's JSON offline, or "
        "compare two published reports."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "action",
            nargs="?",
            default="build",
            choices=["build", "publish", "countersign", "verify", "diff"],
            help="build (default): write the report; publish: freeze and sign it; countersign YEAR: sign the "
            "published report for your party; verify FILE: check a report.json's SHA-256 and signatures "
            "against the keys in this node's ledger (exit 0 valid, 1 invalid); diff: compare two published "
            "reports",
        )
        parser.add_argument(
            "target",
            nargs="?",
            metavar="YEAR|FILE",
            help="the cycle's year (countersign) or the file (verify)",
        )
        parser.add_argument(
            "--sha256", metavar="HEX", help="the SHA-256 of the published report you read (countersign)"
        )
        parser.add_argument(
            "--by",
            metavar="USERNAME",
            help="username of the secretariat member who countersigns (countersign)",
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
            elif options["action"] == "countersign":
                self._countersign(options)
            elif options["action"] == "verify":
                self._verify(options)
            else:
                self._build(options)
        except (NotFound, Conflict, PermissionDenied, Invalid) as error:
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

    def _countersign(self, options) -> None:
        try:
            year = int(options["target"] or "")
        except ValueError:
            raise CommandError("countersign needs the cycle's YEAR, --sha256 HEX and --by USERNAME") from None
        if not options["sha256"] or not options["by"]:
            raise CommandError("countersign needs the cycle's YEAR, --sha256 HEX and --by USERNAME")
        signature = report.countersign_report(user_named(options["by"]), year, options["sha256"])
        self.stdout.write(
            f"Report {year} countersigned for {signature.party.code} with the key {signature.key}"
        )

    def _verify(self, options) -> None:
        """Offline: the file's SHA-256 and every signature against the keys of this node's ledger."""
        if not options["target"]:
            raise CommandError("verify needs the FILE of a published report's JSON")
        try:
            document = json.loads(Path(options["target"]).read_bytes())
        except OSError as error:
            raise CommandError(f"cannot read {options['target']}: {error.strerror}") from None
        except ValueError as error:
            self.stderr.write(f"INVALID: the file is not JSON: {error}")
            sys.exit(1)
        try:
            signatures = report.verify_report(document)
        except report.ReportInvalid as error:
            self.stderr.write(f"INVALID: {error}")
            sys.exit(1)
        self.stdout.write(f"VALID: report {document['cycle']['year']}, SHA-256 {document['sha256']}")
        for signature in signatures:
            self.stdout.write(
                f"  signed for {signature['party']} at {signature['time']} by {signature['key']}"
            )

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
            content = report.render_json(report.report_document(published) if published else data)
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
