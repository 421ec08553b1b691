"""`partnership example-exchange list | file | revise`: trend notes (para 65) from the command line."""

from django.core.management.base import BaseCommand, CommandError

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named

from ... import queries, services


class Command(BaseCommand):
    help = "List, file and revise trend notes (para 65), acting as a member (--user)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser("list", help="the notes, newest change first")
        listing.add_argument("--user", required=True, help="the member reading")
        listing.add_argument("--party", default="", help="only this party's notes (JP, EU)")
        for name, helptext in (("file", "file a note for your party"), ("revise", "revise a note")):
            action = sub.add_parser(name, help=helptext)
            if name == "revise":
                action.add_argument("uid", help="the note's UID")
            action.add_argument("--user", required=True, help="the member writing")
            action.add_argument("--title", required=True)
            action.add_argument("--text", required=True)
            action.add_argument("--language", choices=["en", "ja"], default="en")

    def handle(self, *args, **options):
        try:
            user = user_named(options["user"])
            if options["action"] == "list":
                for note in queries.notes(user, queries.Filters(party=options["party"]))[:200]:
                    self.stdout.write(f"{note.uid}  {note.party.code}  r{note.revision}  {note.title}")
                return
            data = {name: options[name] for name in ("title", "text", "language")}
            if options["action"] == "file":
                note = services.file_note(user, data)
            else:
                note = services.revise_note(user, options["uid"], data)
            self.stdout.write(f"{note.uid} revision {note.revision}")
        except (Invalid, NotFound, PermissionDenied) as error:
            raise CommandError(str(error)) from error
