"""`partnership demo` on a fresh data directory: what it creates there is readable by its owner only.

The data directory holds the database, the Django secret key, the node's signing key, the demo password
and the uploaded attachments: anyone else on the machine who could read one of them could sign in as
any member or sign records as the node.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

PARTNERSHIP = Path(sys.executable).with_name("partnership")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_demo_creates_its_data_directory_for_its_owner_only(tmp_path):
    data_dir = tmp_path / "var"
    environment = {name: value for name, value in os.environ.items() if not name.startswith("PARTNERSHIP_")}
    environment.update(PARTNERSHIP_DATA_DIR=str(data_dir), PARTNERSHIP_DEMO_PASSWORD="")
    # A permissive umask, as on many desktops and containers: the modes must not depend on it.
    result = subprocess.run(  # noqa: S603 (our own command)
        ["/bin/sh", "-c", f"umask 000 && exec {PARTNERSHIP} demo --no-serve"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr

    for name in ("partnership.sqlite3", "secret-key", "node-key.pem", "demo-password"):
        assert mode(data_dir / name) == 0o600, name
    assert mode(data_dir) == 0o700
    uploads = data_dir / "uploads"
    folders = [uploads, *(path for path in uploads.rglob("*") if path.is_dir())]
    files = [path for path in uploads.rglob("*") if path.is_file()]
    assert files, "the demo seeds contributions with attachments"
    assert {path.name: mode(path) for path in folders} == {path.name: 0o700 for path in folders}
    assert {path.name: mode(path) for path in files} == {path.name: 0o600 for path in files}
    # Every other file the demo leaves there (its sample certificates, the SQLite journal) too.
    loose = [
        f"{path.relative_to(data_dir)} {mode(path):04o}" for path in data_dir.rglob("*") if mode(path) & 0o077
    ]
    assert not loose, loose
