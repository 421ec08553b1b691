"""What each failing step means, in the reader's language (the library's messages are technical detail
in English; the step and the code say what failed, these sentences say it to a verifier)."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .errors import CertificateError, Step
from .qr import MAX_IMAGE_BYTES, MAX_PIXELS, MAX_SIDE
from .trust import TrustError

STEP_NAMES = {
    Step.PREFIX: _("format"),
    Step.BASE45: _("encoding"),
    Step.DECOMPRESS: _("decompression"),
    Step.CBOR: _("CBOR"),
    Step.JSON: _("JSON"),
    Step.STRUCTURE: _("structure"),
    Step.TRUST: _("trusted signer"),
    Step.SIGNATURE: _("signature"),
    Step.VALIDITY: _("validity period"),
    Step.KEY_USAGE: _("key usage"),
    Step.RULES: _("acceptance rules"),
}

EXPLANATIONS = {
    Step.PREFIX: _("This is not a certificate this verifier reads, or the input is too large."),
    Step.BASE45: _("The certificate's encoding is damaged: the code may be misread or altered."),
    Step.DECOMPRESS: _("The certificate's compressed content is damaged or too large."),
    Step.CBOR: _("The certificate's content cannot be read (CBOR): it may be damaged or altered."),
    Step.JSON: _("The certificate's content cannot be read (JSON): it may be damaged or altered."),
    Step.STRUCTURE: _("The certificate lacks a part its format requires."),
    Step.TRUST: _("The signer is not among the keys this party trusts."),
    Step.SIGNATURE: _("The signature does not match the content: the certificate was altered or forged."),
    Step.VALIDITY: _("The certificate or its signer is expired or not yet valid at the time of the check."),
    Step.KEY_USAGE: _("The signer may not sign this kind of certificate."),
    Step.RULES: _("The certificate does not meet the acceptance rules."),
}


def trust_error_text(error: TrustError) -> str:
    """A trust file's refusal in the reader's language (the library words it in English)."""
    template = gettext(error.template)
    return template % error.params if error.params else template


IMAGE_REFUSALS = {
    "image.too-large": _("The image is larger than %(bytes)s bytes. Send a smaller picture."),
    "image.too-many-pixels": _(
        "The image has too many pixels: at most %(pixels)s pixels, and %(side)s on a side, are read. "
        "Crop it to the QR code or send a smaller picture."
    ),
}


def image_refusal_text(error: CertificateError) -> str | None:
    """Why an image is refused before it is decoded, in the reader's language; None for other errors."""
    template = IMAGE_REFUSALS.get(error.code)
    if template is None:
        return None
    return str(template) % {
        "bytes": f"{MAX_IMAGE_BYTES:,}",
        "pixels": f"{MAX_PIXELS:,}",
        "side": f"{MAX_SIDE:,}",
    }
