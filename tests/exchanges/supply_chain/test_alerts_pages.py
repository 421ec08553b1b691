"""The pages of supply-chain events and alerts in both languages (issue 16, items 3, 4 and 7): who sees
which form, what a refused form says, the timeline, overdue actions, the dashboard panel."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from partnership.exchanges.supply_chain import alerts
from partnership.exchanges.supply_chain.alert_models import Alert, AlertSubscription, Event, EventAddition

pytestmark = pytest.mark.django_db

EVENT = {
    "kind": "earthquake",
    "title": "Earthquake near fabs in Kumamoto",
    "country": "JP",
    "site": "Kikuyo",
    "products": "8542, 8541",
    "firms": "TSMC\nSony Semiconductor",
    "severity": "moderate",
    "start_date": "2016-04-14",
    "expected_days": "30",
    "description": "Lines stopped for inspection.",
    "language": "en",
    "tlp": "green",
}


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def event(members):
    return alerts.report_event(members["jp_secretariat"], EVENT)


@pytest.fixture
def alert(members, event):
    return alerts.propose_alert(
        members["jp_secretariat"], {"title": "Sensor supply", "event": str(event.uid)}
    )


@pytest.mark.parametrize("language", ["en", "ja"])
def test_every_page_renders_in_both_languages(members, event, alert, language):
    client = client_for(members["eu_secretariat"])
    for path in (
        "supply-chain/events/",
        f"supply-chain/events/{event.uid}/",
        "supply-chain/alerts/",
        f"supply-chain/alerts/{alert.uid}/",
    ):
        response = client.get(f"/{language}/{path}")
        assert response.status_code == 200, path
    page = client.get(f"/{language}/supply-chain/alerts/{alert.uid}/").content.decode()
    assert ("Acknowledge for your party" if language == "en" else "自党として確認") in page
    if language == "ja":
        assert "モニタリング" in page or "監視" in page


def test_the_public_is_sent_to_sign_in(event, alert):
    for path in ("/en/supply-chain/events/", f"/en/supply-chain/alerts/{alert.uid}/"):
        assert Client().get(path).status_code == 302
    assert Client().post("/en/supply-chain/events/", EVENT).status_code == 302
    assert Event.objects.count() == 1


def test_a_party_reports_an_event_from_the_form_and_a_bad_one_is_shown_again(members):
    client = client_for(members["eu_lead"])
    response = client.post("/en/supply-chain/events/", {**EVENT, "country": "Atlantis", "products": "8471"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Nothing was saved" in page and "country" in page and "Earthquake near fabs" in page
    assert Event.objects.count() == 0
    response = client.post("/en/supply-chain/events/", {**EVENT, "recipients": ["jp-meti"]})
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.party.code, event.firms, event.products, event.expected_days) == (
        "EU",
        ["TSMC", "Sony Semiconductor"],
        ["8542", "8541"],
        30,
    )


def test_a_stakeholder_sees_no_form_and_cannot_post(members, event):
    client = client_for(members["jp_stakeholder"])
    assert "Report the event" not in client.get("/en/supply-chain/events/").content.decode()
    assert client.post("/en/supply-chain/events/", EVENT).status_code == 403
    assert client.post(f"/en/supply-chain/events/{event.uid}/", {"text": "x"}).status_code in (403, 404)
    assert Event.objects.count() == 1 and EventAddition.objects.count() == 0


def test_the_other_party_acknowledges_on_the_event_page(members, event):
    own = client_for(members["jp_secretariat"]).get(f"/en/supply-chain/events/{event.uid}/").content.decode()
    assert "Acknowledge and add" not in own
    client = client_for(members["eu_secretariat"])
    assert "Acknowledge and add" in client.get(f"/en/supply-chain/events/{event.uid}/").content.decode()
    response = client.post(
        f"/en/supply-chain/events/{event.uid}/",
        {"text": "Our car makers report stock for 3 weeks", "language": "en"},
    )
    assert response.status_code == 302
    page = client.get(f"/en/supply-chain/events/{event.uid}/").content.decode()
    assert "Our car makers report stock" in page and "EU" in page


def test_the_alert_page_shows_the_timeline_and_flags_an_overdue_action(members, alert):
    eu = client_for(members["eu_secretariat"])
    assert eu.post(f"/en/supply-chain/alerts/{alert.uid}/acknowledge/").status_code == 302
    assert (
        eu.post(
            f"/en/supply-chain/alerts/{alert.uid}/assess/", {"stage": "crisis", "note": "lines idle"}
        ).status_code
        == 302
    )
    past = (timezone.now().date() - datetime.timedelta(days=5)).isoformat()
    assert (
        eu.post(
            f"/en/supply-chain/alerts/{alert.uid}/actions/", {"text": "Survey stocks", "deadline": past}
        ).status_code
        == 302
    )
    response = eu.post(f"/en/supply-chain/alerts/{alert.uid}/actions/", {"text": "", "deadline": "someday"})
    assert response.status_code == 422 and "Nothing was saved" in response.content.decode()
    assert eu.post(f"/en/supply-chain/alerts/{alert.uid}/teleport/").status_code == 404
    page = eu.get(f"/en/supply-chain/alerts/{alert.uid}/").content.decode()
    assert "overdue" in page and "Survey stocks" in page
    for said in (
        "proposed the alert",
        "acknowledged the alert",
        "assessed the stage",
        "added a preventive action",
    ):
        assert said in page
    assert Alert.objects.get().stage == "crisis"
    # A member state reads it but gets no forms, and a post is refused.
    member_state = client_for(members["eu_member_state"])
    assert 'name="stage"' not in member_state.get(f"/en/supply-chain/alerts/{alert.uid}/").content.decode()
    assert (
        member_state.post(f"/en/supply-chain/alerts/{alert.uid}/assess/", {"stage": "monitoring"}).status_code
        == 403
    )
    assert Alert.objects.get().stage == "crisis"


def test_subscribing_on_the_alerts_page(members):
    client = client_for(members["jp_stakeholder"])
    assert client.post("/en/supply-chain/alerts/subscription/", {"subscribe": "1"}).status_code == 302
    assert AlertSubscription.objects.filter(user=members["jp_stakeholder"]).exists()
    assert "Unsubscribe" in client.get("/en/supply-chain/alerts/").content.decode()
    client.post("/en/supply-chain/alerts/subscription/", {"subscribe": "0"})
    assert not AlertSubscription.objects.exists()


def test_the_dashboard_shows_open_alerts_to_members(members, alert):
    page = client_for(members["eu_secretariat"]).get("/en/dashboard/").content.decode()
    assert "Open supply-chain alerts" in page and "Sensor supply" in page
    alerts.act_on_alert(members["eu_secretariat"], alert.uid, "closing", {"note": "over"})
    page = client_for(members["eu_secretariat"]).get("/en/dashboard/").content.decode()
    assert "Sensor supply" not in page
