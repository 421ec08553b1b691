"""The pages of the common template, Japan's yearly items and the trends (issue 18, items 2-4) keep to
the Content-Security-Policy in both languages; the trends chart is an SVG the browser draws."""

import datetime

import pytest
from playwright.sync_api import expect

from tests.browser.test_content_security_policy import Violations
from tests.exchanges.platform_reports.conftest import Generator, read_contract

pytestmark = pytest.mark.browser


@pytest.fixture
def filed(programme):
    from partnership.exchanges.platform_reports import japan, services
    from partnership.people.models import Organisation, Party
    from partnership.people.services import create_member

    contract = read_contract()
    if contract is None:
        pytest.skip("the shared DSA contract is not there (set PARTNERSHIP_SHARED_DIR)")
    organisation = Organisation.objects.create(
        code="eu-platform",
        party=Party.objects.get(code="EU"),
        kind="platform",
        name_en="EU platform",
        name_ja="EU",
    )
    user = create_member("eu-platform", "a-long-password-1", organisation, "platform")
    generate = Generator(contract)
    month = datetime.date(2024, 7, 1)
    while month <= datetime.date(2025, 12, 1):
        n = 40 if month == datetime.date(2025, 10, 1) else 4
        services.file_statements(
            user,
            {"statements": [generate.statement(day=month + datetime.timedelta(days=k)) for k in range(n)]},
        )
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    japan.file_requests(
        user,
        {
            "requests": [
                {
                    "reference": "r1",
                    "received_at": "2025-05-01T09:00:00+09:00",
                    "requester_type": "RIGHTS_HOLDER",
                    "reason": "PRIVACY",
                }
            ]
        },
    )


def test_the_template_and_trends_pages_keep_to_the_policy(live_server, page, filed):
    base = live_server.url
    violations = Violations(page)
    found = {}
    for language in ("en", "ja"):
        for path in (
            "platform-reports/template/",
            "platform-reports/platforms/eu-platform/dsa-template/?start=2025-07-01&end=2025-12-31",
            "platform-reports/platforms/eu-platform/japan/2025/",
            "platform-reports/trends/?platform=eu-platform&start=2024-07-01&end=2025-12-31",
            "platform-reports/trends/?dimension=category&frequency=daily&start=2025-10-01&end=2025-10-31",
        ):
            page.goto(f"{base}/{language}/{path}")
            page.wait_for_load_state("networkidle")
            if problems := violations.take():
                found[f"{language}/{path}"] = problems
    assert not found, found
    page.goto(f"{base}/ja/platform-reports/trends/?platform=eu-platform&start=2024-07-01&end=2025-12-31")
    expect(page.locator("svg.trend-chart polyline")).to_have_count(1)
    expect(page.locator("svg.trend-chart circle").first).to_be_attached()
    assert page.locator("svg.trend-chart").bounding_box()["width"] > 300
