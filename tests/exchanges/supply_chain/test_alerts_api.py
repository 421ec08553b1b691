"""/api/v1/supply-chain/events and /alerts (issue 16, items 3, 4 and 6): the permission matrix (own party,
other party, anonymous, wrong role), the TLP rule, hostile input, the Council figures."""

import datetime
import json

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from partnership.exchanges.supply_chain import alert_queries, alerts
from partnership.exchanges.supply_chain.alert_models import (
    Alert,
    AlertStep,
    Event,
    EventAddition,
    PreventiveAction,
)
from partnership.exchanges.supply_chain.contract import SupplyChain
from partnership.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

API = "/api/v1/supply-chain"
EVENT = {
    "kind": "fab_fire",
    "title": "Fire at a 300 mm fab",
    "country": "jp",
    "site": "Naka, Ibaraki",
    "products": ["8542", "8542.31"],
    "products_text": "microcontrollers for cars",
    "firms": ["Renesas Electronics"],
    "severity": "major",
    "expected_days": 100,
    "start_date": "2021-03-19",
    "description": "A fire in the clean room stopped the line.",
    "language": "en",
    "tlp": "amber",
    "recipients": ["eu-dg-grow"],
}


def call(method, path, token=None, body=None):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    extra = {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    return getattr(Client(), method)(path, **headers, **extra)


@pytest.fixture
def event(members):
    return alerts.report_event(members["jp_secretariat"], EVENT)


@pytest.fixture
def alert(members, event):
    return alerts.propose_alert(
        members["jp_secretariat"], {"title": "Car chips short", "event": str(event.uid), "stage": "alert"}
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("jp_secretariat", 201),
        ("eu_lead", 201),  # an action lead reports for its own party
        ("jp_stakeholder", 403),  # wrong role
        ("eu_member_state", 403),
    ],
)
def test_who_may_report_an_event(members, token_for, who, status):
    token = token_for(members[who]) if who else None
    response = call("post", f"{API}/events", token, {**EVENT, "recipients": ["eu-dg-grow", "jp-mic"]})
    assert response.status_code == status, response.content
    assert Event.objects.count() == (1 if status == 201 else 0)
    if status == 201:
        body = response.json()
        assert body["party"] == members[who].membership.organisation.party.code
        assert body["products"] == ["8542", "854231"] and body["country"] == "JP"


def test_an_event_is_signed_and_its_content_sealed_not_in_the_log(members, event):
    entry = LogEntry.objects.get(pk=event.ledger_entry_id)
    assert b"Renesas" not in bytes(entry.record)  # firm-level content never in the public log
    assert b"supply_chain.event" in bytes(entry.record)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("jp_secretariat", True),  # the author's organisation
        ("eu_lead", True),  # named (DG GROW)
        ("eu_secretariat", False),  # TLP:AMBER, not named
        ("jp_lead", False),  # the author's party, another organisation, not named
        ("jp_stakeholder", False),
    ],
)
def test_an_amber_event_is_read_by_its_author_and_the_organisations_it_names(
    members, token_for, event, who, sees
):
    token = token_for(members[who])
    listed = call("get", f"{API}/events", token).json()["items"]
    assert bool(listed) is sees
    assert call("get", f"{API}/events/{event.uid}", token).status_code == (200 if sees else 404)


def test_green_is_for_the_community_not_stakeholders_and_clear_for_every_member(members, token_for):
    alerts.report_event(members["jp_secretariat"], {**EVENT, "tlp": "green", "recipients": []})
    assert call("get", f"{API}/events", token_for(members["eu_member_state"])).json()["count"] == 1
    assert call("get", f"{API}/events", token_for(members["eu_stakeholder"])).json()["count"] == 0
    alerts.report_event(members["jp_secretariat"], {**EVENT, "tlp": "clear", "recipients": []})
    assert call("get", f"{API}/events", token_for(members["eu_stakeholder"])).json()["count"] == 1
    assert call("get", f"{API}/events").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "meteor"}, "kind"),
        ({"country": "XX"}, "country"),
        ({"country": "Japan"}, "country"),
        ({"products": ["8471"]}, "products"),
        ({"products": ["8542; DROP TABLE"]}, "products"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"start_date": "2021-02-30"}, "start_date"),
        ({"start_date": "0001-01-01"}, "start_date"),
        ({"expected_days": -1}, "expected_days"),
        ({"expected_days": 10**12}, "expected_days"),
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"tlp": "purple"}, "tlp"),
        ({"tlp": "red", "recipients": ["jp-mic"]}, "recipients"),  # names no organisation of the other party
        ({"recipients": ["no-such-body"]}, "recipients"),
        ({"firms": ["x"] * 21}, "firms"),
        ({"language": "fr"}, "language"),
    ],
)
def test_a_bad_event_is_refused_naming_the_field_and_nothing_is_stored(members, token_for, change, field):
    response = call("post", f"{API}/events", token_for(members["jp_secretariat"]), {**EVENT, **change})
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json())
    assert Event.objects.count() == 0


def test_a_nul_character_is_refused_by_the_service_too(members):
    from partnership.errors import Invalid

    with pytest.raises(Invalid) as refused:
        alerts.report_event(members["jp_secretariat"], {**EVENT, "description": "a\x00b"})
    assert "description" in refused.value.fields
    assert Event.objects.count() == 0


def test_the_other_party_acknowledges_an_event_and_the_author_cannot(members, token_for, event):
    path = f"{API}/events/{event.uid}/additions"
    assert call("post", path, None, {"text": "x"}).status_code == 401
    assert call("post", path, token_for(members["jp_secretariat"]), {"text": "x"}).status_code == 403
    assert (
        call("post", path, token_for(members["eu_secretariat"]), {"text": "x"}).status_code == 404
    )  # cannot read it
    response = call(
        "post", path, token_for(members["eu_lead"]), {"text": "Our fabs hold four weeks of stock."}
    )
    assert response.status_code == 201, response.content
    assert response.json()["party"] == "EU"
    got = call("get", f"{API}/events/{event.uid}", token_for(members["jp_secretariat"])).json()
    assert got["acknowledged"] is True and got["additions"][0]["text"].startswith("Our fabs")
    assert EventAddition.objects.get().ledger_entry is not None


def test_an_alert_is_proposed_acknowledged_assessed_acted_on_and_closed(members, token_for, alert):
    jp, eu = token_for(members["jp_secretariat"]), token_for(members["eu_lead"])
    path = f"{API}/alerts/{alert.uid}"
    got = call("get", path, eu).json()
    assert (got["stage"], got["acknowledged_by"], got["acknowledged_at"]) == ("alert", ["JP"], None)
    # JP acknowledged by proposing; EU acknowledges once.
    assert call("post", f"{path}/acknowledge", jp).status_code == 422
    response = call("post", f"{path}/acknowledge", eu)
    assert response.status_code == 200 and response.json()["acknowledged_at"] is not None
    assert call("post", f"{path}/acknowledge", eu).status_code == 422
    # EU assesses higher: the alert's stage is the higher of the two.
    assert (
        call("post", f"{path}/assess", eu, {"stage": "crisis", "note": "car lines stop"}).json()["stage"]
        == "crisis"
    )
    assert call("post", f"{path}/assess", eu, {"stage": "war"}).status_code == 422
    # Owners: each party names its own organisation only.
    assert call("post", f"{path}/owner", eu, {"organisation": "jp-meti"}).status_code == 422
    assert call("post", f"{path}/owner", eu, {"organisation": "eu-dg-grow"}).json()["owners"] == {
        "EU": "eu-dg-grow"
    }
    # Preventive actions: one EU action, done on time; a JP action that EU cannot complete.
    body = call(
        "post", f"{path}/actions", eu, {"text": "Ask fabs for stock levels", "deadline": "2099-01-01"}
    ).json()
    (action,) = body["actions"]
    assert action["overdue"] is False and action["party"] == "EU"
    body = call("post", f"{path}/actions", jp, {"text": "Talk to the firm", "deadline": "2020-01-01"}).json()
    jp_action = next(a for a in body["actions"] if a["party"] == "JP")
    assert jp_action["overdue"] is True
    assert call("post", f"{path}/actions/{jp_action['uid']}/done", eu, {}).status_code == 403
    assert call("post", f"{path}/actions/{action['uid']}/done", eu, {}).json()["actions"][1]["done_on"]
    # Closed with lessons; nothing more after that.
    closed = call(
        "post", f"{path}/close", jp, {"note": "Supply restored", "lessons": "Keep stock data ready"}
    ).json()
    assert closed["open"] is False and closed["lessons"] == "Keep stock data ready"
    assert call("post", f"{path}/assess", eu, {"stage": "alert"}).status_code == 422
    kinds = [(step["party"], step["kind"]) for step in closed["timeline"]]
    assert kinds == [
        ("JP", "proposal"),
        ("EU", "acknowledgement"),
        ("EU", "assessment"),
        ("EU", "owner"),
        ("EU", "action"),
        ("JP", "action"),
        ("EU", "action_done"),
        ("JP", "closing"),
    ]
    assert all(step["ledger_entry"] is not None for step in closed["timeline"])
    assert AlertStep.objects.filter(ledger_entry__isnull=True).count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("jp_stakeholder", 403),
        ("eu_member_state", 403),
        ("eu_secretariat", 200),
        ("jp_lead", 200),
    ],
)
def test_who_may_act_on_an_alert(members, token_for, alert, who, status):
    token = token_for(members[who]) if who else None
    response = call("post", f"{API}/alerts/{alert.uid}/assess", token, {"stage": "crisis"})
    assert response.status_code == status, response.content
    assert Alert.objects.get().stage == ("crisis" if status == 200 else "alert")


def test_an_alert_needs_a_source_it_may_read(members, token_for, event):
    eu = token_for(members["eu_secretariat"])  # may not read the AMBER event
    assert call("post", f"{API}/alerts", eu, {"title": "x", "event": str(event.uid)}).status_code == 404
    assert call("post", f"{API}/alerts", eu, {"title": "x"}).status_code == 422
    assert call("post", f"{API}/alerts", eu, {"title": "x", "signal": 12345}).status_code == 422
    assert call("post", f"{API}/alerts", eu, {"title": "x", "event": "not-a-uid"}).status_code == 422
    assert Alert.objects.count() == 0


def test_an_alert_from_a_signal(members, token_for):
    from partnership.exchanges.supply_chain import services

    values = [
        {"date": f"{2000 + n // 12}-{n % 12 + 1:02d}-01", "value": str(100 if n < 60 else 60)}
        for n in range(96)
    ]
    services.import_observations(members["jp_secretariat"], "JP-SHIP", values, {"frequency": "monthly"})
    signal = alert_queries.signal_choices(members["eu_secretariat"])[0]
    response = call(
        "post",
        f"{API}/alerts",
        token_for(members["eu_secretariat"]),
        {"title": "Shipments fell", "signal": signal.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["series"] == str(signal.series.uid) and body["signal_summary"]["method"] == signal.method


def test_subscribers_who_may_read_it_are_told_in_their_language(
    members, event, django_capture_on_commit_callbacks
):
    from partnership.errors import PermissionDenied
    from partnership.people.models import Membership

    for name, language in (("eu_lead", "ja"), ("jp_lead", "en"), ("eu_stakeholder", "en")):
        members[name].email = f"{name}@example.org"
        members[name].save()
        Membership.objects.filter(user=members[name]).update(language=language)
        alerts.subscribe(members[name], True)
    with pytest.raises(PermissionDenied):
        alerts.subscribe(None, True)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.propose_alert(members["jp_secretariat"], {"title": "Car chips short", "event": str(event.uid)})
    # TLP:GREEN: the community reads it, a stakeholder body does not, and is not told.
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert set(subjects) == {"eu_lead@example.org", "jp_lead@example.org"}
    assert subjects["eu_lead@example.org"].startswith("サプライチェーン")
    assert subjects["jp_lead@example.org"] == "Supply-chain alert proposed by JP: Car chips short"
    alerts.subscribe(members["jp_lead"], False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        alerts.propose_alert(members["jp_secretariat"], {"title": "Again", "event": str(event.uid)})
    assert [message.to[0] for message in mail.outbox] == ["eu_lead@example.org"]


def test_subscribers_who_may_no_longer_read_alerts_are_skipped_and_a_mail_failure_stops_nothing(
    members, event, django_capture_on_commit_callbacks, monkeypatch
):
    """A subscriber who left the partnership (or whose account became a platform's) made the mail after
    the commit raise: the proposer got an error for a stored alert, and later subscribers no mail."""
    from partnership.people.models import Membership

    for name in ("eu_lead", "eu_member_state", "jp_lead", "eu_secretariat"):
        members[name].email = f"{name}@example.org"
        members[name].save()
        alerts.subscribe(members[name], True)
    Membership.objects.filter(user=members["eu_lead"]).delete()
    Membership.objects.filter(user=members["eu_member_state"]).update(role="platform")
    sent = []

    def send(subject, body, sender, to):
        if to == ["jp_lead@example.org"]:
            raise OSError("the mail server is down")
        sent.extend(to)

    monkeypatch.setattr(alerts, "send_mail", send)
    with django_capture_on_commit_callbacks(execute=True):
        alert = alerts.propose_alert(
            members["jp_secretariat"], {"title": "Car chips short", "event": str(event.uid)}
        )
    assert Alert.objects.filter(uid=alert.uid).exists()
    assert sent == ["eu_secretariat@example.org"]


def test_council_figures(members, alert):
    alerts.act_on_alert(members["eu_secretariat"], alert.uid, "acknowledgement")
    Alert.objects.filter(pk=alert.pk).update(
        proposed_at=timezone.now() - datetime.timedelta(hours=30),
        acknowledged_at=timezone.now() - datetime.timedelta(hours=6),
    )
    today = timezone.now().date()
    alerts.act_on_alert(
        members["eu_secretariat"],
        alert.uid,
        "action",
        {"text": "a", "deadline": (today - datetime.timedelta(days=1)).isoformat()},
    )
    alerts.act_on_alert(
        members["jp_secretariat"],
        alert.uid,
        "action",
        {"text": "b", "deadline": (today - datetime.timedelta(days=2)).isoformat()},
    )
    done = PreventiveAction.objects.get(text="a")
    alerts.act_on_alert(
        members["eu_secretariat"],
        alert.uid,
        "action_done",
        {"action": str(done.uid), "done_on": (today - datetime.timedelta(days=3)).isoformat()},
    )
    figures = alert_queries.council_alerts(today.year)
    if alert.proposed_at.year == today.year and (today - datetime.timedelta(days=2)).year == today.year:
        assert figures.by_stage == {"monitoring": 0, "alert": 1, "crisis": 0}
        assert figures.median_hours == 24.0
        assert (figures.actions_due, figures.actions_on_time, figures.on_time_share) == (2, 1, 50.0)
        named = {item["name"]["en"]: item["value"] for item in SupplyChain().indicators(today.year)}
        assert named[f"Alerts proposed in {today.year} now at the alert stage"] == 1
        assert named["Median hours from an alert's proposal to both parties' acknowledgement"] == 24.0
        assert named["Preventive actions done on time"] == 50.0


def test_an_alert_keeps_its_own_tlp_and_does_not_reveal_an_event_the_reader_may_not_read(
    members, token_for, event
):
    from partnership.errors import Invalid

    with pytest.raises(Invalid) as refused:
        alerts.propose_alert(
            members["jp_secretariat"],
            {"title": "x", "event": str(event.uid), "tlp": "red", "recipients": ["jp-meti"]},
        )
    assert "recipients" in refused.value.fields
    amber = alerts.propose_alert(
        members["jp_secretariat"],
        {"title": "Amber alert", "event": str(event.uid), "tlp": "amber", "recipients": ["eu-dg-connect"]},
    )
    assert call("get", f"{API}/alerts/{amber.uid}", token_for(members["eu_lead"])).status_code == 404
    assert (
        call("post", f"{API}/alerts/{amber.uid}/acknowledge", token_for(members["eu_lead"])).status_code
        == 404
    )
    # The EU secretariat is named by the alert but not by the AMBER event: it reads the alert, not the
    # event's title.
    client = Client()
    client.force_login(members["eu_secretariat"])
    page = client.get(f"/en/supply-chain/alerts/{amber.uid}/").content.decode()
    assert "Amber alert" in page and "Fire at a 300 mm fab" not in page
    assert "an event your organisation may not read" in page


def test_hostile_text_is_shown_as_text(members):
    event = alerts.report_event(
        members["jp_secretariat"],
        {**EVENT, "title": "<script>alert(1)</script>", "tlp": "green", "recipients": []},
    )
    client = Client()
    client.force_login(members["eu_secretariat"])
    for path in ("/en/supply-chain/events/", f"/en/supply-chain/events/{event.uid}/"):
        page = client.get(path).content.decode()
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
