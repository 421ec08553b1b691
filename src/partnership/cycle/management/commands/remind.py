"""`partnership remind --cycle YEAR [--date DATE]`: mail the leads whose party has not reported this cycle."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from partnership.cycle import services
from partnership.errors import NotFound


class Command(BaseCommand):
    help = (
        "Mail the action leads (else the secretariat) of each party that has not filed its update for the "
        "cycle, each in the recipient's language with a link to the action's update form "
        "(PARTNERSHIP_SITE_URL). Each reminder goes at most once a day, so the command is safe to run "
        "from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cycle", type=int, required=True, help="year of the cycle, e.g. 2026")
        parser.add_argument(
            "--date",
            type=datetime.date.fromisoformat,
            default=None,
            help="the day to remind for (default: today)",
        )

    def handle(self, *args, **options):
        try:
            # The node's language for what the command says, whatever the calling thread had active (cron
            # has none); each mail is written in its recipient's own language (services.send_reminders).
            with translation.override(settings.LANGUAGE_CODE):
                sent = services.send_reminders(options["cycle"], today=options["date"])
        except NotFound as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"{sent} reminder(s) sent for cycle {options['cycle']}")
