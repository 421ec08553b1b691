"""A verifier in a real browser: upload a QR image of a certificate, read the result in Japanese."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def sample_images(transactional_db, programme, tmp_path):
    """Demo issuers trusted by Japan, and the QR images of a certificate of each format."""
    from partnership.trust.health_certificates import samples
    from partnership.trust.health_certificates.models import TrustAnchor
    from partnership.trust.health_certificates.services import anchors_for, party_by_code

    issued = samples.issue()
    for anchor in anchors_for(party_by_code("JP"), issued.trust):
        anchor.save()
    assert TrustAnchor.objects.filter(party__code="JP").count() == 3
    images = {}
    for kind, text in issued.texts.items():
        images[kind] = tmp_path / f"{kind}.png"
        images[kind].write_bytes(samples.qr_png(text))
    return images


@pytest.mark.parametrize("kind, holder", [("eu-dcc", "Janssens"), ("shc", "Yamada"), ("vds-nc", "SATO TARO")])
def test_a_verifier_uploads_a_qr_image_and_reads_the_result_in_japanese(
    live_server, page, sample_images, kind, holder
):
    page.goto(f"{live_server.url}/ja/certificates/")
    page.get_by_label("QRコード画像（PNGまたはJPEG）").set_input_files(str(sample_images[kind]))
    page.get_by_label("照合する信頼鍵とルール").select_option("JP")
    page.get_by_role("button", name="検証").click()
    expect(page.get_by_role("status")).to_contain_text("有効")
    expect(page.locator("main")).to_contain_text(holder)
    expect(page.locator("main")).to_contain_text("ルール jp.vaccination.full-course")


def test_a_certificate_of_an_untrusted_issuer_is_explained(live_server, page, sample_images):
    from partnership.trust.health_certificates.models import TrustAnchor

    TrustAnchor.objects.all().delete()
    page.goto(f"{live_server.url}/en/certificates/")
    page.get_by_label("QR code image (PNG or JPEG)").set_input_files(str(sample_images["shc"]))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("Not valid")
    expect(page.locator("main")).to_contain_text("The signer is not among the keys this party trusts.")
    expect(page.locator("main")).not_to_contain_text("Yamada")
