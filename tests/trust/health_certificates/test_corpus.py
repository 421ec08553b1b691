"""Replays the fuzzing corpus (fuzz/certificates.py keeps it in corpus/): every input, however broken,
ends in a Result with a specific error, never in an exception, and quickly."""

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from partnership.trust.health_certificates.errors import CertificateError
from partnership.trust.health_certificates.trust import TrustStore
from partnership.trust.health_certificates.verifier import verify_input

CORPUS = Path(__file__).with_name("corpus")
PREFIXES = (b"HC1:", b"shc:/", b'{"data":', b"[", b"")  # as fuzz/certificates.py builds its inputs
FILES = sorted(path for path in CORPUS.iterdir() if path.is_file())


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name[:16])
def test_every_corpus_input_gives_a_result(path):
    data = path.read_bytes()
    if not data:
        return
    started = time.perf_counter()
    results = verify_input(
        PREFIXES[data[0] % len(PREFIXES)] + data[1:], TrustStore(), datetime(2022, 6, 1, tzinfo=UTC)
    )
    assert time.perf_counter() - started < 2
    assert results
    for result in results:
        assert not result.valid
        assert isinstance(result.error, CertificateError) and result.error.code


def test_a_huge_chunk_count_is_refused_without_listing_the_chunks():
    (result,) = verify_input(b"shc:/1/7777777777777771/00", TrustStore(), datetime(2022, 6, 1, tzinfo=UTC))
    assert result.error.code == "shc.chunks" and "at most 20" in result.error.message
