"""An EU network operator reads the Japan–EU cable map in Japanese in a real browser, asks what survives
when the Red Sea is cut, and opens a cable's page: all under the node's Content-Security-Policy (the map
is an SVG drawn on the server, nothing fetched)."""

import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_content_security_policy import Violations

pytestmark = pytest.mark.browser


@pytest.fixture
def operator(transactional_db, programme, tmp_path):
    """The demo's invented map imported by the JP secretariat, and an EU member's account."""
    from partnership.exchanges.cable_outages import services
    from partnership.exchanges.cable_outages.demo import demo_map
    from partnership.people.models import Organisation
    from partnership.people.services import create_member
    from tests.conftest import PASSWORD

    secretariat = create_member(
        "jp-secretariat", PASSWORD, Organisation.objects.get(code="jp-digital-agency"), "secretariat"
    )
    path = tmp_path / "map.geojson"
    path.write_text(json.dumps(demo_map()), encoding="utf-8")
    services.import_map(secretariat, path, is_demo=True)
    create_member("eu-member", PASSWORD, Organisation.objects.get(code="eu-member-states"), "member_state")
    return "eu-member", PASSWORD


def test_an_eu_operator_reads_the_map_and_cuts_the_red_sea_in_japanese(live_server, page, operator, tmp_path):
    base = live_server.url
    violations = Violations(page)
    page.goto(f"{base}/ja/cables/")
    page.get_by_label("ユーザー名").fill(operator[0])
    page.get_by_label("パスワード").fill(operator[1])
    page.locator("main form").get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(f"{base}/ja/cables/")
    expect(page.locator("h1")).to_have_text("海底ケーブル")
    expect(page.locator("main")).to_contain_text("デモデータ")
    svg = page.locator("svg.cable-map")
    expect(svg).to_be_visible()
    expect(svg.locator("g.cable-map-highlight path")).to_have_count(
        1
    )  # Asia–Europe 1 (the space link is planned)
    expect(svg.locator("g.cable-map-space path")).to_have_count(1)
    svg.screenshot(path=str(tmp_path / "map.png"))  # for a person to look at: the test's tmp_path

    page.get_by_role("link", name="経路と切断").first.click()
    page.get_by_label("紅海・スエズ").check()
    page.get_by_role("button", name="問い合わせる").click()
    expect(page.locator("main")).to_contain_text("JPとEUはまだつながっています。")
    page.goto(f"{base}/ja/cables/cable/demo-space-link/")
    expect(page.locator("h1")).to_have_text("Demo space link")
    expect(page.locator("main")).to_contain_text("Demo Telecom")
    page.wait_for_load_state("networkidle")
    assert not violations.take()
