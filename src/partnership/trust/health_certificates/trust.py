"""The keys a verifier trusts, per format, loaded from files; verification never touches the network.

- EU DCC: document signer certificates, found by `kid` (the first 8 bytes of the SHA-256 of the
  certificate's DER, or the kid a trust list gives); several certificates may share one kid.
- SMART Health Cards: issuer key sets (JWKS), found by issuer URL (`iss`).
- ICAO VDS-NC: country signing CA certificates (CSCA), found by country; the seal carries its signer
  certificate, which must chain to one of them.

Certificates are read with asn1crypto, which also reads the encodings `cryptography` refuses (explicit
NULL parameters, explicit EC curve parameters) that real CSCAs use; each format's handler turns the key
into what it verifies with.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509

CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}
# EU DCC revocation (eHealth Network, DCC revocation, 2022): what is hashed, and the bytes kept of it
DCC_REVOCATION_HASH_TYPES = ("SIGNATURE", "UCI", "COUNTRYCODEUCI")
DCC_REVOCATION_HASH_BYTES = 16


def gettext_noop(message: str) -> str:
    """Marks a message for the app's translation catalog (Django's makemessages looks for this name);
    the library itself needs no Django and speaks English."""
    return message


class TrustError(ValueError):
    """A trust file that cannot be imported: the message names the file and the reason.

    `template` is the English message with %(name)s placeholders, filled from `params`; the Django shell
    translates the template (messages.trust_error_text) so a reader sees it in their language."""

    def __init__(self, template: str, **params: Any) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)


@dataclass(frozen=True)
class TrustedCertificate:
    der: bytes
    subject: str
    country: str  # the subject's C, upper case ("" when absent)
    is_ca: bool
    not_before: Any
    not_after: Any

    @property
    def kid(self) -> bytes:
        """The EU DCC key identifier: the first 8 bytes of SHA-256 over the DER certificate."""
        return hashlib.sha256(self.der).digest()[:8]

    @property
    def parsed(self) -> asn1_x509.Certificate:
        return asn1_x509.Certificate.load(self.der)


@dataclass
class TrustStore:
    dcc_signers: dict[bytes, list[TrustedCertificate]] = field(default_factory=dict)
    shc_issuers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # iss -> JWKs
    cscas: dict[str, list[TrustedCertificate]] = field(default_factory=dict)  # country -> CSCAs
    # SHC revocation lists: (issuer, kid) -> {rid: revoked for cards issued before this time, or None}
    shc_revoked: dict[tuple[str, str], dict[str, int | None]] = field(default_factory=dict)
    shc_crls: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # as published
    # EU DCC revocation lists: (kid, hash type) -> {first 16 bytes of a hash: the latest batch expiry};
    # kid None for the gateway's UNKNOWN_KID batches, which apply whatever the signer.
    dcc_revoked: dict[tuple[bytes | None, str], dict[bytes, datetime]] = field(default_factory=dict)
    dcc_revocation_batches: list[dict[str, Any]] = field(default_factory=list)  # as published

    # --- adding -----------------------------------------------------------------------------------

    def add_certificate(self, der: bytes, kid: bytes | None = None, kind: str | None = None) -> str:
        """Trust a certificate: a CA is a CSCA (VDS-NC), any other a DCC document signer.

        `kind` ("dcc-signer" or "csca") overrides the guess. Returns what it was trusted as.
        """
        cert = read_certificate(der)
        kind = kind or ("csca" if cert.is_ca else "dcc-signer")
        if kind == "csca":
            self.cscas.setdefault(cert.country, []).append(cert)
        elif kind == "dcc-signer":
            self.dcc_signers.setdefault(kid or cert.kid, []).append(cert)
        else:
            raise TrustError(gettext_noop("unknown kind of certificate %(kind)r"), kind=kind)
        return kind

    def add_key_set(self, issuer: str, key_set: dict[str, Any]) -> int:
        """Trust the keys of a SMART Health Cards issuer (a JWKS); returns how many keys were added."""
        if not isinstance(issuer, str) or not issuer.startswith("https://"):
            raise TrustError(gettext_noop("an issuer is an https URL, not %(issuer)r"), issuer=issuer)
        keys = key_set.get("keys") if isinstance(key_set, dict) else None
        if not isinstance(keys, list) or not keys:
            raise TrustError(gettext_noop("a key set is a JSON object with a non-empty list `keys`"))
        for number, key in enumerate(keys, 1):
            if not isinstance(key, dict) or key.get("kty") != "EC" or key.get("crv") != "P-256":
                raise TrustError(
                    gettext_noop("key %(number)s of the set is not an EC P-256 public key"), number=number
                )
            if not all(isinstance(key.get(name), str) for name in ("x", "y", "kid")):
                raise TrustError(gettext_noop("key %(number)s of the set lacks x, y or kid"), number=number)
            if "d" in key:
                raise TrustError(
                    gettext_noop("key %(number)s of the set is a private key: publish only public keys"),
                    number=number,
                )
        self.shc_issuers.setdefault(issuer.rstrip("/"), []).extend(keys)
        return len(keys)

    def add_crl(self, issuer: str, crl: dict[str, Any]) -> int:
        """Trust an SHC issuer's revocation list for one key (SMART Health Cards 1.3, method "rid");
        returns how many revocations it lists. A later list (higher `ctr`) replaces an earlier one."""
        if not isinstance(issuer, str) or not issuer.startswith("https://"):
            raise TrustError(gettext_noop("an issuer is an https URL, not %(issuer)r"), issuer=issuer)
        if not isinstance(crl, dict) or crl.get("method") != "rid" or not isinstance(crl.get("kid"), str):
            raise TrustError(gettext_noop('a revocation list is {"kid", "method": "rid", "ctr", "rids"}'))
        rids = crl.get("rids")
        if not isinstance(rids, list) or not all(isinstance(r, str) and r for r in rids):
            raise TrustError(gettext_noop("a revocation list's rids are non-empty texts"))
        ctr = crl.get("ctr")
        if isinstance(ctr, bool) or not isinstance(ctr, int) or ctr < 1:
            raise TrustError(gettext_noop("a revocation list's ctr is a positive whole number"))
        key = (issuer.rstrip("/"), crl["kid"])
        held = self.shc_crls.get(key)
        if held is not None and held["ctr"] >= ctr:
            return 0
        revoked: dict[str, int | None] = {}
        for entry in rids:
            rid, _dot, stamp = entry.partition(".")
            if stamp and not stamp.isdigit():
                raise TrustError(
                    gettext_noop("revocation %(entry)r: the part after the dot is a Unix time"), entry=entry
                )
            revoked[rid] = int(stamp) if stamp else None
        self.shc_crls[key] = crl
        self.shc_revoked[key] = revoked
        return len(revoked)

    def add_dcc_revocations(self, batch: dict[str, Any]) -> int:
        """Trust an EU DCC revocation batch as the DCC Gateway publishes it: {"country", "expires",
        "kid" (base64, or "UNKNOWN_KID"), "hashType" (SIGNATURE, UCI or COUNTRYCODEUCI), "entries":
        [{"hash": base64 of the first 16 bytes of a SHA-256}]}. Returns how many hashes it lists."""
        if not isinstance(batch, dict):
            raise TrustError(gettext_noop("a DCC revocation batch is a JSON object"))
        hash_type = batch.get("hashType")
        if hash_type not in DCC_REVOCATION_HASH_TYPES:
            raise TrustError(
                gettext_noop(
                    "a DCC revocation batch's hashType is SIGNATURE, UCI or COUNTRYCODEUCI, not %(value)r"
                ),
                value=hash_type,
            )
        kid_text = batch.get("kid")
        if not isinstance(kid_text, str) or not kid_text:
            raise TrustError(gettext_noop("a DCC revocation batch names its kid (or UNKNOWN_KID)"))
        try:
            kid = None if kid_text == "UNKNOWN_KID" else base64.b64decode(kid_text, validate=True)
            expires = datetime.fromisoformat(str(batch.get("expires")).replace("Z", "+00:00"))
        except (binascii.Error, ValueError):
            raise TrustError(
                gettext_noop("a DCC revocation batch's kid is base64 and its expires an ISO 8601 time")
            ) from None
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        entries = batch.get("entries")
        if not isinstance(entries, list) or not entries:
            raise TrustError(gettext_noop("a DCC revocation batch has a non-empty list of entries"))
        hashes = []
        for number, entry in enumerate(entries, 1):
            try:
                value = base64.b64decode(entry["hash"], validate=True)
            except (binascii.Error, ValueError, TypeError, KeyError):
                value = b""
            if len(value) < DCC_REVOCATION_HASH_BYTES:
                raise TrustError(
                    gettext_noop(
                        "entry %(number)s of the DCC revocation batch is not a base64 hash of 16 bytes"
                    ),
                    number=number,
                )
            hashes.append(value[:DCC_REVOCATION_HASH_BYTES])
        revoked = self.dcc_revoked.setdefault((kid, hash_type), {})
        for value in hashes:
            revoked[value] = max(expires, revoked.get(value, expires))
        self.dcc_revocation_batches.append(batch)
        return len(hashes)

    # --- finding ----------------------------------------------------------------------------------

    def dcc_signers_for(self, kid: bytes) -> list[TrustedCertificate]:
        """The certificates an EU DCC naming this kid may be signed with: the document signers trusted
        under it, else a trusted CA certificate whose own kid it is.

        Some countries issue document signers with basic constraints CA=true and a key usage without
        digitalSignature (one country's official test data signs this way, and national verifier apps
        accept it). Given as a file, such a certificate is kept as a CSCA (the guess for a CA), yet a
        DCC that names it by its kid, a hash of that very certificate, is its own: neither its basic
        constraints nor its key usage is what the DCC specification checks, its extended key usage is
        (dcc.check_key_usage)."""
        signers = self.dcc_signers.get(kid)
        if signers:
            return list(signers)
        return [cert for certs in self.cscas.values() for cert in certs if cert.kid == kid]

    # --- loading files ----------------------------------------------------------------------------

    def load(self, path: str | Path, issuer: str | None = None) -> list[str]:
        """Import a file or every file of a folder (recursively); what was imported, a line each."""
        path = Path(path)
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        done: list[str] = []
        for file in files:
            if file.suffix.lower() in CERTIFICATE_SUFFIXES:
                data = file.read_bytes()
                for der in certificates_in(data, file):
                    kind = self.add_certificate(der)
                    done.append(f"{file}: {kind} {read_certificate(der).subject}")
            elif file.suffix.lower() == ".json":
                done.extend(self._load_json(file, issuer))
            elif path.is_dir():
                continue  # other files in a folder (READMEs, CRLs) are not trust material
            else:
                raise TrustError(
                    gettext_noop("%(file)s: not a certificate (.pem .crt .cer .der) or a key set (.json)"),
                    file=file,
                )
        return done

    def _load_json(self, file: Path, issuer: str | None) -> list[str]:
        try:
            value = json.loads(file.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise TrustError(gettext_noop("%(file)s: not JSON: %(reason)s"), file=file, reason=exc) from None
        if isinstance(value, dict) and "hashType" in value:
            count = self.add_dcc_revocations(value)
            return [f"{file}: {count} EU DCC revocation(s), {value['hashType']}, kid {value['kid']}"]
        if isinstance(value, dict) and "rids" in value:
            if issuer is None:
                if file.parent.name == "crl":
                    return []  # a revocation list in a folder, without its issuer: skipped, say --issuer
                raise TrustError(
                    gettext_noop("%(file)s: a revocation list needs its issuer URL (--issuer)"), file=file
                )
            return [f"{file}: {self.add_crl(issuer, value)} revocation(s) of {issuer} key {value['kid']}"]
        if isinstance(value, dict) and "keys" in value:
            if issuer is None:
                if file.parent.name == ".well-known":
                    return []  # a key set in a folder, without its issuer: skipped, say --issuer
                raise TrustError(
                    gettext_noop("%(file)s: a key set needs its issuer URL (--issuer)"), file=file
                )
            return [f"{file}: {self.add_key_set(issuer, value)} key(s) of {issuer}"]
        if isinstance(value, dict) and "issuers" in value:
            # {"issuers": {"https://issuer": {"keys": [...]}}}: several SHC issuers in one file
            return [
                f"{file}: {self.add_key_set(iss, keys)} key(s) of {iss}"
                for iss, keys in value["issuers"].items()
            ]
        if isinstance(value, list) and all(isinstance(item, dict) and "kid" in item for item in value):
            # A DCC trust list: [{"kid": base64, "rawData"|"raw": base64 DER}, ...]
            lines = []
            for number, item in enumerate(value, 1):
                try:
                    kid = base64.b64decode(item["kid"], validate=True)
                    der = base64.b64decode(item.get("rawData") or item.get("raw") or "", validate=True)
                except (binascii.Error, ValueError, TypeError):
                    raise TrustError(
                        gettext_noop("%(file)s: item %(number)s: kid and rawData must be base64"),
                        file=file,
                        number=number,
                    ) from None
                self.add_certificate(der, kid=kid, kind="dcc-signer")
                lines.append(f"{file}: dcc-signer kid {base64.b64encode(kid).decode()}")
            return lines
        return []  # JSON that is no trust material (e.g. a CRL) is not imported

    def summary(self) -> dict[str, int]:
        return {
            "dcc-signers": sum(len(v) for v in self.dcc_signers.values()),
            "shc-keys": sum(len(v) for v in self.shc_issuers.values()),
            "cscas": sum(len(v) for v in self.cscas.values()),
            "shc-revocation-lists": len(self.shc_crls),
            "dcc-revocation-batches": len(self.dcc_revocation_batches),
        }


def certificates_in(data: bytes, source: Any = "input") -> list[bytes]:
    """The DER certificates in PEM (one or several) or DER bytes."""
    if asn1_pem.detect(data):
        ders = [der for kind, _headers, der in asn1_pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"]
        if not ders:
            raise TrustError(gettext_noop("%(file)s: a PEM file without a CERTIFICATE"), file=source)
        return ders
    return [data]


def read_certificate(der: bytes) -> TrustedCertificate:
    """A certificate's facts, read leniently; refuses what is not an X.509 certificate at all."""
    try:
        cert = asn1_x509.Certificate.load(der, strict=True)
        subject = cert.subject.human_friendly
        country = str(cert.subject.native.get("country_name", "")).upper()
        basic = cert.basic_constraints_value
        is_ca = bool(basic and basic["ca"].native)
        validity = cert["tbs_certificate"]["validity"]
        return TrustedCertificate(
            der, subject, country, is_ca, validity["not_before"].native, validity["not_after"].native
        )
    except (ValueError, TypeError, KeyError) as exc:
        raise TrustError(gettext_noop("not an X.509 certificate: %(reason)s"), reason=exc) from None
