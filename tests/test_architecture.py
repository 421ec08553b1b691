"""DESIGN.md as checks: the pure libraries work with no Django settings (`make lint` runs the
import contracts of pyproject.toml with `lint-imports`)."""

import hashlib
import json
import os
import subprocess
import sys

# The modules that DESIGN.md (and pyproject's import-linter contract) call pure libraries.
PURE = [
    "partnership.ledger.canonical",
    "partnership.ledger.keys",
    "partnership.ledger.records",
    "partnership.ledger.checkpoint",
    "partnership.ledger.merkle",
    "partnership.ledger.sealing",
    "partnership.trust.health_certificates.dcc",
    "partnership.trust.health_certificates.shc",
    "partnership.trust.health_certificates.vdsnc",
    "partnership.trust.health_certificates.qr",
    "partnership.trust.health_certificates.verifier",
    "partnership.trust.health_certificates.equivalence",
    "partnership.detection",
    "partnership.detection.backtest",
    "partnership.detection.synthetic",
]

SCRIPT = """
import importlib, json, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
from partnership.ledger.canonical import canonical_json
from partnership.ledger.merkle import leaf_hash, root
print(json.dumps({
    "django": sorted(m for m in sys.modules if m == "django" or m.startswith("django.")),
    "canonical": canonical_json({"b": 1, "a": "\\u65e5"}).decode(),
    "root": root([leaf_hash(b"a"), leaf_hash(b"b")]).hex(),
}))
"""


def test_the_pure_libraries_import_and_work_without_django_settings():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", SCRIPT, *PURE], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["django"] == [], "a pure library pulled in Django"
    assert found["canonical"] == '{"a":"日","b":1}'
    # RFC 6962 section 2.1, computed here independently.
    leaves = [hashlib.sha256(b"\x00" + data).digest() for data in (b"a", b"b")]
    assert found["root"] == hashlib.sha256(b"\x01" + leaves[0] + leaves[1]).hexdigest()
