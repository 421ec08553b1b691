"""`partnership ledger verify | proof ENTRY [--size N] | checkpoint`: check and prove the node's log."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partnership.ledger import services


class Command(BaseCommand):
    help = "Verify the node's signed log, print an inclusion proof of an entry, or sign a checkpoint."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the whole log; exit non-zero naming the first bad entry")
        proof = sub.add_parser("proof", help="print an inclusion proof of ENTRY as JSON")
        proof.add_argument("entry", type=int)
        proof.add_argument("--size", type=int, help="tree size to prove against (default: a new checkpoint)")
        sub.add_parser("checkpoint", help="sign a checkpoint of the current log and print its note")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "verify":
            problems = services.verify_log()
            if problems:
                raise CommandError(problems[0] + ("\n" + "\n".join(problems[1:]) if problems[1:] else ""))
            self.stdout.write(_("the log of %(size)s entries verifies") % {"size": services.size()})
        elif action == "proof":
            try:
                proof = services.inclusion_proof(options["entry"], options["size"])
            except ValueError as exc:
                raise CommandError(str(exc)) from None
            self.stdout.write(json.dumps(proof.as_json(), indent=2, ensure_ascii=False))
        else:
            self.stdout.write(services.checkpoint().note, ending="")
