"""QR codes from images: several codes in one PNG or JPEG, read top to bottom; no code is an error."""

import io
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image

from partnership.trust.health_certificates.errors import CertificateError
from partnership.trust.health_certificates.qr import read_codes
from partnership.trust.health_certificates.trust import TrustStore
from partnership.trust.health_certificates.verifier import verify_input


def qr(text: str) -> Image.Image:
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode).to_image(scale=6)
    height, width = code.shape[:2]
    return Image.frombytes("L", (width, height), memoryview(code).tobytes())


def sheet(*texts: str, fmt: str = "PNG") -> bytes:
    codes = [qr(text) for text in texts]
    page = Image.new("L", (max(c.width for c in codes) + 40, sum(c.height + 40 for c in codes) + 40), 255)
    top = 40
    for code in codes:
        page.paste(code, (20, top))
        top += code.height + 40
    out = io.BytesIO()
    page.save(out, fmt, quality=95)
    return out.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_several_codes_in_one_image_are_read_top_to_bottom(fmt):
    first, second = "HC1:NCFOXN%TS3DH3ZSUZK", "shc:/5676290952432060346029243740"
    assert read_codes(sheet(first, second, fmt=fmt)) == [first, second]


def test_each_code_of_an_image_is_verified_on_its_own():
    results = verify_input(sheet("HC1:NCFOXN", "not a certificate"), TrustStore(), datetime.now(UTC))
    assert [(r.format, r.error.code) for r in results] == [
        ("eu-dcc", "dcc.zlib-truncated"),
        (None, "unknown-format"),
    ]


def test_an_image_without_a_code_and_a_broken_image_are_specific_errors():
    blank = io.BytesIO()
    Image.new("L", (80, 80), 255).save(blank, "PNG")
    with pytest.raises(CertificateError) as no_code:
        read_codes(blank.getvalue())
    assert no_code.value.code == "image.no-code"
    with pytest.raises(CertificateError) as broken:
        read_codes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    assert broken.value.code == "image.unreadable"


# --- hostile images: refused from their header, before a pixel is decoded --------------------------------


def blank_png(width: int, height: int) -> bytes:
    """A valid white 1-bit PNG of any size, written row by row with zlib: the test itself never holds the
    pixels (an image beyond Pillow's own limits would cost it gigabytes)."""
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte 0, then the row's bits
    packer = zlib.compressobj(9)
    rows = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


def pillow_png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    return out.getvalue()


def test_an_image_of_too_many_pixels_is_refused_before_it_is_decoded():
    # The attacker's image: 8,900 x 8,900 pixels in a few kilobytes; decoding it cost 500 MB per request.
    bomb = pillow_png(8900, 8900)
    assert len(bomb) < 400_000
    with pytest.raises(CertificateError) as refused:
        read_codes(bomb)
    assert refused.value.code == "image.too-many-pixels"
    assert "8900 × 8900 pixels" in refused.value.message
    (result,) = verify_input(bomb, TrustStore(), datetime.now(UTC))
    assert result.error is not None and result.error.code == "image.too-many-pixels"


@pytest.mark.parametrize(
    "width, height",
    [(10_000, 10_000), (14_000, 14_000)],
    ids=["over-pillows-warning-limit", "over-pillows-error-limit"],
)
def test_images_pillow_itself_calls_bombs_are_refused_the_same_way(width, height):
    # Pillow warns above 89 million pixels (an error under this suite's filterwarnings) and raises above
    # 179 million, both while reading the header: each is the same refusal, never an exception.
    png = blank_png(width, height)
    with pytest.raises(CertificateError) as refused:
        read_codes(png)
    assert refused.value.code == "image.too-many-pixels"


def test_an_image_wider_than_zxing_reads_is_refused():
    # zxing-cpp raises ValueError above 65,535 pixels on a side; 70,000 x 8 is well within the pixel budget.
    wide = pillow_png(70_000, 8)
    with pytest.raises(CertificateError) as refused:
        read_codes(wide)
    assert refused.value.code == "image.too-many-pixels"
    assert "70000 × 8 pixels" in refused.value.message
    (result,) = verify_input(wide, TrustStore(), datetime.now(UTC))
    assert result.error is not None and result.error.code == "image.too-many-pixels"


def test_an_image_within_the_budget_is_still_read():
    # A phone photo's size (4,032 x 3,024) is within the budget: only its content decides.
    photo = io.BytesIO()
    page = Image.new("L", (4032, 3024), 255)
    page.paste(qr("HC1:NCFOXN%TS3DH3ZSUZK"), (1800, 1300))
    page.save(photo, "JPEG", quality=90)
    assert read_codes(photo.getvalue()) == ["HC1:NCFOXN%TS3DH3ZSUZK"]
