"""Our own VDS-NC test vectors: CSCAs, signer certificates and seals made with keys of the test run.

Certificates are assembled with asn1crypto (and signed with `cryptography`) so a test can give them the
encodings real CSCAs use and `cryptography` refuses: an explicit NULL after ecdsa-with-SHA*, and EC keys
with explicit curve parameters.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from asn1crypto import algos, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from partnership.trust.health_certificates.vdsnc import _EXPLICIT_CURVES

NOT_BEFORE = datetime(2021, 1, 1, tzinfo=UTC)
NOT_AFTER = datetime(2031, 1, 1, tzinfo=UTC)

PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


def name(common_name: str, country: str) -> asn1_x509.Name:
    return asn1_x509.Name.build({"country_name": country, "common_name": common_name})


def _explicit(info: asn1_keys.PublicKeyInfo, curve: str) -> asn1_keys.PublicKeyInfo:
    p, a, b, gx, gy, n = _EXPLICIT_CURVES[curve]
    size = (p.bit_length() + 7) // 8
    specified = asn1_keys.SpecifiedECDomain(
        {
            "version": "ecdpVer1",
            "field_id": {"field_type": "prime_field", "parameters": p},
            "curve": {"a": a.to_bytes(size, "big"), "b": b.to_bytes(size, "big")},
            "base": b"\x04" + gx.to_bytes(size, "big") + gy.to_bytes(size, "big"),
            "order": n,
            "cofactor": 1,
        }
    )
    return asn1_keys.PublicKeyInfo(
        {
            "algorithm": {
                "algorithm": "ec",
                "parameters": asn1_keys.ECDomainParameters("specified", specified),
            },
            "public_key": info["public_key"].native,
        }
    )


def _signature_algorithm(
    issuer_key: PrivateKey, explicit_null: bool, pss: bool
) -> algos.SignedDigestAlgorithm:
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        oid = "sha384_ecdsa" if issuer_key.curve.key_size >= 384 else "sha256_ecdsa"
        if explicit_null:
            return algos.SignedDigestAlgorithm({"algorithm": oid, "parameters": core.Null()})
        return algos.SignedDigestAlgorithm({"algorithm": oid})
    if pss:
        return algos.SignedDigestAlgorithm(
            {
                "algorithm": "rsassa_pss",
                "parameters": {
                    "hash_algorithm": {"algorithm": "sha256"},
                    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": "sha256"}},
                    "salt_length": 32,
                },
            }
        )
    return algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa", "parameters": core.Null()})


def _sign(issuer_key: PrivateKey, data: bytes, pss: bool) -> bytes:
    if isinstance(issuer_key, ec.EllipticCurvePrivateKey):
        hash_class = hashes.SHA384 if issuer_key.curve.key_size >= 384 else hashes.SHA256
        return issuer_key.sign(data, ec.ECDSA(hash_class()))
    if pss:
        return issuer_key.sign(data, padding.PSS(padding.MGF1(hashes.SHA256()), 32), hashes.SHA256())
    return issuer_key.sign(data, padding.PKCS1v15(), hashes.SHA256())


def certificate(
    subject: asn1_x509.Name,
    issuer: asn1_x509.Name,
    public_key: Any,
    issuer_key: PrivateKey,
    *,
    ca: bool = False,
    serial: int = 1,
    not_before: datetime = NOT_BEFORE,
    not_after: datetime = NOT_AFTER,
    explicit_curve: str | None = None,
    explicit_null: bool = False,
    pss: bool = False,
) -> bytes:
    """A DER certificate for `public_key`, signed by `issuer_key`."""
    info = asn1_keys.PublicKeyInfo.load(
        public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    if explicit_curve:
        info = _explicit(info, explicit_curve)
    algorithm = _signature_algorithm(issuer_key, explicit_null, pss)
    extensions = []
    if ca:
        extensions.append(
            {
                "extn_id": "basic_constraints",
                "critical": True,
                "extn_value": {"ca": True, "path_len_constraint": 0},
            }
        )
    tbs = asn1_x509.TbsCertificate(
        {
            "version": "v3",
            "serial_number": serial,
            "signature": algorithm,
            "issuer": issuer,
            "validity": {
                "not_before": asn1_x509.Time({"utc_time": not_before}),
                "not_after": asn1_x509.Time({"utc_time": not_after}),
            },
            "subject": subject,
            "subject_public_key_info": info,
            "extensions": extensions,
        }
    )
    signature = _sign(issuer_key, tbs.dump(), pss)
    return asn1_x509.Certificate(
        {"tbs_certificate": tbs, "signature_algorithm": algorithm, "signature_value": signature}
    ).dump()


def b64url(data: bytes, pad: bool = False) -> str:
    text = base64.urlsafe_b64encode(data).decode("ascii")
    return text if pad else text.rstrip("=")


def sign_seal(
    data: dict[str, Any], key: PrivateKey, signer_der: bytes, alg: str = "ES256", pad: bool = False
):
    """A seal over `data` (the signature over its RFC 8785 canonical JSON)."""
    signed = rfc8785.dumps(data)
    hash_class = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}[alg[2:]]
    if isinstance(key, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(key.sign(signed, ec.ECDSA(hash_class())))
        size = (key.curve.key_size + 7) // 8
        signature = r.to_bytes(size, "big") + s.to_bytes(size, "big")
    elif alg.startswith("PS"):
        signature = key.sign(
            signed, padding.PSS(padding.MGF1(hash_class()), hash_class.digest_size), hash_class()
        )
    else:
        signature = key.sign(signed, padding.PKCS1v15(), hash_class())
    return {
        "data": data,
        "sig": {"alg": alg, "cer": b64url(signer_der, pad), "sigvl": b64url(signature, pad)},
    }


def vaccination_data(country: str = "FRA") -> dict[str, Any]:
    return {
        "hdr": {"t": "icao.vacc", "v": 1, "is": country},
        "msg": {
            "uvci": "U0001",
            "pid": {"n": "Dupont Marie", "dob": "1980-05-17", "i": "X1234567"},
            "ve": [
                {
                    "des": "XM68M6",
                    "nam": "Spikevax",
                    "dis": "RA01.0",
                    "vd": [
                        {"dvc": "2021-05-01", "seq": "1", "ctr": "FRA", "adm": "Paris", "lot": "A1"},
                        {"dvc": "2021-06-01", "seq": 2, "ctr": "FRA", "adm": "Paris", "lot": "A2"},
                    ],
                }
            ],
        },
    }


def report_data(country: str = "FRA") -> dict[str, Any]:
    return {
        "hdr": {"t": "icao.test", "v": 1, "is": country},
        "msg": {
            "utci": "T0001",
            "pid": {"n": "Cook Gerald", "dob": "1990-01-29", "dt": "P", "dn": "E1234567P"},
            "sp": {"spn": "General Hospital", "ctr": "FRA", "cd": {"p": "+33 1 00 00 00 00"}},
            "dat": {"sc": "2021-02-11T14:00:00+08:00", "ri": "2021-02-12T12:00:00+08:00"},
            "tr": {"tc": "molecular(PCR)", "r": "negative", "m": "nasopharyngeal"},
        },
    }


@dataclass
class Issuer:
    """A country's CSCA and one signer it certified."""

    csca_key: PrivateKey
    csca_der: bytes
    signer_key: PrivateKey
    signer_der: bytes

    def seal(self, data: dict[str, Any] | None = None, **options: Any) -> dict[str, Any]:
        return sign_seal(data or vaccination_data(), self.signer_key, self.signer_der, **options)

    def text(self, data: dict[str, Any] | None = None, **options: Any) -> str:
        return json.dumps(self.seal(data, **options), indent=2)


def issuer(
    country: str = "FR",
    csca_key: PrivateKey | None = None,
    signer_key: PrivateKey | None = None,
    **signer_options: Any,
) -> Issuer:
    """A CSCA (P-384 unless given) of `country` and a P-256 signer it signed (options go to `certificate`)."""
    csca_key = csca_key or ec.generate_private_key(ec.SECP384R1())
    signer_key = signer_key or ec.generate_private_key(ec.SECP256R1())
    csca_name = name("Test CSCA", country)
    csca_der = certificate(csca_name, csca_name, csca_key.public_key(), csca_key, ca=True)
    signer_der = certificate(
        name("Test health signer", country),
        csca_name,
        signer_key.public_key(),
        csca_key,
        serial=2,
        **signer_options,
    )
    return Issuer(csca_key, csca_der, signer_key, signer_der)
