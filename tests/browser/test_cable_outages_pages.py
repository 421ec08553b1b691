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


def test_a_jp_cable_operator_reports_an_outage_and_files_its_interim_report(live_server, page, operator):
    """In Japanese, under the CSP: the report form (times in the reader's zone), the outage page with its
    deadlines and route effect, then the interim report."""
    import datetime

    from django.utils import timezone

    from partnership.people.models import Organisation, Party
    from partnership.people.services import create_member
    from tests.conftest import PASSWORD

    org = Organisation.objects.create(
        code="jp-cable-demo",
        party=Party.objects.get(code="JP"),
        kind="operator",
        name_en="Cable",
        name_ja="ケーブル",
    )
    create_member("jp-op", PASSWORD, org, "operator")
    base = live_server.url
    violations = Violations(page)
    page.goto(f"{base}/ja/cables/outages/report/")
    page.get_by_label("ユーザー名").fill("jp-op")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="ログイン").click()
    expect(page.locator("h1")).to_have_text("障害を報告")
    now = timezone.localtime(timezone.now())  # the site's zone, which the form's times are read in
    page.locator("#cable").select_option("demo-asia-europe-1")
    page.locator("#started_at").fill((now - datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#detected_at").fill((now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("緯度").fill("16.3")
    page.get_by_label("経度").fill("40.7")
    page.get_by_label("原因").select_option("anchor")
    page.get_by_role("button", name="報告し、通知に署名").click()
    expect(page.locator("h1")).to_contain_text("Demo Asia–Europe 1")
    expect(page.locator("main")).to_contain_text("まだ接続されています。")
    page.get_by_label("段階", exact=True).select_option("interim")
    page.get_by_role("button", name="提出して署名").click()
    expect(page.locator("main")).to_contain_text("段階を提出し、署名しました。")
    page.goto(f"{base}/ja/cables/outages/")
    expect(page.locator("main table")).to_contain_text("Demo Asia–Europe 1")
    assert not violations.take()


def test_a_jp_secretariat_sets_its_profile_and_designates_a_filer_in_japanese(
    live_server, page, operator, tmp_path
):
    """In Japanese, under the CSP: the party's own profile edited on its form, then a cable's responsible
    filer designated with an EU co-owner, then revoked."""
    from partnership.exchanges.cable_outages.models import PartyProfile, ResponsibleFiler
    from partnership.people.models import Organisation, Party
    from tests.conftest import PASSWORD

    for code, party in (("jp-cable-demo", "JP"), ("eu-cable-demo", "EU")):
        Organisation.objects.create(
            code=code, party=Party.objects.get(code=party), kind="operator", name_en=code, name_ja=code
        )
    base = live_server.url
    violations = Violations(page)
    page.goto(f"{base}/ja/cables/outages/profiles/edit/")
    page.get_by_label("ユーザー名").fill("jp-secretariat")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="ログイン").click()
    expect(page.locator("h1")).to_have_text("貴側の報告プロファイル")
    page.get_by_label("通知: 時間").fill("6")
    page.get_by_label("最終報告: 時間").fill("0")
    page.get_by_role("button", name="プロファイルを保存する").click()
    expect(page.locator("#final_hours_error")).to_be_visible()  # named beside the field, nothing saved
    page.screenshot(path=str(tmp_path / "profile-error.png"), full_page=True)
    page.get_by_label("最終報告: 時間").fill("48")
    page.get_by_label("最終報告: 起算点").select_option("notification")
    page.get_by_role("button", name="プロファイルを保存する").click()
    expect(page.locator("main")).to_contain_text("貴側の報告プロファイルを保存しました。")
    expect(page.locator("main")).to_contain_text("JP 独自のプロファイル")
    assert PartyProfile.objects.get().stages[1] == {"stage": "final", "hours": 48, "after": "notification"}

    page.get_by_role("link", name="責任届出者").first.click()
    page.get_by_role("combobox", name="ケーブル", exact=True).select_option("demo-asia-europe-1")
    page.get_by_label("責任届出者(貴側の事業者)").select_option("jp-cable-demo")
    page.get_by_label("報告を閲覧する共同所有者(どちらの側でも可)").select_option(["eu-cable-demo"])
    page.get_by_role("button", name="指定して署名する").click()
    expect(page.locator("main")).to_contain_text("責任届出者を指定し、指定に署名しました。")
    expect(page.locator("main table")).to_contain_text("eu-cable-demo")
    page.screenshot(path=str(tmp_path / "filers.png"), full_page=True)
    page.get_by_role("button", name="取り消す").click()
    expect(page.locator("main")).to_contain_text("指定を取り消し、取消しに署名しました。")
    assert ResponsibleFiler.objects.get().revoked_at is not None
    page.wait_for_load_state("networkidle")
    assert not violations.take()
