"""Outage reporting (issue 17 item 3): an operator reports an outage on its cable, its stages have
deadlines by a reporting profile, the report is a signed record under TLP, and it shows its effect on
the Japan–EU routes."""

import datetime
import json

import pytest
from django.utils import timezone

from partnership.errors import Invalid, NotFound, PermissionDenied
from partnership.exchanges.cable_outages import outages, profiles, queries, services
from partnership.exchanges.cable_outages.models import Outage, OutageStage
from partnership.ledger.models import LogEntry
from partnership.ledger.records import format_time

pytestmark = pytest.mark.django_db

CABLE = "demo-asia-europe-1"
RED_SEA = {"fault_latitude": 16.3, "fault_longitude": 40.7}  # on the cable's route in the Red Sea


def report(**changes):
    now = timezone.now()
    data = {
        "cable": CABLE,
        "started_at": (now - datetime.timedelta(hours=3)).isoformat(),
        "detected_at": (now - datetime.timedelta(hours=2)).isoformat(),
        "cause": "anchor",
        "fibre_pairs_lost": 2,
        "capacity_lost_gbps": 400,
        "rerouted": True,
        "repair_ship": "CS Demo Mariner",
        "profile": "fcc",
        "tlp": "amber",
        "summary": "Two fibre pairs lost south of Jeddah.",
        **RED_SEA,
    }
    data.update(changes)
    return data


def test_an_operator_reports_an_outage_as_a_signed_record_sealed_unless_clear(operators):
    outage = services.report_outage(operators["jp-cable-a"], report())
    assert (outage.organisation.code, outage.party.code, outage.cable_slug) == ("jp-cable-a", "JP", CABLE)
    assert list(outage.stages.values_list("stage", flat=True)) == ["notification"]
    content = json.loads(outage.ledger_entry.record)["content"]
    assert content["tlp"] == "amber" and "report" not in content and content["sealed"] == {}
    clear = services.report_outage(operators["jp-cable-a"], report(tlp="clear"))
    shared = json.loads(clear.ledger_entry.record)["content"]
    assert shared["report"]["cause"] == "anchor" and shared["report"]["stages"][0]["stage"] == "notification"


def test_the_deadlines_follow_the_profile_and_an_overdue_stage_is_flagged(operators):
    outage = services.report_outage(operators["jp-cable-a"], report())
    later = timezone.now() + datetime.timedelta(days=4)
    stages = {item["stage"]: item for item in queries.stage_deadlines(outage, later)}
    assert stages["notification"]["due"] == outage.detected_at + datetime.timedelta(hours=4)
    assert stages["notification"]["on_time"] is True
    assert stages["interim"]["due"] is None and not stages["interim"]["overdue"]  # no plan of work yet
    nis2 = services.report_outage(operators["jp-cable-a"], report(profile="nis2"))
    listed = {row["outage"].uid: row for row in queries.outages(operators["jp-cable-a"], later)}
    assert listed[nis2.uid]["overdue"] is True  # the incident notification was due 72 h after detection
    assert listed[outage.uid]["overdue"] is False


def test_stages_are_filed_once_and_the_final_one_says_when_service_came_back(operators):
    user = operators["jp-cable-a"]
    before = LogEntry.objects.count()
    outage = services.report_outage(user, report())
    plan = timezone.now().isoformat()
    services.file_stage(
        user, str(outage.uid), "interim", {"plan_received_at": plan, "summary": "Ship sails."}
    )
    with pytest.raises(Invalid) as error:
        services.file_stage(user, str(outage.uid), "interim", {})
    assert "stage" in error.value.fields
    with pytest.raises(Invalid) as error:
        services.file_stage(user, str(outage.uid), "final", {})
    assert "repaired_at" in error.value.fields
    done = services.file_stage(user, str(outage.uid), "final", {"repaired_at": timezone.now().isoformat()})
    assert done.revision == 3 and OutageStage.objects.filter(outage=outage).count() == 3
    stages = {item["stage"]: item for item in queries.stage_deadlines(done, timezone.now())}
    assert all(item["on_time"] for item in stages.values())
    assert LogEntry.objects.count() == before + 3  # one signed record per stage filed


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"detected_at": "2020-01-01T00:00:00Z"}, "detected_at"),  # before the start
        ({"started_at": "2999-01-01T00:00:00Z", "detected_at": "2999-01-02T00:00:00Z"}, "started_at"),
        ({"started_at": "2026-01-01T00:00"}, "started_at"),  # no zone
        ({"started_at": "yesterday"}, "started_at"),
        ({"fault_latitude": 35.6, "fault_longitude": 139.7}, "fault_latitude"),  # Tokyo, far from the cable
        # On the cable's drawn route, where the demo draws it across India: on land, ~130 km from the shore.
        ({"fault_latitude": 11.2, "fault_longitude": 77.12}, "fault_latitude"),
        ({"fault_latitude": 95}, "fault_latitude"),
        ({"fault_longitude": None}, "fault_longitude"),
        ({"cause": "sharks"}, "cause"),
        ({"cable": "no-such-cable"}, "cable"),
        ({"segment": 7}, "segment"),
        ({"fibre_pairs_lost": -1}, "fibre_pairs_lost"),
        ({"capacity_lost_gbps": "NaN"}, "capacity_lost_gbps"),
        ({"tlp": "white-ish"}, "tlp"),
        ({"profile": "mine"}, "profile"),
        ({"profile": "party"}, "profile"),  # the party has none yet
        (
            {"fault_latitude": None, "fault_longitude": None, "fault_landing": "demo-chiba-japan"},
            "fault_landing",
        ),
        (
            {"fault_latitude": None, "fault_longitude": None, "fault_landing": "demo-suez-egypt"},
            "fault_distance_km",
        ),
        ({"repair_ship": "x" * 500}, "repair_ship"),
    ],
)
def test_a_bad_report_is_refused_naming_the_field_and_nothing_is_stored(operators, changes, field):
    before = LogEntry.objects.count()
    with pytest.raises(Invalid) as error:
        services.report_outage(operators["jp-cable-a"], report(**changes))
    assert field in error.value.fields, error.value.message
    assert Outage.objects.count() == 0 and LogEntry.objects.count() == before


def test_a_fault_given_as_distance_from_a_landing(operators):
    outage = services.report_outage(
        operators["jp-cable-a"],
        report(
            fault_latitude=None, fault_longitude=None, fault_landing="demo-suez-egypt", fault_distance_km=120
        ),
    )
    assert (outage.fault_landing, outage.fault_distance_km, outage.fault_latitude) == (
        "demo-suez-egypt",
        120,
        None,
    )


def test_who_may_report_and_who_reads(operators, members):
    jp_a, jp_b, eu, jp_c = (operators[n] for n in ("jp-cable-a", "jp-cable-b", "eu-cable", "jp-cable-c"))
    for user in (members["jp_secretariat"], members["jp_lead"], None):
        with pytest.raises(PermissionDenied):
            services.report_outage(user, report())
    # The consortium designates its responsible filer and the co-owners who read.
    with pytest.raises(PermissionDenied):
        services.designate_filer(jp_a, CABLE, "jp-cable-a", [])
    with pytest.raises(Invalid):
        services.designate_filer(members["jp_secretariat"], CABLE, "eu-cable", [])  # not its party's
    services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", ["jp-cable-b", "eu-cable"])
    with pytest.raises(PermissionDenied):
        services.report_outage(jp_c, report())  # not the responsible filer
    amber = services.report_outage(jp_a, report())
    red = services.report_outage(jp_a, report(tlp="red"))
    uids = lambda user: {row["outage"].uid for row in queries.outages(user)}  # noqa: E731
    assert uids(jp_a) == {amber.uid, red.uid}
    assert uids(jp_b) == uids(eu) == {amber.uid, red.uid}  # the co-owners are named
    assert uids(jp_c) == set()  # another operator reads neither
    assert uids(members["eu_secretariat"]) == {amber.uid}  # a secretariat reads AMBER, not RED
    for reader in (None, members["eu_stakeholder"]):
        if reader is None:
            with pytest.raises(PermissionDenied):
                queries.outages(reader)
        else:
            assert uids(reader) == set()
    with pytest.raises(NotFound):
        queries.outage(jp_c, str(amber.uid))
    # Only the reporting operator files its stages.
    with pytest.raises(NotFound):
        services.file_stage(jp_b, str(amber.uid), "interim", {})
    with pytest.raises(NotFound):
        services.file_stage(jp_a, "not-a-uuid", "interim", {})


def test_on_a_federated_node_each_operator_writes_only_as_its_own_party(operators, settings):
    settings.NODE_PARTY = "EU"
    with pytest.raises(PermissionDenied):
        services.report_outage(operators["jp-cable-a"], report())
    assert services.report_outage(operators["eu-cable"], report()).party.code == "EU"


def test_the_secretariat_edits_its_party_profile(operators, members):
    stages = [{"stage": "notification", "hours": 2}, {"stage": "final", "hours": 48, "after": "notification"}]
    with pytest.raises(PermissionDenied):
        services.set_party_profile(operators["jp-cable-a"], stages)
    for bad in (
        [],
        [{"stage": "final", "hours": 1}, {"stage": "notification", "hours": 1}],
        [{"stage": "notification", "hours": 0}],
        [{"stage": "interim", "hours": 1, "after": "final"}],
    ):
        with pytest.raises(Invalid):
            services.set_party_profile(members["jp_secretariat"], bad)
    services.set_party_profile(members["jp_secretariat"], stages)
    outage = services.report_outage(operators["jp-cable-a"], report(profile="party"))
    assert [item["stage"] for item in queries.stage_deadlines(outage, timezone.now())] == [
        "notification",
        "final",
    ]


def test_the_shipped_profiles_say_where_their_figures_come_from():
    fcc, nis2 = profiles.shipped()["fcc"], profiles.shipped()["nis2"]
    assert fcc["status"] == nis2["status"] == "secondary" and "[S" in fcc["basis"] and "[P]" in fcc["basis"]
    assert [s["hours"] for s in fcc["stages"]] == [4, 24, 168]
    assert [s["hours"] for s in nis2["stages"]] == [24, 72, 720]
    for profile in (fcc, nis2):
        assert profiles.clean_stages(profile["stages"]) == profile["stages"]


def test_an_outage_shows_its_effect_on_the_japan_eu_routes(operators):
    outage = services.report_outage(operators["jp-cable-a"], report())
    effect = queries.outage(operators["jp-cable-a"], str(outage.uid))["effect"]
    assert effect["removed"] == [CABLE] and effect["lost_direct"] == [CABLE]
    assert effect["after"]["connected"] is True and effect["after"]["direct"] == []
    assert effect["before"]["min_cut"] > effect["after"]["min_cut"]


def test_a_peer_report_is_applied_read_only_and_a_forged_one_refused(operators, peer_log):
    from partnership.ledger.registry import RecordRejected

    outage = services.report_outage(operators["eu-cable"], report(tlp="clear"))
    content = json.loads(outage.ledger_entry.record)["content"]
    Outage.objects.all().delete()
    signed = format_time(timezone.now())
    record, entry = peer_log(outages.OUTAGE, content, organisation="eu-cable", time=signed)
    outages.apply_outage(record, entry)
    held = Outage.objects.get(uid=outage.uid)
    assert (held.party.code, held.cause, held.stages.count()) == ("EU", "anchor", 1)
    bad = json.loads(json.dumps(content))
    bad["uid"] = "0c2d3f7e-1111-4222-8333-444455556666"
    bad["report"]["detected_at"] = "2000-01-01T00:00:00Z"
    record, entry = peer_log(outages.OUTAGE, bad, organisation="eu-cable", time=signed)
    with pytest.raises(RecordRejected):
        outages.apply_outage(record, entry)


def test_the_indicators_and_the_report_section(operators):
    from partnership.exchanges.cable_outages.contract import CableOutages

    year = timezone.now().year
    user = operators["jp-cable-a"]
    first = services.report_outage(user, report())
    services.file_stage(user, str(first.uid), "interim", {"plan_received_at": timezone.now().isoformat()})
    services.file_stage(user, str(first.uid), "final", {"repaired_at": timezone.now().isoformat()})
    services.report_outage(operators["eu-cable"], report())
    late = services.report_outage(user, report(profile="nis2"))
    Outage.objects.filter(pk=late.pk).update(
        started_at=timezone.now() - datetime.timedelta(days=5),
        detected_at=timezone.now() - datetime.timedelta(days=4),
    )
    found = queries.outage_figures(year)
    assert found["per_party"] == {"EU": 1, "JP": 2}
    # Due and counted: 3 + 1 + 3 (the late report's notification filed 4 days after detection, its
    # interim overdue); on time: 3 + 1 + 0.
    assert found["on_time_share"] == round(4 / 6, 3)
    assert 1.9 < found["median_hours_to_notification"] < 2.1
    indicators = {row["name"]["en"]: row["value"] for row in CableOutages().indicators(year)}
    assert (
        indicators["Cable outages reported by JP"] == 2
        and indicators["Outage report stages filed on time"] == 66.7
    )
    assert queries.min_cut_by_year(1995, 2020) == {
        1995: 0,
        2001: 1,
        2018: 2,
        2020: 2,
    }  # Asia-Europe 1; then Pacific + Atlantic
    for language in ("en", "ja"):
        section = CableOutages().report_section(year, language)
        assert any(str(row["value"]) == "67%" for row in section["figures"])
        assert any("2001: 1" in line for line in section["events"])


def test_the_route_effect_reveals_no_cable_out_under_a_report_the_reader_may_not_read(operators, members):
    services.report_outage(
        operators["jp-cable-a"],
        report(tlp="red", cable="demo-asia-loop", fault_latitude=21.0, fault_longitude=122.0),
    )
    mine = services.report_outage(operators["eu-cable"], report(tlp="amber"))
    effect = queries.outage(operators["eu-cable"], str(mine.uid))["effect"]
    assert effect["removed"] == [CABLE]  # not demo-asia-loop, out under a RED report of another operator
    own = queries.outage(
        operators["jp-cable-a"], str(services.report_outage(operators["jp-cable-a"], report()).uid)
    )
    assert own["effect"]["removed"] == sorted([CABLE, "demo-asia-loop"])


def test_a_cable_operator_is_not_a_member_of_the_partnership(operators):
    from partnership.people.permissions import can_read_cable_map, can_read_outcomes, can_read_progress

    operator = operators["jp-cable-a"]
    assert can_read_cable_map(operator) and queries.outages(operator) == []
    assert not can_read_progress(operator) and not can_read_outcomes(operator)


def test_a_fault_position_on_land_is_refused_and_one_at_the_shore_is_not(operators):
    """GSHHS's crude shoreline: deep inland is refused, a position a few km off or on the coast is not."""
    assert outages.inland_km(16.3, 40.7) == 0.0  # the Red Sea
    assert outages.inland_km(0.0, 20.0) > 1000  # the Congo basin
    assert outages.inland_km(31.26, 32.3) < outages.INLAND_TOLERANCE_KM  # Port Said, at the canal
    with pytest.raises(Invalid) as error:
        services.report_outage(operators["jp-cable-a"], report(fault_latitude=11.2, fault_longitude=77.12))
    assert "on land" in str(error.value) and not Outage.objects.exists()
