"""SMART Health Cards: the spec's own examples verify, and every failure has its step and code."""

from __future__ import annotations

import contextlib
import itertools
import json
import tracemalloc
import zlib
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnership.trust.health_certificates import shc
from partnership.trust.health_certificates.errors import (
    MAX_DECOMPRESSED_BYTES,
    MAX_INPUT_BYTES,
    CertificateError,
    Step,
)
from partnership.trust.health_certificates.trust import TrustStore
from tests.conftest import shared_dir

from .shc_vectors import ISSUER, IssuerKey, b64url, card, chunks, numeric, raw_deflate, svg_qr_text

EXAMPLES = shared_dir() / "testdata" / "health-certificates" / "shc"
EXAMPLE_ISSUER = "https://spec.smarthealth.cards/examples/issuer"
NUMBERS = ["00", "01", "02", "03"]
# The examples were signed at nbf 2023-06-22; example 03 expires 2024-06-21.
AT = datetime(2024, 1, 1, tzinfo=UTC)


def expect(step: Step, code: str, call, *args):
    with pytest.raises(CertificateError) as caught:
        call(*args)
    assert (caught.value.step, caught.value.code) == (step, code), caught.value.message
    return caught.value


# --- the spec's examples ---------------------------------------------------------------------------

needs_examples = pytest.mark.skipif(
    not EXAMPLES.is_dir(), reason=f"the SMART Health Cards examples are not in {EXAMPLES}"
)


def example(number: str, suffix: str) -> str:
    return (EXAMPLES / f"example-{number}-{suffix}").read_text(encoding="utf-8")


def qr_files(number: str) -> list[Path]:
    return sorted(EXAMPLES.glob(f"example-{number}-f-qr-code-numeric-value-*.txt"))


@pytest.fixture(scope="module")
def example_trust() -> TrustStore:
    if not EXAMPLES.is_dir():
        pytest.skip(f"the SMART Health Cards examples are not in {EXAMPLES}")
    store = TrustStore()
    key_set = json.loads((EXAMPLES / "issuer" / ".well-known" / "jwks.json").read_text(encoding="utf-8"))
    store.add_key_set(EXAMPLE_ISSUER, key_set)
    return store


@needs_examples
@pytest.mark.parametrize("number", NUMBERS)
class TestExamples:
    def test_jws_verifies(self, number, example_trust):
        certificate = shc.verify(example(number, "d-jws.txt"), example_trust, AT)
        assert certificate.format == "shc"
        assert certificate.issuer == EXAMPLE_ISSUER
        assert shc.detect(example(number, "d-jws.txt"))

    def test_file_verifies(self, number, example_trust):
        text = example(number, "e-file.smart-health-card")
        credentials = json.loads(text)["verifiableCredential"]
        assert shc.detect(text)
        certificates = shc.verify_all(text, example_trust, AT)
        assert len(certificates) == len(credentials) >= 1
        assert shc.verify(text, example_trust, AT).raw == certificates[0].raw

    def test_numeric_qr_is_the_jws_and_verifies(self, number, example_trust):
        texts = [path.read_text(encoding="utf-8") for path in qr_files(number)]
        assert texts and all(shc.detect(text) for text in texts)
        assert shc.decode_numeric(texts) == example(number, "d-jws.txt").strip()
        certificate = shc.verify("\n".join(texts), example_trust, AT)
        assert certificate.raw == json.loads(example(number, "c-jws-payload-minified.json"))

    def test_payload_and_bundle_are_the_published_ones(self, number):
        jws = shc.split_jws(example(number, "d-jws.txt"))
        claims = shc.read_payload(shc.inflate(jws.payload))
        assert claims == json.loads(example(number, "c-jws-payload-minified.json"))
        assert claims == json.loads(example(number, "b-jws-payload-expanded.json"))
        assert claims["vc"]["credentialSubject"]["fhirBundle"] == json.loads(
            example(number, "a-fhirBundle.json")
        )

    def test_svg_qr_codes_carry_the_numeric_text(self, number):
        for index, path in enumerate(qr_files(number)):
            svg = (EXAMPLES / f"example-{number}-g-qr-code-{index}.svg").read_text(encoding="utf-8")
            text = svg_qr_text(svg)
            if text is None:
                pytest.skip("zxing-cpp and Pillow are needed to read the SVG QR codes")
            assert text == path.read_text(encoding="utf-8").strip()


@needs_examples
def test_example_00_is_three_moderna_doses(example_trust):
    certificate = shc.verify(example("00", "d-jws.txt"), example_trust, AT)
    assert (certificate.holder.family_name, certificate.holder.given_name) == ("Anyperson", "John B.")
    assert certificate.holder.date_of_birth == "1951-01-20"
    events = certificate.events
    assert [(e.product, e.product_code, e.dose, e.doses) for e in events] == [
        ("spikevax", "CVX:207", 1, 2),
        ("spikevax", "CVX:207", 2, 2),
        ("spikevax-bivalent", "CVX:229", 3, 1),
    ]
    assert {e.manufacturer for e in events} == {"moderna"}
    assert [e.date for e in events] == [date(2021, 1, 1), date(2021, 1, 29), date(2022, 9, 5)]
    assert {e.country for e in events} == {""}  # SHC has no country
    assert certificate.unmapped == []
    # nbf is fractional (1687450764.656): kept to the millisecond.
    assert (
        certificate.not_before
        == certificate.issued_at
        == datetime(2023, 6, 22, 16, 19, 24, 656000, tzinfo=UTC)
    )
    assert certificate.expires_at is None
    assert certificate.signer == "3Kfdg-XwP-7gXyywtUfUADwBumDOPKMQx-iELL11W9s"
    assert certificate.as_json()["events"][0]["date"] == "2021-01-01"


@needs_examples
def test_example_01_is_signed_by_the_key_with_an_x5c_chain(example_trust):
    certificate = shc.verify(example("01", "d-jws.txt"), example_trust, AT)
    assert certificate.signer == "EBKOr72QQDcTBUuVzAzkfBTGew0ZA16GuWty64nS-sw"
    (key,) = [k for k in example_trust.shc_issuers[EXAMPLE_ISSUER] if k["kid"] == certificate.signer]
    assert len(key["x5c"]) == 3  # the chain is not checked: the key itself is what we trust
    assert [e.product for e in certificate.events] == ["spikevax", "spikevax", "spikevax-bivalent"]


@needs_examples
def test_example_02_is_a_lab_report_in_three_chunks_read_in_any_order(example_trust):
    texts = [path.read_text(encoding="utf-8") for path in qr_files("02")]
    assert len(texts) == 3
    for order in itertools.permutations(texts):
        assert shc.decode_numeric(list(order)) == example("02", "d-jws.txt").strip()
        shc.verify("\n".join(order), example_trust, AT)
    certificate = shc.verify(example("02", "d-jws.txt"), example_trust, AT)
    # No Patient in the bundle at all, and a general lab panel, not a test certificate: no events,
    # every LOINC code listed as unmapped.
    assert (certificate.holder.family_name, certificate.holder.date_of_birth) == ("", "")
    assert certificate.events == []
    assert len(certificate.unmapped) == 51 and all(code.startswith("LOINC:") for code in certificate.unmapped)
    expect(Step.PREFIX, "shc.chunks", shc.decode_numeric, texts[:2])


@needs_examples
def test_example_03_expires_and_is_revoked_once_its_issuers_revocation_list_is_trusted(example_trust):
    text = example("03", "d-jws.txt")
    certificate = shc.verify(text, example_trust, AT)  # the store holds no revocation list yet
    assert certificate.expires_at == datetime(2024, 6, 21, 16, 19, 24, 657000, tzinfo=UTC)
    assert certificate.holder.family_name == "Revoked"
    expect(Step.VALIDITY, "shc.expired", shc.verify, text, example_trust, datetime(2025, 1, 1, tzinfo=UTC))
    expect(
        Step.VALIDITY, "shc.not-yet-valid", shc.verify, text, example_trust, datetime(2023, 6, 22, tzinfo=UTC)
    )
    # The signing key announces a CRL (crlVersion 1) listing this card's rid for cards signed before
    # 1687450765; once the issuer's published list is in the store, the card is refused.
    (key,) = [k for k in example_trust.shc_issuers[EXAMPLE_ISSUER] if k["kid"] == certificate.signer]
    assert key["crlVersion"] == 1
    crl_file = EXAMPLES / "issuer" / ".well-known" / "crl" / f"{key['kid']}.json"
    assert example_trust.load(crl_file, issuer=EXAMPLE_ISSUER)
    expect(Step.VALIDITY, "shc.revoked", shc.verify, text, example_trust, AT)
    # The other examples, signed by the same issuer but not listed, still verify.
    shc.verify(example("00", "d-jws.txt"), example_trust, AT)


def test_a_revocation_with_a_time_spares_cards_issued_after_it():
    from partnership.trust.health_certificates.trust import TrustStore

    store = TrustStore()
    store.add_crl("https://issuer.example", {"kid": "k", "method": "rid", "ctr": 1, "rids": ["abc.1000"]})
    claims = {"iss": "https://issuer.example", "nbf": 999.5, "vc": {"rid": "abc"}}
    expect(Step.VALIDITY, "shc.revoked", shc.check_revocation, claims, "k", store)
    shc.check_revocation({**claims, "nbf": 1000}, "k", store)  # issued at the listed time: not revoked
    shc.check_revocation({**claims, "vc": {"rid": "xyz"}}, "k", store)
    # A newer list (higher ctr) replaces the older one; an older one is ignored.
    store.add_crl("https://issuer.example", {"kid": "k", "method": "rid", "ctr": 2, "rids": ["xyz"]})
    store.add_crl("https://issuer.example", {"kid": "k", "method": "rid", "ctr": 1, "rids": ["abc"]})
    shc.check_revocation(claims, "k", store)
    expect(Step.VALIDITY, "shc.revoked", shc.check_revocation, {**claims, "vc": {"rid": "xyz"}}, "k", store)


@needs_examples
def test_example_key_ids_are_thumbprints(example_trust):
    for key in example_trust.shc_issuers[EXAMPLE_ISSUER]:
        assert shc.jwk_thumbprint(key) == key["kid"]


# --- our own cards ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def issuer() -> IssuerKey:
    return IssuerKey.generate()


@pytest.fixture(scope="module")
def trust(issuer) -> TrustStore:
    return issuer.trust()


def test_own_card_in_every_form(issuer, trust):
    jws = issuer.sign()
    for text in (
        jws,
        numeric(jws),
        "\n".join(chunks(jws, 2)),
        json.dumps({"verifiableCredential": [jws, jws]}),
    ):
        assert shc.detect(text)
        certificate = shc.verify(text, trust, AT)
        assert certificate.holder.given_name == "Hanako M."
    assert len(shc.verify_all(json.dumps({"verifiableCredential": [jws, jws]}), trust, AT)) == 2
    assert numeric(jws).upper().startswith("SHC:/") and shc.detect("SHC:/" + numeric(jws)[5:])
    shc.verify("SHC:/" + numeric(jws)[5:], trust, AT)


def test_own_card_model(issuer, trust):
    certificate = shc.verify(issuer.sign(), trust, AT)
    vaccinations = [e for e in certificate.events if e.kind == "vaccination"]
    # Doses are numbered by date (the card lists them out of order); entered-in-error is no dose.
    assert [(v.date, v.dose, v.product, v.manufacturer, v.doses) for v in vaccinations] == [
        (date(2021, 6, 1), 2, "comirnaty", "biontech-pfizer", 2),
        (date(2021, 5, 1), 1, "comirnaty", "biontech-pfizer", 2),
    ]
    (test,) = [e for e in certificate.events if e.kind == "test"]
    assert (test.test_type, test.result) == ("naat", "negative")
    assert test.sampled_at == datetime(2021, 8, 1, 0, 30, tzinfo=UTC)
    assert certificate.signer == issuer.kid
    assert certificate.not_before == datetime.fromtimestamp(1_700_000_000.25, tz=UTC)


def test_unknown_vaccine_is_listed_unmapped(issuer, trust):
    entries = card()["vc"]["credentialSubject"]["fhirBundle"]["entry"][:1]
    entries.append(
        {
            "resource": {
                "resourceType": "Immunization",
                "status": "completed",
                "vaccineCode": {"coding": [{"system": "http://snomed.info/sct", "code": "12345"}]},
                "occurrenceDateTime": "2021-01-01",
            }
        }
    )
    certificate = shc.verify(issuer.sign(card(entries=entries)), trust, AT)
    (vaccination,) = certificate.events
    assert (vaccination.product, vaccination.product_code, vaccination.manufacturer) == (
        "unknown",
        "SNOMED:12345",
        "",
    )
    assert vaccination.doses is None and vaccination.dose == 1
    assert certificate.unmapped == ["SNOMED:12345"]


def test_detect_refuses_other_texts():
    for text in ("HC1:6BFOXN", '{"data": {}}', "hello", "", '{"verifiableCredential": "x"}'):
        assert not shc.detect(text)


# --- every error path, in the order the steps run --------------------------------------------------


def test_oversized_input(issuer, trust):
    expect(Step.PREFIX, "shc.too-large", shc.verify, "shc:/" + "56" * MAX_INPUT_BYTES, trust, AT)
    expect(Step.PREFIX, "shc.too-large", shc.verify, "x." * MAX_INPUT_BYTES, trust, AT)
    expect(Step.PREFIX, "shc.too-large", shc.decode_numeric, "shc:/" + "5" * (MAX_INPUT_BYTES + 2))
    big_file = json.dumps({"verifiableCredential": [issuer.sign()] * 200})
    expect(Step.PREFIX, "shc.too-large", shc.verify, big_file, trust, AT)


def test_missing_prefix(trust):
    expect(Step.PREFIX, "shc.prefix", shc.decode_numeric, "5676290952")
    expect(Step.PREFIX, "shc.prefix", shc.decode_numeric, ["shc:/1/2/56", "1/2/56"])
    expect(Step.PREFIX, "shc.prefix", shc.decode_numeric, [])
    expect(Step.PREFIX, "shc.prefix", shc.verify, "5676290952", trust, AT)
    expect(Step.PREFIX, "shc.prefix", shc.verify, "", trust, AT)


@pytest.mark.parametrize(
    "text",
    [
        "shc:/567",  # odd number of digits
        "shc:/78",  # a pair above 77
        "shc:/5699",
        "shc:/56a6",  # not a digit
        "shc:/5\u0666",  # an Arabic-Indic digit is no ASCII digit
        "shc:/",
    ],
)
def test_bad_digits(text, trust):
    expect(Step.BASE45, "shc.digits", shc.decode_numeric, text)
    expect(Step.BASE45, "shc.digits", shc.verify, text, trust, AT)


def test_bad_chunks(issuer, trust):
    jws = issuer.sign()
    parts = chunks(jws, 3)
    assert shc.decode_numeric(parts[::-1]) == jws
    expect(Step.PREFIX, "shc.chunks", shc.verify, "\n".join(parts[:2]), trust, AT)  # one missing
    expect(Step.PREFIX, "shc.chunks", shc.verify, "\n".join([parts[0], parts[0], parts[2]]), trust, AT)
    inconsistent = [parts[0], parts[1].replace("shc:/2/3/", "shc:/2/2/"), parts[2]]
    expect(Step.PREFIX, "shc.chunks", shc.verify, "\n".join(inconsistent), trust, AT)
    expect(
        Step.PREFIX, "shc.chunks", shc.decode_numeric, [parts[0], parts[1].replace("shc:/2/3/", "shc:/4/3/")]
    )
    expect(Step.PREFIX, "shc.chunks", shc.decode_numeric, [parts[0], "shc:/5676"])


def test_jws_structure(trust):
    expect(Step.STRUCTURE, "shc.jws", shc.verify, "abc.def", trust, AT)
    expect(Step.STRUCTURE, "shc.jws", shc.verify, "a.b.c.d", trust, AT)
    expect(Step.STRUCTURE, "shc.jws", shc.verify, ".abc.def", trust, AT)


def test_bad_base64url(issuer, trust):
    header, payload, signature = issuer.sign().split(".")
    for text in (
        f"{header}.{payload}+.{signature}",  # base64, not base64url
        f"{header}.{payload}.{signature}==",  # padding
        f"{header}.{payload}.{signature}AAA",  # a length base64 cannot have
        f"{header}.{payload}.{signature[:-1]}{chr(ord(signature[-1]) + 1)}",  # unused bits set
        f"{header}.{payload}.sig nature",
    ):
        expect(Step.BASE45, "shc.base64", shc.verify, text, trust, AT)


def test_header(issuer, trust):
    expect(Step.JSON, "shc.header", shc.verify, issuer.sign(header_bytes=b"{not json"), trust, AT)
    expect(Step.JSON, "shc.header", shc.verify, issuer.sign(header_bytes=b"[1]"), trust, AT)
    expect(Step.JSON, "shc.header", shc.verify, issuer.sign(header_bytes=b"\xff\xfe"), trust, AT)
    for alg in ("ES384", "none", "HS256", None):
        header = {"zip": "DEF", "alg": alg, "kid": issuer.kid}
        expect(Step.SIGNATURE, "shc.algorithm", shc.verify, issuer.sign(header=header), trust, AT)
    expect(
        Step.STRUCTURE,
        "shc.zip",
        shc.verify,
        issuer.sign(header={"alg": "ES256", "kid": issuer.kid}),
        trust,
        AT,
    )
    header = {"zip": "GZIP", "alg": "ES256", "kid": issuer.kid}
    expect(Step.STRUCTURE, "shc.zip", shc.verify, issuer.sign(header=header), trust, AT)
    expect(
        Step.STRUCTURE, "shc.kid", shc.verify, issuer.sign(header={"zip": "DEF", "alg": "ES256"}), trust, AT
    )


def test_bad_deflate(issuer, trust):
    expect(Step.DECOMPRESS, "shc.inflate", shc.verify, issuer.sign(compressed=b"\xff\xff\xff\xff"), trust, AT)
    whole = raw_deflate(json.dumps(card()).encode())
    expect(Step.DECOMPRESS, "shc.inflate", shc.verify, issuer.sign(compressed=whole[:-5]), trust, AT)
    expect(Step.DECOMPRESS, "shc.inflate", shc.verify, issuer.sign(compressed=whole + b"extra"), trust, AT)
    # zlib's own header is not raw DEFLATE.
    expect(Step.DECOMPRESS, "shc.inflate", shc.inflate, zlib.compress(b'{"iss": "x"}'))


def test_decompression_bomb_is_stopped_early(issuer, trust):
    bomb = raw_deflate(b"[" + b" " * (40 * 1024 * 1024) + b"]")  # 40 MB of spaces in about 40 KB
    assert len(b64url(bomb)) < MAX_INPUT_BYTES
    expect(Step.DECOMPRESS, "shc.too-large", shc.verify, issuer.sign(compressed=bomb), trust, AT)
    tracemalloc.start()
    try:
        expect(Step.DECOMPRESS, "shc.too-large", shc.inflate, bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * MAX_DECOMPRESSED_BYTES  # never the 40 MB
    # Exactly at the limit is still accepted by inflate (and then refused as not JSON).
    at_limit = raw_deflate(b" " * MAX_DECOMPRESSED_BYTES)
    assert len(shc.inflate(at_limit)) == MAX_DECOMPRESSED_BYTES


def test_payload_not_json(issuer, trust):
    expect(Step.JSON, "shc.json", shc.verify, issuer.sign(payload_bytes=b"{no"), trust, AT)
    expect(Step.JSON, "shc.json", shc.verify, issuer.sign(payload_bytes=b'"a string"'), trust, AT)
    expect(Step.JSON, "shc.json", shc.verify, issuer.sign(payload_bytes=b"[" * 100_000), trust, AT)
    expect(Step.JSON, "shc.json", shc.verify, issuer.sign(payload_bytes=b"\xc3\x28"), trust, AT)


def test_card_file_errors(trust):
    expect(Step.JSON, "shc.json", shc.verify, "{not json", trust, AT)
    expect(Step.STRUCTURE, "shc.file", shc.verify, '{"verifiableCredential": []}', trust, AT)
    expect(Step.STRUCTURE, "shc.file", shc.verify, '{"verifiableCredential": [1]}', trust, AT)
    expect(Step.STRUCTURE, "shc.file", shc.verify, "{}", trust, AT)


def claims_without(path: str) -> dict:
    claims = card()
    *parents, last = path.split(".")
    node = claims
    for name in parents:
        node = node[name]
    del node[last]
    return claims


@pytest.mark.parametrize(
    "claims",
    [
        claims_without("vc"),
        claims_without("iss"),
        claims_without("nbf"),
        claims_without("vc.type"),
        claims_without("vc.credentialSubject"),
        claims_without("vc.credentialSubject.fhirBundle"),
        claims_without("vc.credentialSubject.fhirBundle.entry"),
        {**card(), "nbf": "1700000000"},
        {**card(), "nbf": True},
        {**card(), "nbf": 1e300},
        {**card(), "exp": "soon"},
        {**card(), "vc": {**card()["vc"], "type": ["https://smarthealth.cards#covid19"]}},
    ],
)
def test_payload_structure(claims, issuer, trust):
    expect(Step.STRUCTURE, "shc.payload", shc.verify, issuer.sign(claims), trust, AT)


def test_unknown_issuer_and_kid(issuer, trust):
    expect(
        Step.TRUST,
        "shc.unknown-issuer",
        shc.verify,
        issuer.sign(card(issuer="https://other.example")),
        trust,
        AT,
    )
    # The trust store is the only source of keys: a trailing slash is another issuer, nothing is fetched.
    expect(Step.TRUST, "shc.unknown-issuer", shc.verify, issuer.sign(card(issuer=ISSUER + "/")), trust, AT)
    stranger = IssuerKey.generate()
    expect(Step.TRUST, "shc.unknown-kid", shc.verify, stranger.sign(), trust, AT)
    expect(Step.TRUST, "shc.unknown-issuer", shc.verify, issuer.sign(), TrustStore(), AT)


def test_kid_must_be_the_thumbprint():
    labelled = IssuerKey.generate(kid="key-2024")
    expect(Step.TRUST, "shc.kid-thumbprint", shc.verify, labelled.sign(), labelled.trust(), AT)


def test_unusable_trusted_key(issuer):
    # A key whose point is not on the curve, correctly thumbprinted.
    key = {**issuer.public_jwk(), "y": b64url(b"\x01" * 32)}
    key["kid"] = shc.jwk_thumbprint(key)
    store = TrustStore()
    store.add_key_set(ISSUER, {"keys": [key]})
    header = {"zip": "DEF", "alg": "ES256", "kid": key["kid"]}
    expect(Step.TRUST, "shc.key", shc.verify, issuer.sign(header=header), store, AT)


def test_bad_signature(issuer, trust):
    impostor = IssuerKey.generate()
    header = {"zip": "DEF", "alg": "ES256", "kid": issuer.kid}
    expect(Step.SIGNATURE, "shc.signature", shc.verify, impostor.sign(header=header), trust, AT)
    head, payload, signature = issuer.sign().split(".")
    expect(Step.SIGNATURE, "shc.signature", shc.verify, f"{head}.{payload}.", trust, AT)
    expect(Step.SIGNATURE, "shc.signature", shc.verify, f"{head}.{payload}.{b64url(b'x' * 63)}", trust, AT)
    expect(Step.SIGNATURE, "shc.signature", shc.verify, f"{head}.{payload}.{b64url(bytes(64))}", trust, AT)
    # A signature in DER, as some JOSE libraries wrongly emit, is not r || s.
    der = issuer.private.sign(f"{head}.{payload}".encode(), ec.ECDSA(hashes.SHA256()))
    expect(Step.SIGNATURE, "shc.signature", shc.verify, f"{head}.{payload}.{b64url(der)}", trust, AT)


def test_validity(issuer, trust):
    nbf = AT.timestamp() + 0.25  # a quarter of a second in the future
    expect(Step.VALIDITY, "shc.not-yet-valid", shc.verify, issuer.sign(card(nbf)), trust, AT)
    assert (
        shc.verify(issuer.sign(card(nbf)), trust, AT + timedelta(seconds=0.25)).not_before.microsecond
        == 250000
    )
    expired = card(AT.timestamp() - 100, exp=AT.timestamp() - 0.5)
    expect(Step.VALIDITY, "shc.expired", shc.verify, issuer.sign(expired), trust, AT)
    assert shc.verify(issuer.sign(expired), trust, AT - timedelta(seconds=1)).expires_at is not None
    # A naive clock is taken as UTC.
    expect(Step.VALIDITY, "shc.not-yet-valid", shc.check_validity, nbf, AT.replace(tzinfo=None))


# --- never another exception -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def signed(issuer) -> str:
    return issuer.sign()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_flipped_bit_in_the_jws_is_refused(data, signed, trust):
    raw = bytearray(signed.encode("ascii"))
    bit = data.draw(st.integers(0, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(CertificateError):
        shc.verify(raw.decode("latin-1"), trust, AT)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_flipped_bit_in_the_numeric_digits_is_refused(data, signed, trust):
    text = numeric(signed)
    raw = bytearray(text.encode("ascii"))
    bit = data.draw(st.integers(len("shc:/") * 8, len(raw) * 8 - 1))
    raw[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(CertificateError):
        shc.verify(raw.decode("latin-1"), trust, AT)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    tail=st.one_of(st.text(), st.text(alphabet="0123456789/ \n"), st.from_regex(r"(\d\d)*", fullmatch=True))
)
def test_anything_after_the_prefix_is_a_certificate_error(tail, trust):
    for text in ("shc:/" + tail, tail):
        with contextlib.suppress(CertificateError):
            shc.verify(text, trust, AT)
        shc.detect(text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
resource_fields = st.fixed_dictionaries(
    {"resourceType": st.sampled_from(["Patient", "Immunization", "Observation", "Specimen"])},
    optional={
        "status": st.sampled_from(["completed", "final", "not-done"]) | json_values,
        "name": json_values,
        "birthDate": json_values,
        "vaccineCode": json_values,
        "occurrenceDateTime": st.sampled_from(["2021-01-01", "2021", "2021-01-01T10:00:00Z"]) | json_values,
        "code": json_values,
        "valueCodeableConcept": json_values,
        "effectiveDateTime": st.sampled_from(["2021-01-01", "2021-01-01T10:00:00Z", "x"]) | json_values,
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    entries=st.lists(st.one_of(st.fixed_dictionaries({"resource": resource_fields}), json_values), max_size=5)
)
def test_any_signed_bundle_maps_or_is_a_certificate_error(entries, issuer, trust):
    try:
        certificate = shc.verify(issuer.sign(card(entries=entries)), trust, AT)
    except CertificateError as error:
        assert error.step == Step.STRUCTURE
    else:
        json.dumps(certificate.as_json())
