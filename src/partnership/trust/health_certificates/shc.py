"""SMART Health Cards (https://spec.smarthealth.cards/): decode and verify one, step by step.

A card travels as a numeric QR text (`shc:/...`, possibly split into chunks `shc:/C/N/...`), as a bare
compact JWS, or as a `.smart-health-card` file `{"verifiableCredential": [jws, ...]}`. Each step below is
its own function raising a `CertificateError` with its own code; `verify` runs them in order:

1. `decode_numeric`: the `shc:/` digits, two per character (value + 45), chunks put back together;
2. `split_jws`: three canonical base64url parts;
3. `read_header`: `{"alg": "ES256", "zip": "DEF", "kid": ...}`;
4. `inflate`: raw DEFLATE, bounded (a decompression bomb stops at `MAX_DECOMPRESSED_BYTES`);
5. `read_payload` + `check_payload`: the JSON claims `iss`, `nbf`, `vc` with its FHIR bundle;
6. `find_key`: the issuer's key, from the trust store only (never fetched), whose kid is its thumbprint;
7. `check_signature`: ES256 over the ASCII of `header.payload`;
8. `check_validity`: `nbf` and, when present, `exp` against the validation clock;
9. `to_certificate`: the FHIR bundle mapped onto the common model.

Not checked here: revocation (the spec's per-key CRL at `iss/.well-known/crl/<kid>.json`, announced by
the key's `crlVersion`; the trust store does not carry CRLs) and the X.509 chain of a key with `x5c`.

The library does not import Django.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from . import vocabulary
from .errors import MAX_DECOMPRESSED_BYTES, MAX_INPUT_BYTES, CertificateError, Step
from .model import Certificate, Event, Holder, Test, Vaccination
from .trust import TrustStore

FORMAT = "shc"
PREFIX = "shc:/"
HEALTH_CARD_TYPE = "https://smarthealth.cards#health-card"

# FHIR coding systems, as the spec's examples write them, and our vocabulary's name for each.
SYSTEMS = {
    "http://hl7.org/fhir/sid/cvx": "CVX",
    "http://snomed.info/sct": "SNOMED",
    "http://loinc.org": "LOINC",
}

# In the numeric encoding each character is two digits: its code point minus 45. The highest character
# of base64url and of the JWS alphabet is "z" (122), so a pair above 77 cannot come from a card.
HIGHEST_PAIR = ord("z") - 45

CHUNK = re.compile(r"shc:/(\d+)/(\d+)/(.*)", re.IGNORECASE | re.DOTALL)
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*")

# A FHIR Observation counts as a result only when final (or corrected after being final).
FINAL_OBSERVATION = {"final", "amended", "corrected"}


@dataclass(frozen=True)
class CompactJWS:
    """The three parts of a compact JWS, as text (what is signed) and decoded."""

    header_b64: str
    payload_b64: str
    signature_b64: str
    header: bytes
    payload: bytes  # raw DEFLATE of the claims
    signature: bytes

    @property
    def signing_input(self) -> bytes:
        """What ES256 signs: the ASCII of the first two parts as they were sent, joined by a dot."""
        return f"{self.header_b64}.{self.payload_b64}".encode("ascii")


# --- detecting -------------------------------------------------------------------------------------


def detect(text: str) -> bool:
    """Whether `text` looks like a SMART Health Card: `shc:/...`, a compact JWS or a card file."""
    if not isinstance(text, str):
        return False
    stripped = text.strip()
    if stripped[: len(PREFIX)].lower() == PREFIX:
        return True
    if COMPACT_JWS.fullmatch(stripped):
        return True
    if stripped.startswith("{") and '"verifiableCredential"' in stripped:
        return _file_credentials(stripped, strict=False) is not None
    return False


# --- verifying -------------------------------------------------------------------------------------


def verify(text: str, trust: TrustStore, at: datetime) -> Certificate:
    """Verify one SMART Health Card (numeric QR text, compact JWS or card file) at time `at`.

    A card file with several cards is verified whole (every card must verify) and its first card is
    returned; `verify_all` returns them all.
    """
    return verify_all(text, trust, at)[0]


def verify_all(text: str, trust: TrustStore, at: datetime) -> list[Certificate]:
    """Verify every card of `text` (a card file may hold several); the first failure is raised."""
    return [verify_jws(jws, trust, at) for jws in jws_texts(text)]


def jws_texts(text: str) -> list[str]:
    """The compact JWS texts carried by `text`: decoded from `shc:/` chunks, from a file, or as given."""
    if not isinstance(text, str):
        raise CertificateError(Step.PREFIX, "shc.prefix", "a SMART Health Card is text")
    _check_size(text)
    stripped = text.strip()
    if stripped[: len(PREFIX)].lower() == PREFIX:
        # Chunks of one card are scanned as separate QR codes: one per line (or separated by spaces).
        return [decode_numeric(stripped.split())]
    if stripped.startswith("{"):
        credentials = _file_credentials(stripped, strict=True)
        assert credentials is not None  # strict: an error, never None
        return credentials
    if "." in stripped:
        return [stripped]
    raise CertificateError(
        Step.PREFIX, "shc.prefix", "not a SMART Health Card: no shc:/ prefix, no JWS and no card file"
    )


def verify_jws(jws_text: str, trust: TrustStore, at: datetime) -> Certificate:
    """Verify one compact JWS, step after step, and map its FHIR bundle onto the common model."""
    _check_size(jws_text)
    jws = split_jws(jws_text)
    header = read_header(jws.header)
    claims = read_payload(inflate(jws.payload))
    check_payload(claims)
    key = find_key(claims["iss"], header["kid"], trust)
    check_signature(jws, key)
    check_validity(claims["nbf"], at, claims.get("exp"))
    check_revocation(claims, header["kid"], trust)
    return to_certificate(claims, header["kid"])


def check_revocation(claims: dict[str, Any], kid: str, trust: TrustStore) -> None:
    """Refuse a card its issuer revoked (SMART Health Cards 1.3: `vc.rid` in the key's revocation list,
    for cards issued before the listed time when one is given). Only lists in the trust store count."""
    revoked = trust.shc_revoked.get((str(claims["iss"]).rstrip("/"), kid))
    rid = claims["vc"].get("rid") if isinstance(claims.get("vc"), dict) else None
    if not revoked or not isinstance(rid, str) or rid not in revoked:
        return
    before = revoked[rid]
    if before is None or float(claims["nbf"]) < before:
        raise CertificateError(Step.VALIDITY, "shc.revoked", f"the issuer revoked this card (rid {rid})")


def _check_size(text: str) -> None:
    # Counted in characters first so an enormous string is refused without encoding it.
    if len(text) > MAX_INPUT_BYTES or len(text.encode("utf-8", "replace")) > MAX_INPUT_BYTES:
        raise CertificateError(
            Step.PREFIX, "shc.too-large", f"the input is larger than {MAX_INPUT_BYTES} bytes"
        )


def _file_credentials(text: str, strict: bool) -> list[str] | None:
    """The JWS list of a `.smart-health-card` file; None (or an error when strict) if it is not one."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        if strict:
            raise CertificateError(Step.JSON, "shc.json", "the card file is not JSON") from None
        return None
    credentials = value.get("verifiableCredential") if isinstance(value, dict) else None
    if (
        not isinstance(credentials, list)
        or not credentials
        or not all(isinstance(item, str) for item in credentials)
    ):
        if strict:
            raise CertificateError(
                Step.STRUCTURE,
                "shc.file",
                'a card file is {"verifiableCredential": [jws, ...]} with at least one JWS',
            )
        return None
    return credentials


# --- step 1: numeric QR text -----------------------------------------------------------------------


def decode_numeric(text: str | Sequence[str]) -> str:
    """The JWS text of `shc:/digits`, or of the chunks `shc:/C/N/digits` (all N, in any order)."""
    chunks = [text] if isinstance(text, str) else list(text)
    if not chunks:
        raise CertificateError(Step.PREFIX, "shc.prefix", "no shc:/ text")
    for chunk in chunks:
        if not isinstance(chunk, str) or chunk[: len(PREFIX)].lower() != PREFIX:
            raise CertificateError(Step.PREFIX, "shc.prefix", "a numeric SMART Health Card starts with shc:/")
        _check_size(chunk)
    if len(chunks) == 1 and not CHUNK.fullmatch(chunks[0].strip()):
        return _digits_to_text(chunks[0].strip()[len(PREFIX) :])
    return _digits_to_text(_join_chunks(chunks))


MAX_CHUNKS = 20  # found by fuzzing (fuzz/certificates.py): "shc:/1/7777777777777771/.." ran out of memory


def _join_chunks(chunks: list[str]) -> str:
    """The digits of all chunks, in chunk order (VCI 1.3 deprecates chunking; old cards still use it)."""
    by_index: dict[int, str] = {}
    total: int | None = None
    for chunk in chunks:
        match = CHUNK.fullmatch(chunk.strip())
        if not match:
            raise CertificateError(
                Step.PREFIX, "shc.chunks", "several QR texts, but not all of the form shc:/C/N/digits"
            )
        # Bounded by _check_size, so int() never sees more than a few thousand digits.
        index, count = int(match.group(1)), int(match.group(2))
        if count > MAX_CHUNKS:
            # A card fits in a few QR codes; a huge count would only make us list what is missing.
            raise CertificateError(
                Step.PREFIX, "shc.chunks", f"a card in {count} chunks: at most {MAX_CHUNKS} are accepted"
            )
        if total is None:
            total = count
        if count != total:
            raise CertificateError(
                Step.PREFIX, "shc.chunks", f"the chunks disagree on their number ({total} and {count})"
            )
        if not 1 <= index <= count:
            raise CertificateError(Step.PREFIX, "shc.chunks", f"chunk {index} of {count} is out of range")
        if index in by_index:
            raise CertificateError(Step.PREFIX, "shc.chunks", f"chunk {index} of {count} appears twice")
        by_index[index] = match.group(3)
    assert total is not None  # chunks is never empty here
    missing = [str(index) for index in range(1, total + 1) if index not in by_index]
    if missing:
        raise CertificateError(
            Step.PREFIX, "shc.chunks", f"chunk(s) {', '.join(missing)} of {total} are missing"
        )
    return "".join(by_index[index] for index in range(1, total + 1))


def _digits_to_text(digits: str) -> str:
    if not digits:
        raise CertificateError(Step.BASE45, "shc.digits", "no digits after shc:/")
    # str.isdigit() accepts other scripts' digits (Arabic-Indic, superscripts): only ASCII 0-9 count.
    if not digits.isascii() or not digits.isdigit():
        raise CertificateError(Step.BASE45, "shc.digits", "a numeric SMART Health Card holds digits only")
    if len(digits) % 2:
        raise CertificateError(Step.BASE45, "shc.digits", "an odd number of digits: each character is two")
    characters = []
    for start in range(0, len(digits), 2):
        pair = int(digits[start : start + 2])
        if pair > HIGHEST_PAIR:
            raise CertificateError(
                Step.BASE45, "shc.digits", f"digit pair {pair} at {start} is above {HIGHEST_PAIR}"
            )
        characters.append(chr(pair + 45))
    return "".join(characters)


# --- step 2: compact JWS ---------------------------------------------------------------------------


def split_jws(text: str) -> CompactJWS:
    """The three base64url parts of a compact JWS, decoded."""
    parts = text.strip().split(".")
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise CertificateError(
            Step.STRUCTURE, "shc.jws", "a compact JWS is three base64url parts joined by dots"
        )
    header, payload, signature = (base64url_decode(part) for part in parts)
    return CompactJWS(parts[0], parts[1], parts[2], header, payload, signature)


def base64url_decode(text: str) -> bytes:
    """Decode unpadded base64url, refusing every other spelling of the same bytes.

    Strict on purpose: the last character of a part may carry unused bits, and a lenient decoder
    would accept a changed character (a flipped bit in the signature) as the same bytes.
    """
    if not BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise CertificateError(Step.BASE45, "shc.base64", "a JWS part is not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise CertificateError(Step.BASE45, "shc.base64", "a JWS part is not base64url") from None
    if base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii") != text:
        raise CertificateError(Step.BASE45, "shc.base64", "a JWS part is not canonical base64url")
    return data


def base64url_encode(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


# --- step 3: header --------------------------------------------------------------------------------


def read_header(data: bytes) -> dict[str, Any]:
    """The JWS header, which must say ES256, raw DEFLATE and a key id."""
    header = _json_object(data, "shc.header", "the JWS header")
    if header.get("alg") != "ES256":
        raise CertificateError(
            Step.SIGNATURE, "shc.algorithm", f"the algorithm is {header.get('alg')!r}, not ES256"
        )
    if header.get("zip") != "DEF":
        raise CertificateError(
            Step.STRUCTURE, "shc.zip", f'the payload compression is {header.get("zip")!r}, not "DEF"'
        )
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise CertificateError(Step.STRUCTURE, "shc.kid", "the JWS header has no key id (kid)")
    return header


def _json_object(data: bytes, code: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(data.decode("utf-8"))
    # RecursionError: deeply nested arrays exhaust the parser's stack before any other limit.
    except (ValueError, RecursionError):
        raise CertificateError(Step.JSON, code, f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise CertificateError(Step.JSON, code, f"{what} is not a JSON object")
    return value


# --- step 4: raw DEFLATE ---------------------------------------------------------------------------


def inflate(data: bytes) -> bytes:
    """Inflate raw DEFLATE (no zlib header), stopping at MAX_DECOMPRESSED_BYTES of output."""
    inflater = zlib.decompressobj(wbits=-15)
    try:
        # max_length bounds the output: a bomb is stopped after one byte past the limit, not inflated.
        output = inflater.decompress(data, MAX_DECOMPRESSED_BYTES + 1)
    except zlib.error as exc:
        raise CertificateError(
            Step.DECOMPRESS, "shc.inflate", f"the payload is not raw DEFLATE: {exc}"
        ) from None
    if len(output) > MAX_DECOMPRESSED_BYTES:
        raise CertificateError(
            Step.DECOMPRESS,
            "shc.too-large",
            f"the payload inflates to more than {MAX_DECOMPRESSED_BYTES} bytes",
        )
    if not inflater.eof or inflater.unused_data:
        raise CertificateError(
            Step.DECOMPRESS, "shc.inflate", "the DEFLATE stream is truncated or followed by other bytes"
        )
    return output


# --- step 5: claims --------------------------------------------------------------------------------


def read_payload(data: bytes) -> dict[str, Any]:
    """The JWS payload's claims (a JSON object)."""
    return _json_object(data, "shc.json", "the payload")


def check_payload(claims: dict[str, Any]) -> None:
    """The claims a health card must have: iss, nbf, vc.type with health-card, vc's FHIR bundle."""

    def fail(message: str) -> CertificateError:
        return CertificateError(Step.STRUCTURE, "shc.payload", message)

    if not isinstance(claims.get("iss"), str) or not claims["iss"]:
        raise fail("the payload has no issuer (iss)")
    if _timestamp(claims.get("nbf")) is None:
        raise fail("the payload has no valid not-before time (nbf, seconds since 1970)")
    if "exp" in claims and _timestamp(claims["exp"]) is None:
        raise fail("the payload's expiry (exp) is not a time in seconds since 1970")
    vc = claims.get("vc")
    if not isinstance(vc, dict):
        raise fail("the payload has no verifiable credential (vc)")
    types = vc.get("type")
    if not isinstance(types, list) or HEALTH_CARD_TYPE not in types:
        raise fail(f"the credential's type does not include {HEALTH_CARD_TYPE}")
    subject = vc.get("credentialSubject")
    bundle = subject.get("fhirBundle") if isinstance(subject, dict) else None
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        raise fail("the credential has no FHIR bundle (vc.credentialSubject.fhirBundle)")
    if not isinstance(bundle.get("entry"), list):
        raise fail("the FHIR bundle has no entries")


def _timestamp(value: Any) -> datetime | None:
    """A NumericDate (seconds since 1970, possibly fractional) as an aware datetime; None if not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if not math.isfinite(value):
        return None
    try:
        return datetime.fromtimestamp(value, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


# --- step 6: the issuer's key ----------------------------------------------------------------------


def find_key(iss: str, kid: str, trust: TrustStore) -> ec.EllipticCurvePublicKey:
    """The trusted key `kid` of issuer `iss`, from the trust store only.

    The store holds what the issuer publishes at `iss + "/.well-known/jwks.json"`; verification never
    fetches it, so a card's `iss` cannot make us reach out to a URL it chose.
    """
    keys = trust.shc_issuers.get(iss)
    if not keys:
        raise CertificateError(Step.TRUST, "shc.unknown-issuer", f"the issuer {iss} is not trusted")
    matching = [key for key in keys if isinstance(key, dict) and key.get("kid") == kid]
    if not matching:
        raise CertificateError(Step.TRUST, "shc.unknown-kid", f"the issuer {iss} has no trusted key {kid}")
    key = matching[0]
    # The spec fixes kid as the key's RFC 7638 thumbprint: a kid that is not is a mislabelled key.
    if jwk_thumbprint(key) != kid:
        raise CertificateError(
            Step.TRUST, "shc.kid-thumbprint", f"the key {kid} of {iss} is not its own JWK thumbprint"
        )
    return public_key(key)


def jwk_thumbprint(key: dict[str, Any]) -> str:
    """The RFC 7638 thumbprint of an EC key: SHA-256 over its required members, sorted, no spaces."""
    members = {name: key.get(name) for name in ("crv", "kty", "x", "y")}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    return base64url_encode(hashlib.sha256(canonical.encode("utf-8")).digest())


def public_key(key: dict[str, Any]) -> ec.EllipticCurvePublicKey:
    """The P-256 public key of a JWK; a key that is not one is a trust error."""
    try:
        if key.get("kty") != "EC" or key.get("crv") != "P-256":
            raise ValueError("not an EC P-256 key")
        if key.get("alg", "ES256") != "ES256" or key.get("use", "sig") != "sig":
            raise ValueError("not a signing key for ES256")
        x, y = base64url_decode(key["x"]), base64url_decode(key["y"])
        if len(x) != 32 or len(y) != 32:
            raise ValueError("x and y are not 32 bytes")
        numbers = ec.EllipticCurvePublicNumbers(
            int.from_bytes(x, "big"), int.from_bytes(y, "big"), ec.SECP256R1()
        )
        return numbers.public_key()
    except (CertificateError, ValueError, TypeError, KeyError) as exc:
        raise CertificateError(
            Step.TRUST, "shc.key", f"the trusted key {key.get('kid')} is not usable: {exc}"
        ) from None


# --- step 7: signature -----------------------------------------------------------------------------


def check_signature(jws: CompactJWS, key: ec.EllipticCurvePublicKey) -> None:
    """ES256: the signature is r || s (32 bytes each) over the ASCII of `header.payload`."""
    if len(jws.signature) != 64:
        raise CertificateError(
            Step.SIGNATURE, "shc.signature", f"an ES256 signature is 64 bytes, not {len(jws.signature)}"
        )
    r = int.from_bytes(jws.signature[:32], "big")
    s = int.from_bytes(jws.signature[32:], "big")
    try:
        key.verify(encode_dss_signature(r, s), jws.signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise CertificateError(Step.SIGNATURE, "shc.signature", "the signature does not verify") from None


# --- step 8: validity ------------------------------------------------------------------------------


def check_validity(nbf: float, at: datetime, exp: float | None = None) -> None:
    """Valid from `nbf` on and, when the card has `exp`, until then (a naive `at` is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    not_before = _timestamp(nbf)
    if not_before is None:
        raise CertificateError(Step.STRUCTURE, "shc.payload", "the not-before time (nbf) is not a time")
    if at < not_before:
        raise CertificateError(
            Step.VALIDITY, "shc.not-yet-valid", f"the card is valid only from {not_before.isoformat()}"
        )
    if exp is not None:
        expires = _timestamp(exp)
        if expires is None:
            raise CertificateError(Step.STRUCTURE, "shc.payload", "the expiry (exp) is not a time")
        if at > expires:
            raise CertificateError(Step.VALIDITY, "shc.expired", f"the card expired at {expires.isoformat()}")


# --- step 9: the FHIR bundle as the common model ---------------------------------------------------


def to_certificate(claims: dict[str, Any], kid: str) -> Certificate:
    """The common model of a checked payload (see `check_payload`)."""
    bundle = claims["vc"]["credentialSubject"]["fhirBundle"]
    resources = [
        entry["resource"]
        for entry in bundle["entry"]
        if isinstance(entry, dict) and isinstance(entry.get("resource"), dict)
    ]
    unmapped: list[str] = []
    try:
        holder = _holder(resources)
        events: list[Event] = [*_vaccinations(resources, unmapped), *_tests(resources, unmapped)]
    except CertificateError:
        raise
    # Safety net for shapes the spec forbids but a signed card may still carry (a string where FHIR
    # has a list): the caller gets a structure error, never a TypeError.
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        raise CertificateError(
            Step.STRUCTURE, "shc.payload", f"the FHIR bundle is malformed: {exc}"
        ) from None
    not_before = _timestamp(claims["nbf"])
    return Certificate(
        format=FORMAT,
        holder=holder,
        events=events,
        issuer=claims["iss"],
        issued_at=not_before,  # SHC has no separate issue time: nbf is when the issuer signed it
        expires_at=_timestamp(claims["exp"]) if "exp" in claims else None,
        not_before=not_before,
        signer=kid,
        raw=claims,
        unmapped=list(dict.fromkeys(unmapped)),
    )


def _holder(resources: list[dict[str, Any]]) -> Holder:
    patients = [resource for resource in resources if resource.get("resourceType") == "Patient"]
    if not patients:
        # The spec's example 02 (a lab report) has no Patient at all: such a card names no one, which
        # the empty holder shows, rather than an error for a card whose signature is good.
        return Holder(family_name="", given_name="", date_of_birth="")
    patient = patients[0]
    names = patient.get("name") or [{}]
    name = names[0] if isinstance(names, list) and isinstance(names[0], dict) else {}
    given = name.get("given") or []
    given_name = " ".join(part for part in given if isinstance(part, str)) if isinstance(given, list) else ""
    family = name.get("family")
    birth_date = patient.get("birthDate")
    return Holder(
        family_name=family if isinstance(family, str) else "",
        given_name=given_name,
        date_of_birth=birth_date if isinstance(birth_date, str) else "",
    )


def _vaccinations(resources: list[dict[str, Any]], unmapped: list[str]) -> list[Vaccination]:
    """Completed immunizations; a not-done or entered-in-error one is no vaccination."""
    immunizations = [
        resource
        for resource in resources
        if resource.get("resourceType") == "Immunization" and resource.get("status") == "completed"
    ]
    dated = [
        (_date(resource.get("occurrenceDateTime"), "occurrenceDateTime"), resource)
        for resource in immunizations
    ]
    # SHC carries no dose number: a dose is the place of its immunization in the card, by date (the
    # card lists the holder's doses; a booster of another product still counts on). Cards minimise
    # data, so an issuer may leave out earlier doses: the number is a lower bound, not a fact.
    order = sorted(range(len(dated)), key=lambda index: dated[index][0])
    dose_of = {index: rank for rank, index in enumerate(order, 1)}
    vaccinations = []
    for index, (when, resource) in enumerate(dated):
        product, product_code = _product(resource.get("vaccineCode"))
        if product is None:
            unmapped.append(product_code)
        vaccinations.append(
            Vaccination(
                product=product or "unknown",
                product_code=product_code,
                manufacturer=vocabulary.product_manufacturer(product) if product else "",
                dose=dose_of[index],
                doses=vocabulary.primary_course_doses(product) if product else None,
                date=when,
                country="",  # SHC names its issuer by URL, not the country of vaccination
            )
        )
    return vaccinations


def _product(concept: Any) -> tuple[str | None, str]:
    """Our product id and the code as "CVX:207"; the first coding we know wins."""
    codings = [(system, code) for system, code in _codings(concept) if system in ("CVX", "SNOMED")]
    for system, code in codings:
        product = vocabulary.product(system, code)
        if product:
            return product, f"{system}:{code}"
    if codings:
        return None, f"{codings[0][0]}:{codings[0][1]}"
    others = _codings(concept, known_only=False)
    return None, f"{others[0][0]}:{others[0][1]}" if others else "none"


def _codings(concept: Any, known_only: bool = True) -> list[tuple[str, str]]:
    """(system, code) of a CodeableConcept's codings; systems we know by our name, others by URL."""
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return []
    found = []
    for coding in concept["coding"]:
        if not isinstance(coding, dict) or not isinstance(coding.get("code"), str):
            continue
        system = SYSTEMS.get(coding.get("system"))  # type: ignore[arg-type]
        if system is None and known_only:
            continue
        found.append((system or str(coding.get("system", "")), coding["code"]))
    return found


def _tests(resources: list[dict[str, Any]], unmapped: list[str]) -> list[Test]:
    """Final lab results whose LOINC code is a test type we know (e.g. a SARS-CoV-2 PCR).

    A card may carry any lab result (example 02 is a full blood count and a urine panel): those are
    not test certificates, so they are no events; their codes are listed as unmapped.
    """
    tests = []
    for resource in resources:
        if resource.get("resourceType") != "Observation" or resource.get("status") not in FINAL_OBSERVATION:
            continue
        loinc = [code for system, code in _codings(resource.get("code")) if system == "LOINC"]
        test_type = next(
            (vocabulary.test_type("LOINC", code) for code in loinc if vocabulary.test_type("LOINC", code)),
            None,
        )
        if test_type is None:
            unmapped.append(f"LOINC:{loinc[0]}" if loinc else "LOINC:none")
            continue
        results = [
            code for system, code in _codings(resource.get("valueCodeableConcept")) if system == "SNOMED"
        ]
        result = next(
            (
                vocabulary.test_result("SNOMED", code)
                for code in results
                if vocabulary.test_result("SNOMED", code)
            ),
            None,
        )
        if result is None:
            unmapped.append(f"SNOMED:{results[0]}" if results else "SNOMED:none")
        tests.append(
            Test(
                test_type=test_type,
                result=result or "unknown",
                sampled_at=_datetime(resource.get("effectiveDateTime"), "effectiveDateTime"),
                country="",  # as for vaccinations: SHC has no country
            )
        )
    return tests


def _date(value: Any, what: str) -> date:
    """The date of a FHIR dateTime ("2021-01-29" or "2021-01-29T10:00:00Z")."""
    if not isinstance(value, str) or len(value) < 10:
        raise CertificateError(Step.STRUCTURE, "shc.payload", f"{what} is not a full date: {value!r}")
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        raise CertificateError(Step.STRUCTURE, "shc.payload", f"{what} is not a date: {value!r}") from None


def _datetime(value: Any, what: str) -> datetime:
    """A FHIR dateTime as an aware datetime (a bare date is midnight UTC)."""
    if not isinstance(value, str):
        raise CertificateError(Step.STRUCTURE, "shc.payload", f"{what} is missing")
    try:
        moment = (
            datetime.fromisoformat(value)
            if "T" in value
            else datetime.combine(_date(value, what), datetime.min.time())
        )
    except ValueError:
        raise CertificateError(Step.STRUCTURE, "shc.payload", f"{what} is not a time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
