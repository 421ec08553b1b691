"""`partnership platform-reports file | platforms`: statements of reasons from the command line.

The same services and queries as `/api/v1/platform-reports/`.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partnership.errors import Invalid, PermissionDenied
from partnership.inputs import load_json
from partnership.people.services import user_named

from ... import queries, services


class Command(BaseCommand):
    help = "File statements of reasons as a platform, and list the platforms with their totals (paras 63-64)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        filed = sub.add_parser("file", help='file the statements of FILE, {"statements": [...]} (1 to 100)')
        filed.add_argument("file", metavar="FILE", help="a JSON file, as the API's body")
        filed.add_argument("--user", required=True, help="the platform's account")
        sub.add_parser("platforms", help="the platforms and how many statements each filed")

    def handle(self, *args, **options):
        if options["action"] == "platforms":
            for platform in queries.platforms(None):
                self.stdout.write(f"{platform['code']}\t{platform['party']}\t{platform['statements']}")
            return
        try:
            path = Path(options["file"])
            try:
                data = path.read_bytes()
            except OSError as error:
                raise Invalid(
                    _("%(file)s cannot be read: %(reason)s") % {"file": path.name, "reason": error.strerror}
                ) from None
            body = load_json(data)
            filed = services.file_statements(user_named(options["user"]), body)
        except services.StatementsRefused as refused:
            raise CommandError(
                json.dumps({"message": refused.message, "errors": refused.errors}, ensure_ascii=False)
            ) from None
        except (Invalid, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        for item in filed:
            self.stdout.write(f"{item['uuid']}\t{item['puid']}")
