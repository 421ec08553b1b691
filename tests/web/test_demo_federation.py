"""`partnership demo-federation` stops both node servers on every stop signal, not only on Ctrl-C."""

import os
import signal
import subprocess
import sys
import time

import pytest

# The supervisor as `demo-federation` runs it, with two real child processes that stand in for the
# node servers (each starts a grandchild too, as a server may).
SUPERVISOR = """
import sys
from partnership.web.management.commands.demo_federation import supervise
child = [sys.executable, "-c",
         "import subprocess, time; subprocess.Popen(['sleep', '300']); time.sleep(300)"]
stopped = supervise([(child, None), (child, None)], lambda: print("started", flush=True))
print("stopped by signal" if stopped else "a child ended", flush=True)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie is gone for our purpose: it serves nothing and its parent will reap it.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(")")[-1].split()[0] != "Z"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_stop_signal_stops_both_nodes_and_what_they_started(signum):
    supervisor = subprocess.Popen(  # noqa: S603
        [sys.executable, "-c", SUPERVISOR],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "partnership.settings"},
    )
    try:
        assert supervisor.stdout.readline().strip() == "started"
        deadline = time.monotonic() + 20
        children: list[int] = []
        while time.monotonic() < deadline and len(children) < 4:
            children = descendants(supervisor.pid)
            time.sleep(0.1)
        assert len(children) == 4, children  # two "servers", each with its own child
        supervisor.send_signal(signum)
        assert supervisor.wait(timeout=20) == 0
        assert supervisor.stdout.read().strip() == "stopped by signal"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(pid) for pid in children):
            time.sleep(0.1)
        assert [pid for pid in children if alive(pid)] == []
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def descendants(pid: int) -> list[int]:
    """Every live process started by `pid`, children and grandchildren, from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().split(")")[-1].split()
                parents[int(entry)] = int(fields[1])
            except (FileNotFoundError, ProcessLookupError):
                continue
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        for child, its_parent in parents.items():
            if its_parent == parent:
                found.append(child)
                frontier.append(child)
    return found
