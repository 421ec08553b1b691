"""Our own SMART Health Cards, signed with a P-256 key made for the tests, to reach every error path."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from partnership.trust.health_certificates.trust import TrustStore

ISSUER = "https://issuer.example.org/shc"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


@dataclass
class IssuerKey:
    """A test issuer's signing key and its public JWK (kid = RFC 7638 thumbprint unless told)."""

    private: ec.EllipticCurvePrivateKey
    kid: str

    @classmethod
    def generate(cls, kid: str | None = None) -> IssuerKey:
        private = ec.generate_private_key(ec.SECP256R1())
        key = cls(private, "")
        key.kid = kid or thumbprint(key.public_jwk(""))
        return key

    def public_jwk(self, kid: str | None = None) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        return {
            "kty": "EC",
            "kid": self.kid if kid is None else kid,
            "use": "sig",
            "alg": "ES256",
            "crv": "P-256",
            "x": b64url(numbers.x.to_bytes(32, "big")),
            "y": b64url(numbers.y.to_bytes(32, "big")),
        }

    def key_set(self) -> dict[str, Any]:
        return {"keys": [self.public_jwk()]}

    def trust(self, issuer: str = ISSUER) -> TrustStore:
        store = TrustStore()
        store.add_key_set(issuer, self.key_set())
        return store

    def sign(
        self,
        claims: dict[str, Any] | None = None,
        *,
        header: dict[str, Any] | None = None,
        header_bytes: bytes | None = None,
        payload_bytes: bytes | None = None,
        compressed: bytes | None = None,
    ) -> str:
        """A compact JWS; each keyword replaces one layer with what a test wants to break."""
        header_bytes = (
            header_bytes
            or json.dumps(
                header if header is not None else {"zip": "DEF", "alg": "ES256", "kid": self.kid},
                separators=(",", ":"),
            ).encode()
        )
        if compressed is None:
            if payload_bytes is None:
                payload_bytes = json.dumps(
                    claims if claims is not None else card(), separators=(",", ":")
                ).encode()
            compressed = raw_deflate(payload_bytes)
        signing_input = f"{b64url(header_bytes)}.{b64url(compressed)}"
        der = self.private.sign(signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
        r, s = decode_dss_signature(der)
        return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638, written out independently of the code under test."""
    canonical = '{{"crv":"{crv}","kty":"{kty}","x":"{x}","y":"{y}"}}'.format(**jwk)
    return b64url(hashlib.sha256(canonical.encode()).digest())


def card(
    nbf: float = 1_700_000_000.25,
    *,
    issuer: str = ISSUER,
    exp: float | None = None,
    entries: list[Any] | None = None,
) -> dict[str, Any]:
    """The claims of a small vaccination card (two doses of CVX 208 and a negative PCR test)."""
    if entries is None:
        entries = [
            {
                "fullUrl": "resource:0",
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Tanaka", "given": ["Hanako", "M."]}],
                    "birthDate": "1980-02-29",
                },
            },
            immunization("208", "2021-06-01"),
            immunization("208", "2021-05-01"),
            immunization("999", "2021-07-01", status="entered-in-error"),
            {
                "fullUrl": "resource:4",
                "resource": {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": {"coding": [{"system": "http://loinc.org", "code": "94309-2"}]},
                    "effectiveDateTime": "2021-08-01T09:30:00+09:00",
                    "valueCodeableConcept": {
                        "coding": [{"system": "http://snomed.info/sct", "code": "260385009"}]
                    },
                },
            },
        ]
    claims: dict[str, Any] = {
        "iss": issuer,
        "nbf": nbf,
        "vc": {
            "type": ["https://smarthealth.cards#health-card"],
            "credentialSubject": {
                "fhirVersion": "4.0.1",
                "fhirBundle": {"resourceType": "Bundle", "type": "collection", "entry": entries},
            },
        },
    }
    if exp is not None:
        claims["exp"] = exp
    return claims


def immunization(cvx: str, when: str, status: str = "completed") -> dict[str, Any]:
    return {
        "fullUrl": "resource:x",
        "resource": {
            "resourceType": "Immunization",
            "status": status,
            "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": cvx}]},
            "patient": {"reference": "resource:0"},
            "occurrenceDateTime": when,
        },
    }


def numeric(jws: str) -> str:
    """The `shc:/` text of a JWS: each character as two digits (code point - 45)."""
    return "shc:/" + "".join(f"{ord(character) - 45:02d}" for character in jws)


def chunks(jws: str, count: int) -> list[str]:
    """The JWS split into `count` numeric chunks `shc:/C/N/digits` (split on character boundaries)."""
    size = -(-len(jws) // count)
    parts = [jws[start : start + size] for start in range(0, len(jws), size)]
    return [f"shc:/{index}/{count}/{numeric(part)[5:]}" for index, part in enumerate(parts, 1)]


def svg_qr_text(svg: str) -> str | None:
    """The text of a QR code drawn as an SVG of horizontal 1-unit strokes, read with zxing-cpp.

    None when zxing-cpp or Pillow is not installed, or the drawing is not of that shape.
    """
    try:
        import zxingcpp
        from PIL import Image, ImageDraw
    except ImportError:
        return None
    size = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    path = re.search(r'stroke="#000000" d="([^"]*)"', svg)
    if not size or not path:
        return None
    scale = 4
    image = Image.new("L", (int(size.group(1)) * scale, int(size.group(2)) * scale), 255)
    draw = ImageDraw.Draw(image)
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])\s*(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path.group(1)):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            end = float(a) if command == "H" else x + float(a)
            top = int((y - 0.5) * scale)
            draw.rectangle([int(x * scale), top, int(end * scale) - 1, top + scale - 1], fill=0)
            x = end
    results = zxingcpp.read_barcodes(image)
    return results[0].text if results else None
