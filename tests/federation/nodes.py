"""Real peer nodes for the federation tests: `partnership` servers in their own processes, each with
its own data directory (SQLite database and node key), answering HTTP on a free loopback port.

The test process itself is the other node: its test database (SQLite, or PostgreSQL in CI) holds the
copy of the peer's log that `partnership.ledger.sync` pulls over HTTP.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

PASSWORD = "federation-demo-password"
# Runs the `partnership` command with the node's clock moved by SKEW seconds (argv[1]).
_SKEWED = (
    "import sys, datetime\n"
    "import django.utils.timezone as tz\n"
    "real = tz.now\n"
    "skew = datetime.timedelta(seconds=float(sys.argv.pop(1)))\n"
    "tz.now = lambda: real() + skew\n"
    "from partnership.cli import main\n"
    "main(['partnership', *sys.argv[1:]])\n"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Node:
    """A node of `party` in `data_dir`; `start()` serves it, `call()` runs a `partnership` command."""

    def __init__(self, party: str, data_dir: Path, skew_seconds: float = 0) -> None:
        self.party = party
        self.data_dir = data_dir
        self.skew = skew_seconds
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.secretariat_token = ""  # an API token of jp-secretariat, once created
        self.extra_env: dict[str, str] = {}  # more PARTNERSHIP_ settings, e.g. its own peers

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def database(self) -> Path:
        return self.data_dir / "partnership.sqlite3"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PARTNERSHIP_")}
        env.update(
            PARTNERSHIP_DATA_DIR=str(self.data_dir),
            PARTNERSHIP_NODE_PARTY=self.party,
            PARTNERSHIP_DEMO_PASSWORD=PASSWORD,
            PARTNERSHIP_SYNC_INTERVAL="0",
            PARTNERSHIP_ALLOWED_HOSTS="127.0.0.1,localhost",
        )
        env.update(self.extra_env)
        # The settings of this test process (pytest-django sets DJANGO_SETTINGS_MODULE), so that an
        # exchange installed only by a test's settings module (under tests/) is on the peer too.
        env.setdefault("DJANGO_SETTINGS_MODULE", "partnership.settings")
        return env

    def _argv(self, *args: str) -> list[str]:
        if self.skew:
            return [sys.executable, "-c", _SKEWED, str(self.skew), *args]
        return [sys.executable, "-m", "partnership.cli", *args]

    def call(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self._argv(*args), env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(f"partnership {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def start(self) -> Node:
        self.process = subprocess.Popen(
            self._argv("runserver", f"127.0.0.1:{self.port}", "--noreload", "--nothreading", "--skip-checks"),
            env=self.env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=2):
                    return self
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None:
                    raise AssertionError(
                        f"the {self.party} node exited with {self.process.returncode}"
                    ) from None
                time.sleep(0.1)
        raise AssertionError(f"the {self.party} node did not answer on {self.url}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def verifier_key(self) -> str:
        return self.call("ledger", "key").stdout.strip()

    def token(self, username: str) -> str:
        return self.call("token", "create", username).stdout.strip().split()[-1]

    def post(self, path: str, token: str, body: dict, method: str = "POST") -> dict:
        request = urllib.request.Request(
            self.url + path,
            data=json.dumps(body).encode(),
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            method=method,
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    def put(self, path: str, token: str, body: dict) -> dict:
        return self.post(path, token, body, method="PUT")

    def file_update(self, token: str, paragraph: int, narrative: str) -> dict:
        return self.post(
            f"/api/v1/actions/{paragraph}/updates",
            token,
            {"status": "on_track", "narrative": narrative, "language": "en"},
        )

    def flip_byte(self, table_column: str, index: int, log: str = "") -> None:
        """Change one byte of a stored entry's `record` or `signature` in this node's database."""
        flip_byte(self.database, table_column, index, log)

    def copy(self, data_dir: Path, skew_seconds: float = 0) -> Node:
        """Another node with a copy of this one's data: same party, same key, same log so far."""
        shutil.copytree(self.data_dir, data_dir)
        return Node(self.party, data_dir, skew_seconds)


def flip_byte(database: Path, column: str, index: int, log: str = "") -> None:
    if column not in ("record", "signature"):
        raise ValueError(column)
    with sqlite3.connect(database) as db:
        (value,) = db.execute(
            f'SELECT {column} FROM ledger_logentry WHERE log = ? AND "index" = ?', (log, index)
        ).fetchone()
        changed = bytearray(value)
        changed[len(changed) // 2] ^= 0x01
        db.execute(
            f'UPDATE ledger_logentry SET {column} = ? WHERE log = ? AND "index" = ?',
            (bytes(changed), log, index),
        )
