"""A report both parties sign (issue 14, item 3): the publisher's party signs at publication, the other
party's secretariat countersigns the document it read; report.json carries both; `partnership report
verify` checks it offline; docs/ledger.md's snippet checks it with `cryptography` alone; a peer's report
and countersignature are applied only when they hold."""

import base64
import datetime
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from django.utils.formats import date_format

from partnership.cycle import report, services
from partnership.cycle.models import PublishedReport, ReportSignature
from partnership.cycle.records import REPORT, REPORT_SIGNATURE
from partnership.errors import Conflict, Invalid, PermissionDenied
from partnership.ledger import registry
from partnership.ledger import services as ledger
from partnership.ledger.keys import verifier_key_string
from partnership.ledger.models import LogEntry
from tests.helpers import apply, plan_cycle, signed, signed_in

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def stock_take(members):
    jp = members["jp_secretariat"]
    plan_cycle(jp, {"year": 2026, "call_opens": "2026-01-15", "call_closes": "2026-03-31"})
    for phase in ("call_open", "call_closed", "stock_take"):
        services.advance_phase(jp, 2026, phase)


def document(client=None) -> dict:
    response = (client or signed_in(None)).get("/en/reports/2026/report.json")
    assert response.status_code == 200
    return json.loads(response.content)


def verify(path: Path) -> tuple[int, str]:
    """`partnership report verify FILE`, in process: its exit status and what it printed."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("report", "verify", str(path), stdout=out, stderr=err)
        status = 0
    except SystemExit as exit:
        status = int(exit.code or 0)
    return status, out.getvalue() + err.getvalue()


def write(tmp_path: Path, value) -> Path:
    path = tmp_path / "report.json"
    path.write_text(json.dumps(value, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def test_both_parties_sign_the_same_sha256_and_verify_accepts_only_the_whole_document(
    stock_take, members, tmp_path
):
    published = report.publish_report(members["jp_secretariat"], 2026)
    first = document()
    assert first["sha256"] == published.sha256
    ((jp_signature),) = first["signatures"]
    # The embedded node signs with its one key, for the party whose secretariat acted.
    assert (jp_signature["party"], jp_signature["key"]) == ("JP", ledger.verifier_key())
    status, said = verify(write(tmp_path, first))
    assert status == 1 and "missing a party: EU has not signed" in said

    report.countersign_report(members["eu_secretariat"], 2026, published.sha256)
    both = document()
    assert [s["party"] for s in both["signatures"]] == ["JP", "EU"]
    assert {name: both[name] for name in first if name != "signatures"} == {
        name: first[name] for name in first if name != "signatures"
    }
    path = write(tmp_path, both)
    status, said = verify(path)
    assert status == 0 and "VALID: report 2026" in said and "signed for EU" in said

    # One byte of the content changed: refused, and the reason says which check failed.
    raw = path.read_bytes()
    at = raw.index(b'"year": 2026') + len(b'"year": 202')
    path.write_bytes(raw[:at] + b"7" + raw[at + 1 :])
    status, said = verify(path)
    assert status == 1 and "the SHA-256 does not match" in said

    forged = json.loads(json.dumps(both))
    forged["signatures"][1]["signature"] = forged["signatures"][0]["signature"]
    status, said = verify(write(tmp_path, forged))
    assert status == 1 and "does not verify" in said

    twice = json.loads(json.dumps(both))
    twice["signatures"].append(twice["signatures"][0])
    status, said = verify(write(tmp_path, twice))
    assert status == 1 and "JP signs twice" in said

    # A signature that verifies, by a key this node's ledger does not know.
    stranger = Ed25519PrivateKey.generate()
    message = report.signed_message(2026, both["sha256"], "EU")
    unknown = json.loads(json.dumps(both))
    unknown["signatures"][1] |= {
        "key": verifier_key_string("EU", stranger),
        "signature": base64.b64encode(stranger.sign(message)).decode(),
    }
    status, said = verify(write(tmp_path, unknown))
    assert status == 1 and "unknown key EU+" in said and "not a key of this node's ledger" in said


def test_the_published_record_and_the_countersignature_are_in_the_log(stock_take, members):
    published = report.publish_report(members["jp_secretariat"], 2026)
    signature = report.countersign_report(members["eu_secretariat"], 2026, published.sha256.upper())
    published_record = signed(PublishedReport.objects.get().ledger_entry)
    assert (published_record.type, published_record.party) == (REPORT, "JP")
    assert published_record.content["sha256"] == published.sha256
    assert report.sha256_of(json.loads(published_record.content["data"])) == published.sha256
    countersigned = signed(signature.ledger_entry)
    assert (countersigned.type, countersigned.party) == (REPORT_SIGNATURE, "EU")
    assert countersigned.content == {
        "year": 2026,
        "sha256": published.sha256,
        "key": ledger.verifier_key(),
        "signature": signature.signature,
    }


def test_countersigning_twice_or_another_sha256_is_refused_and_changes_nothing(stock_take, members):
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    published = report.publish_report(jp, 2026)
    with pytest.raises(Invalid) as refused:
        report.countersign_report(eu, 2026, "0" * 64)
    assert "sha256" in refused.value.fields and published.sha256 in str(refused.value)
    with pytest.raises(Invalid):
        report.countersign_report(eu, 2026, "not a hash")
    # The publisher's party has signed already: its secretariat cannot sign again as if it were the other.
    with pytest.raises(Conflict, match="JP has already signed"):
        report.countersign_report(jp, 2026, published.sha256)
    report.countersign_report(eu, 2026, published.sha256)
    size = ledger.size()
    with pytest.raises(Conflict, match="EU has already signed"):
        report.countersign_report(eu, 2026, published.sha256)
    assert ReportSignature.objects.count() == 2 and ledger.size() == size


@pytest.mark.parametrize("name", ["jp_lead", "eu_lead", "eu_stakeholder", "eu_member_state"])
def test_only_a_secretariat_countersigns(stock_take, members, name):
    published = report.publish_report(members["jp_secretariat"], 2026)
    with pytest.raises(PermissionDenied):
        report.countersign_report(members[name], 2026, published.sha256)
    assert ReportSignature.objects.count() == 1


def test_a_federated_node_signs_only_for_its_own_party(stock_take, members, settings):
    settings.NODE_PARTY = "EU"
    with pytest.raises(PermissionDenied, match="This node is run by EU"):
        report.publish_report(members["jp_secretariat"], 2026)
    published = report.publish_report(members["eu_secretariat"], 2026)
    assert document()["signatures"][0]["party"] == "EU"
    with pytest.raises(PermissionDenied, match="This node is run by EU"):
        report.countersign_report(members["jp_secretariat"], 2026, published.sha256)


def test_countersign_through_the_api(stock_take, members, token_for, client):
    published = report.publish_report(members["jp_secretariat"], 2026)
    url = "/api/v1/cycles/2026/report/countersign"
    body = json.dumps({"sha256": published.sha256})
    assert client.post(url, body, content_type="application/json").status_code == 401
    stakeholder = token_for(members["eu_stakeholder"])
    refused = client.post(url, body, content_type="application/json", HTTP_AUTHORIZATION=stakeholder)
    assert refused.status_code == 403
    other = client.post(
        url,
        json.dumps({"sha256": "f" * 64}),
        content_type="application/json",
        HTTP_AUTHORIZATION=token_for(members["eu_secretariat"]),
    )
    assert other.status_code == 422 and published.sha256 in other.content.decode()
    made = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=token_for(members["eu_secretariat"])
    )
    assert made.status_code == 201
    assert [s["party"] for s in made.json()["signatures"]] == ["JP", "EU"]
    again = client.post(
        url, body, content_type="application/json", HTTP_AUTHORIZATION=token_for(members["eu_secretariat"])
    )
    assert again.status_code == 409


def test_the_other_partys_secretariat_countersigns_from_the_report_page(stock_take, members):
    published = report.publish_report(members["jp_secretariat"], 2026)
    for name in (None, "jp_secretariat", "eu_stakeholder"):
        page = signed_in(members[name] if name else None).get("/en/reports/2026/").content.decode()
        assert "Countersign for" not in page
        assert "Awaiting the signature of" in page
    for name in (None, "eu_stakeholder"):
        refused = signed_in(members[name] if name else None).post(
            "/en/reports/2026/countersign/", {"sha256": published.sha256}
        )
        assert refused.status_code == 403
    assert ReportSignature.objects.count() == 1

    eu = signed_in(members["eu_secretariat"])
    page = eu.get("/ja/reports/2026/").content.decode()
    form = re.search(r'<form method="post" action="([^"]+)"', page)
    assert form and form.group(1) == "/ja/reports/2026/countersign/"
    assert published.sha256 in page and "EUとして副署" in page
    wrong = eu.post(form.group(1), {"sha256": "a" * 64})
    assert wrong.status_code == 400 and published.sha256 in wrong.content.decode()
    done = eu.post(form.group(1), {"sha256": published.sha256})
    assert done.status_code == 302 and done["Location"] == "/ja/reports/2026/"
    for language, signed_for in (("en", "Signed for"), ("ja", "署名")):
        page = signed_in(None).get(f"/{language}/reports/2026/").content.decode()
        assert page.count(signed_for) >= 2 and "Countersign" not in page
        assert ledger.verifier_key() in page and published.sha256 in page


def in_language(moment, language: str) -> str:
    """`moment` in UTC as the report writes it in `language` ("6 Dec 2026, 23:30", "2026年12月6日 23:30")."""
    with translation.override(language):
        return date_format(moment.astimezone(datetime.UTC), "DATETIME_FORMAT")


def test_the_html_the_pdf_is_made_from_states_who_signed_and_when(stock_take, members):
    published = report.publish_report(members["jp_secretariat"], 2026)
    report.countersign_report(members["eu_secretariat"], 2026, published.sha256)
    found = report.published(2026)
    for language in ("en", "ja"):
        html = report.render_html(found.data, language, found, print_fonts="")
        when = in_language(found.published_at, language)
        assert published.sha256 in html and when in html
        assert "Awaiting" not in html and "待って" not in html
    assert "Signed for Japan on" in report.render_html(found.data, "en", found)


def test_the_python_of_docs_ledger_md_verifies_a_published_report(stock_take, members, tmp_path):
    """docs/ledger.md shows how anyone checks the report with `cryptography` alone: run that very code."""
    published = report.publish_report(members["jp_secretariat"], 2026)
    report.countersign_report(members["eu_secretariat"], 2026, published.sha256)
    text = (REPO / "docs" / "ledger.md").read_text(encoding="utf-8")
    section = text[text.index("## Check a published report yourself") :]
    script = re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)
    (tmp_path / "check_report.py").write_text(script, encoding="utf-8")
    path = write(tmp_path, document())
    keys = [ledger.verifier_key()]

    def run(file: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-I", str(tmp_path / "check_report.py"), str(file), *keys],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            check=False,
        )

    ok = run(path)
    assert ok.returncode == 0, ok.stderr
    assert "signed for JP" in ok.stdout and "signed for EU" in ok.stdout
    raw = path.read_bytes()
    at = raw.index(b'"year": 2026') + len(b'"year": 202')
    path.write_bytes(raw[:at] + b"5" + raw[at + 1 :])
    changed = run(path)
    assert changed.returncode != 0 and "AssertionError" in changed.stderr


# --- a peer's report and countersignature ------------------------------------------------------------


@pytest.fixture
def eu_peer(settings):
    """This process as the JP node; the EU node's key configured as its peer's."""
    key = Ed25519PrivateKey.generate()
    settings.NODE_PARTY = "JP"
    settings.PEERS = f"http://127.0.0.1:9 {verifier_key_string('EU', key)}"
    return key


def countersignature(key, sha256: str, party: str = "EU") -> dict:
    signature = key.sign(report.signed_message(2026, sha256, party))
    return {
        "year": 2026,
        "sha256": sha256,
        "key": verifier_key_string(party, key),
        "signature": base64.b64encode(signature).decode(),
    }


def text(data: dict) -> str:
    return report.canonical_json(data).decode()


def now() -> str:
    from django.utils import timezone

    from partnership.ledger.records import format_time

    return format_time(timezone.now())


def rejected(record, entry) -> str:
    """Apply as sync does, keeping the reason on the entry when refused; '' when applied."""
    try:
        apply(record, entry)
    except registry.RecordRejected as reason:
        LogEntry.objects.filter(pk=entry.pk).update(apply_error=reason.as_data())
        return str(reason)
    return ""


def test_a_peer_countersignature_is_applied_once_and_only_with_the_peers_key_and_sha256(
    stock_take, members, eu_peer, peer_log
):
    published = report.publish_report(members["jp_secretariat"], 2026)
    impostor = Ed25519PrivateKey.generate()
    reason = rejected(*peer_log(REPORT_SIGNATURE, countersignature(impostor, published.sha256), time=now()))
    assert "is not a key of the EU node" in reason
    reason = rejected(*peer_log(REPORT_SIGNATURE, countersignature(eu_peer, "e" * 64), time=now()))
    assert "with SHA-256 " + "e" * 64 in reason and "not of this document" in reason
    assert ReportSignature.objects.filter(party__code="EU").count() == 0

    record, entry = peer_log(REPORT_SIGNATURE, countersignature(eu_peer, published.sha256), time=now())
    assert rejected(record, entry) == ""
    assert rejected(record, entry) == ""  # the same record again changes nothing
    assert [s["party"] for s in document()["signatures"]] == ["JP", "EU"]
    # Another signature of EU (by a second key the EU node is known by): refused, the first one stays.
    second = Ed25519PrivateKey.generate()
    from django.conf import settings

    settings.PEERS += f",http://127.0.0.1:9 {verifier_key_string('EU', second)}"
    reason = rejected(*peer_log(REPORT_SIGNATURE, countersignature(second, published.sha256), time=now()))
    assert "EU has already signed the report of 2026" in reason
    assert ReportSignature.objects.get(party__code="EU").key == verifier_key_string("EU", eu_peer)


def test_a_countersignature_before_its_report_is_kept_and_applied_when_the_report_arrives(
    stock_take, members, eu_peer, peer_log
):
    data = report.build_report(2026)
    sha256 = report.sha256_of(data)
    early, early_entry = peer_log(REPORT_SIGNATURE, countersignature(eu_peer, sha256), time=now())
    reason = rejected(early, early_entry)
    assert "there is no published report of 2026 on this node yet" in reason and "kept" in reason
    early_entry.refresh_from_db()
    assert early_entry.apply_error_text.startswith("there is no published report of 2026")

    content = countersignature(eu_peer, sha256) | {"data": text(data)}
    assert rejected(*peer_log(REPORT, content, time=now())) == ""
    early_entry.refresh_from_db()
    assert early_entry.apply_error == ""
    found = report.published(2026)
    assert (found.sha256, found.party.code, found.published_by) == (sha256, "EU", None)
    assert [s["party"] for s in document()["signatures"]] == ["EU"]


def test_a_peer_report_for_a_cycle_this_node_lacks_or_with_other_data_is_refused(
    stock_take, members, eu_peer, peer_log
):
    data = report.build_report(2026)
    sha256 = report.sha256_of(data)
    other_year = json.loads(json.dumps(data))
    other_year["cycle"]["year"] = 2031
    content = countersignature(eu_peer, sha256) | {"data": text(other_year)}
    assert "does not have the SHA-256" in rejected(*peer_log(REPORT, content, time=now()))
    lacking = countersignature(eu_peer, report.sha256_of(other_year)) | {
        "data": text(other_year),
        "year": 2031,
    }
    lacking["signature"] = base64.b64encode(
        eu_peer.sign(report.signed_message(2031, report.sha256_of(other_year), "EU"))
    ).decode()
    assert "there is no cycle 2031 on this node" in rejected(*peer_log(REPORT, lacking, time=now()))
    # This node published its own report of 2026 first: the peer's other one is refused, not merged.
    with transaction.atomic():
        report.publish_report(members["jp_secretariat"], 2026)
    altered = json.loads(json.dumps(data))
    altered["cycle"]["council_date"] = "2026-06-30"
    theirs = countersignature(eu_peer, report.sha256_of(altered)) | {"data": text(altered)}
    assert "this node holds another report of 2026" in rejected(*peer_log(REPORT, theirs, time=now()))
    assert PublishedReport.objects.get().party.code == "JP"


def test_the_countersign_command(stock_take, members, capsys):
    published = report.publish_report(members["jp_secretariat"], 2026)
    with pytest.raises(CommandError, match="SHA-256 of the report you read"):
        call_command("report", "countersign", "2026", "--sha256", "xyz", "--by", "eu-secretariat")
    with pytest.raises(CommandError, match="needs the cycle's YEAR"):
        call_command("report", "countersign", "2026", "--by", "eu-secretariat")
    call_command("report", "countersign", "2026", "--sha256", published.sha256, "--by", "eu-secretariat")
    assert "countersigned for EU" in capsys.readouterr().out
    with pytest.raises(CommandError, match="EU has already signed"):
        call_command("report", "countersign", "2026", "--sha256", published.sha256, "--by", "eu-secretariat")


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdf_states_who_signed_when_and_the_sha256_in_both_languages(stock_take, members, tmp_path):
    published = report.publish_report(members["jp_secretariat"], 2026)
    report.countersign_report(members["eu_secretariat"], 2026, published.sha256)
    found = report.published(2026)
    for language, says in (
        ("en", ["SignedforJapanon", "SignedforEuropeanUnionon"]),
        ("ja", ["日本として署名", "欧州連合として署名"]),
    ):
        when = in_language(found.published_at, language)
        pdf = tmp_path / f"{language}.pdf"
        pdf.write_bytes(report.published_pdf(found, language))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        flat = "".join(text.split())  # words wrap anywhere in a PDF's lines
        assert published.sha256 in flat and when.replace(" ", "") in flat
        assert all(phrase in flat for phrase in says), language
