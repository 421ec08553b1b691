"""POST /api/v1/certificates/verify: verify a certificate's text or a QR image; nothing is stored."""

import base64
import binascii
from datetime import UTC, datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from partnership.api_helpers import error_responses
from partnership.errors import Invalid

from . import services

router = Router(tags=["certificates"])


class VerifyIn(Schema):
    text: str | None = Field(None, description="the certificate: HC1:..., shc:/..., a JWS, or VDS-NC JSON")
    image: str | None = Field(None, description="base64 of a PNG or JPEG holding one or more QR codes")
    party: str | None = Field(None, description="whose trust store and rules (default: this node's party)")
    at: datetime | None = Field(None, description="validation time (default: now)")


class ResultOut(Schema):
    valid: bool
    format: str | None
    error: dict | None
    certificate: dict | None
    rules: dict


class VerifyOut(Schema):
    results: list[ResultOut]


@router.post("/verify", response={200: VerifyOut, **error_responses(400, 404, 413, 422)})
def verify(request, payload: VerifyIn):
    """Verify every certificate in the text or image against the party's trusted keys and rules."""
    if (payload.text is None) == (payload.image is None):
        raise Invalid(_("give either text or image"), {"text": _("give either text or image")})
    if payload.image is not None:
        try:
            data = base64.b64decode(payload.image, validate=True)
        except (binascii.Error, ValueError):
            raise Invalid(_("image: not base64"), {"image": _("not base64")}) from None
    else:
        data = (payload.text or "").encode("utf-8")
    party = services.party_or_node(payload.party)
    return {"results": services.verify_as_json(data, party, payload.at or datetime.now(UTC))}
