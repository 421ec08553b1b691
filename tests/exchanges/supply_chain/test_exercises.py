"""Tabletop exercises (issue 16, item 4): a scenario checked whole, a run whose injects are released in
order and answered by both parties on the alert scale, the timings of each party's responses, the
permission matrix, hostile scenarios, and exercise data kept out of every real list, figure and mail."""

import copy
import datetime
import json

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from partnership.errors import Invalid, PermissionDenied
from partnership.exchanges.supply_chain import (
    alert_queries,
    exercise_queries,
    exercises,
    queries,
    register_queries,
)
from partnership.exchanges.supply_chain.alert_models import Alert, AlertStep, Event
from partnership.exchanges.supply_chain.contract import SupplyChain
from partnership.exchanges.supply_chain.exercise_models import Exercise, ExerciseRun, ExerciseStep
from partnership.exchanges.supply_chain.models import Observation, Series, Signal
from partnership.ledger.models import LogEntry

pytestmark = pytest.mark.django_db

API = "/api/v1/supply-chain"


def _months(start: datetime.date, count: int) -> list[str]:
    found, year, month = [], start.year, start.month
    for _ in range(count):
        found.append(datetime.date(year, month, 1).isoformat())
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return found


#: Six years of a flat monthly index, then a 30% collapse: the detectors must fire on the collapse.
FLAT = [[day, 100.0 + (index % 3) * 0.2] for index, day in enumerate(_months(datetime.date(2019, 1, 1), 72))]
DROP = [[day, 70.0 - index * 0.5] for index, day in enumerate(_months(datetime.date(2025, 1, 1), 6))]

SCENARIO = {
    "title": "Earthquake in Kyushu: wafer supply (exercise)",
    "description": "A planning scenario for crisis preparedness.",
    "language": "en",
    "tlp": "green",
    "injects": [
        {
            "offset": "T+0h",
            "type": "event",
            "kind": "earthquake",
            "title": "M7.1 earthquake near Kumamoto",
            "country": "JP",
            "site": "Kumamoto",
            "products": ["8542"],
            "firms": ["A foundry"],
            "severity": "major",
            "expected_days": 30,
            "note": "Two fabs report damage to their clean rooms.",
        },
        {
            "offset": "T+6h",
            "type": "observations",
            "title": "Wafer shipments index (synthetic)",
            "unit": "index",
            "frequency": "monthly",
            "observations": FLAT + DROP,
        },
        {
            "offset": "T+2d",
            "type": "event",
            "kind": "logistics",
            "title": "Port of Hakata closed",
            "country": "JP",
            "severity": "moderate",
            "start_date": "2026-03-02",
        },
    ],
}


def call(method, path, token=None, body=None, raw=None):
    headers = {"HTTP_AUTHORIZATION": token} if token else {}
    extra = {}
    if body is not None:
        extra = {"data": json.dumps(body), "content_type": "application/json"}
    if raw is not None:
        extra = {"data": raw, "content_type": "application/json"}
    return getattr(Client(), method)(path, **headers, **extra)


@pytest.fixture
def exercise(members):
    return exercises.create_exercise(members["jp_secretariat"], SCENARIO)


@pytest.fixture
def run(members, exercise):
    return exercises.start_run(members["jp_secretariat"], exercise.uid)


def test_a_scenario_is_stored_whole_and_signed(members, exercise):
    assert exercise.inject_count == 3
    assert [inject["offset"] for inject in exercise.injects] == [0, 360, 2880]
    assert exercise.injects[1]["observations"][0] == ["2019-01-01", 100.0]
    assert exercise.ledger_entry is not None and b"supply_chain.exercise" in bytes(
        exercise.ledger_entry.record
    )
    assert exercises.format_offset(2880) == "T+2d" and exercises.parse_offset("T+1d6h30m") == 1830


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda s: s["injects"][2].update(severity="apocalyptic"), "injects[2].severity"),
        (lambda s: s["injects"][1].update(type="rumour"), "injects[1].type"),
        (lambda s: s["injects"][2].update(offset="T+1h"), "injects[2].offset"),  # backwards
        (lambda s: s["injects"][0].update(offset="tomorrow"), "injects[0].offset"),
        (
            lambda s: s["injects"][1].update(observations=[["2020-01-01", "lots"]]),
            "injects[1].observations[0]",
        ),
        (
            lambda s: s["injects"][1].update(observations=[["2020-02-01", 1], ["2020-01-01", 2]]),
            "injects[1].observations[1]",
        ),
        (lambda s: s["injects"][1].update(series="NO-SUCH"), "injects[1].series"),
        (lambda s: s["injects"][0].update(country="Atlantis"), "injects[0].country"),
        (lambda s: s.update(tlp="purple"), "tlp"),
        (lambda s: s.update(tlp="amber"), "recipients"),  # AMBER names an organisation of the other party
        (lambda s: s.update(injects=[]), "injects"),
        (lambda s: s.update(injects=s["injects"][:1] * 10_000), "injects"),
        (lambda s: s["injects"].append("an inject"), "injects[3].inject"),
    ],
)
def test_a_bad_scenario_names_the_inject_and_field_and_stores_nothing(members, change, field):
    scenario = copy.deepcopy(SCENARIO)
    change(scenario)
    entries = LogEntry.objects.count()
    with pytest.raises(Invalid) as raised:
        exercises.create_exercise(members["jp_secretariat"], scenario)
    assert field in raised.value.fields, raised.value.fields
    assert raised.value.message.startswith(field)
    assert Exercise.objects.count() == 0 and LogEntry.objects.count() == entries


def test_the_api_refuses_bad_json_and_names_the_field(members, token_for):
    token = token_for(members["jp_secretariat"])
    assert call("post", f"{API}/exercises", token, raw=b'{"title": "x", "injects": [').status_code in (
        400,
        422,
    )
    scenario = copy.deepcopy(SCENARIO)
    scenario["injects"][2]["severity"] = "apocalyptic"
    response = call("post", f"{API}/exercises", token, scenario)
    assert response.status_code == 422
    assert "injects[2].severity" in json.dumps(response.json())
    huge = {**SCENARIO, "injects": SCENARIO["injects"][:1] * 10_000}
    response = call("post", f"{API}/exercises", token, huge)
    assert response.status_code in (413, 422) and "10000" in response.content.decode()
    assert Exercise.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        (None, 401),
        ("jp_secretariat", 201),
        ("eu_lead", 201),
        ("jp_stakeholder", 403),
        ("eu_member_state", 403),
    ],
)
def test_who_may_write_a_scenario(members, token_for, who, status):
    token = token_for(members[who]) if who else None
    response = call("post", f"{API}/exercises", token, SCENARIO)
    assert response.status_code == status, response.content
    assert Exercise.objects.count() == (1 if status == 201 else 0)


def test_the_other_party_cannot_change_a_scenario(members, token_for, exercise):
    response = call("put", f"{API}/exercises/{exercise.uid}", token_for(members["eu_secretariat"]), SCENARIO)
    assert response.status_code == 403
    changed = {**SCENARIO, "title": "Revised"}
    response = call("put", f"{API}/exercises/{exercise.uid}", token_for(members["jp_secretariat"]), changed)
    assert response.status_code == 200 and response.json()["revision"] == 2
    assert Exercise.objects.get().title == "Revised"


def test_only_the_writers_of_its_party_read_the_injects_before_release(members, token_for, exercise):
    own = call("get", f"{API}/exercises/{exercise.uid}", token_for(members["jp_secretariat"])).json()
    other = call("get", f"{API}/exercises/{exercise.uid}", token_for(members["eu_secretariat"])).json()
    assert len(own["injects"]) == 3 and other["injects"] is None and other["inject_count"] == 3
    assert call("get", f"{API}/exercises/{exercise.uid}").status_code == 401


@pytest.mark.parametrize("who", ["eu_secretariat", "jp_lead", "jp_stakeholder"])
def test_only_the_exercise_partys_secretariat_runs_it(members, token_for, exercise, who):
    response = call("post", f"{API}/exercises/{exercise.uid}/runs", token_for(members[who]), {})
    assert response.status_code == 403
    assert ExerciseRun.objects.count() == 0


def test_a_run_played_by_both_parties_is_timed(members, token_for, exercise):
    jp, eu = token_for(members["jp_secretariat"]), token_for(members["eu_lead"])
    response = call("post", f"{API}/exercises/{exercise.uid}/runs", jp, {"speed": 0})
    assert response.status_code == 201, response.content
    run = response.json()["uid"]
    assert response.json()["injects"] == []
    # Nothing is released yet: nobody can answer inject 1.
    assert call("post", f"{API}/exercises/runs/{run}/injects/1/acknowledge", eu, {}).status_code == 422
    # Only the facilitator releases.
    assert call("post", f"{API}/exercises/runs/{run}/release", eu).status_code == 403
    body = call("post", f"{API}/exercises/runs/{run}/release", jp).json()
    assert body["released"] == 1 and body["injects"][0]["inject"]["title"] == "M7.1 earthquake near Kumamoto"
    assert body["injects"][0]["inject"]["start_date"] == timezone.now().date().isoformat()
    # JP raises it as an exercise alert; EU acknowledges, then assesses it higher.
    ok = call("post", f"{API}/exercises/runs/{run}/injects/1/propose", jp, {"stage": "alert"})
    assert ok.status_code == 200, ok.content
    assert call("post", f"{API}/exercises/runs/{run}/injects/1/acknowledge", eu, {}).status_code == 200
    again = call("post", f"{API}/exercises/runs/{run}/injects/1/acknowledge", eu, {})
    assert again.status_code == 422
    body = call(
        "post", f"{API}/exercises/runs/{run}/injects/1/assess", eu, {"stage": "crisis", "note": "two fabs"}
    ).json()
    play = body["injects"][0]
    assert play["stage"] == "crisis" and play["raised"] is True
    assert play["responses"]["JP"]["stage"] == "alert" and play["responses"]["EU"]["stage"] == "crisis"
    assert play["responses"]["EU"]["acknowledged_after_minutes"] is not None
    assert (
        play["responses"]["EU"]["assessed_after_minutes"]
        >= play["responses"]["EU"]["acknowledged_after_minutes"]
    )
    # Owners and actions are each party's own.
    assert (
        call(
            "post", f"{API}/exercises/runs/{run}/injects/1/owner", eu, {"organisation": "jp-meti"}
        ).status_code
        == 422
    )
    assert (
        call(
            "post", f"{API}/exercises/runs/{run}/injects/1/owner", eu, {"organisation": "eu-dg-grow"}
        ).status_code
        == 200
    )
    body = call(
        "post",
        f"{API}/exercises/runs/{run}/injects/1/actions",
        eu,
        {"text": "Ask member states for stocks", "deadline": "2026-12-31"},
    ).json()
    action = next(step for step in body["timeline"] if step["kind"] == "action")["data"]["action"]
    assert (
        call("post", f"{API}/exercises/runs/{run}/injects/1/done", jp, {"action": action}).status_code == 403
    )
    assert (
        call("post", f"{API}/exercises/runs/{run}/injects/1/done", eu, {"action": action}).status_code == 200
    )
    body = call(
        "post",
        f"{API}/exercises/runs/{run}/injects/1/close",
        jp,
        {"note": "Resolved", "lessons": "Call earlier"},
    ).json()
    assert body["injects"][0]["closed"] is True
    # The observations inject raises signals computed on a copy.
    body = call("post", f"{API}/exercises/runs/{run}/release", jp).json()
    signals = body["injects"][1]["inject"]["signals"]
    assert signals and all(signal["date"] >= "2025-01-01" for signal in signals)
    assert any(signal["direction"] == "down" for signal in signals)
    # Lessons per party, the end, and nothing after it.
    assert (
        call(
            "post", f"{API}/exercises/runs/{run}/lessons", eu, {"text": "Share fab lists in advance"}
        ).status_code
        == 200
    )
    body = call("post", f"{API}/exercises/runs/{run}/end", jp).json()
    assert body["ended_at"] is not None
    assert call("post", f"{API}/exercises/runs/{run}/injects/2/acknowledge", eu, {}).status_code == 422
    assert call("post", f"{API}/exercises/runs/{run}/release", jp).status_code == 422
    parties = {summary["party"]: summary for summary in body["parties"]}
    assert parties["EU"]["acknowledged"] == 1 and parties["EU"]["highest_stage"] == "crisis"
    assert parties["EU"]["actions"] == 1 and parties["EU"]["done"] == 1
    assert parties["EU"]["lessons"] == "Share fab lists in advance"
    assert parties["JP"]["median_acknowledgement_minutes"] is not None
    # Every step is timestamped with its party and person, and signed.
    timeline = body["timeline"]
    assert {step["person"] for step in timeline if step["party"] == "EU"} == {"eu-lead"}
    assert all(step["ledger"] for step in timeline) if "ledger" in timeline[0] else True
    assert ExerciseStep.objects.filter(ledger_entry=None).count() == 0


def test_observations_laid_over_a_copy_of_a_real_series_fire_its_detectors_and_leave_it_alone(members):
    from partnership.exchanges.supply_chain import services

    owner = members["jp_secretariat"]
    flat = [{"date": day, "value": str(value)} for day, value in FLAT]
    real = services.import_observations(
        owner, "JP-SHIP", flat, {"frequency": "monthly", "unit": "index"}
    ).series
    held = (Observation.objects.count(), Signal.objects.count(), real.revision)
    scenario = {
        "title": "A fall in shipments",
        "injects": [{"offset": "T+0h", "type": "observations", "series": "JP-SHIP", "observations": DROP}],
    }
    exercise = exercises.create_exercise(owner, scenario)
    run = exercises.start_run(owner, exercise.uid)
    released = exercises.release_next(owner, run.uid).data
    assert released["title"] == "JP-SHIP" and released["signals"]
    assert {signal["date"] for signal in released["signals"]} <= {day for day, _ in DROP}
    real.refresh_from_db()
    assert (Observation.objects.count(), Signal.objects.count(), real.revision) == held


def test_a_revision_during_a_run_does_not_change_the_run(members, token_for, run):
    changed = copy.deepcopy(SCENARIO)
    changed["injects"] = changed["injects"][:1]
    changed["injects"][0]["title"] = "Revised inject"
    exercises.revise_exercise(members["jp_secretariat"], run.exercise.uid, changed)
    for _ in range(3):
        exercises.release_next(members["jp_secretariat"], run.uid)
    titles = [
        play.inject["title"] for play in exercise_queries.run_detail(members["eu_lead"], run.uid).injects
    ]
    assert titles == [inject["title"] for inject in SCENARIO["injects"][:1]] + [
        "Wafer shipments index (synthetic)",
        "Port of Hakata closed",
    ]
    fresh = exercises.start_run(members["jp_secretariat"], run.exercise.uid)
    assert exercises.release_next(members["jp_secretariat"], fresh.uid).data["title"] == "Revised inject"
    with pytest.raises(Invalid, match="Every inject is released"):
        exercises.release_next(members["jp_secretariat"], fresh.uid)


def test_a_party_responds_only_as_itself(members, run):
    exercises.release_next(members["jp_secretariat"], run.uid)
    step = exercises.respond(members["eu_lead"], run.uid, 1, "acknowledgement", {})
    assert step.party.code == "EU" and step.organisation.code == "eu-dg-grow"
    with pytest.raises(PermissionDenied):
        exercises.respond(members["jp_stakeholder"], run.uid, 1, "acknowledgement", {})


def test_a_federated_node_takes_responses_only_of_its_own_party(settings, members, run):
    exercises.release_next(members["jp_secretariat"], run.uid)
    settings.NODE_PARTY = "JP"
    with pytest.raises(PermissionDenied):
        exercises.respond(members["eu_lead"], run.uid, 1, "acknowledgement", {})
    assert ExerciseStep.objects.filter(party__code="EU").count() == 0


def test_the_scenario_clock_releases_injects_when_due(members, exercise):
    run = exercises.start_run(members["jp_secretariat"], exercise.uid, speed=60)  # an hour a minute
    assert exercises.release_due(run.started_at + datetime.timedelta(minutes=1)) == 1
    assert exercises.release_due(run.started_at + datetime.timedelta(minutes=7)) == 1  # T+6h
    assert exercises.release_due(run.started_at + datetime.timedelta(minutes=8)) == 0
    assert exercises.release_due(run.started_at + datetime.timedelta(minutes=48)) == 1  # T+2d
    run.refresh_from_db()
    assert run.released == 3
    assert ExerciseStep.objects.filter(kind="release", person="scenario clock").count() == 3


def test_exercise_data_never_reaches_real_lists_figures_or_mail(members, run):
    """Every real read of events, alerts, signals, series, registers and the Council figures, before and
    after a whole run with injected events and observations: the same."""
    reader = members["eu_lead"]
    from partnership.exchanges.supply_chain import alerts

    alerts.subscribe(members["eu_secretariat"], True)
    alerts.subscribe(reader, True)
    year = timezone.now().year

    def real() -> dict:
        return {
            "events": list(alert_queries.events(reader).values_list("uid", flat=True)),
            "alerts": list(alert_queries.alerts(reader).values_list("uid", flat=True)),
            "open": list(alert_queries.open_alerts(reader)),
            "council": alert_queries.council_alerts(year),
            "indicators": SupplyChain().indicators(year),
            "signals": list(queries.recent_signals(reader).values_list("pk", flat=True)),
            "open_signals": list(queries.open_signals(reader)),
            "series": list(queries.series_list(reader, queries.Filters()).values_list("uid", flat=True)),
            "investments": list(register_queries.investments(reader, register_queries.InvestmentFilters())),
            "export_controls": list(
                register_queries.export_controls(reader, register_queries.ExportControlFilters())
            ),
            "rows": [
                model.objects.count() for model in (Event, Alert, AlertStep, Series, Observation, Signal)
            ],
        }

    before = real()
    jp, eu = members["jp_secretariat"], reader
    for number in (1, 2, 3):
        exercises.release_next(jp, run.uid)
        exercises.respond(jp, run.uid, number, "proposal", {"stage": "crisis"})
        exercises.respond(eu, run.uid, number, "assessment", {"stage": "crisis"})
        exercises.respond(eu, run.uid, number, "action", {"text": "Stockpile", "deadline": "2020-01-01"})
        exercises.respond(jp, run.uid, number, "closing", {"note": "done", "lessons": "x"})
    exercises.end_run(jp, run.uid)
    assert real() == before
    assert mail.outbox == []
    # The dashboard shows no exercise alert, and the real alerts page lists none.
    client = Client()
    client.force_login(reader)
    page = client.get("/en/supply-chain/alerts/").content.decode()
    assert SCENARIO["injects"][0]["title"] not in page
    dashboard = client.get("/en/").content.decode()
    assert "EXERCISE" not in dashboard and SCENARIO["injects"][0]["title"] not in dashboard


def test_the_command_imports_a_scenario_and_lists_runs(members, tmp_path, capsys):
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(SCENARIO), encoding="utf-8")
    call_command("supply_chain", "exercise", "import", str(path), "--user", "jp-secretariat")
    exercise = Exercise.objects.get()
    assert "3 injects" in capsys.readouterr().out
    exercises.start_run(members["jp_secretariat"], exercise.uid)
    call_command("supply_chain", "exercise", "runs", "--user", "eu-lead")
    out = capsys.readouterr().out
    assert SCENARIO["title"] in out and "0/3 released" in out
    bad = tmp_path / "bad.json"
    bad.write_text('{"title": "x", "injects": [{"offset": "T+0h", "type": "rumour"}]}', encoding="utf-8")
    with pytest.raises(CommandError, match=r"injects\[0\]\.type"):
        call_command("supply_chain", "exercise", "import", str(bad), "--user", "jp-secretariat")
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.json"):
        call_command("supply_chain", "exercise", "import", str(bad), "--user", "jp-secretariat")
    assert Exercise.objects.count() == 1


# --- pages ---------------------------------------------------------------------------------------------


def page(user, path, data=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.post(path, data) if data is not None else client.get(path)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_pages_in_both_languages_are_marked_exercise(members, run, language):
    jp, eu = members["jp_secretariat"], members["eu_lead"]
    exercises.release_next(jp, run.uid)
    exercises.respond(eu, run.uid, 1, "acknowledgement", {})
    exercises.record_lessons(eu, run.uid, {"text": "Keep a list of fabs", "language": "en"})
    paths = [
        f"/{language}/supply-chain/exercises/",
        f"/{language}/supply-chain/exercises/{run.exercise.uid}/",
        f"/{language}/supply-chain/exercises/runs/{run.uid}/",
        f"/{language}/supply-chain/exercises/runs/{run.uid}/report/",
    ]
    for path in paths:
        response = page(eu, path)
        assert response.status_code == 200, path
        text = response.content.decode()
        assert "EXERCISE" in text and "演習" in text, path
        if language == "ja":
            assert "机上演習" in text or "事後報告" in text, path
        assert page(None, path).status_code == 302, path
    report = page(eu, paths[3]).content.decode()
    assert "Keep a list of fabs" in report
    run_page = page(eu, paths[2]).content.decode()
    assert "M7.1 earthquake near Kumamoto" in run_page
    # The injects not yet released are not on the other party's pages.
    assert "Port of Hakata closed" not in run_page
    assert "Port of Hakata closed" not in page(eu, paths[1]).content.decode()
    assert "Port of Hakata closed" in page(jp, paths[1]).content.decode()


def test_the_run_page_forms_release_and_answer(members, run):
    jp, eu = members["jp_secretariat"], members["eu_lead"]
    base = f"/en/supply-chain/exercises/runs/{run.uid}"
    assert page(eu, f"{base}/release/", {}).status_code == 403
    assert page(jp, f"{base}/release/", {}).status_code == 302
    assert page(eu, f"{base}/assess/", {"inject": "1", "stage": "volcanic"}).status_code == 422
    assert page(eu, f"{base}/assess/", {"inject": "1", "stage": "alert"}).status_code == 302
    assert page(eu, f"{base}/acknowledge/", {"inject": "9"}).status_code == 422
    assert page(members["eu_stakeholder"], f"{base}/acknowledge/", {"inject": "1"}).status_code in (403, 404)
    detail = exercise_queries.run_detail(eu, run.uid)
    eu_response = next(item for item in detail.injects[0].responses if item.party == "EU")
    assert eu_response.stage == "alert" and eu_response.acknowledged is None
    assert "Acknowledge for your party" in page(eu, f"{base}/").content.decode()
    assert page(eu, f"{base}/acknowledge/", {"inject": "1"}).status_code == 302
    assert "Acknowledge for your party" not in page(eu, f"{base}/").content.decode()
    assert (
        page(
            eu, f"{base}/actions/", {"inject": "1", "text": "Survey stocks", "deadline": "2026-12-31"}
        ).status_code
        == 302
    )
    assert "Survey stocks" in page(eu, f"{base}/report/").content.decode()
    assert page(jp, f"/en/supply-chain/exercises/{run.exercise.uid}/", {"speed": "-1"}).status_code == 422


def test_a_scenario_is_written_on_the_page(members):
    scenario = copy.deepcopy(SCENARIO)
    response = page(members["eu_lead"], "/en/supply-chain/exercises/", {"scenario": json.dumps(scenario)})
    assert response.status_code == 302
    assert Exercise.objects.get().party.code == "EU"
    scenario["injects"][1]["offset"] = "yesterday"
    response = page(members["eu_lead"], "/en/supply-chain/exercises/", {"scenario": json.dumps(scenario)})
    assert response.status_code == 422 and "injects[1].offset" in response.content.decode()
    response = page(members["eu_lead"], "/en/supply-chain/exercises/", {"scenario": "{oops"})
    assert response.status_code == 422
    assert (
        page(
            members["jp_stakeholder"], "/en/supply-chain/exercises/", {"scenario": json.dumps(SCENARIO)}
        ).status_code
        == 403
    )
    assert Exercise.objects.count() == 1
