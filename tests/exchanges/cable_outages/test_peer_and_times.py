"""What the attacker's review found: a peer node's outage report is checked field by field as a local
one is (its cable on this node's map, its fault on the route and at sea, its times, its enums) and
comes from an operator; a designation comes from a secretariat, and only the designating party's
secretariat replaces or revokes it; an outage's times lie from 2000 to 2100, and a malformed one is
refused naming the field, never a 500."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from partnership.exchanges.cable_outages import filers, outages, services
from partnership.exchanges.cable_outages.models import Outage, OutageStage, ResponsibleFiler
from partnership.ledger.records import format_time
from partnership.ledger.sync import SyncResult, _apply_all

from .test_outages import CABLE, report

pytestmark = pytest.mark.django_db

API = "/api/v1/cables/outages"


@pytest.fixture
def peer_report(operators):
    """The content of a TLP:CLEAR report the EU's operator filed, as its node signs it (not kept here)."""
    outage = services.report_outage(operators["eu-cable"], report(tlp="clear"))
    content = json.loads(outage.ledger_entry.record)["content"]
    Outage.objects.all().delete()
    return content


def _sync(peer_log, *contents, organisation="eu-cable"):
    """Apply the records as `sync` does (each refused one marked, the rest applied); their entries."""
    items = [
        peer_log(outages.OUTAGE, content, organisation=organisation, time=format_time(timezone.now()))
        for content in contents
    ]
    result = SyncResult("EU")
    _apply_all([(entry, record) for record, entry in items], result)
    for _record, entry in items:
        entry.refresh_from_db()
    return result, [entry for _record, entry in items]


def _changed(content, **report_changes):
    changed = json.loads(json.dumps(content))
    changed["uid"] = "0c2d3f7e-1111-4222-8333-444455556666"
    changed["report"].update(report_changes)
    return changed


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"cable": "not-on-this-map"}, "not on this node's map"),
        (
            {"cable": "not-on-this-map", "cause": "sharks", "fibre_pairs_lost": 10**12},
            "not on this node's map",
        ),
        ({"segment": 7}, "segment"),
        ({"fault_latitude": 35.6, "fault_longitude": 139.7}, "fault_latitude"),  # Tokyo: far from the route
        ({"fault_latitude": 11.2, "fault_longitude": 77.12}, "fault_latitude"),  # on the route, inland India
        ({"fault_latitude": "NaN"}, "fault_latitude"),
        ({"fibre_pairs_lost": 10**12}, "fibre_pairs_lost"),
        ({"cause": "sharks"}, "cause"),
        ({"profile": "x" * 10_000}, "profile"),
        ({"repair_ship": "x" * 10_000}, "repair_ship"),
        ({"recipients": "jp-cable-b"}, "recipients"),
        ({"recipients": [{"code": "jp-cable-b"}]}, "recipients"),
        ({"recipients": ["eu-dg-connect"]}, "recipients"),  # not an operator
        ({"started_at": "2026-01-01T25:00:00Z"}, "started_at"),
        ({"started_at": "1800-01-01T00:00:00Z"}, "started_at"),
        ({"detected_at": "2000-01-01T00:00:00Z"}, "detected_at"),  # before the start
        ({"expected_repair_at": "9999-12-31T23:59:59-05:00"}, "expected_repair_at"),
        ({"stages": [{"stage": "notification", "filed_at": "2001-01-01T00:00:00Z"}]}, "stages"),
        ({"stages": [{"stage": "notification", "filed_at": "2026-01-01T00:00:00"}]}, "filed_at"),
        ({"stages": []}, "stages"),
    ],
)
def test_a_peer_report_is_checked_as_a_local_one_and_refused_while_the_sync_goes_on(
    operators, peer_log, peer_report, changes, named
):
    result, (bad, good) = _sync(peer_log, _changed(peer_report, **changes), peer_report)
    assert (result.applied, result.rejected) == (1, 1)
    assert named in bad.apply_error and good.apply_error == ""
    assert [str(uid) for uid in Outage.objects.values_list("uid", flat=True)] == [peer_report["uid"]]


def test_a_peer_report_by_an_organisation_that_is_not_an_operator_is_refused(
    operators, peer_log, peer_report
):
    result, (entry,) = _sync(peer_log, peer_report, organisation="eu-dg-connect")  # the EU's secretariat
    assert result.rejected == 1 and "is not a cable operator" in entry.apply_error
    assert not Outage.objects.exists() and not OutageStage.objects.exists()
    result, (entry,) = _sync(peer_log, peer_report)  # its operator's: kept
    assert result.applied == 1 and Outage.objects.get().organisation.code == "eu-cable"


def test_a_later_revision_may_not_change_the_reporting_operator(operators, peer_log, peer_report):
    from partnership.people.models import Organisation, Party

    Organisation.objects.create(
        code="eu-cable-2", party=Party.objects.get(code="EU"), kind="operator", name_en="x", name_ja="x"
    )
    _sync(peer_log, peer_report)
    later = json.loads(json.dumps(peer_report))
    later["revision"] = 2
    result, (entry,) = _sync(peer_log, later, organisation="eu-cable-2")
    assert result.rejected == 1 and "changes its operator" in entry.apply_error
    assert Outage.objects.get().organisation.code == "eu-cable"


# --- designations: who may make, replace or revoke them ----------------------------------------------


def test_a_peer_designation_not_signed_for_a_secretariat_is_refused(operators, peer_log):
    content = {
        "uid": str(filers.designation_uid("EU", CABLE)),
        "revision": 1,
        "cable": CABLE,
        "cable_name": "Demo Asia-Europe 1",
        "organisation": "eu-cable",
        "co_owners": [],
        "revoked": False,
    }
    record, entry = peer_log(filers.FILER, content, organisation="eu-cable", time=format_time(timezone.now()))
    result = SyncResult("EU")
    _apply_all([(entry, record)], result)
    entry.refresh_from_db()
    assert result.rejected == 1 and "secretariat" in entry.apply_error
    assert not ResponsibleFiler.objects.exists()
    record, entry = peer_log(filers.FILER, content, time=format_time(timezone.now()))  # its secretariat's
    _apply_all([(entry, record)], SyncResult("EU"))
    assert ResponsibleFiler.objects.get().party.code == "EU"


def test_only_the_designating_secretariat_replaces_or_revokes_on_the_page_the_api_and_the_command(
    client, token_for, operators, members
):
    services.designate_filer(members["jp_secretariat"], CABLE, "jp-cable-a", [])
    held = lambda: list(  # noqa: E731
        ResponsibleFiler.objects.values_list("party__code", "organisation__code", "revision", "revoked_at")
    )
    before = held()
    for user in (members["eu_secretariat"], operators["jp-cable-a"], operators["eu-cable"]):
        headers = {"Authorization": token_for(user)}
        assert client.delete(f"{API}/filers/{CABLE}", headers=headers).status_code == 403
        body = {"cable": CABLE, "organisation": "eu-cable", "co_owners": []}
        answer = client.post(f"{API}/filers", body, content_type="application/json", headers=headers)
        assert answer.status_code == 403
        client.force_login(user)
        assert client.post(f"/en/cables/outages/filers/{CABLE}/revoke/").status_code == 403
        assert client.post("/en/cables/outages/filers/", body).status_code == 403
        for args in (("revoke", CABLE), ("designate", CABLE, "eu-cable")):
            with pytest.raises(CommandError):
                call_command("cables", "filer", *args, "--user", user.username)
    assert held() == before
    call_command("cables", "filer", "revoke", CABLE, "--user", members["jp_secretariat"].username)
    assert ResponsibleFiler.objects.get().revoked_at is not None


# --- times: from 2000 to 2100, a malformed one refused naming its field ------------------------------

BAD_TIMES = [
    "2026-01-01T25:00:00Z",  # hour 25
    "0000-01-01T00:00:00Z",  # year 0
    "2026-02-30T00:00:00Z",
    "1999-12-31T23:59:00Z",
    "2101-01-01T00:00:00Z",
    "0001-01-01T00:00:00+05:00",  # before the calendar's start in UTC
    "9999-12-31T23:59:59-05:00",  # after its end
]


@pytest.mark.parametrize("field", ["started_at", "detected_at", "plan_received_at", "expected_repair_at"])
@pytest.mark.parametrize("value", BAD_TIMES)
def test_an_outage_time_out_of_range_or_malformed_is_a_422_naming_it(
    client, token_for, operators, field, value
):
    headers = {"Authorization": token_for(operators["jp-cable-a"])}
    answer = client.post(API, report(**{field: value}), content_type="application/json", headers=headers)
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["error"]["fields"] and not Outage.objects.exists()


@pytest.mark.parametrize("field", ["plan_received_at", "expected_repair_at", "repaired_at"])
@pytest.mark.parametrize("value", ["2026-01-01T25:00:00Z", "0000-01-01T00:00:00Z", "2200-01-01T00:00:00Z"])
def test_a_stage_time_out_of_range_or_malformed_is_a_422_naming_it(
    client, token_for, operators, field, value
):
    outage = services.report_outage(operators["jp-cable-a"], report())
    headers = {"Authorization": token_for(operators["jp-cable-a"])}
    answer = client.post(
        f"{API}/{outage.uid}/stages",
        {"stage": "final", field: value},
        content_type="application/json",
        headers=headers,
    )
    assert answer.status_code == 422, answer.content
    assert field in answer.json()["error"]["fields"] and outage.stages.count() == 1


@pytest.mark.parametrize("value", ["2026-01-01T25:00", "0000-01-01T00:00", "2101-01-02T00:00"])
def test_a_form_time_out_of_range_or_malformed_is_a_form_error(client, operators, value):
    client.force_login(operators["jp-cable-a"])
    now = timezone.now()
    fields = {
        "cable": CABLE,
        "started_at": value,
        "detected_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "cause": "fishing",
        "fault_latitude": "16.3",
        "fault_longitude": "40.7",
        "profile": "fcc",
        "tlp": "amber",
    }
    page = client.post("/en/cables/outages/report/", fields)
    assert page.status_code == 200 and b"started_at:" in page.content and not Outage.objects.exists()
    outage = services.report_outage(operators["jp-cable-a"], report())
    page = client.post(f"/en/cables/outages/{outage.uid}/", {"stage": "final", "repaired_at": value})
    assert page.status_code == 200 and b"repaired_at:" in page.content and outage.stages.count() == 1
