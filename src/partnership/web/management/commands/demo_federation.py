"""`partnership demo-federation [--port N]`: a Japanese node and an EU node on one machine, peered.

Each node has its own data directory under PARTNERSHIP_DATA_DIR/federation/ (its SQLite database and its
own node key), its own port (N and N+1) and the demo accounts of its party only. Each is configured
with the other as its peer (its URL and verifier key) and pulls the other's log every few seconds.
For each node a script `PARTNERSHIP_DATA_DIR/federation/<party>/partnership` runs any `partnership`
command against that node, e.g. `var/federation/eu/partnership ledger verify`.
"""

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PARTIES = ("JP", "EU")
#: The signals that stop the federation: each stops both nodes before this process ends.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class _Stop(Exception):
    """A stop signal arrived."""


def _raise_stop(signum, frame):
    raise _Stop(signum)


def supervise(commands: list[tuple[list[str], dict]], started=lambda: None) -> bool:
    """Run each (argv, env) as a child until a stop signal or until one child ends, then stop them all.

    Returns True when stopped by a signal, False when a child ended by itself. Without the handlers a
    SIGTERM (a service manager, `kill`, a closed terminal's SIGHUP) would end this process at once and
    leave both node servers running with nobody to stop them. Each child gets its own session so that
    a signal meant for us reaches it only through here, and everything it started goes with it.
    """
    previous = {number: signal.signal(number, _raise_stop) for number in STOP_SIGNALS}
    processes: list[subprocess.Popen] = []
    try:
        for argv, env in commands:
            processes.append(
                subprocess.Popen(  # noqa: S603 (our own command, our own arguments)
                    argv, env=env, stdout=subprocess.DEVNULL, start_new_session=True
                )
            )
        started()
        while all(process.poll() is None for process in processes):
            time.sleep(0.2)
        return False
    except _Stop:
        return True
    finally:
        # No further signal may interrupt the stopping itself.
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        for process in processes:
            _stop_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _stop_group(process, signal.SIGKILL)
                process.wait()
        for number, handler in previous.items():
            signal.signal(number, handler)


def _stop_group(process: subprocess.Popen, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended by itself meanwhile
        os.killpg(process.pid, signum)


class Command(BaseCommand):
    help = "Serve a Japanese and an EU node on two ports with two databases, peered with each other."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="the JP node's port; EU gets the next")
        parser.add_argument("--sync-interval", type=int, default=5, help="seconds between pulls (default 5)")
        parser.add_argument("--no-serve", action="store_true", help="set both nodes up, then stop")

    def handle(self, *args, **options):
        root = Path(settings.DATA_DIR) / "federation"
        nodes = {
            party: {"dir": root / party.lower(), "url": f"http://127.0.0.1:{options['port'] + i}"}
            for i, party in enumerate(PARTIES)
        }
        base = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSHIP_")}
        for party, node in nodes.items():
            node["env"] = {
                **base,
                "PARTNERSHIP_DATA_DIR": str(node["dir"]),
                "PARTNERSHIP_NODE_PARTY": party,
                "PARTNERSHIP_SYNC_INTERVAL": str(options["sync_interval"]),
            }
            if settings.DEMO_PASSWORD:
                node["env"]["PARTNERSHIP_DEMO_PASSWORD"] = settings.DEMO_PASSWORD
            node["key"] = self._run(node["env"], "ledger", "key").strip()
        for party, node in nodes.items():
            other = nodes[PARTIES[1 - PARTIES.index(party)]]
            node["env"]["PARTNERSHIP_PEERS"] = f"{other['url']} {other['key']}"
            self._write_wrapper(node)
            self.stdout.write(f"\n== {party} node: {node['url']}/  (data: {node['dir']})")
            self.stdout.write(self._run(node["env"], "demo", "--no-serve"))
        self._seed_cycles(nodes)
        if options["no_serve"]:
            return
        commands = []
        for node in nodes.values():
            port = node["url"].rsplit(":", 1)[1]
            commands.append((self._argv("demo", "--port", port), node["env"]))
        message = (
            "\nBoth nodes are serving; each pulls the other's log every "
            f"{options['sync_interval']} s. Commands against a node:\n"
            + "\n".join(f"  {n['dir'] / 'partnership'} ledger sync|verify|key" for n in nodes.values())
            + "\n(Ctrl-C or SIGTERM stops both)"
        )
        if not supervise(commands, lambda: self.stdout.write(message)):
            raise CommandError("a node stopped; see its output above")

    def _seed_cycles(self, nodes: dict) -> None:
        """The demo cycles, in stages (`partnership.demo.FEDERATED_STAGES`): each node acts for its own
        party only, and pulls the other's log before its next stage. Both nodes serve meanwhile, without
        a periodic sync of their own, so that only these pulls move records; each stage does only what
        is not done yet, so a second run changes nothing."""
        # Imported here: `supervise` above must stay importable without loaded apps.
        from partnership.demo import FEDERATED_STAGES

        self.stdout.write("\n== the cycles, agreed between the two nodes")
        servers = []
        try:
            for node in nodes.values():
                port = node["url"].rsplit(":", 1)[1]
                env = {**node["env"], "PARTNERSHIP_SYNC_INTERVAL": "0"}
                argv = self._argv("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")
                servers.append(
                    subprocess.Popen(  # noqa: S603 (our own command, our own arguments)
                        argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                    )
                )
            for node, server in zip(nodes.values(), servers, strict=True):
                self._wait_until_serving(node["url"], server)
            for number, (party, stage) in enumerate(FEDERATED_STAGES):
                if number:
                    self._run(nodes[party]["env"], "ledger", "sync")
                self.stdout.write(
                    f"{party}: " + self._run(nodes[party]["env"], "demo", "--cycle-stage", stage).strip()
                )
            # The last stage's records reach the first node too.
            first = FEDERATED_STAGES[0][0]
            self._run(nodes[first]["env"], "ledger", "sync")
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()

    @staticmethod
    def _wait_until_serving(url: str, server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"the node on {url} stopped while starting")
            try:
                with urllib.request.urlopen(url + "/healthz", timeout=2):  # noqa: S310 (our own node)
                    return
            except OSError:
                time.sleep(0.2)
        raise CommandError(f"the node on {url} did not answer within a minute")

    @staticmethod
    def _argv(*args: str) -> list[str]:
        return [sys.executable, "-m", "partnership.cli", *args]

    def _run(self, env: dict, *args: str) -> str:
        result = subprocess.run(  # noqa: S603 (our own command, our own arguments)
            self._argv(*args), env=env, capture_output=True, text=True, check=False
        )
        if result.returncode:
            raise CommandError(f"partnership {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    @staticmethod
    def _write_wrapper(node: dict) -> None:
        lines = ["#!/bin/sh", "# Runs `partnership` against this node of `make demo-federation`."]
        # The caller's own PARTNERSHIP_ settings (a PostgreSQL URL, another data dir) must not reach the
        # node: it has only its own.
        lines.append(
            "for name in $(env | sed -n 's/^\\(PARTNERSHIP_[A-Z0-9_]*\\)=.*/\\1/p'); do unset \"$name\"; done"
        )
        lines += [
            f"export {name}={shlex.quote(value)}"
            for name, value in sorted(node["env"].items())
            if name.startswith("PARTNERSHIP_")
        ]
        lines.append(f'exec {shlex.quote(sys.executable)} -m partnership.cli "$@"')
        path = node["dir"] / "partnership"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")
        path.chmod(0o700)
