"""QR codes in images (PNG, JPEG, ...): the texts of every QR code found, via zxing-cpp."""

from __future__ import annotations

import io
from typing import Any

from .errors import MAX_INPUT_BYTES, CertificateError, Step

MAX_IMAGE_BYTES = 10 * 1024 * 1024
# The pixel budget, checked from the header before anything is decoded: decoding costs about 5 bytes
# per pixel (the decoded colour image, then its grey copy and zxing's buffers), and a 325 KB PNG of
# 8,900 x 8,900 pixels cost 500 MB. 16 million pixels keep a request under about 80 MB and still take
# a phone's photo (12 MP, 4,032 x 3,024) or an A4 page scanned at 300 dpi (8.7 MP).
MAX_PIXELS = 16_000_000
# zxing-cpp refuses a side longer than this with a ValueError.
MAX_SIDE = 65_535
IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF8", b"RIFF", b"BM")


def is_image(data: bytes) -> bool:
    """Whether `data` starts like an image this verifier reads (PNG, JPEG, GIF, WebP, BMP)."""
    return data.startswith(IMAGE_SIGNATURES)


def _too_many_pixels(message: str) -> CertificateError:
    return CertificateError(Step.PREFIX, "image.too-many-pixels", message)


def open_image(data: bytes) -> Any:
    """The image, opened but not decoded: its size is read from the header and checked against the
    byte limit (`image.too-large`), the pixel budget and zxing's longest side (`image.too-many-pixels`);
    `image.unreadable` when there is no image header."""
    from PIL import Image, UnidentifiedImageError

    if len(data) > MAX_IMAGE_BYTES:
        raise CertificateError(
            Step.PREFIX, "image.too-large", f"the image is larger than {MAX_IMAGE_BYTES} bytes"
        )
    try:
        # Pillow checks its own limit (89 million pixels: a warning, 179 million: an error) while it
        # reads the header. Either is this verifier's refusal too; the warning is caught as an exception
        # where warnings are errors (the test suite), and elsewhere the size check below refuses it.
        image = Image.open(io.BytesIO(data))
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _too_many_pixels(f"the image has too many pixels: {exc}") from None
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise CertificateError(Step.PREFIX, "image.unreadable", f"the image cannot be read: {exc}") from None
    width, height = image.size
    if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        image.close()
        raise _too_many_pixels(
            f"the image is {width} × {height} pixels: at most {MAX_PIXELS} pixels "
            f"and {MAX_SIDE} on a side are read"
        )
    return image


def check_image(data: bytes) -> None:
    """Refuse an image too large to decode, from its header alone (nothing is decoded)."""
    open_image(data).close()


def read_codes(data: bytes) -> list[str]:
    """The text of every QR code in the image, top to bottom; an error when there is none."""
    import zxingcpp
    from PIL import Image

    image = open_image(data)
    try:
        if image.format == "JPEG":
            image.draft("L", image.size)  # decode the grey channel only: a third of the memory
        image.load()
        grey = image.convert("L")
    except (OSError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise CertificateError(Step.PREFIX, "image.unreadable", f"the image cannot be read: {exc}") from None
    finally:
        image.close()  # the colour pixels go before zxing allocates its own
    try:
        results = zxingcpp.read_barcodes(grey, formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    except ValueError as exc:  # zxing's own limits; the size checks above should have come first
        raise CertificateError(Step.PREFIX, "image.unreadable", f"the image cannot be read: {exc}") from None
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
