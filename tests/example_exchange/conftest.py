"""The example exchange is collected only when installed (`--ds tests.example_exchange.settings`, as
tests/test_example_exchange.py runs it); then its Japanese catalogue is compiled first, as `make messages`
compiles those under src/partnership (.mo files are build output, never committed)."""

import subprocess
from pathlib import Path

from django.apps import apps

HERE = Path(__file__).resolve().parent

if apps.is_installed("tests.example_exchange"):
    for catalogue in HERE.glob("locale/*/LC_MESSAGES/django.po"):
        subprocess.run(
            ["msgfmt", "--check-format", "-o", str(catalogue.with_suffix(".mo")), str(catalogue)], check=True
        )
else:
    collect_ignore_glob = ["test_*.py"]
