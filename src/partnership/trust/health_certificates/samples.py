"""Sample issuers for the demo: one EU DCC signer, one SMART Health Cards issuer and one ICAO CSCA with
its seal signer, each with a freshly generated key, and a certificate of each format they issue.

Not for real certificates: it exists so that `make demo` has something to verify (the keys go into
both parties' demo trust stores, the QR images into the data directory). Real issuers are the Member
States, Japan's municipalities and the Digital Agency.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import cbor2
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.x509.oid import NameOID

from partnership.ledger.canonical import canonical_json

from .shc import base64url_encode
from .trust import TrustStore

SHC_ISSUER = "https://demo.partnership.invalid/shc"
B45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


@dataclass
class Samples:
    trust: TrustStore
    files: dict[str, bytes]  # name -> certificate (text) or trust material to write to disk
    texts: dict[str, str]  # format -> the certificate's QR text


def _raw(signature: bytes) -> bytes:
    r, s = decode_dss_signature(signature)
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


def _b45encode(data: bytes) -> str:
    out = []
    for i in range(0, len(data), 2):
        chunk = data[i : i + 2]
        n = int.from_bytes(chunk, "big")
        digits = 3 if len(chunk) == 2 else 2
        for _ in range(digits):
            n, rest = divmod(n, 45)
            out.append(B45[rest])
    return "".join(out)


def _certificate(subject: str, country: str, key, issuer_name=None, issuer_key=None, ca=False, days=3650):
    name = x509.Name(
        [x509.NameAttribute(NameOID.COUNTRY_NAME, country), x509.NameAttribute(NameOID.COMMON_NAME, subject)]
    )
    now = datetime.now(UTC) - timedelta(days=1)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer_name or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(issuer_key or key, hashes.SHA256())
    )


def issue(today: date | None = None) -> Samples:
    today = today or datetime.now(UTC).date()
    trust, files, texts = TrustStore(), {}, {}
    course = [(today - timedelta(days=200), 1), (today - timedelta(days=170), 2)]

    # EU DCC: a document signer of "EU demo", a vaccination certificate valid for a year.
    key = ec.generate_private_key(ec.SECP256R1())
    dsc = _certificate("EU demo DCC signer", "BE", key)
    der = dsc.public_bytes(serialization.Encoding.DER)
    trust.add_certificate(der, kind="dcc-signer")
    kid = trust_kid(der)
    when, dose = course[-1]
    dcc = {
        "ver": "1.3.0",
        "nam": {"fn": "Janssens", "gn": "Marie", "fnt": "JANSSENS", "gnt": "MARIE"},
        "dob": "1985-04-12",
        "v": [
            {
                "tg": "840539006",
                "vp": "1119349007",
                "mp": "EU/1/20/1528",
                "ma": "ORG-100030215",
                "dn": dose,
                "sd": 2,
                "dt": when.isoformat(),
                "co": "BE",
                "is": "Partnership demo",
                "ci": "URN:UVCI:01:BE:DEMO0000000000001#1",
            }
        ],
    }
    now = int(datetime.now(UTC).timestamp())
    payload = cbor2.dumps({1: "BE", 6: now, 4: now + 365 * 86400, -260: {1: dcc}})
    protected = cbor2.dumps({1: -7, 4: kid})
    signed = cbor2.dumps(["Signature1", protected, b"", payload])
    cose = cbor2.dumps(
        cbor2.CBORTag(18, [protected, {}, payload, _raw(key.sign(signed, ec.ECDSA(hashes.SHA256())))])
    )
    texts["eu-dcc"] = "HC1:" + _b45encode(zlib.compress(cose, 9))
    files["trust/eu-dcc-signer.pem"] = dsc.public_bytes(serialization.Encoding.PEM)

    # SMART Health Card: an issuer with one key, a card with two doses of Spikevax.
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": base64url_encode(numbers.x.to_bytes(32, "big")),
        "y": base64url_encode(numbers.y.to_bytes(32, "big")),
    }
    jwk_kid = base64url_encode(
        hashlib.sha256(json.dumps(jwk, sort_keys=True, separators=(",", ":")).encode()).digest()
    )
    jwks = {"keys": [{**jwk, "kid": jwk_kid, "use": "sig", "alg": "ES256"}]}
    trust.add_key_set(SHC_ISSUER, jwks)
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {
                "fullUrl": "resource:0",
                "resource": {
                    "resourceType": "Patient",
                    "name": [{"family": "Yamada", "given": ["Hanako"]}],
                    "birthDate": "1990-07-01",
                },
            },
        ]
        + [
            {
                "fullUrl": f"resource:{n}",
                "resource": {
                    "resourceType": "Immunization",
                    "status": "completed",
                    "vaccineCode": {"coding": [{"system": "http://hl7.org/fhir/sid/cvx", "code": "207"}]},
                    "patient": {"reference": "resource:0"},
                    "occurrenceDateTime": day.isoformat(),
                },
            }
            for day, n in course
        ],
    }
    claims = {
        "iss": SHC_ISSUER,
        "nbf": now,
        "vc": {
            "type": ["https://smarthealth.cards#health-card"],
            "credentialSubject": {"fhirVersion": "4.0.1", "fhirBundle": bundle},
        },
    }
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = compressor.compress(json.dumps(claims, separators=(",", ":")).encode()) + compressor.flush()
    header = base64url_encode(
        json.dumps({"alg": "ES256", "zip": "DEF", "kid": jwk_kid}, separators=(",", ":")).encode()
    )
    signing_input = f"{header}.{base64url_encode(body)}"
    signature = _raw(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    jws = f"{signing_input}.{base64url_encode(signature)}"
    texts["shc"] = "shc:/" + "".join(f"{ord(c) - 45:02d}" for c in jws)
    files["trust/shc-issuer-jwks.json"] = json.dumps(jwks, indent=2).encode()

    # ICAO VDS-NC: a demo CSCA of Japan and a seal signer, a vaccination seal of three doses.
    csca_key = ec.generate_private_key(ec.SECP256R1())
    csca = _certificate("Partnership demo CSCA", "JP", csca_key, ca=True)
    signer_key = ec.generate_private_key(ec.SECP256R1())
    signer = _certificate("Partnership demo seal signer", "JP", signer_key, csca.subject, csca_key, days=1000)
    trust.add_certificate(csca.public_bytes(serialization.Encoding.DER), kind="csca")
    data = {
        "hdr": {"is": "JPN", "t": "icao.vacc", "v": 1},
        "msg": {
            "pid": {"n": "SATO TARO", "dob": "1978-11-03", "i": "TZ0000000"},
            "uvci": "DEMO0000001",
            "ve": [
                {
                    "des": "XM8NQ0",
                    "dis": "RA01.0",
                    "nam": "COMIRNATY",
                    "vd": [
                        {
                            "adm": "Partnership demo",
                            "ctr": "JPN",
                            "dvc": day.isoformat(),
                            "lot": "DEMO",
                            "seq": n,
                        }
                    ],
                }
                for day, n in course
            ],
        },
    }
    signature = _raw(signer_key.sign(canonical_json(data), ec.ECDSA(hashes.SHA256())))
    seal = {
        "data": data,
        "sig": {
            "alg": "ES256",
            "cer": base64url_encode(signer.public_bytes(serialization.Encoding.DER)),
            "sigvl": base64url_encode(signature),
        },
    }
    texts["vds-nc"] = json.dumps(seal, separators=(",", ":"), ensure_ascii=False)
    files["trust/vds-nc-csca.pem"] = csca.public_bytes(serialization.Encoding.PEM)
    return Samples(trust, files, texts)


def trust_kid(der: bytes) -> bytes:
    return hashlib.sha256(der).digest()[:8]


def qr_png(text: str) -> bytes:
    """A PNG of the QR code of `text` (zxing-cpp writes it, Pillow encodes it)."""
    import io

    import zxingcpp
    from PIL import Image

    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=4)
    height, width = code.shape[:2]
    out = io.BytesIO()
    page = Image.new("L", (width + 40, height + 40), 255)
    pixels = bytes(memoryview(code))  # type: ignore[arg-type]  # zxing-cpp's Image has the buffer protocol
    page.paste(Image.frombytes("L", (width, height), pixels), (20, 20))
    page.save(out, "PNG")
    return out.getvalue()
