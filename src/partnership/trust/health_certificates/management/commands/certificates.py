"""`partnership certificates verify | trust import|list|remove | table`: the health-certificate verifier."""

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.people.services import user_named
from partnership.trust.health_certificates import services
from partnership.trust.health_certificates.equivalence import table


class Command(BaseCommand):
    help = "Verify EU DCC, SMART Health Card and ICAO VDS-NC certificates; keep each party's trusted keys."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="exit 0 valid, 1 invalid, 2 unreadable input")
        verify.add_argument(
            "input", help="a file (text or QR image), the certificate text itself, or - for stdin"
        )
        verify.add_argument("--at", help="validation time, ISO 8601 (default: now)")
        verify.add_argument(
            "--trust", help="verify against these certificates or key sets instead of the store"
        )
        verify.add_argument(
            "--issuer", help="the SMART Health Cards issuer URL of a key set given to --trust"
        )
        verify.add_argument("--party", help="whose trust store and rules (default: this node's party)")
        verify.add_argument("--json", action="store_true", help="print the result as JSON")
        trust = sub.add_parser("trust", help="import, list or remove trusted keys")
        trust_sub = trust.add_subparsers(dest="trust_action", required=True)
        imp = trust_sub.add_parser("import", help="import a certificate, key set or folder, all or nothing")
        imp.add_argument("path")
        imp.add_argument("--party", required=True)
        imp.add_argument("--user", required=True, help="the secretariat member importing")
        imp.add_argument("--issuer", help="the issuer URL of a SMART Health Cards key set (JWKS)")
        listing = trust_sub.add_parser("list", help="the trusted keys")
        listing.add_argument("--party")
        remove = trust_sub.add_parser("remove", help="stop trusting a key")
        remove.add_argument("id", type=int)
        remove.add_argument("--user", required=True)
        tab = sub.add_parser("table", help="the equivalence table of the three formats")
        tab.add_argument("--lang", choices=["en", "ja"], default="en")
        tab.add_argument("--format", choices=["markdown", "html"], default="markdown")
        tab.add_argument("-o", "--output", help="write to this file (default: standard output)")

    def handle(self, *args, **options):
        try:
            if options["action"] == "verify":
                return self.verify(options)
            if options["action"] == "table":
                text = table(options["lang"], options["format"])
                if options["output"]:
                    Path(options["output"]).write_text(text, encoding="utf-8")
                else:
                    self.stdout.write(text, ending="")
                return None
            return self.trust(options)
        except (Invalid, NotFound, PermissionDenied) as exc:
            raise CommandError(str(exc)) from None

    def _user(self, username):
        try:
            return user_named(username)
        except NotFound as error:
            raise CommandError(str(error)) from None

    def trust(self, options):
        action = options["trust_action"]
        if action == "import":
            user = self._user(options["user"])
            for line in services.import_trust(user, options["party"], options["path"], options["issuer"]):
                self.stdout.write(line)
        elif action == "list":
            for anchor in services.anchors(options["party"]):
                self.stdout.write(
                    f"{anchor.pk}\t{anchor.party.code}\t{anchor.kind}\t{anchor.key}\t{anchor.subject}"
                )
        else:
            anchor = services.remove_anchor(self._user(options["user"]), options["id"])
            self.stdout.write(_("removed %(anchor)s") % {"anchor": anchor})

    def verify(self, options):
        at = datetime.now(UTC)
        if options["at"]:
            parsed = parse_datetime(options["at"])
            if parsed is None:
                raise CommandError(_("--at: %(value)s is not an ISO 8601 time") % {"value": options["at"]})
            at = parsed
        source = options["input"]
        if source == "-":
            data = sys.stdin.buffer.read()
        elif Path(source).is_file():
            data = Path(source).read_bytes()
        else:
            data = source.encode("utf-8")
        extra = None
        if options["trust"]:
            try:
                extra, _lines = services.read_trust(options["trust"], options["issuer"])
            except Invalid as exc:
                raise CommandError(f"--trust: {exc}") from None
        party = services.party_or_node(options["party"])
        try:
            payload = services.verify_as_json(data, party, at, extra)
        except Invalid as exc:  # an image too large to read: unreadable input, exit 2
            raise CommandError(str(exc), returncode=2) from None
        if options["json"]:
            self.stdout.write(
                json.dumps(payload[0] if len(payload) == 1 else payload, ensure_ascii=False, indent=2)
            )
        else:
            for body in payload:
                self._describe(body)
        if any(body["format"] is None for body in payload):
            sys.exit(2)
        if not all(body["valid"] for body in payload):
            sys.exit(1)

    def _describe(self, body):
        if not body["valid"]:
            self.stdout.write(
                _("invalid (%(format)s): %(step)s: %(message)s [%(code)s]")
                % {**body["error"], "format": body["format"] or "?"}
            )
            return
        cert, holder = body["certificate"], body["certificate"]["holder"]
        self.stdout.write(
            _("valid %(format)s certificate of %(name)s, born %(dob)s, issued by %(issuer)s")
            % {
                "format": body["format"],
                "name": f"{holder['given_name']} {holder['family_name']}".strip(),
                "dob": holder["date_of_birth"],
                "issuer": cert["issuer"],
            }
        )
        for event in cert["events"]:
            self.stdout.write("  " + describe_event(event))
        for party, decision in body["rules"].items():
            verdict = (
                _("accepted by rule %(rule)s") % {"rule": decision["rule"]}
                if decision["accepted"]
                else _("not accepted")
            )
            self.stdout.write(f"  {party}: {verdict}")


def describe_event(event: dict) -> str:
    if event["kind"] == "vaccination":
        dose = f"{event['dose']}/{event['doses']}" if event["dose"] else "?"
        return _("vaccination %(product)s, dose %(dose)s, %(date)s %(country)s") % {**event, "dose": dose}
    if event["kind"] == "test":
        return _("test %(type)s %(result)s, sampled %(time)s") % {
            "type": event["test_type"],
            "result": event["result"],
            "time": event["sampled_at"],
        }
    return _("recovery, first positive %(date)s") % {"date": event["first_positive"]}
