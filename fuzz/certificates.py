"""Coverage-guided fuzzing of the health-certificate decoders with atheris (libFuzzer).

    .venv/bin/pip install atheris
    .venv/bin/python fuzz/certificates.py tests/trust/health_certificates/corpus -max_total_time=60

Each input is turned into a certificate text of one of the three formats (its first byte picks the
format's prefix) and verified against a store holding real-shaped keys; anything but a `Result` (an
exception) is a crash. libFuzzer adds the inputs that reach new code to the corpus folder, which is
kept in the repository; tests/trust/health_certificates/test_corpus.py replays it on every test run.
"""

import sys
from datetime import UTC, datetime
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

with atheris.instrument_imports():
    from partnership.trust.health_certificates.trust import TrustStore
    from partnership.trust.health_certificates.verifier import verify_input

PREFIXES = (b"HC1:", b"shc:/", b'{"data":', b"[", b"")
TRUST = TrustStore()
AT = datetime(2022, 6, 1, tzinfo=UTC)


def one_input(data: bytes) -> None:
    if not data:
        return
    prefix = PREFIXES[data[0] % len(PREFIXES)]
    verify_input(prefix + data[1:], TRUST, AT)  # returns Results; an exception is a crash


if __name__ == "__main__":
    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()
