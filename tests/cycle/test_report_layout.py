"""The report's PDF as a reader sees it, page by page, on the demo's data (issue 14): the contents list
one entry a line, the first page filled, no heading alone at the foot of a page, indicator charts
legible at print size."""

import re
import subprocess
from pathlib import Path

import pytest
from django.utils.html import strip_tags

from partnership.cycle import charts, report
from tests.cycle.test_report import needs

PAGE_NUMBER = re.compile(r"^\s*\d+ / \d+\s*$")


@pytest.fixture(scope="module")
def demo_pdfs(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's draft report of this year as PDF and HTML in both languages (seeded, then rolled back)."""
    from django.db import transaction
    from django.utils import timezone

    from partnership import demo

    folder = tmp_path_factory.mktemp("demo-pdf")
    year = timezone.now().year
    files, html = {}, {}
    with django_db_blocker.unblock(), transaction.atomic():
        demo.create_demo_accounts("demo-password-for-tests-1")
        demo.seed_progress()
        demo.seed_cycles()
        data = report.build_report(year)
        for language in ("en", "ja"):
            files[language] = folder / f"report-{language}.pdf"
            files[language].write_bytes(report.render_pdf(data, language))
            html[language] = report.render_html(data, language)
        transaction.set_rollback(True)
    return files, html


def pages(path: Path) -> list[list[str]]:
    """Each page's non-blank lines as `pdftotext -layout` lays them out, without the page number."""
    text = subprocess.run(
        ["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [
        [line.strip() for line in page.splitlines() if line.strip() and not PAGE_NUMBER.match(line)]
        for page in text.split("\f")
        if page.strip()
    ]


def squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def headings(html: str) -> set[str]:
    """The text of every heading of the document (and of each area's paragraph line), squeezed."""
    found = re.findall(r"<(h[1-4])[^>]*>(.*?)</\1>", html, flags=re.S)
    found += [
        ("p", text) for text in re.findall(r'<p class="[^"]*area-ref[^"]*">(.*?)</p>', html, flags=re.S)
    ]
    return {squeezed(strip_tags(text)) for _tag, text in found} - {""}


@pytest.mark.django_db
@needs("pdftotext")
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_contents_list_one_entry_a_line(demo_pdfs, language):
    files, html = demo_pdfs
    contents = html[language].split('<nav class="contents"', 1)[1].split("</nav>", 1)[0]
    entries = [strip_tags(item).strip() for item in re.findall(r"<li>(.*?)</li>", contents)]
    assert len(entries) >= 9
    first_page = pages(files[language])[0]
    for number, entry in enumerate(entries, start=1):
        # Its own line, whole: two columns drew a wrapped entry over its neighbour ("5." and "10.").
        assert f"{number}. {entry}" in first_page, (entry, first_page)


@pytest.mark.django_db
@needs("pdftotext")
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_first_page_is_filled_with_the_summary(demo_pdfs, language):
    files, html = demo_pdfs
    first_page = pages(files[language])[0]
    # The status table by area begins on page 1 (the chart that did not fit left half of it empty).
    first_area = strip_tags(re.search(r'<th scope="rowgroup"[^>]*>(.*?)</th>', html[language]).group(1))
    assert any(line.startswith(first_area) for line in first_page), first_page
    assert len(first_page) >= 25


@pytest.mark.django_db
@needs("pdftotext")
@pytest.mark.parametrize("language", ["en", "ja"])
def test_no_page_ends_with_a_heading(demo_pdfs, language):
    files, html = demo_pdfs
    titles = headings(html[language])
    laid_out = pages(files[language])
    assert len(laid_out) > 10
    for number, lines in enumerate(laid_out, start=1):
        # The last line, or the last two (a heading wrapped over two lines), make a heading.
        ends = {squeezed(lines[-1]), squeezed(" ".join(lines[-2:]))}
        assert not ends & titles, (number, lines[-3:])


def test_an_indicator_chart_is_legible_at_print_size():
    svg = charts.indicator_chart(["3", "7.5", "10.8"], "0", "12", ["2023-12-31", "2024-12-31", "2025-12-31"])
    width, height = (int(value) for value in re.search(r'width="(\d+)" height="(\d+)"', svg).groups())
    # 240 px print 63 mm wide (a sparkline of 120 x 28 printed 32 x 7 mm, its line a smudge).
    assert width >= 200 and height >= 56
    labels = dict(re.findall(r'<text class="(high|low|last)"[^>]*>([^<]+)</text>', svg))
    assert labels == {"high": "12", "low": "0", "last": "10.8"}
    assert min(float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)) >= 10
    assert ">2023<" in svg and ">2025<" in svg  # the first and last year under the line
    assert charts.indicator_chart([None], "0", "12") == ""
