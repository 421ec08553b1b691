"""The verifier as users reach it: rules, the equivalence table, each party's trust store, the command,
the API and the page. The formats themselves are tested in test_dcc, test_shc and test_vdsnc."""

import base64
import datetime as dt
import html
import io
import json
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.core.management import call_command

from partnership.errors import Invalid, PermissionDenied
from partnership.trust.health_certificates import services
from partnership.trust.health_certificates.equivalence import table
from partnership.trust.health_certificates.model import Certificate, Holder, Test, Vaccination
from partnership.trust.health_certificates.models import TrustAnchor
from partnership.trust.health_certificates.rules import evaluate, load_rules
from tests.conftest import shared_dir
from tests.exchange_contract import ExchangeContract, Sample

UTC = dt.UTC
AT = dt.datetime(2021, 9, 1, 12, tzinfo=UTC)
DCC_FILE = shared_dir() / "testdata/health-certificates/eu-dcc/AT/2DCode/raw/1.json"
needs_dcc_data = pytest.mark.skipif(
    not DCC_FILE.exists(), reason=f"the shared EU DCC test data is absent ({DCC_FILE})"
)


def certificate(*events) -> Certificate:
    return Certificate(
        "eu-dcc", Holder("Musterfrau", "Gabriele", "1998-02-26"), list(events), "AT", None, None
    )


def vaccination(product="comirnaty", dose=2, doses=2, days_before=30):
    return Vaccination(
        product, "EU:x", "biontech-pfizer", dose, doses, (AT - dt.timedelta(days=days_before)).date(), "AT"
    )


def sample(test_type="naat", result="negative", hours_before=20):
    return Test(test_type, result, AT - dt.timedelta(hours=hours_before), "AT")


# --- rules ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "events, party, rule",
    [
        ((vaccination(),), "JP", "jp.vaccination.full-course"),
        ((vaccination(days_before=10),), "JP", None),  # course completed less than 14 days ago
        ((vaccination(dose=1),), "JP", None),  # dose 1 of 2
        ((vaccination(product="coronavac"),), "JP", None),  # not an approved product
        ((vaccination(product="jcovden", dose=1, doses=1),), "JP", "jp.vaccination.full-course"),
        ((vaccination(days_before=300),), "EU", None),  # course older than 270 days, no booster
        (
            (vaccination(days_before=300), vaccination(dose=3, doses=2, days_before=20)),
            "EU",
            "eu.vaccination.booster",
        ),
        ((sample(),), "JP", "jp.test.naat-72h"),
        ((sample(hours_before=80),), "JP", None),
        ((sample(result="positive"),), "JP", None),
        ((sample(test_type="rat", hours_before=10),), "JP", None),  # JP takes no rapid antigen test
        ((sample(test_type="rat", hours_before=10),), "EU", "eu.test.rat-24h"),
    ],
)
def test_acceptance_rules_name_the_rule_that_decided(events, party, rule):
    decision = evaluate(certificate(*events), load_rules()[party], AT)
    assert decision.accepted == (rule is not None)
    assert decision.rule == rule
    if rule is None:
        assert decision.reasons and all(decision.reasons.values())


def test_a_course_counted_by_doses_when_the_format_carries_no_dose_numbers():
    # SMART Health Cards carry no dose number: two doses of a two-dose product complete the course.
    first = Vaccination("spikevax", "CVX:207", "moderna", None, 2, dt.date(2021, 6, 1), "")
    second = Vaccination("spikevax", "CVX:207", "moderna", None, 2, dt.date(2021, 7, 1), "")
    assert evaluate(certificate(first, second), load_rules()["JP"], AT).accepted
    assert not evaluate(certificate(first), load_rules()["JP"], AT).accepted


# --- equivalence table ---------------------------------------------------------------------------------


@pytest.mark.parametrize("language, heading", [("en", "Holder's name"), ("ja", "保有者の氏名")])
def test_the_equivalence_table_in_both_languages_and_forms(language, heading):
    markdown = table(language, "markdown")
    assert "| EU DCC | SMART Health Cards | ICAO VDS-NC |" in markdown
    assert heading in markdown and markdown.count("\n|") >= 14
    page = table(language, "html")
    assert f'lang="{language}"' in page and f'<th scope="row">{html.escape(heading)}</th>' in page


# --- trust stores ---------------------------------------------------------------------------------------


def self_signed(tmp_path, name="DSC AT 1", ca=False):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [x509.NameAttribute(NameOID.COMMON_NAME, name), x509.NameAttribute(NameOID.COUNTRY_NAME, "AT")]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(dt.datetime(2021, 1, 1, tzinfo=UTC))
        .not_valid_after(dt.datetime(2031, 1, 1, tzinfo=UTC))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / f"{name.replace(' ', '-')}.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def test_a_secretariat_imports_into_its_own_partys_store_only(members, tmp_path):
    path = self_signed(tmp_path)
    lines = services.import_trust(members["eu_secretariat"], "EU", path)
    assert len(lines) == 1 and "dcc-signer" in lines[0]
    assert TrustAnchor.objects.filter(party__code="EU", kind="dcc-signer").count() == 1
    services.import_trust(members["eu_secretariat"], "EU", path)  # again: kept once
    assert TrustAnchor.objects.count() == 1
    for user, party in [("jp_secretariat", "EU"), ("eu_lead", "EU"), ("eu_stakeholder", "EU")]:
        with pytest.raises(PermissionDenied):
            services.import_trust(members[user], party, path)
    assert TrustAnchor.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.remove_anchor(members["jp_secretariat"], TrustAnchor.objects.get().pk)
    services.remove_anchor(members["eu_secretariat"], TrustAnchor.objects.get().pk)
    assert not TrustAnchor.objects.exists()


def test_a_folder_with_one_bad_file_imports_nothing(members, tmp_path):
    self_signed(tmp_path, "good one")
    (tmp_path / "broken.der").write_bytes(b"\x30\x03not a certificate")
    with pytest.raises(Invalid, match="broken.der|not an X.509"):
        services.import_trust(members["jp_secretariat"], "JP", tmp_path)
    assert not TrustAnchor.objects.exists()


def test_a_key_set_needs_its_issuer(members, tmp_path):
    jwks = tmp_path / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "kid": "k"}]}))
    with pytest.raises(Invalid, match="issuer"):
        services.import_trust(members["jp_secretariat"], "JP", jwks)
    services.import_trust(members["jp_secretariat"], "JP", jwks, issuer="https://issuer.example/")
    assert TrustAnchor.objects.get().key == "https://issuer.example"


def test_a_refused_trust_file_is_explained_in_the_readers_language(members, tmp_path):
    from django.utils import translation

    jwks = tmp_path / "jwks.json"
    jwks.write_text(
        json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "kid": "k", "d": "s"}]})
    )
    with translation.override("ja"), pytest.raises(Invalid) as refused:
        services.import_trust(members["jp_secretariat"], "JP", jwks, issuer="https://issuer.example/")
    assert str(refused.value) == "鍵セットの 1 番目の鍵は秘密鍵です。公開鍵のみを公開してください"
    with pytest.raises(Invalid, match="key 1 of the set is a private key"):
        services.import_trust(members["jp_secretariat"], "JP", jwks, issuer="https://issuer.example/")
    assert not TrustAnchor.objects.exists()


# --- the command, the API and the page on a real DCC ------------------------------------------------------


def dcc_case():
    case = json.loads(DCC_FILE.read_text())
    return case, base64.b64decode(case["2DCODE"]), base64.b64decode(case["TESTCTX"]["CERTIFICATE"])


class Ran:
    def __init__(self, returncode: int, stdout: bytes) -> None:
        self.returncode, self.stdout = returncode, stdout


def run(*args, stdin=None):
    """`partnership certificates ARGS` in this process (on the test database): exit code and output."""
    out = io.StringIO()
    real_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        call_command("certificates", *args, stdout=out)
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    finally:
        sys.stdin = real_stdin
    return Ran(code, out.getvalue().encode())


@needs_dcc_data
def test_the_command_verifies_a_qr_image_of_a_dcc(tmp_path, programme):
    case, png, der = dcc_case()
    image, cert = tmp_path / "dcc.png", tmp_path / "dsc.der"
    image.write_bytes(png)
    cert.write_bytes(der)
    at = case["TESTCTX"]["VALIDATIONCLOCK"]

    result = run("verify", str(image), "--trust", str(cert), "--at", at, "--party", "EU")
    assert result.returncode == 0, result.stdout.decode()
    out = result.stdout.decode()
    assert out.startswith("valid eu-dcc certificate of Gabriele Musterfrau-Gößinger")
    assert "vaccination comirnaty, dose 1/2, 2021-02-18 AT" in out

    as_json = json.loads(run("verify", str(image), "--trust", str(cert), "--at", at, "--json").stdout)
    assert as_json["valid"] and as_json["format"] == "eu-dcc" and as_json["error"] is None
    assert as_json["certificate"]["events"][0]["product"] == "comirnaty"


@needs_dcc_data
def test_a_flipped_bit_is_a_specific_error_and_exit_1(tmp_path, db):
    case, _png, der = dcc_case()
    cert = tmp_path / "dsc.der"
    cert.write_bytes(der)
    text = case["PREFIX"]
    flipped = text[:60] + ("A" if text[60] != "A" else "B") + text[61:]
    result = run(
        "verify",
        "-",
        "--trust",
        str(cert),
        "--at",
        case["TESTCTX"]["VALIDATIONCLOCK"],
        "--json",
        stdin=flipped.encode(),
    )
    assert result.returncode == 1
    error = json.loads(result.stdout)["error"]
    assert error["step"] in {"base45", "decompress", "cbor", "structure", "signature"} and error["code"]


def test_the_command_lists_a_partys_keys_and_names_a_bad_trust_file(members, tmp_path):
    from django.core.management.base import CommandError

    services.import_trust(members["jp_secretariat"], "JP", self_signed(tmp_path, "DSC JP"))
    services.import_trust(members["eu_secretariat"], "EU", self_signed(tmp_path, "DSC EU"))
    listed = run("trust", "list", "--party", "JP").stdout.decode()
    assert "\tJP\tdcc-signer\t" in listed and "DSC JP" in listed and "DSC EU" not in listed
    with pytest.raises(CommandError, match=r"^--trust: path: .*missing\.pem does not exist"):
        run("verify", "HC1:x", "--trust", str(tmp_path / "missing.pem"))


def test_unreadable_input_exits_2(tmp_path, db):
    assert run("verify", "not a certificate at all").returncode == 2
    picture = tmp_path / "blank.png"
    from PIL import Image

    Image.new("L", (64, 64), 255).save(picture)
    result = run("verify", str(picture), "--json")
    assert result.returncode == 2
    assert json.loads(result.stdout)["error"]["code"] == "image.no-code"


@needs_dcc_data
def test_the_api_verifies_text_and_images_and_stores_nothing(client, members, tmp_path):
    case, png, der = dcc_case()
    cert = tmp_path / "dsc.der"
    cert.write_bytes(der)
    services.import_trust(members["eu_secretariat"], "EU", cert)
    before = TrustAnchor.objects.count()
    for body in ({"text": case["PREFIX"]}, {"image": base64.b64encode(png).decode()}):
        response = client.post(
            "/api/v1/certificates/verify",
            {**body, "party": "EU", "at": case["TESTCTX"]["VALIDATIONCLOCK"]},
            content_type="application/json",
        )
        assert response.status_code == 200, response.content
        (result,) = response.json()["results"]
        assert result["valid"] and result["certificate"]["holder"]["date_of_birth"] == "1998-02-26"
    assert TrustAnchor.objects.count() == before
    bad = client.post(
        "/api/v1/certificates/verify", {"text": "x", "image": "y"}, content_type="application/json"
    )
    assert bad.status_code == 422 and bad.json()["error"]["message"]
    other = client.post(
        "/api/v1/certificates/verify",
        {"text": case["PREFIX"], "party": "JP"},
        content_type="application/json",
    )
    assert other.json()["results"][0]["error"]["step"] == "trust"  # JP's store does not hold this signer


@needs_dcc_data
@pytest.mark.parametrize(
    "language, not_valid, step", [("en", "Not valid", "Step that failed"), ("ja", "無効", "失敗した段階")]
)
def test_the_page_shows_the_result_in_the_readers_language(
    client, members, tmp_path, language, not_valid, step
):
    case, png, der = dcc_case()
    cert = tmp_path / "dsc.der"
    cert.write_bytes(der)
    services.import_trust(members["eu_secretariat"], "EU", cert)
    upload = io.BytesIO(png)
    upload.name = "dcc.png"
    response = client.post(f"/{language}/certificates/", {"image": upload, "party": "EU"})
    page = response.content.decode()
    assert response.status_code == 200
    # The page checks at the present time, when the 2021 test certificate has long expired: it says so
    # in the reader's language, naming the step and the error's code.
    assert not_valid in page and step in page
    assert "(<code>validity</code>)" in page and "expired" in page
    assert "Musterfrau" not in page  # an invalid certificate's holder is not shown


class TestHealthCertificatesContract(ExchangeContract):
    """The verifier reaches the programme and the Council report only through the exchange contract."""

    from partnership.trust.health_certificates.contract import HealthCertificates as exchange_class

    def sample_data(self, members, tmp_path) -> Sample:
        folder = tmp_path
        jp, eu = members["jp_secretariat"], members["eu_secretariat"]
        services.import_trust(jp, "JP", self_signed(folder, "DSC JP 0"))

        def more(count: int) -> None:
            for n in range(1, count + 1):
                services.import_trust(jp, "JP", self_signed(folder, f"DSC JP {n}"))

        return Sample(
            owner=jp,
            other_party=eu,
            pages=["certificates/", "certificates/equivalence/"],
            count=TrustAnchor.objects.count,
            more=more,
            # A party's trust store is its own word: the other party cannot add to it.
            service_writes=[lambda user: services.import_trust(user, "JP", self_signed(folder, "DSC EU"))],
            missing=["/api/v1/certificates/nothing-here"],
        )

    def test_indicators_count_each_partys_trusted_keys(self, members, tmp_path):
        services.import_trust(members["jp_secretariat"], "JP", self_signed(tmp_path))
        (indicator,) = self.exchange_class().indicators(2026)
        assert indicator["value"] == 1 and indicator["name"]["ja"].endswith("（JP）")


def test_a_revocation_list_is_kept_in_the_partys_store(members, tmp_path):
    crl = tmp_path / "crl.json"
    crl.write_text(json.dumps({"kid": "k1", "method": "rid", "ctr": 1, "rids": ["abc.1000", "def"]}))
    lines = services.import_trust(members["jp_secretariat"], "JP", crl, issuer="https://issuer.example")
    assert "2 revocation(s)" in lines[0]
    store = services.trust_store(services.party_by_code("JP"))
    assert store.shc_revoked == {("https://issuer.example", "k1"): {"abc": 1000, "def": None}}
    assert services.trust_store(services.party_by_code("EU")).shc_revoked == {}


def test_a_dcc_revocation_batch_is_kept_in_the_partys_store(members, tmp_path):
    hashed = base64.b64encode(bytes(16)).decode()
    batch = {"country": "AT", "expires": "2030-01-01T00:00:00Z", "kid": "UNKNOWN_KID", "hashType": "UCI"}
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({**batch, "entries": [{"hash": hashed}]}))
    lines = services.import_trust(members["eu_secretariat"], "EU", path)
    assert "1 EU DCC revocation(s), UCI, kid UNKNOWN_KID" in lines[0]
    anchor = TrustAnchor.objects.get()
    assert (anchor.kind, anchor.key) == ("dcc-revocation", "AT UCI UNKNOWN_KID")
    store = services.trust_store(services.party_by_code("EU"))
    assert list(store.dcc_revoked) == [(None, "UCI")]
    assert services.trust_store(services.party_by_code("JP")).dcc_revoked == {}


# --- hostile uploads: refused in the reader's language, before the body or the pixels are read -----------


def hostile_png(width: int, height: int) -> bytes:
    """A tiny PNG of many pixels (Pillow compresses a blank 1-bit image to almost nothing)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (width, height), 1).save(out, "PNG", optimize=True)
    return out.getvalue()


BOMB = (8900, 8900)  # the attacker's 500 MB per request
WIDE = (70_000, 8)  # beyond zxing-cpp's 65,535 pixels a side


@pytest.mark.parametrize("size", [BOMB, WIDE], ids=["8900x8900", "70000-wide"])
@pytest.mark.parametrize("language, words", [("en", "too many pixels"), ("ja", "画素数が多すぎます")])
def test_the_api_refuses_an_image_of_too_many_pixels(client, db, size, language, words):
    response = client.post(
        "/api/v1/certificates/verify",
        {"image": base64.b64encode(hostile_png(*size)).decode()},
        content_type="application/json",
        headers={"accept-language": language},
    )
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert words in error["message"] and words in error["fields"]["image"]


@pytest.mark.parametrize("size", [BOMB, WIDE], ids=["8900x8900", "70000-wide"])
@pytest.mark.parametrize("language, words", [("en", "too many pixels"), ("ja", "画素数が多すぎます")])
def test_the_page_refuses_an_image_of_too_many_pixels(client, db, size, language, words):
    upload = io.BytesIO(hostile_png(*size))
    upload.name = "bomb.png"
    response = client.post(f"/{language}/certificates/", {"image": upload, "party": "EU"})
    assert response.status_code == 200
    assert words in response.context["form"].errors["image"][0]
    assert words in response.content.decode()


def test_the_command_refuses_a_png_wider_than_zxing_reads_without_a_traceback(tmp_path):
    # The real command in its own process: what an operator sees is its output and exit status.
    import os
    import subprocess

    image = tmp_path / "wide.png"
    image.write_bytes(hostile_png(*WIDE))
    trust = self_signed(tmp_path)  # keys given on the command line: the run needs no database
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PARTNERSHIP_", "DJANGO_"))}
    env.update(PARTNERSHIP_DATA_DIR=str(tmp_path / "var"), PARTNERSHIP_NODE_PARTY="")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "partnership.cli",
            "certificates",
            "verify",
            str(image),
            "--trust",
            str(trust),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert "too many pixels" in result.stderr


THIRTY_MB = 30 * 1024 * 1024


def test_the_page_refuses_a_30_mb_upload_without_reading_it(db):
    from django.test import Client

    # With the CSRF check on, as in production: the middleware would read (and spool to disk) the whole
    # body to find the token if the page did not look at its size first.
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "ja"})
    client.get("/ja/certificates/")
    upload = io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(THIRTY_MB))
    upload.name = "large.png"
    response = client.post(
        "/ja/certificates/",
        {"image": upload, "party": "EU", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert not response.wsgi_request.environ["wsgi.input"].read_started  # not a byte of it was read
    assert response.status_code == 413
    assert "アップロードが大きすぎます" in response.context["form"].errors["image"][0]


def test_the_page_still_checks_csrf_and_reads_a_picture_of_normal_size(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.get("/en/certificates/")
    blank = io.BytesIO(hostile_png(64, 64))
    blank.name = "blank.png"
    assert client.post("/en/certificates/", {"image": blank, "party": "EU"}).status_code == 403
    blank.seek(0)
    response = client.post(
        "/en/certificates/",
        {"image": blank, "party": "EU", "csrfmiddlewaretoken": client.cookies["csrftoken"].value},
    )
    assert response.status_code == 200
    assert "<code>image.no-code</code>" in response.content.decode()


def test_the_api_refuses_a_30_mb_body_without_reading_it(client, db):
    body = json.dumps({"image": "A" * THIRTY_MB})
    response = client.post(
        "/api/v1/certificates/verify",
        body,
        content_type="application/json",
        headers={"accept-language": "ja"},
    )
    assert not response.wsgi_request.environ["wsgi.input"].read_started
    assert response.status_code == 413
    assert "リクエスト本文が" in response.json()["error"]["message"]


def test_a_ca_marked_document_signer_imported_into_a_store_verifies_dccs(client, members, tmp_path):
    from .dcc_vectors import CLOCK, claims, qr_text, sign, signer

    by = signer(ca=True, name="DSC marked CA")
    path = tmp_path / "dsc.pem"
    path.write_bytes(x509.load_der_x509_certificate(by.der).public_bytes(serialization.Encoding.PEM))
    services.import_trust(members["eu_secretariat"], "EU", path)
    response = client.post(
        "/api/v1/certificates/verify",
        {"text": qr_text(sign(claims(), by)), "party": "EU", "at": CLOCK.isoformat()},
        content_type="application/json",
    )
    (result,) = response.json()["results"]
    assert result["valid"], result["error"]
    assert result["certificate"]["holder"]["family_name"] == "Musterfrau-Gößinger"
