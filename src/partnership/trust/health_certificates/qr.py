"""QR codes in images (PNG, JPEG, ...): the texts of every QR code found, via zxing-cpp."""

from __future__ import annotations

import io

from .errors import MAX_INPUT_BYTES, CertificateError, Step

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")


def is_image(data: bytes) -> bool:
    return data.startswith(IMAGE_SIGNATURES)


def read_codes(data: bytes) -> list[str]:
    """The text of every QR code in the image, top to bottom; an error when there is none."""
    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise CertificateError(
            Step.PREFIX, "image.too-large", f"the image is larger than {MAX_IMAGE_BYTES} bytes"
        )
    try:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as exc:
        raise CertificateError(Step.PREFIX, "image.unreadable", f"the image cannot be read: {exc}") from None
    results = zxingcpp.read_barcodes(
        image.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )
    texts = [r.text for r in sorted(results, key=lambda r: (r.position.top_left.y, r.position.top_left.x))]
    texts = [t for t in texts if t]
    if not texts:
        raise CertificateError(Step.PREFIX, "image.no-code", "no QR code was found in the image")
    for text in texts:
        if len(text) > MAX_INPUT_BYTES:
            raise CertificateError(
                Step.PREFIX, "image.too-large", "a QR code holds more than a certificate can"
            )
    return texts
