"""ICAO VDS-NC seals: Japan's real seal and CSCAs, the ICAO report's UTO example, and our own vectors.

The UTO example's CSCA ("National CSCA of Friesland") is not published, so its seal cannot verify
end to end: with an empty trust store it fails at the trust step, and its signature is checked by the
step function with the key of its own embedded signer certificate.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnership.trust.health_certificates import vdsnc
from partnership.trust.health_certificates.errors import MAX_INPUT_BYTES, CertificateError, Step
from partnership.trust.health_certificates.model import Test, Vaccination
from partnership.trust.health_certificates.trust import TrustStore
from tests.conftest import shared_dir

from .vdsnc_vectors import Issuer, b64url, certificate, issuer, name, report_data, vaccination_data

DATA = shared_dir() / "testdata" / "health-certificates" / "vds-nc"
if not (DATA / "jpn-triple-vaccine.json").is_file():
    pytest.skip(
        f"the VDS-NC test data is not in {DATA} (set PARTNERSHIP_SHARED_DIR)", allow_module_level=True
    )

AT = datetime(
    2022, 6, 1, tzinfo=UTC
)  # inside the Digital Agency signer's validity (2021-11-16 .. 2031-11-16)
JAPAN_TEXT = (DATA / "jpn-triple-vaccine.json").read_text(encoding="utf-8")
UTO_TEXT = (DATA / "uto-single-vaccine.json").read_text(encoding="utf-8")


def fails(step: Step, code: str, text: str, trust: TrustStore, at: datetime = AT) -> CertificateError:
    with pytest.raises(CertificateError) as caught:
        vdsnc.verify(text, trust, at)
    assert (caught.value.step, caught.value.code) == (step, code), caught.value.message
    return caught.value


@pytest.fixture(scope="module")
def japan() -> TrustStore:
    trust = TrustStore()
    trust.load(DATA / "csca")
    return trust


@pytest.fixture(scope="module")
def france():
    return issuer("FR")


@pytest.fixture(scope="module")
def france_trust(france) -> TrustStore:
    trust = TrustStore()
    trust.add_certificate(france.csca_der, kind="csca")
    return trust


def trust_of(*cscas: bytes) -> TrustStore:
    trust = TrustStore()
    for der in cscas:
        trust.add_certificate(der, kind="csca")
    return trust


# --- Japan's real seal ----------------------------------------------------------------------------------


def test_japanese_seal_verifies(japan):
    certificate = vdsnc.verify(JAPAN_TEXT, japan, AT)
    assert certificate.format == "vds-nc"
    assert certificate.issuer == "JPN"
    assert (certificate.holder.family_name, certificate.holder.given_name) == ("MIYAKE SHOTA", "")
    assert certificate.holder.date_of_birth == "1991-02-18"
    assert all(isinstance(event, Vaccination) for event in certificate.events)
    assert [event.date for event in certificate.events] == [
        date(2021, 3, 1),
        date(2021, 3, 23),
        date(2021, 12, 1),
    ]
    assert [event.dose for event in certificate.events] == [1, 2, 3]
    assert {(e.product, e.product_code, e.manufacturer, e.doses, e.country) for e in certificate.events} == {
        ("comirnaty", "ICAO-NAM:COMIRNATY", "biontech-pfizer", 2, "JPN")
    }
    assert "The Digital Agency" in certificate.signer
    assert certificate.raw == json.loads(JAPAN_TEXT)[0]["data"]
    assert certificate.unmapped == []
    assert [c.holder.family_name for c in vdsnc.verify_all(JAPAN_TEXT, japan, AT)] == ["MIYAKE SHOTA"]


def test_cryptography_refuses_the_japanese_certificates_so_the_lenient_path_is_exercised():
    """e3 (the CSCA) and the Digital Agency signer: an explicit NULL after ecdsa-with-SHA384."""
    signer_der = vdsnc.decode_base64url(json.loads(JAPAN_TEXT)[0]["sig"]["cer"], "cer")
    for der in ((DATA / "csca" / "JP" / "e3.der").read_bytes(), signer_der):
        with pytest.raises(ValueError, match="signature_alg"):
            x509.load_der_x509_certificate(der)
    # Both CSCAs carry their P-384 key with explicit curve parameters, which we match ourselves.
    for file in ("e3.der", "e5.der"):
        info = asn1_x509.Certificate.load((DATA / "csca" / "JP" / file).read_bytes()).public_key
        assert info["algorithm"]["parameters"].name == "specified"
        assert vdsnc.public_key_of(info).curve.name == "secp384r1"


def test_japanese_seal_with_a_changed_message_fails_its_signature(japan):
    seal = json.loads(JAPAN_TEXT)
    seal[0]["data"]["msg"]["pid"]["n"] = "MIYAKE SHOTB"
    fails(Step.SIGNATURE, "vds.signature", json.dumps(seal), japan)
    fails(Step.SIGNATURE, "vds.signature", JAPAN_TEXT.replace("FC9880", "FC9881"), japan)


def test_japanese_seal_after_its_signer_expired(japan):
    fails(Step.VALIDITY, "vds.signer-expired", JAPAN_TEXT, japan, datetime(2031, 11, 17, tzinfo=UTC))
    fails(Step.VALIDITY, "vds.signer-not-yet-valid", JAPAN_TEXT, japan, datetime(2021, 11, 1, tzinfo=UTC))


def test_japanese_seal_needs_a_japanese_csca():
    fails(Step.TRUST, "vds.unknown-csca", JAPAN_TEXT, TrustStore())


# --- the ICAO report's UTO example ------------------------------------------------------------------------


def test_uto_example_has_no_known_csca():
    error = fails(Step.TRUST, "vds.unknown-csca", UTO_TEXT, TrustStore())
    assert "UTO" in error.message


def test_uto_example_signature_verifies_with_its_embedded_signer():
    seal = vdsnc.read_seal(json.loads(UTO_TEXT))
    signer = vdsnc.read_signer_certificate(vdsnc.decode_base64url(seal.cer, "cer"))
    key = vdsnc.public_key_of(signer.public_key)
    vdsnc.verify_seal_signature(seal, vdsnc.decode_base64url(seal.sigvl, "sigvl"), key)
    certificate = vdsnc.read_message(seal)
    assert certificate.holder.family_name == "Smith Bill"
    assert certificate.events[0].product == "comirnaty"  # "Comirnaty": names match case-insensitively
    assert certificate.events[0].dose == 1  # "seq": "1", a string in ICAO's example
    changed = json.loads(UTO_TEXT)
    changed["data"]["msg"]["pid"]["n"] = "Smith Bull"
    with pytest.raises(CertificateError) as caught:
        vdsnc.verify_seal_signature(
            vdsnc.read_seal(changed), vdsnc.decode_base64url(seal.sigvl, "sigvl"), key
        )
    assert caught.value.code == "vds.signature"


# --- detect ----------------------------------------------------------------------------------------------


def test_detect():
    assert vdsnc.detect(JAPAN_TEXT)
    assert vdsnc.detect(UTO_TEXT)
    for text in ("HC1:6BF", "shc:/56", "{}", "[]", '{"data": {}}', "[1]", "{not json", "", '"data sig"'):
        assert not vdsnc.detect(text), text
    assert not vdsnc.detect(" " * (MAX_INPUT_BYTES + 1) + "{}")


# --- our own vectors: every path ---------------------------------------------------------------------------


def test_own_vaccination_seal(france, france_trust):
    certificate = vdsnc.verify(france.text(), france_trust, AT)
    assert [(e.product, e.dose, e.doses, e.date) for e in certificate.events] == [
        ("spikevax", 1, 2, date(2021, 5, 1)),
        ("spikevax", 2, 2, date(2021, 6, 1)),
    ]
    assert certificate.holder.family_name == "Dupont Marie"
    assert "Test health signer" in certificate.signer


def test_own_test_seal(france, france_trust):
    certificate = vdsnc.verify(france.text(report_data()), france_trust, AT)
    (event,) = certificate.events
    assert isinstance(event, Test)
    assert (event.test_type, event.result, event.country) == ("naat", "negative", "FRA")
    assert event.sampled_at == datetime(2021, 2, 11, 6, tzinfo=UTC)
    assert certificate.issued_at == datetime(2021, 2, 12, 4, tzinfo=UTC)
    assert certificate.holder.family_name == "Cook Gerald"


def test_unknown_codes_are_listed(france, france_trust):
    data = vaccination_data()
    data["msg"]["ve"][0].update(nam="Mystery", des="XM0000", dis="XX00")
    certificate = vdsnc.verify(france.text(data), france_trust, AT)
    assert certificate.events[0].product == "unknown"
    assert certificate.unmapped == ["ICAO-NAM:Mystery", "ICD11:XM0000", "ICD11:XX00"]
    data = report_data()
    data["msg"]["tr"].update(tc="antibody", r="abnormal")
    certificate = vdsnc.verify(france.text(data), france_trust, AT)
    assert (certificate.events[0].test_type, certificate.events[0].result) == ("unknown", "unknown")
    assert certificate.unmapped == ["ICAO:antibody", "ICAO:abnormal"]


@pytest.mark.parametrize("pad", [False, True])
def test_base64url_with_and_without_padding(france, france_trust, pad):
    text = france.text(pad=pad)
    assert ("=" in json.loads(text)["sig"]["cer"] + json.loads(text)["sig"]["sigvl"]) == pad
    assert vdsnc.verify(text, france_trust, AT).holder.family_name == "Dupont Marie"


@pytest.mark.parametrize(
    "text",
    ["not json", "{", '{"a": 1, "a": 2}', '{"v": NaN}', "[" * 30_000, b"{}", None],
    ids=["words", "truncated", "duplicate", "nan", "deep", "bytes", "none"],
)
def test_not_json(text):
    fails(Step.JSON, "vds.json", text, TrustStore())


def test_data_without_canonical_json(france, france_trust):
    seal = france.seal()
    seal["data"]["msg"]["big"] = 2**60
    fails(Step.JSON, "vds.json", json.dumps(seal), france_trust)


def test_too_large(france_trust):
    fails(Step.PREFIX, "vds.too-large", "[" + " " * MAX_INPUT_BYTES + "]", france_trust)


def _without(seal, *path):
    *parents, last = path
    target = seal
    for key in parents:
        target = target[key]
    del target[last]
    return json.dumps(seal)


@pytest.mark.parametrize(
    "path",
    [("sig",), ("data",), ("data", "hdr"), ("data", "msg"), ("data", "hdr", "v"), ("data", "hdr", "is")]
    + [("data", "hdr", "t"), ("sig", "alg"), ("sig", "cer"), ("sig", "sigvl"), ("data", "msg", "pid")]
    + [("data", "msg", "ve"), ("data", "msg", "pid", "n")],
)
def test_missing_members(france, france_trust, path):
    fails(Step.STRUCTURE, "vds.structure", _without(france.seal(), *path), france_trust)


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["msg"]["ve"][0]["vd"][0].update(dvc="2021-13-01"),
        lambda d: d["msg"]["ve"][0]["vd"][0].update(seq="first"),
        lambda d: d["msg"]["ve"][0]["vd"][0].update(seq=True),
        lambda d: d["msg"]["ve"][0].update(vd=[]),
        lambda d: d["msg"]["ve"].append("dose"),
        lambda d: d["hdr"].update(v="1"),
    ],
)
def test_malformed_message(france, france_trust, change):
    data = vaccination_data()
    change(data)
    fails(Step.STRUCTURE, "vds.structure", france.text(data), france_trust)


def test_not_a_seal(france_trust):
    fails(Step.STRUCTURE, "vds.structure", "[]", france_trust)
    fails(Step.STRUCTURE, "vds.structure", '"seal"', france_trust)
    fails(Step.STRUCTURE, "vds.structure", '{"data": 1, "sig": {}}', france_trust)


def test_unknown_type(france, france_trust):
    data = vaccination_data()
    data["hdr"]["t"] = "icao.recovery"
    fails(Step.STRUCTURE, "vds.type", france.text(data), france_trust)


def test_several_seals(france, france_trust):
    text = json.dumps([france.seal(), france.seal(report_data())])
    fails(Step.STRUCTURE, "vds.several-seals", text, france_trust)
    assert [c.events[0].kind for c in vdsnc.verify_all(text, france_trust, AT)] == ["vaccination", "test"]
    broken = json.loads(text)
    broken[1]["sig"]["alg"] = "HS256"
    with pytest.raises(CertificateError) as caught:
        vdsnc.verify_all(json.dumps(broken), france_trust, AT)
    assert caught.value.code == "vds.algorithm"
    assert caught.value.message.startswith("seal 2: ")


@pytest.mark.parametrize("value", ["MII*", "MIIB!", "MIIBA===", "a", "MII+", "MI I="])
def test_bad_base64url(france, france_trust, value):
    seal = france.seal()
    seal["sig"]["sigvl"] = value
    fails(Step.BASE45, "vds.base64", json.dumps(seal), france_trust)


def test_non_canonical_base64url_is_refused():
    with pytest.raises(CertificateError, match="canonical"):
        vdsnc.decode_base64url("QR", "x")  # "QQ" is the canonical text of b"A"
    assert vdsnc.decode_base64url("QQ", "x") == vdsnc.decode_base64url("QQ==", "x") == b"A"


def test_signer_that_is_no_certificate(france, france_trust):
    seal = france.seal()
    seal["sig"]["cer"] = b64url(b"\x30\x03\x02\x01\x01")
    fails(Step.STRUCTURE, "vds.certificate", json.dumps(seal), france_trust)


def test_unknown_csca(france):
    fails(Step.TRUST, "vds.unknown-csca", france.text(), TrustStore())
    other = issuer("JP")
    fails(Step.TRUST, "vds.unknown-csca", france.text(), trust_of(other.csca_der))  # Japan's CSCA: no
    # the French CSCA, but the seal says it was issued by Japan
    fails(Step.TRUST, "vds.unknown-csca", france.text(vaccination_data("JPN")), trust_of(france.csca_der))


def test_chain_failure_signer_signed_by_another_ca(france):
    rogue = issuer("FR")  # a CA of the same name, with another key
    fails(Step.TRUST, "vds.chain", rogue.text(), trust_of(france.csca_der))
    assert vdsnc.verify(rogue.text(), trust_of(france.csca_der, rogue.csca_der), AT)


def test_unsupported_signer_key(france, france_trust):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    signer = certificate(
        name("Test health signer", "FR"),
        name("Test CSCA", "FR"),
        ed25519.Ed25519PrivateKey.generate().public_key(),
        france.csca_key,
    )
    seal = france.seal()
    seal["sig"]["cer"] = b64url(signer)
    fails(Step.TRUST, "vds.signer-key", json.dumps(seal), france_trust)


@pytest.mark.parametrize("alg", ["HS256", "none", "EdDSA", "ES256K"])
def test_other_algorithm(france, france_trust, alg):
    seal = france.seal()
    seal["sig"]["alg"] = alg
    fails(Step.SIGNATURE, "vds.algorithm", json.dumps(seal), france_trust)


def test_algorithm_not_matching_the_key(france, france_trust):
    seal = france.seal()
    seal["sig"]["alg"] = "PS256"
    fails(Step.SIGNATURE, "vds.algorithm", json.dumps(seal), france_trust)


def test_bad_signature(france, france_trust):
    seal = france.seal()
    seal["data"]["msg"]["pid"]["dob"] = "1980-05-18"
    fails(Step.SIGNATURE, "vds.signature", json.dumps(seal), france_trust)
    seal = france.seal()
    seal["sig"]["sigvl"] = b64url(b"\x01" * 63)
    fails(Step.SIGNATURE, "vds.signature", json.dumps(seal), france_trust)
    seal["sig"]["alg"] = "ES384"  # the right length for P-256, the wrong hash
    seal["sig"]["sigvl"] = france.seal()["sig"]["sigvl"]
    fails(Step.SIGNATURE, "vds.signature", json.dumps(seal), france_trust)


def test_signature_covers_data_only_in_canonical_form(france, france_trust):
    seal = france.seal()
    reordered = {"sig": seal["sig"], "data": {"msg": seal["data"]["msg"], "hdr": seal["data"]["hdr"]}}
    assert vdsnc.verify(json.dumps(reordered, indent=7), france_trust, AT)


def test_signer_validity(france, france_trust):
    fails(Step.VALIDITY, "vds.signer-expired", france.text(), france_trust, datetime(2031, 1, 2, tzinfo=UTC))
    fails(Step.VALIDITY, "vds.signer-not-yet-valid", france.text(), france_trust, datetime(2020, 1, 1))


@pytest.mark.parametrize("alg", ["ES384", "ES512"])
def test_other_ec_hashes(alg):
    curve = {"ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
    vector = issuer("FR", signer_key=ec.generate_private_key(curve))
    assert vdsnc.verify(vector.text(alg=alg), trust_of(vector.csca_der), AT)


@pytest.mark.parametrize("alg", ["RS256", "PS256", "PS384", "RS512"])
@pytest.mark.parametrize("pss_chain", [False, True], ids=["pkcs1-chain", "pss-chain"])
def test_rsa(alg, pss_chain):
    vector = issuer(
        "FR",
        csca_key=rsa.generate_private_key(65537, 2048),
        signer_key=rsa.generate_private_key(65537, 2048),
        pss=pss_chain,
    )
    assert vdsnc.verify(vector.text(alg=alg), trust_of(vector.csca_der), AT)


def test_explicit_curve_parameters_and_explicit_null_like_japan():
    """Our own CSCA and signer encoded as Japan's are: explicit P-384/P-256 parameters, explicit NULL."""
    csca_key, signer_key = ec.generate_private_key(ec.SECP384R1()), ec.generate_private_key(ec.SECP256R1())
    csca_name = name("Test CSCA", "FR")
    csca_der = certificate(
        csca_name,
        csca_name,
        csca_key.public_key(),
        csca_key,
        ca=True,
        explicit_curve="SECP384R1",
        explicit_null=True,
    )
    signer_der = certificate(
        name("Signer", "FR"),
        csca_name,
        signer_key.public_key(),
        csca_key,
        explicit_curve="SECP256R1",
        explicit_null=True,
    )
    with pytest.raises(ValueError):
        x509.load_der_x509_certificate(signer_der)
    vector = Issuer(csca_key, csca_der, signer_key, signer_der)
    assert vdsnc.verify(vector.text(), trust_of(csca_der), AT)


def test_explicit_parameters_of_no_known_curve_are_refused():
    key = ec.generate_private_key(ec.SECP256R1())
    der = certificate(name("x", "FR"), name("x", "FR"), key.public_key(), key, explicit_curve="SECP256R1")
    tampered = asn1_x509.Certificate.load(der)
    info = tampered.public_key
    specified = info["algorithm"]["parameters"].chosen
    specified["order"] = specified["order"].native + 2
    with pytest.raises(ValueError, match="no supported curve"):
        vdsnc.public_key_of(info)


def test_alpha2_of():
    assert vdsnc.alpha2_of("JPN") == "JP"
    assert vdsnc.alpha2_of("D") == "DE"
    assert vdsnc.alpha2_of("fra") == "FR"
    assert vdsnc.alpha2_of("UTO") is None


# --- properties -------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def valid_text(france):
    return france.text(pad=True)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), character=st.characters(codec="utf-8"))
def test_any_changed_character(valid_text, france_trust, position, character):
    position %= len(valid_text)
    changed = valid_text[:position] + character + valid_text[position + 1 :]
    try:
        vdsnc.verify(changed, france_trust, AT)
    except CertificateError:
        return
    # still valid: only if the JSON value is the same (a whitespace change, or the same character)
    assert json.loads(changed) == json.loads(valid_text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "data",
                        "sig",
                        "hdr",
                        "msg",
                        "t",
                        "v",
                        "is",
                        "alg",
                        "cer",
                        "sigvl",
                        "pid",
                        "n",
                        "ve",
                        "vd",
                        "seq",
                    ]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_arbitrary_json(france_trust, value):
    text = json.dumps(value)
    assert isinstance(vdsnc.detect(text), bool)
    with pytest.raises(CertificateError):
        vdsnc.verify(text, france_trust, AT)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from('{}[]":,.-0123456789 eE\\utrufalsn"datasigmsgcerhdr'), max_size=200))
def test_arbitrary_json_ish_text(france_trust, text):
    assert isinstance(vdsnc.detect(text), bool)
    with pytest.raises(CertificateError):
        vdsnc.verify(text, france_trust, AT)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_seal_with_arbitrary_members(france, france_trust, data):
    """A real seal with one member replaced by any JSON value: a CertificateError, nothing else."""
    seal = france.seal()
    paths = [
        ("data", "hdr", "is"),
        ("data", "msg", "pid"),
        ("data", "msg", "ve"),
        ("sig", "cer"),
        ("sig", "alg"),
    ]
    *parents, last = data.draw(st.sampled_from(paths))
    target = seal
    for key in parents:
        target = target[key]
    target[last] = data.draw(
        st.none() | st.integers() | st.text(max_size=10) | st.lists(st.integers(), max_size=2)
    )
    with pytest.raises(CertificateError):
        vdsnc.verify(json.dumps(seal), france_trust, AT)


def test_unsigned_outer_algorithm_of_the_signer_must_match_the_signed_one(japan):
    """The outer signatureAlgorithm is not covered by the CSCA's signature: a changed byte there fails."""
    # the outer algorithm's NULL after ecdsa-with-SHA384, near the end of `cer`: 05 00 becomes 34 00
    position = JAPAN_TEXT.rindex("IKoZIzj0EAwMFAANn") + len("IKoZIzj0EAwM")
    changed = JAPAN_TEXT[:position] + "0" + JAPAN_TEXT[position + 1 :]
    fails(Step.TRUST, "vds.chain", changed, japan)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(position=st.integers(min_value=0), character=st.characters(codec="utf-8"))
def test_any_changed_character_in_the_japanese_seal(japan, position, character):
    position %= len(JAPAN_TEXT)
    changed = JAPAN_TEXT[:position] + character + JAPAN_TEXT[position + 1 :]
    try:
        vdsnc.verify(changed, japan, AT)
    except CertificateError:
        return
    assert json.loads(changed) == json.loads(JAPAN_TEXT)
