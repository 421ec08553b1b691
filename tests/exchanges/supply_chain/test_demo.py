"""The demo's series: two of each party whose node this is, each with a revising release; idempotent."""

import pytest
from django.contrib.auth.models import User

from partnership.exchanges.supply_chain.demo import seed_series
from partnership.exchanges.supply_chain.models import Observation, Release, Series
from partnership.people.models import Organisation
from partnership.people.services import create_member
from partnership.programme.exchanges import DemoContext

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_the_parties_of_this_node_once(programme):
    for party, code in (("jp", "jp-digital-agency"), ("eu", "eu-dg-connect")):
        if not User.objects.filter(username=f"{party}-secretariat").exists():
            create_member(
                f"{party}-secretariat",
                "a-long-password-1",
                Organisation.objects.get(code=code),
                "secretariat",
            )
    assert seed_series(DemoContext(on_this_node=lambda party: party == "JP")) == 2
    assert seed_series(DemoContext(on_this_node=lambda party: True)) == 2  # the EU's now; JP's kept
    assert seed_series(DemoContext(on_this_node=lambda party: True)) == 0
    assert Series.objects.count() == 4 and Release.objects.count() == 8
    assert Observation.objects.filter(is_latest=False).count() == 4 * 3  # each revised its last three months


def test_the_demo_registers_and_events_of_each_party_of_this_node_are_made_once(programme):
    from partnership.exchanges.supply_chain.alert_models import Alert, Event
    from partnership.exchanges.supply_chain.demo import seed_alerts, seed_registers
    from partnership.exchanges.supply_chain.models import ExportControl, Investment

    for party, code in (("jp", "jp-digital-agency"), ("eu", "eu-dg-connect")):
        create_member(
            f"{party}-secretariat", "a-long-password-1", Organisation.objects.get(code=code), "secretariat"
        )
    assert seed_registers(DemoContext(on_this_node=lambda party: party == "EU")) == 2
    assert seed_registers(DemoContext(on_this_node=lambda party: True)) == 2
    assert seed_registers(DemoContext(on_this_node=lambda party: True)) == 0
    assert Investment.objects.count() == 2 and ExportControl.objects.filter(late=False).count() == 2
    assert seed_alerts(DemoContext(on_this_node=lambda party: party == "JP")) == 1
    assert seed_alerts(DemoContext(on_this_node=lambda party: True)) == 1
    assert seed_alerts(DemoContext(on_this_node=lambda party: True)) == 0
    assert Event.objects.count() == 2
    alert = Alert.objects.get()
    assert (alert.party.code, alert.stage, alert.acknowledged_at) == ("JP", "monitoring", None)


def test_the_demo_writes_one_scenario_per_party_of_this_node_once(programme):
    from partnership.exchanges.supply_chain import exercises
    from partnership.exchanges.supply_chain.demo import seed_exercises
    from partnership.exchanges.supply_chain.exercise_models import Exercise

    for party, code in (("jp", "jp-digital-agency"), ("eu", "eu-dg-connect")):
        if not User.objects.filter(username=f"{party}-secretariat").exists():
            create_member(
                f"{party}-secretariat",
                "a-long-password-1",
                Organisation.objects.get(code=code),
                "secretariat",
            )
    assert seed_exercises(DemoContext(on_this_node=lambda party: party == "JP")) == 1
    assert seed_exercises(DemoContext(on_this_node=lambda party: True)) == 1
    assert seed_exercises(DemoContext(on_this_node=lambda party: True)) == 0
    assert sorted(Exercise.objects.values_list("party__code", flat=True)) == ["EU", "JP"]
    assert all("demo" in title for title in Exercise.objects.values_list("title", flat=True))
    # The demo's observations make the detectors fire when the inject is released.
    jp = User.objects.get(username="jp-secretariat")
    run = exercises.start_run(jp, Exercise.objects.get(party__code="JP").uid)
    exercises.release_next(jp, run.uid)
    assert exercises.release_next(jp, run.uid).data["signals"]
