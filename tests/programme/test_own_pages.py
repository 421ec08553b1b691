"""Every user's page is their own (issue 15, item 2): a lead lands on the actions it has to report, a
secretariat on who has not reported and what awaits its moderation or agreement, a stakeholder on the
consultations open to it, an ISAC's analyst on threat intelligence; in both languages, in a fixed number
of queries, and never with the other party's private items."""

import datetime
import re

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partnership.cycle import services as cycle_services
from partnership.people.models import Organisation, Party
from partnership.people.services import create_member
from partnership.programme import services
from tests.conftest import PASSWORD
from tests.helpers import plan_cycle, signed_in

YEAR = 2026


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def section(page: str, heading_id: str) -> str:
    """The HTML of the <section> whose heading has `heading_id` (empty when there is none)."""
    start = page.find(f'id="{heading_id}"')
    if start < 0:
        return ""
    return page[start : page.find("</section>", start)]


@pytest.fixture
def cycle_in_progress(members):
    """Cycle 2026 (planned by JP, agreed by the EU) with every member given an email address, a Council
    hosted by the EU with a decision JP must confirm, the 2027 calendar proposed by the EU, and an open
    consultation with a pending contribution from each party's stakeholders."""
    for name, user in members.items():
        User.objects.filter(pk=user.pk).update(email=f"{name.replace('_', '-')}@demo.invalid")
    jp, eu = members["jp_secretariat"], members["eu_secretariat"]
    plan_cycle(jp, {"year": YEAR, "call_opens": "2026-01-15", "call_closes": "2026-03-31"})
    cycle_services.advance_phase(jp, YEAR, "call_open")  # the cycle in progress, before 2027's
    cycle_services.create_cycle(
        eu, {"year": YEAR + 1, "call_opens": "2027-01-15", "call_closes": "2027-03-31"}
    )
    meeting = cycle_services.record_meeting(
        eu,
        YEAR,
        {
            "mechanism": "digital-partnership-council",
            "kind": "council",
            "title": "Digital Partnership Council",
            "language": "en",
            "date": "2026-05-12",
        },
    )
    cycle_services.record_outcome(
        eu,
        meeting.uid,
        {"kind": "decision", "text": "Joint chips alert drill.", "language": "en", "owner": "jp-meti"},
    )
    now = timezone.now()
    window = cycle_services.open_window(
        jp,
        YEAR,
        {
            "title": "Stakeholder consultation",
            "opens": now - datetime.timedelta(days=1),
            "closes": now + datetime.timedelta(days=5),
        },
    )
    cycle_services.submit_contribution(
        members["jp_stakeholder"], window.pk, {"text": "JBCE asks for a chips briefing.", "language": "en"}
    )
    cycle_services.submit_contribution(
        members["eu_stakeholder"], window.pk, {"text": "EBC private wish list.", "language": "en"}
    )
    return members


def test_a_lead_lands_on_its_own_actions_with_what_is_due_first(cycle_in_progress):
    lead = cycle_in_progress["jp_lead"]  # MIC
    led = sorted(a.paragraph for a in lead.membership.organisation.led_actions.all())
    assert 48 in led and len(led) > 1
    services.file_update(
        lead, led[0], {"status": "on_track", "narrative": "Done.", "language": "en", "period": YEAR}
    )
    page = text(signed_in(lead).get("/en/dashboard/"))
    desk = section(page, "desk-heading")
    assert "My actions to report in the 2026 cycle" in desk
    assert (
        f"{len(led) - 1} updates are due." in desk and "closes on 31 Mar 2026" in desk
    )  # the English date style
    rows = [int(p) for p in re.findall(r'<a href="/en/actions/(\d+)/">', desk)]
    # Due first, each with a link straight to its form; then the one reported.
    assert rows == [*led[1:], led[0]]
    assert f'href="/en/actions/{led[1]}/update/"' in desk
    assert "File the update" in desk and "File a new version" in desk
    # The lead's desk comes before the rest of the dashboard, and shows no secretariat's work.
    assert page.index("desk-heading") < page.index("status-heading")
    assert "awaiting-heading" not in page and "EBC private wish list" not in page
    # Its reminders: its own actions only, naming organisations, never people of the secretariat.
    reminders = section(page, "reminders-heading")
    assert f"/en/actions/{led[1]}/" in reminders and "/en/actions/46/" not in reminders
    assert "Ministry of Internal Affairs and Communications" in reminders
    assert "jp-lead" not in reminders and "jp-secretariat" not in reminders


def test_a_lead_lands_on_its_page_in_japanese(cycle_in_progress):
    page = text(signed_in(cycle_in_progress["jp_lead"]).get("/ja/dashboard/"))
    desk = section(page, "desk-heading")
    assert "2026年サイクルで報告する担当行動" in desk
    assert 'href="/ja/actions/48/update/"' in desk and "進捗報告を提出" in desk


def test_a_secretariat_lands_on_who_has_not_reported_and_what_awaits_it(cycle_in_progress):
    members = cycle_in_progress
    services.file_update(
        members["jp_lead"], 48, {"status": "on_track", "narrative": "ok", "language": "en", "period": YEAR}
    )
    page = text(signed_in(members["jp_secretariat"]).get("/en/dashboard/"))
    desk = section(page, "desk-heading")
    assert "Not yet reported in the 2026 cycle" in desk and "JP has no update yet on 37 actions." in desk
    assert "Ministry of Internal Affairs and Communications" in desk  # MIC, lead of actions still due
    assert 'href="/en/actions/48/"' not in desk  # reported
    assert "DG" not in desk  # the EU's lead organisations are the EU secretariat's to chase

    awaiting = section(page, "awaiting-heading")
    assert "JBCE asks for a chips briefing." in awaiting  # its own party's stakeholder
    assert "EBC private wish list" not in page  # the EU's, moderated by the EU
    assert "Calendar of the 2027 cycle" in awaiting and "proposed by EU" in awaiting
    assert "Joint chips alert drill." in awaiting  # the EU's Council decision, for JP to confirm

    reminders = section(page, "reminders-heading")
    assert "/en/actions/48/" not in reminders  # filed
    assert "jp-lead" in reminders  # MIC's other actions
    assert "jp-secretariat" in reminders  # actions with no JP lead account
    assert "eu-" not in reminders  # never the other party's people

    # The other party's secretariat sees its own and none of JP's.
    eu_page = text(signed_in(members["eu_secretariat"]).get("/en/dashboard/"))
    eu_awaiting = section(eu_page, "awaiting-heading")
    assert "EBC private wish list." in eu_awaiting and "JBCE asks" not in eu_page
    assert "Calendar of the 2027 cycle" not in eu_awaiting  # its own proposal
    assert "Joint chips alert drill." not in eu_awaiting  # its own decision
    assert "jp-" not in section(eu_page, "reminders-heading")


def test_a_secretariat_lands_on_its_page_in_japanese(cycle_in_progress):
    page = text(signed_in(cycle_in_progress["jp_secretariat"]).get("/ja/dashboard/"))
    assert "2026年サイクルで未報告" in section(page, "desk-heading")
    assert "あなたの対応待ち" in section(page, "awaiting-heading")


@pytest.mark.parametrize("name", ["jp_stakeholder", "eu_member_state"])
def test_a_contributor_lands_on_the_consultations_open_to_it(cycle_in_progress, name):
    page = text(signed_in(cycle_in_progress[name]).get("/en/dashboard/"))
    consultations = section(page, "consultations-heading")
    assert "Stakeholder consultation" in consultations and "Contribute" in consultations
    assert page.index("consultations-heading") < page.index("status-heading")
    assert "awaiting-heading" not in page and "reminders-heading" not in page and "desk-heading" not in page
    own = "JBCE asks for a chips briefing." if name == "jp_stakeholder" else "EBC private"
    assert (own in consultations) == (name == "jp_stakeholder")
    assert "EBC private wish list" not in page if name == "jp_stakeholder" else True


def test_the_public_has_no_desk(client, cycle_in_progress):
    page = text(client.get("/en/dashboard/"))
    for heading in ("desk-heading", "awaiting-heading", "reminders-heading", "consultations-heading"):
        assert heading not in page
    assert "JBCE" not in page and "@demo.invalid" not in page


@pytest.mark.parametrize(
    ("name", "budget"),
    # The dashboard's own 15 and the supply chain's two panels (signals, open alerts), plus each desk's
    # fixed part.
    [("jp_lead", 23), ("jp_secretariat", 31), ("jp_stakeholder", 20), ("eu_member_state", 20)],
)
def test_each_page_stays_within_its_queries_whatever_the_data(cycle_in_progress, name, budget):
    client = signed_in(cycle_in_progress[name])

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/en/dashboard/").status_code == 200
        return len(captured)

    before = count()
    assert before <= budget
    for paragraph in (48, 49, 50):
        services.file_update(
            cycle_in_progress["jp_secretariat"],
            paragraph,
            {"status": "on_track", "narrative": "More.", "language": "en", "period": YEAR},
        )
    window = cycle_services.open_window(
        cycle_in_progress["eu_secretariat"],
        YEAR,
        {"title": "Second", "opens": timezone.now(), "closes": timezone.now() + datetime.timedelta(days=2)},
    )
    for n in range(3):
        cycle_services.submit_contribution(
            cycle_in_progress["jp_stakeholder"], window.pk, {"text": f"More {n}.", "language": "en"}
        )
    assert count() == before


def test_an_isac_analyst_lands_on_threat_intelligence(client, members):
    from partnership.exchanges.threat_intel import services as ti_services
    from partnership.exchanges.threat_intel.models import ApiRoot

    isac = Organisation.objects.create(
        code="jp-isac-test", party=Party.objects.get(code="JP"), kind="stakeholder", name_en="JP ISAC"
    )
    analyst = create_member("jp-analyst", PASSWORD, isac, "stakeholder")
    ti_services.ensure_api_roots()
    collection = ti_services.create_collection(ApiRoot.objects.get(slug="jp"), "Feed")
    ti_services.grant(collection, isac, can_read=True, can_write=True)
    # A party-wide read grant makes nobody an analyst: the JP stakeholder body lands on its dashboard.
    ti_services.grant(collection, Party.objects.get(code="JP"), can_read=True)

    for language in ("en", "ja"):
        response = client.post(f"/{language}/login/", {"username": "jp-analyst", "password": PASSWORD})
        assert response.status_code == 302 and response["Location"] == f"/{language}/threat-intel/"
        client.logout()
    assert signed_in(analyst).get("/en/threat-intel/").status_code == 200
    response = client.post("/en/login/", {"username": "jp-stakeholder", "password": PASSWORD})
    assert response["Location"] == "/en/dashboard/"
    client.logout()
    # A `next` still wins: the analyst who followed a link lands where it pointed.
    response = client.post("/en/login/?next=/en/cycles/", {"username": "jp-analyst", "password": PASSWORD})
    assert response["Location"] == "/en/cycles/"


def test_a_lead_sees_only_its_own_partys_due_actions_and_reminders(cycle_in_progress):
    eu_lead = cycle_in_progress["eu_lead"]  # DG GROW leads 72 for the EU, not 48
    page = text(signed_in(eu_lead).get("/en/dashboard/"))
    desk = section(page, "desk-heading")
    assert 'href="/en/actions/72/update/"' in desk and "/en/actions/48/" not in desk
    reminders = section(page, "reminders-heading")
    assert "<td>EU</td>" in reminders and "<td>JP</td>" not in reminders
    assert "Ministry" not in reminders and "jp-" not in reminders  # nothing of Japan's people
