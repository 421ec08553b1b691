"""`partnership ledger ...`: check, prove, sync and key the node's logs."""

import json
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from partnership.ledger import services, sync
from partnership.ledger.models import OWN
from partnership.ledger.peers import PeerConfigError, configured_peers


class Command(BaseCommand):
    help = "Verify the node's logs, prove an entry, sync with the peers, or show and rotate the node key."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="recompute the own log and every peer's copy; exit 1 naming the first bad entry"
        )
        verify.add_argument("--peer", metavar="PARTY", help="verify only the copy of PARTY's log")
        proof = sub.add_parser("proof", help="print an inclusion proof of ENTRY as JSON")
        proof.add_argument("entry", type=int)
        proof.add_argument("--size", type=int, help="tree size to prove against (default: a new checkpoint)")
        proof.add_argument("--peer", metavar="PARTY", help="prove an entry of the copy of PARTY's log")
        sub.add_parser("checkpoint", help="sign a checkpoint of the current log and print its note")
        pull = sub.add_parser("sync", help="pull, verify and apply the peers' new entries")
        pull.add_argument("--peer", metavar="PARTY", help="only this peer")
        pull.add_argument("--every", type=int, metavar="SECONDS", help="repeat every SECONDS until stopped")
        sub.add_parser("key", help="print this node's verifier key (what peers put in PARTNERSHIP_PEERS)")
        rotate = sub.add_parser("rotate-key", help="replace the node key; the old one co-signs for a while")
        rotate.add_argument("--overlap-days", type=int, default=30, help="co-signing period (default 30)")
        clear = sub.add_parser("clear-fork", help="let sync with a forked peer resume, once settled")
        clear.add_argument("party")

    def handle(self, *args, **options):
        handler = getattr(self, "do_" + options["action"].replace("-", "_"))
        handler(options)

    def do_verify(self, options):
        peer, held = options["peer"], services.logs()
        if peer and peer not in held:
            raise CommandError(_("this node holds no log of %(party)s") % {"party": peer})
        targets = [peer] if peer else held
        failed = []
        for log in targets:
            problems = services.verify_log(log)
            label = _("own log") if log == OWN else _("log of %(party)s") % {"party": log}
            if problems:
                failed.append(f"{label}: " + "\n  ".join(problems))
            else:
                self.stdout.write(
                    _("%(label)s: %(size)s entries verify") % {"label": label, "size": services.size(log)}
                )
        if failed:
            raise CommandError("\n".join(failed))

    def do_proof(self, options):
        try:
            proof = services.inclusion_proof(options["entry"], options["size"], options["peer"] or OWN)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(proof.as_json(), indent=2, ensure_ascii=False))

    def do_checkpoint(self, options):
        self.stdout.write(services.checkpoint().note, ending="")

    def do_key(self, options):
        self.stdout.write(services.verifier_key())

    def do_rotate_key(self, options):
        if options["overlap_days"] < 0:
            raise CommandError(_("--overlap-days cannot be negative"))
        entry = services.rotate_key(timedelta(days=options["overlap_days"]))
        self.stdout.write(
            _("new key %(key)s, announced in entry %(index)s")
            % {"key": services.verifier_key(), "index": entry.index}
        )

    def do_clear_fork(self, options):
        if not sync.clear_fork(options["party"]):
            raise CommandError(
                _("sync with %(party)s is not stopped by a fork") % {"party": options["party"]}
            )
        self.stdout.write(_("sync with %(party)s may resume") % {"party": options["party"]})

    def do_sync(self, options):
        try:
            peers = configured_peers()
        except PeerConfigError as exc:
            raise CommandError(str(exc)) from None
        if options["peer"]:
            if options["peer"] not in peers:
                raise CommandError(_("%(party)s is not a configured peer") % {"party": options["peer"]})
            peers = {options["peer"]: peers[options["peer"]]}
        if not peers:
            raise CommandError(_("no peers are configured (PARTNERSHIP_PEERS)"))
        while True:
            failed = False
            for peer in peers.values():
                result = sync.sync_peer(peer)
                if result.error:
                    failed = True
                    self.stderr.write(f"{peer.party}: {result.error}")
                else:
                    self.stdout.write(
                        _(
                            "%(party)s: %(fetched)s new entries (%(applied)s applied, "
                            "%(rejected)s not applied), log of %(size)s entries verified"
                        )
                        % {
                            "party": peer.party,
                            "fetched": result.fetched,
                            "applied": result.applied,
                            "rejected": result.rejected,
                            "size": result.size,
                        }
                    )
                if result.replayed:
                    self.stderr.write(
                        _(
                            "%(party)s: %(count)s records replay earlier entries of its log and were not "
                            "applied again (the ledger page lists them)"
                        )
                        % {"party": peer.party, "count": result.replayed}
                    )
            if not options["every"]:
                if failed:
                    raise CommandError(_("sync did not complete with every peer"))
                return
            time.sleep(options["every"])
