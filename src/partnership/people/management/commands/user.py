"""`partnership user invite EMAIL --organisation CODE --role ROLE --by USER [--language ja]`,
`partnership user deactivate|reactivate USERNAME --by USER`: a secretariat onboards its own party's people."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.services import invite, person_id_of, set_active, user_named

CONSOLE_BACKEND = "django.core.mail.backends.console.EmailBackend"


class Command(BaseCommand):
    help = (
        "Invite a person of your party (they get a one-time link by mail to set a password), or "
        "deactivate or reactivate one. --by names the secretariat account acting; the rules are the "
        "pages' and the API's."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        inviting = sub.add_parser("invite", help="invite EMAIL into an organisation of your party")
        inviting.add_argument("email")
        inviting.add_argument("--organisation", required=True, help="organisation code, e.g. jp-mic")
        inviting.add_argument(
            "--role", required=True, help="secretariat, action_lead, member_state or stakeholder"
        )
        inviting.add_argument("--language", default="en", help="language of the mail: en (default) or ja")
        inviting.add_argument("--by", required=True, help="the secretariat account acting")
        for name, text in (
            ("deactivate", "stop USERNAME signing in"),
            ("reactivate", "let USERNAME in again"),
        ):
            changing = sub.add_parser(name, help=text)
            changing.add_argument("username")
            changing.add_argument("--by", required=True, help="the secretariat account acting")

    def handle(self, *args, **options):
        try:
            actor = user_named(options["by"])
            if options["action"] == "invite":
                data = {key: options[key] for key in ("email", "organisation", "role", "language")}
                invitation = invite(actor, data, settings.SITE_URL)
                self.stderr.write(
                    f"invited {invitation.person.username}; the link works once, until "
                    f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC"
                )
                # With the console backend no mail leaves the machine: the operator hands the link over.
                if settings.EMAIL_BACKEND == CONSOLE_BACKEND:
                    self.stdout.write(invitation.link)
            else:
                active = options["action"] == "reactivate"
                person = set_active(actor, person_id_of(options["username"]), active)
                self.stdout.write(f"{person.username} {'reactivated' if active else 'deactivated'}")
        except (Invalid, NotFound, PermissionDenied) as error:
            raise CommandError(str(error)) from None
