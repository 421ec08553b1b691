"""EU Digital COVID Certificates: "HC1:" + base45(zlib(COSE_Sign1(CWT))), verified step by step.

The chain is that of the eHealth Network's hcert specification (v1.0.5): strip the context prefix,
base45-decode, inflate with zlib, read the COSE_Sign1 message (RFC 9052), find the document signer
certificate by its `kid`, check the ES256 or PS256 signature, then read the CWT claims (RFC 8392: iss,
iat, exp and the hcert claim -260 holding the DCC JSON), check them against the validation clock and
check that the signer's extended key usage allows the kind of certificate it signed.

Each step is a function of its own raising `CertificateError` with the step and a stable code, so a
caller (and the conformance tests with the dgc-testdata files) can run the chain up to any step.
COSE is done by hand here: pycose does not work with cbor2 6.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

import cbor2
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from . import vocabulary
from .errors import MAX_DECOMPRESSED_BYTES, MAX_INPUT_BYTES, CertificateError, Step
from .model import Certificate, Event, Holder, Recovery, Test, Vaccination
from .schema import check_schema
from .trust import TrustedCertificate, TrustStore

FORMAT = "eu-dcc"
PREFIX = "HC1:"

# COSE header labels and algorithms (RFC 9052 section 3.1, RFC 9053, RFC 8230)
HEADER_ALG = 1
HEADER_KID = 4
ES256 = -7
PS256 = -37
ALGORITHMS = {ES256: "ES256", PS256: "PS256"}

# CBOR tags: COSE_Sign1 (RFC 9052) and CWT (RFC 8392), which may wrap the COSE tag
TAG_COSE_SIGN1 = 18
TAG_CWT = 61

# CWT claim keys (RFC 8392) and the hcert claim (hcert spec section 3.3.1)
CLAIM_ISS = 1
CLAIM_EXP = 4
CLAIM_IAT = 6
CLAIM_HCERT = -260
HCERT_EU_DCC = 1

# Extended key usage OIDs that restrict a document signer to some kinds of certificate (hcert spec
# section 5.1.1); both the registered arc and the alternative one appear in real signer certificates.
KEY_USAGE_OIDS = {
    "1.3.6.1.4.1.1847.2021.1.1": "t",
    "1.3.6.1.4.1.1847.2021.1.2": "v",
    "1.3.6.1.4.1.1847.2021.1.3": "r",
    "1.3.6.1.4.1.0.1847.2021.1.1": "t",
    "1.3.6.1.4.1.0.1847.2021.1.2": "v",
    "1.3.6.1.4.1.0.1847.2021.1.3": "r",
}
KIND_NAMES = {"v": "vaccination", "t": "test", "r": "recovery"}


@dataclass(frozen=True)
class CoseSign1:
    """A decoded COSE_Sign1 message: headers, payload and signature, not yet verified."""

    protected: bytes  # the protected header as serialised: the signature covers these exact bytes
    protected_header: Mapping[Any, Any]
    unprotected_header: Mapping[Any, Any]
    payload: bytes
    signature: bytes
    kid: bytes | None
    alg: Any


@dataclass(frozen=True)
class Claims:
    """The CWT claims of a DCC: issuer country, issue and expiry times and the DCC JSON itself."""

    issuer: str
    issued_at: datetime | None
    expires_at: datetime | None
    dcc: dict[str, Any]
    iat: int | None = None
    exp: int | None = None


# --- the public entry points ------------------------------------------------------------------------


def detect(text: str) -> bool:
    """Whether `text` is an EU DCC (it starts with the HC1: context prefix)."""
    return isinstance(text, str) and text.startswith(PREFIX)


def verify(text: str, trust: TrustStore, at: datetime) -> Certificate:
    """Decode and verify an EU DCC against `trust` at the time `at`; the first failing step raises."""
    body = strip_prefix(text)
    compressed = decode_base45(body)
    message = decode_cose(decompress(compressed))
    signers = find_signers(message.kid, trust)
    # The signature is checked before the payload is interpreted: nothing unauthenticated is trusted.
    signer = check_signature(message, signers)
    claims = decode_claims(message.payload)
    check_validity(claims, at)
    check_revocation(message, claims, trust, at)
    check_key_usage(signer, claims.dcc)
    check_schema(claims.dcc)
    return to_certificate(claims, message.kid or b"")


# --- the steps ---------------------------------------------------------------------------------------


def strip_prefix(text: str) -> str:
    """The base45 text after the HC1: prefix; refuses oversized input before decoding anything."""
    if not isinstance(text, str):
        raise CertificateError(Step.PREFIX, "dcc.prefix", "an EU DCC is text starting with HC1:")
    if len(text) > MAX_INPUT_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_INPUT_BYTES:
        raise CertificateError(
            Step.PREFIX, "dcc.too-large", f"the input is larger than {MAX_INPUT_BYTES} bytes"
        )
    if not text.startswith(PREFIX):
        # HC2:, HL0: and a bare base45 text are all refused: only version 1 of the context exists.
        raise CertificateError(Step.PREFIX, "dcc.prefix", "an EU DCC starts with the context prefix HC1:")
    return text[len(PREFIX) :]


def decode_base45(text: str) -> bytes:
    """The bytes of a base45 text (RFC 9285)."""
    if not text:
        raise CertificateError(Step.BASE45, "dcc.base45-empty", "nothing follows the HC1: prefix")
    try:
        return b45decode(text)
    except ValueError as exc:
        raise CertificateError(Step.BASE45, "dcc.base45", f"not valid base45: {exc}") from None


_B45_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45_VALUES = bytearray(b"\xff" * 256)
for _value, _char in enumerate(_B45_ALPHABET):
    _B45_VALUES[ord(_char)] = _value


def b45decode(text: str) -> bytes:
    """RFC 9285 base45, decoded by hand rather than with the `base45` package, whose character-by-character
    loop costs about eight times as much as this (bench/certificates.py prints both); RFC 9285 is this short.
    test_dcc.py holds it to the package's answers.

    No Python loop runs per character: each triple "abc" is the 16-bit word a + 45b + 2025c, so the a,
    b and c digits are spread into 4-byte slots of three big integers, combined with one multiply-add
    (no slot overflows: a word is below 2**17) and the slots' low two bytes read back in big-endian order.
    """
    try:
        values = text.encode("ascii").translate(_B45_VALUES)
    except UnicodeEncodeError:
        raise ValueError("a base45 text is ASCII") from None
    if 0xFF in values:
        raise ValueError(f"{text[values.index(0xFF)]!r} is not a base45 character")
    if len(values) % 3 == 1:
        raise ValueError("a base45 text cannot have a length of 3k + 1")
    groups = len(values) // 3
    full = 3 * groups
    slots = bytearray(4 * groups)
    slots[0::4] = values[0:full:3]
    a = int.from_bytes(slots, "little")
    slots[0::4] = values[1:full:3]
    b = int.from_bytes(slots, "little")
    slots[0::4] = values[2:full:3]
    c = int.from_bytes(slots, "little")
    words = (a + 45 * b + 2025 * c).to_bytes(4 * groups, "little")
    if words[2::4].count(0) != groups:
        raise ValueError("a base45 triple is larger than two bytes")
    out = bytearray(2 * groups + (len(values) > full))
    out[0 : 2 * groups : 2] = words[1::4]
    out[1 : 2 * groups : 2] = words[0::4]
    if len(values) > full:
        last = values[full] + values[full + 1] * 45
        if last > 0xFF:
            raise ValueError("the final base45 pair is larger than a byte")
        out[-1] = last
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Inflate the zlib stream, stopping at MAX_DECOMPRESSED_BYTES (a decompression bomb is refused).

    Uncompressed COSE is refused too: the hcert spec compresses always, and dgc-testdata's Z2 ("not
    compressed") expects the decompression step to fail.
    """
    inflater = zlib.decompressobj()
    try:
        output = inflater.decompress(data, MAX_DECOMPRESSED_BYTES)
    except (zlib.error, ValueError, OverflowError) as exc:
        raise CertificateError(Step.DECOMPRESS, "dcc.zlib", f"not a zlib stream: {exc}") from None
    if inflater.unconsumed_tail:
        raise CertificateError(
            Step.DECOMPRESS,
            "dcc.too-large",
            f"the decompressed certificate is larger than {MAX_DECOMPRESSED_BYTES} bytes",
        )
    if not inflater.eof:
        raise CertificateError(Step.DECOMPRESS, "dcc.zlib-truncated", "the zlib stream ends before its end")
    return output


def _cbor(data: bytes, what: str) -> Any:
    try:
        return cbor2.loads(data)
    except RecursionError:
        raise CertificateError(Step.CBOR, "dcc.cbor", f"{what}: CBOR nested too deeply") from None
    except Exception as exc:  # noqa: BLE001 - untrusted bytes: the decoder raises many kinds of error
        raise CertificateError(Step.CBOR, "dcc.cbor", f"{what}: not valid CBOR: {exc}") from None


def decode_cose(data: bytes) -> CoseSign1:
    """The COSE_Sign1 message: tagged 18, wrapped in the CWT tag 61 as well, or untagged."""
    value = _cbor(data, "COSE message")
    if isinstance(value, cbor2.CBORTag) and value.tag == TAG_CWT:
        value = value.value
    if isinstance(value, cbor2.CBORTag) and value.tag == TAG_COSE_SIGN1:
        value = value.value
    if isinstance(value, cbor2.CBORTag):
        raise CertificateError(
            Step.STRUCTURE, "dcc.cose-tag", f"CBOR tag {value.tag} is not COSE_Sign1 (18) or CWT (61)"
        )
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        raise CertificateError(Step.STRUCTURE, "dcc.cose", "not a COSE_Sign1 message (an array of four)")
    protected, unprotected, payload, signature = value
    if not isinstance(protected, bytes):
        raise CertificateError(Step.STRUCTURE, "dcc.cose", "the COSE protected header is not a byte string")
    if not isinstance(unprotected, Mapping):
        raise CertificateError(Step.STRUCTURE, "dcc.cose", "the COSE unprotected header is not a map")
    if not isinstance(payload, bytes) or not isinstance(signature, bytes):
        raise CertificateError(
            Step.STRUCTURE, "dcc.cose", "the COSE payload or signature is not a byte string"
        )
    # RFC 9052 section 3: an empty protected header is the empty byte string, standing for an empty map.
    protected_header = _cbor(protected, "COSE protected header") if protected else {}
    if not isinstance(protected_header, Mapping):
        raise CertificateError(Step.STRUCTURE, "dcc.cose", "the COSE protected header is not a map")
    # The protected kid wins: the signature covers it, the unprotected one anybody may change.
    kid = protected_header.get(HEADER_KID, unprotected.get(HEADER_KID))
    if kid is not None and not isinstance(kid, bytes):
        raise CertificateError(Step.STRUCTURE, "dcc.kid", "the COSE kid is not a byte string")
    alg = protected_header.get(HEADER_ALG, unprotected.get(HEADER_ALG))
    return CoseSign1(protected, protected_header, unprotected, payload, signature, kid, alg)


def find_signers(kid: bytes | None, trust: TrustStore) -> list[TrustedCertificate]:
    """The trusted document signer certificates with this kid (several may share one), whatever their
    basic constraints and key usage say (`TrustStore.dcc_signers_for`)."""
    if kid is None:
        raise CertificateError(Step.TRUST, "dcc.missing-kid", "the certificate names no signer key (kid)")
    signers = trust.dcc_signers_for(kid)
    if not signers:
        raise CertificateError(
            Step.TRUST, "dcc.unknown-kid", f"no trusted signer has the kid {base64.b64encode(kid).decode()}"
        )
    return signers


@lru_cache(maxsize=512)
def public_key(signer: TrustedCertificate) -> Any:
    """The signer certificate's public key; through asn1crypto when cryptography refuses the certificate.

    Kept per certificate: reading a certificate costs a good part of a signature check."""
    with contextlib.suppress(Exception):  # cryptography refuses encodings asn1crypto reads: fall back
        return x509.load_der_x509_certificate(signer.der).public_key()
    try:
        info = signer.parsed["tbs_certificate"]["subject_public_key_info"]
        return serialization.load_der_public_key(info.dump())
    except Exception as exc:  # noqa: BLE001 - a trusted certificate whose key nothing can read
        raise CertificateError(
            Step.TRUST, "dcc.signer-key", f"the public key of signer {signer.subject!r} cannot be read: {exc}"
        ) from None


def sig_structure(message: CoseSign1) -> bytes:
    """The bytes signed (RFC 9052 section 4.4): ["Signature1", protected, external_aad, payload]."""
    return cbor2.dumps(["Signature1", message.protected, b"", message.payload])


def _verifies(key: Any, alg: int, signature: bytes, data: bytes) -> bool:
    try:
        if alg == ES256:
            # COSE carries ECDSA signatures as r || s, 32 bytes each (RFC 9053 section 2.1).
            if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
                return False
            if len(signature) != 64:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(hashes.SHA256()))
            return True
        if alg == PS256:
            if not isinstance(key, rsa.RSAPublicKey):
                return False
            # RFC 8230 section 2: the PSS salt is as long as the hash output.
            pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
            key.verify(signature, data, pss, hashes.SHA256())
            return True
    except (InvalidSignature, ValueError, TypeError):
        return False
    return False


def check_signature(message: CoseSign1, signers: list[TrustedCertificate]) -> TrustedCertificate:
    """The first of `signers` whose key verifies the message's ES256 or PS256 signature."""
    alg = message.alg
    if isinstance(alg, bool) or alg not in ALGORITHMS:
        raise CertificateError(
            Step.SIGNATURE, "dcc.algorithm", f"signature algorithm {alg!r} is not ES256 (-7) or PS256 (-37)"
        )
    data = sig_structure(message)
    unreadable: list[CertificateError] = []
    for signer in signers:
        try:
            key = public_key(signer)
        except CertificateError as error:
            unreadable.append(error)
            continue
        if _verifies(key, alg, message.signature, data):
            return signer
    if len(unreadable) == len(signers):
        raise unreadable[0]
    raise CertificateError(
        Step.SIGNATURE,
        "dcc.signature",
        f"the {ALGORITHMS[alg]} signature does not verify with the key of any trusted signer with this kid",
    )


def _timestamp(claims: dict[Any, Any], key: int, name: str) -> tuple[int | None, datetime | None]:
    value = claims.get(key)
    if value is None:
        return None, None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise CertificateError(Step.STRUCTURE, "dcc.claims", f"the {name} claim is not a number of seconds")
    try:
        return int(value), datetime.fromtimestamp(value, UTC)
    except (OverflowError, ValueError, OSError):
        raise CertificateError(Step.STRUCTURE, "dcc.claims", f"the {name} claim is out of range") from None


def decode_claims(payload: bytes) -> Claims:
    """The CWT claims: iss (1), exp (4), iat (6) and the hcert claim (-260) holding the DCC JSON (1)."""
    # cbor2 gives plain dicts and lists here: its frozen maps and tuples appear only as map keys and
    # inside unknown tags, which stay CBORTag values that nothing below reads as a DCC.
    claims = _cbor(payload, "CWT payload")
    if not isinstance(claims, dict):
        raise CertificateError(Step.STRUCTURE, "dcc.claims", "the COSE payload is not a CWT claims map")
    hcert = claims.get(CLAIM_HCERT)
    dcc = hcert.get(HCERT_EU_DCC) if isinstance(hcert, dict) else None
    if not isinstance(dcc, dict):
        raise CertificateError(
            Step.STRUCTURE, "dcc.claims", "the CWT has no health certificate claim (-260) with a DCC (1)"
        )
    issuer = claims.get(CLAIM_ISS, "")
    if not isinstance(issuer, str):
        raise CertificateError(Step.STRUCTURE, "dcc.claims", "the iss claim is not text")
    exp, expires_at = _timestamp(claims, CLAIM_EXP, "exp")
    iat, issued_at = _timestamp(claims, CLAIM_IAT, "iat")
    return Claims(issuer, issued_at, expires_at, dcc, iat, exp)


def check_validity(claims: Claims, at: datetime) -> None:
    """Refuse a certificate expired at `at` (after exp) or not yet valid (before iat); naive `at` is UTC."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if claims.expires_at is not None and at > claims.expires_at:
        raise CertificateError(
            Step.VALIDITY, "dcc.expired", f"the certificate expired at {claims.expires_at.isoformat()}"
        )
    if claims.issued_at is not None and at < claims.issued_at:
        raise CertificateError(
            Step.VALIDITY, "dcc.not-yet-valid", f"the certificate is issued at {claims.issued_at.isoformat()}"
        )


def revocation_hashes(message: CoseSign1, claims: Claims) -> dict[str, bytes]:
    """What EU DCC revocation lists name a certificate by (eHealth Network, DCC revocation, 2022): the
    first 16 bytes of SHA-256 over its signature (for ES256 the r half only: an ECDSA signature has two
    valid s values), over its UCI, and over the issuing country followed by its UCI."""
    signature = (
        message.signature[: len(message.signature) // 2] if message.alg == ES256 else message.signature
    )
    hashes = {"SIGNATURE": hashlib.sha256(signature).digest()[:16]}
    uci = next(
        (
            entry.get("ci")
            for kind in KIND_NAMES
            for entry in (claims.dcc.get(kind) or [])[:1]
            if isinstance(entry, dict)
        ),
        None,
    )
    if isinstance(uci, str) and uci:
        hashes["UCI"] = hashlib.sha256(uci.encode("utf-8")).digest()[:16]
        hashes["COUNTRYCODEUCI"] = hashlib.sha256((claims.issuer + uci).encode("utf-8")).digest()[:16]
    return hashes


def check_revocation(message: CoseSign1, claims: Claims, trust: TrustStore, at: datetime) -> None:
    """Refuse a certificate that a trusted revocation batch of its signer (or of no named signer) lists,
    while the batch has not expired at `at`."""
    if not trust.dcc_revoked:
        return
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    for hash_type, value in revocation_hashes(message, claims).items():
        for kid in (message.kid, None):
            expires = trust.dcc_revoked.get((kid, hash_type), {}).get(value)
            if expires is not None and at <= expires:
                raise CertificateError(
                    Step.VALIDITY, "dcc.revoked", f"the certificate is revoked (by its {hash_type} hash)"
                )


def certificate_kinds(dcc: dict[str, Any]) -> set[str]:
    """The kinds of statement a DCC holds: "v" vaccination, "t" test, "r" recovery."""
    return {kind for kind in KIND_NAMES if dcc.get(kind)}


def allowed_kinds(signer: TrustedCertificate) -> set[str]:
    """The kinds a signer may sign: those its hcert extended key usages name, or all when it has none."""
    return set(_allowed_kinds(signer))


@lru_cache(maxsize=512)
def _allowed_kinds(signer: TrustedCertificate) -> frozenset[str]:
    try:
        usages = signer.parsed.extended_key_usage_value
        oids = {purpose.dotted for purpose in usages} if usages is not None else set()
    except Exception as exc:  # noqa: BLE001 - asn1crypto parses extensions lazily, on first access
        raise CertificateError(
            Step.KEY_USAGE, "dcc.key-usage", f"the signer's extended key usage cannot be read: {exc}"
        ) from None
    kinds = frozenset(KEY_USAGE_OIDS[oid] for oid in oids if oid in KEY_USAGE_OIDS)
    return kinds or frozenset(KIND_NAMES)


def check_key_usage(signer: TrustedCertificate, dcc: dict[str, Any]) -> None:
    """Refuse a DCC of a kind its signer's extended key usage does not allow (hcert spec 5.1.1)."""
    refused = certificate_kinds(dcc) - allowed_kinds(signer)
    if refused:
        names = ", ".join(KIND_NAMES[kind] for kind in sorted(refused))
        raise CertificateError(
            Step.KEY_USAGE,
            "dcc.key-usage",
            f"the signer's extended key usage does not allow {names} certificates",
        )


# --- mapping to the normalised model -------------------------------------------------------------------


def _content_error(message: str) -> CertificateError:
    return CertificateError(Step.STRUCTURE, "dcc.content", message)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _date(value: Any, name: str) -> date:
    # Dates are "YYYY-MM-DD"; some issuers wrote a full timestamp, whose date part is the date, and
    # some a CBOR date or date-time tag (RFC 8943, RFC 8949 tag 0), which cbor2 decodes to objects.
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise _content_error(f"{name} is not a date: {value!r}")


def _optional_date(value: Any, name: str) -> date | None:
    return None if value in (None, "") else _date(value, name)


def _datetime(value: Any, name: str) -> datetime:
    if isinstance(value, datetime):  # a CBOR tag 0 date-time
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise _content_error(f"{name} is not a date and time: {value!r}")


def _entries(dcc: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    entries = dcc.get(kind) or []
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        raise _content_error(f"the {KIND_NAMES[kind]} entries are not a list of objects")
    return entries


def _code(lookup: Any, code: Any, unmapped: list[str], default: str = "unknown") -> str:
    mapped = lookup("EU", code) if isinstance(code, str) else None
    if mapped:
        return str(mapped)
    if isinstance(code, str) and code and f"EU:{code}" not in unmapped:
        unmapped.append(f"EU:{code}")
    return default


def events_of(dcc: dict[str, Any], unmapped: list[str]) -> list[Event]:
    """The vaccinations, tests and recoveries of a DCC in our vocabulary; unknown codes go to `unmapped`."""
    events: list[Event] = []
    vaccinations, tests, recoveries = _entries(dcc, "v"), _entries(dcc, "t"), _entries(dcc, "r")
    for entry in vaccinations + tests + recoveries:
        _code(vocabulary.disease, entry.get("tg"), unmapped)
    for entry in vaccinations:
        product_code = _text(entry.get("mp"))
        events.append(
            Vaccination(
                product=_code(vocabulary.product, product_code, unmapped),
                product_code=f"EU:{product_code}",
                manufacturer=_code(vocabulary.manufacturer, entry.get("ma"), unmapped)
                if entry.get("ma")
                else "",
                dose=_number(entry.get("dn")),
                doses=_number(entry.get("sd")),
                date=_date(entry.get("dt"), "the vaccination date (dt)"),
                country=_text(entry.get("co")),
            )
        )
    for entry in tests:
        events.append(
            Test(
                test_type=_code(vocabulary.test_type, entry.get("tt"), unmapped),
                result=_code(vocabulary.test_result, entry.get("tr"), unmapped),
                sampled_at=_datetime(entry.get("sc"), "the sample time (sc)"),
                country=_text(entry.get("co")),
            )
        )
    for entry in recoveries:
        events.append(
            Recovery(
                first_positive=_date(entry.get("fr"), "the first positive test date (fr)"),
                valid_from=_optional_date(entry.get("df"), "the valid-from date (df)"),
                valid_until=_optional_date(entry.get("du"), "the valid-until date (du)"),
                country=_text(entry.get("co")),
            )
        )
    return events


def holder_of(dcc: dict[str, Any]) -> Holder:
    """The holder's names (the transliterated ones when the national ones are absent) and birth date."""
    names = dcc.get("nam")
    names = names if isinstance(names, dict) else {}
    return Holder(
        family_name=_text(names.get("fn")) or _text(names.get("fnt")),
        given_name=_text(names.get("gn")) or _text(names.get("gnt")),
        date_of_birth=_text(dcc.get("dob")),
    )


def to_certificate(claims: Claims, kid: bytes) -> Certificate:
    """The normalised certificate of verified claims."""
    unmapped: list[str] = []
    events = events_of(claims.dcc, unmapped)
    return Certificate(
        format=FORMAT,
        holder=holder_of(claims.dcc),
        events=events,
        issuer=claims.issuer,
        issued_at=claims.issued_at,
        expires_at=claims.expires_at,
        signer=base64.b64encode(kid).decode("ascii"),
        raw={"dcc": claims.dcc, "claims": {"iss": claims.issuer, "iat": claims.iat, "exp": claims.exp}},
        unmapped=unmapped,
    )
