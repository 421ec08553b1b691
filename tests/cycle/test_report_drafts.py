"""The secretariats' work on a draft report from the web (issue 14): its PDF preview, marked DRAFT on
every page in both languages, and the publish button that calls `publish_report` as the command does;
who may use each (anonymous, stakeholder, lead, secretariat), CSRF, and errors in the reader's words."""

import subprocess

import pytest
from django.test import Client

from partnership.cycle import report
from partnership.cycle.models import PublishedReport
from tests.cycle.test_report import cycle_through, needs, update
from tests.helpers import signed_in

ROLES = ["anonymous", "jp_stakeholder", "eu_lead", "jp_secretariat", "eu_secretariat"]
SECRETARIATS = {"jp_secretariat", "eu_secretariat"}
DRAFT_MARK = {
    "en": "DRAFT: built from the live data, not published",
    "ja": "草案：現在のデータから作成（未公表）",
}


@pytest.fixture
def stock_take(members):
    """Cycle 2026 at the stock-take (publishable), with one update."""
    cycle_through(members["jp_secretariat"], 2026)
    update(members["eu_secretariat"], 46, 2026, "on_track", "First early-warning exercise held.")


def client_for(members, role: str) -> Client:
    return signed_in(None if role == "anonymous" else members[role])


def pdf_pages(content: bytes, tmp_path) -> list[str]:
    path = tmp_path / "draft.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [page for page in text.split("\f") if page.strip()]


@pytest.mark.parametrize("role", ROLES)
def test_who_may_preview_the_draft_pdf(stock_take, members, role):
    response = client_for(members, role).get("/en/cycles/2026/report/draft.pdf")
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif role in SECRETARIATS:
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and "no-store" in response["Cache-Control"]
    else:
        assert response.status_code == 403


@needs("pdftotext")
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_draft_pdf_is_marked_draft_on_every_page(stock_take, members, language, tmp_path):
    response = client_for(members, "eu_secretariat").get(f"/{language}/cycles/2026/report/draft.pdf")
    pages = pdf_pages(response.content, tmp_path)
    assert len(pages) > 5
    for number, page in enumerate(pages, start=1):
        assert DRAFT_MARK[language] in page, number
    # The published report's PDF carries no such mark.
    report.publish_report(members["jp_secretariat"], 2026)
    published = Client().get(f"/{language}/reports/2026/report.pdf")
    assert not any(DRAFT_MARK[language] in page for page in pdf_pages(published.content, tmp_path))


@pytest.mark.parametrize("role", ROLES)
def test_who_sees_the_preview_and_the_publish_button_on_the_draft_page(stock_take, members, role):
    response = client_for(members, role).get("/ja/cycles/2026/report/")
    if role == "anonymous":
        assert response.status_code == 302
        return
    page = response.content.decode()
    assert response.status_code == 200
    shown = role in SECRETARIATS
    assert ("/ja/cycles/2026/report/draft.pdf" in page) == shown
    assert ("PDFプレビュー（草案）" in page) == shown
    assert ('action="/ja/cycles/2026/report/publish/"' in page) == shown
    assert ("2026年の報告書を公表する" in page) == shown
    cycle_page = client_for(members, role).get("/ja/cycles/2026/").content.decode()
    assert ("/ja/cycles/2026/report/draft.pdf" in cycle_page) == shown


@pytest.mark.parametrize("role", ROLES)
def test_who_may_publish_from_the_web(stock_take, members, role):
    response = client_for(members, role).post("/en/cycles/2026/report/publish/")
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif role in SECRETARIATS:
        assert response.status_code == 302 and response["Location"] == "/en/cycles/2026/"
    else:
        assert response.status_code == 403
        assert "Only the secretariats publish the progress report." in response.content.decode()
    assert PublishedReport.objects.filter(cycle__year=2026).exists() == (role in SECRETARIATS)


def test_publishing_from_the_web_says_so_and_the_draft_page_then_links_the_published_report(
    stock_take, members
):
    client = client_for(members, "jp_secretariat")
    response = client.post("/ja/cycles/2026/report/publish/", follow=True)
    assert "2026年の報告書を公表しました。" in response.content.decode()
    stored = PublishedReport.objects.get(cycle__year=2026)
    assert stored.published_by == members["jp_secretariat"] and stored.sha256 == report.sha256_of(stored.data)
    page = client.get("/en/cycles/2026/report/").content.decode()
    assert 'href="/en/reports/2026/"' in page and "/report/publish/" not in page
    # Twice: the draft page again, with the reason, in the reader's language.
    again = client.post("/ja/cycles/2026/report/publish/")
    assert again.status_code == 409
    assert "2026年の報告書は既に公表されています。" in again.content.decode()
    assert PublishedReport.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "ja"])
def test_publishing_too_early_is_refused_in_words(members, language):
    cycle_through(members["jp_secretariat"], 2026, until="call_open")
    response = client_for(members, "eu_secretariat").post(f"/{language}/cycles/2026/report/publish/")
    assert response.status_code == 409
    with_message = response.content.decode()
    expected = {
        "en": "can be published from the stock-take on",
        "ja": "2026年の報告書は総括の段階以降に公表できます。",
    }[language]
    assert expected in with_message and 'role="alert"' in with_message
    assert not PublishedReport.objects.exists()


def test_publishing_needs_the_csrf_token(stock_take, members):
    client = signed_in(members["eu_secretariat"], enforce_csrf_checks=True)
    assert client.post("/en/cycles/2026/report/publish/").status_code == 403
    assert not PublishedReport.objects.exists()
    page = client.get("/en/cycles/2026/report/").content.decode()
    token = page.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    response = client.post("/en/cycles/2026/report/publish/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and PublishedReport.objects.exists()


def test_publishing_an_unknown_cycle_is_not_found(members):
    assert client_for(members, "eu_secretariat").post("/en/cycles/2031/report/publish/").status_code == 404
    assert client_for(members, "eu_secretariat").get("/en/cycles/2031/report/draft.pdf").status_code == 404
