"""Every way a certificate can fail, as one error type with a stable code and the step that failed.

The library never lets another exception reach its caller for bad input: each decoding step catches what
its parser raises and turns it into a `CertificateError` naming the step, so the CLI, the API and the web
page can say precisely what is wrong (and in the reader's language: the code is the message's key).
"""

from __future__ import annotations

from enum import StrEnum


class Step(StrEnum):
    """The steps of a verification, in the order they run (the `step` of an error)."""

    PREFIX = "prefix"  # recognising the format: HC1:, shc:/, a VDS-NC JSON seal
    BASE45 = "base45"  # base45 (DCC), numeric shc digits, base64url (SHC, VDS-NC)
    DECOMPRESS = "decompress"  # zlib (DCC), raw DEFLATE (SHC)
    CBOR = "cbor"  # CBOR (DCC)
    JSON = "json"  # JSON (SHC payload, VDS-NC seal)
    STRUCTURE = "structure"  # COSE_Sign1 / JWS / seal / claims structure
    TRUST = "trust"  # finding the signer: kid, issuer key set, certificate chain
    SIGNATURE = "signature"  # the signature itself, and its algorithm
    VALIDITY = "validity"  # expiry and not-before against the validation clock
    KEY_USAGE = "key-usage"  # the signer may sign this kind of certificate
    RULES = "rules"  # a party's acceptance rules (equivalence)


class CertificateError(Exception):
    """A certificate that cannot be read or does not verify; `code` is stable, `message` says why."""

    def __init__(self, step: Step, code: str, message: str) -> None:
        super().__init__(message)
        self.step = Step(step)
        self.code = code
        self.message = message

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "step": self.step.value, "message": self.message}

    def __repr__(self) -> str:
        return f"CertificateError({self.step.value!r}, {self.code!r}, {self.message!r})"


# The largest input accepted, before and after decompression: a QR code holds under 3 KB; a SMART Health
# Card file may hold several cards. Anything larger is refused before it is decoded (a decompression bomb
# is stopped at this many output bytes).
MAX_INPUT_BYTES = 64 * 1024
MAX_DECOMPRESSED_BYTES = 256 * 1024
