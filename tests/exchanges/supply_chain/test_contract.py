"""The contract test of supply-chain monitoring (docs/adding-an-exchange.md, step 17)."""

import uuid

from django.utils import timezone

from partnership.exchanges.supply_chain import alerts, services
from partnership.exchanges.supply_chain.alert_models import Alert, AlertStep, Event, EventAddition
from partnership.exchanges.supply_chain.contract import SupplyChain
from partnership.exchanges.supply_chain.models import Observation, Release, Series
from tests.exchange_contract import ExchangeContract, Sample, Write

API = "/api/v1/supply-chain/series"
REGISTERS = "/api/v1/supply-chain"
INVESTMENT = {
    "firm": "JASM",
    "site": "Kikuyo, Kumamoto",
    "country": "JP",
    "technology_node": "12-28 nm",
    "capacity": "55000",
    "capacity_unit": "wafers per month (300 mm)",
    "amount": "1200000000000",
    "currency": "JPY",
    "support_amount": "476000000000",
    "status": "producing",
    "tlp": "amber",
}
MEASURE = {
    "title": "Controls on advanced semiconductor manufacturing equipment",
    "kind": "new",
    "items": [{"list": "jp-etco", "entry": "7(18)"}],
    "hs_codes": ["8486.20"],
    "legal_basis": "Export Trade Control Order, Appended Table 1",
    "adopted_on": "2023-05-23",
    "takes_effect": "2023-07-23",
    "tlp": "clear",
}
EVENTS = "/api/v1/supply-chain/events"
ALERTS = "/api/v1/supply-chain/alerts"
EXERCISES = "/api/v1/supply-chain/exercises"
#: A scenario of thirty injected events, one an hour (`more(25)` releases 26 in one run).
SCENARIO = {
    "title": "Fab fires (exercise)",
    "tlp": "green",
    "injects": [
        {
            "offset": f"T+{n}h",
            "type": "event",
            "kind": "fab_fire",
            "title": f"Fire at fab {n + 1}",
            "country": "JP",
            "severity": "major",
        }
        for n in range(30)
    ],
}
EVENT = {
    "kind": "fab_fire",
    "title": "Fire at a fab",
    "country": "JP",
    "site": "Naka",
    "products": ["8542"],
    "firms": ["A chip maker"],
    "severity": "major",
    "start_date": "2021-03-19",
    "tlp": "amber",
    "recipients": ["eu-dg-grow"],  # not DG CONNECT: the EU secretariat does not read it
}


def monthly(start_year: int, months: int, level: float = 100.0) -> list[dict]:
    """`months` monthly observations from January of `start_year`."""
    return [
        {"date": f"{start_year + n // 12}-{n % 12 + 1:02d}-01", "value": f"{level + n % 7:.1f}"}
        for n in range(months)
    ]


def held() -> int:
    """Every series revision, release and observation, register revision, event, addition, alert and alert
    step, exercise revision and run step: each write adds to one of them."""
    from partnership.exchanges.supply_chain.models import Exercise, ExerciseStep, RegisterRevision

    return (
        sum(Series.objects.values_list("revision", flat=True))
        + Release.objects.count()
        + Observation.objects.count()
        + RegisterRevision.objects.count()
        + Event.objects.count()
        + EventAddition.objects.count()
        + Alert.objects.count()
        + AlertStep.objects.count()
        + sum(Exercise.objects.values_list("revision", flat=True))
        + ExerciseStep.objects.count()
    )


class TestSupplyChainContract(ExchangeContract):
    exchange_class = SupplyChain
    cycle_year = timezone.now().year

    def sample_data(self, members, tmp_path) -> Sample:
        from partnership.people.services import create_token

        owner = members["jp_secretariat"]
        description = {
            "title": "Shipments of electronic parts",
            "unit": "index 2020=100",
            "frequency": "monthly",
        }
        first = services.import_observations(owner, "JP-SHIP", monthly(2015, 24), description).series

        event = alerts.report_event(owner, EVENT)
        eu_event = alerts.report_event(members["eu_secretariat"], {**EVENT, "country": "DE", "tlp": "green"})
        alert = alerts.propose_alert(owner, {"title": "Car chips", "event": str(event.uid), "stage": "alert"})
        action = alerts.act_on_alert(
            owner, alert.uid, "action", {"text": "Ask firms", "deadline": "2030-01-01"}
        )

        def more(count: int) -> None:
            for n in range(count):
                more_event = alerts.report_event(owner, {**EVENT, "title": f"Event {n}"})
                alerts.add_to_event(members["eu_lead"], more_event.uid, {"text": "known"})
                more_alert = alerts.propose_alert(
                    owner, {"title": f"Alert {n}", "event": str(more_event.uid)}
                )
                alerts.act_on_alert(members["eu_lead"], more_alert.uid, "acknowledgement")
                alerts.act_on_alert(
                    members["eu_lead"], alert.uid, "assessment", {"stage": "crisis", "note": str(n)}
                )
                alerts.act_on_alert(
                    owner, alert.uid, "action", {"text": f"Act {n}", "deadline": "2020-01-01"}
                )
                services.import_observations(
                    owner, f"JP-MORE-{n}", monthly(2000, 12), {"frequency": "monthly"}
                )
                services.import_observations(owner, "JP-SHIP", monthly(2015, 24, level=200.0 + n), {})

        from partnership.exchanges.supply_chain import exercises, registers

        exercise = exercises.create_exercise(owner, SCENARIO)
        run = exercises.start_run(owner, exercise.uid)
        exercises.release_next(owner, run.uid)
        exercises.respond(members["eu_lead"], run.uid, 1, "assessment", {"stage": "alert"})

        def more_with_exercises(count: int) -> None:
            more(count)
            for n in range(count):
                more_run = exercises.start_run(owner, exercise.uid)
                exercises.release_next(owner, run.uid)
                exercises.release_next(owner, more_run.uid)
                exercises.respond(owner, run.uid, n + 2, "proposal", {"stage": "crisis"})
                exercises.respond(members["eu_lead"], run.uid, n + 2, "acknowledgement")
                exercises.respond(
                    members["eu_lead"],
                    run.uid,
                    n + 2,
                    "action",
                    {"text": f"Act {n}", "deadline": "2030-01-01"},
                )
                exercises.record_lessons(members["eu_lead"], run.uid, {"text": f"Lesson {n}"})

        plan = registers.create(owner, "investments", INVESTMENT)
        control = registers.create(owner, "export_controls", MEASURE)
        return Sample(
            owner=owner,
            other_party=members["eu_secretariat"],
            pages=[
                "supply-chain/",
                f"supply-chain/{first.uid}/",
                "supply-chain/investments/",
                f"supply-chain/investments/{plan.uid}/",
                "supply-chain/export-controls/",
                f"supply-chain/export-controls/{control.uid}/",
                "supply-chain/events/",
                f"supply-chain/events/{event.uid}/",
                "supply-chain/alerts/",
                f"supply-chain/alerts/{alert.uid}/",
                "supply-chain/exercises/",
                f"supply-chain/exercises/{exercise.uid}/",
                f"supply-chain/exercises/runs/{run.uid}/",
                f"supply-chain/exercises/runs/{run.uid}/report/",
                "dashboard/",
            ],
            count=held,
            more=more_with_exercises,
            protected=[
                API,
                f"{API}/{first.uid}",
                f"{REGISTERS}/investments",
                f"{REGISTERS}/investments/{plan.uid}",
                f"{REGISTERS}/export-controls",
                f"{REGISTERS}/export-controls/{control.uid}",
                EVENTS,
                f"{EVENTS}/{event.uid}",
                ALERTS,
                f"{ALERTS}/{alert.uid}",
                EXERCISES,
                f"{EXERCISES}/{exercise.uid}",
                f"{EXERCISES}/runs/{run.uid}",
            ],
            writes=[
                Write(
                    "post", f"{API}/{first.uid}/observations", {"observations": monthly(2017, 3, level=300.0)}
                ),
                Write("put", f"{API}/{first.uid}", {"title": "Shipments of electronic parts and devices"}),
                Write("put", f"{REGISTERS}/export-controls/{control.uid}", {**MEASURE, "title": "Revised"}),
                Write("put", f"{REGISTERS}/investments/{plan.uid}", {**INVESTMENT, "status": "paused"}),
                # The EU secretariat may not read the AMBER event (404); its own event it does not
                # acknowledge (403); JP's action it does not complete (403).
                Write("post", ALERTS, {"title": "From the event", "event": str(event.uid)}),
                Write("post", f"{EVENTS}/{eu_event.uid}/additions", {"text": "We know more"}),
                Write("post", f"{ALERTS}/{alert.uid}/actions/{action.data['action']}/done", {}),
                # JP's scenario and run: the EU secretariat neither changes, starts, releases nor ends them.
                Write("put", f"{EXERCISES}/{exercise.uid}", {**SCENARIO, "title": "Changed by EU"}),
                Write("post", f"{EXERCISES}/{exercise.uid}/runs", {}),
                Write("post", f"{EXERCISES}/runs/{run.uid}/release", {}),
                Write("post", f"{EXERCISES}/runs/{run.uid}/end", {}),
            ],
            service_writes=[
                lambda user: services.import_observations(user, None, monthly(2018, 2), uid=first.uid),
            ],
            missing=[
                f"{API}/{uuid.uuid4()}",
                f"{API}/not-a-uid",
                f"{REGISTERS}/investments/{uuid.uuid4()}",
                f"{REGISTERS}/export-controls/not-a-uid",
                f"{EVENTS}/{uuid.uuid4()}",
                f"{ALERTS}/{uuid.uuid4()}",
                f"{ALERTS}/not-a-uid",
                f"{EXERCISES}/{uuid.uuid4()}",
                f"{EXERCISES}/runs/{uuid.uuid4()}",
                f"{EXERCISES}/runs/not-a-uid",
            ],
            auth=lambda user: {"Authorization": "Bearer " + create_token(user, "test")[1]},
        )

    def author_on_peer(self, node) -> str:
        body = {"code": "JP-ROUND-TRIP", "title": "Round trip", "unit": "units", "frequency": "monthly"}
        uid = node.post(API, node.secretariat_token, body)["uid"]
        node.post(f"{API}/{uid}/observations", node.secretariat_token, {"observations": monthly(2020, 3)})
        node.post(
            f"{API}/{uid}/observations",
            node.secretariat_token,
            {"observations": [{"date": "2020-03-01", "value": "99.5"}]},
        )
        # The registers: an AMBER plan (sealed to this node) and a CLEAR measure, then its revision.
        plan = node.post(f"{REGISTERS}/investments", node.secretariat_token, INVESTMENT)["uid"]
        control = node.post(f"{REGISTERS}/export-controls", node.secretariat_token, MEASURE)["uid"]
        node.put(
            f"{REGISTERS}/export-controls/{control}", node.secretariat_token, {**MEASURE, "kind": "amended"}
        )
        # An event and an alert with a preventive action: sealed to this node, as JP's.
        event = node.post(EVENTS, node.secretariat_token, EVENT)["uid"]
        alert = node.post(
            ALERTS, node.secretariat_token, {"title": "Car chips", "event": event, "stage": "alert"}
        )
        node.post(
            f"{ALERTS}/{alert['uid']}/actions",
            node.secretariat_token,
            {"text": "Ask", "deadline": "2030-01-01"},
        )
        # A scenario, a run and its first inject released: sealed to this node.
        exercise = node.post(EXERCISES, node.secretariat_token, SCENARIO)["uid"]
        run = node.post(f"{EXERCISES}/{exercise}/runs", node.secretariat_token, {})["uid"]
        node.post(f"{EXERCISES}/runs/{run}/release", node.secretariat_token, {})
        return uid, plan, control, event, alert["uid"], exercise, run

    def assert_received(self, authored: tuple[str, ...]) -> None:
        import pytest
        from django.core.exceptions import PermissionDenied

        from partnership.exchanges.supply_chain import registers
        from partnership.exchanges.supply_chain.models import Exercise, ExerciseRun, ExportControl, Investment
        from partnership.ledger.models import LogEntry
        from partnership.people.models import Organisation
        from partnership.people.services import create_member

        authored, plan, control, event_uid, alert_uid, exercise_uid, run_uid = authored
        exercise = Exercise.objects.get(uid=exercise_uid)
        assert (exercise.signed_by, exercise.inject_count, exercise.injects) == ("JP", 30, [])
        run = ExerciseRun.objects.get(uid=run_uid)
        assert (run.signed_by, run.released, run.steps.get(kind="release").data["title"]) == (
            "JP",
            1,
            SCENARIO["injects"][0]["title"],
        )
        investment = Investment.objects.get(uid=plan)
        assert (investment.signed_by, investment.firm, investment.tlp, str(investment.support_amount)) == (
            "JP",
            "JASM",
            "amber",
            "476000000000.0000",
        )
        # It travelled sealed: the log holds the envelope, not the firm's figures.
        assert b"JASM" not in bytes(LogEntry.objects.get(pk=investment.ledger_entry_id).record)
        measure = ExportControl.objects.get(uid=control)
        assert (measure.signed_by, measure.revision, measure.kind, measure.hs_codes) == (
            "JP",
            2,
            "amended",
            ["848620"],
        )
        assert measure.received_at is not None and measure.late  # it took effect in 2023
        assert [r.revision for r in measure.revisions.all()] == [2, 1]
        event = Event.objects.get(uid=event_uid)
        assert (event.signed_by, event.party.code, event.firms, event.tlp) == (
            "JP",
            "JP",
            ["A chip maker"],
            "amber",
        )
        alert = Alert.objects.get(uid=alert_uid)
        assert (alert.signed_by, alert.event, alert.stage, alert.acknowledged_at) == (
            "JP",
            event,
            "alert",
            None,
        )
        assert list(alert.steps.values_list("kind", flat=True)) == ["proposal", "action"]
        copy = Series.objects.get(uid=authored)
        assert (copy.signed_by, copy.party.code, copy.code, copy.unit) == (
            "JP",
            "JP",
            "JP-ROUND-TRIP",
            "units",
        )
        assert copy.releases.count() == 2
        latest = dict(Observation.objects.filter(series=copy, is_latest=True).values_list("date", "value"))
        assert [latest[d] for d in sorted(latest)] == [100.0, 101.0, 99.5]
        earlier = Observation.objects.filter(series=copy, is_latest=False).values_list("value", flat=True)
        assert list(earlier) == [102.0]  # the first release's value of March is kept as a vintage
        # Read-only here, even for the JP secretariat's members: it changes on the JP node only.
        author = create_member(
            "jp-reader",
            "a-long-password-1",
            Organisation.objects.get(code="jp-digital-agency"),
            "secretariat",
        )
        with pytest.raises(PermissionDenied):
            services.import_observations(author, None, monthly(2021, 1), uid=copy.uid)
        with pytest.raises(PermissionDenied):
            registers.revise(author, "export_controls", control, {**MEASURE, "title": "Changed here"})
