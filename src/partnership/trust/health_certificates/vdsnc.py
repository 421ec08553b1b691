"""ICAO Visible Digital Seals for Non-Constrained environments (VDS-NC): travel health proofs.

A seal is a JSON object `{"data": {"hdr": {...}, "msg": {...}}, "sig": {"alg", "cer", "sigvl"}}`
(ICAO, "Guidelines: Visible Digital Seals (VDS) for Travel-Related Public Health Proofs", v1.1);
`hdr.t` is "icao.vacc" (proof of vaccination) or "icao.test" (proof of testing). `sig.cer` is the
signer certificate (base64url DER), which a country signing CA (CSCA) of the issuing state signed;
`sig.sigvl` is the signature (base64url) over the RFC 8785 canonical JSON of `data` only.

Verification runs these steps, each raising `CertificateError` with its own codes:

==================  =====================  ===============================================================
step                code                   when
==================  =====================  ===============================================================
PREFIX              vds.too-large          input larger than MAX_INPUT_BYTES (UTF-8)
JSON                vds.json               not JSON, duplicate keys, NaN, `data` not canonicalisable
STRUCTURE           vds.structure          not a seal: hdr, msg, sig members missing or mistyped
STRUCTURE           vds.type               `hdr.t` is neither icao.vacc nor icao.test
STRUCTURE           vds.several-seals      `verify` given a list of several seals (use `verify_all`)
BASE45              vds.base64             `cer` or `sigvl` not base64url (padded or not)
STRUCTURE           vds.certificate        `cer` is not an X.509 certificate
TRUST               vds.signer-key         the signer's public key is of a kind not supported
TRUST               vds.unknown-csca       no CSCA of the issuing country named as the signer's issuer
TRUST               vds.chain              no such CSCA's key verifies the signer certificate
SIGNATURE           vds.algorithm          `alg` not ES256/384/512, PS256/384/512, RS256/384/512, or
                                           not matching the signer's key type
SIGNATURE           vds.signature          the seal's signature does not verify
VALIDITY            vds.signer-not-yet-valid / vds.signer-expired: the signer certificate at `at`
==================  =====================  ===============================================================

Leniency, on purpose: certificates are read with asn1crypto, not `cryptography`, because real ones use
encodings `cryptography` refuses. Japan's Digital Agency signer certificate and its CSCA (serial 0xe3)
carry an explicit NULL parameter after ecdsa-with-SHA384 in the signature algorithm (RFC 5758 says
absent), and both Japanese CSCAs carry their P-384 key with explicit curve parameters (RFC 5480 says
namedCurve). So the public key is built here: explicit parameters are compared field by field with the
known curves (P-256, P-384, P-521, brainpoolP256r1/384r1/512r1) and refused when they match none.

What the model cannot carry: ICAO gives the holder one name field (`pid.n`, in the order the issuer
prints it); it goes whole into `Holder.family_name`, with `given_name` "" (splitting it would guess).
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any, NamedTuple

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from partnership.ledger.canonical import CanonicalError, canonical_json

from . import vocabulary
from .errors import MAX_INPUT_BYTES, CertificateError, Step
from .model import Certificate, Event, Holder, Test, Vaccination
from .trust import TrustedCertificate, TrustStore

__all__ = [
    "FORMAT",
    "MESSAGE_TYPES",
    "Seal",
    "SignerFacts",
    "alpha2_of",
    "check_signer_validity",
    "decode_base64url",
    "detect",
    "public_key_of",
    "read_json",
    "read_message",
    "read_seal",
    "read_signer_certificate",
    "signer_facts",
    "verify",
    "verify_all",
    "verify_chain",
    "verify_seal",
    "verify_seal_signature",
]

FORMAT = "vds-nc"
MESSAGE_TYPES = ("icao.vacc", "icao.test")

PublicKey = ec.EllipticCurvePublicKey | rsa.RSAPublicKey

# Errors the parsers raise for bad input (asn1crypto raises ValueError/TypeError, sometimes others on
# truncated or mistagged data); caught per step and turned into a CertificateError.
_PARSE_ERRORS = (
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    AttributeError,
    UnsupportedAlgorithm,
)

# ISO 3166-1 alpha-3 -> alpha-2 (Debian iso-codes), as 'JPNJP' pairs: `hdr.is` is alpha-3, a CSCA's
# subject C alpha-2. Doc 9303 adds codes of its own: D for Germany, the British nationality codes, EUE.
_ISO_ALPHA3_TO_ALPHA2 = (
    "ABWAW AFGAF AGOAO AIAAI ALAAX ALBAL ANDAD AREAE ARGAR ARMAM ASMAS ATAAQ ATFTF ATGAG AUSAU AUTAT "
    "AZEAZ BDIBI BELBE BENBJ BESBQ BFABF BGDBD BGRBG BHRBH BHSBS BIHBA BLMBL BLRBY BLZBZ BMUBM BOLBO "
    "BRABR BRBBB BRNBN BTNBT BVTBV BWABW CAFCF CANCA CCKCC CHECH CHLCL CHNCN CIVCI CMRCM CODCD COGCG "
    "COKCK COLCO COMKM CPVCV CRICR CUBCU CUWCW CXRCX CYMKY CYPCY CZECZ DEUDE DJIDJ DMADM DNKDK DOMDO "
    "DZADZ ECUEC EGYEG ERIER ESHEH ESPES ESTEE ETHET FINFI FJIFJ FLKFK FRAFR FROFO FSMFM GABGA GBRGB "
    "GEOGE GGYGG GHAGH GIBGI GINGN GLPGP GMBGM GNBGW GNQGQ GRCGR GRDGD GRLGL GTMGT GUFGF GUMGU GUYGY "
    "HKGHK HMDHM HNDHN HRVHR HTIHT HUNHU IDNID IMNIM INDIN IOTIO IRLIE IRNIR IRQIQ ISLIS ISRIL ITAIT "
    "JAMJM JEYJE JORJO JPNJP KAZKZ KENKE KGZKG KHMKH KIRKI KNAKN KORKR KWTKW LAOLA LBNLB LBRLR LBYLY "
    "LCALC LIELI LKALK LSOLS LTULT LUXLU LVALV MACMO MAFMF MARMA MCOMC MDAMD MDGMG MDVMV MEXMX MHLMH "
    "MKDMK MLIML MLTMT MMRMM MNEME MNGMN MNPMP MOZMZ MRTMR MSRMS MTQMQ MUSMU MWIMW MYSMY MYTYT NAMNA "
    "NCLNC NERNE NFKNF NGANG NICNI NIUNU NLDNL NORNO NPLNP NRUNR NZLNZ OMNOM PAKPK PANPA PCNPN PERPE "
    "PHLPH PLWPW PNGPG POLPL PRIPR PRKKP PRTPT PRYPY PSEPS PYFPF QATQA REURE ROURO RUSRU RWARW SAUSA "
    "SDNSD SENSN SGPSG SGSGS SHNSH SJMSJ SLBSB SLESL SLVSV SMRSM SOMSO SPMPM SRBRS SSDSS STPST SURSR "
    "SVKSK SVNSI SWESE SWZSZ SXMSX SYCSC SYRSY TCATC TCDTD TGOTG THATH TJKTJ TKLTK TKMTM TLSTL TONTO "
    "TTOTT TUNTN TURTR TUVTV TWNTW TZATZ UGAUG UKRUA UMIUM URYUY USAUS UZBUZ VATVA VCTVC VENVE VGBVG "
    "VIRVI VNMVN VUTVU WLFWF WSMWS YEMYE ZAFZA ZMBZM ZWEZW "
)
_COUNTRIES: dict[str, str] = {pair[:3]: pair[3:] for pair in _ISO_ALPHA3_TO_ALPHA2.split()}
_COUNTRIES.update({"D": "DE", "D<<": "DE", "GBD": "GB", "GBN": "GB", "GBO": "GB", "GBP": "GB", "GBS": "GB"})
_COUNTRIES.update({"EUE": "EU", "RKS": "XK"})

# The curves a key with explicit domain parameters is matched against: p, a, b, Gx, Gy, n (hex), as
# `openssl ecparam -name <curve> -param_enc explicit` writes them.
_EXPLICIT_CURVES_HEX: dict[str, tuple[str, ...]] = {
    "SECP256R1": (
        "ffffffff00000001000000000000000000000000ffffffffffffffffffffffff",
        "ffffffff00000001000000000000000000000000fffffffffffffffffffffffc",
        "5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b",
        "6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296",
        "4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5",
        "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
    ),
    "SECP384R1": (
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff",
        "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000fffffffc",
        "b3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aef",
        "aa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7",
        "3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5f",
        "ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
    ),
    "SECP521R1": (
        "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        "fffffffffffffffffffffffffffffffffff",
        "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
        "ffffffffffffffffffffffffffffffffffc",
        "51953eb9618e1c9a1f929a21a0b68540eea2da725b99b315f3b8b489918ef109e156193951ec7e937b1652c0bd3bb1bf"
        "073573df883d2c34f1ef451fd46b503f00",
        "c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8"
        "de3348b3c1856a429bf97e7e31c2e5bd66",
        "11839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0"
        "761353c7086a272c24088be94769fd16650",
        "1fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a"
        "5d03bb5c9b8899c47aebb6fb71e91386409",
    ),
    "BrainpoolP256R1": (
        "a9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377",
        "7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9",
        "26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6",
        "8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262",
        "547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997",
        "a9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7",
    ),
    "BrainpoolP384R1": (
        "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53",
        "7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826",
        "4a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11",
        "1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1e",
        "8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315",
        "8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565",
    ),
    "BrainpoolP512R1": (
        "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e6"
        "2881ff2f2d82c68528aa6056583a48f3",
        "7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b5"
        "7f1117a72bf2c7b9e7c1ac4d77fc94ca",
        "3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67"
        "984050b75ebae5dd2809bd638016f723",
        "81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f"
        "7c6d5047406a5e688b352209bcb9f822",
        "7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763ae"
        "d1ca2b2fa8f0540678cd1e0f3ad80892",
        "aadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac1047"
        "1db1d381085ddaddb58796829ca90069",
    ),
}

_CURVES: dict[str, ec.EllipticCurve] = {
    "SECP256R1": ec.SECP256R1(),
    "SECP384R1": ec.SECP384R1(),
    "SECP521R1": ec.SECP521R1(),
    "BrainpoolP256R1": ec.BrainpoolP256R1(),
    "BrainpoolP384R1": ec.BrainpoolP384R1(),
    "BrainpoolP512R1": ec.BrainpoolP512R1(),
}
_EXPLICIT_CURVES: dict[str, tuple[int, ...]] = {
    name: tuple(int(value, 16) for value in values) for name, values in _EXPLICIT_CURVES_HEX.items()
}
_NAMED_CURVE_OIDS: dict[str, str] = {
    "1.2.840.10045.3.1.7": "SECP256R1",
    "1.3.132.0.34": "SECP384R1",
    "1.3.132.0.35": "SECP521R1",
    "1.3.36.3.3.2.8.1.1.7": "BrainpoolP256R1",
    "1.3.36.3.3.2.8.1.1.11": "BrainpoolP384R1",
    "1.3.36.3.3.2.8.1.1.13": "BrainpoolP512R1",
}

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha224": hashes.SHA224,
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}  # SHA-1 is refused: no VDS-NC signer or CSCA in service was signed with it

# JWA names of the seal's `alg`: (key type, hash, scheme)
_SEAL_ALGORITHMS: dict[str, tuple[str, type[hashes.HashAlgorithm], str]] = {
    "ES256": ("ec", hashes.SHA256, "ecdsa"),
    "ES384": ("ec", hashes.SHA384, "ecdsa"),
    "ES512": ("ec", hashes.SHA512, "ecdsa"),
    "PS256": ("rsa", hashes.SHA256, "pss"),
    "PS384": ("rsa", hashes.SHA384, "pss"),
    "PS512": ("rsa", hashes.SHA512, "pss"),
    "RS256": ("rsa", hashes.SHA256, "pkcs1"),
    "RS384": ("rsa", hashes.SHA384, "pkcs1"),
    "RS512": ("rsa", hashes.SHA512, "pkcs1"),
}


# --- recognising and reading ---------------------------------------------------------------------------


def detect(text: str) -> bool:
    """Whether `text` looks like a VDS-NC seal (a JSON object with `data` and `sig`) or a list of them."""
    if not isinstance(text, str) or not text.lstrip("\ufeff \t\r\n").startswith(("{", "[")):
        return False
    try:
        value = read_json(text)
    except CertificateError:
        return False
    seals = value if isinstance(value, list) else [value]
    return bool(seals) and all(isinstance(seal, dict) and "data" in seal and "sig" in seal for seal in seals)


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two parsers that keep different copies of a duplicated key would read different seals from the
    # bytes one signature covers; a seal with a duplicated member is refused.
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise ValueError(f"duplicate member {key!r}")
        value[key] = item
    return value


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_json(text: str) -> Any:
    """The JSON value of `text`, refusing oversized input, duplicate members and NaN/Infinity."""
    if not isinstance(text, str):
        raise CertificateError(Step.JSON, "vds.json", f"a seal is text, not {type(text).__name__}")
    if len(text.encode("utf-8", errors="surrogatepass")) > MAX_INPUT_BYTES:
        raise CertificateError(
            Step.PREFIX, "vds.too-large", f"the input is larger than {MAX_INPUT_BYTES} bytes"
        )
    try:
        return json.loads(
            text.lstrip("\ufeff"), object_pairs_hook=_refuse_duplicates, parse_constant=_refuse_constant
        )
    except (ValueError, RecursionError) as exc:
        raise CertificateError(Step.JSON, "vds.json", f"not JSON: {exc}") from None


@dataclass(frozen=True)
class Seal:
    """A seal's members, checked for shape; `signed`: the canonical JSON of `data`, which is signed."""

    data: dict[str, Any]
    message_type: str
    issuing_country: str
    message: dict[str, Any]
    alg: str
    cer: str
    sigvl: str
    signed: bytes


def read_seal(value: Any) -> Seal:
    """Check a seal's shape: data.hdr {t, v, is}, data.msg, sig {alg, cer, sigvl}."""

    def structure(message: str) -> CertificateError:
        return CertificateError(Step.STRUCTURE, "vds.structure", message)

    if not isinstance(value, dict):
        raise structure("a seal is a JSON object with `data` and `sig`")
    data, sig = value.get("data"), value.get("sig")
    if not isinstance(data, dict):
        raise structure("the seal has no object `data`")
    if not isinstance(sig, dict):
        raise structure("the seal has no object `sig`")
    header, message = data.get("hdr"), data.get("msg")
    if not isinstance(header, dict):
        raise structure("the seal has no object `data.hdr`")
    if not isinstance(message, dict):
        raise structure("the seal has no object `data.msg`")
    message_type, version, country = header.get("t"), header.get("v"), header.get("is")
    if not isinstance(message_type, str):
        raise structure("`data.hdr.t` (the message type) is missing")
    if message_type not in MESSAGE_TYPES:
        raise CertificateError(Step.STRUCTURE, "vds.type", f"unknown message type {message_type[:40]!r}")
    if not isinstance(version, int) or isinstance(version, bool):
        raise structure("`data.hdr.v` (the version) is not a number")
    if not isinstance(country, str) or not 1 <= len(country) <= 3:
        raise structure("`data.hdr.is` (the issuing country) is not a country code")
    for name in ("alg", "cer", "sigvl"):
        if not isinstance(sig.get(name), str) or not sig[name]:
            raise structure(f"`sig.{name}` is missing")
    try:
        signed = canonical_json(data)
    except CanonicalError as exc:
        raise CertificateError(
            Step.JSON, "vds.json", f"`data` has no canonical JSON (RFC 8785): {exc}"
        ) from None
    return Seal(data, message_type, country, message, sig["alg"], sig["cer"], sig["sigvl"], signed)


def decode_base64url(text: str, member: str) -> bytes:
    """base64url (RFC 4648 section 5) with or without its `=` padding; nothing else is accepted.

    The encoding must be the canonical one (no stray bits in the last character), so one byte string has
    one text, and a changed character is never silently read as the same bytes.
    """
    stripped = text.rstrip("=")
    padding_given = len(text) - len(stripped)
    if padding_given and (len(text) % 4 or padding_given > 2):
        raise CertificateError(Step.BASE45, "vds.base64", f"`{member}` has wrong base64url padding")
    try:
        decoded = base64.b64decode(stripped + "=" * (-len(stripped) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CertificateError(Step.BASE45, "vds.base64", f"`{member}` is not base64url: {exc}") from None
    if base64.urlsafe_b64encode(decoded).decode("ascii").rstrip("=") != stripped:
        raise CertificateError(Step.BASE45, "vds.base64", f"`{member}` is not canonical base64url")
    return decoded


# --- certificates and keys -----------------------------------------------------------------------------


def read_signer_certificate(der: bytes) -> asn1_x509.Certificate:
    """The signer certificate, read leniently (asn1crypto) and parsed through, so a bad one fails here.

    Kept per certificate (a country signs with a few signers): reading one takes far longer than the
    seal's signature check (bench/certificates.py). Failures are not kept.
    """
    return _read_signer(bytes(der))


@lru_cache(maxsize=256)
def _read_signer(der: bytes) -> asn1_x509.Certificate:
    try:
        certificate = asn1_x509.Certificate.load(der, strict=True)
        certificate.native  # noqa: B018 -- parse every field now, not lazily in a later step
        return certificate
    except _PARSE_ERRORS as exc:
        raise CertificateError(
            Step.STRUCTURE, "vds.certificate", f"`sig.cer` is not an X.509 certificate: {exc}"
        ) from None


def _named_curve(parameters: asn1_keys.ECDomainParameters) -> ec.EllipticCurve:
    if parameters.name == "named":
        name = _NAMED_CURVE_OIDS.get(parameters.chosen.dotted)
        if name is None:
            raise ValueError(f"the curve {parameters.chosen.dotted} is not supported")
        return _CURVES[name]
    if parameters.name != "specified":
        raise ValueError("a key with implicit curve parameters cannot be verified")
    # Explicit parameters (as Japan's CSCAs carry them): the curve they describe, if it is a known one.
    specified = parameters.chosen
    if specified["field_id"]["field_type"].native != "prime_field":
        raise ValueError("only prime-field curves are supported")
    prime = specified["field_id"]["parameters"].native
    a = int.from_bytes(specified["curve"]["a"].native, "big")
    b = int.from_bytes(specified["curve"]["b"].native, "big")
    base = specified["base"].native
    order = specified["order"].native
    for name, (p, curve_a, curve_b, gx, gy, n) in _EXPLICIT_CURVES.items():
        if (prime, a, b, order) != (p, curve_a, curve_b, n):
            continue
        size = (p.bit_length() + 7) // 8
        if base[:1] == b"\x04" and base[1:] == gx.to_bytes(size, "big") + gy.to_bytes(size, "big"):
            return _CURVES[name]
        if base[:1] in (b"\x02", b"\x03") and base[1:] == gx.to_bytes(size, "big") and base[0] & 1 == gy & 1:
            return _CURVES[name]
    raise ValueError("the explicit curve parameters are those of no supported curve")


def public_key_of(info: asn1_keys.PublicKeyInfo) -> PublicKey:
    """A `cryptography` public key from a SubjectPublicKeyInfo, explicit EC curve parameters included.

    Raises ValueError for a key of a kind not supported (or not a valid point on its curve).
    """
    try:
        algorithm = info["algorithm"]["algorithm"].native
        if algorithm == "ec":
            curve = _named_curve(info["algorithm"]["parameters"])
            return ec.EllipticCurvePublicKey.from_encoded_point(curve, info["public_key"].native)
        if algorithm in ("rsa", "rsassa_pss"):
            numbers = info["public_key"].parsed
            return rsa.RSAPublicNumbers(
                numbers["public_exponent"].native, numbers["modulus"].native
            ).public_key()
    except _PARSE_ERRORS as exc:
        raise ValueError(str(exc) or type(exc).__name__) from None
    raise ValueError(f"keys of type {algorithm} are not supported")


def _verify_certificate_signature(certificate: asn1_x509.Certificate, key: PublicKey) -> None:
    """Check `certificate`'s signature with `key` (its issuer's); raises ValueError or InvalidSignature."""
    algorithm = certificate["signature_algorithm"]
    # The outer algorithm is not signed: it must be the signed inner one byte for byte (RFC 5280 4.1.1.2),
    # or a changed byte there would go unnoticed.
    if algorithm.dump() != certificate["tbs_certificate"]["signature"].dump():
        raise ValueError("the certificate names two different signature algorithms")
    tbs = certificate["tbs_certificate"].dump()  # the bytes as received: asn1crypto keeps them
    signature = certificate["signature_value"].native
    scheme = algorithm.signature_algo
    hash_class = _HASHES.get(algorithm.hash_algo)
    if hash_class is None:
        raise ValueError(f"the hash {algorithm.hash_algo} is not accepted")
    if scheme == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
        key.verify(signature, tbs, ec.ECDSA(hash_class()))
    elif scheme == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
        key.verify(signature, tbs, padding.PKCS1v15(), hash_class())
    elif scheme == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
        parameters = algorithm["parameters"]
        mask_hash = _HASHES.get(parameters["mask_gen_algorithm"]["parameters"]["algorithm"].native)
        if mask_hash is None:
            raise ValueError("the PSS mask hash is not accepted")
        pss = padding.PSS(mgf=padding.MGF1(mask_hash()), salt_length=parameters["salt_length"].native)
        key.verify(signature, tbs, pss, hash_class())
    else:
        raise ValueError(f"a {scheme} signature cannot be checked with this key")


def alpha2_of(country: str) -> str | None:
    """The ISO alpha-2 code of a Doc 9303 / ISO alpha-3 issuing country (None when unknown, e.g. UTO)."""
    return _COUNTRIES.get(country.upper())


@lru_cache(maxsize=1024)
def _chain_verified(signer_der: bytes, csca_der: bytes) -> bool:
    """That the CSCA signed the signer certificate, checked once per pair of certificates: the check is
    a pure function of the two, and a verifier sees the same few signers all day. Failures are not
    cached (they raise)."""
    signer = asn1_x509.Certificate.load(signer_der)
    _verify_certificate_signature(signer, public_key_of(asn1_x509.Certificate.load(csca_der).public_key))
    return True


@lru_cache(maxsize=256)
def _signer_key(der: bytes) -> PublicKey:
    return public_key_of(_read_signer(der).public_key)


class SignerFacts(NamedTuple):
    """What the steps after reading need of a signer certificate, read once per certificate: asn1crypto
    re-checks a whole parsed certificate for changes on every `dump()` and `.native`, which took longer
    than the seal's signature check when done per seal."""

    der: bytes
    issuer: bytes  # the issuer Name as encoded
    issuer_text: str
    subject_text: str
    not_before: datetime
    not_after: datetime


@lru_cache(maxsize=256)
def signer_facts(der: bytes) -> SignerFacts:
    """The facts of the signer certificate `der` (read with `read_signer_certificate`, which refuses)."""
    signer = _read_signer(der)
    validity = signer["tbs_certificate"]["validity"]
    return SignerFacts(
        der,
        signer.issuer.dump(),
        signer.issuer.human_friendly,
        signer.subject.human_friendly,
        validity["not_before"].native,
        validity["not_after"].native,
    )


@lru_cache(maxsize=1024)
def _named_by(issuer_der: bytes, csca_der: bytes) -> bool:
    """Whether the CSCA's subject is the signer's issuer name (RFC 5280 comparison, kept per pair)."""
    return asn1_x509.Certificate.load(csca_der).subject == asn1_x509.Name.load(issuer_der)


def verify_chain(signer: SignerFacts, issuing_country: str, trust: TrustStore) -> TrustedCertificate:
    """The CSCA of `issuing_country` that signed `signer`: named as its issuer, and its key verifies it."""
    alpha2 = alpha2_of(issuing_country)
    cscas = trust.cscas.get(alpha2, []) if alpha2 else []
    named = [csca for csca in cscas if _named_by(signer.issuer, csca.der)]
    if not named:
        raise CertificateError(
            Step.TRUST,
            "vds.unknown-csca",
            f"no trusted CSCA of {issuing_country[:3]!r} is named {signer.issuer_text!r}",
        )
    reasons = []
    for csca in named:
        try:
            _chain_verified(signer.der, csca.der)
            return csca
        except InvalidSignature:
            reasons.append("signature does not verify")
        except _PARSE_ERRORS as exc:
            reasons.append(str(exc))
    raise CertificateError(
        Step.TRUST,
        "vds.chain",
        f"no trusted CSCA named {signer.issuer_text!r} signed the signer certificate ({'; '.join(reasons)})",
    )


def check_signer_validity(signer: SignerFacts, at: datetime) -> None:
    """The signer certificate must be valid at `at` (a naive `at` is read as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    if at < signer.not_before:
        raise CertificateError(
            Step.VALIDITY,
            "vds.signer-not-yet-valid",
            f"the signer certificate is valid from {signer.not_before}",
        )
    if at > signer.not_after:
        raise CertificateError(
            Step.VALIDITY, "vds.signer-expired", f"the signer certificate expired at {signer.not_after}"
        )


def verify_seal_signature(seal: Seal, signature: bytes, key: PublicKey) -> None:
    """The seal's signature (`sigvl`, decoded) over the canonical JSON of `data`, with the signer's key."""
    algorithm = _SEAL_ALGORITHMS.get(seal.alg)
    if algorithm is None:
        raise CertificateError(
            Step.SIGNATURE, "vds.algorithm", f"the signature algorithm {seal.alg[:20]!r} is not supported"
        )
    key_type, hash_class, scheme = algorithm
    try:
        if key_type == "ec":
            if not isinstance(key, ec.EllipticCurvePublicKey):
                raise CertificateError(Step.SIGNATURE, "vds.algorithm", f"{seal.alg} needs an EC signer key")
            size = (key.curve.key_size + 7) // 8
            if len(signature) != 2 * size:
                raise InvalidSignature
            r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
            key.verify(encode_dss_signature(r, s), seal.signed, ec.ECDSA(hash_class()))
        else:
            if not isinstance(key, rsa.RSAPublicKey):
                raise CertificateError(Step.SIGNATURE, "vds.algorithm", f"{seal.alg} needs an RSA signer key")
            if scheme == "pss":
                pss = padding.PSS(mgf=padding.MGF1(hash_class()), salt_length=hash_class().digest_size)
                key.verify(signature, seal.signed, pss, hash_class())
            else:
                key.verify(signature, seal.signed, padding.PKCS1v15(), hash_class())
    except (InvalidSignature, ValueError):
        raise CertificateError(
            Step.SIGNATURE, "vds.signature", "the seal's signature does not verify"
        ) from None


# --- the message -----------------------------------------------------------------------------------------


def _text(container: dict[str, Any], name: str, where: str, required: bool = True) -> str:
    value = container.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise CertificateError(Step.STRUCTURE, "vds.structure", f"`{where}.{name}` is missing or not text")
    return value


def _object(container: dict[str, Any], name: str, where: str) -> dict[str, Any]:
    value = container.get(name)
    if not isinstance(value, dict):
        raise CertificateError(
            Step.STRUCTURE, "vds.structure", f"`{where}.{name}` is missing or not an object"
        )
    return value


def _date(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CertificateError(
            Step.STRUCTURE, "vds.structure", f"`{where}` is not a date: {text[:40]!r}"
        ) from None


def _datetime(text: str, where: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CertificateError(
            Step.STRUCTURE, "vds.structure", f"`{where}` is not a date and time: {text[:40]!r}"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # ICAO gives an offset; none: UTC


def _dose_number(value: Any, where: str) -> int:
    # ICAO's own example writes "seq": "1", Japan writes 1: both are read
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 3:
        return int(value)
    raise CertificateError(Step.STRUCTURE, "vds.structure", f"`{where}` is not a dose number")


def _vaccinations(message: dict[str, Any], unmapped: list[str]) -> list[Event]:
    events = message.get("ve")
    if not isinstance(events, list) or not events:
        raise CertificateError(
            Step.STRUCTURE, "vds.structure", "`data.msg.ve` (the vaccination events) is missing"
        )
    vaccinations: list[Event] = []
    for number, event in enumerate(events):
        where = f"data.msg.ve[{number}]"
        if not isinstance(event, dict):
            raise CertificateError(Step.STRUCTURE, "vds.structure", f"`{where}` is not an object")
        name = _text(event, "nam", where, required=False)
        code = _text(event, "des", where)
        disease = _text(event, "dis", where, required=False)
        product = vocabulary.product("ICAO-NAM", name) if name else None
        product_code = f"ICAO-NAM:{name}"
        if product is None:
            product = vocabulary.product("ICD11", code)
            product_code = f"ICD11:{code}"
        if product is None:
            product = "unknown"
            product_code = f"ICAO-NAM:{name}" if name else f"ICD11:{code}"
            unmapped.extend(item for item in (f"ICAO-NAM:{name}" if name else "", f"ICD11:{code}") if item)
        if disease and vocabulary.disease("ICD11", disease) is None:
            unmapped.append(f"ICD11:{disease}")
        doses = event.get("vd")
        if not isinstance(doses, list) or not doses:
            raise CertificateError(Step.STRUCTURE, "vds.structure", f"`{where}.vd` (the doses) is missing")
        for dose_index, dose in enumerate(doses):
            dose_where = f"{where}.vd[{dose_index}]"
            if not isinstance(dose, dict):
                raise CertificateError(Step.STRUCTURE, "vds.structure", f"`{dose_where}` is not an object")
            vaccinations.append(
                Vaccination(
                    product=product,
                    product_code=product_code,
                    manufacturer=vocabulary.product_manufacturer(product) if product != "unknown" else "",
                    dose=_dose_number(dose.get("seq"), f"{dose_where}.seq"),
                    doses=vocabulary.primary_course_doses(product) if product != "unknown" else None,
                    date=_date(_text(dose, "dvc", dose_where), f"{dose_where}.dvc"),
                    country=_text(dose, "ctr", dose_where, required=False),
                )
            )
    return vaccinations


def _test(message: dict[str, Any], unmapped: list[str]) -> tuple[Test, datetime | None]:
    provider = _object(message, "sp", "data.msg")
    dates = _object(message, "dat", "data.msg")
    result = _object(message, "tr", "data.msg")
    test_code = _text(result, "tc", "data.msg.tr")
    result_code = _text(result, "r", "data.msg.tr")
    test_type = vocabulary.test_type("ICAO", test_code)
    test_result = vocabulary.test_result("ICAO", result_code)
    if test_type is None:
        unmapped.append(f"ICAO:{test_code}")
    if test_result is None:
        unmapped.append(f"ICAO:{result_code}")
    test = Test(
        test_type=test_type or "unknown",
        result=test_result or "unknown",
        sampled_at=_datetime(_text(dates, "sc", "data.msg.dat"), "data.msg.dat.sc"),
        country=_text(provider, "ctr", "data.msg.sp", required=False),
    )
    reported = _text(dates, "ri", "data.msg.dat", required=False)
    return test, (_datetime(reported, "data.msg.dat.ri") if reported else None)


def read_message(seal: Seal) -> Certificate:
    """The seal's message in the common model (`signer` is filled once the signature verifies)."""
    person = _object(seal.message, "pid", "data.msg")
    # ICAO has one name field, in the issuer's order ("MIYAKE SHOTA", "Smith Bill"): kept whole as the
    # family name rather than split on a guess.
    holder = Holder(
        family_name=_text(person, "n", "data.msg.pid"),
        given_name="",
        date_of_birth=_text(person, "dob", "data.msg.pid", required=False),
    )
    unmapped: list[str] = []
    issued_at = None
    if seal.message_type == "icao.vacc":
        events = _vaccinations(seal.message, unmapped)
    else:
        test, issued_at = _test(seal.message, unmapped)
        events = [test]
    return Certificate(
        format=FORMAT,
        holder=holder,
        events=events,
        issuer=seal.issuing_country,
        issued_at=issued_at,
        expires_at=None,  # a VDS-NC message states no expiry; the signer certificate's is checked
        raw=seal.data,
        unmapped=unmapped,
    )


# --- verifying ------------------------------------------------------------------------------------------


def verify_seal(value: Any, trust: TrustStore, at: datetime) -> Certificate:
    """Verify one seal (a parsed JSON object), step by step; the first failing step raises."""
    seal = read_seal(value)
    certificate = read_message(seal)
    signer_der = decode_base64url(seal.cer, "sig.cer")
    signature = decode_base64url(seal.sigvl, "sig.sigvl")
    signer = signer_facts(signer_der)  # refuses what is not a certificate, like read_signer_certificate
    try:
        signer_key = _signer_key(signer_der)
    except ValueError as exc:
        raise CertificateError(
            Step.TRUST, "vds.signer-key", f"the signer's key cannot be used: {exc}"
        ) from None
    verify_chain(signer, seal.issuing_country, trust)
    verify_seal_signature(seal, signature, signer_key)
    check_signer_validity(signer, at)
    certificate.signer = signer.subject_text
    return certificate


def verify(text: str, trust: TrustStore, at: datetime) -> Certificate:
    """Verify a VDS-NC seal (or a list holding exactly one, as Japan's app exports it)."""
    value = read_json(text)
    if isinstance(value, list):
        if len(value) > 1:
            raise CertificateError(
                Step.STRUCTURE,
                "vds.several-seals",
                f"{len(value)} seals in one input: verify them with verify_all",
            )
        if not value:
            raise CertificateError(Step.STRUCTURE, "vds.structure", "an empty list holds no seal")
        value = value[0]
    return verify_seal(value, trust, at)


def verify_all(text: str, trust: TrustStore, at: datetime) -> list[Certificate]:
    """Verify every seal of a JSON list of seals (or the one seal of an object); the first failure raises,
    its message naming the seal's position."""
    value = read_json(text)
    seals = value if isinstance(value, list) else [value]
    if not seals:
        raise CertificateError(Step.STRUCTURE, "vds.structure", "an empty list holds no seal")
    certificates = []
    for number, seal in enumerate(seals, 1):
        try:
            certificates.append(verify_seal(seal, trust, at))
        except CertificateError as exc:
            if len(seals) == 1:
                raise
            raise CertificateError(exc.step, exc.code, f"seal {number}: {exc.message}") from None
    return certificates
