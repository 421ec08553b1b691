"""Our own EU DCC test vectors: test signer keys and certificates, COSE_Sign1 and CWT built by hand.

Everything is made with cryptography, cbor2, zlib and base45 (not with the code under test), so the
tests of `dcc` check it against an independent encoder.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import base45
import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from partnership.trust.health_certificates.trust import TrustStore, read_certificate

ES256 = -7
PS256 = -37
TEST_OID = "1.3.6.1.4.1.1847.2021.1.1"
VACCINATION_OID = "1.3.6.1.4.1.1847.2021.1.2"
RECOVERY_OID = "1.3.6.1.4.1.1847.2021.1.3"
ALTERNATIVE_VACCINATION_OID = "1.3.6.1.4.1.0.1847.2021.1.2"
CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2"

ISSUED = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
EXPIRES = ISSUED + timedelta(days=365)
CLOCK = ISSUED + timedelta(days=30)

VACCINATION = {
    "ver": "1.3.0",
    "nam": {"fn": "Musterfrau-Gößinger", "fnt": "MUSTERFRAU<GOESSINGER", "gn": "Gabriele", "gnt": "GABRIELE"},
    "dob": "1998-02-26",
    "v": [
        {
            "tg": "840539006",
            "vp": "1119349007",
            "mp": "EU/1/20/1528",
            "ma": "ORG-100030215",
            "dn": 2,
            "sd": 2,
            "dt": "2021-06-11",
            "co": "AT",
            "is": "Ministry of Health, Austria",
            "ci": "URN:UVCI:01:AT:10807843F94AEE0EE5093FBC254BD813#B",
        }
    ],
}
TEST = {
    "ver": "1.3.0",
    "nam": {"fnt": "YAMADA", "gnt": "HANAKO"},
    "dob": "1980",
    "t": [
        {
            "tg": "840539006",
            "tt": "LP6464-4",
            "nm": "PCR",
            "sc": "2026-04-01T10:00:00Z",
            "tr": "260415000",
            "tc": "Test centre",
            "co": "DE",
            "is": "Robert Koch-Institut",
            "ci": "URN:UVCI:01:DE:187/37512422923",
        }
    ],
}
RECOVERY = {
    "ver": "1.3.0",
    "nam": {"fn": "Dupont", "fnt": "DUPONT", "gn": "Marie"},
    "dob": "1970-01-31",
    "r": [
        {
            "tg": "840539006",
            "fr": "2026-03-01",
            "df": "2026-03-12",
            "du": "2026-08-28",
            "co": "FR",
            "is": "Ministère de la Santé",
            "ci": "URN:UVCI:01:FR:W7V2BE46QSBJ#L",
        }
    ],
}


@dataclass(frozen=True)
class Signer:
    """A test document signer: its private key, its self-signed certificate (DER) and its kid."""

    key: Any
    der: bytes
    alg: int

    @property
    def kid(self) -> bytes:
        return read_certificate(self.der).kid

    def trust(self) -> TrustStore:
        store = TrustStore()
        store.add_certificate(self.der, kind="dcc-signer")
        return store


@cache
def signer(
    kind: str = "ec", usages: tuple[str, ...] = (), name: str = "DCC test signer", ca: bool = False
) -> Signer:
    """A self-signed document signer, EC P-256 (ES256) or RSA 2048 (PS256), with the given EKU OIDs.

    `ca`: signed the way one country's official test data is: basic constraints CA=true and a key
    usage of keyCertSign and cRLSign only (no digitalSignature)."""
    key: Any = (
        ec.generate_private_key(ec.SECP256R1()) if kind == "ec" else rsa.generate_private_key(65537, 2048)
    )
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, "JP"), x509.NameAttribute(NameOID.COMMON_NAME, name)]
    )
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(ISSUED - timedelta(days=1))
        .not_valid_after(EXPIRES + timedelta(days=1))
    )
    if ca:
        builder = builder.add_extension(
            x509.BasicConstraints(ca=True, path_length=None), critical=True
        ).add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    if usages:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([x509.ObjectIdentifier(oid) for oid in usages]), critical=False
        )
    certificate = builder.sign(key, hashes.SHA256())
    return Signer(key, certificate.public_bytes(serialization.Encoding.DER), ES256 if kind == "ec" else PS256)


def claims(
    dcc: dict[str, Any] | None = None,
    issued: datetime | None = ISSUED,
    expires: datetime | None = EXPIRES,
    issuer: Any = "AT",
    extra: dict[Any, Any] | None = None,
) -> bytes:
    """CWT claims (RFC 8392) with the hcert claim -260 holding `dcc`."""
    values: dict[Any, Any] = {1: issuer}
    if issued is not None:
        values[6] = int(issued.timestamp())
    if expires is not None:
        values[4] = int(expires.timestamp())
    values[-260] = {1: VACCINATION if dcc is None else dcc}
    values.update(extra or {})
    return cbor2.dumps(values)


def sign(
    payload: bytes,
    by: Signer,
    *,
    alg: int | None = None,
    protected: dict[Any, Any] | None = None,
    unprotected: dict[Any, Any] | None = None,
    tag: str = "cose",
    corrupt: bool = False,
    signature: bytes | None = None,
) -> bytes:
    """A COSE_Sign1 message (RFC 9052) over `payload`; by default alg and kid in the protected header.

    `tag` is "cose" (tag 18), "cwt" (tag 61 around tag 18) or "none" (untagged).
    """
    header = {1: by.alg if alg is None else alg, 4: by.kid} if protected is None else protected
    protected_bytes = cbor2.dumps(header) if header else b""
    to_sign = cbor2.dumps(["Signature1", protected_bytes, b"", payload])
    if signature is None:
        if isinstance(by.key, ec.EllipticCurvePrivateKey):
            r, s = decode_dss_signature(by.key.sign(to_sign, ec.ECDSA(hashes.SHA256())))
            signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
        else:
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            signature = by.key.sign(to_sign, pss, hashes.SHA256())
    if corrupt:
        signature = bytes([signature[0] ^ 0x01]) + signature[1:]
    message: Any = [protected_bytes, unprotected or {}, payload, signature]
    if tag in ("cose", "cwt"):
        message = cbor2.CBORTag(18, message)
    if tag == "cwt":
        message = cbor2.CBORTag(61, message)
    return cbor2.dumps(message)


def qr_text(cose: bytes, compress: bool = True) -> str:
    """The QR code's text: HC1: + base45(zlib(COSE))."""
    return "HC1:" + base45.b45encode(zlib.compress(cose, 9) if compress else cose).decode("ascii")


def text_of(data: bytes) -> str:
    """HC1: + base45 of already compressed (or deliberately broken) bytes."""
    return "HC1:" + base45.b45encode(data).decode("ascii")


def _der_length(length: int) -> bytes:
    if length < 0x80:
        return bytes([length])
    octets = length.to_bytes((length.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(octets)]) + octets


def _der_header(data: bytes, offset: int) -> tuple[int, int]:
    """(header length, content length) of the DER element at `offset`."""
    first = data[offset + 1]
    if first < 0x80:
        return 2, first
    count = first & 0x7F
    return 2 + count, int.from_bytes(data[offset + 2 : offset + 2 + count], "big")


def with_non_minimal_serial(der: bytes) -> bytes:
    """The certificate with its serial number padded by a needless 0x00 byte: invalid DER that
    cryptography refuses and asn1crypto reads (as real, badly encoded signer certificates are)."""
    outer_header, _ = _der_header(der, 0)
    tbs_start = outer_header
    tbs_header, tbs_length = _der_header(der, tbs_start)
    position = tbs_start + tbs_header
    if der[position] == 0xA0:  # [0] version
        version_header, version_length = _der_header(der, position)
        position += version_header + version_length
    serial_header, serial_length = _der_header(der, position)
    serial = der[position + serial_header : position + serial_header + serial_length]
    padded = b"\x02" + _der_length(len(serial) + 1) + b"\x00" + serial
    tbs_content = (
        der[tbs_start + tbs_header : position]
        + padded
        + der[position + serial_header + serial_length : tbs_start + tbs_header + tbs_length]
    )
    tbs = b"\x30" + _der_length(len(tbs_content)) + tbs_content
    rest = der[tbs_start + tbs_header + tbs_length :]
    body = tbs + rest
    return b"\x30" + _der_length(len(body)) + body
