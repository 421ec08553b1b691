"""The trust stores in the database, and verification against a party's store.

Every write checks `people.permissions` (a party's secretariat keeps its own store). Imports are
validated whole before anything is stored: a file that fails leaves the store as it was.
"""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from partnership.errors import Invalid, NotFound
from partnership.people.models import Party
from partnership.people.permissions import require_manage_trust

from .errors import CertificateError
from .messages import image_refusal_text, trust_error_text
from .model import Result
from .models import TrustAnchor
from .qr import check_image, is_image
from .rules import Decision, evaluate, load_rules
from .trust import TrustError, TrustStore, read_certificate
from .verifier import verify_input


def party_by_code(code: str) -> Party:
    party = Party.objects.filter(code=code).first()
    if party is None:
        raise NotFound(_("party: no party %(code)s") % {"code": code})
    return party


def party_or_node(code: str | None) -> Party | None:
    """The party named by `code`, else this node's party; None on the single node of every party."""
    code = code or settings.NODE_PARTY
    return party_by_code(code) if code else None


def anchors(party_code: str | None = None) -> list[TrustAnchor]:
    """Every trust anchor, or one party's."""
    rows = TrustAnchor.objects.select_related("party")
    return list(rows.filter(party__code=party_code) if party_code else rows)


def trust_store(party: Party | None) -> TrustStore:
    """The party's trusted keys as the library's TrustStore; with no party (the single node of every
    party, asked for none), the keys any party trusts."""
    store = TrustStore()
    anchors = TrustAnchor.objects.filter(party=party) if party else TrustAnchor.objects.all()
    for anchor in anchors:
        data = bytes(anchor.data)
        if anchor.kind == TrustAnchor.Kind.SHC_ISSUER:
            store.shc_issuers.setdefault(anchor.key, []).append(json.loads(data))
        elif anchor.kind == TrustAnchor.Kind.SHC_CRL:
            store.add_crl(anchor.key, json.loads(data))
        elif anchor.kind == TrustAnchor.Kind.DCC_REVOCATION:
            store.add_dcc_revocations(json.loads(data))
        elif anchor.kind == TrustAnchor.Kind.CSCA:
            store.cscas.setdefault(anchor.key, []).append(read_certificate(data))
        else:
            store.dcc_signers.setdefault(base64.b64decode(anchor.key), []).append(read_certificate(data))
    return store


def anchors_for(party: Party, store: TrustStore) -> list[TrustAnchor]:
    """The party's anchors (unsaved) for everything in `store`; `trust_store` reads them back."""
    Kind = TrustAnchor.Kind
    rows: list[tuple[str, str, str, bytes]] = []  # kind, key, subject, data
    for kid, certs in store.dcc_signers.items():
        rows += [(Kind.DCC_SIGNER, base64.b64encode(kid).decode("ascii"), c.subject, c.der) for c in certs]
    for issuer, keys in store.shc_issuers.items():
        rows += [(Kind.SHC_ISSUER, issuer, k["kid"], json.dumps(k, sort_keys=True).encode()) for k in keys]
    for (issuer, key_id), crl in store.shc_crls.items():
        rows.append((Kind.SHC_CRL, issuer, key_id, json.dumps(crl, sort_keys=True).encode()))
    for batch in store.dcc_revocation_batches:
        key = f"{batch.get('country', '')} {batch['hashType']} {batch['kid']}"
        subject = f"{len(batch['entries'])} / {batch['expires']}"
        rows.append((Kind.DCC_REVOCATION, key, subject, json.dumps(batch, sort_keys=True).encode()))
    for country, certs in store.cscas.items():
        rows += [(Kind.CSCA, country, c.subject, c.der) for c in certs]
    return [
        TrustAnchor(
            party=party,
            kind=kind,
            key=key,
            subject=subject[:500],
            data=data,
            sha256=hashlib.sha256(data).hexdigest(),
        )
        for kind, key, subject, data in rows
    ]


def read_trust(path: str | Path, issuer: str | None = None) -> tuple[TrustStore, list[str]]:
    """The certificates and key sets of a file or folder, as a TrustStore, and a line for each; Invalid
    naming the path when one of them cannot be read."""
    path = Path(path)
    if not path.exists():
        raise Invalid(_("path: %(path)s does not exist") % {"path": path}, {"path": str(path)})
    store = TrustStore()
    try:
        lines = store.load(path, issuer=issuer)
    except TrustError as exc:
        raise Invalid(trust_error_text(exc), {"path": trust_error_text(exc)}) from None
    except OSError as exc:
        raise Invalid(
            _("path: %(path)s cannot be read: %(reason)s") % {"path": path, "reason": exc.strerror},
            {"path": str(path)},
        ) from None
    if not lines:
        raise Invalid(
            _("path: %(path)s holds no certificate or key set") % {"path": path}, {"path": str(path)}
        )
    return store, lines


def import_trust(user, party_code: str, path: str | Path, issuer: str | None = None) -> list[str]:
    """Import certificates and key sets from a file or folder into the party's store, all or nothing.

    What was imported, a line each; anchors already held are kept once.
    """
    party = party_by_code(party_code)
    actor = require_manage_trust(user, party.pk)
    store, lines = read_trust(path, issuer)
    with transaction.atomic():
        for anchor in anchors_for(party, store):
            TrustAnchor.objects.get_or_create(
                party=party,
                kind=anchor.kind,
                key=anchor.key,
                sha256=anchor.sha256,
                defaults={"subject": anchor.subject, "data": anchor.data, "added_by": actor.user},
            )
    return lines


def remove_anchor(user, anchor_id: int) -> TrustAnchor:
    anchor = TrustAnchor.objects.select_related("party").filter(pk=anchor_id).first()
    if anchor is None:
        raise NotFound(_("no trust anchor %(id)s") % {"id": anchor_id})
    require_manage_trust(user, anchor.party_id)
    anchor.delete()
    return anchor


def _aware(at: datetime) -> datetime:
    """A validation time without a zone is read as UTC."""
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def refuse_oversized_image(data: bytes) -> None:
    """Refuse an image too large to decode (bytes, pixels or a side, read from its header alone) as a
    request error naming the image, in the reader's language: nothing was verified, so it is not a
    certificate that failed but input to send again smaller."""
    if not is_image(data):
        return
    try:
        check_image(data)
    except CertificateError as error:
        text = image_refusal_text(error)
        if text is not None:
            raise Invalid(text, {"image": text}) from None
        # an image without a readable header is reported like any certificate that cannot be read


def verify(data: bytes, party: Party | None, at: datetime, extra: TrustStore | None = None) -> list[Result]:
    """Verify every certificate in `data` (text or QR image) with the party's store (every party's when
    `party` is None), or with `extra` alone, at `at` (UTC when it names no zone). Invalid for an image
    too large to decode (`refuse_oversized_image`)."""
    refuse_oversized_image(data)
    store = extra if extra is not None else trust_store(party)
    return verify_input(data, store, _aware(at))


def verify_as_json(
    data: bytes, party: Party | None, at: datetime, extra: TrustStore | None = None
) -> list[dict]:
    """`verify`, each result as JSON with each party's rule decision: what the command and the API answer."""
    answers = []
    at = _aware(at)
    for result in verify(data, party, at, extra):
        body = result.as_json()
        body["rules"] = {code: decision.as_json() for code, decision in decisions(result, at).items()}
        answers.append(body)
    return answers


def decisions(result: Result, at: datetime) -> dict[str, Decision]:
    """For a valid certificate: each party's acceptance rules' decision."""
    if not result.valid or result.certificate is None:
        return {}
    return {party: evaluate(result.certificate, rules, at) for party, rules in load_rules().items()}
