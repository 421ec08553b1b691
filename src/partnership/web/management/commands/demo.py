"""`partnership demo [--port N] [--no-serve]`: set up the demo node and serve it."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from partnership.demo import FEDERATED_STAGES, prepare_demo, seed_federated_cycles
from partnership.ledger.sync import start_periodic_sync


class Command(BaseCommand):
    help = "Migrate, load the Japan-EU programme, create demo accounts and progress, then serve."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
        parser.add_argument("--no-serve", action="store_true", help="set up only; do not start the server")
        parser.add_argument(
            "--cycle-stage",
            choices=[name for _party, name in FEDERATED_STAGES],
            help="on a federated node: run one stage of the demo cycles (demo-federation runs them)",
        )

    def handle(self, *args, **options):
        if options["cycle_stage"]:
            try:
                self.stdout.write(seed_federated_cycles(options["cycle_stage"]))
            except ValueError as error:
                raise CommandError(str(error)) from None
            return
        prepare_demo(self.stdout)
        if options["no_serve"]:
            return
        self.stdout.write(f"\nServing on http://{options['host']}:{options['port']}/  (Ctrl-C to stop)")
        if start_periodic_sync() and settings.PEERS:
            self.stdout.write(f"Pulling the peers' logs every {settings.SYNC_INTERVAL} s: {settings.PEERS}")
        call_command(
            "runserver", f"{options['host']}:{options['port']}", use_reloader=False, use_threading=True
        )
