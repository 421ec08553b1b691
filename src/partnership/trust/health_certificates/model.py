"""One model of what a health certificate says, whatever its format.

Each format's handler maps its own vocabulary into this one (see `vocabulary`), keeping the original
claims in `raw` so nothing is lost silently: what a mapping cannot carry is listed in `unmapped`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from .errors import CertificateError


@dataclass(frozen=True)
class Holder:
    family_name: str
    given_name: str
    date_of_birth: str  # ISO 8601 as the certificate has it: YYYY, YYYY-MM or YYYY-MM-DD (may be "")


@dataclass(frozen=True)
class Vaccination:
    product: str  # our vocabulary's product id, e.g. "comirnaty"; "unknown" if the code is not known
    product_code: str  # the code as the certificate carries it, with its system: "EU:EU/1/20/1528"
    manufacturer: str  # our vocabulary's manufacturer id ("" when the format does not say)
    dose: int | None  # dose number, when the format says
    doses: int | None  # doses in the primary course, when the format says
    date: date
    country: str  # ISO 3166-1 alpha-2 or alpha-3 as given ("" when the format does not say)
    kind: str = "vaccination"


@dataclass(frozen=True)
class Test:
    __test__ = False  # not a pytest test class, for test modules that import it
    test_type: str  # "naat" (PCR) | "rat" (rapid antigen) | "unknown"
    result: str  # "negative" | "positive" | "unknown"
    sampled_at: datetime
    country: str
    kind: str = "test"


@dataclass(frozen=True)
class Recovery:
    first_positive: date
    valid_from: date | None
    valid_until: date | None
    country: str
    kind: str = "recovery"


Event = Vaccination | Test | Recovery


@dataclass
class Certificate:
    format: str  # "eu-dcc" | "shc" | "vds-nc"
    holder: Holder
    events: list[Event]
    issuer: str  # country code (DCC, VDS-NC) or issuer URL (SHC)
    issued_at: datetime | None
    expires_at: datetime | None
    not_before: datetime | None = None
    signer: str = ""  # what verified it: a kid, a key thumbprint, a certificate subject
    raw: dict[str, Any] = field(default_factory=dict)  # the certificate's own claims, as decoded
    unmapped: list[str] = field(default_factory=list)  # codes our vocabulary does not know

    def as_json(self) -> dict[str, Any]:
        def value(v: Any) -> Any:
            if isinstance(v, (datetime, date)):
                return v.isoformat()
            if isinstance(v, dict):
                return {k: value(x) for k, x in v.items()}
            if isinstance(v, list):
                return [value(x) for x in v]
            if isinstance(v, bytes):
                return v.hex()
            return v

        return value(asdict(self))


@dataclass
class Result:
    """What a verification concludes. `certificate` is filled as far as decoding got."""

    format: str | None
    certificate: Certificate | None = None
    error: CertificateError | None = None

    @property
    def valid(self) -> bool:
        return self.error is None and self.certificate is not None

    def as_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "format": self.format,
            "error": self.error.as_json() if self.error else None,
            "certificate": self.certificate.as_json() if self.certificate else None,
        }
