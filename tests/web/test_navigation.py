"""The main navigation reaches every part a reader looks for, in both languages (issue 14: the reports
and the public progress page were reachable only by their address)."""

import pytest


@pytest.mark.parametrize(
    ("language", "labels"),
    [("en", ["Cycle", "Reports", "Progress", "Threat intelligence"]), ("ja", ["報告書", "進捗"])],
)
def test_the_navigation_links_the_reports_and_the_progress_page(client, programme, language, labels):
    html = client.get(f"/{language}/").content.decode()
    nav = html.split("<nav aria-label=")[1].split("</nav>")[0]
    assert f'href="/{language}/reports/"' in nav and f'href="/{language}/progress/"' in nav
    for label in labels:
        assert f">{label}</a>" in nav


def test_every_page_names_an_icon_that_exists(client, programme):
    """Issue 15: every page asked for a missing /favicon.ico."""
    from django.contrib.staticfiles import finders

    html = client.get("/en/").content.decode()
    assert '<link rel="icon" href="/static/web/favicon.svg"' in html
    assert finders.find("web/favicon.svg")
