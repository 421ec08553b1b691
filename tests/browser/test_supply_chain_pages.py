"""An EU analyst (DG GROW) reads a Japanese monitoring series in Japanese in a real browser: the list
filtered by party, the chart, the revised month with its earlier value, all under the node's
Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_content_security_policy import Violations

pytestmark = pytest.mark.browser


@pytest.fixture
def analyst(transactional_db, programme):
    """A JP series with a revised month, and a DG GROW account (in the live server's database)."""
    from partnership.exchanges.supply_chain import services
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import PASSWORD

    meti = create_member(
        "jp-secretariat", PASSWORD, Organisation.objects.get(code="jp-digital-agency"), "secretariat"
    )
    description = {
        "title": "電子部品・デバイス出荷指数",
        "language": "ja",
        "unit": "index 2020=100",
        "frequency": "monthly",
    }
    rows = [{"date": f"2024-{month:02d}-01", "value": str(90 + month)} for month in range(1, 13)]
    services.import_observations(meti, "JP-EPD-SHIP", rows, description)
    services.import_observations(meti, "JP-EPD-SHIP", [{"date": "2024-12-01", "value": "99.5"}])
    services.describe_series(meti, {"code": "JP-OTHER", "frequency": "quarterly"})
    create_member("eu-grow", PASSWORD, Organisation.objects.get(code="eu-dg-grow"), "action_lead")
    return "eu-grow", PASSWORD


def test_an_eu_analyst_reads_a_japanese_series_and_its_vintages_in_japanese(live_server, page, analyst):
    base = live_server.url
    violations = Violations(page)
    page.goto(f"{base}/ja/supply-chain/")
    page.get_by_label("ユーザー名").fill(analyst[0])
    page.get_by_label("パスワード").fill(analyst[1])
    page.locator("main form").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/ja/supply-chain/")
    expect(page.locator("h1")).to_have_text("サプライチェーン監視")

    page.get_by_label("頻度").select_option("monthly")
    page.get_by_role("button", name="フィルター").click()
    expect(page.locator("main table")).not_to_contain_text("JP-OTHER")
    page.get_by_role("link", name="JP-EPD-SHIP").click()

    expect(page.locator("h1")).to_contain_text("電子部品・デバイス出荷指数")
    chart = page.locator("svg.series-chart")
    expect(chart).to_be_visible()
    expect(chart.locator("circle")).to_have_count(1)  # December, revised
    december = page.locator("main tr", has_text="2024年12月1日")  # the Japanese date style
    expect(december).to_contain_text("99.5")
    expect(december).to_contain_text("102.0")  # the value the later release revised
    page.wait_for_load_state("networkidle")
    assert not violations.take()


@pytest.fixture
def measure_reader(transactional_db, programme):
    """A JP measure taking effect next week, a JP AMBER plan, and a DG GROW account that may read the
    measure but not the plan (in the live server's database)."""
    import datetime

    from partnership.exchanges.supply_chain import registers
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import PASSWORD

    meti = create_member("jp-meti", PASSWORD, Organisation.objects.get(code="jp-meti"), "action_lead")
    today = datetime.date.today()
    registers.create(
        meti,
        "export_controls",
        {
            "title": "先端半導体製造装置の輸出管理",
            "language": "ja",
            "kind": "new",
            "items": [{"list": "jp-etco", "entry": "7(18)"}],
            "hs_codes": ["8486.20"],
            "legal_basis": "輸出貿易管理令 別表第一",
            "adopted_on": (today - datetime.timedelta(days=3)).isoformat(),
            "takes_effect": (today + datetime.timedelta(days=7)).isoformat(),
            "tlp": "green",
        },
    )
    registers.create(
        meti,
        "investments",
        {"firm": "Hidden KK", "site": "Kumamoto", "country": "JP", "status": "announced", "tlp": "amber"},
    )
    create_member("eu-grow", PASSWORD, Organisation.objects.get(code="eu-dg-grow"), "action_lead")
    return "eu-grow", PASSWORD


def test_an_eu_analyst_sees_a_japanese_measure_taking_effect_soon_and_not_an_amber_plan(
    live_server, page, measure_reader
):
    base = live_server.url
    violations = Violations(page)
    page.goto(f"{base}/ja/supply-chain/export-controls/")
    page.get_by_label("ユーザー名").fill(measure_reader[0])
    page.get_by_label("パスワード").fill(measure_reader[1])
    page.locator("main form").get_by_role("button", name="ログイン").click()
    expect(page.locator("h1")).to_have_text("輸出管理")
    expect(page.locator("ul.upcoming")).to_contain_text("先端半導体製造装置の輸出管理")
    page.get_by_role("button", name="相手側の変更を私の言語でメール通知する").click()
    expect(page.get_by_role("button", name="相手側の変更のメール通知を停止する")).to_be_visible()
    page.locator("ul.upcoming").get_by_role("link").click()
    expect(page.locator("main dl")).to_contain_text("848620")
    expect(page.locator("main dl")).to_contain_text("施行前または施行時に通報されました。")
    expect(page.locator("table.revisions tbody tr")).to_have_count(1)
    page.goto(f"{base}/ja/supply-chain/investments/")
    expect(page.locator("main")).not_to_contain_text("Hidden KK")
    page.wait_for_load_state("networkidle")
    assert not violations.take()
