"""Trends (issue 18 item 4): daily and monthly series from the rollups, by every dimension, signals
from the shared change detection, the page in both languages with an SVG chart and no inline script or
style, within 100 ms; the Council report section."""

from __future__ import annotations

import datetime
import time

import pytest
from django.test import Client

from partnership.exchanges.platform_reports import services, trends

pytestmark = pytest.mark.django_db

API = "/api/v1/platform-reports"


@pytest.fixture(autouse=True)
def fresh_cache():
    """The page and API keep a series a minute; each test starts from its own data."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def monthly(platforms, generate):
    """eu-platform: 5 statements a month for 2024-2025 and a surge to 60 in November 2025."""
    filed = 0
    month = datetime.date(2024, 1, 1)
    while month <= datetime.date(2025, 12, 1):
        n = 60 if month == datetime.date(2025, 11, 1) else 5
        batch = [generate.statement(day=month + datetime.timedelta(days=k % 27)) for k in range(n)]
        services.file_statements(platforms["eu-platform"], {"statements": batch})
        filed += n
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return filed


def test_monthly_series_add_up_and_the_surge_is_flagged(monthly):
    found = (
        Client()
        .get(f"{API}/trends", {"platform": "eu-platform", "start": "2024-01", "end": "2025-12-31"})
        .json()
    )
    (line,) = found["series"]
    assert line["total"] == monthly and len(line["points"]) == 24
    assert line["points"][-2]["value"] == 60
    assert any(s["date"].startswith("2025-11") and s["direction"] == "up" for s in line["signals"])


@pytest.mark.parametrize("dimension", list(trends.DIMENSIONS))
def test_every_dimension_is_a_series_of_the_rollups(monthly, dimension):
    found = trends.series(
        None, None, dimension, "monthly", datetime.date(2024, 1, 1), datetime.date(2025, 12, 31)
    )
    assert found["series"]
    if dimension == "automated_share":
        assert all(0 <= p["value"] <= 100 for p in found["series"][0]["points"])
    elif dimension in ("total", "category", "decision_ground", "source_type", "automated_decision"):
        assert dimension != "total" or found["series"][0]["total"] == monthly


def test_a_daily_series_has_a_point_a_day(monthly):
    found = trends.series(
        None,
        "eu-platform",
        "decision_ground",
        "daily",
        datetime.date(2025, 11, 1),
        datetime.date(2025, 11, 30),
    )
    assert all(len(line["points"]) == 30 for line in found["series"])
    assert sum(line["total"] for line in found["series"]) == 60


@pytest.mark.parametrize(
    "params",
    [
        {"dimension": "puid"},
        {"frequency": "hourly"},
        {"start": "2025-13-01"},
        {"start": "2025-07-01xyz"},
        {"end": "20251231"},
        {"start": "2020-01-01", "end": "2025-12-01", "frequency": "daily"},
        {"start": "2025-12-01", "end": "2025-01-01"},
    ],
)
def test_bad_choices_are_refused(platforms, params):
    assert Client().get(f"{API}/trends", params).status_code == 422
    assert Client().get("/en/platform-reports/trends/", params).status_code == 400
    assert Client().get(f"{API}/trends", {"platform": "nobody\x00"}).status_code in (404, 422)
    assert Client().get(f"{API}/trends", {"platform": "nobody"}).status_code == 404


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_trends_page_draws_svg_in_both_languages_within_100_ms(monthly, language):
    client = Client()
    url = f"/{language}/platform-reports/trends/?platform=eu-platform&start=2024-01-01&end=2025-12-31"
    client.get(url)
    timings = []
    for _n in range(5):
        began = time.perf_counter()
        page = client.get(url)
        timings.append(time.perf_counter() - began)
    html = page.content.decode()
    assert page.status_code == 200 and "<svg" in html and "<polyline" in html and "<circle" in html
    assert "<script" not in html.split("</header>")[-1] and ' style="' not in html
    assert sorted(timings)[2] < 0.1
    assert ("推移" in html) if language == "ja" else ("Trends of the online environment" in html)


def test_the_council_report_section_has_the_trends(monthly):
    from partnership.exchanges.platform_reports.contract import PlatformReports

    for language, word in (("en", "surge"), ("ja", "急増")):
        section = PlatformReports().report_section(2025, language)
        assert any(word in event for event in section["events"]), section["events"]
        assert section["chart"].startswith("<svg") and "<circle" in section["chart"]
    assert PlatformReports().report_section(2019, "en")["chart"] == ""


def test_the_page_keeps_a_series_a_minute_then_reads_the_rollups_again(monthly, platforms, generate):
    from django.core.cache import cache

    url = f"{API}/trends"
    params = {"platform": "eu-platform", "start": "2024-01", "end": "2025-12-31"}
    before = Client().get(url, params).json()["series"][0]["total"]
    services.file_statements(
        platforms["eu-platform"], {"statements": [generate.statement(day=datetime.date(2025, 3, 3))]}
    )
    assert Client().get(url, params).json()["series"][0]["total"] == before  # from the cache
    cache.clear()  # as after trends.CACHE_SECONDS
    assert Client().get(url, params).json()["series"][0]["total"] == before + 1
