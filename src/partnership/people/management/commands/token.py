"""`partnership token create USER | revoke ID | list [USER]`: API tokens for scripts."""

from django.core.management.base import BaseCommand, CommandError

from partnership.errors import Invalid, NotFound
from partnership.people.services import create_token, revoke_token, tokens_of, user_named


class Command(BaseCommand):
    help = "Create, revoke or list API tokens. A new token is printed once; only its hash is kept."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for USER and print it")
        create.add_argument("user")
        create.add_argument("--name", default="", help="what the token is for")
        revoke = sub.add_parser("revoke", help="revoke a token by id or prefix")
        revoke.add_argument("token")
        listing = sub.add_parser("list", help="list tokens (of USER)")
        listing.add_argument("user", nargs="?")

    def handle(self, *args, **options):
        try:
            if options["action"] == "create":
                user = user_named(options["user"])
                token, raw = create_token(user, options["name"])
                self.stdout.write(raw)
                self.stderr.write(f"token {token.pk} for {user.username}; it is shown only now")
            elif options["action"] == "revoke":
                token = revoke_token(options["token"])
                self.stdout.write(f"revoked {token.pk} ({token.prefix}…) of {token.user.username}")
            else:
                for token in tokens_of(options["user"]):
                    state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                    self.stdout.write(
                        f"{token.pk}  {token.prefix}…  {token.user.username}  {token.name}  {state}"
                    )
        except (Invalid, NotFound) as error:
            raise CommandError(str(error)) from None
