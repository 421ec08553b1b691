"""Verify any supported certificate: detect the format, run its handler, return one `Result`.

Formats are handlers with `detect(text) -> bool` and `verify(text, trust, at) -> Certificate`, listed in
FORMATS; a new signed health or travel credential is one more module and one more line there.
"""

from __future__ import annotations

from datetime import UTC, datetime
from types import ModuleType

from . import dcc, shc, vdsnc
from .errors import MAX_INPUT_BYTES, CertificateError, Step
from .model import Result
from .qr import is_image, read_codes
from .trust import TrustStore

FORMATS: list[tuple[str, ModuleType]] = [("eu-dcc", dcc), ("shc", shc), ("vds-nc", vdsnc)]


def detect(text: str) -> tuple[str, ModuleType]:
    for name, handler in FORMATS:
        if handler.detect(text):
            return name, handler
    raise CertificateError(
        Step.PREFIX,
        "unknown-format",
        "not a certificate this verifier knows: an EU DCC starts with HC1:, a SMART Health Card with "
        "shc:/, an ICAO VDS-NC seal is JSON with data and sig",
    )


def verify(text: str, trust: TrustStore, at: datetime | None = None) -> Result:
    """Verify one certificate's text (QR content, JWS, seal JSON) against `trust` at `at` (now)."""
    at = at or datetime.now(UTC)
    try:
        name, handler = detect(text.strip())
    except CertificateError as error:
        return Result(None, error=error)
    try:
        return Result(name, handler.verify(text.strip(), trust, at))
    except CertificateError as error:
        return Result(name, error=error)


def read_input(data: bytes) -> list[str]:
    """The certificate texts in uploaded bytes: every QR code of an image, or the text itself."""
    if is_image(data):
        return read_codes(data)
    if len(data) > MAX_INPUT_BYTES:
        raise CertificateError(Step.PREFIX, "too-large", f"the input is larger than {MAX_INPUT_BYTES} bytes")
    try:
        return [data.decode("utf-8").strip()]
    except UnicodeDecodeError:
        raise CertificateError(
            Step.PREFIX, "not-text", "the input is neither an image nor UTF-8 text"
        ) from None


def verify_input(data: bytes, trust: TrustStore, at: datetime | None = None) -> list[Result]:
    """Every certificate in an upload (an image may hold several codes; the chunks of one SMART Health
    Card spread over several codes are joined), each verified."""
    try:
        texts = read_input(data)
    except CertificateError as error:
        return [Result(None, error=error)]
    chunks = [t for t in texts if t.lower().startswith("shc:/") and t.count("/") >= 3]
    others = [t for t in texts if t not in chunks]
    results = [verify(text, trust, at) for text in others]
    if chunks:
        results.append(verify("\n".join(chunks), trust, at))
    return results
