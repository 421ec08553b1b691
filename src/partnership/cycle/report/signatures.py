"""The parties' signatures of a published report, and the offline check of a report's JSON.

What each party signs is not the JSON itself but its SHA-256, in a message of its own (domain
separation: these bytes can never be mistaken for a ledger record, a checkpoint or a request a node
signs with the same key):

    b"partnership-report-v1\\n" + <year, decimal> + b"\\n" + <SHA-256, 64 lower-case hex digits> + b"\\n"
        + <the signing party's code> + b"\\n"

The SHA-256 is that of the canonical JSON of the report's data (`build.canonical_json`: sorted keys, no
spaces, UTF-8), that is of the published document without its `sha256` and `signatures` members. Each
signature is the 64-byte Ed25519 signature (RFC 8032) of the message by a node key (the party is in the
message, so a signature cannot be moved to another party, even where one key signs for both), listed in the
document as `{"party", "key" (the node's C2SP verifier key), "signature" (base64), "time" (RFC 3339 UTC,
not signed: the time of the ledger record that carried the signature, which is signed there)}`.

A federated node's key is named after its party (`JP+…`), and signs only for it. The embedded single node
holds both secretariats and one key, named `partnership`: both parties' signatures are made with it, each
naming the party whose secretariat acted.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any

from django.utils.translation import gettext as _

from partnership.ledger.keys import VerifierKeyError, key_id, parse_verifier_key, public_key_bytes

from .build import canonical_json

DOMAIN = "partnership-report-v1"
SIGNATURE_MEMBERS = ("party", "key", "signature", "time")


class ReportInvalid(Exception):
    """A report document whose content, signatures or signers do not hold; the message says why."""


def signed_message(year: int, sha256: str, party: str) -> bytes:
    """The bytes `party` signs for the report of `year` whose data has SHA-256 `sha256` (hex)."""
    return f"{DOMAIN}\n{year}\n{sha256}\n{party}\n".encode()


def sign(year: int, sha256: str, party: str) -> tuple[str, str]:
    """This node's verifier key and its base64 signature of the report's message for `party`."""
    from partnership.ledger import services as ledger

    signature = ledger.node_key().sign(signed_message(year, sha256, party))
    return ledger.verifier_key(), base64.b64encode(signature).decode("ascii")


def check_signature(year: int, sha256: str, party: str, key: Any, signature: Any) -> bytes:
    """The 32-byte public key of verifier key `key` once `signature` (base64) verifies the report's
    message for `party` with it; ReportInvalid naming what is wrong otherwise."""
    from cryptography.exceptions import InvalidSignature

    try:
        _name, public = parse_verifier_key(key)
    except VerifierKeyError as error:
        raise ReportInvalid(
            _("the key %(key)r is not a verifier key: %(error)s") % {"key": key, "error": error}
        ) from None
    try:
        raw = base64.b64decode(signature, validate=True) if isinstance(signature, str) else b""
    except (binascii.Error, ValueError):
        raw = b""
    try:
        if len(raw) != 64:
            raise InvalidSignature
        public.verify(raw, signed_message(year, sha256, party))
    except InvalidSignature:
        raise ReportInvalid(
            _("the signature by the key %(key)s does not verify: the report or the signature was changed")
            % {"key": key}
        ) from None
    return public_key_bytes(public)


def verify_document(document: Any, keys: dict[tuple[str, str], bytes]) -> list[dict[str, Any]]:
    """The signatures of a published report's JSON once all of it holds, checked against `keys` ((key
    name, key ID hex) -> public key: the keys this node's ledger knows); ReportInvalid with the first
    reason otherwise: a SHA-256 that is not the content's, a key the ledger does not know, a signature
    that does not verify, a party that signs twice or for another, a party of the report that has not
    signed."""
    if not isinstance(document, dict) or not isinstance(document.get("signatures"), list):
        raise ReportInvalid(_("this is not a published report: it has no list of signatures"))
    data = {name: value for name, value in document.items() if name not in ("sha256", "signatures")}
    try:
        year = data["cycle"]["year"]
        parties = [party["code"] for party in data["parties"]]
    except (KeyError, TypeError):
        raise ReportInvalid(_("this is not a published report: it names no cycle or parties")) from None
    actual = hashlib.sha256(canonical_json(data)).hexdigest()
    if document.get("sha256") != actual:
        raise ReportInvalid(
            _("the SHA-256 does not match: the content's is %(actual)s, the report states %(stated)s")
            % {"actual": actual, "stated": document.get("sha256")}
        )
    signed: dict[str, dict[str, Any]] = {}
    for signature in document["signatures"]:
        if not isinstance(signature, dict) or any(name not in signature for name in SIGNATURE_MEMBERS):
            raise ReportInvalid(_("a signature lacks one of party, key, signature and time"))
        party, key = signature["party"], signature["key"]
        if party not in parties:
            raise ReportInvalid(_("%(party)s signs, but is not a party of this report") % {"party": party})
        if party in signed:
            raise ReportInvalid(_("%(party)s signs twice") % {"party": party})
        public = check_signature(year, actual, party, key, signature["signature"])
        name = key.split("+", 1)[0]
        if keys.get((name, key_id(name, public).hex())) != public:
            raise ReportInvalid(
                _("unknown key %(key)s (signature of %(party)s): it is not a key of this node's ledger")
                % {"key": key, "party": party}
            )
        if name in parties and name != party:
            raise ReportInvalid(
                _("the key %(key)s of the %(node)s node signs for %(party)s")
                % {"key": key, "node": name, "party": party}
            )
        signed[party] = signature
    missing = [party for party in parties if party not in signed]
    if missing:
        raise ReportInvalid(
            _("missing a party: %(parties)s has not signed this report") % {"parties": ", ".join(missing)}
        )
    return [signed[party] for party in parties]
