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
