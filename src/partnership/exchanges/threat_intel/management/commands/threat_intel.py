"""`partnership threat-intel`: list the collections a user reads, open one, and grant its use (para 54).

The same services as `/api/v1/threat-intel/`; STIX objects themselves go over TAXII (/taxii2/).
"""

from django.core.management.base import BaseCommand, CommandError

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named

from ... import queries, services


class Command(BaseCommand):
    help = "Threat-intelligence collections: list those a user reads, open one, grant its use."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        listing = sub.add_parser(
            "collections", help="the collections USER may read, with their TAXII address"
        )
        listing.add_argument("--user", required=True)
        opened = sub.add_parser("open", help="open a collection in your party's API root (secretariat)")
        opened.add_argument("api_root", help="the API root, e.g. jp")
        opened.add_argument("title")
        opened.add_argument("--description", default="")
        opened.add_argument("--tlp", default="amber", help="TLP of unmarked objects (default amber)")
        opened.add_argument("--allow-custom", action="store_true", help="accept custom STIX types")
        opened.add_argument("--user", required=True, help="a secretariat member of the root's party")
        granted = sub.add_parser(
            "grant", help="let an organisation or a party read and/or write a collection"
        )
        granted.add_argument("collection", help="the collection's id")
        who = granted.add_mutually_exclusive_group(required=True)
        who.add_argument("--organisation", help="an organisation's code")
        who.add_argument("--party", help="a party's code: all its organisations")
        granted.add_argument("--no-read", action="store_true", help="may not read")
        granted.add_argument("--write", action="store_true", help="may write")
        granted.add_argument(
            "--guest", action="store_true", help="not of the community: reads TLP:CLEAR only"
        )
        granted.add_argument("--user", required=True, help="a secretariat member of the root's party")

    def handle(self, *args, **options):
        try:
            user = user_named(options["user"])
            if options["action"] == "collections":
                for entry in queries.collection_entries(queries.caller_for(user)):
                    collection, access = entry.collection, entry.access
                    rights = "rw" if access.can_write else "r"
                    root = collection.api_root.slug
                    self.stdout.write(
                        f"{collection.pk}\t{rights}\t/taxii2/{root}/collections/{collection.pk}/\t{collection.title}"
                    )
            elif options["action"] == "open":
                collection = services.open_collection(
                    user,
                    options["api_root"],
                    {
                        "title": options["title"],
                        "description": options["description"],
                        "default_tlp": options["tlp"],
                        "allow_custom": options["allow_custom"],
                    },
                )
                self.stdout.write(
                    f"{collection.pk}\t/taxii2/{collection.api_root.slug}/collections/{collection.pk}/"
                )
            else:
                grant = services.set_grant(
                    user,
                    options["collection"],
                    {
                        "organisation": options["organisation"],
                        "party": options["party"],
                        "can_read": not options["no_read"],
                        "can_write": options["write"],
                        "community": not options["guest"],
                    },
                )
                self.stdout.write(str(grant))
        except (Invalid, NotFound, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None
