"""The library stands alone (DESIGN.md): importable and usable without Django or its settings."""

import os
import subprocess
import sys

LIBRARY_ALONE = """
import sys
from datetime import UTC, datetime
from partnership.trust.health_certificates import dcc, qr, shc, vdsnc, verifier
from partnership.trust.health_certificates.trust import TrustStore

(result,) = verifier.verify_input(b"HC1:NCFOXN", TrustStore(), datetime.now(UTC))
assert result.error is not None and result.error.code == "dcc.zlib-truncated", result
loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
assert not loaded, loaded
"""


def test_the_library_imports_and_verifies_without_django():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", LIBRARY_ALONE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
