"""The verifier's page as a border officer reads it, in English and Japanese: a valid certificate's
verdict, holder and events in words; an invalid one's reason; an image without a code."""

import base64
import io
import json
import re

import pytest
from PIL import Image

from partnership.trust.health_certificates import samples, services
from partnership.trust.health_certificates.services import anchors_for, party_by_code
from tests.conftest import shared_dir

DCC_FILE = shared_dir() / "testdata/health-certificates/eu-dcc/AT/2DCode/raw/1.json"


@pytest.fixture
def issued(programme):
    """The demo issuers of the three formats, trusted by Japan; a certificate of each, issued today."""
    issued = samples.issue()
    for anchor in anchors_for(party_by_code("JP"), issued.trust):
        anchor.save()
    return issued


def upload(client, language: str, png: bytes, party: str = "JP") -> str:
    picture = io.BytesIO(png)
    picture.name = "certificate.png"
    response = client.post(f"/{language}/certificates/", {"image": picture, "party": party})
    assert response.status_code == 200
    return response.content.decode()


def text_of(page: str) -> str:
    """The page's words, without tags: what a reader sees."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(
    "language, words",
    [
        (
            "en",
            [
                "Valid certificate",
                "EU Digital COVID Certificate",
                "Marie Janssens",
                "Date of birth 12 Apr 1985",
                "Comirnaty (BioNTech/Pfizer)",
                "dose 2 of 2",
                "Belgium",
            ],
        ),
        (
            "ja",
            [
                "有効な証明書",
                "EUデジタルCOVID証明書",
                "Marie Janssens",
                "生年月日 1985年4月12日",
                "Comirnaty (BioNTech/Pfizer)",
                "2 回中 2 回目",
                "ベルギー",
            ],
        ),
    ],
)
def test_a_valid_dcc_says_who_and_what_in_words(client, issued, language, words):
    page = upload(client, language, samples.qr_png(issued.texts["eu-dcc"]))
    shown = text_of(page)
    for word in words:
        assert word in shown, word
    assert 'class="verdict verdict-valid" role="status"' in page and "✓" in page  # not colour alone
    # The codes the certificate carries are not what the reader is left with.
    assert "comirnaty ·" not in shown and "EU/1/20/1528" not in shown
    assert not re.search(r"<td>\s*BE\s*</td>", page)


@pytest.mark.parametrize(
    "language, country, born", [("en", "Japan", "3 Nov 1978"), ("ja", "日本", "1978年11月3日")]
)
def test_a_valid_vds_nc_seal_names_the_country_of_its_alpha_3_code(client, issued, language, country, born):
    shown = text_of(upload(client, language, samples.qr_png(issued.texts["vds-nc"])))
    assert "SATO TARO" in shown and born in shown
    assert f"Issued by {country}" in shown or f"発行元 {country}" in shown
    assert shown.count(country) >= 4  # the issuer and each of the three doses
    assert "JPN" not in shown


@pytest.mark.parametrize(
    "language, verdict, reason, step",
    [
        ("en", "Not valid", "The signer is not among the keys this party trusts.", "trusted signer"),
        ("ja", "無効", "署名者がこの参加国・地域の信頼する鍵に含まれていません。", "信頼する署名者"),
    ],
)
def test_an_untrusted_certificate_is_red_with_its_reason_in_the_readers_language(
    client, issued, language, verdict, reason, step
):
    page = upload(client, language, samples.qr_png(issued.texts["shc"]), party="EU")
    shown = text_of(page)
    assert 'class="verdict verdict-invalid" role="alert"' in page and "✗" in page
    assert verdict in shown and reason in shown
    assert "<details" in page and step in shown and "shc.unknown-issuer" in shown
    assert "Yamada" not in shown  # nothing of the holder of a certificate that is not valid


@pytest.mark.skipif(not DCC_FILE.exists(), reason=f"the shared EU DCC test data is absent ({DCC_FILE})")
@pytest.mark.parametrize(
    "language, reason", [("en", "The certificate has expired."), ("ja", "証明書の有効期限が切れています。")]
)
def test_an_expired_dcc_says_it_has_expired(client, members, tmp_path, language, reason):
    case = json.loads(DCC_FILE.read_text())
    signer = tmp_path / "dsc.der"
    signer.write_bytes(base64.b64decode(case["TESTCTX"]["CERTIFICATE"]))
    services.import_trust(members["eu_secretariat"], "EU", signer)
    shown = text_of(upload(client, language, base64.b64decode(case["2DCODE"]), party="EU"))
    assert reason in shown and "dcc.expired" in shown


@pytest.mark.parametrize(
    "language, headline, invalid",
    [("en", "No code found in this image", "Not valid"), ("ja", "この画像にコードが見つかりません", "無効")],
)
def test_an_image_without_a_code_is_not_called_invalid(client, programme, language, headline, invalid):
    blank = io.BytesIO()
    Image.new("L", (64, 64), 255).save(blank, "PNG")
    page = upload(client, language, blank.getvalue())
    shown = text_of(page)
    assert headline in shown and invalid not in shown
    assert "verdict-unreadable" in page and "verdict-invalid" not in page
